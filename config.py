"""Configuration, read from environment variables (documented in the README).

`Config` is what `make run` and production use; `TestConfig` is the base for tests. Nothing
here connects to anything: values only.
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent
INSTANCE = Path(os.environ.get("TRACKER_INSTANCE_PATH", ROOT / "instance"))


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


class Config:
    # Database: PostgreSQL via DATABASE_URL, else a SQLite file in instance/.
    DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{INSTANCE / 'tracker.db'}"
    # Signing key for sessions and CSRF tokens. Unset: a random key is created once in
    # instance/secret_key (fine for one server; set it explicitly when running several).
    SECRET_KEY = os.environ.get("SECRET_KEY")
    # Public address of the app, used in links in e-mails.
    APP_URL = os.environ.get("APP_URL", "http://127.0.0.1:5000")

    # Language: Dutch by default; English can be chosen per person.
    BABEL_DEFAULT_LOCALE = "nl"
    BABEL_DEFAULT_TIMEZONE = "Europe/Amsterdam"
    LANGUAGES = ("nl", "en")

    # Cookies: HttpOnly and SameSite=Lax always; Secure when served over HTTPS.
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", False)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE

    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT = None  # tied to the session instead of a clock
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_CONTENT_LENGTH", 10 * 1024 * 1024))
    IMPORT_MAX_BYTES = int(os.environ.get("IMPORT_MAX_BYTES", 5 * 1024 * 1024))

    # Password hashing: argon2id with the OWASP-recommended parameters (19 MiB, t=2, p=1).
    ARGON2_TIME_COST = int(os.environ.get("ARGON2_TIME_COST", 2))
    ARGON2_MEMORY_COST = int(os.environ.get("ARGON2_MEMORY_COST", 19 * 1024))
    ARGON2_PARALLELISM = int(os.environ.get("ARGON2_PARALLELISM", 1))

    LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test-secret-key-not-for-production"
    WTF_CSRF_ENABLED = False  # one test suite turns it back on to prove it is enforced
    # Cheap hashing keeps the suite fast; the production parameters are tested separately.
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_COST = 8
    ARGON2_PARALLELISM = 1
