"""A form sent with its required fields empty: each error is tied to its field
(aria-describedby, aria-invalid), read out with it, and the focus moves to the error
summary or the first field in error (static/js/app.js), so a screen reader or keyboard
user lands on what to fix. axe-core checks the page with its errors shown."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from eventsapp.agenda.models import ItemKind
from eventsapp.registration.models import QuestionKind
from eventsapp.visits.models import VisitStatus
from tests.e2e.support import axe_violations, expect, format_violations, log_in, screenshot, serious
from tests.support import (
    PASSWORD,
    SUMMER,
    make_business,
    make_item,
    make_member,
    make_question,
    make_showcase,
    make_visit,
)


@dataclass(frozen=True)
class Form:
    role: str | None
    path: Callable[[dict], str]
    submit: str  # the submit button's name
    first_field: str  # the label of the first field in error
    message: str  # and its error message


FORMS = {
    "register": Form(None, lambda d: "/visits/cic-stoke/register", "Register",
                     "Full name", "Enter your full name"),
    "login": Form(None, lambda d: "/login", "Log in", "Email", "This field is required."),
    "member-book": Form("member", lambda d: f"/member/slots/{d['slot_id']}/book",
                        "Book this slot", "Title", "Give your showcase a title"),
    "organiser-new-visit": Form("organiser", lambda d: "/organiser/visits/new", "Create visit",
                                "Title", "Enter a title"),
    "organiser-new-item": Form("organiser", lambda d: "/organiser/visits/cic-stoke/items/new",
                               "Add item", "Title", "Enter a title"),
}

# Every error message on the page must describe the control (or group) it is about, and
# every control marked invalid must be described by an error message.
_UNTIED = """
() => {
  const problems = [];
  const describedBy = (el) => (el.getAttribute('aria-describedby') || '').split(/\\s+/);
  const owners = [...document.querySelectorAll('[aria-describedby]')];
  for (const message of document.querySelectorAll('.error-message')) {
    if (!message.id) {
      problems.push(`an error message without an id: "${message.innerText}"`);
      continue;
    }
    if (!owners.some((el) => describedBy(el).includes(message.id))) {
      problems.push(`#${message.id} ("${message.innerText}") describes no control`);
    }
  }
  for (const control of document.querySelectorAll('[aria-invalid="true"]')) {
    const ids = [...describedBy(control), ...describedBy(control.closest('fieldset') || control)];
    if (!ids.some((id) => document.getElementById(id)?.matches('.error-message'))) {
      problems.push(`#${control.id} is invalid but no error message describes it`);
    }
  }
  for (const link of document.querySelectorAll('[data-error-summary] a[href^="#"]')) {
    if (!document.getElementById(link.getAttribute('href').slice(1))) {
      problems.push(`the error summary links to a missing ${link.getAttribute('href')}`);
    }
  }
  return problems;
}
"""

_FOCUS = """
() => {
  const active = document.activeElement;
  if (active.matches('[data-error-summary]')) return 'the error summary';
  if (active === document.querySelector('[aria-invalid="true"]')) return 'the first invalid field';
  return active.outerHTML.slice(0, 200);
}
"""


@pytest.fixture
def forms_data(organiser):
    visit = make_visit(slug="cic-stoke", status=VisitStatus.PUBLISHED, start_date=SUMMER,
                       organisers=[organiser])
    make_question(visit, kind=QuestionKind.SINGLE_CHOICE, label="Which days will you attend?",
                  options="Both days\nThe first day only", required=True)
    item = make_item(visit, "11:00", "12:00", title="Makers' showcase", kind=ItemKind.SHOWCASE)
    showcase = make_showcase(item)
    member = make_member(make_business())
    return {"slot_id": showcase.slots[0].id,
            "logins": {"organiser": organiser.email, "member": member.email}}


@pytest.mark.parametrize("name", list(FORMS))
def test_errors_are_tied_to_fields_and_focus_moves_to_them(forms_data, new_page, name):
    form = FORMS[name]
    page = new_page(bypass_csp=True)  # bypass: axe is injected at the end
    if form.role:
        log_in(page, forms_data["logins"][form.role], PASSWORD)
    page.goto(form.path(forms_data))
    page.get_by_role("button", name=form.submit, exact=True).click()

    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text(f"{form.first_field}: {form.message}")
    # app.js moves the focus once the page has loaded: wait for it (up to 5 s) rather
    # than read the focus in the moment between the HTML and the script.
    moved = "() => !(" + _FOCUS + ")().startsWith('<')"
    page.wait_for_function(moved, timeout=5000)
    assert page.evaluate(_FOCUS) in ("the error summary", "the first invalid field")

    field = page.get_by_label(form.first_field, exact=True)
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_have_accessible_description(re.compile(re.escape(form.message)))
    error_id = field.get_attribute("id") + "-error"
    assert error_id in field.get_attribute("aria-describedby").split()
    expect(page.locator(f"#{error_id}")).to_have_text(form.message)
    assert page.evaluate(_UNTIED) == []

    screenshot(page, f"errors-{name}-1280")
    violations = serious(axe_violations(page, report_name=f"errors-{name}-1280"))
    assert not violations, format_violations(violations)


def test_register_form_errors_on_groups_and_checkboxes_are_read_with_them(forms_data, new_page):
    """The radio group's error belongs to its fieldset, the privacy checkbox's to the box."""
    page = new_page()
    page.goto("/visits/cic-stoke/register")
    page.get_by_role("button", name="Register", exact=True).click()

    group = page.get_by_role("group", name="Which days will you attend?")
    expect(group).to_have_accessible_description(re.compile(r"\S"))
    described = group.get_attribute("aria-describedby").split()
    assert any(page.locator(f"#{i}").get_attribute("class") == "error-message"
               for i in described)

    # The privacy notice is flagged with everything else on the first submit...
    expect(page.get_by_label("I have read and accept the privacy notice")).to_have_attribute(
        "aria-invalid", "true")
    # ... and still when everything else is right.
    page.get_by_label("Full name").fill("Ada Delegate")
    page.get_by_label("Email", exact=True).fill("ada@example.org")
    page.get_by_label("Both days").check()
    page.get_by_role("button", name="Register", exact=True).click()
    privacy = page.get_by_label("I have read and accept the privacy notice")
    expect(privacy).to_have_attribute("aria-invalid", "true")
    expect(privacy).to_have_accessible_description(re.compile(r"privacy notice", re.I))
    assert page.evaluate(_FOCUS) in ("the error summary", "the first invalid field")
    assert page.evaluate(_UNTIED) == []
