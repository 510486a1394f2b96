"""The reminders' configuration, read once from the app's config (see config.py)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from reminders.periods import ReminderKind, Schedule

SECURITY_MODES = ("none", "starttls", "ssl")
BACKENDS = ("smtp", "file", "console")


class SettingsError(ValueError):
    """A configuration value the reminders cannot work with; the message names it."""


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    security: str  # none | starttls | ssl
    user: str = ""
    password: str = ""
    timeout: float = 300.0  # seconds, per reply (RFC 5321 §4.5.3.2: minutes, not seconds)
    ca_file: str = ""  # certificates to trust instead of the system's (a private CA)


@dataclass(frozen=True)
class MailSettings:
    backend: str
    sender: str  # the From header
    smtp: SmtpSettings
    file_dir: str
    retry_delays: tuple[int, ...]  # seconds; len + 1 attempts in all
    send_interval: int
    app_url: str


def mail_settings(config: Mapping[str, Any]) -> MailSettings:
    """Mail settings from the app config; raise SettingsError on a value that cannot work."""
    backend = str(config.get("MAIL_BACKEND") or ("smtp" if config.get("SMTP_HOST") else "file"))
    backend = backend.lower()
    if backend not in BACKENDS:
        raise SettingsError(f"MAIL_BACKEND must be one of {', '.join(BACKENDS)}, not {backend!r}")
    security = str(config.get("SMTP_SECURITY") or "none").lower()
    if security not in SECURITY_MODES:
        raise SettingsError(f"SMTP_SECURITY must be one of {', '.join(SECURITY_MODES)}")
    if backend == "smtp" and not config.get("SMTP_HOST"):
        raise SettingsError("MAIL_BACKEND=smtp needs SMTP_HOST")
    try:
        delays = tuple(int(part) for part in str(config.get("MAIL_RETRY_DELAYS", "")).split(","))
    except ValueError:
        raise SettingsError("MAIL_RETRY_DELAYS must be seconds separated by commas") from None
    return MailSettings(
        backend=backend,
        sender=str(config.get("MAIL_FROM") or "jaarplan@localhost"),
        smtp=SmtpSettings(
            host=str(config.get("SMTP_HOST") or ""),
            port=int(config.get("SMTP_PORT") or 25),
            security=security,
            user=str(config.get("SMTP_USER") or ""),
            password=str(config.get("SMTP_PASSWORD") or ""),
            timeout=float(config.get("SMTP_TIMEOUT") or 300),
            ca_file=str(config.get("SMTP_CA_FILE") or ""),
        ),
        file_dir=str(config.get("MAIL_FILE_DIR") or "mail"),
        retry_delays=delays,
        send_interval=int(config.get("MAIL_SEND_INTERVAL") or 60),
        app_url=str(config.get("APP_URL") or "").rstrip("/"),
    )


def schedule(config: Mapping[str, Any]) -> Schedule:
    """The reminder schedule from the app config; raise SettingsError on a bad value."""
    try:
        hour, minute = (int(part) for part in str(config.get("REMINDER_TIME", "08:00")).split(":"))
        at = time(hour, minute)
        zone = ZoneInfo(str(config.get("REMINDER_TIMEZONE", "Europe/Amsterdam")))
        kinds = tuple(
            ReminderKind(kind.strip())
            for kind in str(config.get("REMINDER_KINDS", "")).split(",")
            if kind.strip()
        )
    except (ValueError, KeyError) as problem:
        raise SettingsError(f"reminder schedule: {problem}") from None
    return Schedule(
        timezone=zone,
        at=at,
        quarterly_working_day=int(config.get("REMINDER_QUARTERLY_WORKING_DAY", 1)),
        due_soon_days=int(config.get("REMINDER_DUE_SOON_DAYS", 14)),
        digest_days=int(config.get("REMINDER_DIGEST_DAYS", 7)),
        grace=timedelta(days=int(config.get("REMINDER_GRACE_DAYS", 7))),
        kinds=kinds,
    )
