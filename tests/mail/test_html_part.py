"""Two-part emails: one template gives the subject, the text and the HTML alternative;
delivered as multipart/alternative (inside multipart/mixed with attachments); an
email of templates/mail/ is named by its name or its path."""

from __future__ import annotations

from eventsapp.extensions import db
from eventsapp.mail import outbox as mail
from tests.mail.smtp import attachment_names, deliver_all, parts
from tests.support import make_visit

TEMPLATE = "messages/email/message.html"


def _context(visit, **overrides):
    from markupsafe import Markup

    context = dict(visit=visit, message_subject="Coaches <leave> at 9", name="Ada & Co",
                   body_html=Markup("<p><strong>Bring</strong> boots</p>"),
                   body_text="**Bring** boots", why="you are registered for",
                   manage_url="https://example.org/r/abc", member_url=None,
                   visit_url="https://example.org/visits/v/")
    context.update(overrides)
    return context


def test_one_template_gives_both_parts_escaped_only_in_html(app):
    visit = make_visit(contact_email="team@example.org")
    parts_ = mail.render_parts(TEMPLATE, **_context(visit))
    assert parts_.subject == "Coaches <leave> at 9"
    assert "Dear Ada & Co," in parts_.text and "&amp;" not in parts_.text
    assert "**Bring** boots" in parts_.text
    assert "Dear Ada &amp; Co," in parts_.html
    assert "<strong>Bring</strong>" in parts_.html
    assert "https://example.org/r/abc" in parts_.text and "https://example.org/r/abc" in parts_.html


def test_html_and_text_alternatives_arrive_with_attachments(app):
    visit = make_visit()
    mail.queue_parts("ada@example.org", mail.render_parts(TEMPLATE, **_context(visit)),
                     attachments=[{"filename": "a.ics", "content_type": "text/calendar",
                                   "content": "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"}])
    mail.queue("bo@example.org", "mail/registration_cancelled.html",
               registration=type("R", (), {"full_name": "Bo"})(), visit=visit)
    db.session.commit()

    received = {m["To"]: m for m in deliver_all()}

    two_part = received["ada@example.org"]
    assert two_part.get_content_type() == "multipart/mixed"
    text, html = parts(two_part)
    assert "**Bring** boots" in text and "Dear Ada & Co," in text
    assert "<strong>Bring</strong> boots" in html and "Dear Ada &amp; Co," in html
    assert attachment_names(two_part) == ["a.ics"]
    plain = received["bo@example.org"]
    assert plain.get_content_type() == "multipart/alternative"
    assert "Dear Bo" in parts(plain)[0] and "<p" in parts(plain)[1] and "Dear Bo" in parts(plain)[1]
