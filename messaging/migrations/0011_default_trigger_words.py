"""The trigger words a force starts with; its communications office edits the list in the admin."""

from django.db import migrations

DEFAULT_TRIGGER_WORDS = ["weapon", "knife", "gun", "attacked", "help me", "suicide", "now"]


def add_trigger_words(apps, schema_editor):
    TriggerWord = apps.get_model("messaging", "TriggerWord")
    for phrase in DEFAULT_TRIGGER_WORDS:
        TriggerWord.objects.get_or_create(phrase=phrase)


class Migration(migrations.Migration):
    dependencies = [("messaging", "0010_inbound_replies")]

    operations = [migrations.RunPython(add_trigger_words, migrations.RunPython.noop)]
