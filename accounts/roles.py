"""Roles and the area each role's scope is drawn from.

Kept apart from models.py so that every app (neighbourhoods included) can import the role
vocabulary without importing the user model.
"""

from django.db import models


class Role(models.TextChoices):
    RESIDENT = "resident", "Resident"
    PCSO = "pcso", "Police community support officer"
    CONSTABLE = "constable", "Constable (community beat manager)"
    SERGEANT = "sergeant", "Neighbourhood sergeant"
    INSPECTOR = "inspector", "Inspector"
    CHIEF_INSPECTOR = "chief_inspector", "Chief inspector"
    HQ = "hq", "HQ neighbourhood policing team"
    COMMUNICATIONS = "communications", "Communications officer"
    PARTNER = "partner", "Partner agency user"
    OPERATIONS_MANAGER = "operations_manager", "Divisional operations manager"
    SYSTEM_ADMIN = "system_admin", "System administrator"
    # Answers subject access and erasure requests across the force (docs/data-protection.md).
    DATA_PROTECTION_OFFICER = "data_protection_officer", "Data protection officer"


class ScopeLevel(models.TextChoices):
    NONE = "none", "No area"
    NEIGHBOURHOOD = "neighbourhood", "Own neighbourhoods"
    DIVISION = "division", "Division"
    FORCE = "force", "Whole force"


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
