"""count_noun and possessive: the words instead of "slot(s)" and "Games's", in Python
and as the Jinja filters every template uses."""

from __future__ import annotations

import html

import pytest

from eventsapp.wording import count_noun, possessive


@pytest.mark.parametrize("count, words", [
    (0, "0 slots"), (1, "1 slot"), (2, "2 slots"), (4, "4 slots"), (21, "21 slots")])
def test_count_noun(count, words):
    assert count_noun(count, "slot") == words


def test_count_noun_takes_an_irregular_plural():
    assert count_noun(1, "member business", "member businesses") == "1 member business"
    assert count_noun(3, "member business", "member businesses") == "3 member businesses"
    assert count_noun(1, "person", "people") == "1 person"
    assert count_noun(2, "person", "people") == "2 people"
    assert count_noun(1, "confirmed attendee") == "1 confirmed attendee"
    assert count_noun(2, "confirmed attendee") == "2 confirmed attendees"


@pytest.mark.parametrize("name, owned", [
    ("Marl Hill Games", "Marl Hill Games'"),
    ("Clayworks Studio", "Clayworks Studio's"),
    ("Ada", "Ada's"),
    ("JONES", "JONES'"),
    ("mina@clayworks.example", "mina@clayworks.example's"),
    ("Glaze & Grain ", "Glaze & Grain's"),
])
def test_possessive(name, owned):
    assert possessive(name) == owned


def test_the_filters_in_templates(app):
    def render(source: str, **values) -> str:  # as the reader sees it (HTML unescaped)
        return html.unescape(app.jinja_env.from_string(source).render(**values))

    assert render("{{ n|count_noun('slot') }}", n=1) == "1 slot"
    assert render("{{ n|count_noun('slot') }}", n=4) == "4 slots"
    assert render("{{ n|count_noun('person', 'people') }}", n=2) == "2 people"
    assert render("{{ name|possessive }} booking", name="Marl Hill Games") == (
        "Marl Hill Games' booking")
    assert render("{{ name|possessive }} booking", name="Pixel Mill") == "Pixel Mill's booking"
