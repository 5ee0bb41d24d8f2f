"""API tokens (DRF's authtoken): one per staff member, made and revoked by its owner on the token
page. A new token replaces the old one, so a leaked key is dealt with by making another."""

from django.db import transaction
from rest_framework.authtoken.models import Token


def api_token_of(*, user) -> Token | None:
    return Token.objects.filter(user=user).first()


@transaction.atomic
def api_token_create(*, user) -> Token:
    """A new token for the user; any earlier key stops working at once."""
    Token.objects.filter(user=user).delete()
    return Token.objects.create(user=user)


@transaction.atomic
def api_token_revoke(*, user) -> bool:
    """Delete the user's token; True if there was one."""
    return Token.objects.filter(user=user).delete()[0] > 0
