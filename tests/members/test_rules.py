"""The rules of services.members, called directly with a real organiser."""

from __future__ import annotations

import pytest
from itsdangerous import TimestampSigner
from sqlalchemy import func, select

from eventsapp.accounts import rules as users
from eventsapp.accounts.models import User
from eventsapp.errors import Conflict, NotFound, ValidationError
from eventsapp.mail.models import OutboxMessage
from eventsapp.members import rules as members
from eventsapp.members.models import MemberBusiness
from eventsapp.members.rules import BusinessInput
from tests.support import make_business, make_member, make_user

HEADER = "name,website,contact name,contact email\n"


def count(db, model) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def clayworks(app):
    return make_business()


# --- businesses ------------------------------------------------------------------------


def test_save_business_tidies_what_was_typed(organiser, db):
    saved = members.save_business(organiser, BusinessInput(
        name="  Kiln   House Games ", website=" https://kiln.example ",
        sectors=" games,, VFX ,animation ", description="  Games made of clay.  "))
    db.session.rollback()
    again = db.session.get(MemberBusiness, saved.id)
    assert again.name == "Kiln House Games"
    assert again.website == "https://kiln.example"
    assert again.sectors == "games, VFX, animation"
    assert again.sector_tags == ["games", "VFX", "animation"]
    assert again.description == "Games made of clay."


def test_business_names_are_unique_whatever_the_case(organiser, clayworks, db):
    with pytest.raises(ValidationError) as refused:
        members.save_business(organiser, BusinessInput(name="clayworks  STUDIO"))
    assert refused.value.errors == {
        "name": "A member business called clayworks STUDIO already exists."}
    # Renaming a business to its own name (another case) is fine.
    members.save_business(organiser, BusinessInput(name="CLAYWORKS Studio"), clayworks.id)
    assert count(db, MemberBusiness) == 1


def test_only_organisers_manage_members(clayworks, db):
    mina = make_member(clayworks, email="mina@clayworks.example")
    for call in (
        lambda: members.businesses(mina),
        lambda: members.save_business(mina, BusinessInput(name="Hijack")),
        lambda: members.invite_person(mina, clayworks.id, "X", "x@example.org"),
        lambda: members.remove_person(mina, mina.id),
        lambda: members.import_members(mina, (HEADER + "Hijack,,,\n").encode()),
    ):
        with pytest.raises(NotFound):
            call()
    assert count(db, MemberBusiness) == 1
    assert count(db, OutboxMessage) == 0


# --- invitations and the set-password link --------------------------------------------------


def invitation_token(db) -> str:
    db.session.rollback()
    body = db.session.scalars(select(OutboxMessage.body_text).order_by(
        OutboxMessage.id.desc())).first()
    return body.split("/set-password/", 1)[1].split()[0]


def test_the_set_password_link_works_once(organiser, clayworks, db):
    person = members.invite_person(organiser, clayworks.id, "Mina", "mina@clayworks.example")
    token = invitation_token(db)
    users.set_password(token, "a long enough password")
    db.session.rollback()
    assert db.session.get(User, person.id).check_password("a long enough password")
    with pytest.raises(NotFound):
        users.set_password(token, "another long password")


def test_the_set_password_link_expires_after_7_days(organiser, clayworks, db, monkeypatch):
    members.invite_person(organiser, clayworks.id, "Mina", "mina@clayworks.example")
    token = invitation_token(db)
    signed_at = TimestampSigner.get_timestamp

    monkeypatch.setattr(TimestampSigner, "get_timestamp",
                        lambda self: signed_at(self) + 7 * 24 * 3600 - 60)
    assert users.user_for_set_password_token(token).email == "mina@clayworks.example"
    monkeypatch.setattr(TimestampSigner, "get_timestamp",
                        lambda self: signed_at(self) + 7 * 24 * 3600 + 60)
    with pytest.raises(Conflict, match="This link has expired"):
        users.user_for_set_password_token(token)


def test_a_new_link_replaces_nothing_until_used(organiser, clayworks, db):
    """Resending sends a second link; either works, once."""
    person = members.invite_person(organiser, clayworks.id, "Mina", "mina@clayworks.example")
    first = invitation_token(db)
    members.resend_invitation(organiser, person.id)
    second = invitation_token(db)
    users.set_password(second, "a long enough password")
    with pytest.raises(NotFound):
        users.user_for_set_password_token(first)


def test_an_email_has_one_account_whatever_the_case(organiser, clayworks, db):
    make_member(clayworks, email="mina@clayworks.example")
    with pytest.raises(ValidationError) as refused:
        members.invite_person(organiser, clayworks.id, "Mina", "  MINA@Clayworks.Example ")
    assert refused.value.errors == {"email": "mina@clayworks.example already has an account."}
    assert count(db, OutboxMessage) == 0


def test_a_removed_login_cannot_use_or_be_sent_a_link(organiser, clayworks, db):
    person = members.invite_person(organiser, clayworks.id, "Mina", "mina@clayworks.example")
    token = invitation_token(db)
    members.remove_person(organiser, person.id)
    with pytest.raises(NotFound):
        users.user_for_set_password_token(token)
    with pytest.raises(Conflict, match="login has been removed"):
        members.resend_invitation(organiser, person.id)
    assert count(db, OutboxMessage) == 1


# --- CSV import ---------------------------------------------------------------------------


def test_import_reports_lines_as_in_the_file(organiser, db):
    report = members.import_members(organiser, (
        HEADER
        + "\n"                                              # 2: blank, ignored
        + "Glaze Lab,,Gus,gus@glaze.example\n"              # 3
        + ",,,\n"                                           # 4: empty cells, ignored
        + ',"https://x.example",Nobody,nobody@example.org\n'  # 5: no name
        + '"Multi\nLine Ltd",,Mo,mo@example\n'              # 6-7: invalid email
        + "Glaze Lab,,Gus Again,GUS@glaze.example\n"        # 8: same email as line 3
    ).encode())
    assert report.created_businesses == ["Glaze Lab"]
    assert report.invited == ["gus@glaze.example"]
    assert report.skipped == [
        (5, "no business name"),
        (7, "“mo@example” is not a valid email address"),
        (8, "gus@glaze.example is already on line 3 of the file"),
    ]


def test_import_matches_existing_businesses_and_accounts(organiser, clayworks, db):
    make_member(clayworks, email="taken@example.org")
    report = members.import_members(organiser, (
        HEADER
        + "CLAYWORKS STUDIO,,New Person,new@clayworks.example\n"
        + "Clayworks Studio,,Taken,Taken@Example.org\n"
        + "Kiln House,https://kiln.example,Kai,\n"
        + ("L" * 201) + ",,,\n"
    ).encode())
    assert report.created_businesses == ["Kiln House"]
    assert report.invited == ["new@clayworks.example"]
    assert report.skipped == [
        (3, "taken@example.org already has an account"),
        (4, "contact without an email address (business kept)"),
        (5, "business name longer than 200 characters"),
    ]
    db.session.rollback()
    new = db.session.scalar(select(User).where(User.email == "new@clayworks.example"))
    assert new.business_id == clayworks.id
    assert new.feed_token_hash is not None
    kiln = db.session.scalar(select(MemberBusiness).where(MemberBusiness.name == "Kiln House"))
    assert kiln.website == "https://kiln.example"


@pytest.mark.parametrize(("content", "message"), [
    (b"name,website\nA,\n", "(missing: contact name, contact email)"),
    (b"\xff\xfe\x00n", "The file is not UTF-8 text."),
    (HEADER.encode() + b'"' + b"x" * 200_000 + b'",,,\n', "could not be read as CSV"),
])
def test_a_bad_file_saves_nothing(organiser, db, content, message):
    with pytest.raises(ValidationError) as refused:
        members.import_members(organiser, content)
    assert message in refused.value.errors["file"]
    assert count(db, MemberBusiness) == 0
    assert count(db, User) == 1


def test_nul_characters_are_dropped(organiser, db):
    report = members.import_members(organiser, (HEADER + "Glaze\x00 Lab,,Gus,\n").encode())
    assert report.created_businesses == ["Glaze Lab"]


def test_the_bom_that_excel_writes_is_ignored(organiser, db):
    report = members.import_members(organiser, ("\ufeff" + HEADER + "Glaze Lab,,,\n").encode())
    assert report.created_businesses == ["Glaze Lab"]


def test_another_organiser_may_import(db, app):
    other = make_user(email="other@example.org")
    assert members.import_members(other, (HEADER + "Glaze Lab,,,\n").encode()
                                  ).created_businesses == ["Glaze Lab"]
