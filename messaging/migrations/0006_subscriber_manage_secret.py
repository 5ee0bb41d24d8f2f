import secrets

from django.db import migrations, models

import messaging.models


def give_each_member_a_secret(apps, schema_editor):
    # A callable default is evaluated once for AddField: every existing member would share it.
    Subscriber = apps.get_model("messaging", "Subscriber")
    batch = []
    for subscriber in Subscriber.objects.only("pk").iterator(chunk_size=2000):
        subscriber.manage_secret = secrets.token_urlsafe(12)
        batch.append(subscriber)
        if len(batch) == 2000:
            Subscriber.objects.bulk_update(batch, ["manage_secret"])
            batch = []
    Subscriber.objects.bulk_update(batch, ["manage_secret"])


class Migration(migrations.Migration):
    dependencies = [
        ("messaging", "0005_indexes_for_returns"),
    ]

    operations = [
        migrations.AddField(
            model_name="subscriber",
            name="manage_secret",
            field=models.CharField(default="", editable=False, max_length=32),
            preserve_default=False,
        ),
        migrations.RunPython(give_each_member_a_secret, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="subscriber",
            name="manage_secret",
            field=models.CharField(default=messaging.models.new_manage_secret, editable=False, max_length=32),
        ),
    ]
