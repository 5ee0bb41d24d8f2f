from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_http_methods, require_safe

from accounts.policy import can, policy_required
from accounts.roles import Role
from meetings import selectors as meetings_selectors
from meetings.analytics import selectors as engagement
from meetings.panels import selectors as panel_selectors
from messaging.alerts import selectors as alerts_selectors
from neighbourhoods import selectors, services
from neighbourhoods.forms import LocateForm, NeighbourhoodProfileForm, WardSearchForm
from neighbourhoods.permissions import neighbourhood_get_for_user
from neighbourhoods.selectors import OFFICER_DASHBOARD
from pact_portal.caching import cache_for_anonymous, cache_for_signed_in_user
from priorities.selectors import public as priorities_selectors

# HMIC: every neighbourhood engages every month. The inspectors and chief inspectors who answer
# for that see the neighbourhoods that did not, on their dashboards.
ENGAGEMENT_OVERSEERS = frozenset({Role.INSPECTOR, Role.CHIEF_INSPECTOR})


@login_not_required
@require_safe
def public_home(request):
    form = WardSearchForm(request.GET or None)
    results = places = None
    if form.is_valid():
        results = selectors.ward_search(query=form.cleaned_data["q"])
        places = selectors.place_search(query=form.cleaned_data["q"])
    context = {"form": form, "results": results, "places": places}
    # A history restore wants the whole page back, not the fragment.
    if request.htmx and not request.htmx.history_restore_request:
        response = render(request, "neighbourhoods/_search_results.html", context)
    else:
        response = render(request, "neighbourhoods/public_home.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_not_required
@require_safe
def locate(request):
    """Where a resident clicked on the map, or shared their location: send them to its neighbourhood."""
    form = LocateForm(request.GET)
    if not form.is_valid():
        return render(request, "neighbourhoods/locate_not_found.html", {"form": form}, status=400)
    neighbourhood = selectors.neighbourhood_at_point(
        latitude=form.cleaned_data["lat"], longitude=form.cleaned_data["lng"]
    )
    if neighbourhood is None:
        return render(request, "neighbourhoods/locate_not_found.html", {"form": form}, status=404)
    return redirect(neighbourhood)


@login_not_required
@require_safe
@cache_for_anonymous
def neighbourhood_detail(request, code):
    neighbourhood = selectors.neighbourhood_public_get(code=code)
    if neighbourhood is None:
        raise Http404("No such neighbourhood.")
    context = {
        "neighbourhood": neighbourhood,
        "team": selectors.neighbourhood_public_team(neighbourhood=neighbourhood),
        "upcoming_meetings": meetings_selectors.public_upcoming_for_neighbourhood(neighbourhood=neighbourhood),
        "current_priorities": priorities_selectors.public_priorities_summary(neighbourhood=neighbourhood),
        "panel_register": panel_selectors.panel_public_register(neighbourhood=neighbourhood, on=timezone.localdate()),
        "can_edit": can(request.user, "neighbourhood.edit", neighbourhood),
    }
    if can(request.user, "neighbourhood.view_internal", neighbourhood):
        context["team_history"] = selectors.neighbourhood_team_history(neighbourhood=neighbourhood)
    return render(request, "neighbourhoods/neighbourhood_detail.html", context)


@login_not_required
@require_safe
@cache_control(public=True, max_age=300)
def neighbourhood_wards_geojson(request, code):
    neighbourhood = selectors.neighbourhood_public_get(code=code)
    if neighbourhood is None:
        raise Http404("No such neighbourhood.")
    return JsonResponse(selectors.neighbourhood_wards_feature_collection(neighbourhood=neighbourhood))


@login_not_required
@require_safe
@cache_control(public=True, max_age=300)
def wards_geojson(request):
    return JsonResponse(selectors.all_wards_feature_collection())


@require_GET
@policy_required("staff.dashboard")
@cache_for_signed_in_user(depends_on=(OFFICER_DASHBOARD,))
def officer_home(request):
    neighbourhoods = list(selectors.neighbourhoods_for_user(user=request.user))
    for neighbourhood in neighbourhoods:
        # The area scope is cached on the user, so these checks cost no queries.
        neighbourhood.may_triage = can(request.user, "priority.propose", neighbourhood)
        neighbourhood.may_read_priorities = can(request.user, "priority.view_board", neighbourhood)
    context = {
        "neighbourhoods": neighbourhoods,
        "awaiting_approval": alerts_selectors.alerts_awaiting_approval_by(user=request.user),
    }
    if request.user.role in ENGAGEMENT_OVERSEERS:
        month = engagement.last_full_month()
        context["engagement_month"] = month
        context["engagement_gaps"] = engagement.neighbourhoods_without_engagement(
            neighbourhoods=neighbourhoods, month=month
        )
    return render(request, "neighbourhoods/officer_home.html", context)


@require_GET
@policy_required("staff.dashboard")
def officer_wards_geojson(request):
    return JsonResponse(selectors.user_wards_feature_collection(user=request.user))


@require_http_methods(["GET", "POST"])
def neighbourhood_edit(request, code):
    neighbourhood = neighbourhood_get_for_user(user=request.user, code=code, write=True)
    form = NeighbourhoodProfileForm(request.POST or None, instance=neighbourhood)
    if request.method == "POST" and form.is_valid():
        services.neighbourhood_update_profile(
            neighbourhood=neighbourhood, actor=request.user, **{f: form.cleaned_data[f] for f in form.changed_data}
        )
        messages.success(request, gettext("%(name)s's public profile has been updated.") % {"name": neighbourhood.name})
        return redirect(neighbourhood)
    return render(request, "neighbourhoods/neighbourhood_edit.html", {"neighbourhood": neighbourhood, "form": form})
