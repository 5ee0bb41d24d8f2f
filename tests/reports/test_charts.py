import xml.etree.ElementTree as ET

from django.template import Context, Template
from django.utils.safestring import SafeString

from reports import charts

SVG = "{http://www.w3.org/2000/svg}"


def _parse(svg):
    """The chart must be well-formed XML: a stray "<" or "&" from a label would break this."""
    return ET.fromstring(str(svg))  # noqa: S314 - markup this code just drew


def _bar_widths(svg):
    return [float(rect.get("width")) for rect in _parse(svg).iter(f"{SVG}rect")]


def test_it_scales_bars_to_the_largest_value():
    svg = charts.bar_chart(title="Meetings", items=[("A", 10), ("B", 5), ("C", 0)], width=480, label_width=190)
    # 480 wide, less 190 for labels and 56 for the values: the largest bar is 234 long.
    assert _bar_widths(svg) == [234.0, 117.0, 0.0]


def test_it_draws_no_bar_and_says_so_for_a_missing_value():
    svg = charts.bar_chart(title="Meetings", items=[("A", 4), ("B", None)])
    root = _parse(svg)
    assert _bar_widths(svg)[1] == 0.0
    assert "n/a" in "".join(root.itertext())


def test_it_draws_empty_bars_when_every_value_is_zero():
    svg = charts.bar_chart(title="Meetings", items=[("A", 0), ("B", 0)])
    assert _bar_widths(svg) == [0.0, 0.0]


def test_it_escapes_labels_and_titles():
    svg = charts.bar_chart(title="A & B <i>", items=[("<script>alert(1)</script>", 3)])
    text = str(svg)
    assert "<script>" not in text and "<i>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    root = _parse(svg)
    assert root.get("aria-label") == "A & B <i>"


def test_it_escapes_grouped_chart_labels_and_series():
    svg = charts.grouped_bar_chart(title="T", series=["Oct <b>", "Sep"], groups=[('x" onload="y', [1, 2])])
    text = str(svg)
    assert "<b>" not in text and 'onload="y"' not in text
    assert all(element.get("onload") is None for element in _parse(svg).iter())


def test_it_keeps_one_scale_across_groups():
    svg = charts.grouped_bar_chart(
        title="Meetings",
        series=["Now", "Before", "Last year"],
        groups=[("Held", [40, 20, None]), ("Panels", [10, 0, 5])],
    )
    heights = [
        float(rect.get("height")) for rect in _parse(svg).iter(f"{SVG}rect") if rect.find(f"{SVG}title") is not None
    ]
    assert heights == [130.0, 65.0, 0.0, 32.5, 0.0, 16.2]


def test_it_truncates_a_long_label_but_keeps_it_whole_in_the_tooltip():
    label = "Multi-agency PACT panel / tasking meeting held in the community centre"
    root = _parse(charts.bar_chart(title="T", items=[(label, 1)]))
    shown = [t.text for t in root.iter(f"{SVG}text") if t.get("text-anchor") == "end"]
    assert shown[0].endswith("…") and len(shown[0]) <= 34
    assert any(label in (t.text or "") for t in root.iter(f"{SVG}title"))


def test_it_is_deterministic_and_safe_to_embed():
    items = [("PACT public meeting", 12), ("Street meeting", 3.5)]
    first, second = charts.bar_chart(title="T", items=items), charts.bar_chart(title="T", items=items)
    assert first == second
    assert isinstance(first, SafeString)
    rendered = Template("{{ chart }}").render(Context({"chart": first}))
    assert rendered.startswith("<svg")


def test_it_can_give_each_group_its_own_scale():
    svg = charts.grouped_bar_chart(
        title="Meetings",
        series=["Now", "Before"],
        groups=[("Held", [40, 20]), ("Panels", [4, 1])],
        scale_each_group=True,
    )
    heights = [
        float(rect.get("height")) for rect in _parse(svg).iter(f"{SVG}rect") if rect.find(f"{SVG}title") is not None
    ]
    assert heights == [130.0, 65.0, 130.0, 32.5]
