"""Reads for the staff survey pages: the list, a survey with its questions in order, its
invitations; and the access helper that answers 404 for a survey the user may not read."""

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from accounts.policy import SURVEY_READERS, can, scope_for
from accounts.roles import ScopeLevel
from messaging.models import Alert
from neighbourhoods.models import Force
from surveys.models import Question, Section, Survey


def survey_get_for_user(*, user, pk: int, write: bool = False) -> Survey:
    """A survey of the user's force they may read (`survey.view_results`); 403 if `write` and
    they may not change it (`survey.edit`)."""
    survey = Survey.objects.filter(pk=pk).first()
    if survey is None or not can(user, "survey.view_results", survey):
        raise Http404("No such survey.")
    if write and not can(user, "survey.edit", survey):
        raise PermissionDenied
    return survey


def survey_force(*, user) -> Force | None:
    """The force a user's surveys belong to."""
    return Force.objects.filter(pk=user.force_id).first() if user.force_id else None


def _readable(user) -> Q | None:
    """`survey.view_results` as a filter (mirrors accounts.policy: readers of the force's surveys,
    force-wide staff of their forces); None when the user reads none."""
    if not user.is_authenticated or user.role not in SURVEY_READERS:
        return None
    scope = scope_for(user)
    if scope.level == ScopeLevel.FORCE:
        return Q() if scope.force_ids is None else Q(force_id__in=scope.force_ids)
    return Q(force_id=user.force_id) if user.force_id else None


def surveys_for_user(*, user, status: str | None = None) -> QuerySet[Survey]:
    """The surveys the user may read, newest first, with their author and response count."""
    readable = _readable(user)
    if readable is None:
        return Survey.objects.none()
    surveys = (
        Survey.objects.filter(readable)
        .select_related("created_by")
        .annotate(response_count=Count("responses", distinct=True), question_count=Count("questions", distinct=True))
        .order_by("-opens_at", "-pk")
    )
    return surveys.filter(status=status) if status else surveys


def survey_for_page(*, pk: int) -> Survey:
    """A survey with its sections, their questions and the options, all in order (four queries)."""
    questions = Question.objects.order_by("position", "pk").prefetch_related("options")
    sections = Section.objects.order_by("position", "pk").prefetch_related(Prefetch("questions", queryset=questions))
    return (
        Survey.objects.select_related("created_by", "force")
        .annotate(response_count=Count("responses"))
        .prefetch_related(Prefetch("sections", queryset=sections))
        .get(pk=pk)
    )


def survey_invitations(*, survey: Survey) -> QuerySet[Alert]:
    """The alerts that invited members to this survey (the first, and any reminders)."""
    return Alert.objects.filter(survey=survey).select_related("created_by").order_by("-created_at")


def section_for_survey(*, survey: Survey, pk: int) -> Section:
    section = Section.objects.filter(survey=survey, pk=pk).select_related("survey").first()
    if section is None:
        raise Http404("No such section in this survey.")
    return section


def question_for_survey(*, survey: Survey, pk: int) -> Question:
    question = (
        Question.objects.filter(survey=survey, pk=pk)
        .select_related("survey", "section")
        .prefetch_related("options")
        .first()
    )
    if question is None:
        raise Http404("No such question in this survey.")
    return question


def used_bank_keys(*, survey: Survey) -> set[str]:
    return set(survey.questions.exclude(bank_key="").values_list("bank_key", flat=True))
