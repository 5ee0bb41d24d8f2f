"""Staff pages for building a survey (its settings, sections and questions, the question bank),
opening and closing it, and sending it to In the Know members. Every change is a POST; the
reorder buttons swap in the builder by htmx when it is there and reload the page when it is not."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.policy import can
from messaging import links, rendering
from messaging.models import AlertStatus
from pact_portal.forms import form_add_service_errors
from surveys.build import forms, selectors, services
from surveys.models import QuestionKind, SurveyStatus


def _may_list(user) -> bool:
    return can(user, "survey.create") or can(user, "representation.view")


def _not_draft(request, survey):
    """A builder page asked for on a survey that is no longer a draft: say why, back to its page."""
    if survey.status == SurveyStatus.DRAFT:
        return None
    messages.error(
        request,
        gettext("This survey is %(status)s: only a draft can be changed.")
        % {"status": survey.get_status_display().lower()},
    )
    return redirect(survey)


def _back(survey, anchor: str = "builder"):
    return redirect(f"{survey.get_absolute_url()}#{anchor}")


# --- the list and a new survey ------------------------------------------------------------------


@require_GET
def survey_list(request):
    if not _may_list(request.user):
        raise PermissionDenied
    status = request.GET.get("status", "")
    if status not in SurveyStatus.values:
        status = ""
    context = {
        "surveys": selectors.surveys_for_user(user=request.user, status=status or None),
        "status": status,
        "statuses": SurveyStatus.choices,
        "can_create": can(request.user, "survey.create"),
    }
    return render(request, "surveys/build/survey_list.html", context)


@require_http_methods(["GET", "POST"])
def survey_create(request):
    if not can(request.user, "survey.create"):
        raise PermissionDenied
    form = forms.SurveyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            survey = services.survey_create(
                actor=request.user, force=selectors.survey_force(user=request.user), **form.cleaned_data
            )
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(request, gettext("Survey saved as a draft. Add its questions, then open it."))
            return redirect(survey)
    return render(request, "surveys/build/survey_form.html", {"form": form, "survey": None})


# --- one survey ---------------------------------------------------------------------------------


def _detail_context(request, survey, *, section_form=None, bank_form=None) -> dict:
    user = request.user
    may_edit = can(user, "survey.edit", survey)
    can_build = may_edit and survey.status == SurveyStatus.DRAFT
    sections = survey.sections.all()
    used = {q.bank_key for section in sections for q in section.questions.all() if q.bank_key}
    public = survey.is_open_to_all and survey.status == SurveyStatus.OPEN
    return {
        "survey": survey,
        "sections": sections,
        # The address to print on leaflets and posters: the site's public one, not this request's.
        "open_url": links.absolute(reverse("surveys:open", kwargs={"reference": survey.reference})) if public else "",
        "can_build": can_build,
        "can_open": can_build,
        "can_close": may_edit and survey.status == SurveyStatus.OPEN,
        # Translating changes no answer or count, so it stays open once the survey is.
        "can_translate": may_edit,
        "can_send": may_edit and survey.status == SurveyStatus.OPEN and can(user, "alert.compose"),
        "can_view_alerts": can(user, "alert.compose"),
        "invitations": selectors.survey_invitations(survey=survey),
        "section_form": section_form or forms.SectionForm(auto_id="id_section_%s"),
        "bank_form": bank_form or forms.BankQuestionForm(sections=sections, used=used, auto_id="id_bank_%s"),
        "kinds": QuestionKind.choices,
        "bank_unused": len(used) < len(forms.BANK),
    }


@require_GET
def survey_detail(request, pk):
    selectors.survey_get_for_user(user=request.user, pk=pk)
    survey = selectors.survey_for_page(pk=pk)
    return render(request, "surveys/build/survey_detail.html", _detail_context(request, survey))


def _builder_or_back(request, survey):
    """After a reorder: the builder alone for htmx, otherwise back to the survey's page."""
    if request.htmx:
        survey = selectors.survey_for_page(pk=survey.pk)
        return render(request, "surveys/build/_builder.html", _detail_context(request, survey))
    return _back(survey)


@require_http_methods(["GET", "POST"])
def survey_edit(request, pk):
    survey = selectors.survey_get_for_user(user=request.user, pk=pk, write=True)
    if refused := _not_draft(request, survey):
        return refused
    form = forms.SurveyForm(request.POST or None, initial=forms.initial_for_survey(survey))
    if request.method == "POST" and form.is_valid():
        try:
            services.survey_update(survey=survey, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(request, gettext("Survey details saved."))
            return redirect(survey)
    return render(request, "surveys/build/survey_form.html", {"form": form, "survey": survey})


def _step(request, survey, service, done: str):
    try:
        service(survey=survey, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done)
    return redirect(survey)


@require_POST
def survey_open(request, pk):
    survey = selectors.survey_get_for_user(user=request.user, pk=pk, write=True)
    return _step(
        request, survey, services.survey_open, gettext("The survey is open: it takes responses from its opening date.")
    )


@require_POST
def survey_close(request, pk):
    survey = selectors.survey_get_for_user(user=request.user, pk=pk, write=True)
    return _step(request, survey, services.survey_close, gettext("The survey is closed: it takes no more responses."))


# --- sections -----------------------------------------------------------------------------------


@require_POST
def section_add(request, pk):
    survey = selectors.survey_get_for_user(user=request.user, pk=pk, write=True)
    form = forms.SectionForm(request.POST, auto_id="id_section_%s")
    if form.is_valid():
        try:
            section = services.section_add(survey=survey, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(request, gettext("Section “%(title)s” added.") % {"title": section.title})
            return _back(survey, f"section-{section.pk}")
    survey = selectors.survey_for_page(pk=pk)
    return render(request, "surveys/build/survey_detail.html", _detail_context(request, survey, section_form=form))


@require_http_methods(["GET", "POST"])
def section_edit(request, pk, section_pk):
    survey = selectors.survey_get_for_user(user=request.user, pk=pk, write=True)
    if refused := _not_draft(request, survey):
        return refused
    section = selectors.section_for_survey(survey=survey, pk=section_pk)
    initial = {"title": section.title, "description": section.description}
    form = forms.SectionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.section_rename(section=section, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(request, gettext("Section saved."))
            return _back(survey, f"section-{section.pk}")
    return render(request, "surveys/build/section_form.html", {"form": form, "survey": survey, "section": section})


@require_POST
def section_move(request, pk, section_pk, direction):
    survey = selectors.survey_get_for_user(user=request.user, pk=pk, write=True)
    section = selectors.section_for_survey(survey=survey, pk=section_pk)
    try:
        services.section_move(section=section, actor=request.user, direction=direction)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return _builder_or_back(request, survey)


@require_POST
def section_delete(request, pk, section_pk):
    survey = selectors.survey_get_for_user(user=request.user, pk=pk, write=True)
    section = selectors.section_for_survey(survey=survey, pk=section_pk)
    try:
        services.section_delete(section=section, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, gettext("Section “%(title)s” deleted.") % {"title": section.title})
    return _back(survey)


# --- questions ----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def question_add(request, pk):
    survey = selectors.survey_get_for_user(user=request.user, pk=pk, write=True)
    if refused := _not_draft(request, survey):
        return refused
    sections = survey.sections.order_by("position", "pk")
    initial = {"section": request.GET.get("section"), "kind": request.GET.get("kind", QuestionKind.SINGLE)}
    form = forms.QuestionForm(request.POST or None, sections=sections, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            question = services.question_add(survey=survey, actor=request.user, **form.service_kwargs())
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(request, gettext("Question added."))
            return _back(survey, f"question-{question.pk}")
    return render(request, "surveys/build/question_form.html", {"form": form, "survey": survey, "question": None})


@require_http_methods(["GET", "POST"])
def question_edit(request, pk, question_pk):
    survey = selectors.survey_get_for_user(user=request.user, pk=pk, write=True)
    if refused := _not_draft(request, survey):
        return refused
    question = selectors.question_for_survey(survey=survey, pk=question_pk)
    initial = forms.initial_for_question(question)
    form = forms.QuestionForm(
        request.POST or None, kind=question.kind, is_bank=bool(question.bank_key), initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.question_update(question=question, actor=request.user, **form.service_kwargs())
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(request, gettext("Question saved."))
            return _back(survey, f"question-{question.pk}")
    context = {"form": form, "survey": survey, "question": question}
    return render(request, "surveys/build/question_form.html", context)


@require_POST
def question_add_from_bank(request, pk):
    survey = selectors.survey_get_for_user(user=request.user, pk=pk, write=True)
    used = selectors.used_bank_keys(survey=survey)
    sections = survey.sections.order_by("position", "pk")
    form = forms.BankQuestionForm(request.POST, sections=sections, used=used, auto_id="id_bank_%s")
    if form.is_valid():
        try:
            question = services.question_add_from_bank(survey=survey, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(request, gettext("Standard question added."))
            return _back(survey, f"question-{question.pk}")
    survey = selectors.survey_for_page(pk=pk)
    return render(request, "surveys/build/survey_detail.html", _detail_context(request, survey, bank_form=form))


@require_POST
def question_move(request, pk, question_pk, direction):
    survey = selectors.survey_get_for_user(user=request.user, pk=pk, write=True)
    question = selectors.question_for_survey(survey=survey, pk=question_pk)
    try:
        services.question_move(question=question, actor=request.user, direction=direction)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return _builder_or_back(request, survey)


@require_POST
def question_delete(request, pk, question_pk):
    survey = selectors.survey_get_for_user(user=request.user, pk=pk, write=True)
    question = selectors.question_for_survey(survey=survey, pk=question_pk)
    try:
        services.question_delete(question=question, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, gettext("Question deleted."))
    return _back(survey)


# --- sending ------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def survey_send(request, pk):
    survey = selectors.survey_get_for_user(user=request.user, pk=pk, write=True)
    if not can(request.user, "alert.compose"):
        raise PermissionDenied
    if survey.status != SurveyStatus.OPEN:
        messages.error(request, gettext("Only an open survey can be sent: open it first."))
        return redirect(survey)
    invitations = selectors.survey_invitations(survey=survey).exclude(status=AlertStatus.CANCELLED)
    initial = forms.initial_for_invitation(survey, is_reminder=invitations.exists())
    form = forms.SurveySendForm(request.POST or None, user=request.user, force=survey.force, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            alert = services.survey_send(survey=survey, actor=request.user, **form.service_kwargs())
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            if alert.status == AlertStatus.AWAITING_APPROVAL:
                messages.success(
                    request, gettext("Invitation saved: a communications officer must approve a force-wide send.")
                )
            else:
                messages.success(request, gettext("Invitation on its way: each member gets their own survey link."))
            return redirect(alert)
    levels = [value for value, _ in form.fields["audience_level"].choices]
    context = {
        "form": form,
        "survey": survey,
        "levels": levels,
        # The counter counts what the text will end with: the member's survey link and manage link.
        "sms_footer": rendering.sms_footer_worst_case(survey=True),
        "sms_max_segments": rendering.SMS_MAX_SEGMENTS,
    }
    return render(request, "surveys/build/survey_send.html", context)
