from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from knox.models import AbstractAuthToken
from knox.settings import CONSTANTS as KNOX

from accounts.roles import PUBLIC_RANK, ROLE_SCOPE_LEVEL, STAFF_ROLES, Role, ScopeLevel


class AgencyKind(models.TextChoices):
    COUNCIL = "council", _("Local council")
    HOUSING = "housing", _("Housing provider")
    FIRE = "fire", _("Fire and rescue service")
    HEALTH = "health", _("Health service")
    EDUCATION = "education", _("School or college")
    YOUTH = "youth", _("Youth service")
    PROBATION = "probation", _("Probation service")
    VOLUNTARY = "voluntary", _("Voluntary or community group")
    BUSINESS = "business", _("Business or business partnership")
    OTHER = "other", _("Other agency")


class PartnerAgency(models.Model):
    """An organisation that works with the police on PACT: invited to meetings, owns actions."""

    name = models.CharField(max_length=150, unique=True)
    kind = models.CharField(max_length=16, choices=AgencyKind, default=AgencyKind.OTHER)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "partner agencies"

    def __str__(self):
        return self.name


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("role", Role.SYSTEM_ADMIN)
        extra_fields["is_staff"] = True
        extra_fields["is_superuser"] = True
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, username):
        # People type their email in any case; it is stored lower-cased.
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """Anyone who signs in: residents, officers, partners. The email address is the login."""

    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=150)
    role = models.CharField(max_length=32, choices=Role, default=Role.RESIDENT)
    force = models.ForeignKey(
        "neighbourhoods.Force", on_delete=models.PROTECT, null=True, blank=True, related_name="users"
    )
    division = models.ForeignKey(
        "neighbourhoods.Division", on_delete=models.PROTECT, null=True, blank=True, related_name="users"
    )
    agency = models.ForeignKey(
        PartnerAgency,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        help_text=_("The partner agency a partner user works for."),
    )
    collar_number = models.CharField(max_length=16, blank=True)
    public_bio = models.TextField(blank=True, help_text=_("Shown on public neighbourhood pages."))
    is_active = models.BooleanField(default=True)
    # Django admin access, for reference data; granted separately from the role.
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(role="chief_inspector") | models.Q(division__isnull=False),
                name="chief_inspector_has_division",
            ),
            models.CheckConstraint(
                condition=~models.Q(role="operations_manager") | models.Q(division__isnull=False),
                name="operations_manager_has_division",
            ),
        ]

    def get_session_auth_hash(self):
        # The signed-in cache's copy (accounts.backends.without_password) holds the hash, not the
        # password it is made from; after a password change the copy is rebuilt from the database.
        return self.__dict__.get("session_auth_hash_kept") or super().get_session_auth_hash()

    def set_password(self, raw_password):
        self.__dict__.pop("session_auth_hash_kept", None)  # made from the old password
        super().set_password(raw_password)

    def set_unusable_password(self):
        self.__dict__.pop("session_auth_hash_kept", None)
        super().set_unusable_password()

    def __str__(self):
        return self.full_name or self.email

    @property
    def is_staff_member(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def scope_level(self) -> ScopeLevel:
        return ROLE_SCOPE_LEVEL[Role(self.role)]

    @property
    def organisation(self) -> str:
        return self.agency.name if self.agency_id else ""

    @property
    def public_title(self) -> str:
        rank = PUBLIC_RANK.get(self.role)
        return f"{rank} {self.full_name}" if rank else self.full_name

    def get_short_name(self):
        return self.full_name.split(" ")[0] if self.full_name else self.email

    def get_full_name(self):
        return self.full_name


class ApiToken(AbstractAuthToken):
    """A REST API key, made by its owner on the token page (django-rest-knox). Only a SHA-512 digest
    of the key is stored, so a copy of the database or a backup gives no one a working key; the
    first characters (token_key) narrow the lookup. It expires (API_TOKEN_TTL_DAYS) and its owner can
    revoke it alone or all at once."""

    # An id of its own for URLs: knox's primary key is the digest, which the page need not show.
    id = models.BigAutoField(primary_key=True)
    digest = models.CharField(max_length=KNOX.DIGEST_LENGTH, unique=True)
    name = models.CharField(max_length=80)
    last_used = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created"]
        verbose_name = "API token"

    def __str__(self):
        return self.name

    @property
    def has_expired(self) -> bool:
        return self.expiry is not None and self.expiry <= timezone.now()
