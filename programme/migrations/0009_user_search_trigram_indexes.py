# The staff's searches by person (proposals' team, reminders' recipient) served by pg_trgm
# GIN indexes on PostgreSQL; nothing on SQLite (programme/trigram.py).

from django.db import migrations

from programme.trigram import indexes

forwards, backwards = indexes("programme", "User", ["email", "first_name", "last_name"])


class Migration(migrations.Migration):
    dependencies = [
        ("programme", "0008_mail_key_attachments_audit_changes"),
    ]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
