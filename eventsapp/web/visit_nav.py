"""The navigation every organiser page of a visit shares: seven sections, each with
its pages. The current section and page come from the request's endpoint, so a view
does nothing to get it; templates/_macros/visit_nav.html draws it.

A feature adding an organiser page adds its link (or only its endpoint) here.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import request, url_for


@dataclass(frozen=True)
class Link:
    label: str
    endpoint: str
    anchor: str | None = None
    once_published: bool = False  # a public address: nothing to see while a draft
    visit_wide: bool = True  # False: an organiser-wide page, no slug in its address


@dataclass(frozen=True)
class Section:
    key: str
    label: str
    links: tuple[Link, ...]  # the first is the section's own page
    endpoints: tuple[str, ...] = ()  # pages of the section that have no link of their own
    blueprints: tuple[str, ...] = ()  # every page of these blueprints belongs here


SECTIONS: tuple[Section, ...] = (
    Section("overview", "Overview", (
        Link("Overview", "visits.organiser_visit"),
        Link("Dashboard", "dashboard.dashboard"),
        Link("Edit details", "visits.edit_visit"),
        Link("Duplicate this visit", "visits.duplicate_visit"),
        Link("Venues", "visits.organiser_visit", anchor="venues"),
        Link("Public page", "visits.visit", once_published=True),
    ), endpoints=("visits.new_venue", "visits.edit_venue")),
    Section("agenda", "Agenda", (
        Link("Agenda", "agenda.agenda_page"),
        Link("Add an item", "agenda.new_item"),
        Link("Import from CSV", "agenda.import_agenda"),
        Link("Export as CSV", "agenda.export_agenda"),
        Link("Change log and notices", "changes.changes"),
        Link("Agenda calendar (.ics)", "calendar.visit_agenda", once_published=True),
    ), blueprints=("agenda", "changes")),
    Section("registrations", "Registrations", (
        Link("Registrations", "registration.registrations"),
        Link("Add a registration", "registration.new_registration"),
        Link("Settings and questions", "registration.registration_settings"),
        Link("Catering and access", "registration.catering"),
    ), blueprints=("registration",)),
    Section("showcases", "Showcases", (
        Link("Slots and bookings", "showcase.showcases"),
        Link("Member businesses", "members.members", visit_wide=False),
    ), blueprints=("showcase",)),
    Section("messages", "Messages", (
        Link("Messages", "messages.messages"),
        Link("Write a message", "messages.new_message"),
        Link("Reminders", "messages.reminder_settings"),
    ), blueprints=("messages",)),
    Section("on_the_day", "On the day", (
        Link("Check-in desk", "checkin.check_in_desk"),
        Link("Run sheet (printable)", "dashboard.visit_run_sheet"),
    ), blueprints=("checkin",)),
    Section("after", "After the visit", (
        Link("Impact report and feedback", "dashboard.report"),
    ), blueprints=("feedback",)),
)


def section_of(endpoint: str | None) -> Section:
    """The section a page belongs to; an unknown page falls back to the overview."""
    endpoint = endpoint or ""
    for section in SECTIONS:
        if endpoint in section.endpoints or any(
                link.endpoint == endpoint and link.anchor is None for link in section.links):
            return section
    blueprint = endpoint.partition(".")[0]
    for section in SECTIONS:
        if blueprint in section.blueprints:
            return section
    return SECTIONS[0]


@dataclass(frozen=True)
class NavLink:
    label: str
    url: str
    current: str | None  # the value of aria-current, or None


@dataclass(frozen=True)
class NavSection:
    key: str
    label: str
    url: str
    current: str | None
    pages: tuple[NavLink, ...]  # the section's other pages
    shown: bool  # its pages are listed under the tabs: this page is in it, or holds it


def _url(link: Link, slug: str) -> str:
    if not link.visit_wide:
        return url_for(link.endpoint)
    return url_for(link.endpoint, slug=slug, _anchor=link.anchor)


def _is_page(link: Link, endpoint: str | None) -> bool:
    return link.anchor is None and link.endpoint == endpoint


def visit_sections(visit) -> list[NavSection]:
    """The seven sections for ``visit``, the current one and the current page marked:
    aria-current="page" on the link to this very page, "true" on its section."""
    endpoint = request.endpoint
    here = section_of(endpoint)
    published = visit.status.value != "draft"
    found = []
    for section in SECTIONS:
        links = [link for link in section.links if published or not link.once_published]
        main, others = links[0], links[1:]
        if _is_page(main, endpoint):
            current = "page"
        else:
            current = "true" if section.key == here.key else None
        shown = section.key == here.key
        found.append(NavSection(
            section.key, section.label, _url(main, visit.slug), current,
            tuple(NavLink(link.label, _url(link, visit.slug),
                          "page" if _is_page(link, endpoint) else None) for link in others),
            shown))
    return found
