"""Public priority pages: "our priorities" per neighbourhood, one priority's page, and following
a priority by email. Everything reads through priorities.selectors.public, which never loads
restricted text."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from neighbourhoods.selectors import neighbourhood_public_get
from pact_portal import throttle
from pact_portal.privacy import email_masked
from priorities import services
from priorities.forms.public import FollowForm
from priorities.selectors import public as selectors

# Modest limits: each request emails a confirmation link, so without them the form could flood
# someone's inbox, or let a script fill the table. An address limit allows for many residents
# behind one library or mobile network; a resident follows a few priorities at a time at most.
FOLLOWS_PER_ADDRESS_PER_HOUR = 20
FOLLOWS_PER_EMAIL_PER_HOUR = 3
THROTTLE_MESSAGE = gettext_lazy(
    "We have had several requests to follow priorities from you in the last hour. Try again later."
)


def _priority_or_404(reference):
    priority = selectors.public_priority_get(reference=reference)
    if priority is None:
        raise Http404("No such priority.")
    return priority


@login_not_required
@require_safe
def neighbourhood_priorities(request, code):
    neighbourhood = neighbourhood_public_get(code=code)
    if neighbourhood is None:
        raise Http404("No such neighbourhood.")
    priorities = selectors.public_priorities_for_neighbourhood(neighbourhood=neighbourhood)
    return render(request, "priorities/public_list.html", {"neighbourhood": neighbourhood, "priorities": priorities})


def _detail(request, priority, form, *, status=200):
    return render(request, "priorities/public_detail.html", {"priority": priority, "form": form}, status=status)


@login_not_required
@require_safe
def priority_detail(request, reference):
    return _detail(request, _priority_or_404(reference), FollowForm())


def _follow_counters(request, email: str) -> list[tuple[str, int]]:
    return [
        (throttle.address_key(request, "priority-follows"), FOLLOWS_PER_ADDRESS_PER_HOUR),
        (throttle.contact_key("priority-follows", email), FOLLOWS_PER_EMAIL_PER_HOUR),
    ]


@login_not_required
@require_POST
def priority_follow(request, reference):
    priority = _priority_or_404(reference)
    form = FollowForm(request.POST)
    if not form.is_valid():
        return _detail(request, priority, form, status=400)
    email = form.cleaned_data["email"]
    counters = _follow_counters(request, email)
    if throttle.throttled(counters):
        form.add_error(None, THROTTLE_MESSAGE)
        return _detail(request, priority, form, status=429)
    throttle.count(counters)
    try:
        services.priority_follow(
            priority=priority,
            email=email,
            site_url=request.build_absolute_uri("/"),
            language=request.LANGUAGE_CODE,
        )
    except ValidationError as error:
        form.add_error(None, error.messages)
        return _detail(request, priority, form, status=400)
    # The same words whether or not the address already followed it: the page tells nobody who follows what.
    messages.success(
        request,
        _(
            "Nearly done: we have emailed %(email)s a link to confirm you want to follow “%(title)s”. "
            "Until it is confirmed we send nothing more; every email has a link to stop following."
        )
        % {"email": email, "title": priority.title},
    )
    return redirect("priorities:public-detail", reference=priority.reference)


@login_not_required
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def priority_follow_confirm(request, token):
    """GET (and HEAD) only asks: mail scanners follow links and must not confirm anyone. The
    signed link is what proves the address is the resident's."""
    follower = services.follow_confirm_token_load(token)
    context = {"follower": follower, "done": False}
    if follower is None:
        return render(request, "priorities/public_follow_confirm.html", context, status=404)
    context["masked_email"] = email_masked(follower.email)
    if request.method == "POST":
        services.priority_follow_confirm(token=token)
        context["done"] = True
    return render(request, "priorities/public_follow_confirm.html", context)


@login_not_required
@csrf_exempt  # RFC 8058 one-click unsubscribes come from the mail provider, with no cookie or CSRF token.
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def priority_unfollow(request, token):
    """GET asks first, so a mail scanner fetching the link unfollows nobody; a POST (the button,
    or a mail client's one-click `List-Unsubscribe=One-Click`) stops the emails. The unguessable
    token in the address is what authorises it, so a CSRF check would add nothing."""
    follower = selectors.public_follower_get(token=token)
    if request.method == "POST":
        services.priority_unfollow(token=token)
        context = {"done": True, "priority": follower.priority if follower else None}
        return render(request, "priorities/public_unfollow.html", context)
    if follower is None:
        return render(request, "priorities/public_unfollow.html", {"done": True, "priority": None}, status=404)
    context = {"done": False, "priority": follower.priority, "masked_email": email_masked(follower.email)}
    return render(request, "priorities/public_unfollow.html", context)
