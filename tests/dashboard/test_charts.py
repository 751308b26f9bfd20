"""The SVG chart builder: numbers in, well-formed, accessible, escaped SVG out; no Flask."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from eventsapp.dashboard.charts import Segment, bar_chart, line_chart, stacked_bar

SVG = "{http://www.w3.org/2000/svg}"


def parse(markup) -> ET.Element:
    return ET.fromstring(str(markup))  # noqa: S314 - our own output, in a test


def texts(root: ET.Element) -> list[str]:
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]


def check_accessible(root: ET.Element, chart_id: str, title: str) -> None:
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == f"{chart_id}-title {chart_id}-desc"
    assert root.find(f"{SVG}title").get("id") == f"{chart_id}-title"
    assert root.find(f"{SVG}title").text == title
    assert root.find(f"{SVG}desc").get("id") == f"{chart_id}-desc"
    assert root.get("viewBox").startswith("0 0 ")
    assert "style" not in str(ET.tostring(root)), "the CSP forbids inline style"


def test_bar_chart_draws_one_bar_per_value_with_the_value_written():
    root = parse(bar_chart([("Government or policy", 3), ("Academia", 2), ("Press", 0)],
                           chart_id="types", title="Types", desc="Government 3"))
    check_accessible(root, "types", "Types")
    bars = root.findall(f"{SVG}rect")
    assert len(bars) == 3
    widths = [float(b.get("width")) for b in bars]
    assert widths[0] > widths[1] > widths[2] == 0
    assert widths[0] / widths[1] == pytest.approx(1.5, rel=1e-3)
    assert texts(root) == ["Government or policy", "3", "Academia", "2", "Press", "0"]


def test_stacked_bar_with_a_capacity_marker_and_a_legend():
    root = parse(stacked_bar(
        [Segment("Confirmed", 7, "confirmed"), Segment("Waiting list", 3, "waiting")],
        chart_id="places", title="Places", desc="7 of 10", marker=10,
        marker_label="Capacity 10"))
    check_accessible(root, "places", "Places")
    segments = [r for r in root.findall(f"{SVG}rect")
                if "chart-seg-confirmed" in r.get("class")]
    marker = root.find(f"{SVG}line")
    assert marker.get("class") == "chart-marker"
    # 7 + 3 = 10 fills the bar up to the capacity marker exactly.
    track = root.find(f"{SVG}rect")
    right = float(track.get("x")) + float(track.get("width"))
    assert float(marker.get("x1")) == right
    assert float(segments[0].get("width")) == pytest.approx(float(track.get("width")) * 0.7,
                                                            abs=0.05)
    assert "Capacity 10" in texts(root)
    assert "Confirmed: 7" in texts(root) and "Waiting list: 3" in texts(root)


def test_stacked_bar_without_a_limit_says_so():
    root = parse(stacked_bar([Segment("Confirmed", 4, "confirmed")], chart_id="p",
                             title="Places", desc="4", no_marker_label="No limit on places"))
    assert root.find(f"{SVG}line") is None
    assert "No limit on places" in texts(root)


def test_line_chart_marks_every_point_and_labels_the_ends():
    points = [("10 Jun", 1), ("11 Jun", 1), ("12 Jun", 4)]
    root = parse(line_chart(points, chart_id="time", title="Over time", desc="4 in all"))
    check_accessible(root, "time", "Over time")
    circles = root.findall(f"{SVG}circle")
    assert [c.find(f"{SVG}title").text for c in circles] == ["10 Jun: 1", "11 Jun: 1",
                                                              "12 Jun: 4"]
    ys = [float(c.get("cy")) for c in circles]
    assert ys[0] == ys[1] > ys[2]  # higher values are drawn higher up
    assert root.find(f"{SVG}polyline") is not None
    assert {"10 Jun", "12 Jun", "4"} <= set(texts(root))


def test_a_single_point_and_no_points_still_make_valid_svg():
    one = parse(line_chart([("12 Jun", 5)], chart_id="one", title="t", desc="d"))
    assert len(one.findall(f"{SVG}circle")) == 1
    assert one.find(f"{SVG}polyline") is None
    parse(line_chart([], chart_id="none", title="t", desc="d"))
    parse(bar_chart([], chart_id="empty", title="t", desc="d"))
    parse(stacked_bar([], chart_id="empty2", title="t", desc="d"))


def test_text_is_escaped_and_bad_values_are_drawn_as_zero():
    nasty = '<script>alert("x")</script> & Co'
    markup = str(bar_chart([(nasty, -5), ("None", None)], chart_id='x" onload="evil',
                           title=nasty, desc=nasty))
    assert "<script>" not in markup and 'onload="evil' not in markup
    root = parse(markup)
    assert root.find(f"{SVG}title").text == nasty
    assert root.findall(f"{SVG}rect")[0].get("width") == "0"
    assert texts(root)[1] == "0"
    stacked = parse(stacked_bar([Segment("A", 1, 'bad" class')], chart_id="s", title="t",
                                desc="d"))
    assert {r.get("class") for r in stacked.findall(f"{SVG}rect")} >= {
        "chart-seg chart-seg-other"}


def test_long_labels_are_shortened_in_the_picture():
    label = "A very long organisation type label indeed"
    root = parse(bar_chart([(label, 1)], chart_id="l", title="t", desc="d"))
    shown = texts(root)[0]
    assert shown.endswith("…") and len(shown) <= 24 and label.startswith(shown[:-1])
