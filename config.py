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
    # Seconds the app waits on the database (0: no limit), so that a stalled database costs
    # a request a 503 within seconds rather than a worker (see the README, events/timeouts.py).
    DATABASE_CONNECT_TIMEOUT = float(os.environ.get("DATABASE_CONNECT_TIMEOUT", 5))
    DATABASE_STATEMENT_TIMEOUT = float(os.environ.get("DATABASE_STATEMENT_TIMEOUT", 10))
    DATABASE_LOCK_TIMEOUT = float(os.environ.get("DATABASE_LOCK_TIMEOUT", 5))
    DATABASE_IDLE_IN_TRANSACTION_TIMEOUT = float(
        os.environ.get("DATABASE_IDLE_IN_TRANSACTION_TIMEOUT", 30)
    )
    DATABASE_TCP_TIMEOUT = float(os.environ.get("DATABASE_TCP_TIMEOUT", 10))
    # Signing key for sessions and CSRF tokens. Unset: a random key is created once in
    # instance/secret_key (fine for one server; set it explicitly when running several).
    SECRET_KEY = os.environ.get("SECRET_KEY")
    # Public address of the app, used in links in e-mails.
    APP_URL = os.environ.get("APP_URL", "http://127.0.0.1:5000")

    # Run the app as if today were this date (ISO, e.g. 2021-10-12), its time going on from
    # there, with a banner on every page: for the demo and for training. "demo": today's day
    # and month in the demo plan's year (what `make run` uses). Unset: the real date.
    APP_TODAY = os.environ.get("APP_TODAY", "")

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
    # Bounds on one import (docs/importing.md): activities per imported file, seconds of
    # reading, and the unpacked size of a .docx or .xlsx (its zip members together).
    IMPORT_MAX_ACTIVITIES = int(os.environ.get("IMPORT_MAX_ACTIVITIES", 2000))
    IMPORT_TIME_BUDGET = float(os.environ.get("IMPORT_TIME_BUDGET", 10))
    IMPORT_MAX_UNPACKED_BYTES = int(os.environ.get("IMPORT_MAX_UNPACKED_BYTES", 50 * 1024 * 1024))

    # Password hashing: argon2id with the OWASP-recommended parameters (19 MiB, t=2, p=1).
    ARGON2_TIME_COST = int(os.environ.get("ARGON2_TIME_COST", 2))
    ARGON2_MEMORY_COST = int(os.environ.get("ARGON2_MEMORY_COST", 19 * 1024))
    ARGON2_PARALLELISM = int(os.environ.get("ARGON2_PARALLELISM", 1))

    LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "text")  # text | json (one object per line)

    # Brute force: failed logins in a row that lock an account, for how long; login attempts
    # per minute from one address before 429. Counted in the database (all workers).
    LOGIN_MAX_FAILURES = int(os.environ.get("LOGIN_MAX_FAILURES", 10))
    LOGIN_LOCK_MINUTES = int(os.environ.get("LOGIN_LOCK_MINUTES", 15))
    LOGIN_ATTEMPTS_PER_MINUTE = int(os.environ.get("LOGIN_ATTEMPTS_PER_MINUTE", 20))
    # Sessions end after this long without a request, and this long after signing in.
    SESSION_IDLE_MINUTES = int(os.environ.get("SESSION_IDLE_MINUTES", 120))
    SESSION_ABSOLUTE_HOURS = int(os.environ.get("SESSION_ABSOLUTE_HOURS", 12))
    PERMANENT_SESSION_LIFETIME = SESSION_ABSOLUTE_HOURS * 3600
    REMEMBER_COOKIE_DURATION = SESSION_ABSOLUTE_HOURS * 3600  # none is issued; a bound anyway
    # Behind a reverse proxy: how many proxies set X-Forwarded-For / -Proto (0: none). The
    # login limits count per client address, so this must be right in production.
    PROXY_FIX_X_FOR = int(os.environ.get("PROXY_FIX_X_FOR", 0))
    # Password-reset links are valid this long (at most 60 minutes) and work once.
    PASSWORD_RESET_MINUTES = min(int(os.environ.get("PASSWORD_RESET_MINUTES", 60)), 60)
    INVITATION_DAYS = int(os.environ.get("INVITATION_DAYS", 7))

    # E-mail. MAIL_BACKEND: smtp (the default when SMTP_HOST is set), file (each mail as an
    # .eml file in MAIL_FILE_DIR: the default without SMTP_HOST) or console (printed).
    SMTP_HOST = os.environ.get("SMTP_HOST", "")
    SMTP_PORT = int(os.environ.get("SMTP_PORT", 587))
    SMTP_SECURITY = os.environ.get("SMTP_SECURITY", "starttls")  # none | starttls | ssl
    SMTP_USER = os.environ.get("SMTP_USER", "")
    SMTP_PASSWORD = os.environ.get("SMTP_PASSWORD", "")
    # Seconds to wait for each reply; RFC 5321 §4.5.3.2 asks minutes (5 for MAIL and RCPT).
    SMTP_TIMEOUT = float(os.environ.get("SMTP_TIMEOUT", 300))
    SMTP_CA_FILE = os.environ.get("SMTP_CA_FILE", "")  # trust a private CA (else the system's)
    MAIL_FROM = os.environ.get("MAIL_FROM", "Jaarplan-tracker <jaarplan@localhost>")
    MAIL_BACKEND = os.environ.get("MAIL_BACKEND", "smtp" if SMTP_HOST else "file")
    MAIL_FILE_DIR = os.environ.get("MAIL_FILE_DIR", str(INSTANCE / "mail"))
    # Seconds between delivery attempts after a 4xx reply or a connection error; after the
    # last one the mail is marked failed (admins can resend it).
    MAIL_RETRY_DELAYS = os.environ.get("MAIL_RETRY_DELAYS", "60,300,1800,7200,21600,43200")
    MAIL_SEND_INTERVAL = int(os.environ.get("MAIL_SEND_INTERVAL", 60))  # outbox polling, s

    # Reminders (the `flask --app wsgi reminders run` process). Times are local.
    REMINDER_TIMEZONE = os.environ.get("REMINDER_TIMEZONE", "Europe/Amsterdam")
    REMINDER_TIME = os.environ.get("REMINDER_TIME", "08:00")
    REMINDER_QUARTERLY_WORKING_DAY = int(os.environ.get("REMINDER_QUARTERLY_WORKING_DAY", 1))
    REMINDER_DUE_SOON_DAYS = int(os.environ.get("REMINDER_DUE_SOON_DAYS", 14))
    REMINDER_DIGEST_DAYS = int(os.environ.get("REMINDER_DIGEST_DAYS", 7))
    REMINDER_GRACE_DAYS = int(os.environ.get("REMINDER_GRACE_DAYS", 7))
    REMINDER_KINDS = os.environ.get("REMINDER_KINDS", "quarterly,due-soon,digest")


class TestConfig(Config):
    TESTING = True
    # Every write of a request goes through a command handler, or the request fails
    # (tracker/app.py): the whole suite runs with the one write path checked.
    GUARD_WRITE_PATH = True
    SECRET_KEY = "test-secret-key-not-for-production"
    WTF_CSRF_ENABLED = False  # one test suite turns it back on to prove it is enforced
    # Cheap hashing keeps the suite fast; the production parameters are tested separately.
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_COST = 8
    ARGON2_PARALLELISM = 1
    # Mail never leaves a test unless a test points it at its own SMTP server.
    MAIL_BACKEND = "console"
    SMTP_HOST = ""
