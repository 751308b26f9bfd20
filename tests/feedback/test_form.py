"""/r/<token>/feedback: the attendee rates the visit and the items they attended, and
comments; comes back to see and change it; bad input saves nothing."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from eventsapp.agenda.models import ItemKind, ItemStatus
from eventsapp.extensions import db
from eventsapp.feedback.models import Feedback, ItemFeedback
from eventsapp.registration.models import ItemSignup, RegistrationStatus, SignupStatus
from eventsapp.registration.rules import notices, own_page
from eventsapp.visits.models import VisitStatus
from tests.feedback.helpers import checked_radio, ended_visit, textarea
from tests.support import make_item, make_registration, make_visit, page_text


@pytest.fixture
def world(app, organiser):
    visit = ended_visit([organiser])
    talk = make_item(visit, "09:00", "10:00", title="Welcome talk")
    tour = make_item(visit, "10:30", "11:30", title="Kiln tour", kind=ItemKind.TOUR, capacity=8)
    panel = make_item(visit, "12:00", "13:00", title="Skills panel", kind=ItemKind.PANEL,
                      capacity=8)
    make_item(visit, "13:00", "14:00", title="Lunch", kind=ItemKind.MEAL)
    make_item(visit, "14:00", "15:00", title="Called-off talk", status=ItemStatus.CANCELLED)
    make_item(visit, "15:00", "16:00", title="Deleted talk", deleted_at=datetime.now(UTC))
    elsewhere = make_visit(slug="elsewhere")
    foreign = make_item(elsewhere, title="Another visit's talk")
    attendee = make_registration(visit, full_name="Ada Delegate", email="ada@example.org")
    db.session.add(ItemSignup(item_id=tour.id, registration_id=attendee.id,
                              status=SignupStatus.CONFIRMED))
    db.session.commit()
    return dict(visit=visit, talk=talk, tour=tour, panel=panel, foreign=foreign,
                attendee=attendee, url=f"/r/{notices.manage_token(attendee)}/feedback")


def stored(registration_id: int):
    db.session.expire_all()
    feedback = db.session.scalar(select(Feedback).where(
        Feedback.registration_id == registration_id))
    if feedback is None:
        return None
    return (feedback.visit_rating, {r.item_id: r.rating for r in feedback.item_ratings},
            feedback.comments)


def counts() -> tuple[int, int]:
    db.session.expire_all()
    return (db.session.scalar(select(func.count()).select_from(Feedback)),
            db.session.scalar(select(func.count()).select_from(ItemFeedback)))


def test_offers_only_the_items_the_attendee_attended(client, world):
    text = page_text(client.get(world["url"]))

    assert "Welcome talk" in text
    assert "Kiln tour" in text  # a confirmed place
    for absent in ("Skills panel", "Lunch", "Called-off talk", "Deleted talk",
                   "Another visit's talk"):
        assert absent not in text


def test_saves_and_shows_the_answers_again_then_changes_them(client, world):
    talk, tour = world["talk"].id, world["tour"].id
    response = client.post(world["url"], data={
        "visit_rating": "4", f"item_{talk}": "5", f"item_{tour}": "3",
        "comments": "Great kilns.\nMore time at the studios, please."})

    assert response.status_code == 303
    assert stored(world["attendee"].id) == (
        4, {talk: 5, tour: 3}, "Great kilns.\nMore time at the studios, please.")
    again = client.get(response.headers["Location"])
    assert "Thank you: your feedback is saved." in page_text(again)
    assert "You sent your feedback on" in page_text(again)
    assert checked_radio(again, "visit_rating") == "4"
    assert checked_radio(again, f"item_{talk}") == "5"
    assert checked_radio(again, f"item_{tour}") == "3"
    assert textarea(again, "comments") == "Great kilns.\nMore time at the studios, please."

    changed = client.post(world["url"], data={
        "visit_rating": "2", f"item_{talk}": "", f"item_{tour}": "4", "comments": "Changed."})

    assert changed.status_code == 303
    assert stored(world["attendee"].id) == (2, {tour: 4}, "Changed.")
    assert counts() == (1, 1)


def test_clearing_every_answer_removes_the_feedback(client, world):
    client.post(world["url"], data={"visit_rating": "5"})
    response = client.post(world["url"], data={"visit_rating": "", "comments": "  "},
                           follow_redirects=True)
    assert "Your feedback is cleared." in page_text(response)
    assert counts() == (0, 0)


BAD = [
    ({"visit_rating": "7"}, "visit_rating", "Choose a rating from 1 to 5, or no rating."),
    ({"visit_rating": "five"}, "visit_rating", "Choose a rating from 1 to 5, or no rating."),
    ({"item_talk": "0"}, "item_talk", "Choose a rating from 1 to 5, or no rating."),
    ({"comments": "x" * 5001}, "comments", "Comments must be 5,000 characters or fewer"),
]


@pytest.mark.parametrize(("bad", "field", "message"), BAD, ids=["7", "word", "item 0", "long"])
def test_bad_input_is_shown_beside_its_field_keeps_the_rest_and_saves_nothing(
        client, world, bad, field, message):
    talk, tour = world["talk"].id, world["tour"].id
    data = {"visit_rating": "4", f"item_{talk}": "5", f"item_{tour}": "2",
            "comments": "Kept comment."}
    data.update({key.replace("item_talk", f"item_{talk}"): value for key, value in bad.items()})
    field = field.replace("item_talk", f"item_{talk}")

    response = client.post(world["url"], data=data)

    assert response.status_code == 422
    markup = response.get_data(as_text=True)
    assert f'<p class="error-message" id="{field}-error">{message}' in markup.replace(
        "&#39;", "'")
    assert counts() == (0, 0)
    # Everything else is as the attendee left it.
    if field != f"item_{tour}":
        assert checked_radio(response, f"item_{tour}") == "2"
    if field != "comments":
        assert textarea(response, "comments") == "Kept comment."
    if field != "visit_rating":
        assert checked_radio(response, "visit_rating") == "4"


@pytest.mark.parametrize("which", ["foreign", "panel"])
def test_rating_an_item_not_attended_is_refused_and_saves_nothing(client, world, which):
    talk = world["talk"].id
    response = client.post(world["url"], data={
        "visit_rating": "4", f"item_{talk}": "5", f"item_{world[which].id}": "5",
        "comments": "Kept comment."})

    assert response.status_code == 422
    text = page_text(response)
    assert "Nothing was saved" in text
    assert "You can only rate sessions you attended on this visit." in text
    assert checked_radio(response, f"item_{talk}") == "5"
    assert textarea(response, "comments") == "Kept comment."
    assert counts() == (0, 0)


def test_a_refusal_leaves_earlier_feedback_as_it_was(client, world):
    client.post(world["url"], data={"visit_rating": "3", "comments": "First."})
    client.post(world["url"], data={"visit_rating": "9", "comments": "Second."})
    assert stored(world["attendee"].id) == (3, {}, "First.")


def test_an_empty_form_asks_for_an_answer(client, world):
    response = client.post(world["url"], data={"visit_rating": ""})
    assert response.status_code == 422
    assert "Rate the visit or a session, or write a comment, before sending." in \
        page_text(response)
    assert counts() == (0, 0)


def test_before_the_visit_ends_the_form_is_not_open(client, organiser):
    visit = make_visit(organisers=[organiser], slug="soon", status=VisitStatus.PUBLISHED)
    attendee = make_registration(visit, email="ada@example.org")
    token = notices.manage_token(attendee)

    page = client.get(f"/r/{token}/feedback")
    post = client.post(f"/r/{token}/feedback", data={"visit_rating": "5"})
    manage = client.get(f"/r/{token}")

    assert page.status_code == 200
    assert "Feedback opens after the visit, on" in page_text(page)
    assert "visit_rating" not in page.get_data(as_text=True)
    assert post.status_code == 409
    assert counts() == (0, 0)
    assert "give your feedback" not in page_text(manage)


def test_the_attendee_page_links_to_the_form_once_the_visit_is_over(client, world):
    manage = client.get(f"/r/{notices.manage_token(world['attendee'])}")
    assert "The visit is over. Tell us how it went: give your feedback" in page_text(manage)
    assert f'href="{world["url"]}"' in manage.get_data(as_text=True)


@pytest.mark.parametrize("status", [RegistrationStatus.WAITLISTED,
                                    RegistrationStatus.PENDING_APPROVAL,
                                    RegistrationStatus.CANCELLED])
def test_only_confirmed_registrations_give_feedback(client, world, status):
    other = make_registration(world["visit"], status=status)
    url = f"/r/{notices.manage_token(other)}/feedback"

    page = client.get(url)
    post = client.post(url, data={"visit_rating": "5"})

    assert "Feedback is for attendees whose place was confirmed" in page_text(page)
    assert post.status_code == 409
    assert counts() == (0, 0)
    assert "give your feedback" not in page_text(client.get(url.removesuffix("/feedback")))


def test_a_cancelled_visit_takes_no_feedback(client, world):
    world["visit"].status = VisitStatus.CANCELLED
    db.session.commit()
    page = client.get(world["url"])
    assert "This visit was cancelled, so there is no feedback to give." in page_text(page)
    assert client.post(world["url"], data={"visit_rating": "5"}).status_code == 409


@pytest.mark.parametrize("token", ["not-a-token", "A" * 43])
def test_bad_tokens_are_404(client, world, token):
    assert client.get(f"/r/{token}/feedback").status_code == 404
    assert client.post(f"/r/{token}/feedback", data={"visit_rating": "5"}).status_code == 404


def test_an_erased_registration_is_404(client, world):
    token = notices.manage_token(world["attendee"])
    own_page.erase(token)
    assert client.get(f"/r/{token}/feedback").status_code == 404


def test_the_page_is_private(client, world):
    response = client.get(world["url"])
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Cache-Control"] == "no-store"


def test_erasing_a_registration_keeps_its_ratings_but_not_its_comments(client, world):
    talk = world["talk"].id
    client.post(world["url"], data={"visit_rating": "5", f"item_{talk}": "4",
                                    "comments": "Ada here: call me on 07700 900123."})

    own_page.erase(notices.manage_token(world["attendee"]))

    assert stored(world["attendee"].id) == (5, {talk: 4}, "")
