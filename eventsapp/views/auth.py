"""/login and /logout for organisers and members."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from eventsapp.forms.auth import LoginForm
from eventsapp.services import users

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str | None:
    """Only same-site paths: never redirect to another host after login."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def _home_for(user) -> str:
    if user.is_organiser:
        return url_for("organiser.index")
    return url_for("public.index")


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(_home_for(current_user))
    form = LoginForm()
    if form.validate_on_submit():
        user = users.authenticate(form.email.data, form.password.data)
        if user is None:
            form.password.errors.append("That email and password do not match an account.")
        else:
            session.clear()  # a fresh session at login
            login_user(user)
            flash(f"Welcome back, {user.name or user.email}.", "success")
            return redirect(_safe_next(request.args.get("next")) or _home_for(user))
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
def logout():
    logout_user()
    session.clear()
    flash("You have logged out.", "info")
    return redirect(url_for("public.index"))
