"""What every REST endpoint shares: the policy as DRF permissions, pagination, services' errors as
400 field errors, and the documented shapes of the error responses.

Endpoints ask accounts/policy.py exactly as pages do, read through the apps' selectors and access
helpers (their Http404 and PermissionDenied become DRF's 404 and 403 JSON) and write through the
apps' services, so the API can do nothing a page could not.
"""

from contextlib import contextmanager

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.authentication import SessionScheme
from drf_spectacular.contrib.django_filters import DjangoFilterExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import BasePermission
from rest_framework.settings import api_settings

from accounts import selectors
from accounts.policy import can


class VerifiedSessionAuthentication(SessionAuthentication):
    """DRF's session sign-in, except a staff session not yet verified with a second factor while
    STAFF_REQUIRE_2FA is on: the API reaches the same data as the staff pages, which that session
    cannot open either. Tokens are made on a page behind the second factor."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None:
            user = result[0]
            if selectors.two_factor_required(user=user) and not user.is_verified():
                return None
        return result


class VerifiedSessionScheme(SessionScheme):
    """The OpenAPI description of that sign-in: the session cookie, as DRF's own (cookieAuth)."""

    target_class = VerifiedSessionAuthentication


class PolicyPermission(BasePermission):
    """DRF face of the policy module: a view names its actions, the policy decides.

    `policy_action` is checked for the view as a whole (no object), `object_policy_action`
    for each object the view returns.
    """

    def has_permission(self, request, view):
        action = getattr(view, "policy_action", None)
        return action is None or can(request.user, action)

    def has_object_permission(self, request, view, obj):
        action = getattr(view, "object_policy_action", None)
        return action is None or can(request.user, action, obj)


class PortalPagination(PageNumberPagination):
    """?page=N&page_size=M. A page size above the maximum is clamped to it rather than refused,
    so a script asking for "everything" gets pages instead of an error or a huge response; a page
    size that is not a positive whole number is a 400 (DRF would quietly use the default); a page
    past the end (or not a number, blank included) is DRF's 404."""

    page_size_query_param = "page_size"
    max_page_size = 100
    # The schema says a page is a whole number; DRF would also take ?page=last.
    last_page_strings = ()

    def get_page_number(self, request, paginator):
        # DRF reads a blank ?page= as page 1; passed on, the paginator refuses it as not a number.
        if request.query_params.get(self.page_query_param) == "":
            return ""
        return super().get_page_number(request, paginator)

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        size = int(raw) if raw.strip().isdigit() else 0
        if size < 1:
            raise serializers.ValidationError(
                {self.page_size_query_param: [f"A whole number from 1 (at most {self.max_page_size} are given)."]}
            )
        return min(size, self.max_page_size)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
            if parameter["name"] == self.page_size_query_param:
                parameter["description"] = (
                    f"Results per page: {self.page_size} unless given, at most {self.max_page_size}."
                )
        return parameters


class PortalFilterBackend(DjangoFilterBackend):
    """django-filter, except that a filter given an empty value (?state=) is refused like any
    other bad value instead of being ignored, so a script's blank variable does not silently list
    everything."""

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is not None:
            blank = [
                name
                for name in filterset_class.base_filters
                if any(value == "" for value in request.query_params.getlist(name))
            ]
            if blank:
                raise serializers.ValidationError({name: ["Give a value, or leave the filter out."] for name in blank})
        return super().filter_queryset(request, queryset, view)


class ReadModelSerializer(serializers.ModelSerializer):
    """A response serializer whose Meta.read_only_fields keep their blank choice: DRF drops
    `allow_blank` from read-only fields, and the schema would then say a blank choice field (a
    meeting's audience, a question's bank key) can never be "" although it often is.

    Optional email and URL fields are described as plain strings: the schema for "an email, or
    blank" is a oneOf that a validator ignoring formats finds matched twice, and rejects."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.EmailField: serializers.CharField,
        models.URLField: serializers.CharField,
    }

    def include_extra_kwargs(self, kwargs, extra_kwargs):
        allow_blank = kwargs.get("allow_blank", False)
        kwargs = super().include_extra_kwargs(kwargs, extra_kwargs)
        if allow_blank:
            kwargs["allow_blank"] = True
        return kwargs


class PortalFilterExtension(DjangoFilterExtension):
    """The schema side of PortalFilterBackend: a free-text filter (a code) says it needs at least
    one character, since a blank one is refused. Choices and dates exclude "" already."""

    target_class = "accounts.api.PortalFilterBackend"
    priority = 1

    def get_schema_operation_parameters(self, auto_schema, *args, **kwargs):
        parameters = super().get_schema_operation_parameters(auto_schema, *args, **kwargs)
        for parameter in parameters:
            schema = parameter.get("schema", {})
            if schema.get("type") == "string" and "enum" not in schema and "format" not in schema:
                schema["minLength"] = 1
        return parameters


# JSON types a request field takes: DRF also turns 5 into "5", "5" into 5 and 0 into False, which
# the schema does not promise, and which turns a script's mistake into stored data.
_STRINGS = (
    serializers.CharField,
    serializers.ChoiceField,
    serializers.SlugRelatedField,
    serializers.DateField,
    serializers.DateTimeField,
)


def _json_type_error(field, value) -> str | None:
    if value is None:
        return None  # the field itself says whether null is allowed
    if isinstance(field, serializers.ManyRelatedField | serializers.ListField):
        if not isinstance(value, list):
            return None  # the field's own "expected a list"
        child = field.child_relation if isinstance(field, serializers.ManyRelatedField) else field.child
        return next(filter(None, (_json_type_error(child, item) for item in value)), None)
    if isinstance(field, serializers.BooleanField):
        return None if isinstance(value, bool) else "Must be true or false."
    if isinstance(field, serializers.IntegerField | serializers.PrimaryKeyRelatedField):
        return None if isinstance(value, int) and not isinstance(value, bool) else "Must be a whole number."
    if isinstance(field, serializers.FloatField):
        return None if isinstance(value, int | float) and not isinstance(value, bool) else "Must be a number."
    if isinstance(field, _STRINGS):
        return None if isinstance(value, str) else "Must be a string."
    return None


class StrictJsonMixin:
    """For request serializers: each value must already have its field's JSON type."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            errors = {}
            for name, field in self.fields.items():
                if not field.read_only and name in data:
                    message = _json_type_error(field, data[name])
                    if message:
                        errors[name] = [message]
            if errors:
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)


# --- services' errors ---------------------------------------------------------------------------


def field_errors(error: DjangoValidationError, *, rename: dict[str, str] | None = None) -> dict:
    """A service's ValidationError as DRF field errors: errors naming a field stay on it (renamed
    where the API calls the field differently), the rest go under non_field_errors."""
    rename = rename or {}
    non_field = api_settings.NON_FIELD_ERRORS_KEY
    if not hasattr(error, "error_dict"):
        return {non_field: error.messages}
    errors: dict[str, list] = {}
    for name, messages in error.message_dict.items():
        key = non_field if name == NON_FIELD_ERRORS else rename.get(name, name)
        errors.setdefault(key, []).extend(messages)
    return errors


@contextmanager
def service_errors(*, rename: dict[str, str] | None = None):
    """Call a service inside this block: its refusal becomes a 400 with field errors. Services are
    atomic, so a refused write has stored nothing."""
    try:
        yield
    except DjangoValidationError as error:
        raise serializers.ValidationError(field_errors(error, rename=rename)) from error


# --- area helpers ---------------------------------------------------------------------------------


# --- documented error responses -------------------------------------------------------------------


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


ERROR_RESPONSES = {
    400: OpenApiResponse(
        OpenApiTypes.OBJECT,
        description="Bad input, nothing changed: each key names a field (or non_field_errors) with its messages.",
    ),
    403: OpenApiResponse(ErrorSerializer, description="Not signed in, or the policy refuses this to you."),
    404: OpenApiResponse(ErrorSerializer, description="No such object in your area, or no such page."),
}


def responses(ok: dict, *codes: int) -> dict:
    """The `responses` of an @extend_schema: the success shapes plus the named error codes."""
    return {**ok, **{code: ERROR_RESPONSES[code] for code in codes}}
