"""Server-side caches of rendered pages.

Public pages as an anonymous visitor sees them are kept a minute. The public neighbourhood page
is what residents land on from police.uk, leaflets and alerts, and what a spike of visitors hits
at once; its content changes at most a few times a day. Signed-in staff see more on it (edit
links, team history), so only the anonymous rendering is cached, and only while nothing about it
is personal: no cookie on the request, none set by the response, no CSRF token or flash message
rendered into it.

A signed-in officer's dashboard is what every shift opens first and keeps reloading; it is kept
per officer and browser until any table it was built from is written (pact_portal.generations).
"""

import hashlib
from functools import wraps

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.http import HttpResponse
from django.utils.translation import get_language

from pact_portal import generations

# A minute is short enough that an officer who publishes a meeting sees it on the public page
# before they have finished telling people about it.
ANONYMOUS_PAGE_SECONDS = 60


def _key(request) -> str:
    return f"anonymous-page:{get_language()}:{request.get_full_path()}"


def cache_for_anonymous(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        # The language cookie is not personal: the key already holds the language it chose.
        cookies = set(request.COOKIES) - {settings.LANGUAGE_COOKIE_NAME}
        if request.method != "GET" or request.user.is_authenticated or cookies:
            return view(request, *args, **kwargs)
        if not generations.cache_usable():
            return view(request, *args, **kwargs)
        key = _key(request)
        try:
            cached = cache.get(key)
        except generations.CACHE_ERRORS:
            # A spike of visitors is exactly when the page must still answer: built afresh.
            generations.cache_failed("anonymous page read")
            return view(request, *args, **kwargs)
        if cached is not None:
            content, content_type = cached
            return HttpResponse(content, content_type=content_type)
        response = view(request, *args, **kwargs)
        personal = response.cookies or request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        if response.status_code == 200 and not response.streaming and not personal:
            try:
                cache.set(key, (response.content, response["Content-Type"]), ANONYMOUS_PAGE_SECONDS)
            except generations.CACHE_ERRORS:
                generations.cache_failed("anonymous page write")
        return response

    return wrapped


def _signed_in_key(request) -> str:
    # The page holds a CSRF token for the browser's own secret, so a page is kept per session and
    # CSRF cookie, never shared between two browsers of one officer.
    holder = f"{request.session.session_key}:{request.META['CSRF_COOKIE']}"
    digest = hashlib.sha256(holder.encode()).hexdigest()
    return f"signed-in-page:{request.user.pk}:{digest}:{get_language()}:{request.get_full_path()}"


def _cacheable(request) -> bool:
    csrf_secret = request.META.get("CSRF_COOKIE")
    return (
        request.method == "GET"
        and not getattr(request, "htmx", False)
        and request.user.is_authenticated
        # A page rendered for a browser without a CSRF cookie carries a token for a new secret
        # that only that response sets: no later request may be served it.
        and bool(csrf_secret)
        and csrf_secret == request.COOKIES.get(settings.CSRF_COOKIE_NAME)
        # A flash message is shown once, on the page that follows the change.
        and not len(get_messages(request))
    )


def cache_for_signed_in_user(*, depends_on: tuple[str, ...]):
    """Keep a signed-in user's rendered page until a table it was built from is written.

    `depends_on` names generations (pact_portal.generations) covering every table the page reads.
    The view's decorators outside this one, and the middleware (sign-in, permissions), still run
    on every request: only the page's own queries and rendering are saved. Pages that show
    something that changes with time alone are stale by at most SIGNED_IN_CACHE_SECONDS.
    """

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            seconds = settings.SIGNED_IN_CACHE_SECONDS
            if not seconds or not _cacheable(request):
                return view(request, *args, **kwargs)
            key = _signed_in_key(request)
            page, stamp = generations.lookup(key, groups=depends_on)
            if page is not None:
                content, headers = page
                return HttpResponse(content, headers=headers)
            response = view(request, *args, **kwargs)
            if response.status_code == 200 and not response.streaming and not response.cookies:
                page = (response.content, dict(response.headers))
                generations.keep(key, page, stamp=stamp, timeout=seconds)
            return response

        return wrapped

    return decorator
