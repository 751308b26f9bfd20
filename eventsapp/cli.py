"""flask commands: users, demo, outbox, backup."""

from __future__ import annotations

import os
import sqlite3
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from eventsapp.changes.cli import describe as describe_notices
from eventsapp.changes.cli import notices_cli
from eventsapp.changes.rules import notices as change_notices
from eventsapp.demo import loading as demo
from eventsapp.errors import DomainError
from eventsapp.extensions import db
from eventsapp.feedback.cli import feedback_cli
from eventsapp.mail import delivery as outbox
from eventsapp.messages import cli as messages
from eventsapp.messages.rules import organiser_digest, reminders
from eventsapp.organisations import rules as organisations
from eventsapp.organisations.models import OrganisationRole
from eventsapp.web.urls import absolute
from eventsapp.wording import count_noun

users_cli = AppGroup("users", help="Manage organiser and member accounts.")
outbox_cli = AppGroup("outbox", help="Deliver queued email.")


@users_cli.command("create-organiser")
@click.argument("email")
@click.option("--name", default="", help="Display name.")
@click.option("--organisation", default="",
              help="The organisation they join (made, with them as owner, when missing). "
                   "Default: the only organisation, or a new one.")
@click.option("--role", type=click.Choice([r.value for r in OrganisationRole]), default="owner",
              show_default=True, help="Their role in an existing organisation.")
@click.password_option(help="Asked for when not given.")
def create_organiser(email: str, name: str, organisation: str, role: str,
                     password: str) -> None:
    """Create an organiser account (the password is stored hashed) in an organisation."""
    try:
        user, joined, made = organisations.create_organiser(
            email, password, name=name, organisation_name=organisation,
            role=OrganisationRole(role))
    except DomainError as exc:
        raise click.ClickException(exc.message) from exc
    click.echo(f"Created organiser {user.email}.")
    click.echo(f"Created the organisation {joined.name}, with them as owner." if made
               else f"Added them to {joined.name} as {role}.")


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
    if result.tour is not None:
        click.echo("")
        click.echo(f"Tour:     {absolute(f'/tours/{result.tour.slug}/')}")
        click.echo(f"Convene:  {absolute(f'/organiser/tours/{result.tour.slug}/')}")
        click.echo("Tour logins (the convenor and each host's organiser):")
        width = max(len(email) for _who, email, _password in result.tour.logins)
        for who, email, password in result.tour.logins:
            click.echo(f"  {email:<{width}}  {password}  ({who})")


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
    if result.created_organisation:
        lines.append("Created the demo's host organisation, owned by the demo organiser.")
    if result.created_businesses:
        businesses = count_noun(result.created_businesses, "member business",
                                "member businesses")
        lines.append(f"Created {businesses}.")
    if result.created_members:
        lines.append(f"Created {count_noun(result.created_members, 'member login')}.")
    if result.created_slots:
        lines.append(f"Split the member showcase into {count_noun(result.created_slots, 'slot')}.")
    if result.created_bookings:
        lines.append(f"Added {count_noun(result.created_bookings, 'approved showcase booking')}.")
    if result.created_registrations:
        lines.append(f"Added {count_noun(result.created_registrations, 'confirmed registration')}.")
    tour = result.tour
    if tour is not None and tour.created_tour:
        lines.append(f"Added the tour {tour.slug}: Coventry, Stoke-on-Trent and Hull, "
                     f"{count_noun(tour.created_legs, 'rail leg')}.")
    if tour is not None and tour.created_visits:
        lines.append(f"Created {count_noun(tour.created_visits, 'tour visit')} by their own "
                     "host organisations.")
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
        # Change digests, reminders and organisers' digests that are due go into the
        # outbox first, then out with the rest.
        notices = change_notices.send_due()
        if notices.visits:
            click.echo(describe_notices(notices))
        reminded = reminders.send_due()
        if reminded.emails:
            click.echo(messages.describe_reminders(reminded))
        digests = organiser_digest.send_due()
        if digests.emails:
            click.echo(messages.describe_digests(digests))
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
    app.cli.add_command(backup_command)
    app.cli.add_command(notices_cli)
    app.cli.add_command(feedback_cli)
    app.cli.add_command(messages.messages_cli)


# --- backup ---------------------------------------------------------------------------------

PG_DUMP_ADVICE = (
    "flask backup copies a SQLite database, and this app uses PostgreSQL. Back PostgreSQL "
    "up with pg_dump, for example: pg_dump --format=custom --file=eventsapp.dump "
    '"$DATABASE_URL" (restore with pg_restore).'
)


def _sqlite_file() -> Path:
    """The database file the app serves from; refuses anything else, clearly."""
    url = db.engine.url
    if db.engine.dialect.name != "sqlite":
        raise click.ClickException(PG_DUMP_ADVICE if url.get_backend_name() == "postgresql"
                                   else f"flask backup copies SQLite databases only, not "
                                        f"{url.get_backend_name()}.")
    if url.database in (None, "", ":memory:") or url.database.startswith("file:"):
        raise click.ClickException("The app uses an in-memory SQLite database: there is no "
                                   "file to back up.")
    source = Path(url.database).resolve()
    if not source.is_file():
        raise click.ClickException(f"There is no database at {source}.")
    return source


def backup_sqlite(source: Path, target: Path) -> str:
    """Copy ``source`` to ``target`` with SQLite's online backup API and check the copy.

    The whole copy is made in one step, inside one read transaction: in WAL mode writers
    carry on meanwhile and the copy is the database as it was at one instant. The copy
    is written beside ``target`` and renamed into place only once it checks out, so a
    failed run never leaves half a backup under that name. Returns the result of
    PRAGMA integrity_check on the copy ("ok")."""
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)
    timeout = current_app.config["SQLITE_BUSY_TIMEOUT_MS"] / 1000
    # mode=rw: never create an empty database where the real one should be.
    reader = sqlite3.connect(f"{source.as_uri()}?mode=rw", uri=True, timeout=timeout)
    try:
        copy = sqlite3.connect(partial)
        try:
            reader.backup(copy)  # pages=-1: everything in one step
            # One self-contained file: no -wal or -shm beside the backup.
            copy.execute("PRAGMA journal_mode=DELETE")
            check = copy.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            copy.close()
    finally:
        reader.close()
    if check != "ok":
        partial.unlink(missing_ok=True)
        raise click.ClickException(f"The copy failed its integrity check: {check}")
    os.replace(partial, target)
    return check


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, writable=True, path_type=Path))
@click.option("--force", is_flag=True, help="Replace PATH if it already exists.")
@with_appcontext
def backup_command(path: Path, force: bool) -> None:
    """Write a consistent copy of the SQLite database to PATH, safely while the app is
    serving (SQLite's online backup API). For PostgreSQL, use pg_dump."""
    source = _sqlite_file()
    target = path.resolve()
    if target == source:
        raise click.ClickException("PATH is the database itself: choose another file.")
    if target.exists() and not force:
        raise click.ClickException(f"{target} already exists; use --force to replace it.")
    if not target.parent.is_dir():
        raise click.ClickException(f"There is no folder {target.parent}.")
    try:
        backup_sqlite(source, target)
    except sqlite3.Error as exc:
        raise click.ClickException(f"The backup failed: {exc}") from exc
    size = target.stat().st_size
    click.echo(f"Backed up {source} to {target} ({size:,} bytes, integrity check ok).")
