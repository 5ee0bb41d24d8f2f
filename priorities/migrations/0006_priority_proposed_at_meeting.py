"""A priority remembers the meeting it was proposed at apart from the one it was agreed at.

Until now a proposal's meeting was kept in `agreed_at_meeting`, so a priority still proposed
looked agreed somewhere. Those move to `proposed_at_meeting`; records already agreed keep theirs
(`manage.py check_priority_dates` lists any that break the agreement rules)."""

import django.db.models.deletion
from django.db import migrations, models


def move_proposal_meetings(apps, schema_editor):
    Priority = apps.get_model("priorities", "Priority")
    for priority in Priority.objects.filter(state="proposed", agreed_at_meeting__isnull=False):
        priority.proposed_at_meeting_id, priority.agreed_at_meeting_id = priority.agreed_at_meeting_id, None
        priority.save(update_fields=["proposed_at_meeting", "agreed_at_meeting"])


def restore_proposal_meetings(apps, schema_editor):
    Priority = apps.get_model("priorities", "Priority")
    for priority in Priority.objects.filter(state="proposed", proposed_at_meeting__isnull=False):
        priority.agreed_at_meeting_id = priority.proposed_at_meeting_id
        priority.save(update_fields=["agreed_at_meeting"])


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0003_delete_raisedissue"),
        ("priorities", "0005_pg_trgm"),
    ]

    operations = [
        migrations.AddField(
            model_name="priority",
            name="proposed_at_meeting",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="priorities_proposed",
                to="meetings.meeting",
            ),
        ),
        migrations.RunPython(move_proposal_meetings, restore_proposal_meetings),
    ]
