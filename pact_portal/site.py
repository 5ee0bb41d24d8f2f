"""The portal's own address, for the absolute links that emails, texts and exports carry.

Every such link is built with `absolute_url` (or `site_url` for a base). While a request is being
answered that is the request's own scheme and host, so a link made in it points where the person
reached the portal (`make run PORT=8080`, a second hostname); a background task has no request and
uses SITE_URL, which production must set. The request is held in a context variable for the length
of the response only: thread-pool tasks start with an empty context, so they never see it.
"""

from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings

_request: ContextVar = ContextVar("pact_portal_request", default=None)
_queued_from: ContextVar = ContextVar("pact_portal_queued_from", default="")


@contextmanager
def built_for(url: str):
    """Links made inside point at `url`: a task queued while answering a request passes on that
    request's site_url(), so what it sends points where the person reached the portal."""
    token = _queued_from.set(url.rstrip("/"))
    try:
        yield
    finally:
        _queued_from.reset(token)


def site_url() -> str:
    """scheme://host[:port] to put in front of a path, with no trailing slash."""
    request = _request.get()
    if request is not None:
        # get_host() has already been checked against ALLOWED_HOSTS by CommonMiddleware, so a
        # forged Host header cannot put another site's address into a member's email.
        return request.build_absolute_uri("/").rstrip("/")
    return _queued_from.get() or settings.SITE_URL.rstrip("/")


def absolute_url(path: str) -> str:
    return site_url() + path


class RequestSiteMiddleware:
    """Lets `site_url` answer with the request being served."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _request.set(request)
        try:
            return self.get_response(request)
        finally:
            _request.reset(token)
