"""A visit's impact report: attendees by organisation type and organisation, the
attendance rate, the members who showcased, and the attendees' feedback.

Eight queries, however many registrations, bookings and answers: every figure is
counted by the database or from one list of rows. Only confirmed registrations count,
and only their feedback.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from sqlalchemy import and_, func, or_, select

from eventsapp.accounts.models import User
from eventsapp.agenda.models import AgendaItem, ItemStatus
from eventsapp.dashboard.impact_report import (
    RATING_VALUES,
    Comment,
    ImpactReport,
    ItemRatings,
    Ratings,
    Showcased,
)
from eventsapp.extensions import db
from eventsapp.feedback.models import Feedback, ItemFeedback
from eventsapp.feedback.rules import NOT_RATED_KINDS
from eventsapp.members.models import MemberBusiness
from eventsapp.registration.models import ORGANISATION_TYPE_LABELS, Registration, RegistrationStatus
from eventsapp.showcase.models import BookingStatus, Showcase, ShowcaseBooking, ShowcaseSlot
from eventsapp.timezones import to_local
from eventsapp.visits.models import Visit
from eventsapp.visits.rules import organiser_visit

NOT_GIVEN = "Not given"
NO_ORGANISATION = "(not given, or erased)"


def _ratings(counts: dict[int, int]) -> Ratings:
    return Ratings(tuple(counts.get(value, 0) for value in RATING_VALUES))


def _attendees(visit: Visit) -> tuple[int, int, list[tuple[str, int]], list[tuple[str, int]]]:
    """Confirmed, checked in, by organisation type (every type), by organisation:
    counted by the database per type and organisation as typed (one row for each)."""
    rows = db.session.execute(
        select(Registration.organisation_type, Registration.organisation, func.count(),
               func.count(Registration.checked_in_at))
        .where(Registration.visit_id == visit.id,
               Registration.status == RegistrationStatus.CONFIRMED)
        .group_by(Registration.organisation_type, Registration.organisation)
        .order_by(func.min(Registration.queued_at), func.min(Registration.id))
    ).all()
    types: Counter = Counter()
    for kind, _org, n, _in in rows:
        types[kind] += n
    by_type = [(label, types.get(kind, 0)) for kind, label in ORGANISATION_TYPE_LABELS.items()]
    if types.get(None):
        by_type.append((NOT_GIVEN, types[None]))
    # One organisation however it was typed ("Arts Council", "arts council "): shown
    # as most people spelled it (on a tie, the spelling of whoever registered first).
    organisations: Counter[str] = Counter()
    spellings: dict[str, Counter[str]] = defaultdict(Counter)
    for _kind, organisation, n, _in in rows:
        name = " ".join(organisation.split())
        key = name.casefold()
        organisations[key] += n
        spellings[key][name] += n
    by_organisation = sorted(
        ((spellings[key].most_common(1)[0][0] or NO_ORGANISATION, n)
         for key, n in organisations.items()),
        key=lambda pair: (-pair[1], pair[0] == NO_ORGANISATION, pair[0].casefold()),
    )
    checked_in = sum(came for *_rest, came in rows)
    return sum(types.values()), checked_in, by_type, by_organisation


def _showcased(visit: Visit) -> list[Showcased]:
    """Approved bookings on showcase items that took place, in time order."""
    rows = db.session.execute(
        select(MemberBusiness.name, ShowcaseBooking.title, AgendaItem.title)
        .select_from(ShowcaseBooking)
        .join(MemberBusiness, MemberBusiness.id == ShowcaseBooking.business_id)
        .join(ShowcaseSlot, ShowcaseSlot.id == ShowcaseBooking.slot_id)
        .join(Showcase, Showcase.id == ShowcaseSlot.showcase_id)
        .join(AgendaItem, AgendaItem.id == Showcase.item_id)
        .where(ShowcaseBooking.visit_id == visit.id,
               ShowcaseBooking.status == BookingStatus.APPROVED,
               AgendaItem.deleted_at.is_(None),
               AgendaItem.status == ItemStatus.CONFIRMED)
        .order_by(ShowcaseSlot.starts_at, ShowcaseBooking.id)
    ).all()
    return [Showcased(business, title, item) for business, title, item in rows]


def _counted_feedback(visit: Visit):
    """Feedback of this visit's confirmed registrations (a FROM clause to join)."""
    return (select(Feedback.id)
            .join(Registration, Registration.id == Feedback.registration_id)
            .where(Feedback.visit_id == visit.id,
                   Registration.status == RegistrationStatus.CONFIRMED))


def _feedback(visit: Visit) -> tuple[int, Ratings, list[ItemRatings], list[Comment]]:
    counted = _counted_feedback(visit).subquery()
    responses = db.session.scalar(select(func.count()).select_from(counted)) or 0
    visit_counts = dict(db.session.execute(
        select(Feedback.visit_rating, func.count())
        .where(Feedback.id.in_(select(counted.c.id)), Feedback.visit_rating.is_not(None))
        .group_by(Feedback.visit_rating)
    ).all())
    # Every session attendees are asked to rate, rated or not ("no ratings yet"), and
    # any other item that was rated (since cancelled, say).
    per_item: dict[int, dict[int, int]] = defaultdict(dict)
    items: dict[int, tuple[str, object]] = {}
    for item_id, title, starts, rating, n in db.session.execute(
        select(AgendaItem.id, AgendaItem.title, AgendaItem.starts_at, ItemFeedback.rating,
               func.count(ItemFeedback.id))
        .select_from(AgendaItem)
        .outerjoin(ItemFeedback, and_(ItemFeedback.item_id == AgendaItem.id,
                                      ItemFeedback.feedback_id.in_(select(counted.c.id))))
        .where(AgendaItem.visit_id == visit.id,
               or_(ItemFeedback.id.is_not(None),
                   and_(AgendaItem.deleted_at.is_(None),
                        AgendaItem.status == ItemStatus.CONFIRMED,
                        AgendaItem.kind.not_in(NOT_RATED_KINDS))))
        .group_by(AgendaItem.id, AgendaItem.title, AgendaItem.starts_at, ItemFeedback.rating)
    ):
        if rating is not None:
            per_item[item_id][rating] = n
        items[item_id] = (title, starts)
    item_ratings = sorted(
        (ItemRatings(title, to_local(starts, visit.zone), _ratings(per_item[item_id]))
         for item_id, (title, starts) in items.items()),
        key=lambda entry: (entry.starts, entry.title),
    )
    comments = [
        Comment(to_local(written, visit.zone), text)
        for text, written in db.session.execute(
            select(Feedback.comments, Feedback.updated_at)
            .where(Feedback.id.in_(select(counted.c.id)), Feedback.comments != "")
            .order_by(Feedback.updated_at.desc(), Feedback.id.desc())
        )
    ]
    return responses, _ratings(visit_counts), item_ratings, comments


def impact_report(actor: User, slug: str) -> tuple[Visit, ImpactReport]:
    """The visit (if the actor organises it; NotFound otherwise) and its report."""
    visit = organiser_visit(actor, slug)
    confirmed, checked_in, by_type, by_organisation = _attendees(visit)
    responses, visit_ratings, item_ratings, comments = _feedback(visit)
    return visit, ImpactReport(
        title=visit.title,
        start_date=visit.start_date,
        end_date=visit.end_date,
        confirmed=confirmed,
        checked_in=checked_in,
        by_type=by_type,
        by_organisation=by_organisation,
        showcased=_showcased(visit),
        responses=responses,
        visit_ratings=visit_ratings,
        item_ratings=item_ratings,
        comments=comments,
    )
