"""flask commands: users, demo."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import click
from flask import Flask
from flask.cli import AppGroup

from eventsapp.models import Role
from eventsapp.services import demo, users
from eventsapp.services.errors import DomainError
from eventsapp.urls import absolute

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


@click.command("demo")
def demo_command() -> None:
    """Load the demo visit (cic-stoke) and its organiser; changes nothing if present."""
    today = datetime.now(ZoneInfo(demo.ZONE)).date()
    try:
        result = demo.load_demo(today)
    except DomainError as exc:
        raise click.ClickException(exc.message) from exc
    if result.created_visit:
        click.echo(
            f"Created the demo visit {result.slug} ({result.start_date:%d %b %Y} – "
            f"{result.end_date:%d %b %Y}): {result.venue_count} venues, "
            f"{result.item_count} agenda items."
        )
    if result.created_organiser:
        click.echo(f"Created the demo organiser {result.organiser_email}.")
    if not result.changed:
        click.echo(
            f"Nothing to do: the demo organiser and the visit {result.slug} are already "
            "there (left as they are)."
        )
    click.echo(f"Visit:    {absolute(f'/visits/{result.slug}/')}")
    click.echo(f"Log in:   {absolute('/login')}")
    click.echo(f"Email:    {result.organiser_email}")
    click.echo(f"Password: {result.organiser_password}")


def init_app(app: Flask) -> None:
    app.cli.add_command(users_cli)
    app.cli.add_command(demo_command)
