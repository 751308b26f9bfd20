"""The lost-link email as delivered over SMTP (aiosmtpd on loopback): its text part
carries the attendee's working private link."""

from __future__ import annotations

import re

from eventsapp.mail import delivery as outbox
from tests.mail.smtp import parts
from tests.mail.test_outbox_delivery import (
    SENDER,  # noqa: F401
    smtp_port,  # noqa: F401
    smtp_server,  # noqa: F401
)
from tests.registration.test_form import open_visit
from tests.support import make_registration

LINK = re.compile(r"https?://[^/\s]+(/r/[A-Za-z0-9_-]{43})")


def test_the_delivered_email_has_the_working_link(client, db, smtp_server, smtp_port):  # noqa: F811
    visit = open_visit()
    make_registration(visit, email="ada@example.org", full_name="Ada Lovelace")
    client.post("/visits/cic-stoke/lost-link", data={"email": "ada@example.org"})
    client.post("/visits/cic-stoke/lost-link", data={"email": "nobody@example.org"})

    report = outbox.send_due(outbox.SMTPTransport(host="127.0.0.1", port=smtp_port, timeout=5),
                             SENDER)

    assert report.sent == 1
    [message] = smtp_server.messages
    assert message["To"] == "ada@example.org"
    assert message["Subject"] == "Your private link: Regions and Clusters delegation"
    assert [part.get_content_type() for part in message.walk()] == [
        "multipart/alternative", "text/plain", "text/html"]
    text, html = parts(message)
    [link] = LINK.findall(text)
    assert f'href="http://localhost{link}"' in html  # clickable in the HTML part
    assert client.get(link).status_code == 200
