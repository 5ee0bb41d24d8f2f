"""A short-lived server-side cache of public pages as an anonymous visitor sees them.

The public neighbourhood page is what residents land on from police.uk, leaflets and alerts, and
what a spike of visitors hits at once; its content changes at most a few times a day. Signed-in
staff see more on it (edit links, team history), so only the anonymous rendering is cached, and
only while nothing about it is personal: no cookie on the request, none set by the response,
no CSRF token or flash message rendered into it.
"""

from functools import wraps

from django.core.cache import cache
from django.http import HttpResponse
from django.utils.translation import get_language

# A minute is short enough that an officer who publishes a meeting sees it on the public page
# before they have finished telling people about it.
ANONYMOUS_PAGE_SECONDS = 60


def _key(request) -> str:
    return f"anonymous-page:{get_language()}:{request.get_full_path()}"


def cache_for_anonymous(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method != "GET" or request.user.is_authenticated or request.COOKIES:
            return view(request, *args, **kwargs)
        key = _key(request)
        cached = cache.get(key)
        if cached is not None:
            content, content_type = cached
            return HttpResponse(content, content_type=content_type)
        response = view(request, *args, **kwargs)
        personal = response.cookies or request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        if response.status_code == 200 and not response.streaming and not personal:
            cache.set(key, (response.content, response["Content-Type"]), ANONYMOUS_PAGE_SECONDS)
        return response

    return wrapped
