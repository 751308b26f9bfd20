"""flask notices send, and the outbox worker sending due digests before each round."""

from __future__ import annotations

import email

import pytest

from tests.changes.support import move, outbox, pending, published_world
from tests.support import make_registration


@pytest.fixture
def world(organiser):
    world = published_world(organiser)
    make_registration(world.visit, email="ada@example.org")
    move(organiser, world.welcome, "09:15", "10:00")
    return world


def test_notices_send_waits_for_the_quiet_period(app, world):
    result = app.test_cli_runner().invoke(args=["notices", "send"])
    assert result.exit_code == 0, result.output
    assert "0 emails queued for 0 visits" in result.output
    assert outbox() == [] and len(pending(world.visit)) == 1

    app.config["NOTICE_QUIET_MINUTES"] = 0
    result = app.test_cli_runner().invoke(args=["notices", "send"])
    assert "Change notices: 1 email queued for 1 visit, 1 change dealt with." in (
        result.output)
    assert [m.to for m in outbox()] == ["ada@example.org"]


def test_the_outbox_worker_sends_due_digests_with_the_rest(app, world, tmp_path):
    app.config.update(MAIL_SERVER=None, NOTICE_QUIET_MINUTES=0)
    app.instance_path = str(tmp_path)

    result = app.test_cli_runner().invoke(args=["outbox", "send"])

    assert result.exit_code == 0, result.output
    assert "Change notices: 1 email queued" in result.output and "Sent 1" in result.output
    [file] = (tmp_path / "outbox").glob("*.eml")
    message = email.message_from_bytes(file.read_bytes())
    assert message["To"] == "ada@example.org"
    assert message["Subject"] == "Changes to Regions and Clusters delegation"
    assert pending(world.visit) == []
