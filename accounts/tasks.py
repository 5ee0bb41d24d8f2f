"""Accounts' Celery tasks: they take ids and call a service."""

from celery import shared_task
from django.contrib.auth import get_user_model
from django.db import InterfaceError, OperationalError

from accounts import services


@shared_task(acks_late=True, autoretry_for=(OperationalError, InterfaceError), retry_backoff=True, max_retries=5)
def password_reset_email_task(
    *, user_id: int, domain: str, site_name: str, use_https: bool, language: str | None = None
) -> None:
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is not None and user.has_usable_password():
        services.password_reset_email_send(
            user=user, domain=domain, site_name=site_name, use_https=use_https, language=language
        )
