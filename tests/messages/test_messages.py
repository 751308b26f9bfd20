"""Organisers write to the people of a visit: who gets it, the preview, sending through
the outbox, both parts of the email as delivered, and the Messages page."""

from __future__ import annotations

from sqlalchemy import func, select

from eventsapp.extensions import db
from eventsapp.mail.models import OutboxMessage, OutboxStatus
from eventsapp.messages.models import Message, MessageRecipient
from eventsapp.registration.rules import notices
from eventsapp.registration.rules.own_page import erase
from eventsapp.web.headers import CONTENT_SECURITY_POLICY, EMAIL_PREVIEW_POLICY
from tests.mail.smtp import deliver_all, parts
from tests.messages.support import world

BODY = ("Coaches leave **Stoke station** at 08:45.\n\n"
        "- bring boots\n- see [the map](https://example.org/map)\n\n"
        "<script>alert(1)</script> [bad](javascript:alert(1))")


def form(audiences, action="preview", draft_key="key-1", **extra):
    return {"audiences": audiences, "subject": "Coaches on Tuesday", "body": BODY,
            "draft_key": draft_key, "action": action, **extra}


def outbox_count() -> int:
    return db.session.scalar(select(func.count(OutboxMessage.id)))


def test_preview_counts_people_and_shows_one_email_without_sending(organiser_client,
                                                                    organiser):
    w = world(organiser)
    response = organiser_client.post("/organiser/visits/stoke/messages/new",
                                     data=form(["confirmed", "members"]))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    # Ada, Bo, and Mo (Ada's member login has Ada's address: one copy).
    assert "Preview: 3 people will get this" in page
    assert "Confirmed attendees: 2" in page and "Members with a showcase booking: 1" in page
    assert "As ada@example.org will get it" in page
    assert 'formaction="/organiser/visits/stoke/messages/preview"' in page
    assert 'formtarget="message-example"' in page and 'name="message-example"' in page
    assert "(their private link, /r/…, goes here)" in page  # the plain-text part
    assert notices.manage_token(w.people["ada"]) not in page
    assert "Send to 3 people" in page
    # The site's strict policy on the page: no inline style anywhere in it.
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"

    # The email itself, from its own route into the sandboxed frame.
    email = organiser_client.post("/organiser/visits/stoke/messages/preview",
                                  data=form(["confirmed", "members"]))
    html = email.get_data(as_text=True)
    assert email.status_code == 200 and email.mimetype == "text/html"
    assert "<strong>Stoke station</strong>" in html and 'style="' in html
    assert "<script>" not in html and 'href="javascript:' not in html
    assert notices.manage_token(w.people["ada"]) not in html
    policy = email.headers["Content-Security-Policy"]
    assert policy == EMAIL_PREVIEW_POLICY
    assert "style-src 'unsafe-inline'" in policy and "sandbox" in policy.split("; ")
    assert "frame-ancestors 'self'" in policy and "script-src" not in policy
    assert email.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert email.headers["Cache-Control"] == "no-store"
    assert outbox_count() == 0 and db.session.scalar(select(func.count(Message.id))) == 0


def test_preview_email_without_a_message_says_so_with_the_same_policy(organiser_client,
                                                                       organiser):
    world(organiser)
    response = organiser_client.post("/organiser/visits/stoke/messages/preview",
                                     data=form([]))
    assert response.status_code == 422
    assert "No email to show" in response.get_data(as_text=True)
    assert response.headers["Content-Security-Policy"] == EMAIL_PREVIEW_POLICY
    # Every other page keeps the strict policy.
    assert (organiser_client.get("/organiser/visits/stoke/messages")
            .headers["Content-Security-Policy"]) == CONTENT_SECURITY_POLICY


def test_sending_queues_one_email_per_person_and_both_parts_say_the_same(organiser_client,
                                                                          organiser):
    w = world(organiser)
    response = organiser_client.post(
        "/organiser/visits/stoke/messages/new",
        data=form(["confirmed", "waitlisted", "pending_approval", "members"], action="send"))
    assert response.status_code == 303

    message = db.session.scalar(select(Message))
    assert message.recipient_count == 5
    received = {m["To"]: m for m in deliver_all()}
    assert sorted(received) == ["ada@example.org", "bo@example.org", "cy@example.org",
                                "di@example.org", "mo@clayworks.example"]
    ada = received["ada@example.org"]
    assert ada["Subject"] == "Coaches on Tuesday"
    text, html = parts(ada)
    assert "Dear Ada Lovelace," in text and "Dear Ada Lovelace," in html
    assert "Coaches leave **Stoke station** at 08:45." in text
    assert "<strong>Stoke station</strong>" in html
    assert '<a href="https://example.org/map" rel="noopener noreferrer">the map</a>' in html
    assert "<li>bring boots</li>" in html
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "href=\"javascript:" not in html
    link = "/r/" + notices.manage_token(w.people["ada"])
    assert link in text and link in html
    assert "you are registered for" in text and "you are registered for" in html
    mo_text, mo_html = parts(received["mo@clayworks.example"])
    assert "your business has a showcase booking at" in mo_text
    assert "/member/" in mo_text and "/member/" in mo_html and "/r/" not in mo_text
    cy_text, _ = parts(received["cy@example.org"])
    assert "you are on the waiting list for" in cy_text


def test_cancelled_only_when_ticked_and_erased_never(organiser_client, organiser):
    world(organiser)
    organiser_client.post("/organiser/visits/stoke/messages/new",
                          data=form(["confirmed"], action="send", draft_key="a"))
    organiser_client.post("/organiser/visits/stoke/messages/new",
                          data=form(["confirmed", "cancelled"], action="send", draft_key="b"))
    first, second = db.session.scalars(select(Message).order_by(Message.id)).all()
    to = {m.id: sorted(r.outbox.to for r in m.recipients) for m in (first, second)}
    assert to[first.id] == ["ada@example.org", "bo@example.org"]
    # Ed cancelled and is included once ticked; Fay erased her data: never.
    assert to[second.id] == ["ada@example.org", "bo@example.org", "ed@example.org"]
    ed_text, _ = parts({m["To"]: m for m in deliver_all()}["ed@example.org"])
    assert "/r/" not in ed_text  # a cancelled registration's private link is no use


def test_one_session_goes_to_its_sign_ups(organiser_client, organiser):
    w = world(organiser)
    organiser_client.post("/organiser/visits/stoke/messages/new",
                          data=form(["session"], action="send", item_id=str(w.item.id)))
    message = db.session.scalar(select(Message))
    assert message.item_id == w.item.id
    assert sorted(r.outbox.to for r in message.recipients) == ["bo@example.org",
                                                               "cy@example.org"]


def test_bad_input_is_shown_next_to_the_fields_and_nothing_is_sent(organiser_client,
                                                                    organiser):
    world(organiser)
    response = organiser_client.post("/organiser/visits/stoke/messages/new", data={
        "audiences": ["session"], "subject": "", "body": "Hello", "draft_key": "k",
        "action": "send"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Write a subject." in page
    assert "Hello</textarea>" in page  # the answer is kept
    response = organiser_client.post("/organiser/visits/stoke/messages/new", data={
        "audiences": ["session"], "subject": "Hi", "body": "Hello", "draft_key": "k",
        "action": "send"})
    assert response.status_code == 422
    assert "Choose the session whose sign-ups get the message." in response.get_data(
        as_text=True)
    response = organiser_client.post("/organiser/visits/stoke/messages/new", data={
        "subject": "Hi", "body": "Hello", "draft_key": "k", "action": "send"})
    assert response.status_code == 422
    assert "Choose who the message goes to." in response.get_data(as_text=True)
    assert outbox_count() == 0 and db.session.scalar(select(func.count(Message.id))) == 0


def test_sending_the_same_form_twice_sends_once(organiser_client, organiser):
    world(organiser)
    for _ in range(2):
        response = organiser_client.post("/organiser/visits/stoke/messages/new",
                                         data=form(["confirmed"], action="send"))
        assert response.status_code == 303
    assert db.session.scalar(select(func.count(Message.id))) == 1
    assert outbox_count() == 2


def test_messages_page_shows_each_recipient_and_delivery_state(organiser_client, organiser):
    w = world(organiser)
    organiser_client.post("/organiser/visits/stoke/messages/new",
                          data=form(["confirmed", "waitlisted"], action="send"))
    message = db.session.scalar(select(Message))
    page = organiser_client.get("/organiser/visits/stoke/messages").get_data(as_text=True)
    assert "Coaches on Tuesday" in page and "3 people" in page and "3 queued" in page

    deliver_all()
    # Cy's email could not be delivered: the outbox gave up on it.
    db.session.execute(OutboxMessage.__table__.update()
                       .where(OutboxMessage.to == "cy@example.org")
                       .values(status=OutboxStatus.FAILED, last_error="550 no such user"))
    db.session.commit()
    erase(notices.manage_token(w.people["bo"]))  # Bo erases their data afterwards

    page = organiser_client.get("/organiser/visits/stoke/messages").get_data(as_text=True)
    assert "1 sent" in page and "1 failed" in page and "1 erased" in page
    detail = organiser_client.get(f"/organiser/visits/stoke/messages/{message.id}")
    text = detail.get_data(as_text=True)
    assert detail.status_code == 200
    assert "Ada Lovelace" in text and "ada@example.org" in text
    assert "bo@example.org" not in text and "Bo Brown" not in text and "(erased)" in text
    assert "550 no such user" in text
    rows = db.session.scalars(select(MessageRecipient).order_by(MessageRecipient.id)).all()
    assert [r.outbox_id is None for r in rows] == [False, True, False]


def test_other_organisers_and_members_cannot_reach_messages(client, organiser, member):
    from tests.conftest import login
    from tests.support import make_user

    world(organiser)
    other = make_user(email="other@example.org")
    login(client, other)
    assert client.get("/organiser/visits/stoke/messages").status_code == 404
    assert client.post("/organiser/visits/stoke/messages/new",
                       data=form(["confirmed"], action="send")).status_code == 404
    assert client.post("/organiser/visits/stoke/messages/preview",
                       data=form(["confirmed"])).status_code == 404
    assert outbox_count() == 0


def test_message_pages_read_a_fixed_number_of_queries(organiser_client, organiser,
                                                       count_queries):
    from tests.support import make_registration

    w = world(organiser)
    organiser_client.post("/organiser/visits/stoke/messages/new",
                          data=form(["confirmed", "members"], action="send", draft_key="a"))

    def counted(url):
        with count_queries() as counter:
            assert organiser_client.get(url).status_code == 200
        return counter.count

    first = db.session.scalar(select(Message))
    small = (counted("/organiser/visits/stoke/messages"),
             counted(f"/organiser/visits/stoke/messages/{first.id}"))
    for n in range(30):
        make_registration(w.visit, email=f"more{n}@example.org")
    organiser_client.post("/organiser/visits/stoke/messages/new",
                          data=form(["confirmed", "members"], action="send", draft_key="b"))
    second = db.session.scalars(select(Message).order_by(Message.id)).all()[-1]
    assert second.recipient_count == 33
    large = (counted("/organiser/visits/stoke/messages"),
             counted(f"/organiser/visits/stoke/messages/{second.id}"))
    assert large == small
