"""/login and /logout for organisers and members, and /set-password/<token> for invited
members."""

from __future__ import annotations

import hashlib
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_user, logout_user

from eventsapp.accounts import rules as users
from eventsapp.accounts.forms import LoginForm, SetPasswordForm
from eventsapp.errors import Conflict, DomainError, NotFound, ValidationError
from eventsapp.extensions import limiter

bp = Blueprint("accounts", __name__)


def _safe_next(target: str | None) -> str | None:
    """Only same-site paths: never redirect to another host after login."""
    # No control characters (a CR LF cannot go into a Location header; browsers drop a
    # tab, turning "/\t/evil.example" into "//evil.example") and no backslash (which
    # browsers read as a slash).
    if not target or "\\" in target or any(ord(c) < 0x20 or ord(c) == 0x7F for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def _home_for(user) -> str:
    if user.is_organiser:
        return url_for("visits.organiser_home")
    if user.is_member:
        return url_for("member.index")
    return url_for("visits.index")


def _account_key() -> str:
    """The account a login attempt is for: the email typed, as accounts match it. Hashed,
    so the limiter's storage holds no addresses."""
    email = users.normalise_email(request.form.get("email", ""))[:254]
    return "login-account:" + hashlib.sha256(email.encode("utf-8", "surrogatepass")).hexdigest()


def _login_failed(_response) -> bool:
    return g.get("login_failed", False)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT_PER_ADDRESS"], methods=["POST"],
               key_func=get_remote_address, deduct_when=_login_failed)
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT_PER_ACCOUNT"], methods=["POST"],
               key_func=_account_key, deduct_when=_login_failed)
def login():
    if current_user.is_authenticated:
        return redirect(_home_for(current_user))
    form = LoginForm()
    if form.validate_on_submit():
        user = users.authenticate(form.email.data, form.password.data)
        if user is None:
            g.login_failed = True
            form.password.errors.append("That email and password do not match an account.")
        else:
            session.clear()  # a fresh session at login
            login_user(user)
            flash(f"Welcome back, {user.name or user.email}.", "success")
            return redirect(_safe_next(request.args.get("next")) or _home_for(user))
    return render_template("accounts/login.html", form=form)


@bp.post("/logout")
def logout():
    if current_user.is_authenticated:
        users.end_sessions(current_user.id)
    logout_user()
    session.clear()
    flash("You have logged out.", "info")
    return redirect(url_for("visits.index"))


def _area_for(user) -> str:
    if user.is_organiser:
        return url_for("visits.organiser_home")
    return url_for("member.index")


def _private(response, status: int = 200):
    """The link is the key: never send it on as a referrer, never keep the page."""
    response = make_response(response, status)
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    return response


def _bad_link(error: DomainError):
    if isinstance(error, Conflict):  # expired
        return _private(render_template("web/error.html", code=410,
                                        title="This link has expired", detail=error.message), 410)
    return _private(render_template("web/error.html", code=404,
                                    title="This link does not work", detail=error.message), 404)


@bp.route("/set-password/<token>", methods=["GET", "POST"])
def set_password(token: str):
    try:
        user = users.user_for_set_password_token(token)
    except (Conflict, NotFound) as exc:
        return _bad_link(exc)
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            user = users.set_password(token, form.password.data)
        except (Conflict, NotFound) as exc:
            return _bad_link(exc)
        except ValidationError as exc:
            form.password.errors = [*form.password.errors, exc.message]
        else:
            session.clear()  # a fresh session for the new login
            login_user(user)
            flash("Your password is set and you are logged in.", "success")
            return redirect(_area_for(user), 303)
    status = 422 if request.method == "POST" else 200
    return _private(render_template("accounts/set_password.html", form=form, user=user), status)
