"""Signing in by email and password, with the signed-in user read from the shared cache.

Every signed-in request loads its user. Read from the cache, checked against the generation of the
users table, that costs one cache round trip instead of a database query. Any write to a user
(a new password, deactivation, a new role or division, even the last sign-in time) moves the
generation, so the next request reads the user afresh from the database and Django checks the
session against the new password there; revoking access takes effect at once.

The password hash never goes to the cache: the copy kept there carries instead the session hash
Django checks each request against (an HMAC of the password hash, already in every session), and
loads the password from the database only if something asks for it. When Redis does not answer,
the user is read from the database (pact_portal.generations).
"""

from functools import partial

from django.conf import settings
from django.contrib.auth.backends import ModelBackend

from pact_portal import generations

USERS = "users"


class CachedModelBackend(ModelBackend):
    def get_user(self, user_id):
        return generations.get_or_build(
            f"signed-in-user:{user_id}",
            groups=(USERS,),
            build=partial(super().get_user, user_id),
            timeout=settings.SIGNED_IN_CACHE_SECONDS,
            kept=without_password,
        )


def without_password(user):
    """A copy of `user` for the cache: every field but the password, and the session hash."""
    names = [field.attname for field in user._meta.concrete_fields if field.attname != "password"]
    copy = type(user).from_db(user._state.db, names, [getattr(user, name) for name in names])
    copy.session_auth_hash_kept = user.get_session_auth_hash()
    return copy


def axes_username(request, credentials: dict | None = None) -> str | None:
    """The sign-in name django-axes counts failures against, as sign-in matches it: trimmed and
    lower-cased. Counted as typed, every change of case earned another five tries at a password."""
    source = credentials if credentials else getattr(request, "data", request.POST)
    username = source.get(settings.AXES_USERNAME_FORM_FIELD) if source else None
    return username.strip().lower() if isinstance(username, str) else username
