from contextlib import contextmanager

from django.db import transaction
from django.test import override_settings


@contextmanager
def module_data(django_db_blocker):
    """Data built once for a whole test module and rolled back after it: each test runs inside
    a savepoint of this transaction, so no test sees another module's rows or leaves its own."""
    fast_hashing = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), fast_hashing, transaction.atomic():
        yield
        transaction.set_rollback(True)
