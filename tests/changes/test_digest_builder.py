"""exports.change_digest: the lines of one person's digest, net of edits. Pure."""

from __future__ import annotations

from eventsapp.changes.digest import Change, digest_lines, is_cancellation, net_changes

TOUR, PANEL = 1, 2


def moved(change_id, old, new, key=TOUR, subject="Studio tour"):
    return Change(change_id, key, subject, {"time": {"old": old, "new": new}},
                  position=key, when=new)


def venue(change_id, old, new, key=TOUR):
    return Change(change_id, key, "Studio tour", {"venue": {"old": old, "new": new}},
                  position=key, when="Tue 14 Oct 11:30–12:30 BST")


def status(change_id, old, new, key=TOUR, subject="Studio tour"):
    return Change(change_id, key, subject, {"status": {"old": old, "new": new}},
                  position=key, when="Tue 14 Oct 10:00–11:00 BST")


def test_several_edits_of_one_field_collapse_to_first_old_and_last_new():
    lines, ids = digest_lines([
        moved(1, "Tue 14 Oct 10:00–11:00 BST", "Tue 14 Oct 10:30–11:30 BST"),
        venue(2, "Spode Works", "Middleport Pottery"),
        moved(3, "Tue 14 Oct 10:30–11:30 BST", "Tue 14 Oct 11:30–12:30 BST"),
    ])
    assert lines == [
        "Studio tour: moved from Tue 14 Oct 10:00–11:00 BST to 11:30–12:30 BST",
        "Studio tour (Tue 14 Oct 11:30–12:30 BST): venue changed from Spode Works to "
        "Middleport Pottery",
    ]
    assert ids == {1, 2, 3}


def test_a_move_to_another_day_keeps_the_new_date():
    [line], _ = digest_lines([moved(1, "Tue 14 Oct 10:00–11:00 BST",
                                    "Wed 15 Oct 10:00–11:00 BST")])
    assert line == ("Studio tour: moved from Tue 14 Oct 10:00–11:00 BST "
                    "to Wed 15 Oct 10:00–11:00 BST")


def test_changed_and_changed_back_says_nothing():
    lines, ids = digest_lines([
        moved(1, "Tue 14 Oct 10:00–11:00 BST", "Tue 14 Oct 10:30–11:30 BST"),
        venue(2, "Spode Works", "Middleport Pottery"),
        moved(3, "Tue 14 Oct 10:30–11:30 BST", "Tue 14 Oct 10:00–11:00 BST"),
        venue(4, "Middleport Pottery", "Spode Works"),
        status(5, "Confirmed", "Cancelled"),
        status(6, "Cancelled", "Confirmed"),
    ])
    assert (lines, ids) == ([], frozenset())


def test_a_cancelled_item_says_only_that_and_its_moves_are_told_by_it():
    lines, ids = digest_lines([
        moved(1, "Tue 14 Oct 10:00–11:00 BST", "Tue 14 Oct 10:30–11:30 BST"),
        status(2, "Confirmed", "Cancelled"),
        moved(3, "Tue 14 Oct 10:00–11:00 BST", "Tue 14 Oct 12:00–13:00 BST", key=PANEL,
              subject="Panel"),
    ])
    assert lines == ["Studio tour (Tue 14 Oct 10:00–11:00 BST): cancelled",
                     "Panel: moved from Tue 14 Oct 10:00–11:00 BST to 12:00–13:00 BST"]
    assert ids == {1, 2, 3}


def test_deleted_and_reinstated_items():
    lines, _ = digest_lines([status(1, "Confirmed", "Deleted"),
                             status(2, "Cancelled", "Confirmed", key=PANEL, subject="Panel")])
    assert lines == [
        "Studio tour (Tue 14 Oct 10:00–11:00 BST): cancelled (taken off the agenda)",
        "Panel (Tue 14 Oct 10:00–11:00 BST): back on the agenda (no longer cancelled)",
    ]


def test_the_visits_cancellation_says_only_that():
    changes = [
        moved(1, "Tue 14 Oct 10:00–11:00 BST", "Tue 14 Oct 10:30–11:30 BST"),
        Change(2, None, "Regions and Clusters", {"status": {"old": "Published",
                                                            "new": "Cancelled"}}, -1),
    ]
    lines, ids = digest_lines(changes)
    assert lines == ["Regions and Clusters: the whole visit has been cancelled."]
    assert ids == {1, 2}
    assert is_cancellation(changes)
    assert not is_cancellation(changes[:1])


def test_lines_follow_the_agenda_then_status_time_venue():
    nets = net_changes([
        venue(1, "Spode Works", "Middleport Pottery", key=PANEL),
        moved(2, "Tue 14 Oct 10:00–11:00 BST", "Tue 14 Oct 10:30–11:30 BST", key=PANEL),
        moved(3, "Tue 14 Oct 09:00–09:30 BST", "Tue 14 Oct 09:15–09:45 BST"),
    ])
    assert [(n.key, n.field) for n in nets] == [(TOUR, "time"), (PANEL, "time"),
                                                (PANEL, "venue")]


def test_fields_nobody_is_told_about_are_left_out():
    lines, ids = digest_lines([Change(1, TOUR, "Studio tour",
                                      {"title": {"old": "Tour", "new": "Studio tour"}})])
    assert (lines, ids) == ([], frozenset())
