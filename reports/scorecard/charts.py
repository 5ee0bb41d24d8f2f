"""What the scorecard's trend chart draws: a few of its measures over the eight quarters, as the
JSON the page embeds for static/js/scorecard-charts.js (the table beside it holds every figure)."""

CHARTED = {
    "counts": ["meetings_held", "people_in_person", "members_new", "online_reports", "complaints", "thanks"],
    "shares": ["police_good_job", "police_treat_fairly", "service_satisfaction", "conversion_percent"],
}


def trend_data(card) -> dict:
    measures = {m.key: m for section in card.sections for m in section.measures}
    return {
        "labels": card.quarter_labels,
        "charts": {
            name: [{"label": str(measures[key].label), "data": measures[key].values} for key in keys if key in measures]
            for name, keys in CHARTED.items()
        },
    }
