import datetime

from priorities import services
from priorities.models import Category


def raise_issue(world, *, description="Cars racing on Burnley Road at night", category=Category.SPEEDING, **extra):
    ward = world.daneshouse.wards.get()
    return services.issue_raise(ward=ward, category=category, description=description, **extra)


def propose(world, *, issues=(), **extra):
    fields = {
        "actor": world.pcso,
        "neighbourhood": world.daneshouse,
        "wards": list(world.daneshouse.wards.all()),
        "title": "Speeding on Burnley Road",
        "category": Category.SPEEDING,
        "public_problem": "Residents told us cars speed on Burnley Road at night.",
        "review_date": datetime.date(2027, 1, 5),
        "issues": issues,
    }
    fields.update(extra)
    return services.priority_propose(**fields)


def agreed(world, **extra):
    priority = propose(world, **extra)
    return services.priority_agree(priority=priority, actor=world.sergeant)
