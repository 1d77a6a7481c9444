"""Open data: a public identifier per laureate (drawn once for the existing rows), the last
change of cohorts and laureates, and the published selection figures of a cohort."""

import uuid

import django.utils.timezone
from django.db import migrations, models


def draw_public_ids(apps, schema_editor):
    Laureate = apps.get_model("cohorts", "Laureate")
    for laureate in Laureate.objects.filter(public_id__isnull=True).only("pk"):
        Laureate.objects.filter(pk=laureate.pk).update(public_id=uuid.uuid4())


def figure(label):
    return models.PositiveIntegerField(label, null=True, blank=True)


class Migration(migrations.Migration):
    dependencies = [("cohorts", "0009_laureate_funding_from_call")]

    operations = [
        migrations.AddField(
            model_name="laureate",
            name="public_id",
            field=models.UUIDField(null=True, editable=False, verbose_name="identifiant public"),
        ),
        migrations.RunPython(draw_public_ids, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="laureate",
            name="public_id",
            field=models.UUIDField(
                default=uuid.uuid4, unique=True, editable=False, verbose_name="identifiant public"
            ),
        ),
        migrations.AddField(
            model_name="laureate",
            name="updated_at",
            field=models.DateTimeField(
                auto_now=True, default=django.utils.timezone.now, verbose_name="modifié le"
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="cohort",
            name="updated_at",
            field=models.DateTimeField(
                auto_now=True, default=django.utils.timezone.now, verbose_name="modifiée le"
            ),
            preserve_default=False,
        ),
        migrations.AddField("cohort", "funnel_candidates", figure("candidatures reçues")),
        migrations.AddField(
            "cohort", "funnel_auditioned", figure("candidatures présentées au jury")
        ),
        migrations.AddField("cohort", "funnel_selected", figure("lauréats retenus")),
        migrations.AddField("cohort", "funnel_defis_proposed", figure("défis proposés")),
        migrations.AddField("cohort", "funnel_defis_auditioned", figure("défis auditionnés")),
        migrations.AddField("cohort", "funnel_defis_retained", figure("défis retenus")),
        migrations.AddField(
            model_name="cohort",
            name="funnel_source",
            field=models.CharField(
                blank=True,
                max_length=300,
                help_text="Où ces chiffres ont été publiés (communiqué, article, adresse).",
                verbose_name="source des chiffres de sélection",
            ),
        ),
    ]
