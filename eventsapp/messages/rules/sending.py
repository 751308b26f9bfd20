"""Writing to the people of a visit: check the draft, preview it, send it.

Sending writes the message, one outbox email per recipient and the recipient rows in
one transaction. The compose form carries a key of its own, unique per visit, so a
second click on Send (or a reload of the POST) finds the message already sent.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from markupsafe import Markup
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from eventsapp.accounts.models import User
from eventsapp.db import write
from eventsapp.errors import NotFound, ValidationError
from eventsapp.extensions import db
from eventsapp.mail import outbox as mail
from eventsapp.mail.models import OutboxMessage, OutboxStatus
from eventsapp.messages.models import Audience, Message, MessageRecipient
from eventsapp.messages.rules import audience as audiences
from eventsapp.messages.rules.audience import Recipient
from eventsapp.messages.rules.markdown import to_html, to_text
from eventsapp.registration.models import RegistrationStatus
from eventsapp.registration.rules import notices
from eventsapp.visits.models import Visit
from eventsapp.visits.rules import organiser_visit
from eventsapp.web.urls import absolute

TEMPLATE = "messages/email/message.html"
SUBJECT_MAX = 200
BODY_MAX = 20_000

WHY = {
    Audience.CONFIRMED: "you are registered for",
    Audience.WAITLISTED: "you are on the waiting list for",
    Audience.PENDING_APPROVAL: "your registration is awaiting approval for",
    Audience.SESSION: "you signed up for a session of",
    Audience.MEMBERS: "your business has a showcase booking at",
    Audience.CANCELLED: "you registered for",
}


@dataclass(frozen=True)
class Draft:
    subject: str
    body: str
    audiences: frozenset[Audience]
    item_id: int | None = None
    draft_key: str = ""


@dataclass(frozen=True)
class Preview:
    visit: Visit
    recipients: list[Recipient]
    by_audience: list[tuple[Audience, int]]
    example: mail.Parts | None
    example_to: str


def check(visit: Visit, draft: Draft) -> Draft:
    """The draft tidied, or ValidationError with a message per field."""
    errors = {}
    subject = " ".join(draft.subject.split())
    body = (draft.body or "").strip()
    if not subject:
        errors["subject"] = "Write a subject."
    elif len(subject) > SUBJECT_MAX:
        errors["subject"] = f"Keep the subject under {SUBJECT_MAX} characters."
    if not body:
        errors["body"] = "Write the message."
    elif len(body) > BODY_MAX:
        errors["body"] = f"Keep the message under {BODY_MAX:,} characters."
    if not draft.audiences:
        errors["audiences"] = "Choose who the message goes to."
    item_id = draft.item_id
    if Audience.SESSION in draft.audiences:
        if item_id not in {item.id for item in audiences.limited_items(visit)}:
            errors["item_id"] = "Choose the session whose sign-ups get the message."
    else:
        item_id = None
    if errors:
        raise ValidationError(errors)
    return Draft(subject, body, draft.audiences, item_id, draft.draft_key)


@dataclass(frozen=True)
class Body:
    """The organiser's Markdown made once per message, for every recipient's email."""

    html: Markup
    text: str

    @classmethod
    def of(cls, draft: Draft) -> Body:
        return cls(Markup(to_html(draft.body)), to_text(draft.body))  # noqa: S704 - nh3


def render(visit: Visit, draft: Draft, recipient: Recipient, body: Body,
           private_links: bool = True) -> mail.Parts:
    """One recipient's email: the organiser's text, and why they are getting it."""
    manage_url = None
    registration = recipient.registration
    if registration is not None and registration.status is not RegistrationStatus.CANCELLED:
        # The organiser's preview shows the email as sent, but not someone's private link.
        manage_url = (notices.manage_url(registration) if private_links
                      else notices.PRIVATE_LINK_SHOWN)
    return mail.render_parts(
        TEMPLATE, visit=visit, message_subject=draft.subject, name=recipient.name,
        body_html=body.html, body_text=body.text, why=WHY[recipient.audience],
        manage_url=manage_url,
        member_url=absolute("/member/") if recipient.user is not None else None,
        visit_url=absolute(f"/visits/{visit.slug}/"),
    )


def preview(actor: User, slug: str, draft: Draft) -> Preview:
    """Who would get the draft, and the first of them's email; nothing is written."""
    visit = organiser_visit(actor, slug)
    draft = check(visit, draft)
    people = audiences.recipients(visit, draft.audiences, draft.item_id)
    counted = Counter(person.audience for person in people)
    example = (render(visit, draft, people[0], Body.of(draft), private_links=False)
               if people else None)
    return Preview(visit, people, [(a, counted[a]) for a in audiences.ORDER if counted[a]],
                   example, people[0].email if people else "")


def send(actor: User, slug: str, draft: Draft) -> Message:
    """Queue the message to every recipient; the same draft key sends nothing again."""
    with write():
        visit = organiser_visit(actor, slug)
        draft = check(visit, draft)
        if not draft.draft_key:
            raise ValidationError({"draft_key": "Open the message form again and resend."})
        sent = db.session.scalar(select(Message).where(
            Message.visit_id == visit.id, Message.draft_key == draft.draft_key))
        if sent is not None:
            return sent
        people = audiences.recipients(visit, draft.audiences, draft.item_id)
        if not people:
            raise ValidationError({"audiences": "Nobody is in the groups you chose."})
        message = Message(visit_id=visit.id, author_id=actor.id, subject=draft.subject,
                          body_markdown=draft.body, item_id=draft.item_id,
                          audiences=[a.value for a in audiences.ORDER if a in draft.audiences],
                          draft_key=draft.draft_key[:64], recipient_count=len(people))
        db.session.add(message)
        db.session.flush()
        body = Body.of(draft)
        for person in people:
            # An attendee's emails share the registration's topic: erasing their data
            # deletes them with it (registration.rules.own_page.anonymise).
            topic = (f"registration:{person.registration.id}" if person.registration
                     else f"message:{message.id}")
            queued = mail.queue_parts(person.email, render(visit, draft, person, body),
                                      topic=topic, visit=visit)
            message.recipients.append(MessageRecipient(
                audience=person.audience, outbox=queued,
                registration_id=person.registration.id if person.registration else None,
                user_id=person.user.id if person.user else None))
    return message


# --- the Messages page ---------------------------------------------------------------------

QUEUED = (OutboxStatus.PENDING, OutboxStatus.SENDING)


def delivery_state(recipient: MessageRecipient) -> str:
    """queued, sent or failed from the outbox row; erased once the person erased their
    data (their emails went with it)."""
    return _state(recipient.outbox.status if recipient.outbox is not None else None)


def _state(status: OutboxStatus | None) -> str:
    if status is None:
        return "erased"
    return "queued" if status in QUEUED else status.value


@dataclass(frozen=True)
class MessageLine:
    message: Message
    states: dict[str, int]


def messages_page(actor: User, slug: str) -> tuple[Visit, list[MessageLine]]:
    """The visit's messages, newest first, each with how many are queued, sent, failed."""
    visit = organiser_visit(actor, slug)
    messages = list(db.session.scalars(
        select(Message).where(Message.visit_id == visit.id)
        .options(selectinload(Message.author), selectinload(Message.item))
        .order_by(Message.created_at.desc(), Message.id.desc())))
    states: dict[int, Counter] = {m.id: Counter() for m in messages}
    rows = db.session.execute(
        select(MessageRecipient.message_id, OutboxMessage.status, func.count())
        .outerjoin(OutboxMessage, OutboxMessage.id == MessageRecipient.outbox_id)
        .join(Message, Message.id == MessageRecipient.message_id)
        .where(Message.visit_id == visit.id)
        .group_by(MessageRecipient.message_id, OutboxMessage.status))
    for message_id, status, count in rows:
        states[message_id][_state(status)] += count
    return visit, [MessageLine(m, dict(states[m.id])) for m in messages]


def message_detail(actor: User, slug: str, message_id: int) -> Message:
    """One message with its recipients, their registrations or logins and outbox rows."""
    visit = organiser_visit(actor, slug)
    message = db.session.scalar(
        select(Message).where(Message.id == message_id, Message.visit_id == visit.id)
        .options(selectinload(Message.recipients).selectinload(MessageRecipient.registration),
                 selectinload(Message.recipients).selectinload(MessageRecipient.user)
                 .selectinload(User.business),
                 selectinload(Message.recipients).selectinload(MessageRecipient.outbox),
                 selectinload(Message.author), selectinload(Message.item)))
    if message is None:
        raise NotFound("No such message.")
    return message
