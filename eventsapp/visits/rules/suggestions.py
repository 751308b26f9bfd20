"""What a new visit's form offers: an address made from its title, and the host, city
and time zone of the organisation the organiser works in."""

from __future__ import annotations

import re
import unicodedata

from sqlalchemy import select

from eventsapp.accounts.models import User
from eventsapp.extensions import db
from eventsapp.organisations import rules as organisations
from eventsapp.visits.models import Visit

SLUG_MAX = 80


def slug_from_title(title: str) -> str:
    """'Zoë’s Leeds: 2030!' -> 'zoes-leeds-2030'; cut at a hyphen to fit."""
    decomposed = unicodedata.normalize("NFKD", title or "").casefold()
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    slug = re.sub(r"[^a-z0-9]+", "-", re.sub(r"['’]", "", plain)).strip("-")
    if len(slug) > SLUG_MAX:
        slug = slug[:SLUG_MAX].rsplit("-", 1)[0] if "-" in slug[:SLUG_MAX] else slug[:SLUG_MAX]
    return slug or "visit"


def unique_slug(title: str) -> str:
    """The title's slug, with -2, -3… added when another visit has it already."""
    base = slug_from_title(title)
    taken = set(db.session.scalars(
        select(Visit.slug).where(Visit.slug.startswith(base, autoescape=True))
    ))
    slug, number = base, 1
    while slug in taken:
        number += 1
        suffix = f"-{number}"
        slug = base[: SLUG_MAX - len(suffix)].rstrip("-") + suffix
    return slug


def new_visit_defaults(actor: User) -> dict[str, str]:
    """The host and city of the organisation the actor works in, as its page sets them,
    else as its latest visit had them; the time zone of that latest visit. Nothing for
    someone with no organisation."""
    host = organisations.working_organisation(actor)
    if host is None:
        return {}
    previous = db.session.scalar(
        select(Visit).where(Visit.organisation_id == host.id)
        .order_by(Visit.created_at.desc(), Visit.id.desc()).limit(1))
    defaults = {"host": host.default_host or (previous.host if previous else ""),
                "city": host.default_city or (previous.city if previous else "")}
    if previous is not None:
        defaults["timezone"] = previous.timezone
    return {name: value for name, value in defaults.items() if value}
