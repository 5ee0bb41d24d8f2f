"""Builds the ReturnDocument every rendering of a return reads from.

A submitted return shows its snapshot: the figures (and pinned priorities) as they were when the
chief inspector signed. A draft shows the figures as they are now. Either way the live figures
are built, because a submitted return must say when the data under it has changed since.
"""

import hashlib
import json
from collections import defaultdict

from reports.document import NarrativeSection, ReturnDocument
from reports.models import HighlightReturn
from reports.selectors import return_figures_for_divisions

# The narrative the chief inspector (or a delegate) writes, in the order the return prints it.
NARRATIVE_SECTIONS = [
    ("engagement_highlights", "Engagement highlights"),
    ("partnership_highlights", "Partnership highlights"),
    ("best_practice", "Best practice"),
    ("exceptions", "Exceptions"),
]


def figures_fingerprint(figures: dict) -> str:
    """sha256 of the figures as canonical JSON: sorted keys, no spaces, so equal figures always
    give the same fingerprint however the dict was built."""
    canonical = json.dumps(figures, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def pinned_rows(priorities) -> list[dict]:
    """The pinned priorities as plain dicts: what the snapshot freezes and every renderer shows."""
    rows = [
        {
            "id": priority.pk,
            "title": priority.title,
            "neighbourhood": priority.neighbourhood.name,
            "category": priority.get_category_display(),
            "category_label": priority.get_category_display(),
            "state": priority.state,
            "state_label": priority.get_state_display(),
        }
        for priority in priorities
    ]
    return sorted(rows, key=lambda row: (row["neighbourhood"], row["title"], row["id"]))


def narrative_sections(highlight_return) -> list[NarrativeSection]:
    return [
        NarrativeSection(key=key, title=title, text=getattr(highlight_return, key)) for key, title in NARRATIVE_SECTIONS
    ]


def return_document(*, highlight_return: HighlightReturn) -> ReturnDocument:
    return return_documents(highlight_returns=[highlight_return])[0]


def return_documents(*, highlight_returns) -> list[ReturnDocument]:
    """Documents for many returns in a fixed number of queries: one figures build per period
    (every division of the period at once) and one query for the pinned priorities.

    Returns not yet saved (a division with no draft for the period, shown on the roll-up) get
    live figures and no pinned priorities."""
    highlight_returns = list(highlight_returns)
    live = _live_figures(highlight_returns)
    pinned = _pinned_by_return([r for r in highlight_returns if r.pk and not r.is_submitted])
    documents = []
    for highlight_return in highlight_returns:
        figures = live[_period_key(highlight_return)][highlight_return.division_id]
        narrative = narrative_sections(highlight_return)
        if highlight_return.is_submitted:
            snapshot = highlight_return.snapshot or {}
            document = ReturnDocument(
                highlight_return=highlight_return,
                figures=snapshot.get("figures", {}),
                narrative=narrative,
                pinned=snapshot.get("pinned", []),
                data_changed=figures_fingerprint(figures) != highlight_return.snapshot_fingerprint,
            )
        else:
            document = ReturnDocument(
                highlight_return=highlight_return,
                figures=figures,
                narrative=narrative,
                pinned=pinned.get(highlight_return.pk, []),
            )
        documents.append(document)
    return documents


def _period_key(highlight_return) -> tuple:
    return (highlight_return.period_kind, highlight_return.period_start, highlight_return.period_end)


def _live_figures(highlight_returns) -> dict[tuple, dict[int, dict]]:
    divisions_by_period = defaultdict(dict)
    for highlight_return in highlight_returns:
        divisions_by_period[_period_key(highlight_return)][highlight_return.division_id] = highlight_return.division
    return {
        (kind, start, end): return_figures_for_divisions(
            divisions=list(divisions.values()), period_kind=kind, period_start=start, period_end=end
        )
        for (kind, start, end), divisions in divisions_by_period.items()
    }


def _pinned_by_return(highlight_returns) -> dict[int, list[dict]]:
    if not highlight_returns:
        return {}
    through = HighlightReturn.top_priorities.through
    links = through.objects.filter(highlightreturn__in=[r.pk for r in highlight_returns]).select_related(
        "priority__neighbourhood"
    )
    by_return = defaultdict(list)
    for link in links:
        by_return[link.highlightreturn_id].append(link.priority)
    return {pk: pinned_rows(priorities) for pk, priorities in by_return.items()}
