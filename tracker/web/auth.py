"""Signing in and out (Flask-Login), bearer tokens for the API, and the language choice."""

from __future__ import annotations

from typing import TypeGuard
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
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

from tracker.accounts import normalise_email, token_hash
from tracker.domain.access import Principal
from tracker.extensions import login_manager
from tracker.models import ApiToken, User
from tracker.queries import principal_for
from tracker.services import db_session, services
from tracker.web.forms import ActionForm, LoginForm

blueprint = Blueprint("auth", __name__)


class SignedIn(UserMixin):
    """The signed-in person: their stored row and their access-rule view."""

    def __init__(self, user: User, principal: Principal) -> None:
        self.user = user
        self.principal = principal

    def get_id(self) -> str:
        return str(self.user.id)

    @property
    def name(self) -> str:
        return self.user.name


def _signed_in(user: User | None) -> SignedIn | None:
    if user is None or not user.active:
        return None
    return SignedIn(user, principal_for(db_session(), user))


def init_app(app: Flask) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = ""
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(user_id: str) -> SignedIn | None:
        if not user_id.isdigit():
            return None
        return _signed_in(db_session().get(User, int(user_id)))

    @login_manager.request_loader
    def load_from_token(req: object) -> SignedIn | None:
        header = request.headers.get("Authorization", "")
        if not header.startswith("Bearer ") or not request.path.startswith("/api/"):
            return None
        token = header.removeprefix("Bearer ").strip()
        found = (
            db_session()
            .exec(select(User).join(ApiToken).where(ApiToken.token_hash == token_hash(token)))
            .first()
        )
        signed_in = _signed_in(found)
        if signed_in is not None:
            g.auth_by_token = True
        return signed_in

    @login_manager.unauthorized_handler
    def unauthorized() -> ResponseReturnValue:
        if request.path.startswith("/api/"):
            return jsonify(error="unauthorized", message="sign in or send a bearer token"), 401
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))

    @app.context_processor
    def inject_action_form() -> dict[str, object]:
        return {"action_form": ActionForm()}


def is_safe_next(target: str | None) -> TypeGuard[str]:
    """Only a path on this site may follow a login (no `//evil.example` or absolute URLs)."""
    if not target:
        return False
    parts = urlsplit(target)
    return (
        not parts.scheme
        and not parts.netloc
        and target.startswith("/")
        and not target.startswith("//")
        and "\\" not in target
    )


@blueprint.route("/inloggen", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(url_for("activities.mine"))
    form = LoginForm()
    if form.validate_on_submit():
        tools = services()
        db = db_session()
        user = db.exec(
            select(User).where(User.email == normalise_email(form.email.data or ""))
        ).first()
        if (
            user is not None
            and user.active
            and tools.passwords.verify(user.password_hash, form.password.data)
        ):
            if tools.passwords.needs_rehash(user.password_hash):
                user.password_hash = tools.passwords.hash(form.password.data)
                db.add(user)
                db.commit()
            locale = session.get("locale")
            session.clear()  # a new session on every sign-in
            if locale:
                session["locale"] = locale
            signed_in = _signed_in(user)
            assert signed_in is not None
            login_user(signed_in)
            target = request.args.get("next")
            return redirect(target if is_safe_next(target) else url_for("activities.mine"))
        flash(_("E-mail address or password is not correct."), "error")
    return render_template("auth/login.html", form=form)


@blueprint.post("/uitloggen")
@login_required
def logout() -> ResponseReturnValue:
    if not ActionForm().validate_on_submit():
        return redirect(url_for("activities.mine"))
    logout_user()
    session.clear()
    flash(_("You are signed out."), "info")
    return redirect(url_for("auth.login"))


@blueprint.post("/taal/<code>")
def set_language(code: str) -> ResponseReturnValue:
    if ActionForm().validate_on_submit() and code in ("nl", "en"):
        session["locale"] = code
    target = request.form.get("next")
    return redirect(target if is_safe_next(target) else url_for("activities.mine"))
