"""Counted nouns and possessives, written out in full ("1 slot", "4 slots",
"Marl Hill Games' booking") rather than "slot(s)". Pure: used by templates (as the
``count_noun`` and ``possessive`` filters), flash messages, services and commands."""

from __future__ import annotations


def count_noun(count: int, singular: str, plural: str | None = None) -> str:
    """'1 slot', '4 slots', '0 slots'; pass the plural when it is not singular + 's'
    (``count_noun(2, "person", "people")``)."""
    return f"{count} {singular if count == 1 else (plural or singular + 's')}"


def possessive(name: str) -> str:
    """"Ada's", "Marl Hill Games'": an apostrophe alone after a trailing s."""
    name = name.rstrip()
    return f"{name}'" if name.endswith(("s", "S")) else f"{name}'s"
