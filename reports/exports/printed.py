"""A return as one printable A4 page, and that page as a PDF."""

from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from reports import charts
from reports.document import ReturnDocument
from reports.exports.common import (
    CHARTS,
    IN_THE_KNOW,
    NEIGHBOURHOOD_GROUPS,
    NEIGHBOURHOOD_UNITS,
    SURVEYS,
    category_text,
    format_change,
    format_value,
    headline_row,
    labels_by_key,
    late_text,
    period_dates,
    priority_rows,
    status_text,
)
from reports.selectors import HEADLINE_NOTES


def _headline_rows(figures) -> list[dict]:
    return [
        {
            "label": _(row["label"]),
            "note": HEADLINE_NOTES.get(row["key"], ""),
            "value": format_value(row["value"], row["unit"]),
            "previous": format_value(row["previous"], row["unit"]),
            "change": format_change(row["value"], row["previous"], row["unit"]),
            "last_year": format_value(row["last_year"], row["unit"]),
            "change_last_year": format_change(row["value"], row["last_year"], row["unit"]),
        }
        for row in figures.get("headline", [])
    ]


def _charts(figures) -> list:
    series = [
        figures["period"]["label"],
        figures.get("previous_period", {}).get("label", _("Previous period")),
        figures.get("last_year_period", {}).get("label", _("Same period last year")),
    ]
    drawn = []
    for title, keys in CHARTS:
        rows = [row for key in keys if (row := headline_row(figures, key))]
        if rows:
            groups = [(_(row["label"]), [row["value"], row["previous"], row["last_year"]]) for row in rows]
            drawn.append(
                charts.grouped_bar_chart(
                    title=_(title), series=series, groups=groups, plot_height=90, scale_each_group=True
                )
            )
    return drawn


def _neighbourhood_tables(figures) -> list[dict]:
    labels = labels_by_key(figures)
    neighbourhoods = figures.get("neighbourhoods", [])
    tables = [
        {
            "title": _(title),
            "headers": [labels.get(key, key) for key in keys],
            "rows": [
                (n["name"], [format_value(n.get(key), NEIGHBOURHOOD_UNITS.get(key, "count")) for key in keys])
                for n in neighbourhoods
            ],
        }
        for title, keys in NEIGHBOURHOOD_GROUPS
    ]
    # Only the kinds of meeting the division held: eleven mostly empty columns would not fit A4.
    held = [t for t in figures.get("meetings_by_type", []) if t["count"]]
    if held:
        tables.insert(
            1,
            {
                "title": _("Meetings held by type, per neighbourhood"),
                "headers": [_(t["label"]) for t in held],
                "rows": [
                    (n["name"], [format_value(n.get("meetings_by_type", {}).get(t["type"], 0), "count") for t in held])
                    for n in neighbourhoods
                ],
            },
        )
    return tables


def _measure_rows(values: dict, measures) -> list[tuple[str, str]]:
    return [(_(label), format_value(values.get(key), unit)) for key, label, unit in measures if key in values]


def _print_context(document: ReturnDocument) -> dict:
    figures = document.figures
    by_type = figures.get("meetings_by_type", [])
    return {
        "document": document,
        "figures": figures,
        "highlight_return": document.highlight_return,
        "period_dates": period_dates(figures["period"]),
        "status": status_text(document.highlight_return),
        "late": late_text(document.highlight_return),
        "headline_rows": _headline_rows(figures),
        "headline_charts": _charts(figures),
        "meetings_by_type": [(_(t["label"]), format_value(t["count"], "count")) for t in by_type],
        "meetings_by_type_chart": charts.bar_chart(
            title=_("Meetings held by type"), items=[(_(t["label"]), t["count"]) for t in by_type]
        )
        if by_type
        else "",
        "neighbourhood_tables": _neighbourhood_tables(figures),
        "priority_lists": _priority_lists(document),
        "in_the_know": _measure_rows(figures.get("in_the_know") or {}, IN_THE_KNOW),
        "surveys": figures.get("surveys"),
        "survey_rows": _measure_rows(figures.get("surveys") or {}, SURVEYS),
        "representation": figures.get("representation"),
        "printed_at": timezone.localtime(),
    }


def _priority_lists(document: ReturnDocument) -> list[dict]:
    lists: dict[str, list] = {}
    for heading, priority in priority_rows(document):
        lists.setdefault(heading, []).append({**priority, "category_text": category_text(priority)})
    return [{"heading": _(heading), "priorities": priorities} for heading, priorities in lists.items()]


def return_print_html(*, document: ReturnDocument, request=None) -> str:
    """The whole return as one A4 page with nothing to fetch: styles and charts are inline."""
    return render_to_string("reports/print.html", _print_context(document), request=request)


def _static_base() -> Path:
    return Path(settings.BASE_DIR) / "static"


def _static_only_fetcher():
    from weasyprint.urls import URLFetcher

    allowed = _static_base().as_uri() + "/"

    class StaticOnlyFetcher(URLFetcher):
        # The page is self-contained; refusing everything but our static folder means no text on
        # it could ever make the server fetch a URL or read a file elsewhere.
        def fetch(self, url, headers=None):
            if not url.startswith(allowed):
                raise ValueError(f"Not fetched when printing a return: {url}")
            return super().fetch(url, headers)

    return StaticOnlyFetcher(allowed_protocols=("file",))


def return_pdf(*, document: ReturnDocument) -> bytes:
    # Imported here: WeasyPrint loads Pango when imported, which no other page needs.
    from weasyprint import HTML

    html = return_print_html(document=document)
    base_url = _static_base().as_uri() + "/"
    return HTML(string=html, base_url=base_url, url_fetcher=_static_only_fetcher()).write_pdf()
