"""Reads for answering a survey (public) and for the staff page of free-text answers."""

from django.db.models import Q, QuerySet
from django.utils.translation import get_language

from accounts.policy import scope_for
from messaging.models import Delivery, Subscriber
from neighbourhoods.models import Ward
from priorities.selectors.intake import neighbourhoods_for_issue_log, wards_for_issue_log
from surveys.models import Answer, Question, QuestionKind, Response, Survey, SurveyStatus
from surveys.translations.selectors import shown_in, survey_shown_in, translations_prefetch

# --- answering ------------------------------------------------------------------------------------


def delivery_for_response(*, token) -> Delivery | None:
    """The invitation a response link names, with its survey and member (one query). A member who
    asked to be erased has no link left: their token answers like an unknown one."""
    return (
        Delivery.objects.select_related("alert__survey", "subscriber")
        .filter(token=token, alert__survey__isnull=False, subscriber__erased_at__isnull=True)
        .first()
    )


def survey_for_open_response(*, reference) -> Survey | None:
    """A survey anyone may answer at its public address; drafts are still being written, so they
    do not exist for the public yet."""
    return Survey.objects.filter(reference=reference, is_open_to_all=True).exclude(status=SurveyStatus.DRAFT).first()


def survey_for_thanks(*, reference) -> Survey | None:
    return Survey.objects.filter(reference=reference).first()


def survey_in_reader_language(*, survey: Survey) -> Survey:
    """The survey with its title, introduction and thank-you in the reader's language where translated
    (shown_title and the rest; English otherwise): one query, none in English."""
    return survey_shown_in(survey=survey, language=get_language())


def survey_is_taking_responses(*, survey: Survey, now) -> bool:
    return Survey.objects.taking_responses(now=now).filter(pk=survey.pk).exists()


def member_has_answered(*, survey: Survey, subscriber: Subscriber) -> bool:
    return Response.objects.filter(survey=survey, subscriber=subscriber).exists()


def survey_questions(*, survey: Survey, language: str = "") -> list[Question]:
    """The questions in the order residents see them, each with its section and options, in the reader's
    language where it is translated (shown_text, shown_label; English otherwise): two queries in English,
    four in another language."""
    questions = list(
        survey.questions.select_related("section")
        .prefetch_related(*translations_prefetch(language=language or get_language()))
        .order_by("section__position", "section__pk", "position", "pk")
    )
    return shown_in(questions)


def wards_for_survey(*, survey: Survey) -> list[Ward]:
    """The force's wards that have a neighbourhood team: the choices of a ward question."""
    return list(
        Ward.objects.filter(neighbourhood__division__force_id=survey.force_id)
        .select_related("neighbourhood__division")
        .defer("boundary")
        .order_by("name", "pk")
    )


# --- staff: free-text answers ---------------------------------------------------------------------


def survey_for_staff(*, pk: int) -> Survey | None:
    return Survey.objects.filter(pk=pk).first()


def text_answers(*, survey: Survey, viewer) -> QuerySet[Answer]:
    """The survey's free-text answers that the viewer may read, newest first, with what the page
    shows beside each: the question and the ward (with the neighbourhood and division the access
    rules read). Like the exports, an answer from a ward goes only to the officers of that ward's
    area; one that named no ward belongs to no area, and any reader may take it to their triage."""
    lookup = scope_for(viewer).neighbourhood_filter(via="response__ward__neighbourhood__")
    in_area = Q(response__ward__isnull=True) if lookup is None else Q(response__ward__isnull=True) | Q(**lookup)
    return (
        Answer.objects.filter(in_area, question__survey=survey, question__kind=QuestionKind.TEXT)
        .exclude(text="")
        .select_related("question", "response__ward__neighbourhood__division")
        # A ward's boundary is a whole GeoJSON polygon: never wanted here.
        .defer("response__ward__boundary")
        .order_by("-response__submitted_at", "-pk")
    )


def text_answer_for_survey(*, survey: Survey, viewer, pk: int) -> Answer | None:
    return text_answers(survey=survey, viewer=viewer).filter(pk=pk).first()


def wards_for_triage(*, user) -> list[Ward]:
    """Wards the user may send a concern to: those of the neighbourhoods whose team they work in
    (two queries, or one when they work in none)."""
    neighbourhoods = neighbourhoods_for_issue_log(user=user)
    if not neighbourhoods:
        return []
    return list(wards_for_issue_log(neighbourhoods=neighbourhoods))
