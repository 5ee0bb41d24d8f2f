"""The interests Lancashire's In the Know offered, so a new force starts with a usable list;
staff edit it in the admin."""

from django.db import migrations

DEFAULT_INTERESTS = [
    ("emergency-alerts", "Emergency alerts", "Urgent warnings for your area: always sent, whatever else you choose."),
    ("burglary", "Burglary", "Break-ins and crime prevention advice for homes."),
    ("rural-crime", "Rural crime", "Farm, machinery, livestock and wildlife crime."),
    ("business-crime", "Business crime", "Shop theft, fraud against businesses, business watch."),
    ("allotment-watch", "Allotment watch", "Thefts and damage on allotments and sheds."),
    ("scams", "Scams and fraud", "Doorstep, phone and online scams going round."),
    ("road-safety", "Road safety", "Speeding, road closures and operations on the roads."),
    ("pact-meetings", "PACT meetings", "When and where your neighbourhood's PACT meetings are, and what they decided."),
    ("youth", "Young people", "Youth activities, school safety and youth PACTs."),
    ("recruitment", "Joining the police", "Police officer, PCSO, special constable and volunteer recruitment."),
]


def add_interests(apps, schema_editor):
    Interest = apps.get_model("messaging", "Interest")
    for position, (slug, name, description) in enumerate(DEFAULT_INTERESTS):
        Interest.objects.get_or_create(slug=slug, defaults={"name": name, "description": description, "position": position})


class Migration(migrations.Migration):
    dependencies = [("messaging", "0001_initial")]

    operations = [migrations.RunPython(add_interests, migrations.RunPython.noop)]
