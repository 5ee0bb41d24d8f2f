"""The entry point: plan the members and alerts, simulate the deliveries, then write it all."""

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils import timezone

from messaging.demo.alerts import plan_alerts
from messaging.demo.data import HISTORY_MONTHS
from messaging.demo.deliveries import simulate
from messaging.demo.members import plan_ward
from messaging.demo.replies import demo_replies_seed
from messaging.demo.world import World, add_months, aware
from messaging.demo.writing import write
from messaging.models import Alert, Delivery, Subscriber
from neighbourhoods.models import Force


@dataclass(frozen=True)
class DemoMessagingSummary:
    created: int
    subscribers: int
    alerts: int
    deliveries: int


@transaction.atomic
def demo_messaging_seed(*, force: Force, today: date | None = None) -> DemoMessagingSummary:
    """Give the demo force its In the Know members and alert history, unless it has some already."""
    today = today or timezone.localdate()
    # As the meetings demo does: the start of `today`, so the output does not depend on the hour.
    as_of = min(aware(today), timezone.now())
    in_force = Subscriber.objects.filter(ward__neighbourhood__division__force=force)
    if in_force.exists() or Alert.objects.filter(force=force).exists():
        return _summary(force, created=0)
    world = World.load(force, first_day=add_months(today, -HISTORY_MONTHS), as_of=as_of)
    people = [person for ward in world.wards for person in plan_ward(world, ward)]
    sends = plan_alerts(world)
    simulate(world, people, sends)
    write(world, people, sends)
    demo_replies_seed(force=force)
    return _summary(force, created=len(people))


def _summary(force: Force, *, created: int) -> DemoMessagingSummary:
    return DemoMessagingSummary(
        created=created,
        subscribers=Subscriber.objects.filter(ward__neighbourhood__division__force=force).count(),
        alerts=Alert.objects.filter(force=force).count(),
        deliveries=Delivery.objects.filter(alert__force=force).count(),
    )
