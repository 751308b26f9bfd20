"""/member/...: what a member sees, what is stored when they book, change, move or cancel,
and what they are told when a slot has just been taken."""

from __future__ import annotations

import html
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from eventsapp.agenda.models import ItemKind
from eventsapp.mail.models import OutboxMessage
from eventsapp.showcase.models import BookingFormat, BookingStatus, ShowcaseBooking
from eventsapp.visits.models import VisitStatus
from tests.conftest import login
from tests.support import (
    SUMMER,
    field_error,
    local,
    make_booking,
    make_business,
    make_item,
    make_showcase,
    make_user,
    make_venue,
    make_visit,
    page_text,
)

DAY = f"{SUMMER:%A} {SUMMER.day} July {SUMMER.year}"


def input_value(markup: str, name: str) -> str:
    tag = re.search(rf'<input[^>]*\bname="{re.escape(name)}"[^>]*>', markup).group(0)
    return html.unescape(re.search(r'value="([^"]*)"', tag).group(1))


def textarea(markup: str, name: str) -> str:
    found = re.search(rf'<textarea[^>]*\bname="{re.escape(name)}"[^>]*>(.*?)</textarea>',
                      markup, re.S)
    return html.unescape(found.group(1)).strip()


def checked(markup: str, name: str) -> list[str]:
    tags = re.findall(rf'<input[^>]*\bname="{re.escape(name)}"[^>]*>', markup)
    return [re.search(r'value="([^"]*)"', t).group(1) for t in tags if " checked" in t]


def answers(**overrides) -> dict:
    data = {
        "title": "Clay printing in 3D",
        "description": "A printer that throws pots.\r\nCome and try it.",
        "format": "demo",
        "equipment": ["power", "table"],
        "people": "Mina Maker\r\nSam Glaze",
    }
    data.update(overrides)
    return data


def stored_bookings(db) -> list[ShowcaseBooking]:
    db.session.rollback()
    db.session.expire_all()
    return list(db.session.scalars(select(ShowcaseBooking).order_by(ShowcaseBooking.id)))


@pytest.fixture
def item(visit):
    hall = make_venue(visit, name="Spode Works")
    return make_item(visit, "13:30", "14:30", kind=ItemKind.SHOWCASE, title="Member showcase",
                     venue_id=hall.id)


@pytest.fixture
def showcase(visit, item):
    deadline = local(visit, -1, "17:00")  # the day before, 17:00 BST
    return make_showcase(item, slot_minutes=10, buffer_minutes=2, requires_approval=True,
                         deadline=deadline)


@pytest.fixture
def member_client(client, mina):
    login(client, mina)
    return client


# --- the dashboard ---------------------------------------------------------------------------


def test_a_new_member_sees_their_business_and_empty_states(member_client, clayworks):
    response = member_client.get("/member/")

    assert response.status_code == 200
    text = page_text(response)
    assert "Clayworks Studio" in text
    assert "Your business has no showcase bookings yet." in text
    assert "No showcases are open for booking at the moment." in text
    assert 'href="/member/"' in response.get_data(as_text=True)  # "Member area" in the nav
    assert "Member area" in page_text(response.get_data(as_text=True).replace("<main", "<x"))


def test_the_dashboard_lists_bookings_in_words_and_open_showcases(
        db, member_client, organiser, visit, showcase, clayworks, pixel):
    autumn = make_visit(organisers=[organiser], slug="autumn", title="Autumn delegation",
                        start_date=date(SUMMER.year, 11, 18), end_date=date(SUMMER.year, 11, 18),
                        status=VisitStatus.PUBLISHED)
    autumn_showcase = make_showcase(make_item(autumn, "10:00", "11:00", kind=ItemKind.SHOWCASE,
                                              title="Winter showcase"), requires_approval=False)
    pending = make_booking(showcase.slots[0], clayworks, status="pending", title="Clay printer")
    make_booking(showcase.slots[1], clayworks, status="declined", title="Kiln tour",
                 decision_message="We have a kiln tour already, sorry.")
    make_booking(showcase.slots[2], clayworks, status="cancelled", title="Glaze bar")
    approved = make_booking(autumn_showcase.slots[1], clayworks, status="approved",
                            title="Winter pots")
    make_booking(showcase.slots[3], pixel, status="approved", title="Pixel secret project")

    response = member_client.get("/member/")

    markup = response.get_data(as_text=True)
    text = page_text(markup)
    assert "Clay printer Pending approval" in text
    assert "Kiln tour Declined Message from the organisers: We have a kiln tour already, sorry." \
        in text
    assert "Glaze bar Cancelled" in text
    assert "Winter pots Approved" in text
    # Times in the visit's zone, labelled: BST in July, GMT in November.
    assert f"{DAY}, 13:30–13:40 BST" in text
    assert f"{date(SUMMER.year, 11, 18):%A} 18 November {SUMMER.year}, 10:12–10:22 GMT" in text
    # Change, move and cancel links only for active bookings.
    assert f'href="/member/bookings/{pending.id}/move"' in markup
    assert f'href="/member/bookings/{approved.id}/move"' in markup
    assert markup.count("Move to another slot") == 2
    # Another business's booking is never shown.
    assert "Pixel secret project" not in text and "Pixel Mill" not in text
    # Open showcases with their free slots: declined and cancelled bookings free theirs.
    assert (f"Member showcase Regions and Clusters delegation · Stoke-on-Trent {DAY}, "
            "13:30–14:30 BST 3 slots free of 5") in text
    assert "4 slots free of 5" in text  # the winter showcase, one approved booking
    assert f'href="/member/showcases/{showcase.id}"' in markup
    assert "No showcases are open" not in text
    assert "Add to calendar" in text  # the member feed: tests/calendar/test_calendar_links.py


def test_a_showcase_past_its_deadline_is_not_listed_as_open(member_client, item):
    make_showcase(item, deadline=datetime.now(UTC) - timedelta(hours=1))

    assert "No showcases are open for booking" in page_text(member_client.get("/member/"))


def test_a_member_without_a_business_gets_a_friendly_page(client, app):
    loner = make_user(email="loner@example.org", role="member", name="Lone Member")
    login(client, loner)

    for url in ("/member/", "/member/showcases/1", "/member/bookings/1"):
        response = client.get(url)
        assert response.status_code == 403
        assert "Your account is not linked to a business" in page_text(response)
        assert "ask the cluster organisers to add you to your business" in page_text(response)


# --- a showcase -----------------------------------------------------------------------------------


def test_a_showcase_page_shows_its_facts_and_slots(db, member_client, showcase, pixel):
    theirs = make_booking(showcase.slots[1], pixel, title="Pixel secret project")
    showcase.slots[3].blocked = True
    db.session.commit()

    response = member_client.get(f"/member/showcases/{showcase.id}")

    assert response.status_code == 200
    markup = response.get_data(as_text=True)
    text = page_text(markup)
    assert "Member showcase" in text
    assert "Visit Regions and Clusters delegation (Stoke-on-Trent)" in text
    assert f"When {DAY}, 13:30–14:30 BST" in text
    assert "Venue Spode Works" in text
    yesterday = SUMMER - timedelta(days=1)
    assert f"Book by {yesterday:%A} {yesterday.day} {yesterday:%B %Y} at 17:00 BST" in text
    assert "The organisers approve each booking for this showcase." in text
    assert "13:42–13:52 BST Taken" in text
    assert "14:06–14:16 BST Not available" in text
    for slot in (showcase.slots[0], showcase.slots[2], showcase.slots[4]):
        assert f'href="/member/slots/{slot.id}/book"' in markup
    for slot in (showcase.slots[1], showcase.slots[3]):
        assert f'href="/member/slots/{slot.id}/book"' not in markup
    assert "Pixel" not in text and theirs.title not in text


def test_with_a_booking_the_showcase_offers_to_move_it(member_client, showcase, clayworks):
    mine = make_booking(showcase.slots[0], clayworks, title="Clay printer")

    response = member_client.get(f"/member/showcases/{showcase.id}")

    markup = response.get_data(as_text=True)
    text = page_text(markup)
    assert "Your business already has a booking for this visit: Clay printer" in text
    assert "13:30–13:40 BST Your booking: Clay printer" in text
    assert "/book\"" not in markup
    assert markup.count(f'action="/member/bookings/{mine.id}/move"') == 4
    for slot in showcase.slots[1:]:
        assert f'name="slot_id" value="{slot.id}"' in markup


def test_a_showcase_of_a_draft_visit_is_not_found(member_client, organiser):
    draft = make_visit(organisers=[organiser], slug="draft", start_date=SUMMER, end_date=SUMMER)
    hidden = make_showcase(make_item(draft, "10:00", "11:00", kind=ItemKind.SHOWCASE))

    assert member_client.get(f"/member/showcases/{hidden.id}").status_code == 404
    assert member_client.get(f"/member/slots/{hidden.slots[0].id}/book").status_code == 404
    assert member_client.get("/member/showcases/99999").status_code == 404


# --- booking ------------------------------------------------------------------------------------


def test_the_booking_form_is_labelled_and_says_the_limits(member_client, showcase):
    response = member_client.get(f"/member/slots/{showcase.slots[2].id}/book")

    assert response.status_code == 200
    markup = response.get_data(as_text=True)
    text = page_text(markup)
    assert f"Slot {DAY}, 13:54–14:04 BST" in text
    assert "Up to 600 characters" in text
    assert "One name per line" in text
    for control_id in ("title", "description", "people"):
        assert f'<label for="{control_id}">' in markup
    assert re.search(r"<fieldset[^>]*>\s*<legend>Format", markup)
    assert re.search(r"<fieldset[^>]*>\s*<legend>Equipment you need", markup)
    for n, value in enumerate(["demo", "pitch", "screening", "installation"]):
        assert f'<input id="format-{n}" name="format" required type="radio" value="{value}">' \
            in markup
        assert f'<label for="format-{n}">' in markup
    for n, value in enumerate(["power", "screen", "table", "sound", "network"]):
        assert f'<input id="equipment-{n}" name="equipment" type="checkbox" value="{value}">' \
            in markup
    assert "<script>" not in markup and "style=" not in markup


def test_booking_a_slot_stores_it_and_emails_the_business(db, member_client, showcase,
                                                         clayworks, mina):
    slot = showcase.slots[2]

    response = member_client.post(f"/member/slots/{slot.id}/book", data=answers())

    [booking] = stored_bookings(db)
    assert response.status_code == 303
    assert response.headers["Location"] == f"/member/bookings/{booking.id}"
    assert (booking.slot_id, booking.business_id, booking.booked_by_id) == (
        slot.id, clayworks.id, mina.id)
    assert booking.status is BookingStatus.PENDING
    assert booking.title == "Clay printing in 3D"
    assert booking.description == "A printer that throws pots.\nCome and try it."
    assert booking.format is BookingFormat.DEMO
    assert booking.equipment == ["power", "table"]
    assert booking.people == "Mina Maker\nSam Glaze"
    [mail] = db.session.scalars(select(OutboxMessage)).all()
    assert mail.to == "mina@clayworks.example"

    page = member_client.get(response.headers["Location"])
    text = page_text(page)
    assert "Thank you: your booking is received." in text
    assert "Clay printing in 3D Pending approval" in text
    assert f"Your slot {DAY}, 13:54–14:04 BST" in text


def test_a_description_of_601_characters_is_refused_and_answers_kept(db, member_client,
                                                                     showcase):
    slot = showcase.slots[0]

    response = member_client.post(f"/member/slots/{slot.id}/book",
                                  data=answers(description="x" * 601))

    assert response.status_code == 422
    assert field_error(response, "description") == "Description must be 600 characters or fewer"
    markup = response.get_data(as_text=True)
    assert input_value(markup, "title") == "Clay printing in 3D"
    assert checked(markup, "equipment") == ["power", "table"]
    assert checked(markup, "format") == ["demo"]
    assert stored_bookings(db) == []


def test_missing_answers_are_shown_next_to_their_fields(db, member_client, showcase):
    response = member_client.post(f"/member/slots/{showcase.slots[0].id}/book",
                                  data=answers(title="  ", format="", equipment=["jetpack"]))

    assert response.status_code == 422
    assert field_error(response, "title") == "Give your showcase a title"
    assert field_error(response, "format") == \
        "Choose a format: demo, pitch, screening or installation"
    assert "Choose equipment from the list" in field_error(response, "equipment")
    assert "Please correct the highlighted fields" in page_text(response)
    assert stored_bookings(db) == []


def test_a_slot_taken_meanwhile_offers_the_free_ones_with_the_answers_kept(
        db, member_client, showcase, pixel, clayworks):
    wanted = showcase.slots[1]
    assert member_client.get(f"/member/slots/{wanted.id}/book").status_code == 200
    make_booking(wanted, pixel, title="Pixel secret project")  # someone was quicker
    showcase.slots[4].blocked = True
    db.session.commit()

    response = member_client.post(f"/member/slots/{wanted.id}/book", data=answers())

    assert response.status_code == 409
    markup = response.get_data(as_text=True)
    text = page_text(markup)
    assert "Sorry, that slot has just been taken" in text
    assert "Slots still free" in text
    offered = re.findall(r'formaction="/member/slots/(\d+)/book"', markup)
    assert offered == [str(s.id) for s in (showcase.slots[0], showcase.slots[2],
                                           showcase.slots[3])]
    assert "13:30–13:40 BST Book this slot" in text
    assert "Pixel" not in text
    # The answers are still in the form, so the chosen slot's button books with them.
    assert input_value(markup, "title") == "Clay printing in 3D"
    assert textarea(markup, "description") == "A printer that throws pots.\nCome and try it."
    assert textarea(markup, "people") == "Mina Maker\nSam Glaze"
    assert checked(markup, "equipment") == ["power", "table"]
    assert len(stored_bookings(db)) == 1

    chosen = showcase.slots[2]
    again = member_client.post(f"/member/slots/{chosen.id}/book", data=answers())

    assert again.status_code == 303
    mine = [b for b in stored_bookings(db) if b.business_id == clayworks.id]
    assert [(b.slot_id, b.title, b.equipment) for b in mine] == [
        (chosen.id, "Clay printing in 3D", ["power", "table"])]


def test_when_no_slot_is_left_the_member_is_told(db, member_client, showcase, pixel):
    for n, slot in enumerate(showcase.slots):
        make_booking(slot, make_business(name=f"Business {n}"))

    response = member_client.post(f"/member/slots/{showcase.slots[0].id}/book", data=answers())

    assert response.status_code == 409
    assert "Sorry, no slots are free any more in this showcase." in page_text(response)


def test_a_second_booking_for_the_visit_is_refused(db, member_client, showcase, clayworks):
    make_booking(showcase.slots[0], clayworks, title="Clay printer")

    response = member_client.post(f"/member/slots/{showcase.slots[1].id}/book", data=answers())

    assert response.status_code == 409
    text = page_text(response)
    assert "Your business already has a booking for this visit" in text
    assert [b.title for b in stored_bookings(db)] == ["Clay printer"]
    # The form offers the move instead.
    assert "Move my booking here" in text


def test_a_blocked_slot_and_a_passed_deadline_are_refused(db, member_client, item, showcase):
    showcase.slots[0].blocked = True
    db.session.commit()

    blocked = member_client.post(f"/member/slots/{showcase.slots[0].id}/book", data=answers())

    assert blocked.status_code == 409
    assert "That slot is not available. Please choose another." in page_text(blocked)

    showcase.booking_deadline = datetime.now(UTC) - timedelta(minutes=5)
    db.session.commit()
    late = member_client.post(f"/member/slots/{showcase.slots[1].id}/book", data=answers())

    assert late.status_code == 409
    assert "The booking deadline for this showcase has passed." in page_text(late)
    assert 'name="title"' not in late.get_data(as_text=True)
    assert stored_bookings(db) == []


def test_a_slot_that_does_not_exist_is_404(member_client, showcase):
    assert member_client.get("/member/slots/424242/book").status_code == 404
    response = member_client.post("/member/slots/424242/book", data=answers())
    assert response.status_code == 404
    assert "No such slot." in page_text(response)


# --- the member's own booking -----------------------------------------------------------------


def test_the_booking_page_is_prefilled_and_saves_changes(db, member_client, showcase,
                                                         clayworks):
    mine = make_booking(showcase.slots[0], clayworks, title="Clay printer",
                        equipment=["power", "sound"], format=BookingFormat.PITCH)

    page = member_client.get(f"/member/bookings/{mine.id}")

    markup = page.get_data(as_text=True)
    assert input_value(markup, "title") == "Clay printer"
    assert checked(markup, "equipment") == ["power", "sound"]
    assert checked(markup, "format") == ["pitch"]
    assert 'data-confirm="Cancel this booking?' in markup

    response = member_client.post(f"/member/bookings/{mine.id}", data=answers(
        title="Glaze lab", format="installation", equipment=["network"], people="Ada"))

    assert response.status_code == 303
    [stored] = stored_bookings(db)
    assert (stored.title, stored.format, stored.equipment, stored.people) == (
        "Glaze lab", BookingFormat.INSTALLATION, ["network"], "Ada")
    assert stored.slot_id == showcase.slots[0].id
    saved = member_client.get(f"/member/bookings/{mine.id}")
    assert "Your booking details are saved." in page_text(saved)


def test_invalid_changes_are_refused(db, member_client, showcase, clayworks):
    mine = make_booking(showcase.slots[0], clayworks, title="Clay printer")

    response = member_client.post(f"/member/bookings/{mine.id}",
                                  data=answers(description="y" * 601, title=""))

    assert response.status_code == 422
    assert field_error(response, "title") == "Give your showcase a title"
    assert field_error(response, "description") == "Description must be 600 characters or fewer"
    assert stored_bookings(db)[0].title == "Clay printer"


def test_a_declined_booking_shows_the_message_and_cannot_be_changed(db, member_client,
                                                                    showcase, clayworks):
    mine = make_booking(showcase.slots[0], clayworks, status="declined", title="Clay printer",
                        decision_message="Thank you, but the line-up is full.")

    page = member_client.get(f"/member/bookings/{mine.id}")

    text = page_text(page)
    assert "Declined Message from the organisers: Thank you, but the line-up is full." in text
    assert 'name="title"' not in page.get_data(as_text=True)
    refused = member_client.post(f"/member/bookings/{mine.id}", data=answers(title="Again"))
    assert refused.status_code == 409
    assert "This booking is no longer active." in page_text(refused)
    assert stored_bookings(db)[0].title == "Clay printer"


def test_moving_to_a_free_slot(db, member_client, showcase, clayworks):
    mine = make_booking(showcase.slots[0], clayworks)
    showcase.slots[4].blocked = True
    db.session.commit()

    page = member_client.get(f"/member/bookings/{mine.id}/move")

    markup = page.get_data(as_text=True)
    assert f"Your slot now: {DAY}, 13:30–13:40 BST" in page_text(markup)
    assert re.findall(r'name="slot_id" value="(\d+)"', markup) == [
        str(s.id) for s in showcase.slots[1:4]]

    response = member_client.post(f"/member/bookings/{mine.id}/move",
                                  data={"slot_id": showcase.slots[3].id})

    assert response.status_code == 303
    [stored] = stored_bookings(db)
    assert (stored.id, stored.slot_id, stored.sequence) == (mine.id, showcase.slots[3].id, 1)
    assert stored.status is BookingStatus.APPROVED
    assert f"Your slot {DAY}, 14:06–14:16 BST" in page_text(member_client.get(
        response.headers["Location"]))


def test_moving_to_a_slot_just_taken_keeps_the_old_booking(db, member_client, showcase,
                                                            clayworks, pixel):
    mine = make_booking(showcase.slots[0], clayworks)
    make_booking(showcase.slots[1], pixel)

    response = member_client.post(f"/member/bookings/{mine.id}/move",
                                  data={"slot_id": showcase.slots[1].id})

    assert response.status_code == 409
    markup = response.get_data(as_text=True)
    text = page_text(markup)
    assert "Sorry, that slot has just been taken" in text
    assert "Your booking is unchanged." in text
    assert re.findall(r'name="slot_id" value="(\d+)"', markup) == [
        str(s.id) for s in showcase.slots[2:]]
    stored = {b.id: b for b in stored_bookings(db)}
    assert (stored[mine.id].slot_id, stored[mine.id].sequence) == (showcase.slots[0].id, 0)


@pytest.mark.parametrize("slot_id", ["x", str(2**31), str(2**63), "²"])
def test_moving_without_a_slot_says_so(db, member_client, showcase, clayworks, slot_id):
    mine = make_booking(showcase.slots[0], clayworks)

    response = member_client.post(f"/member/bookings/{mine.id}/move", data={"slot_id": slot_id})

    assert response.status_code == 422
    assert "Choose one of the free slots." in page_text(response)
    assert stored_bookings(db)[0].slot_id == showcase.slots[0].id


def test_cancelling_frees_the_slot(db, member_client, showcase, clayworks):
    mine = make_booking(showcase.slots[0], clayworks, title="Clay printer")

    response = member_client.post(f"/member/bookings/{mine.id}/cancel")

    assert response.status_code == 303
    assert response.headers["Location"] == "/member/"
    [stored] = stored_bookings(db)
    assert stored.status is BookingStatus.CANCELLED
    dashboard = page_text(member_client.get("/member/"))
    assert "Your booking is cancelled and the slot is free for others." in dashboard
    assert "Clay printer Cancelled" in dashboard
    assert "5 slots free of 5" in dashboard


def test_after_the_deadline_a_booking_is_shown_read_only(db, member_client, showcase,
                                                         clayworks):
    mine = make_booking(showcase.slots[0], clayworks, title="Clay printer",
                        equipment=["power", "screen"])
    showcase.booking_deadline = datetime.now(UTC) - timedelta(minutes=5)
    db.session.commit()

    page = member_client.get(f"/member/bookings/{mine.id}")

    text = page_text(page)
    assert "The booking deadline for this showcase has passed." in text
    assert "Equipment Power, Screen" in text
    assert 'name="title"' not in page.get_data(as_text=True)
    cancel = member_client.post(f"/member/bookings/{mine.id}/cancel")
    assert cancel.status_code == 409
    assert "The booking deadline has passed; please contact the organisers." in page_text(cancel)
    assert stored_bookings(db)[0].status is BookingStatus.APPROVED
