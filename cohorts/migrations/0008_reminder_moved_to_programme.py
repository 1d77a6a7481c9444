"""The reminder ledger moved to programme (one delivery for all mail): the model leaves the
cohorts app's state; its table, rows, indexes and constraints stay as they are and now belong
to `programme.Reminder` (programme/migrations/0006_reminder_from_cohorts.py)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("cohorts", "0007_reminder_claim_index"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Reminder")],
            database_operations=[],
        ),
    ]
