"""Signing in and out (Flask-Login), bearer tokens for the API, and the language choice.

Sessions name the person and their session epoch (see tracker/security/sessions.py): signing
out, changing the password or deactivation raise the epoch and so end every session of that
person. Sessions also end after the idle and absolute timeouts. Failed logins are counted per
account (lockout) and attempts per address (429), in the database (tracker/security/throttle.py).
"""

from __future__ import annotations

from datetime import timedelta
from email.message import EmailMessage
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

from tracker import accounts
from tracker.accounts import token_hash
from tracker.domain.access import Principal
from tracker.extensions import login_manager
from tracker.handlers import accounts as handlers
from tracker.handlers.accounts import SignIn
from tracker.mail import DeliveryFailure
from tracker.models import User
from tracker.queries import principal_for, user_by_token
from tracker.security import password_reset, throttle
from tracker.security.sessions import Timeouts, parse_session_id, session_epoch, session_id
from tracker.services import db_session, services
from tracker.texts import translate
from tracker.web.access import client_address, principal
from tracker.web.errors import error_page
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
    login_manager.user_loader(_load_user)
    login_manager.request_loader(_load_from_token)
    login_manager.unauthorized_handler(_unauthorized)
    app.context_processor(_inject_action_form)


def _load_user(value: str) -> SignedIn | None:
    """The person of a session, while it is still valid (see the module docstring)."""
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


def _load_from_token(req: object) -> SignedIn | None:
    """The person of an API request's bearer token (only under /api/)."""
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


def _unauthorized() -> ResponseReturnValue:
    if request.path.startswith("/api/"):
        return jsonify(error="unauthorized", message="sign in or send a bearer token"), 401
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def _inject_action_form() -> dict[str, object]:
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
    return *error_page(429, message), {"Retry-After": "60"}


@blueprint.route("/inloggen", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(url_for("start.home"))
    tools = services()
    if request.method == "POST" and _too_many(client_address()):
        return _too_many_attempts()
    form = LoginForm()
    if form.validate_on_submit():
        command = SignIn(form.email.data or "", form.password.data or "", client_address())
        signed_in = handlers.sign_in(
            tools.db.unit_of_work(), command, tools.clock, tools.passwords, limits()
        )
        if signed_in is not None:
            _start_session(signed_in.user, signed_in.epoch)
            target = request.args.get("next")
            return redirect(target if is_safe_next(target) else url_for("start.home"))
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


def _too_many(key: str) -> bool:
    """Count an attempt from this address (sign-in, reset); True when over the limit."""
    tools = services()
    return handlers.count_attempt(
        tools.db.unit_of_work(), key, client_address(), tools.clock, limits()
    )


@blueprint.post("/uitloggen")
@login_required
def logout() -> ResponseReturnValue:
    if not ActionForm().validate_on_submit():
        return redirect(url_for("activities.mine"))
    handlers.sign_out(services().db.unit_of_work(), principal())
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
        try:
            current, new = form.current.data or "", form.new.data or ""
            signed_in = handlers.change_password(
                tools.db.unit_of_work(), principal(), current, new, tools.clock, tools.passwords
            )
        except handlers.WrongPassword:
            form.current.errors = [_("This is not your current password.")]
        except accounts.AccountError as refused:
            form.new.errors = [translate(refused.message)]
        else:
            _start_session(signed_in.user, signed_in.epoch)
            flash(
                _("Your password has been changed. Other sessions have been signed out."), "success"
            )
            return redirect(url_for("activities.mine"))
    return render_template("auth/password.html", form=form), 400 if form.is_submitted() else 200


@blueprint.route("/wachtwoord-vergeten", methods=["GET", "POST"])
def forgot_password() -> ResponseReturnValue:
    """Ask for a reset link. The answer is the same whether or not the address is known."""
    if current_user.is_authenticated:
        return redirect(url_for("activities.mine"))
    form = PasswordResetRequestForm()
    if request.method == "POST" and _too_many(f"reset:{client_address()}"):
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
    tools = services()
    minutes = int(current_app.config["PASSWORD_RESET_MINUTES"])
    found = handlers.request_password_reset(
        tools.db.unit_of_work(), email, client_address(), tools.clock, timedelta(minutes=minutes)
    )
    if found is None:
        return
    link = current_app.config["APP_URL"].rstrip("/") + url_for(
        "auth.reset_password", token=found.token
    )
    message = password_reset.reset_message(
        found,
        sender=current_app.config.get("MAIL_FROM") or "jaarplan@localhost",
        link=link,
        minutes=minutes,
    )
    send_or_log(message, "password-reset", found.user_id)


def send_or_log(message: EmailMessage, kind: str, user_id: int) -> None:
    """Send a mail of the app (nothing without a mailer); one not delivered is logged by its
    kind and the person's id, without the address or the link."""
    send_mail = services().send_mail
    if send_mail is None:
        return
    try:
        send_mail(message)
    except DeliveryFailure as failure:
        current_app.logger.warning(
            "%s mail for person %s not delivered: %s", kind, user_id, type(failure).__name__
        )


@blueprint.route("/wachtwoord-herstellen/<token>", methods=["GET", "POST"])
def reset_password(token: str) -> ResponseReturnValue:
    """Choose a new password with the link from the mail (once, within the hour)."""
    return choose_password_page(
        token,
        password_reset.RESET,
        expired=(_("This link is not valid (any more). Ask for a new one."), _("Link expired")),
        done=_("Your password has been changed. Sign in with it."),
        template="auth/reset.html",
    )


def choose_password_page(
    token: str,
    purpose: str,
    *,
    expired: tuple[str, str],
    done: str,
    template: str,
) -> ResponseReturnValue:
    """The page behind a mailed single-use link (password reset, invitation): choose a
    password, then sign in. `expired` is the message and title for a link not valid."""
    tools = services()
    if password_reset.valid_token(db_session(), token, tools.clock.now(), purpose) is None:
        message, title = expired
        return error_page(400, message, title=title)
    form = PasswordResetForm()
    if form.validate_on_submit():
        try:
            new, address = form.new.data or "", client_address()
            handlers.set_password_by_link(
                tools.db.unit_of_work(), token, purpose, new, address, tools.clock, tools.passwords
            )
        except (password_reset.ResetRefused, accounts.AccountError) as refused:
            form.new.errors = [translate(refused.message)]
        else:
            flash(done, "success")
            return redirect(url_for("auth.login"))
    return render_template(template, form=form), 400 if form.is_submitted() else 200


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
