"""The organiser's member businesses: the list, adding and editing, inviting people,
resending and removing logins, and the CSV import with its report."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from eventsapp.accounts import rules as users
from eventsapp.accounts.models import Role, User
from eventsapp.members import rules as members
from eventsapp.members.models import MemberBusiness
from tests.conftest import login
from tests.support import labels, make_business, make_member, make_user, outbox, page_text

HEADER = "name,website,contact name,contact email\n"


def count(db, model) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(model))


def user(db, email: str) -> User:
    db.session.rollback()
    return db.session.scalar(select(User).where(User.email == email))


def business_form(**overrides) -> dict:
    form = {
        "name": "Clayworks Studio",
        "website": "https://clayworks.example",
        "sectors": "ceramics,  design ,",
        "description": "Studio pottery and 3D printing in clay.",
    }
    form.update(overrides)
    return form


@pytest.fixture
def clayworks(app):
    return make_business()


# --- the list ------------------------------------------------------------------------------


def test_empty_list(organiser_client):
    response = organiser_client.get("/organiser/members/")
    assert response.status_code == 200
    shown = page_text(response)
    assert "No member businesses yet" in shown
    assert "import members from a CSV file" in shown


def test_list_shows_businesses_and_their_people(organiser_client, clayworks, db):
    make_member(clayworks, email="mina@clayworks.example", name="Mina Maker")
    invited = User(email="sam@clayworks.example", name="Sam Potter", role=Role.MEMBER,
                   business_id=clayworks.id)
    db.session.add(invited)
    db.session.commit()
    make_business(name="Kiln House Games", website="", sectors="")
    response = organiser_client.get("/organiser/members/")
    markup = response.get_data(as_text=True)
    row = page_text(re.search(rf'<tr id="business-{clayworks.id}">(.*?)</tr>', markup,
                              re.S).group(1))
    assert row.startswith("Clayworks Studio Studio pottery and 3D printing. Edit Clayworks Studio "
                          "https://clayworks.example ceramics design")
    assert "Mina Maker · mina@clayworks.example Password set" in row
    assert "Sam Potter · sam@clayworks.example Invited, no password yet" in row
    assert '<a href="https://clayworks.example" rel="noopener noreferrer">' in markup
    text = page_text(response)
    assert "Kiln House Games" in text
    assert text.index("Clayworks Studio") < text.index("Kiln House Games")


def test_a_website_that_is_not_http_is_never_a_link(organiser_client, db):
    make_business(name="Odd Ltd", website="javascript:alert(1)")
    markup = organiser_client.get("/organiser/members/").get_data(as_text=True)
    assert "javascript:alert(1)" in markup
    assert 'href="javascript' not in markup


# --- adding and editing a business ------------------------------------------------------


def test_add_a_business(organiser_client, db):
    form = organiser_client.get("/organiser/members/new").get_data(as_text=True)
    assert labels(form) == {"name": "Name", "website": "Website", "sectors": "Sector tags",
                            "description": "Short description"}
    response = organiser_client.post("/organiser/members/new",
                                     data=business_form(name="  Clayworks   Studio "))
    assert response.status_code == 302
    business = db.session.scalar(select(MemberBusiness))
    assert response.headers["Location"] == f"/organiser/members/{business.id}/edit#people"
    assert business.name == "Clayworks Studio"
    assert business.website == "https://clayworks.example"
    assert business.sectors == "ceramics, design"
    assert business.description == "Studio pottery and 3D printing in clay."
    assert "Added Clayworks Studio. Now invite its people." in page_text(
        organiser_client.get(response.headers["Location"]))


@pytest.mark.parametrize(("overrides", "message"), [
    ({"name": " "}, "Enter the business's name"),
    ({"name": "n" * 201}, "Name must be 200 characters or fewer"),
    ({"website": "clayworks"}, "Enter a web address starting with https://"),
    ({"website": "javascript://example.com/%0Aalert(1)"},
     "Enter a web address starting with https://"),
    ({"website": "https://" + "w" * 290 + ".example"}, "Website must be 300 characters or fewer"),
    ({"sectors": "s" * 301}, "Sector tags must be 300 characters or fewer"),
    ({"description": "d" * 1001}, "Short description must be 1,000 characters or fewer"),
])
def test_bad_business_details_are_refused(organiser_client, db, overrides, message):
    response = organiser_client.post("/organiser/members/new", data=business_form(**overrides))
    assert response.status_code == 422
    assert message in page_text(response)
    assert count(db, MemberBusiness) == 0


def test_a_name_used_twice_is_refused(organiser_client, clayworks, db):
    response = organiser_client.post("/organiser/members/new",
                                     data=business_form(name="CLAYWORKS studio"))
    assert response.status_code == 422
    assert "A member business called CLAYWORKS studio already exists." in page_text(response)
    assert count(db, MemberBusiness) == 1


def test_edit_a_business(organiser_client, clayworks, db):
    page = organiser_client.get(f"/organiser/members/{clayworks.id}/edit")
    assert 'value="Clayworks Studio"' in page.get_data(as_text=True)
    response = organiser_client.post(
        f"/organiser/members/{clayworks.id}/edit",
        data=business_form(name="Clayworks", website="", sectors="ceramics", description=""))
    assert response.status_code == 302
    assert response.headers["Location"] == f"/organiser/members/#business-{clayworks.id}"
    db.session.rollback()
    again = db.session.get(MemberBusiness, clayworks.id)
    assert (again.name, again.website, again.sectors, again.description) == (
        "Clayworks", "", "ceramics", "")


def test_a_business_that_does_not_exist_is_not_found(organiser_client):
    assert organiser_client.get("/organiser/members/999/edit").status_code == 404
    assert organiser_client.post("/organiser/members/999/people",
                                 data={"person-name": "A", "person-email": "a@example.org"}
                                 ).status_code == 404


# --- people ------------------------------------------------------------------------------


def test_invite_a_person(organiser_client, clayworks, db, app):
    page = organiser_client.get(f"/organiser/members/{clayworks.id}/edit")
    markup = page.get_data(as_text=True)
    assert labels(markup)["person-name"] == "Name"
    assert labels(markup)["person-email"] == "Email"
    assert "Nobody from Clayworks Studio can log in yet." in page_text(page)

    response = organiser_client.post(
        f"/organiser/members/{clayworks.id}/people",
        data={"person-name": " Mina Maker ", "person-email": " Mina@Clayworks.example "})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/organiser/members/{clayworks.id}/edit#people"
    person = user(db, "mina@clayworks.example")
    assert (person.name, person.role, person.business_id) == (
        "Mina Maker", Role.MEMBER, clayworks.id)
    assert person.password_hash is None
    [mail] = outbox()
    assert mail.to == "mina@clayworks.example"
    assert mail.subject == "Your eventsapp login for Clayworks Studio"
    link = re.search(r"http://localhost/set-password/(\S+)", mail.body_text)
    assert link, mail.body_text
    assert "expires in 7 days" in mail.body_text
    assert users.user_for_set_password_token(link.group(1)).id == person.id

    page = organiser_client.get(f"/organiser/members/{clayworks.id}/edit")
    assert "Invited Mina Maker: they have been emailed a link to set their password" in page_text(
        page)
    assert "Mina Maker mina@clayworks.example Invited, no password yet" in page_text(page)


@pytest.mark.parametrize(("data", "message"), [
    ({"person-name": "", "person-email": "a@example.org"}, "Enter the person's name"),
    ({"person-name": "A", "person-email": ""}, "Enter the person's email address"),
    ({"person-name": "A", "person-email": "not an email"},
     "Enter an email address like name@example.org"),
])
def test_bad_invitations_are_refused(organiser_client, clayworks, db, data, message):
    response = organiser_client.post(f"/organiser/members/{clayworks.id}/people", data=data)
    assert response.status_code == 422
    assert message in page_text(response)
    # The business form on the page keeps the stored values.
    assert 'value="Clayworks Studio"' in response.get_data(as_text=True)
    assert count(db, User) == 1  # the organiser
    assert outbox() == []


def test_an_email_with_an_account_is_refused(organiser_client, clayworks, organiser, db):
    response = organiser_client.post(
        f"/organiser/members/{clayworks.id}/people",
        data={"person-name": "Olu", "person-email": "ORGANISER@example.org"})
    assert response.status_code == 422
    assert "organiser@example.org already has an account." in page_text(response)
    assert outbox() == []


def test_resend_an_invitation(organiser_client, clayworks, db):
    # A colleague in the same organisation invited them.
    colleague = make_user(email="o2@example.org", organisation=clayworks.organisation)
    invited = members.invite_person(colleague, clayworks.id,
                                    "Sam Potter", "sam@clayworks.example")
    response = organiser_client.post(f"/organiser/members/people/{invited.id}/resend")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/organiser/members/#business-{clayworks.id}"
    first, second = outbox()
    assert second.to == "sam@clayworks.example"
    assert "/set-password/" in second.body_text
    assert "Sent sam@clayworks.example a new link to set their password" in page_text(
        organiser_client.get("/organiser/members/"))


def test_remove_a_person(client, organiser, clayworks, db):
    mina = make_member(clayworks, email="mina@clayworks.example")
    login(client, organiser)
    response = client.post(f"/organiser/members/people/{mina.id}/remove")
    assert response.status_code == 302
    assert user(db, "mina@clayworks.example").active is False
    page = client.get("/organiser/members/")
    assert "Removed the person's login" in page_text(page)
    assert "mina@clayworks.example Login removed" in page_text(page)
    # Resending to a removed login is refused: the link could not work.
    response = client.post(f"/organiser/members/people/{mina.id}/resend",
                           follow_redirects=True)
    assert "login has been removed, so no link was sent" in page_text(response)
    assert outbox() == []
    client.post("/logout")
    response = client.post("/login", data={"email": "mina@clayworks.example",
                                           "password": "correct horse battery"})
    assert response.status_code != 302


def test_people_actions_on_an_organiser_or_nobody_are_not_found(organiser_client, organiser):
    for action in ("resend", "remove"):
        assert organiser_client.post(
            f"/organiser/members/people/{organiser.id}/{action}").status_code == 404
        assert organiser_client.post(
            f"/organiser/members/people/999999/{action}").status_code == 404


# --- CSV import --------------------------------------------------------------------------


def upload(client, content: bytes | str, filename: str = "members.csv"):
    """POST a file as a browser would. The body is encoded here, in memory: the test
    client would spool a large one to a temporary file it never closes."""
    if isinstance(content, str):
        content = content.encode("utf-8")
    boundary, body = encode_multipart(
        {"file": FileStorage(io.BytesIO(content), filename=filename, content_type="text/csv")})
    return client.post("/organiser/members/import", data=body,
                       content_type=f"multipart/form-data; boundary={boundary}")


def test_import_page_explains_the_columns(organiser_client):
    page = organiser_client.get("/organiser/members/import")
    markup = page.get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in markup
    assert labels(markup) == {"file": "CSV file"}
    assert "name, website, contact name, contact email" in page_text(page)


def test_import_creates_invites_and_reports_skipped_rows(organiser_client, clayworks, db):
    make_member(clayworks, email="taken@example.org")
    csv_text = (
        "\ufeffName,Website,Contact name,Contact email\n"
        "Kiln House Games,https://kiln.example,Kai Kiln,kai@kiln.example\n"   # 2: created
        ",https://nobody.example,No Name,noname@example.org\n"               # 3: no name
        "Kiln House Games,,Ro Potter,ro@kiln.example\n"                      # 4: 2nd person
        "Glaze Lab,,Gus Glaze,not-an-email\n"                                # 5: bad email
        "Glaze Lab,,Gus Again,KAI@kiln.example\n"                            # 6: dup in file
        "Clayworks Studio,,Tam Taken,taken@example.org\n"                    # 7: has account
        "\n"                                                                 # 8: blank
        "Spode Makers,https://spode.example,,\n"                             # 9: no contact
    )
    response = upload(organiser_client, csv_text)
    assert response.status_code == 200
    shown = page_text(response)
    assert "2 businesses created · 2 people invited · 4 rows skipped" in shown
    assert "Businesses created Kiln House Games Spode Makers" in shown
    assert "People invited Each has been emailed a link to set their password, valid for " \
           "7 days. kai@kiln.example ro@kiln.example" in shown
    assert "Line 3 no business name" in shown
    assert "Line 5 “not-an-email” is not a valid email address" in shown
    assert "Line 6 kai@kiln.example is already on line 2 of the file" in shown
    assert "Line 7 taken@example.org already has an account" in shown

    names = set(db.session.scalars(select(MemberBusiness.name)))
    assert names == {"Clayworks Studio", "Kiln House Games", "Spode Makers"}
    kai = user(db, "kai@kiln.example")
    assert (kai.name, kai.business.name, kai.password_hash) == (
        "Kai Kiln", "Kiln House Games", None)
    assert user(db, "ro@kiln.example").business_id == kai.business_id
    mails = outbox()
    assert [m.to for m in mails] == ["kai@kiln.example", "ro@kiln.example"]
    assert all("/set-password/" in m.body_text for m in mails)


@pytest.mark.parametrize(("content", "message"), [
    ("name,website,contact email\nA,,a@example.org\n",
     "The first row must name the columns: name, website, contact name, contact email "
     "(missing: contact name)."),
    ("", "The first row must name the columns"),
    ("name,website,contact name,contact email\n".encode("utf-16"),
     "The file is not UTF-8 text. Save it as CSV UTF-8."),
    (b"\x89PNG\r\n\x1a\n\x00\x00", "The file is not UTF-8 text."),
])
def test_a_bad_file_saves_nothing(organiser_client, db, content, message):
    response = upload(organiser_client, content)
    assert response.status_code == 422
    assert message in page_text(response)
    assert count(db, MemberBusiness) == 0
    assert count(db, User) == 1
    assert outbox() == []


def test_no_file_chosen(organiser_client):
    response = organiser_client.post("/organiser/members/import", data={},
                                     content_type="multipart/form-data")
    assert response.status_code == 422
    assert "Choose a CSV file to import" in page_text(response)


def test_a_file_over_1_mb_is_refused(organiser_client, db):
    big = HEADER + "A Business,,A Person,a@example.org\n" * 40_000  # about 1.4 MB
    assert len(big) > 1024 * 1024
    response = upload(organiser_client, big)
    assert response.status_code == 413
    assert "1 MB" in page_text(response)
    assert "Split it into smaller files." in page_text(response)
    assert count(db, MemberBusiness) == 0


def test_a_file_just_over_1_mb_is_refused_by_the_form(organiser_client, db):
    row = "A Business,,A Person,a@example.org\n"
    content = HEADER + row * ((1024 * 1024 - len(HEADER)) // len(row) + 1)
    assert 1024 * 1024 < len(content) < 1024 * 1024 + 64 * 1024
    response = upload(organiser_client, content)
    assert response.status_code == 422
    assert "files up to 1 MB can be imported. Split it into smaller files." in page_text(response)
    assert count(db, MemberBusiness) == 0


def test_a_huge_upload_is_refused_before_it_is_read(organiser_client, db):
    response = upload(organiser_client, b"x" * (3 * 1024 * 1024))
    assert response.status_code == 413
    shown = page_text(response)
    assert "The file is larger than 1 MB, the most that can be imported at once." in shown
    assert labels(response.get_data(as_text=True)) == {"file": "CSV file"}
    assert count(db, MemberBusiness) == 0


def csrf_token(client, url: str) -> str:
    markup = client.get(url).get_data(as_text=True)
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', markup).group(1)


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
def test_a_huge_upload_is_refused_before_csrf_reads_it(client, organiser, db, app_config):
    """With CSRF protection on, the form is read before the view runs: the limit
    still applies there, and the page still explains it."""
    response = client.post("/login", data={"email": organiser.email,
                                           "password": "correct horse battery",
                                           "csrf_token": csrf_token(client, "/login")})
    assert response.status_code == 302
    token = csrf_token(client, "/organiser/members/import")
    boundary, body = encode_multipart({
        "csrf_token": token,
        "file": FileStorage(io.BytesIO(b"x" * (3 * 1024 * 1024)), filename="big.csv"),
    })
    response = client.post("/organiser/members/import", data=body,
                           content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 413
    assert "The file is larger than 1 MB" in page_text(response)
    # A small file goes through the same protection and is imported.
    boundary, body = encode_multipart({
        "csrf_token": token,
        "file": FileStorage(io.BytesIO((HEADER + "Glaze Lab,,,\n").encode()),
                            filename="small.csv"),
    })
    response = client.post("/organiser/members/import", data=body,
                           content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 200
    assert "1 business created" in page_text(response)


# --- who may see these pages -----------------------------------------------------------


def member_requests(business_id: int, user_id: int) -> list[tuple[str, str]]:
    return [
        ("get", "/organiser/members/"),
        ("get", "/organiser/members/new"),
        ("post", "/organiser/members/new"),
        ("get", f"/organiser/members/{business_id}/edit"),
        ("post", f"/organiser/members/{business_id}/edit"),
        ("post", f"/organiser/members/{business_id}/people"),
        ("post", f"/organiser/members/people/{user_id}/resend"),
        ("post", f"/organiser/members/people/{user_id}/remove"),
        ("get", "/organiser/members/import"),
        ("post", "/organiser/members/import"),
    ]


def test_a_member_gets_403_everywhere(client, clayworks, db):
    mina = make_member(clayworks, email="mina@clayworks.example")
    login(client, mina)
    data = {**business_form(name="Hijack"), "person-name": "X", "person-email": "x@example.org"}
    for method, url in member_requests(clayworks.id, mina.id):
        response = getattr(client, method)(url, data=data if method == "post" else None)
        assert response.status_code == 403, (method, url)
    assert user(db, "mina@clayworks.example").active is True
    assert count(db, MemberBusiness) == 1
    assert db.session.get(MemberBusiness, clayworks.id).name == "Clayworks Studio"
    assert outbox() == []


def test_anonymous_people_are_sent_to_log_in(client, clayworks, db):
    mina = make_member(clayworks, email="mina@clayworks.example")
    for method, url in member_requests(clayworks.id, mina.id):
        response = getattr(client, method)(url)
        assert response.status_code == 302, (method, url)
        assert response.headers["Location"].startswith("/login"), (method, url)


def test_any_organiser_manages_members(client, clayworks):
    login(client, make_user(email="new-organiser@example.org"))
    assert "Clayworks Studio" in page_text(client.get("/organiser/members/"))
