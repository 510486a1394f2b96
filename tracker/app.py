"""The application factory: the one place where the app is wired together."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

from flask import Flask, g, has_request_context, session
from flask_babel import get_locale
from werkzeug.middleware.proxy_fix import ProxyFix

import config as config_module
from events.timeouts import Timeouts
from tracker import texts
from tracker.clock import AMSTERDAM, Clock, ShiftedClock, SystemClock
from tracker.database import Database, guard_writes, unguard_writes
from tracker.extensions import babel, csrf, login_manager
from tracker.passwords import Passwords
from tracker.services import Services, close_db_session, end_read_snapshot
from tracker.web import input_guard, request_log

ROOT = Path(__file__).resolve().parent.parent


def create_tracker_app(
    test_config: Mapping[str, Any] | None = None, *, clock: Clock | None = None
) -> Flask:
    """Build the tracker: configuration, extensions, database, blueprints, CLI commands.
    The whole app (with the reminders) is `wsgi.create_app`, the composition root."""
    app = _configured_app(test_config)
    app.extensions["tracker"] = Services(
        db=Database(
            app.config["DATABASE_URL"], before_write=end_read_snapshot, timeouts=_timeouts(app)
        ),
        clock=clock or _clock(app.config.get("APP_TODAY", "")),
        passwords=Passwords(
            app.config["ARGON2_TIME_COST"],
            app.config["ARGON2_MEMORY_COST"],
            app.config["ARGON2_PARALLELISM"],
        ),
    )
    app.teardown_appcontext(close_db_session)
    # First: odd input is refused before any other hook or view runs (and before the
    # blueprints add their routes, which use its bounded `<int:…>` converter).
    input_guard.init_app(app)
    request_log.init_app(app)
    if app.config.get("GUARD_WRITE_PATH"):
        _guard_write_path(app)

    babel.init_app(app, locale_selector=_select_locale)
    csrf.init_app(app)
    login_manager.init_app(app)
    _register_views(app)
    texts.init_app(app)  # the `translate` filter and `status_label`
    app.jinja_env.globals["get_locale"] = get_locale
    clock_in_use = app.extensions["tracker"].clock
    if isinstance(clock_in_use, ShiftedClock):  # the banner saying which day "today" is
        app.jinja_env.globals["app_today"] = lambda: clock_in_use.now().astimezone(AMSTERDAM)

    from tracker import cli

    cli.register(app)
    return app


def _configured_app(test_config: Mapping[str, Any] | None) -> Flask:
    """The Flask app with its configuration, signing key, logging and proxy settings."""
    app = Flask(
        __name__,
        instance_path=str(config_module.INSTANCE),
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "tracker" / "static"),
    )
    app.config.from_object(config_module.Config)
    if test_config is not None:
        app.config.update(test_config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret(Path(app.instance_path))
    request_log.configure_logging(app.config["LOG_LEVEL"], app.config["LOG_FORMAT"])
    proxies = int(app.config.get("PROXY_FIX_X_FOR", 0))
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]
    return app


def _register_views(app: Flask) -> None:
    """The blueprints, and the hooks that shape every answer (errors, security headers)."""
    from tracker.web import (
        activities,
        admin,
        api,
        auth,
        board,
        budget,
        errors,
        health,
        imports,
        invitations,
        plan_changes,
        plans,
        reports,
        security,
        start,
        workgroups,
    )

    auth.init_app(app)
    pages = (auth, start, activities, imports, plans, plan_changes, reports, board, budget)
    for view in (*pages, admin, invitations, workgroups, api, health):
        app.register_blueprint(view.blueprint)
    csrf.exempt(api.blueprint)  # the API checks CSRF itself for cookie sessions; see api.py
    errors.init_app(app)
    security.init_app(app)
    # Registered last, so it runs first: the other after-request hooks (security headers)
    # also apply to the 503 it may answer.
    errors.end_read_before_answering(app)


def _guard_write_path(app: Flask) -> None:
    """During a request, a statement that writes outside a command handler raises
    (tracker.database.WriteOutsideHandler): views and hooks only read. On in the tests."""

    @app.before_request
    def refuse_writes_outside_handlers() -> None:
        g.write_guard = guard_writes(True)

    @app.teardown_request
    def end_the_guard(_error: BaseException | None = None) -> None:
        token = g.pop("write_guard", None)
        if token is not None:
            unguard_writes(token)


def _timeouts(app: Flask) -> Timeouts:
    config = app.config
    return Timeouts(
        connect=float(config["DATABASE_CONNECT_TIMEOUT"]),
        statement=float(config["DATABASE_STATEMENT_TIMEOUT"]),
        lock=float(config["DATABASE_LOCK_TIMEOUT"]),
        idle_in_transaction=float(config["DATABASE_IDLE_IN_TRANSACTION_TIMEOUT"]),
        tcp=float(config["DATABASE_TCP_TIMEOUT"]),
    )


def _clock(today: str) -> Clock:
    """The real time, or with APP_TODAY a clock on which today is that day (see config.py)."""
    if not today:
        return SystemClock()
    if today == "demo":
        from tracker.demo import demo_today

        return ShiftedClock.from_today(demo_today(SystemClock().now()))
    try:
        return ShiftedClock.from_today(date.fromisoformat(today))
    except ValueError:
        raise ValueError(
            f"APP_TODAY must be a date like 2021-10-12 or 'demo', not {today!r}"
        ) from None


def _select_locale() -> str:
    """Dutch unless the person chose English (stored in their session)."""
    chosen = session.get("locale") if has_request_context() else None  # CLI, scheduler: Dutch
    languages = config_module.Config.LANGUAGES
    if chosen in languages:
        return str(chosen)
    return config_module.Config.BABEL_DEFAULT_LOCALE


def _instance_secret(instance: Path) -> str:
    """A random signing key kept in the instance folder, created on first start."""
    path = instance / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()
