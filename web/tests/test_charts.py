"""The server-drawn SVG charts: named and described for screen readers, escaped, gaps kept."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from hub_web.charts import Series, bar_chart, line_chart

SVG = "{http://www.w3.org/2000/svg}"


def test_a_bar_chart_is_one_named_image_with_a_description_in_words() -> None:
    svg = bar_chart("c1", "Issues per week", ["5 Jan", "12 Jan", "19 Jan"],
                    [Series("Opened", [3, 0, 7]), Series("Fixed", [1, 2, None])])  # fmt: skip
    root = ET.fromstring(str(svg))  # noqa: S314 - our own output: well-formed XML
    assert root.get("role") == "img" and root.get("aria-labelledby") == "c1-title c1-desc"
    assert root.find(f"{SVG}title").text == "Issues per week"
    desc = root.find(f"{SVG}desc").text
    assert "3 points from 5 Jan to 19 Jan" in desc and "Opened: highest 7 (19 Jan), lowest 0 (12 Jan)" in desc
    bars = root.findall(f"{SVG}rect[@stroke-width]")
    assert len(bars) == 4  # zero and missing figures draw no bar
    assert "style=" not in str(svg)  # presentation attributes only: the CSP forbids inline styles


def test_text_from_the_services_is_escaped() -> None:
    svg = str(bar_chart("c2", "By <category>", ['<script>alert("x")</script>'], [Series("A & B", [2])]))
    assert "<script>" not in svg and "&lt;script&gt;" in svg and "A &amp; B" in svg
    ET.fromstring(svg)  # noqa: S314 - our own output


def test_a_line_breaks_where_a_figure_is_missing_and_keeps_the_given_scale() -> None:
    svg = str(
        line_chart("c3", "Satisfaction", ["Jan", "Feb", "Mar", "Apr"], [Series("Average", [4, 3.5, None, 5])], top=5)
    )
    assert svg.count("<polyline") == 1 and svg.count("<circle") == 3  # Jan-Feb joined; Apr alone
    assert re.search(r">5</text>", svg) and "no figures" not in svg
    empty = str(line_chart("c4", "Nothing yet", ["Jan"], [Series("Average", [None])]))
    assert "Average: no figures" in empty
