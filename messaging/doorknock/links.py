"""The way back to a round from the pages a door leads to (the doorstep sign-up, the issue log)."""

from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme


def round_return_path(value: str) -> str:
    """`value` when it is one of this site's door-knock round pages, else "": a `next` parameter
    must never send an officer to another site or page."""
    prefix = reverse("messaging:doorknock-rounds")
    if not value or not value.startswith(prefix) or "\\" in value:
        return ""
    return value if url_has_allowed_host_and_scheme(value, allowed_hosts=None) else ""
