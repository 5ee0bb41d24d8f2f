"""Staff pages of the inbox: the folders a user may open, a team's replies, the "not matched"
folder, one reply's thread with the answer form, and the answer and close buttons."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.policy import can, policy_required
from messaging.inbox import forms, selectors, services
from messaging.inbox.services import urgent_advice_text
from neighbourhoods.models import Neighbourhood
from pact_portal.forms import form_add_service_errors

PAGE_SIZE = 25


def _neighbourhood_for_inbox(*, user, code: str) -> Neighbourhood:
    neighbourhood = Neighbourhood.objects.select_related("division").filter(code=code).first()
    if neighbourhood is None or not can(user, "inbox.view", neighbourhood):
        raise Http404
    return neighbourhood


def reply_get_for_user(*, user, pk: int):
    """The reply, if the user handles its folder; 404 otherwise, so ids leak nothing."""
    reply = selectors.reply_get(pk=pk)
    if reply is None or not can(user, "reply.handle", reply):
        raise Http404
    return reply


@require_GET
@policy_required("inbox.view")
def inbox_home(request):
    context = {
        "folders": selectors.inbox_folders_for_user(user=request.user),
        "unmatched": selectors.unmatched_counts() if can(request.user, "inbox.view_unmatched") else None,
    }
    return render(request, "messaging/inbox/inbox_home.html", context)


def _folder(request, *, neighbourhood):
    show_closed = request.GET.get("closed") == "1"
    rows = selectors.replies_in_folder(neighbourhood=neighbourhood, show_closed=show_closed)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "neighbourhood": neighbourhood,
        "page": page,
        "show_closed": show_closed,
        "advice": urgent_advice_text(),
        "has_urgent": any(reply.is_urgent and reply.status != "closed" for reply in page),
    }
    return render(request, "messaging/inbox/folder.html", context)


@require_GET
def inbox_team(request, code):
    return _folder(request, neighbourhood=_neighbourhood_for_inbox(user=request.user, code=code))


@require_GET
@policy_required("inbox.view_unmatched")
def inbox_unmatched(request):
    return _folder(request, neighbourhood=None)


def _thread_page(request, reply, *, form=None, status=200):
    context = {
        "reply": reply,
        "thread": selectors.reply_thread(reply=reply),
        "others": selectors.member_other_threads(reply=reply),
        "form": form or forms.AnswerForm(),
        "advice": urgent_advice_text(),
    }
    return render(request, "messaging/inbox/reply_detail.html", context, status=status)


@require_GET
def reply_detail(request, pk):
    return _thread_page(request, reply_get_for_user(user=request.user, pk=pk))


@require_http_methods(["POST"])
def reply_answer(request, pk):
    reply = reply_get_for_user(user=request.user, pk=pk)
    form = forms.AnswerForm(request.POST)
    if form.is_valid():
        try:
            services.reply_answer(reply=reply, actor=request.user, body=form.cleaned_data["body"])
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(request, _("Your answer is on its way to the member."))
            return redirect(reply.get_absolute_url())
    return _thread_page(request, reply, form=form, status=400)


@require_POST
def reply_close(request, pk):
    reply = reply_get_for_user(user=request.user, pk=pk)
    services.reply_close(reply=reply, actor=request.user)
    messages.success(request, _("The reply is closed."))
    folder = "messaging:inbox-unmatched" if reply.neighbourhood_id is None else "messaging:inbox-team"
    args = [] if reply.neighbourhood_id is None else [reply.neighbourhood.code]
    return redirect(folder, *args)
