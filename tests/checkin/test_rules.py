"""services.checkin: who can be checked in, by whom, twice, undone; counts, search, the
signed check-in link."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from eventsapp.checkin import rules as checkin
from eventsapp.errors import Conflict, NotFound
from eventsapp.registration.models import Registration, RegistrationStatus
from eventsapp.visits.models import VisitStatus
from tests.support import add_to_organisation, make_registration, make_user, make_visit

NINE_41 = datetime(2030, 6, 4, 8, 41, tzinfo=UTC)  # 09:41 in London (BST)
TEN = datetime(2030, 6, 4, 9, 0, tzinfo=UTC)


@pytest.fixture
def visit(organiser):
    return make_visit(organisers=[organiser], slug="cic-stoke", status=VisitStatus.PUBLISHED)


def stored(db, registration_id: int) -> Registration:
    db.session.rollback()
    return db.session.scalar(select(Registration).where(Registration.id == registration_id))


def test_check_in_sets_the_time_and_the_organiser(db, visit, organiser):
    ada = make_registration(visit, full_name="Ada Delegate")

    outcome = checkin.check_in(organiser, "cic-stoke", ada.id, now=NINE_41)

    assert outcome.changed is True
    assert outcome.entry.checked_in_by == "Olu Organiser"
    row = stored(db, ada.id)
    assert row.checked_in_at == NINE_41
    assert row.checked_in_by_id == organiser.id


def test_checking_in_twice_keeps_the_first_time_and_says_who(db, visit, organiser):
    other = make_user(email="second@example.org", name="Sam Second", organisation=None)
    add_to_organisation(visit.organisation, other)  # a colleague in the host organisation
    db.session.commit()
    ada = make_registration(visit, full_name="Ada Delegate")
    checkin.check_in(organiser, "cic-stoke", ada.id, now=NINE_41)

    again = checkin.check_in(other, "cic-stoke", ada.id, now=TEN)

    assert again.changed is False
    assert again.entry.checked_in_at == NINE_41
    assert again.entry.checked_in_by == "Olu Organiser"
    row = stored(db, ada.id)
    assert (row.checked_in_at, row.checked_in_by_id) == (NINE_41, organiser.id)


def test_an_organiser_without_a_name_is_named_by_email(db, visit):
    nameless = make_user(email="desk@example.org", name="", organisation=None)
    add_to_organisation(visit.organisation, nameless)  # a colleague in the host organisation
    db.session.commit()
    ada = make_registration(visit)

    assert checkin.check_in(nameless, "cic-stoke", ada.id).entry.checked_in_by == \
        "desk@example.org"


@pytest.mark.parametrize(("status", "words"), [
    (RegistrationStatus.WAITLISTED, "on the waiting list"),
    (RegistrationStatus.PENDING_APPROVAL, "awaiting approval"),
    (RegistrationStatus.CANCELLED, "cancelled"),
])
def test_only_confirmed_registrations_can_be_checked_in(db, visit, organiser, status, words):
    cy = make_registration(visit, status=status, full_name="Cy Waiting")

    with pytest.raises(Conflict) as refused:
        checkin.check_in(organiser, "cic-stoke", cy.id)

    assert refused.value.message == (
        f"Only confirmed registrations can be checked in: Cy Waiting is {words}.")
    assert stored(db, cy.id).checked_in_at is None


def test_only_the_visits_own_organisers(db, visit, member):
    ada = make_registration(visit)
    stranger = make_user(email="stranger@example.org", name="Stranger")
    for actor in (stranger, member):
        with pytest.raises(NotFound):
            checkin.check_in(actor, "cic-stoke", ada.id)
        with pytest.raises(NotFound):
            checkin.undo_check_in(actor, "cic-stoke", ada.id)
    assert stored(db, ada.id).checked_in_at is None


def test_a_registration_of_another_visit_is_not_found(db, visit, organiser):
    elsewhere = make_visit(organisers=[organiser], slug="elsewhere")
    theirs = make_registration(elsewhere)

    with pytest.raises(NotFound):
        checkin.check_in(organiser, "cic-stoke", theirs.id)
    with pytest.raises(NotFound):
        checkin.check_in(organiser, "cic-stoke", 2_000_000)
    assert stored(db, theirs.id).checked_in_at is None


def test_undo_clears_both_and_twice_is_harmless(db, visit, organiser):
    ada = make_registration(visit)
    checkin.check_in(organiser, "cic-stoke", ada.id, now=NINE_41)

    undone = checkin.undo_check_in(organiser, "cic-stoke", ada.id)
    again = checkin.undo_check_in(organiser, "cic-stoke", ada.id)

    assert (undone.changed, again.changed) == (True, False)
    row = stored(db, ada.id)
    assert (row.checked_in_at, row.checked_in_by_id) == (None, None)
    # And in again: a new time.
    assert checkin.check_in(organiser, "cic-stoke", ada.id, now=TEN).entry.checked_in_at == TEN


def test_counts_are_checked_in_of_confirmed(db, visit, organiser, count_queries):
    people = [make_registration(visit) for _ in range(4)]
    make_registration(visit, status=RegistrationStatus.WAITLISTED)
    make_registration(visit, status=RegistrationStatus.CANCELLED)
    for person in people[:3]:
        checkin.check_in(organiser, "cic-stoke", person.id)
    assert visit.id  # loaded again after the commits, as a page has it

    with count_queries() as counter:
        counts = checkin.counts(visit)

    assert (counts.checked_in, counts.confirmed) == (3, 4)
    assert counter.count == 1


def test_search_confirmed_by_name_or_organisation_any_case(db, visit, organiser, count_queries):
    make_registration(visit, full_name="Zoë Ceramicist", organisation="Clay Lab")
    make_registration(visit, full_name="ada lovelace", organisation="Analytical Engines")
    make_registration(visit, full_name="Ben Investor", organisation="North CAPITAL")
    make_registration(visit, full_name="Ada Waiting", status=RegistrationStatus.WAITLISTED)
    make_registration(visit, full_name="Ada Gone", status=RegistrationStatus.CANCELLED)

    def names(q):
        return [e.registration.full_name for e in checkin.search(visit, q)]

    assert names("") == ["ada lovelace", "Ben Investor", "Zoë Ceramicist"]
    assert names("ADA") == ["ada lovelace"]
    assert names("capital") == ["Ben Investor"]
    assert names("zoe") == ["Zoë Ceramicist"]
    assert names("  clay   LAB ") == ["Zoë Ceramicist"]
    assert names("engines") == ["ada lovelace"]
    assert names("nobody at all") == []
    assert names("%") == [] and names("_") == []


def test_search_is_one_query_whatever_the_number_checked_in(db, visit, organiser,
                                                            count_queries):
    people = [make_registration(visit) for _ in range(3)]
    checkin.check_in(organiser, "cic-stoke", people[0].id)
    assert visit.id  # loaded again after the commit, as a page has it
    with count_queries() as few:
        entries = checkin.search(visit, "")
        [e.checked_in_by for e in entries]
    more = [make_registration(visit) for _ in range(12)]
    for person in [*people[1:], *more]:
        checkin.check_in(organiser, "cic-stoke", person.id)
    db.session.rollback()
    assert visit.id
    with count_queries() as many:
        entries = checkin.search(visit, "attendee")
        assert all(e.checked_in_by == "Olu Organiser" for e in entries)
        assert len(entries) == 15

    assert few.count == many.count == 1


def test_the_check_in_link_is_signed_and_checked(db, visit, organiser):
    ada = make_registration(visit)
    sig = checkin.signature(ada.id)

    assert checkin.url(ada).endswith(f"/organiser/visits/cic-stoke/check-in/{ada.id}-{sig}")
    assert len(sig) == 16
    assert checkin.scanned(organiser, "cic-stoke", ada.id, sig).registration.id == ada.id
    # Another id with this signature, a changed signature, a made-up one: not found.
    bob = make_registration(visit)
    flipped = ("A" if sig[0] != "A" else "B") + sig[1:]
    for rid, bad in [(bob.id, sig), (ada.id, flipped), (ada.id, sig[:-1]), (ada.id, ""),
                     (ada.id, "é" * 16)]:
        with pytest.raises(NotFound):
            checkin.scanned(organiser, "cic-stoke", rid, bad)


def test_qr_code_only_for_a_confirmed_registration(db, visit):
    ada = make_registration(visit, full_name="Ada <Delegate>")
    cy = make_registration(visit, status=RegistrationStatus.WAITLISTED)

    svg = checkin.qr_code(ada)

    assert svg.startswith("<svg ")
    assert 'role="img"' in svg
    assert 'aria-label="QR code to check in Ada &lt;Delegate&gt; at Regions and Clusters' in svg
    assert checkin.qr_code(cy) is None
