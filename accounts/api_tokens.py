"""REST API tokens (django-rest-knox, stored as digests): a staff member may hold several, each named
for the script that uses it, each expiring API_TOKEN_TTL_DAYS after it is made. Made and revoked by
their owner on the token page; the key is shown once, when it is made, and never stored."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from knox.auth import TokenAuthentication

from accounts.models import ApiToken

# Enough for every script a person runs; a cap keeps a leaked session from minting keys without end.
TOKENS_PER_USER = 10
# last_used is written at most this often per token, so a busy script does not write on every call.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def api_tokens_of(*, user) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("-created")


def api_token_get_for_user(*, user, pk: int) -> ApiToken:
    """The user's own token; 404 for another person's, as for one that does not exist."""
    token = ApiToken.objects.filter(user=user, pk=pk).first()
    if token is None:
        raise Http404
    return token


@transaction.atomic
def api_token_create(*, user, name: str) -> tuple[ApiToken, str]:
    """A new named token for the user, and its key: the only time the key exists outside the client,
    since the database keeps a digest of it. Expired tokens are cleared first."""
    ApiToken.objects.filter(user=user, expiry__lte=timezone.now()).delete()
    if ApiToken.objects.filter(user=user).count() >= TOKENS_PER_USER:
        raise ValidationError(
            _("You already have %(limit)d tokens. Revoke one you no longer use first."),
            params={"limit": TOKENS_PER_USER},
        )
    token = ApiToken(user=user, name=name.strip())
    token.full_clean(exclude=["digest", "token_key", "user"])
    ttl = timedelta(days=settings.API_TOKEN_TTL_DAYS)
    return ApiToken.objects.create(user=user, name=token.name, expiry=ttl)


@transaction.atomic
def api_token_revoke(*, token: ApiToken) -> None:
    """Delete one token: scripts using it are refused from the next request."""
    token.delete()


@transaction.atomic
def api_token_revoke_all(*, user) -> int:
    """Delete every token the user holds; the number deleted."""
    return ApiToken.objects.filter(user=user).delete()[0]


class ApiTokenAuthentication(TokenAuthentication):
    """knox's scheme ("Token <key>"), noting when each token was last used so its owner can tell a
    forgotten one from a script still running."""

    def validate_user(self, auth_token):
        user, token = super().validate_user(auth_token)
        now = timezone.now()
        ApiToken.objects.filter(pk=token.pk).filter(
            Q(last_used__isnull=True) | Q(last_used__lt=now - LAST_USED_RESOLUTION)
        ).update(last_used=now)
        return user, token


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """Tells drf-spectacular how scripts authenticate, under the name DRF's token scheme had."""

    target_class = ApiTokenAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return build_bearer_security_scheme_object(header_name="Authorization", token_prefix="Token")  # noqa: S106 - the scheme word
