"""The officers' door-knock pages: load a street list, plan a round, knock on its doors from a
phone, finish it, and plan the next round from the doors where nobody was in."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from accounts.policy import can, policy_required
from messaging.doorknock import selectors, services
from messaging.doorknock.forms import DoorForm, PlanForm, StreetListForm
from messaging.models import DoorOutcome
from pact_portal.forms import form_add_service_errors


@require_GET
@policy_required("doorknock.plan")
def round_list(request):
    context = {
        "rounds": selectors.rounds_for_user(user=request.user),
        "may_import": can(request.user, "doorknock.import_streets"),
    }
    return render(request, "messaging/doorknock/round_list.html", context)


@require_http_methods(["GET", "POST"])
@policy_required("doorknock.plan")
def round_plan(request):
    wards = selectors.wards_for_planning(user=request.user)
    code = request.GET.get("ward", "")
    ward = next((w for w in wards if w.code == code), None)
    if code and ward is None:
        raise Http404("No such ward in your neighbourhoods.")
    if ward is None:
        return render(request, "messaging/doorknock/plan_ward.html", {"wards": wards})
    priorities = selectors.streets_by_priority(ward=ward)
    form = PlanForm(request.POST if request.method == "POST" else None, ward=ward)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            rank = {row.street.pk: n for n, row in enumerate(priorities)}
            chosen = sorted(form.cleaned_data["streets"], key=lambda s: rank.get(s.pk, len(rank)))
            try:
                door_round = services.round_plan(ward=ward, streets=chosen, actor=request.user)
            except ValidationError as error:
                form_add_service_errors(form, error)
            else:
                return redirect("messaging:doorknock-round", pk=door_round.pk)
        status = 400
    context = {
        "ward": ward,
        "priorities": priorities,
        "synthetic": any(row.street.is_synthetic for row in priorities),
        "gaps": selectors.ward_gaps(ward=ward),
        "form": form,
    }
    return render(request, "messaging/doorknock/plan_streets.html", context, status=status)


@require_GET
def round_detail(request, pk):
    door_round = selectors.round_get_for_user(user=request.user, pk=pk)
    context = {
        "round": door_round,
        "doors": selectors.round_doors(door_round=door_round),
        "tally": selectors.round_tally(door_round=door_round),
        "outcomes": DoorOutcome.choices,
    }
    return render(request, "messaging/doorknock/round_detail.html", context)


@require_POST
def door_record(request, pk, door_pk):
    door_round = selectors.round_get_for_user(user=request.user, pk=pk)
    door = selectors.door_get_for_round(door_round=door_round, pk=door_pk)
    form = DoorForm(request.POST)
    error = ""
    if not form.is_valid():
        error = "Choose what happened at the door."
    else:
        outcome = form.cleaned_data["outcome"]
        try:
            if outcome == DoorOutcome.SIGNED_UP:
                # Recorded by the doorstep sign-up once the household is signed up, so the round
                # counts sign-ups made, not sign-ups begun.
                services.round_check_open(door_round=door_round)
            else:
                services.door_record(door=door, outcome=outcome, actor=request.user)
        except ValidationError as problem:
            error = " ".join(problem.messages)
    onward = None if error else _onward(door_round, door, outcome=form.cleaned_data["outcome"])
    if request.htmx:
        if onward:
            return HttpResponseClientRedirect(onward)
        # htmx swaps only a 2xx answer: the door comes back with its error shown, as it was.
        context = {"round": door_round, "door": door, "outcomes": DoorOutcome.choices, "error": error}
        return render(request, "messaging/doorknock/_door.html", context)
    if error:
        messages.error(request, f"{door.address}: {error}")
    return redirect(onward or f"{reverse('messaging:doorknock-round', kwargs={'pk': pk})}#door-{door.pk}")


def _onward(door_round, door, *, outcome: str) -> str | None:
    """A sign-up goes on in the doorstep sign-up, a concern in the officers' issue log, each in the
    door's ward; both bring the officer back to the round when done."""
    back = f"{reverse('messaging:doorknock-round', kwargs={'pk': door_round.pk})}#door-{door.pk}"
    ward = door_round.ward
    if outcome == DoorOutcome.SIGNED_UP:
        query = {"ward": ward.code, "door": door.pk, "next": back}
        return f"{reverse('messaging:field-signup')}?{urlencode(query)}"
    if outcome == DoorOutcome.ISSUE:
        query = {"neighbourhood": door_round.neighbourhood.code, "ward": ward.code}
        query |= {"source": "door_knock", "next": back}
        return f"{reverse('priorities:log-issue')}?{urlencode(query)}"
    return None


@require_POST
def round_finish(request, pk):
    door_round = selectors.round_get_for_user(user=request.user, pk=pk)
    try:
        door_round = services.round_finish(door_round=door_round, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        tally = selectors.round_tally(door_round=door_round)
        messages.success(
            request,
            _(
                "Round finished and recorded as a door-knock meeting: %(knocked)s doors knocked, "
                "%(spoken_to)s residents spoken to, %(signed_up)s signed up."
            )
            % {"knocked": tally["knocked"], "spoken_to": tally["spoken_to"], "signed_up": tally[DoorOutcome.SIGNED_UP]},
        )
    return redirect("messaging:doorknock-round", pk=door_round.pk)


@require_POST
def round_plan_next(request, pk):
    door_round = selectors.round_get_for_user(user=request.user, pk=pk)
    try:
        following = services.round_plan_from_not_in(door_round=door_round, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("messaging:doorknock-round", pk=door_round.pk)
    messages.success(request, _("The next round is the doors where nobody was in."))
    return redirect("messaging:doorknock-round", pk=following.pk)


@require_http_methods(["GET", "POST"])
@policy_required("doorknock.import_streets")
def street_list_import(request):
    form = StreetListForm(*((request.POST, request.FILES) if request.method == "POST" else ()))
    problems, status = [], 200
    if request.method == "POST":
        if form.is_valid():
            try:
                result = services.street_list_import(data=form.cleaned_data["file"].read(), actor=request.user)
            except ValidationError as error:
                problems = error.messages
            else:
                messages.success(
                    request,
                    _(
                        "Street list loaded: %(streets)s new streets, %(addresses)s new addresses "
                        "(%(listed)s were already listed)."
                    )
                    % {
                        "streets": result.streets_created,
                        "addresses": result.addresses_created,
                        "listed": result.addresses_already_listed,
                    },
                )
                return redirect("messaging:doorknock-import")
        status = 400
    context = {"form": form, "problems": problems, "wards": selectors.wards_for_import(user=request.user)}
    return render(request, "messaging/doorknock/street_import.html", context, status=status)
