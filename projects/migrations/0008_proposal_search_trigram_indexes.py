# The staff's search over proposals (projects.queries.proposals.search) served by pg_trgm
# GIN indexes on PostgreSQL; nothing on SQLite (programme/trigram.py).

from django.db import migrations

from programme.trigram import indexes

forwards, backwards = indexes("projects", "Proposal", ["title", "summary", "reference"])


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0007_jury_discussion_and_nudges"),
    ]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
