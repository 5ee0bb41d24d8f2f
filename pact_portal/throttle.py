"""Hourly limits on what anyone may do without signing in (reports, follows, sign-ups), counted
in the cache: a resident with several concerns is never stopped, a script flooding a form is.

A counter is a (key, limit) pair; a view builds the counters that fit its form, asks
`throttled(counters)` before acting and `count(counters)` after it acted."""

import hashlib

from axes.helpers import get_client_ip_address
from django.core.cache import cache

WINDOW_SECONDS = 60 * 60


def address_key(request, prefix: str) -> str:
    # The client address as django-axes reads it (PROXY_COUNT-aware), so both agree on who it is.
    return f"{prefix}:address:{get_client_ip_address(request) or 'unknown'}"


def contact_key(prefix: str, contact: str) -> str:
    """A key per email address or phone number, hashed so the cache holds none of them."""
    return f"{prefix}:contact:{hashlib.sha256(contact.lower().encode()).hexdigest()[:32]}"


def throttled(counters) -> bool:
    return any(cache.get(key, 0) >= limit for key, limit in counters)


def count(counters) -> None:
    for key, _ in counters:
        if not cache.add(key, 1, WINDOW_SECONDS):
            try:
                cache.incr(key)
            except ValueError:  # expired between add() and incr()
                cache.set(key, 1, WINDOW_SECONDS)
