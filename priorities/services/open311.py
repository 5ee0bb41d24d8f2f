"""Writes for Open311: issuing and revoking API keys, and turning a posted service request into
a resident issue in its neighbourhood's triage queue."""

import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from priorities import services
from priorities.models import Issue, IssueSource, Open311ApiKey, Open311Request
from priorities.selectors.open311 import api_key_digest, service_get


@transaction.atomic
def open311_api_key_issue(*, actor, force, name: str) -> tuple[Open311ApiKey, str]:
    """Create a key for an outside app; returns it with its secret, which is never stored and
    so can be shown only this once."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Name the app or organisation the key is for.")})
    prefix = secrets.token_hex(4)
    while Open311ApiKey.objects.filter(prefix=prefix).exists():
        prefix = secrets.token_hex(4)
    presented = f"{prefix}.{secrets.token_urlsafe(32)}"
    key = Open311ApiKey(force=force, name=name, prefix=prefix, secret_hash=api_key_digest(presented), created_by=actor)
    key.full_clean()
    key.save()
    return key, presented


@transaction.atomic
def open311_api_key_revoke(*, api_key: Open311ApiKey, actor) -> Open311ApiKey:
    """Stop a key working at once; the issues it filed stay."""
    revoked = Open311ApiKey.objects.filter(pk=api_key.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_by=actor
    )
    if not revoked:
        raise ValidationError(_("That key was already revoked."))
    api_key.refresh_from_db(fields=["revoked_at", "revoked_by"])
    return api_key


def _check_attributes(service_code: str, attributes: dict[str, list[str]]) -> dict[str, list[str]]:
    """Answers checked against the service definition: known codes, listed values, one value
    for a single-value list, every required attribute answered."""
    service = service_get(code=service_code)
    defined = {a.code: a for a in service.attributes} if service else {}
    errors = {}
    for code, values in attributes.items():
        attribute = defined.get(code)
        name = f"attribute[{code}]"
        if attribute is None:
            errors[name] = f"{service_code} has no attribute {code}."
        elif attribute.datatype == "singlevaluelist" and len(values) != 1:
            errors[name] = "Give one value."
        elif attribute.values and any(v not in attribute.keys for v in values):
            errors[name] = f"Use one of: {', '.join(attribute.keys)}."
    for attribute in defined.values():
        if attribute.required and not attributes.get(attribute.code):
            errors.setdefault(f"attribute[{attribute.code}]", f"Required: {attribute.description}")
    if errors:
        raise ValidationError(errors)
    return attributes


@transaction.atomic
def open311_request_create(
    *,
    api_key: Open311ApiKey,
    ward,
    service_code: str,
    description: str,
    latitude: float,
    longitude: float,
    attributes: dict[str, list[str]] | None = None,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    phone: str = "",
    address_string: str = "",
    media_url: str = "",
) -> Issue:
    """File a reporting app's service request as a resident issue awaiting triage in the ward's
    neighbourhood, keeping the resident's contact details private to the team. All or nothing:
    any refusal leaves no issue, no request record and the key's last use unchanged."""
    if not api_key.is_active:
        raise ValidationError({"api_key": "This key has been revoked."})
    if service_get(code=service_code) is None:
        raise ValidationError({"service_code": f"There is no service {service_code}."})
    if ward.neighbourhood_id is None:
        raise ValidationError({"lat": f"That point is in {ward.name}, which has no neighbourhood team yet."})
    if ward.neighbourhood.division.force_id != api_key.force_id:
        raise ValidationError({"lat": f"That point is not in a neighbourhood of {api_key.force.name}."})
    attributes = _check_attributes(service_code, attributes or {})
    issue = services.issue_raise(
        ward=ward,
        category=service_code,
        description=description,
        source=IssueSource.OPEN311,
        contact_email=email,
        latitude=latitude,
        longitude=longitude,
    )
    record = Open311Request(
        issue=issue,
        api_key=api_key,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        phone=phone,
        address_string=address_string.strip(),
        media_url=media_url,
        attributes=attributes,
    )
    record.full_clean()
    record.save()
    Open311ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=timezone.now())
    return issue
