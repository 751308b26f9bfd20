"""The organiser's showcase pages: settings and slots, blocking, approving and declining
bookings, assigning a member, and the run sheet; checked by what is stored, shown and
emailed."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from eventsapp.agenda.models import ItemKind
from eventsapp.showcase.models import BookingStatus, Showcase, ShowcaseBooking, ShowcaseSlot
from tests.conftest import login
from tests.support import (
    labels,
    make_booking,
    make_business,
    make_item,
    make_member,
    make_showcase,
    make_user,
    make_visit,
    outbox,
    page_text,
)

SUMMER = date(2030, 6, 12)  # British Summer Time: 10:00 in London is 09:00Z
BASE = "/organiser/visits/cic-stoke"


def row_text(response, row_id: str) -> str:
    markup = response.get_data(as_text=True)
    match = re.search(rf'<tr id="{row_id}"[^>]*>(.*?)</tr>', markup, re.S)
    assert match, f"no row {row_id}"
    return page_text(match.group(1))


def utc(hhmm: str, day: date = SUMMER) -> datetime:
    hour, minute = (int(p) for p in hhmm.split(":"))
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


def fresh(db, model, row_id):
    db.session.rollback()
    return db.session.get(model, row_id)


@pytest.fixture
def visit(organiser):
    return make_visit(organisers=[organiser], slug="cic-stoke", start_date=SUMMER)


@pytest.fixture
def item(visit):
    return make_item(visit, "10:00", "11:00", kind=ItemKind.SHOWCASE, title="Member showcase")


@pytest.fixture
def showcase(item):
    return make_showcase(item)  # 10 minutes, 2 minutes buffer: 5 slots


@pytest.fixture
def clayworks(app):
    business = make_business()
    make_member(business, email="mina@clayworks.example", name="Mina Maker")
    return business


@pytest.fixture
def kilnhouse(app):
    business = make_business(name="Kiln House Games", website="https://kiln.example")
    make_member(business, email="kai@kiln.example", name="Kai Kiln")
    return business


def settings(**overrides) -> dict:
    form = {"slot_minutes": "10", "buffer_minutes": "2", "requires_approval": "y",
            "deadline": "2030-06-10T17:00"}
    form.update(overrides)
    return {k: v for k, v in form.items() if v is not None}


# --- settings and slots ------------------------------------------------------------------


def test_saving_settings_creates_slots_at_the_right_utc_instants(organiser_client, item, db):
    page = organiser_client.get(f"{BASE}/showcases/{item.id}")
    assert page.status_code == 200
    shown = page_text(page)
    assert "No slots yet" in shown
    markup = page.get_data(as_text=True)
    shown_labels = labels(markup)
    assert shown_labels["deadline"] == "Booking deadline (Europe/London time)"
    assert shown_labels["slot_minutes"] == "Slot length (minutes)"
    assert shown_labels["buffer_minutes"] == "Buffer between slots (minutes)"
    assert shown_labels["requires_approval"] == "Bookings need an organiser's approval"

    response = organiser_client.post(f"{BASE}/showcases/{item.id}", data=settings())
    assert response.status_code == 302
    assert response.headers["Location"] == f"{BASE}/showcases/{item.id}#slots"
    showcase = db.session.scalar(select(Showcase).where(Showcase.item_id == item.id))
    assert [s.starts_at for s in showcase.slots] == [
        utc("09:00"), utc("09:12"), utc("09:24"), utc("09:36"), utc("09:48")]
    assert [s.ends_at for s in showcase.slots][-1] == utc("09:58")
    assert (showcase.slot_minutes, showcase.buffer_minutes) == (10, 2)
    assert showcase.requires_approval is True
    assert showcase.booking_deadline == datetime(2030, 6, 10, 16, 0, tzinfo=UTC)

    shown = page_text(organiser_client.get(f"{BASE}/showcases/{item.id}"))
    assert "Saved the showcase settings: 5 slots." in shown
    assert "10:00–10:10 BST" in shown
    assert "10:48–10:58 BST" in shown
    assert "0 booked · 5 free · 0 blocked · 0 awaiting approval" in shown


def test_winter_item_slots_are_in_gmt(organiser_client, organiser, db):
    winter = make_visit(organisers=[organiser], slug="winter", start_date=date(2030, 12, 4))
    item = make_item(winter, "10:00", "10:30", kind=ItemKind.SHOWCASE)
    response = organiser_client.post(f"/organiser/visits/winter/showcases/{item.id}",
                                     data=settings(buffer_minutes="0", deadline=""))
    assert response.status_code == 302
    showcase = db.session.scalar(select(Showcase).where(Showcase.item_id == item.id))
    day = date(2030, 12, 4)
    assert [s.starts_at for s in showcase.slots] == [
        utc("10:00", day), utc("10:10", day), utc("10:20", day)]
    assert showcase.booking_deadline is None
    assert "10:00–10:10 GMT" in page_text(
        organiser_client.get(f"/organiser/visits/winter/showcases/{item.id}"))


def test_settings_form_shows_the_saved_values(organiser_client, item, showcase, db):
    showcase.booking_deadline = datetime(2030, 6, 10, 16, 0, tzinfo=UTC)
    showcase.requires_approval = False
    db.session.commit()
    markup = organiser_client.get(f"{BASE}/showcases/{item.id}").get_data(as_text=True)
    assert 'value="2030-06-10T17:00"' in markup
    assert re.search(r'<input[^>]*id="requires_approval"[^>]*>', markup).group(0).count(
        "checked") == 0


@pytest.mark.parametrize(("overrides", "message"), [
    ({"slot_minutes": ""}, "Enter the slot length in minutes"),
    ({"slot_minutes": "0"}, "Slot length must be between 1 and 600 minutes"),
    ({"slot_minutes": "ten"}, "Slot length must be a whole number of minutes"),
    ({"buffer_minutes": "-1"}, "The buffer must be between 0 and 240 minutes"),
    ({"slot_minutes": "90"}, "Not even one slot of that length fits in this item."),
    ({"deadline": "tomorrow"}, "Enter a date and time"),
    ({"deadline": "2030-03-31T01:30"}, "does not exist in Europe/London"),
])
def test_bad_settings_are_refused_with_a_message(organiser_client, item, db, overrides,
                                                 message):
    response = organiser_client.post(f"{BASE}/showcases/{item.id}", data=settings(**overrides))
    assert response.status_code == 422
    assert message in page_text(response)
    assert db.session.scalar(select(func.count()).select_from(Showcase)) == 0


def test_changing_the_plan_under_a_booking_is_refused(organiser_client, item, showcase,
                                                       clayworks, db):
    make_booking(showcase.slots[0], clayworks)
    before = [(s.id, s.starts_at) for s in showcase.slots]
    response = organiser_client.post(f"{BASE}/showcases/{item.id}",
                                     data=settings(slot_minutes="15"))
    assert response.status_code == 409
    assert ("1 slot is booked. Cancel or move those bookings before changing the slot "
            "length or buffer.") in page_text(response)
    again = fresh(db, Showcase, showcase.id)
    assert [(s.id, s.starts_at) for s in again.slots] == before
    assert (again.slot_minutes, again.booking_deadline) == (10, None)
    # Settings that keep the plan can still change.
    response = organiser_client.post(f"{BASE}/showcases/{item.id}",
                                     data=settings(requires_approval=None))
    assert response.status_code == 302
    again = fresh(db, Showcase, showcase.id)
    assert again.requires_approval is False
    assert [(s.id, s.starts_at) for s in again.slots] == before


def test_rebuilding_the_plan_without_bookings(organiser_client, item, showcase, db):
    response = organiser_client.post(f"{BASE}/showcases/{item.id}",
                                     data=settings(slot_minutes="15", buffer_minutes="5"))
    assert response.status_code == 302
    again = fresh(db, Showcase, showcase.id)
    assert [s.starts_at for s in again.slots] == [utc("09:00"), utc("09:20"), utc("09:40")]


# --- blocking ------------------------------------------------------------------------------


def test_block_and_unblock_a_free_slot(organiser_client, item, showcase, db):
    slot = showcase.slots[1]
    response = organiser_client.post(f"{BASE}/showcases/{item.id}/slots/{slot.id}/block")
    assert response.status_code == 302
    assert response.headers["Location"] == f"{BASE}/showcases/{item.id}#slot-{slot.id}"
    assert fresh(db, ShowcaseSlot, slot.id).blocked is True
    page = organiser_client.get(f"{BASE}/showcases/{item.id}")
    assert "Blocked the slot: members cannot book it." in page_text(page)
    assert row_text(page, f"slot-{slot.id}") == "10:12–10:22 BST Blocked Unblock"

    organiser_client.post(f"{BASE}/showcases/{item.id}/slots/{slot.id}/unblock")
    assert fresh(db, ShowcaseSlot, slot.id).blocked is False
    page = organiser_client.get(f"{BASE}/showcases/{item.id}")
    assert row_text(page, f"slot-{slot.id}") == "10:12–10:22 BST Free Block"


def test_blocking_a_booked_slot_is_refused(organiser_client, item, showcase, clayworks, db):
    slot = showcase.slots[0]
    make_booking(slot, clayworks, title="Printing in clay")
    response = organiser_client.post(f"{BASE}/showcases/{item.id}/slots/{slot.id}/block",
                                     follow_redirects=True)
    assert "This slot is booked. Move or cancel the booking before blocking it." in page_text(
        response)
    assert fresh(db, ShowcaseSlot, slot.id).blocked is False
    assert row_text(response, f"slot-{slot.id}") == (
        "10:00–10:10 BST Clayworks Studio : Printing in clay Approved")


def test_a_slot_of_another_showcase_is_not_found(organiser_client, visit, item, showcase, db):
    other_item = make_item(visit, "14:00", "15:00", kind=ItemKind.SHOWCASE, title="Afternoon")
    other = make_showcase(other_item)
    slot = other.slots[0]
    response = organiser_client.post(f"{BASE}/showcases/{item.id}/slots/{slot.id}/block")
    assert response.status_code == 404
    assert fresh(db, ShowcaseSlot, slot.id).blocked is False


def test_an_item_that_is_not_a_showcase_is_not_found(organiser_client, visit):
    talk = make_item(visit, "09:00", "09:30", kind=ItemKind.TALK)
    assert organiser_client.get(f"{BASE}/showcases/{talk.id}").status_code == 404
    assert organiser_client.post(f"{BASE}/showcases/{talk.id}",
                                 data=settings()).status_code == 404
    assert organiser_client.get(f"{BASE}/showcases/2147483647").status_code == 404
    assert organiser_client.get(f"{BASE}/showcases/2147483648").status_code == 404


# --- the list of a visit's showcases ---------------------------------------------------


def test_showcase_list_counts_slots_and_pending(organiser_client, visit, item, showcase,
                                                clayworks, kilnhouse, db):
    make_booking(showcase.slots[0], clayworks, status="approved")
    make_booking(showcase.slots[1], kilnhouse, status="pending")
    showcase.slots[2].blocked = True
    db.session.commit()
    unset = make_item(visit, "15:00", "16:00", kind=ItemKind.SHOWCASE, title="Late showcase")
    make_item(visit, "09:00", "09:30", kind=ItemKind.TALK, title="Opening talk")

    page = organiser_client.get(f"{BASE}/showcases")
    assert page.status_code == 200
    assert row_text(page, f"showcase-{item.id}") == (
        "Member showcase Wed 12 Jun 10:00–11:00 BST 2 2 1 1")
    assert row_text(page, f"showcase-{unset.id}").startswith(
        "Late showcase No slots yet: open it to set the slot length.")
    assert "Opening talk" not in page_text(page)
    header = page_text(page)
    assert "Booked Free Blocked Pending approval" in header


def test_showcase_list_empty_state(organiser_client, visit):
    page = organiser_client.get(f"{BASE}/showcases")
    assert page.status_code == 200
    assert "No showcases yet" in page_text(page)


# --- bookings: approve and decline ------------------------------------------------------


def test_approve_with_a_message_is_emailed(organiser_client, item, showcase, clayworks, db):
    booking = make_booking(showcase.slots[0], clayworks, status="pending",
                           title="Printing in clay")
    page = organiser_client.get(f"{BASE}/showcases/{item.id}")
    markup = page.get_data(as_text=True)
    assert f'for="approve-{booking.id}-message"' in markup
    assert f'for="decline-{booking.id}-message"' in markup
    assert "Pending approval" in page_text(page)

    response = organiser_client.post(
        f"{BASE}/bookings/{booking.id}/approve",
        data={f"approve-{booking.id}-message": "Table 4, by the window."})
    assert response.status_code == 302
    assert response.headers["Location"] == f"{BASE}/showcases/{item.id}#booking-{booking.id}"
    again = fresh(db, ShowcaseBooking, booking.id)
    assert again.status is BookingStatus.APPROVED
    assert again.decision_message == "Table 4, by the window."
    [mail] = outbox()
    assert mail.to == "mina@clayworks.example"
    assert mail.subject == "Showcase booking approved: Regions and Clusters delegation"
    assert "Table 4, by the window." in mail.body_text
    assert "Printing in clay" in mail.body_text
    assert "10:00–10:10 BST" in mail.body_text
    shown = page_text(organiser_client.get(f"{BASE}/showcases/{item.id}"))
    assert "Approved the booking of Clayworks Studio; they have been emailed." in shown


def test_each_decision_has_its_own_labelled_message_box(organiser_client, item, showcase,
                                                      clayworks, db):
    """Approve and Decline each sit in a fieldset named after the decision, with a box
    saying which message it is; a refused message comes back under its own decision."""
    booking = make_booking(showcase.slots[0], clayworks, status="pending")
    markup = organiser_client.get(f"{BASE}/showcases/{item.id}").get_data(as_text=True)
    found = labels(markup)
    assert found[f"approve-{booking.id}-message"] == "Message with the approval (optional)"
    assert found[f"decline-{booking.id}-message"] == "Message with the decline (optional)"
    for verb in ("approve", "decline"):
        form = re.search(rf'<form[^>]*action="{BASE}/bookings/{booking.id}/{verb}".*?</form>',
                         markup, re.S).group(0)
        legend = re.search(r"<fieldset>\s*<legend>(.*?)</legend>", form, re.S)
        assert legend and legend.group(1) == verb.capitalize()
        assert f'id="{verb}-{booking.id}-message"' in form
        assert "Message to the member" not in form

    response = organiser_client.post(f"{BASE}/bookings/{booking.id}/decline",
                                     data={f"decline-{booking.id}-message": "x" * 2001})
    assert response.status_code == 422
    assert labels(response.get_data(as_text=True))[f"decline-{booking.id}-message"] == (
        "Message with the decline (optional)")


def test_decline_with_a_message_releases_the_slot(organiser_client, item, showcase,
                                                  clayworks, db):
    booking = make_booking(showcase.slots[0], clayworks, status="pending")
    response = organiser_client.post(
        f"{BASE}/bookings/{booking.id}/decline",
        data={f"decline-{booking.id}-message": "We are full of ceramics this time."})
    assert response.status_code == 302
    again = fresh(db, ShowcaseBooking, booking.id)
    assert again.status is BookingStatus.DECLINED
    [mail] = outbox()
    assert mail.to == "mina@clayworks.example"
    assert mail.subject == "Showcase booking not accepted: Regions and Clusters delegation"
    assert "We are full of ceramics this time." in mail.body_text
    page = organiser_client.get(f"{BASE}/showcases/{item.id}")
    assert row_text(page, f"slot-{showcase.slots[0].id}") == "10:00–10:10 BST Free Block"
    assert "Declined" in page_text(page)
    # A declined booking has no decision forms any more, and declining again is refused.
    assert f'action="{BASE}/bookings/{booking.id}/decline"' not in page.get_data(as_text=True)
    response = organiser_client.post(f"{BASE}/bookings/{booking.id}/decline",
                                     follow_redirects=True)
    assert "This booking has been cancelled or declined already." in page_text(response)
    assert len(outbox()) == 1


def test_a_too_long_message_is_refused(organiser_client, item, showcase, clayworks, db):
    booking = make_booking(showcase.slots[0], clayworks, status="pending")
    response = organiser_client.post(f"{BASE}/bookings/{booking.id}/approve",
                                     data={f"approve-{booking.id}-message": "x" * 2001})
    assert response.status_code == 422
    assert "The message must be 2,000 characters or fewer" in page_text(response)
    assert fresh(db, ShowcaseBooking, booking.id).status is BookingStatus.PENDING
    assert outbox() == []


def test_a_booking_of_another_visit_is_not_found(organiser_client, organiser, visit,
                                                 clayworks, db):
    elsewhere = make_visit(organisers=[organiser], slug="elsewhere", start_date=SUMMER)
    other = make_showcase(make_item(elsewhere, "10:00", "11:00", kind=ItemKind.SHOWCASE))
    booking = make_booking(other.slots[0], clayworks, status="pending")
    assert organiser_client.post(f"{BASE}/bookings/{booking.id}/approve").status_code == 404
    assert fresh(db, ShowcaseBooking, booking.id).status is BookingStatus.PENDING


# --- assigning a member -------------------------------------------------------------------


def assign_form(slot_id, business_id, **overrides) -> dict:
    form = {
        "assign-slot_id": str(slot_id),
        "assign-business_id": str(business_id),
        "assign-title": "Games from clay",
        "assign-format": "installation",
        "assign-description": "A playable ceramic board.",
        "assign-equipment": ["power", "table"],
        "assign-people": "Kai Kiln\r\nRo Potter",
    }
    form.update(overrides)
    return form


def test_assign_a_member_to_a_free_slot(organiser_client, organiser, item, showcase,
                                        kilnhouse, db):
    page = organiser_client.get(f"{BASE}/showcases/{item.id}")
    markup = page.get_data(as_text=True)
    shown_labels = labels(markup)
    for name, label in (("slot_id", "Slot"), ("business_id", "Member business"),
                        ("title", "Title"), ("format", "Format"),
                        ("description", "Description"), ("people", "People attending")):
        assert shown_labels[f"assign-{name}"] == label
    assert [shown_labels[f"assign-equipment-{n}"] for n in range(5)] == [
        "Power", "Screen", "Table", "Sound", "Network"]
    assert "<legend>Equipment needed</legend>" in markup
    assert ">Wed 12 Jun 10:12–10:22 BST</option>" in markup
    assert ">Kiln House Games</option>" in markup

    slot = showcase.slots[1]
    response = organiser_client.post(f"{BASE}/showcases/{item.id}/assign",
                                     data=assign_form(slot.id, kilnhouse.id))
    assert response.status_code == 302
    booking = db.session.scalar(select(ShowcaseBooking))
    assert response.headers["Location"] == f"{BASE}/showcases/{item.id}#booking-{booking.id}"
    assert (booking.slot_id, booking.business_id) == (slot.id, kilnhouse.id)
    assert booking.status is BookingStatus.APPROVED
    assert booking.title == "Games from clay"
    assert booking.format.value == "installation"
    assert booking.equipment == ["power", "table"]
    assert booking.people_names == ["Kai Kiln", "Ro Potter"]
    assert booking.booked_by_id == organiser.id
    [mail] = outbox()
    assert mail.to == "kai@kiln.example"
    assert mail.subject == "Showcase booking approved: Regions and Clusters delegation"
    page = organiser_client.get(f"{BASE}/showcases/{item.id}")
    assert "Assigned Kiln House Games to the slot at Wed 12 Jun 10:12–10:22 BST" in page_text(page)
    # The slot is no longer offered.
    assert ">Wed 12 Jun 10:12–10:22 BST</option>" not in page.get_data(as_text=True)


def test_assigning_a_taken_slot_is_refused(organiser_client, item, showcase, clayworks,
                                           kilnhouse, db):
    make_booking(showcase.slots[0], clayworks)
    response = organiser_client.post(f"{BASE}/showcases/{item.id}/assign",
                                     data=assign_form(showcase.slots[0].id, kilnhouse.id))
    assert response.status_code == 422
    assert "That slot is already booked." in page_text(response)
    assert db.session.scalar(select(func.count()).select_from(ShowcaseBooking)) == 1
    assert outbox() == []


def test_assigning_a_business_that_already_has_a_booking_is_refused(
        organiser_client, item, showcase, clayworks, db):
    make_booking(showcase.slots[0], clayworks)
    response = organiser_client.post(f"{BASE}/showcases/{item.id}/assign",
                                     data=assign_form(showcase.slots[1].id, clayworks.id))
    assert response.status_code == 422
    assert "Clayworks Studio already has a booking for this visit." in page_text(response)
    assert db.session.scalar(select(func.count()).select_from(ShowcaseBooking)) == 1


@pytest.mark.parametrize("field", ["slot_id", "business_id"])
@pytest.mark.parametrize("too_big", [2**31, 2**63, 10**30])
def test_assigning_an_id_beyond_any_row_is_a_form_error(organiser_client, item, showcase,
                                                        kilnhouse, db, field, too_big):
    """Not a 500 (an integer overflow on PostgreSQL, on SQLite beyond 2**63): the
    field says what to do, the other answers are kept, nothing is stored."""
    ids = {"slot_id": showcase.slots[0].id, "business_id": kilnhouse.id, field: too_big}
    response = organiser_client.post(f"{BASE}/showcases/{item.id}/assign",
                                     data=assign_form(**ids))
    assert response.status_code == 422
    message = "Choose a free slot" if field == "slot_id" else "Choose a member business"
    assert message in page_text(response)
    assert 'value="Games from clay"' in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(ShowcaseBooking)) == 0
    assert outbox() == []


def test_assigning_a_blocked_slot_is_refused(organiser_client, item, showcase, kilnhouse, db):
    showcase.slots[3].blocked = True
    db.session.commit()
    response = organiser_client.post(f"{BASE}/showcases/{item.id}/assign",
                                     data=assign_form(showcase.slots[3].id, kilnhouse.id))
    assert response.status_code == 422
    assert "That slot is blocked; unblock it first." in page_text(response)
    assert db.session.scalar(select(func.count()).select_from(ShowcaseBooking)) == 0


@pytest.mark.parametrize(("overrides", "message"), [
    ({"assign-title": ""}, "Give the showcase a title"),
    ({"assign-description": "d" * 601}, "Description must be 600 characters or fewer"),
    ({"assign-slot_id": ""}, "Choose a free slot"),
    ({"assign-slot_id": "abc"}, "Choose a free slot"),
    ({"assign-slot_id": "999999"}, "Choose one of this showcase&#39;s slots."),
    ({"assign-business_id": "999999"}, "Choose a member business."),
    ({"assign-format": "juggling"}, "Choose one of the formats"),
    ({"assign-equipment": ["power", "jetpack"]}, "Choose equipment from the list"),
])
def test_bad_assignments_are_refused(organiser_client, item, showcase, kilnhouse, db,
                                     overrides, message):
    response = organiser_client.post(f"{BASE}/showcases/{item.id}/assign",
                                     data=assign_form(showcase.slots[0].id, kilnhouse.id,
                                                      **overrides))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(ShowcaseBooking)) == 0


# --- the run sheet ---------------------------------------------------------------------------


@pytest.fixture
def line_up(showcase, clayworks, kilnhouse, db):
    make_booking(showcase.slots[2], clayworks, status="approved", title="Printing in clay",
                 format="demo", equipment=["power", "screen"], people="Mina Maker\nSam Potter")
    make_booking(showcase.slots[0], kilnhouse, status="pending", title="=1+2",
                 format="pitch", equipment=[], people="Kai Kiln")
    declined = make_business(name="Declined Ltd")
    make_booking(showcase.slots[4], declined, status="declined", title="Not on the sheet")


def test_run_sheet_page(organiser_client, item, line_up):
    page = organiser_client.get(f"{BASE}/showcases/{item.id}/run-sheet")
    assert page.status_code == 200
    shown = page_text(page)
    assert "Run sheet: Member showcase" in shown
    assert "Wednesday 12 June 2030, 10:00–11:00 BST" in shown
    assert "Time Member Title Format Equipment People" in shown
    first = shown.index("10:00–10:10 BST Kiln House Games (pending approval) =1+2 Pitch — "
                        "Kai Kiln")
    second = shown.index("10:24–10:34 BST Clayworks Studio Printing in clay Demo "
                         "Power, Screen Mina Maker, Sam Potter")
    assert first < second
    assert "Not on the sheet" not in shown
    assert 'class="run-sheet"' in page.get_data(as_text=True)


def test_run_sheet_csv(organiser_client, item, line_up):
    response = organiser_client.get(f"{BASE}/showcases/{item.id}/run-sheet.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="cic-stoke-showcase-{item.id}-run-sheet.csv"')
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows == [
        ["Time", "Member", "Title", "Format", "Equipment", "People", "Status"],
        ["10:00–10:10 BST", "Kiln House Games", "'=1+2", "Pitch", "", "Kai Kiln",
         "Pending approval"],
        ["10:24–10:34 BST", "Clayworks Studio", "Printing in clay", "Demo", "Power, Screen",
         "Mina Maker, Sam Potter", "Approved"],
    ]


def test_run_sheet_of_a_showcase_without_slots(organiser_client, item):
    run_sheet = organiser_client.get(f"{BASE}/showcases/{item.id}/run-sheet")
    assert "No bookings yet." in page_text(run_sheet)
    response = organiser_client.get(f"{BASE}/showcases/{item.id}/run-sheet.csv")
    assert response.get_data(as_text=True).lstrip("\ufeff").splitlines() == [
        "Time,Member,Title,Format,Equipment,People,Status"]


def test_showcase_page_queries_do_not_grow_with_bookings(organiser_client, visit, item,
                                                         showcase, count_queries, db):
    url = f"{BASE}/showcases/{item.id}"

    def book(n):
        business = make_business(name=f"Business {n}")
        make_member(business, email=f"person{n}@example.org")
        make_booking(showcase.slots[n], business, status="pending" if n % 2 else "approved")

    book(0)
    with count_queries() as one:
        assert organiser_client.get(url).status_code == 200
    for n in range(1, 5):
        book(n)
    with count_queries() as five:
        assert organiser_client.get(url).status_code == 200
    assert five.count == one.count, "\n\n".join(five.statements)


# --- who may see these pages -----------------------------------------------------------


def visit_scoped_requests(item_id, slot_id, booking_id) -> list[tuple[str, str]]:
    one = f"{BASE}/showcases/{item_id}"
    return [
        ("get", f"{BASE}/showcases"),
        ("get", one),
        ("post", one),
        ("post", f"{one}/slots/{slot_id}/block"),
        ("post", f"{one}/slots/{slot_id}/unblock"),
        ("post", f"{BASE}/bookings/{booking_id}/approve"),
        ("post", f"{BASE}/bookings/{booking_id}/decline"),
        ("post", f"{one}/assign"),
        ("get", f"{one}/run-sheet"),
        ("get", f"{one}/run-sheet.csv"),
    ]


@pytest.fixture
def everything(item, showcase, clayworks, kilnhouse):
    booking = make_booking(showcase.slots[0], clayworks, status="pending")
    return visit_scoped_requests(item.id, showcase.slots[1].id, booking.id), {
        "slot_minutes": "15", "buffer_minutes": "0",
        **assign_form(showcase.slots[1].id, kilnhouse.id),
    }


def assert_nothing_changed(db, showcase_id):
    again = fresh(db, Showcase, showcase_id)
    assert again.slot_minutes == 10
    assert not any(s.blocked for s in again.slots)
    assert [b.status for b in db.session.scalars(select(ShowcaseBooking))] == [
        BookingStatus.PENDING]
    assert outbox() == []


def test_another_organiser_gets_404_everywhere(client, app, showcase, everything, db):
    requests, data = everything
    login(client, make_user(email="other@example.org", name="Oona Other"))
    for method, url in requests:
        response = getattr(client, method)(url, data=data if method == "post" else None)
        assert response.status_code == 404, (method, url)
    assert_nothing_changed(db, showcase.id)


def test_a_member_gets_403_everywhere(client, app, showcase, clayworks, everything, db):
    requests, data = everything
    login(client, clayworks.people[0])
    for method, url in requests:
        response = getattr(client, method)(url, data=data if method == "post" else None)
        assert response.status_code == 403, (method, url)
    assert_nothing_changed(db, showcase.id)


def test_anonymous_people_are_sent_to_log_in(client, showcase, everything, db):
    requests, data = everything
    for method, url in requests:
        response = getattr(client, method)(url, data=data if method == "post" else None)
        assert response.status_code == 302, (method, url)
        assert response.headers["Location"].startswith("/login"), (method, url)
    assert_nothing_changed(db, showcase.id)
