"""Answering a survey (public: an In the Know member's own link, or an open survey's address) and,
for staff, turning written answers into issues in the neighbourhood triage queue."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_safe

from accounts.policy import can, scope_for
from accounts.roles import ScopeLevel
from pact_portal import throttle
from surveys.models import QuestionKind, ResponseSource, SurveyStatus
from surveys.respond import selectors, services
from surveys.respond.forms import SurveyResponseForm, TextAnswerIssueForm

# An open survey's limits: one response per browser session per survey, and a ceiling per client
# address that a household or a library never reaches but a script filling the form does.
OPEN_RESPONSES_PER_ADDRESS_PER_HOUR = 10
THROTTLE_MESSAGE = gettext_lazy(
    "Several answers to our surveys have come from your connection in the last hour, so we cannot take "
    "another just now. Please try again later."
)
ANSWERED_SESSION_KEY = "surveys:answered"
TEXT_ANSWERS_PER_PAGE = 25


# --- residents ------------------------------------------------------------------------------------


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def respond(request, token):
    """A member's own link: the token of the invitation they were sent, by any channel."""
    delivery = selectors.delivery_for_response(token=token)
    if delivery is None:
        raise Http404("This survey link is not from one of our messages.")
    survey, member = delivery.alert.survey, delivery.subscriber
    return _answer(
        request,
        survey=survey,
        source=ResponseSource.INVITED,
        subscriber=member,
        answered=lambda: selectors.member_has_answered(survey=survey, subscriber=member),
    )


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def open_survey(request, reference):
    survey = selectors.survey_for_open_response(reference=reference)
    if survey is None:
        raise Http404("No such survey.")
    return _answer(
        request,
        survey=survey,
        source=ResponseSource.OPEN,
        answered=lambda: survey.pk in request.session.get(ANSWERED_SESSION_KEY, []),
        counters=[(throttle.address_key(request, "survey-responses"), OPEN_RESPONSES_PER_ADDRESS_PER_HOUR)],
    )


def _answer(request, *, survey, source, answered, subscriber=None, counters=()):
    """The form, the closed page or the "already answered" page, and the saving, for both ways in."""
    survey = selectors.survey_in_reader_language(survey=survey)
    if not selectors.survey_is_taking_responses(survey=survey, now=timezone.now()):
        return _closed(request, survey)
    if answered():
        return _already(request, survey)
    questions = selectors.survey_questions(survey=survey)
    has_ward_question = any(q.kind == QuestionKind.WARD for q in questions)
    wards = selectors.wards_for_survey(survey=survey) if has_ward_question else []
    # An empty POST (nothing ticked) is still a submission: `request.POST or None` would unbind it.
    data = request.POST if request.method == "POST" else None
    form = SurveyResponseForm(data, questions=questions, wards=wards)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid() and throttle.throttled(counters):
            form.add_error(None, THROTTLE_MESSAGE)
            status = 429
        elif form.is_valid():
            try:
                services.response_submit(survey=survey, answers=form.answers(), source=source, subscriber=subscriber)
            except services.SurveyClosed:
                return _closed(request, survey)
            except services.AlreadyAnswered:
                return _already(request, survey, status=409)
            except ValidationError as error:
                form.add_error(None, error.messages)
            else:
                throttle.count(counters)
                _remember_answered(request, survey)
                return redirect("surveys:thanks", reference=survey.reference)
    context = {"survey": survey, "form": form, "questions": questions}
    return render(request, "surveys/respond/form.html", context, status=status)


def _remember_answered(request, survey) -> None:
    answered = request.session.get(ANSWERED_SESSION_KEY, [])
    if survey.pk not in answered:
        request.session[ANSWERED_SESSION_KEY] = [*answered, survey.pk]


def _closed(request, survey):
    now = timezone.now()
    ended = survey.status == SurveyStatus.CLOSED or (survey.closes_at is not None and survey.closes_at <= now)
    return render(request, "surveys/respond/closed.html", {"survey": survey, "ended": ended}, status=410)


def _already(request, survey, *, status=200):
    return render(request, "surveys/respond/already_answered.html", {"survey": survey}, status=status)


@login_not_required
@never_cache
@require_safe
def thanks(request, reference):
    """The thank-you page, only for the browser that just answered: it names nothing about them."""
    survey = selectors.survey_for_thanks(reference=reference)
    if survey is None or survey.pk not in request.session.get(ANSWERED_SESSION_KEY, []):
        raise Http404("No such survey.")
    survey = selectors.survey_in_reader_language(survey=survey)
    return render(request, "surveys/respond/thanks.html", {"survey": survey})


# --- staff: written answers into the triage queue -------------------------------------------------


def _survey_for_text_answers(user, pk):
    survey = selectors.survey_for_staff(pk=pk)
    if survey is None or not can(user, "survey.view_results", survey):
        raise Http404("No such survey.")
    return survey


def _may_send(user, answer, triage_wards) -> bool:
    ward = services.issue_ward(answer)
    if ward is None:
        return bool(triage_wards)
    return can(user, "priority.propose", ward.neighbourhood)


def _row(survey, answer, form) -> dict:
    action = reverse("surveys:text-answer-issue", kwargs={"pk": survey.pk, "answer_pk": answer.pk})
    return {"answer": answer, "form": form, "action": action}


@require_GET
def text_answers(request, pk):
    survey = _survey_for_text_answers(request.user, pk)
    page = Paginator(selectors.text_answers(survey=survey, viewer=request.user), TEXT_ANSWERS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    triage_wards = selectors.wards_for_triage(user=request.user)
    rows = []
    for answer in page.object_list:
        may_send = answer.issue_id is None and _may_send(request.user, answer, triage_wards)
        needs_ward = services.issue_ward(answer) is None
        form = TextAnswerIssueForm(wards=triage_wards if needs_ward else None, auto_id=f"id_a{answer.pk}_%s")
        rows.append(_row(survey, answer, form if may_send else None))
    force_wide = scope_for(request.user).level == ScopeLevel.FORCE
    context = {"survey": survey, "page": page, "rows": rows, "force_wide": force_wide}
    return render(request, "surveys/respond/text_answers.html", context)


@require_http_methods(["GET", "POST"])
def text_answer_issue(request, pk, answer_pk):
    """Send one written answer to the triage queue: the neighbourhood team's decision, so anyone
    else who may read the answers is refused (403), and an answer already sent is not sent again."""
    survey = _survey_for_text_answers(request.user, pk)
    answer = selectors.text_answer_for_survey(survey=survey, viewer=request.user, pk=answer_pk)
    if answer is None:
        raise Http404("No such answer.")
    back = reverse("surveys:text-answers", kwargs={"pk": survey.pk})
    ward = services.issue_ward(answer)
    triage_wards = selectors.wards_for_triage(user=request.user) if ward is None else None
    if not _may_send(request.user, answer, triage_wards):
        raise PermissionDenied
    if answer.issue_id is not None:
        if request.htmx:
            return render(request, "surveys/respond/_text_answer.html", {"row": _row(survey, answer, None)})
        messages.info(request, gettext("That answer is already in the triage queue."))
        return redirect(back)
    # From the list page (htmx) the row is swapped in place, so its ids stay those of the list.
    auto_id = f"id_a{answer.pk}_%s" if request.htmx else "id_%s"
    data = request.POST if request.method == "POST" else None
    form = TextAnswerIssueForm(data, wards=triage_wards, auto_id=auto_id)
    if request.method == "POST" and form.is_valid():
        chosen = ward or form.chosen_ward
        if not can(request.user, "priority.propose", chosen.neighbourhood):
            raise PermissionDenied
        try:
            issue = services.answer_send_to_triage(
                answer=answer, category=form.cleaned_data["category"], ward=chosen, actor=request.user
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            if request.htmx:
                return render(request, "surveys/respond/_text_answer.html", {"row": _row(survey, answer, None)})
            messages.success(
                request,
                gettext("Sent to %(name)s's triage queue as issue %(issue)s.")
                % {"name": chosen.neighbourhood.name, "issue": issue.pk},
            )
            return redirect(back)
    if request.htmx and request.method == "POST":
        # 200, not 400: htmx swaps only successful responses, and the row must show its errors.
        return render(request, "surveys/respond/_text_answer.html", {"row": _row(survey, answer, form)})
    status = 400 if request.method == "POST" else 200
    context = {"survey": survey, "answer": answer, "form": form}
    return render(request, "surveys/respond/text_answer_issue.html", context, status=status)
