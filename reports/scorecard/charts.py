"""What the scorecard's trend charts draw: every measure over the eight quarters, one chart per
section (percentages on a chart of their own, so one scale fits), as the JSON the page embeds for
static/js/scorecard-charts.js. The table beside them holds every figure for anyone without
JavaScript, and is the printed version's trend."""

from reports.scorecard.quarters import PERCENT


def trend_data(card) -> dict:
    charts = []
    for section in card.sections:
        for percent in (False, True):
            series = [
                {"label": str(m.label), "data": m.values} for m in section.measures if (m.unit == PERCENT) == percent
            ]
            if series:
                charts.append(
                    {"id": f"scorecard-chart-{len(charts)}", "title": str(section.title), "percent": percent,
                     "series": series}
                )  # fmt: skip
    return {"labels": card.quarter_labels, "charts": charts}
