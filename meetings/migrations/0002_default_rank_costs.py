from decimal import Decimal

from django.db import migrations

# Starting points from Durham's PACT review: 88 meetings a month at 3 officer hours each cost
# £100k a year with PCSOs and £218k with constables, i.e. about £32 and £69 an hour. Forces
# replace these with their own figures in the admin.
DEFAULT_COSTS = {
    "pcso": Decimal("32.00"),
    "constable": Decimal("69.00"),
    "sergeant": Decimal("80.00"),
    "inspector": Decimal("95.00"),
    "chief_inspector": Decimal("110.00"),
    "partner": Decimal("0.00"),
}


def add_defaults(apps, schema_editor):
    RankHourlyCost = apps.get_model("meetings", "RankHourlyCost")
    for role, cost in DEFAULT_COSTS.items():
        RankHourlyCost.objects.get_or_create(role=role, defaults={"hourly_cost": cost})


class Migration(migrations.Migration):
    dependencies = [("meetings", "0001_initial")]

    operations = [migrations.RunPython(add_defaults, migrations.RunPython.noop)]
