"""PostgreSQL's pg_trgm, for the triage queue's similar-issue suggestions (priorities.similarity).
SQLite has no extensions: there the same score is computed in Python, so this does nothing."""

from django.db import migrations


def create_pg_trgm(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")


class Migration(migrations.Migration):
    dependencies = [("priorities", "0004_follower_confirmed_at")]

    # Left in place on the way back: other schemas in the database may use it too.
    operations = [migrations.RunPython(create_pg_trgm, migrations.RunPython.noop, elidable=False)]
