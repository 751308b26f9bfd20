"""flask commands: users, demo."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from eventsapp.models import Role
from eventsapp.services import users
from eventsapp.services.errors import DomainError

users_cli = AppGroup("users", help="Manage organiser and member accounts.")


@users_cli.command("create-organiser")
@click.argument("email")
@click.option("--name", default="", help="Display name.")
@click.password_option(help="Asked for when not given.")
def create_organiser(email: str, name: str, password: str) -> None:
    """Create an organiser account (the password is stored hashed)."""
    try:
        user = users.create_user(email, password, Role.ORGANISER, name=name)
    except DomainError as exc:
        raise click.ClickException(exc.message) from exc
    click.echo(f"Created organiser {user.email}.")


def init_app(app: Flask) -> None:
    app.cli.add_command(users_cli)
