"""What a change digest says to one person: their changes, net of edits. Pure.

Changes come in the order they were made, each with the values people read
({"time": {"old": "Tue 14 Oct 10:00–11:00 BST", "new": "..."}}). Several changes of
one field of one item collapse to the first old value and the last new one; a field
changed and changed back says nothing. A cancelled item says only that it is
cancelled, and a cancelled visit says only that.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

# The fields people are told about, in the order their lines come for one item.
NOTICE_FIELDS = ("status", "time", "venue")
GONE = ("Cancelled", "Deleted")


@dataclass(frozen=True)
class Change:
    """One logged change that concerns the person."""

    id: int
    key: int | None  # the agenda item's id; None: the visit itself
    subject: str  # the item's title (or the visit's)
    details: Mapping[str, Mapping[str, str]]
    position: int = 0  # where the item comes in the agenda, for the order of lines
    when: str = ""  # the item's time now, for the lines that do not change it


@dataclass(frozen=True)
class NetChange:
    key: int | None
    subject: str
    field: str
    old: str
    new: str
    position: int = 0
    when: str = ""
    change_ids: frozenset[int] = field(default_factory=frozenset)


def net_changes(changes: Iterable[Change]) -> list[NetChange]:
    """One net change per item and field, first old -> last new; unchanged ones left
    out. ``change_ids`` are the changes each one tells (or makes moot)."""
    groups: dict[tuple[int | None, str], list[tuple[Change, Mapping[str, str]]]] = {}
    for change in changes:
        for name in NOTICE_FIELDS:
            if name in change.details:
                groups.setdefault((change.key, name), []).append((change, change.details[name]))
    nets: list[NetChange] = []
    for (key, name), edits in groups.items():
        old, new = edits[0][1].get("old", ""), edits[-1][1].get("new", "")
        if old == new:
            continue
        last = edits[-1][0]
        nets.append(NetChange(key, last.subject, name, old, new, last.position, last.when,
                              frozenset(c.id for c, _ in edits)))
    return _without_moot(nets)


def _without_moot(nets: list[NetChange]) -> list[NetChange]:
    """A cancelled item's moves say nothing; a cancelled visit's items say nothing."""
    def gone(net: NetChange) -> bool:
        return net.field == "status" and net.new in GONE

    visit_gone = next((n for n in nets if n.key is None and gone(n)), None)
    if visit_gone is not None:
        ids = frozenset().union(*(n.change_ids for n in nets))
        return [replace(visit_gone, change_ids=ids)]
    gone_items = {n.key: n for n in nets if gone(n)}
    kept = []
    for net in nets:
        cancelled = gone_items.get(net.key)
        if cancelled is None:
            kept.append(net)
        elif net is cancelled:
            moot = [n.change_ids for n in nets if n.key == net.key]
            kept.append(replace(net, change_ids=frozenset().union(*moot)))
    order = {name: index for index, name in enumerate(NOTICE_FIELDS)}
    return sorted(kept, key=lambda n: (n.key is not None, n.position, order[n.field]))


def _shorter(old: str, new: str) -> str:
    """'Tue 14 Oct 11:30–12:30 BST' after 'Tue 14 Oct 10:00–11:00 BST': '11:30–12:30 BST'."""
    old_day, new_day = old.split(" ")[:3], new.split(" ")[:3]
    if len(new_day) == 3 and old_day == new_day:
        return new.split(" ", 3)[3]
    return new


def describe(net: NetChange) -> str:
    """One line of the email."""
    if net.key is None:
        if net.new == "Cancelled":
            return f"{net.subject}: the whole visit has been cancelled."
        return f"{net.subject}: {net.old} → {net.new}"
    where = f"{net.subject} ({net.when})" if net.when else net.subject
    if net.field == "time":
        return f"{net.subject}: moved from {net.old} to {_shorter(net.old, net.new)}"
    if net.field == "venue":
        return f"{where}: venue changed from {net.old} to {net.new}"
    if net.new == "Cancelled":
        return f"{where}: cancelled"
    if net.new == "Deleted":
        return f"{where}: cancelled (taken off the agenda)"
    return f"{where}: back on the agenda (no longer cancelled)"


def digest_lines(changes: Iterable[Change]) -> tuple[list[str], frozenset[int]]:
    """The lines of one person's digest and the ids of the changes they tell."""
    nets = net_changes(changes)
    return [describe(net) for net in nets], frozenset().union(*(n.change_ids for n in nets))


def is_cancellation(changes: Iterable[Change]) -> bool:
    """Whether the digest tells of the visit's cancellation."""
    return any(n.key is None and n.field == "status" and n.new == "Cancelled"
               for n in net_changes(changes))
