"""Reads for intake: the wards and meetings an issue may be raised against, and the triage queue."""

import copy
from datetime import date, datetime, time, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from accounts.policy import can, scope_for
from meetings.models import Meeting, MeetingStatus, MeetingType
from neighbourhoods.models import Neighbourhood, Ward
from priorities import similarity
from priorities.models import Issue, IssueStatus

# How many suggested duplicates a triage row offers: more than this is a sign to propose a priority.
SIMILAR_PER_ISSUE = 5
# How many of the neighbourhood's newest open issues are compared with the queue: a bound on the
# work, well beyond a team's few months of open concerns.
SIMILAR_CANDIDATES = 400
# Issues still open for a duplicate to be merged into (issue_merge accepts these targets).
OPEN_ISSUE_STATES = (IssueStatus.NEW, IssueStatus.LINKED)


def neighbourhood_for_reporting(*, code: str) -> Neighbourhood | None:
    return Neighbourhood.objects.filter(code=code).first() if code else None


def wards_for_reporting(*, neighbourhood: Neighbourhood | None = None) -> QuerySet[Ward]:
    """Wards a resident may report in: those with a neighbourhood team, optionally one team's."""
    wards = Ward.objects.filter(neighbourhood__isnull=False)
    if neighbourhood is not None:
        wards = wards.filter(neighbourhood=neighbourhood)
    return wards.select_related("neighbourhood").defer("boundary").order_by("name")


def neighbourhoods_for_issue_log(*, user) -> list[Neighbourhood]:
    """The neighbourhoods whose team the user works in: the ones they may log issues for."""
    scope_filter = scope_for(user).neighbourhood_filter()
    if scope_filter is None:
        return []
    neighbourhoods = Neighbourhood.objects.filter(**scope_filter).select_related("division").order_by("name")
    return [n for n in neighbourhoods if can(user, "priority.propose", n)]


def wards_for_issue_log(*, neighbourhoods: list[Neighbourhood]) -> QuerySet[Ward]:
    return (
        Ward.objects.filter(neighbourhood__in=[n.pk for n in neighbourhoods])
        .select_related("neighbourhood")
        .defer("boundary")
        .order_by("name")
    )


def meetings_for_linking(*, neighbourhoods: list[Neighbourhood]) -> QuerySet[Meeting]:
    """Meetings an issue or a proposal can name: this year's past ones and the next few weeks'."""
    now = timezone.now()
    return (
        Meeting.objects.filter(neighbourhood__in=[n.pk for n in neighbourhoods])
        .exclude(status=MeetingStatus.CANCELLED)
        .filter(starts_at__gte=now - timedelta(days=365), starts_at__lte=now + timedelta(days=60))
        .order_by("-starts_at")
    )


# Where priorities are reviewed: "normally the next PACT meeting", of a kind that decides them.
REVIEWING_MEETINGS = (MeetingType.PUBLIC_PACT, MeetingType.HYBRID, MeetingType.PANEL, MeetingType.ONLINE)
# PACT meetings are monthly: with none in the diary yet, the review falls about a month on.
REVIEW_WITHOUT_A_MEETING = timedelta(days=28)


def review_date_suggested(*, neighbourhood: Neighbourhood) -> date:
    """The day of the neighbourhood's next PACT meeting after today, or four weeks from today."""
    today = timezone.localdate()
    tomorrow = timezone.make_aware(datetime.combine(today + timedelta(days=1), time.min))
    next_start = (
        Meeting.objects.filter(
            neighbourhood=neighbourhood, meeting_type__in=REVIEWING_MEETINGS, starts_at__gte=tomorrow
        )
        .exclude(status=MeetingStatus.CANCELLED)
        .order_by("starts_at")
        .values_list("starts_at", flat=True)
        .first()
    )
    return timezone.localdate(next_start) if next_start else today + REVIEW_WITHOUT_A_MEETING


def issue_for_team(*, issue: Issue) -> Issue:
    """The issue with what its page shows: its meeting, reporter, the issue it was merged into
    and its priority, in one query."""
    return (
        Issue.objects.select_related("neighbourhood", "ward", "meeting", "reported_by", "merged_into", "priority")
        .defer("ward__boundary")
        .get(pk=issue.pk)
    )


def issues_awaiting_triage(*, neighbourhood: Neighbourhood) -> QuerySet[Issue]:
    return Issue.objects.filter(neighbourhood=neighbourhood, status=IssueStatus.NEW)


def triage_queue(*, neighbourhood: Neighbourhood) -> list[Issue]:
    """Issues awaiting triage, heaviest evidence first, then the longest waiting; each carries
    `.similar`, the open issues most likely to be the same concern (priorities.similarity: the
    words used and where the pins are), the likeliest first.

    Two queries whatever the queue's length (three on PostgreSQL, which scores the text): one for
    the queue, one for the candidates, the newest SIMILAR_CANDIDATES open issues of the neighbourhood.
    """
    queue = list(
        issues_awaiting_triage(neighbourhood=neighbourhood)
        .select_related("ward", "meeting", "reported_by")
        .defer("ward__boundary")
        .order_by("-supporters", "created_at", "pk")
    )
    candidates = []
    if queue:
        candidates = list(
            Issue.objects.filter(neighbourhood=neighbourhood, status__in=OPEN_ISSUE_STATES)
            .select_related("priority", "ward")
            .defer("ward__boundary")
            .order_by("-created_at", "-pk")[:SIMILAR_CANDIDATES]
        )
    texts = similarity.similarities(queue, candidates)
    for issue in queue:
        matches = []
        for other in candidates:
            if other.pk != issue.pk:
                found = similarity.match(issue, other, texts.get((issue.pk, other.pk), 0.0))
                if found is not None:
                    matches.append((-found.score, -other.supporters, other.created_at, other.pk, other, found))
        matches.sort(key=lambda row: row[:4])
        issue.similar = []
        for *_, other, found in matches[:SIMILAR_PER_ISSUE]:
            # A copy each: one candidate can be suggested for several issues, each with its own match.
            suggestion = copy.copy(other)
            suggestion.match = found
            issue.similar.append(suggestion)
    return queue
