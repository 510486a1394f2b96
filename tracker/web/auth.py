"""Signing in and out (Flask-Login), bearer tokens for the API, and the language choice.

Sessions name the person and their session epoch (see tracker/security/sessions.py): signing
out, changing the password or deactivation raise the epoch and so end every session of that
person. Sessions also end after the idle and absolute timeouts. Failed logins are counted per
account (lockout) and attempts per address (429), in the database (tracker/security/throttle.py).
"""

from __future__ import annotations

from datetime import timedelta
from typing import TypeGuard
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import UserMixin, current_user, login_required, login_user, logout_user
from sqlmodel import select

from tracker import accounts
from tracker.accounts import normalise_email, token_hash
from tracker.domain.access import Principal
from tracker.extensions import login_manager
from tracker.models import User
from tracker.queries import principal_for, user_by_token
from tracker.security import audit, password_reset, throttle
from tracker.security.audit import AuditKind
from tracker.security.sessions import (
    Timeouts,
    end_all_sessions,
    parse_session_id,
    session_epoch,
    session_id,
)
from tracker.services import db_session, services
from tracker.texts import translate
from tracker.web.access import client_address
from tracker.web.forms import (
    ActionForm,
    LoginForm,
    PasswordChangeForm,
    PasswordResetForm,
    PasswordResetRequestForm,
)

blueprint = Blueprint("auth", __name__)

# Session keys: when the person signed in, and when this session was last used (POSIX time).
SIGNED_IN_AT = "signed_in_at"
SEEN_AT = "seen_at"
SEEN_AT_RESOLUTION = 60  # seconds: refresh the idle clock at most once a minute


class SignedIn(UserMixin):
    """The signed-in person: their stored row, their access-rule view, their session epoch."""

    def __init__(self, user: User, principal: Principal, epoch: int = 0) -> None:
        self.user = user
        self.principal = principal
        self.epoch = epoch

    def get_id(self) -> str:
        return session_id(self.user.id or 0, self.epoch)

    @property
    def name(self) -> str:
        return self.user.name


def _signed_in(user: User | None, epoch: int = 0) -> SignedIn | None:
    if user is None or not user.active:
        return None
    return SignedIn(user, principal_for(db_session(), user), epoch)


def limits() -> throttle.Limits:
    config = current_app.config
    return throttle.Limits(
        max_failures=config["LOGIN_MAX_FAILURES"],
        lock_for=timedelta(minutes=config["LOGIN_LOCK_MINUTES"]),
        per_minute=config["LOGIN_ATTEMPTS_PER_MINUTE"],
    )


def timeouts() -> Timeouts:
    config = current_app.config
    return Timeouts(
        idle=timedelta(minutes=config["SESSION_IDLE_MINUTES"]),
        absolute=timedelta(hours=config["SESSION_ABSOLUTE_HOURS"]),
    )


def _start_session(user: User, epoch: int) -> None:
    """A fresh session for the person: nothing of the anonymous one is kept but the language."""
    locale = session.get("locale")
    session.clear()
    if locale:
        session["locale"] = locale
    now = services().clock.now().timestamp()
    session[SIGNED_IN_AT] = now
    session[SEEN_AT] = now
    signed_in = _signed_in(user, epoch)
    assert signed_in is not None
    login_user(signed_in)


def init_app(app: Flask) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = ""
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(value: str) -> SignedIn | None:
        parsed = parse_session_id(value)
        if parsed is None:
            return None
        user_id, epoch = parsed
        db = db_session()
        if epoch != session_epoch(db.connection(), user_id):
            return None  # signed out elsewhere, password changed, deactivated
        now = services().clock.now().timestamp()
        if timeouts().expired(session.get(SIGNED_IN_AT), session.get(SEEN_AT), now):
            for key in ("_user_id", "_fresh", "_id", SIGNED_IN_AT, SEEN_AT):
                session.pop(key, None)
            flash(_("Your session has ended. Please sign in again."), "info")
            return None
        if now - float(session[SEEN_AT]) >= SEEN_AT_RESOLUTION:
            session[SEEN_AT] = now
        return _signed_in(db.get(User, user_id), epoch)

    @login_manager.request_loader
    def load_from_token(req: object) -> SignedIn | None:
        header = request.headers.get("Authorization", "")
        if not header.startswith("Bearer ") or not request.path.startswith("/api/"):
            return None
        token = header.removeprefix("Bearer ").strip()
        # A detached copy of the person, read only (nothing adds it to a session).
        found = user_by_token(db_session(), token_hash(token))
        if found is None or not found[0].active:
            return None
        g.auth_by_token = True
        return SignedIn(*found)

    @login_manager.unauthorized_handler
    def unauthorized() -> ResponseReturnValue:
        if request.path.startswith("/api/"):
            return jsonify(error="unauthorized", message="sign in or send a bearer token"), 401
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))

    @app.context_processor
    def inject_action_form() -> dict[str, object]:
        # Only shown (its CSRF token), never filled from the request: an error page (413)
        # must render without reading a body it has just refused.
        return {"action_form": ActionForm(formdata=None)}


def is_safe_next(target: str | None) -> TypeGuard[str]:
    """Only a path on this site may follow a login (no `//evil.example` or absolute URLs).

    No whitespace or control character either: CR/LF would split the Location header, and
    browsers drop tabs and newlines, so "/\t/evil.example" would lead to another site."""
    if not target or any(c.isspace() or not c.isprintable() for c in target):
        return False
    parts = urlsplit(target)
    return (
        not parts.scheme
        and not parts.netloc
        and target.startswith("/")
        and not target.startswith("//")
        and "\\" not in target
    )


def _too_many_attempts() -> ResponseReturnValue:
    message = _("Too many sign-in attempts from your address. Wait a minute and try again.")
    page = render_template(
        "errors/error.html", code=429, title=_("Too many attempts"), message=message
    )
    return page, 429, {"Retry-After": "60"}


@blueprint.route("/inloggen", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(url_for("activities.mine"))
    tools = services()
    if request.method == "POST":
        now = tools.clock.now()
        with tools.db.unit_of_work() as uow:
            attempts = throttle.count_attempt(uow.connection, client_address(), now)
            if attempts == limits().per_minute + 1:  # once per minute, not once per attempt
                audit.add(uow.session, AuditKind.LOGIN_THROTTLED, at=now, address=client_address())
            uow.commit()
        if attempts > limits().per_minute:
            return _too_many_attempts()
    form = LoginForm()
    if form.validate_on_submit():
        user = (
            db_session()
            .exec(select(User).where(User.email == normalise_email(form.email.data or "")))
            .first()
        )
        if _password_accepted(user, form.password.data or ""):
            assert user is not None
            return _signed_in_now(user, form.password.data or "")
        flash(
            _(
                "E-mail address or password is not correct. After %(n)s failed attempts an "
                "account is locked for %(minutes)s minutes.",
                n=limits().max_failures,
                minutes=current_app.config["LOGIN_LOCK_MINUTES"],
            ),
            "error",
        )
    return render_template("auth/login.html", form=form)


def _password_accepted(user: User | None, password: str) -> bool:
    """Check the password, counting a failure (and locking the account after too many)."""
    tools = services()
    now = tools.clock.now()
    if user is None or user.id is None:
        tools.passwords.verify(tools.passwords.dummy_hash(), password)  # same time either way
        audit.record(tools.db, AuditKind.LOGIN_FAILED, at=now, address=client_address())
        return False
    with tools.db.unit_of_work() as uow:
        locked = throttle.locked_until(uow.connection, user.id, now) is not None
    if not locked and user.active and tools.passwords.verify(user.password_hash, password):
        return True
    with tools.db.unit_of_work() as uow:
        detail = "account locked" if locked else ("inactive" if not user.active else "")
        locked_now = not locked and throttle.register_failure(
            uow.connection, user.id, now, limits()
        )
        audit.add(
            uow.session,
            AuditKind.LOGIN_FAILED,
            at=now,
            subject_id=user.id,
            address=client_address(),
            detail=detail,
        )
        if locked_now:
            audit.add(
                uow.session,
                AuditKind.ACCOUNT_LOCKED,
                at=now,
                subject_id=user.id,
                address=client_address(),
                detail=f"{limits().max_failures} failed logins",
            )
        uow.commit()
    return False


def _signed_in_now(user: User, password: str) -> ResponseReturnValue:
    tools = services()
    assert user.id is not None
    with tools.db.unit_of_work() as uow:
        throttle.register_success(uow.connection, user.id)
        if tools.passwords.needs_rehash(user.password_hash):
            stored = uow.session.get(User, user.id)
            assert stored is not None
            stored.password_hash = tools.passwords.hash(password)
            uow.session.add(stored)
        epoch = session_epoch(uow.connection, user.id)
        audit.add(
            uow.session,
            AuditKind.SIGNED_IN,
            at=tools.clock.now(),
            actor_id=user.id,
            subject_id=user.id,
            address=client_address(),
        )
        uow.commit()
    _start_session(user, epoch)
    target = request.args.get("next")
    return redirect(target if is_safe_next(target) else url_for("activities.mine"))


@blueprint.post("/uitloggen")
@login_required
def logout() -> ResponseReturnValue:
    if not ActionForm().validate_on_submit():
        return redirect(url_for("activities.mine"))
    with services().db.unit_of_work() as uow:
        end_all_sessions(uow.connection, current_user.user.id)
        uow.commit()
    logout_user()
    session.clear()
    flash(_("You are signed out."), "info")
    return redirect(url_for("auth.login"))


@blueprint.route("/profiel/wachtwoord", methods=["GET", "POST"])
@login_required
def change_password() -> ResponseReturnValue:
    """Change one's own password: every other session ends, this one starts anew."""
    if g.get("auth_by_token"):
        return redirect(url_for("activities.mine"))
    tools = services()
    form = PasswordChangeForm()
    if form.validate_on_submit():
        user_id = current_user.user.id
        with tools.db.unit_of_work() as uow:
            user = uow.session.get(User, user_id)
            assert user is not None
            if not tools.passwords.verify(user.password_hash, form.current.data or ""):
                form.current.errors = [_("This is not your current password.")]
            else:
                try:
                    accounts.change_password(
                        uow.session, tools.passwords, user, form.new.data or ""
                    )
                except accounts.AccountError as refused:
                    form.new.errors = [translate(refused.message)]
                else:
                    epoch = session_epoch(uow.connection, user_id)
                    audit.add(
                        uow.session,
                        AuditKind.PASSWORD_CHANGED,
                        at=tools.clock.now(),
                        actor_id=user_id,
                        subject_id=user_id,
                        address=client_address(),
                    )
                    uow.commit()
                    _start_session(user, epoch)
                    flash(
                        _("Your password has been changed. Other sessions have been signed out."),
                        "success",
                    )
                    return redirect(url_for("activities.mine"))
    code = 400 if form.is_submitted() else 200
    return render_template("auth/password.html", form=form), code


@blueprint.route("/wachtwoord-vergeten", methods=["GET", "POST"])
def forgot_password() -> ResponseReturnValue:
    """Ask for a reset link. The answer is the same whether or not the address is known."""
    if current_user.is_authenticated:
        return redirect(url_for("activities.mine"))
    tools = services()
    form = PasswordResetRequestForm()
    if request.method == "POST":
        now = tools.clock.now()
        with tools.db.unit_of_work() as uow:
            attempts = throttle.count_attempt(uow.connection, f"reset:{client_address()}", now)
            uow.commit()
        if attempts > limits().per_minute:
            return _too_many_attempts()
    if form.validate_on_submit():
        _send_reset_link(form.email.data or "")
        flash(
            _(
                "If an account exists for this address, we have sent it a link to choose a "
                "new password. The link works once, for %(minutes)s minutes.",
                minutes=current_app.config["PASSWORD_RESET_MINUTES"],
            ),
            "info",
        )
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot.html", form=form), 400 if form.is_submitted() else 200


def _send_reset_link(email: str) -> None:
    """Store a token and mail the link to the account's stored address (if there is one)."""
    from reminders.mailer import DeliveryFailure

    tools = services()
    now = tools.clock.now()
    minutes = int(current_app.config["PASSWORD_RESET_MINUTES"])
    with tools.db.unit_of_work() as uow:
        found = password_reset.request_reset(uow.session, email, now, timedelta(minutes=minutes))
        audit.add(
            uow.session,
            AuditKind.PASSWORD_RESET_REQUESTED,
            at=now,
            subject_id=found.user_id if found else None,
            address=client_address(),
            detail="" if found else "no such account",
        )
        uow.commit()
    if found is None:
        return
    reminders = current_app.extensions["reminders"]
    link = current_app.config["APP_URL"].rstrip("/") + url_for(
        "auth.reset_password", token=found.token
    )
    message = password_reset.reset_message(
        found, sender=reminders.mail.sender, link=link, minutes=minutes
    )
    try:
        reminders.mailer.send(message)
    except DeliveryFailure as failure:  # logged without the address or the link
        current_app.logger.warning(
            "password-reset mail for person %s not delivered: %s",
            found.user_id,
            type(failure).__name__,
        )


@blueprint.route("/wachtwoord-herstellen/<token>", methods=["GET", "POST"])
def reset_password(token: str) -> ResponseReturnValue:
    """Choose a new password with the link from the mail (once, within the hour)."""
    tools = services()
    now = tools.clock.now()
    if password_reset.valid_token(db_session(), token, now) is None:
        message = _("This link is not valid (any more). Ask for a new one.")
        page = render_template(
            "errors/error.html", code=400, title=_("Link expired"), message=message
        )
        return page, 400
    form = PasswordResetForm()
    if form.validate_on_submit():
        with tools.db.unit_of_work() as uow:
            try:
                user_id = password_reset.reset_password(
                    uow.session, tools.passwords, token, form.new.data or "", now
                )
            except (password_reset.ResetRefused, accounts.AccountError) as refused:
                form.new.errors = [translate(refused.message)]
            else:
                audit.add(
                    uow.session,
                    AuditKind.PASSWORD_RESET,
                    at=now,
                    subject_id=user_id,
                    address=client_address(),
                )
                uow.commit()
                flash(_("Your password has been changed. Sign in with it."), "success")
                return redirect(url_for("auth.login"))
    code = 400 if form.is_submitted() else 200
    return render_template("auth/reset.html", form=form), code


@blueprint.get("/profiel/gegevens.json")
@login_required
def my_data() -> ResponseReturnValue:
    """Everything stored about me, as JSON."""
    from tracker.web.admin import person_export_response

    return person_export_response(current_user.user.id)


@blueprint.post("/taal/<code>")
def set_language(code: str) -> ResponseReturnValue:
    if ActionForm().validate_on_submit() and code in ("nl", "en"):
        session["locale"] = code
    target = request.form.get("next")
    return redirect(target if is_safe_next(target) else url_for("activities.mine"))
