"""Roles and the area each role's scope is drawn from.

Kept apart from models.py so that every app (neighbourhoods included) can import the role
vocabulary without importing the user model.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    RESIDENT = "resident", _("Resident")
    PCSO = "pcso", _("Police community support officer")
    CONSTABLE = "constable", _("Constable (community beat manager)")
    SERGEANT = "sergeant", _("Neighbourhood sergeant")
    INSPECTOR = "inspector", _("Inspector")
    CHIEF_INSPECTOR = "chief_inspector", _("Chief inspector")
    HQ = "hq", _("HQ neighbourhood policing team")
    COMMUNICATIONS = "communications", _("Communications officer")
    PARTNER = "partner", _("Partner agency user")
    OPERATIONS_MANAGER = "operations_manager", _("Divisional operations manager")
    SYSTEM_ADMIN = "system_admin", _("System administrator")
    # Answers subject access and erasure requests across the force (docs/data-protection.md).
    DATA_PROTECTION_OFFICER = "data_protection_officer", _("Data protection officer")


class ScopeLevel(models.TextChoices):
    NONE = "none", _("No area")
    NEIGHBOURHOOD = "neighbourhood", _("Own neighbourhoods")
    DIVISION = "division", _("Division")
    FORCE = "force", _("Whole force")


# Where each role's area comes from: neighbourhood roles from their current team memberships,
# division roles from their division, force roles see the whole force.
ROLE_SCOPE_LEVEL = {
    Role.RESIDENT: ScopeLevel.NONE,
    Role.PCSO: ScopeLevel.NEIGHBOURHOOD,
    Role.CONSTABLE: ScopeLevel.NEIGHBOURHOOD,
    Role.SERGEANT: ScopeLevel.NEIGHBOURHOOD,
    Role.INSPECTOR: ScopeLevel.NEIGHBOURHOOD,
    Role.PARTNER: ScopeLevel.NEIGHBOURHOOD,
    Role.CHIEF_INSPECTOR: ScopeLevel.DIVISION,
    Role.OPERATIONS_MANAGER: ScopeLevel.DIVISION,
    Role.HQ: ScopeLevel.FORCE,
    Role.COMMUNICATIONS: ScopeLevel.FORCE,
    Role.SYSTEM_ADMIN: ScopeLevel.FORCE,
    Role.DATA_PROTECTION_OFFICER: ScopeLevel.FORCE,
}

# The neighbourhood team: the officers who work a neighbourhood day to day and may change it.
NEIGHBOURHOOD_TEAM_ROLES = frozenset({Role.PCSO, Role.CONSTABLE, Role.SERGEANT, Role.INSPECTOR})
POLICE_ROLES = NEIGHBOURHOOD_TEAM_ROLES | {Role.CHIEF_INSPECTOR, Role.HQ}
STAFF_ROLES = frozenset(Role) - {Role.RESIDENT}

# Public rank titles, as a resident reads them on a neighbourhood page.
PUBLIC_RANK = {
    Role.PCSO: "PCSO",
    Role.CONSTABLE: "PC",
    Role.SERGEANT: "Sergeant",
    Role.INSPECTOR: "Inspector",
    Role.CHIEF_INSPECTOR: "Chief Inspector",
}

# Order in which a team is listed publicly: the people a resident meets first come first.
PUBLIC_TEAM_ORDER = [Role.PCSO, Role.CONSTABLE, Role.SERGEANT, Role.INSPECTOR, Role.PARTNER]
