"""flask commands: users, demo, outbox."""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from eventsapp.models import Role
from eventsapp.services import demo, outbox, users
from eventsapp.services.errors import DomainError
from eventsapp.urls import absolute

users_cli = AppGroup("users", help="Manage organiser and member accounts.")
outbox_cli = AppGroup("outbox", help="Deliver queued email.")


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
    """Load the demo: visit cic-stoke, its organiser, three member businesses with a login
    each, showcase slots with two approved bookings and a few registrations. Only what
    is missing is added; run it again and nothing changes."""
    today = datetime.now(ZoneInfo(demo.ZONE)).date()
    try:
        result = demo.load_demo(today)
    except DomainError as exc:
        raise click.ClickException(exc.message) from exc
    for line in _demo_changes(result):
        click.echo(line)
    if not result.changed:
        click.echo(
            f"Nothing to do: the demo visit {result.slug}, its organiser and members are "
            "already there (left as they are)."
        )
    click.echo("")
    click.echo(f"Visit:    {absolute(f'/visits/{result.slug}/')}")
    click.echo(f"Log in:   {absolute('/login')}")
    click.echo(f"Organise: {absolute(f'/organiser/visits/{result.slug}/')}")
    click.echo(f"Members:  {absolute('/member/')}")
    click.echo("")
    click.echo("Demo logins (for trying the app on this machine only):")
    width = max(len(login.email) for login in result.logins)
    for login in result.logins:
        line = f"  {login.role.value:<9}  {login.email:<{width}}  {login.password}"
        if login.business:
            booked = "showcase slot booked" if login.booked else "no slot booked yet"
            line += f"  ({login.business}: {booked})"
        click.echo(line)


def _demo_changes(result: demo.DemoResult) -> list[str]:
    """What this run of the demo command added, one line each."""
    lines = []
    if result.created_visit:
        lines.append(
            f"Created the demo visit {result.slug} ({result.start_date:%d %b %Y} – "
            f"{result.end_date:%d %b %Y}): {result.venue_count} venues, "
            f"{result.item_count} agenda items."
        )
    if result.created_organiser:
        lines.append(f"Created the demo organiser {result.organiser_email}.")
    if result.created_businesses:
        lines.append(f"Created {result.created_businesses} member business(es).")
    if result.created_members:
        lines.append(f"Created {result.created_members} member login(s).")
    if result.created_slots:
        lines.append(f"Split the member showcase into {result.created_slots} slots.")
    if result.created_bookings:
        lines.append(f"Added {result.created_bookings} approved showcase booking(s).")
    if result.created_registrations:
        lines.append(f"Added {result.created_registrations} confirmed registration(s).")
    return lines


def _transport() -> outbox.Transport:
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        return outbox.FileTransport(Path(current_app.instance_path) / "outbox")
    return outbox.SMTPTransport(
        host=config["MAIL_SERVER"],
        port=config["MAIL_PORT"],
        use_tls=config["MAIL_USE_TLS"],
        use_ssl=config["MAIL_USE_SSL"],
        username=config.get("MAIL_USERNAME"),
        password=config.get("MAIL_PASSWORD"),
        timeout=config["MAIL_TIMEOUT"],
    )


@outbox_cli.command("send")
@click.option("--watch", is_flag=True, help="Keep running, sending new messages as they come.")
@click.option("--interval", default=5.0, show_default=True, help="Seconds between passes.")
@click.option("--limit", default=100, show_default=True, help="Messages per pass at most.")
def send_outbox(watch: bool, interval: float, limit: int) -> None:
    """Send every due message in the outbox (over SMTP, or to instance/outbox/ as .eml
    files when MAIL_SERVER is not set). Failed sends are retried with backoff."""
    transport = _transport()
    sender = outbox.sender_address(current_app.config["MAIL_FROM_NAME"],
                                   current_app.config["MAIL_FROM"])
    while True:
        report = outbox.send_due(transport, sender, limit=limit)
        if report.sent or report.retried or report.failed or not watch:
            click.echo(f"Sent {report.sent}, to retry {report.retried}, "
                       f"given up {report.failed}.")
        if not watch:
            return
        time.sleep(interval)


def init_app(app: Flask) -> None:
    app.cli.add_command(users_cli)
    app.cli.add_command(outbox_cli)
    app.cli.add_command(demo_command)
