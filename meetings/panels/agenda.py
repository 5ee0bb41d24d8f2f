"""The standard agenda of a panel meeting, pre-filled from its neighbourhoods' open issues and
priorities, and the meeting pack printed from it (HTML, and PDF by WeasyPrint as the returns are)."""

from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Prefetch, Sum
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from meetings.models import Meeting
from meetings.panels.models import SECTION_ORDER, AgendaItem, AgendaSection
from priorities.models import Action, Category, Issue, IssueStatus, Priority, PriorityState

# Under review: what the panel agreed before and is still working on or has just resolved.
REVIEWED_STATES = (PriorityState.AGREED, PriorityState.IN_ACTION, PriorityState.ESCALATED, PriorityState.RESOLVED)
AWAITING_AGREEMENT = (PriorityState.PROPOSED, PriorityState.REOPENED)
# HMIC: a panel agrees up to three priorities at a time.
MOST_PRIORITIES = 3


def _neighbourhood_ids(meeting: Meeting) -> list[int]:
    return [meeting.neighbourhood_id, *meeting.also_covers.values_list("pk", flat=True)]


def _review_items(neighbourhood_ids) -> list[AgendaItem]:
    public_actions = Prefetch(
        "actions",
        queryset=Action.objects.filter(is_public=True).select_related(
            "owner_agency", "owner_officer", "owner_partner_user"
        ),
    )
    priorities = (
        Priority.objects.filter(neighbourhood_id__in=neighbourhood_ids, state__in=REVIEWED_STATES)
        .prefetch_related(public_actions)
        .order_by("created_at")
    )
    items = []
    for priority in priorities:
        done = [
            _("%(action)s (%(owner)s: %(status)s)")
            % {"action": a.description, "owner": a.owner_label, "status": _(a.get_status_display()).lower()}
            for a in priority.actions.all()
        ]
        detail = "\n".join(filter(None, [priority.public_update or priority.public_problem, *done]))
        items.append(AgendaItem(section=AgendaSection.REVIEW, title=priority.title, detail=detail, priority=priority))
    return items


def _new_issue_items(neighbourhood_ids) -> list[AgendaItem]:
    # Grouped by kind and ward, never quoted: residents' own words can name neighbours.
    groups = (
        Issue.objects.filter(neighbourhood_id__in=neighbourhood_ids, status=IssueStatus.NEW)
        .values("category", "ward__name")
        .annotate(weight=Sum("supporters"), reports=Count("pk"))
        .order_by("-weight", "category", "ward__name")
    )
    labels = dict(Category.choices)
    return [
        AgendaItem(
            section=AgendaSection.NEW_ISSUES,
            title=f"{_(labels.get(g['category'], g['category']))}: {g['ward__name']}",
            detail=_("%(reports)s reports awaiting triage") % {"reports": g["reports"]},
            evidence_weight=g["weight"],
        )
        for g in groups
    ]


def _agreement_items(neighbourhood_ids) -> list[AgendaItem]:
    proposed = (
        Priority.objects.filter(
            neighbourhood_id__in=neighbourhood_ids, state__in=[PriorityState.PROPOSED, PriorityState.REOPENED]
        )
        .annotate(weight=Sum("issues__supporters"))
        .order_by("-weight", "created_at")
    )
    return [
        AgendaItem(
            section=AgendaSection.AGREEMENT,
            title=p.title,
            detail=p.public_problem,
            evidence_weight=p.weight,
            priority=p,
        )
        for p in proposed
    ]


def _standing_items() -> list[AgendaItem]:
    return [
        AgendaItem(
            section=AgendaSection.ACTIONS,
            title=_("Actions and owners for each priority agreed"),
            detail=_("Who does what by when: the police, partner agencies and residents."),
        ),
        AgendaItem(section=AgendaSection.OTHER, title=_("Any other business")),
    ]


@transaction.atomic
def agenda_prefill(*, meeting: Meeting, actor) -> list[AgendaItem]:
    """Replace a panel meeting's agenda with the standard one, filled from its neighbourhoods'
    priorities under review, issues awaiting triage and proposals to agree."""
    ids = _neighbourhood_ids(meeting)
    items = [*_review_items(ids), *_new_issue_items(ids), *_agreement_items(ids), *_standing_items()]
    items.sort(key=lambda item: SECTION_ORDER[item.section])  # stable: keeps each section's order
    for position, item in enumerate(items):
        item.meeting = meeting
        item.position = position
        item.full_clean(exclude=["meeting", "priority"])
    meeting.agenda_items.all().delete()
    return AgendaItem.objects.bulk_create(items)


@transaction.atomic
def agenda_item_add(*, meeting: Meeting, actor, section: str, title: str, detail: str = "") -> AgendaItem:
    """Add a line at the end of its section (any other business, an action to assign), keeping
    the sections in HMIC's order."""
    item = AgendaItem(meeting=meeting, section=section, title=title, detail=detail)
    item.full_clean(exclude=["meeting", "priority"])
    items = [*meeting.agenda_items.order_by("position"), item]
    _renumber(items)
    item.save()
    AgendaItem.objects.bulk_update([i for i in items if i is not item], ["position"])
    return item


def _renumber(items: list[AgendaItem]) -> None:
    items.sort(key=lambda i: SECTION_ORDER[i.section])  # stable: keeps each section's order
    for position, each in enumerate(items):
        each.position = position


@transaction.atomic
def agenda_item_update(*, item: AgendaItem, actor, section: str, title: str, detail: str = "") -> AgendaItem:
    """Reword a line, or move it to another section (at that section's end). A line pre-filled from
    a priority keeps its link: the wording is the team's, the priority is still what it is about."""
    moved = section != item.section
    item.section, item.title, item.detail = section, title, detail
    item.full_clean(exclude=["meeting", "priority"])
    if moved:
        others = list(item.meeting.agenda_items.exclude(pk=item.pk).order_by("position"))
        items = [*others, item]
        _renumber(items)
        AgendaItem.objects.bulk_update(others, ["position"])
    item.save()
    return item


@transaction.atomic
def agenda_item_move(*, item: AgendaItem, actor, direction: str) -> AgendaItem:
    """Swap a line with its neighbour above or below, within its section: the sections keep HMIC's
    order, so a line leaves its section only by being edited into another."""
    if direction not in ("up", "down"):
        raise ValidationError({"direction": _("Move an item up or down.")})
    # An agenda is a few dozen lines: renumbering them all keeps positions distinct whatever
    # older edits left, and costs one UPDATE.
    items = list(AgendaItem.objects.select_for_update().filter(meeting_id=item.meeting_id).order_by("position", "pk"))
    _renumber(items)
    siblings = [each for each in items if each.section == item.section]
    index = next(i for i, each in enumerate(siblings) if each.pk == item.pk)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(siblings):
        where = _("first") if direction == "up" else _("last")
        raise ValidationError(
            _("“%(title)s” is already %(where)s in its section.") % {"title": item.title, "where": where}
        )
    siblings[index].position, siblings[other].position = siblings[other].position, siblings[index].position
    AgendaItem.objects.bulk_update(items, ["position"])
    return siblings[index]


@transaction.atomic
def agenda_item_remove(*, item: AgendaItem, actor) -> None:
    item.delete()


def agenda_item_meeting_id(*, pk: int) -> int | None:
    return AgendaItem.objects.filter(pk=pk).values_list("meeting_id", flat=True).first()


def agenda_sections(*, meeting: Meeting) -> list[dict]:
    """The agenda as sections in HMIC's order, each with its items (one query)."""
    by_section = {}
    for item in meeting.agenda_items.order_by("position"):
        by_section.setdefault(item.section, []).append(item)
    return [
        {"number": n, "section": section, "label": _(section.label), "items": by_section.get(section, [])}
        for n, section in enumerate(AgendaSection, start=1)
    ]


def pack_html(*, meeting: Meeting, request=None) -> str:
    context = {
        "meeting": meeting,
        "sections": agenda_sections(meeting=meeting),
        "most_priorities": MOST_PRIORITIES,
        "printed_at": timezone.localtime(),
    }
    return render_to_string("meetings/panels/pack.html", context, request=request)


def _static_base() -> Path:
    return Path(settings.BASE_DIR) / "static"


def pack_pdf(*, meeting: Meeting) -> bytes:
    return html_to_pdf(html=pack_html(meeting=meeting))


def html_to_pdf(*, html: str) -> bytes:
    """A self-contained printable page as a PDF (the panel meeting pack, the tasking pack)."""
    # Imported here: WeasyPrint loads Pango when imported, which no other page needs.
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    allowed = _static_base().as_uri() + "/"

    class StaticOnlyFetcher(URLFetcher):
        # As for the returns: the pack is self-contained, so nothing on it may make the server
        # fetch a URL or read a file outside the static folder.
        def fetch(self, url, headers=None):
            if not url.startswith(allowed):
                raise ValueError(f"Not fetched when printing a meeting pack: {url}")
            return super().fetch(url, headers)

    return HTML(string=html, base_url=allowed, url_fetcher=StaticOnlyFetcher(allowed_protocols=("file",))).write_pdf()
