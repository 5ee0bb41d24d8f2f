"""What every view of a return renders from: the web page, the printable page, PDF, XLSX and CSV.

One object, so that the figures a chief inspector reviews on screen are exactly the ones HQ
prints: a submitted return's frozen snapshot, a draft's live figures.
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class NarrativeSection:
    key: str
    title: str
    text: str


@dataclass(frozen=True)
class ReturnDocument:
    highlight_return: object
    # The figures dict (see reports.selectors.return_figures): the snapshot once submitted.
    figures: dict
    narrative: list[NarrativeSection]
    # Priorities pinned as "top": dicts with id, title, neighbourhood, category, state_label.
    pinned: list[dict] = field(default_factory=list)
    # True when a submitted return's live figures no longer match its snapshot.
    data_changed: bool = False
