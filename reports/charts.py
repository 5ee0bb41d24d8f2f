"""Small SVG charts drawn on the server, so the printable return and its PDF carry them with no
JavaScript and no chart library. Output is deterministic (same figures, same bytes) and every
label is escaped: meeting types and measures come from code, but division and neighbourhood
names are typed in by administrators.
"""

from collections.abc import Callable, Sequence

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

FONT = "DejaVu Sans, Liberation Sans, Arial, sans-serif"
# Dark, mid and light with a dark outline: the three series stay apart on a grey laser printout.
SERIES_FILLS = ("#1f3a5f", "#7f93ad", "#dde3ea")
BAR_FILL = "#1f3a5f"
TEXT = "#1a1a1a"
AXIS = "#6b6b6b"


def count_text(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def _n(number: float) -> str:
    """A coordinate with at most one decimal place, so output does not depend on float noise."""
    text = f"{number:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _fit(label: str, chars: int) -> str:
    return label if len(label) <= chars else label[: chars - 1].rstrip() + "…"


def _scale(value: float | None, largest: float, length: float) -> float:
    if value is None or value <= 0 or largest <= 0:
        return 0.0
    return value / largest * length


def _svg(*, title: str, width: float, height: float, body: SafeString) -> SafeString:
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" aria-label="{}" width="{}" '
        'height="{}" viewBox="0 0 {} {}" font-family="{}" font-size="10" fill="{}"><title>{}</title>{}</svg>',
        title,
        _n(width),
        _n(height),
        _n(width),
        _n(height),
        FONT,
        TEXT,
        title,
        body,
    )


def bar_chart(
    *,
    title: str,
    items: Sequence[tuple[str, float | None]],
    value_text: Callable[[float], str] = count_text,
    width: float = 480,
    label_width: float = 190,
    bar_height: float = 14,
    gap: float = 6,
) -> SafeString:
    """Horizontal bars, one per (label, value), longest bar for the largest value. A None value
    draws no bar and reads "n/a"."""
    value_width = 56
    plot = width - label_width - value_width
    largest = max((v for _, v in items if v is not None), default=0)
    rows = []
    for index, (label, value) in enumerate(items):
        y = gap + index * (bar_height + gap)
        length = _scale(value, largest, plot)
        rows.append(
            format_html(
                '<g class="bar"><title>{}: {}</title>'
                '<text x="{}" y="{}" text-anchor="end">{}</text>'
                '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>'
                '<text x="{}" y="{}">{}</text></g>',
                label,
                "n/a" if value is None else value_text(value),
                _n(label_width - 6),
                _n(y + bar_height - 3),
                _fit(label, 34),
                _n(label_width),
                _n(y),
                _n(length),
                _n(bar_height),
                BAR_FILL,
                _n(label_width + length + 4),
                _n(y + bar_height - 3),
                "n/a" if value is None else value_text(value),
            )
        )
    height = gap + len(items) * (bar_height + gap)
    axis = format_html(
        '<line x1="{}" y1="0" x2="{}" y2="{}" stroke="{}" stroke-width="1"/>',
        _n(label_width),
        _n(label_width),
        _n(height),
        AXIS,
    )
    body = format_html("{}{}", format_html_join("", "{}", ((row,) for row in rows)), axis)
    return _svg(title=title, width=width, height=height, body=body)


def _legend(series: Sequence[str], *, y: float) -> SafeString:
    parts = []
    x = 0.0
    for index, name in enumerate(series):
        parts.append(
            format_html(
                '<rect x="{}" y="{}" width="10" height="10" fill="{}" stroke="{}" stroke-width="0.6"/>'
                '<text x="{}" y="{}">{}</text>',
                _n(x),
                _n(y),
                SERIES_FILLS[index % len(SERIES_FILLS)],
                TEXT,
                _n(x + 14),
                _n(y + 9),
                _fit(name, 28),
            )
        )
        x += 14 + min(len(name), 28) * 6 + 14
    return format_html('<g class="legend">{}</g>', format_html_join("", "{}", ((p,) for p in parts)))


def _two_lines(label: str, chars: int) -> tuple[str, str]:
    """Split a group label over two lines at the space nearest the middle."""
    if len(label) <= chars or " " not in label:
        return _fit(label, chars), ""
    middle = len(label) // 2
    spaces = [i for i, c in enumerate(label) if c == " "]
    cut = min(spaces, key=lambda i: abs(i - middle))
    return _fit(label[:cut], chars), _fit(label[cut + 1 :], chars)


def grouped_bar_chart(
    *,
    title: str,
    series: Sequence[str],
    groups: Sequence[tuple[str, Sequence[float | None]]],
    value_text: Callable[[float], str] = count_text,
    width: float = 480,
    plot_height: float = 130,
    scale_each_group: bool = False,
) -> SafeString:
    """Vertical bars in groups (a measure each), one bar per series (this period, previous, last
    year). On one scale by default; `scale_each_group` gives every group its own, for measures
    whose sizes differ so much that the small ones would vanish (bars then compare only within
    a group, and each carries its value)."""
    legend_height, value_band, label_band = 20, 14, 28
    top = legend_height + value_band
    baseline = top + plot_height
    largest = max((v for _, values in groups for v in values if v is not None), default=0)
    slot = width / max(len(groups), 1)
    bar_width = min(28.0, (slot - 12) / max(len(series), 1))
    parts = []
    for group_index, (label, values) in enumerate(groups):
        left = group_index * slot + (slot - bar_width * len(series)) / 2
        group_largest = max((v for v in values if v is not None), default=0) if scale_each_group else largest
        for index, value in enumerate(values):
            x = left + index * bar_width
            length = _scale(value, group_largest, plot_height)
            parts.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="{}" stroke="{}" stroke-width="0.6">'
                    "<title>{} – {}: {}</title></rect>"
                    '<text x="{}" y="{}" text-anchor="middle" font-size="8">{}</text>',
                    _n(x),
                    _n(baseline - length),
                    _n(bar_width),
                    _n(length),
                    SERIES_FILLS[index % len(SERIES_FILLS)],
                    TEXT,
                    label,
                    series[index] if index < len(series) else "",
                    "n/a" if value is None else value_text(value),
                    _n(x + bar_width / 2),
                    _n(baseline - length - 3),
                    "n/a" if value is None else value_text(value),
                )
            )
        first, second = _two_lines(label, max(8, int(slot / 6)))
        centre = group_index * slot + slot / 2
        parts.append(
            format_html(
                '<text x="{}" y="{}" text-anchor="middle">{}</text><text x="{}" y="{}" text-anchor="middle">{}</text>',
                _n(centre),
                _n(baseline + 12),
                first,
                _n(centre),
                _n(baseline + 24),
                second,
            )
        )
    axis = format_html(
        '<line x1="0" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="1"/>',
        _n(baseline),
        _n(width),
        _n(baseline),
        AXIS,
    )
    body = format_html("{}{}{}", _legend(series, y=0), format_html_join("", "{}", ((p,) for p in parts)), axis)
    return _svg(title=title, width=width, height=baseline + label_band, body=body)
