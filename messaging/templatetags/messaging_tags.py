"""Template helpers for In the Know: asking the access policy, and showing a stored email safely."""

from django import template
from django.utils.html import escape

from accounts.policy import can

register = template.Library()

# Put in front of an email shown in a sandboxed iframe. The sandbox already stops scripts, forms
# and same-origin access; this also stops remote loads (the open-tracking pixel, remote images:
# a member of staff reading the outbox must not count as an open) and makes links inert (a new
# window is not allowed by the sandbox), so reading a message never clicks a tracked link.
SRCDOC_GUARD = (
    '<meta http-equiv="Content-Security-Policy" '
    "content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">"
    '<base target="_blank">'
)


@register.filter
def can_do(user, action: str) -> bool:
    """`{% if user|can_do:"alert.compose" %}`: the policy's answer, for rules that need no object."""
    return can(user, action)


@register.filter
def srcdoc(html: str) -> str:
    """An email's HTML as the escaped value of an iframe's srcdoc attribute (always escaped, even
    if the value was marked safe, so it can never break out of the attribute)."""
    return escape(SRCDOC_GUARD + str(html or ""))


@register.filter
def total(counts) -> int:
    """The sum of a {channel: number} mapping such as Alert.audience_counts."""
    return sum((counts or {}).values())
