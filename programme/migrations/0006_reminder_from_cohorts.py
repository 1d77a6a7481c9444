"""The reminder ledger moved from cohorts to programme (one delivery for all mail).

The table `cohorts_reminder` is kept with its rows, indexes and constraints: only the
model's state moves, and its content type is relabelled so that permissions and audit
entries pointing at reminders still do.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def relabel(source: str, target: str):
    def run(apps, schema_editor):
        content_type = apps.get_model("contenttypes", "ContentType")
        if not content_type.objects.filter(app_label=target, model="reminder").exists():
            content_type.objects.filter(app_label=source, model="reminder").update(app_label=target)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("calls", "0006_audition_grid_and_final_weights"),
        ("cohorts", "0008_reminder_moved_to_programme"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("programme", "0005_outgoing_mail"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="Reminder",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    ("draft_closing_7d", "Brouillon : l'appel clôt dans 7 jours"),
                                    ("draft_closing_1d", "Brouillon : l'appel clôt demain"),
                                    ("submission_receipt", "Accusé de réception d'une candidature"),
                                    ("evaluation_due_3d", "Évaluations attendues dans 3 jours"),
                                    ("evaluation_late", "Évaluations en retard"),
                                    (
                                        "evaluation_late_summary",
                                        "Synthèse des évaluations en retard",
                                    ),
                                    ("audition_convocation", "Convocation à l'audition"),
                                    ("audition_day_before", "Audition demain"),
                                    ("decision_notice", "Décision du jury"),
                                    ("report_due_7d", "Point d'étape attendu dans 7 jours"),
                                    ("report_late_1d", "Point d'étape en retard"),
                                    ("midterm_review", "Revue de mi-parcours à venir"),
                                    ("final_committee", "Comité final à venir"),
                                ],
                                max_length=40,
                                verbose_name="nature",
                            ),
                        ),
                        (
                            "object_id",
                            models.PositiveBigIntegerField(verbose_name="identifiant de l'objet"),
                        ),
                        ("due", models.DateTimeField(verbose_name="échéance")),
                        (
                            "state",
                            models.CharField(
                                choices=[
                                    ("pending", "À envoyer"),
                                    ("sending", "En cours d'envoi"),
                                    ("sent", "Envoyé"),
                                    ("failed", "Échec"),
                                    ("cancelled", "Sans objet"),
                                ],
                                default="pending",
                                max_length=10,
                                verbose_name="état",
                            ),
                        ),
                        (
                            "attempts",
                            models.PositiveSmallIntegerField(
                                default=0, verbose_name="tentatives échouées"
                            ),
                        ),
                        (
                            "last_error",
                            models.TextField(blank=True, verbose_name="dernière erreur"),
                        ),
                        ("next_attempt_at", models.DateTimeField(verbose_name="prochain essai")),
                        ("claim", models.UUIDField(blank=True, editable=False, null=True)),
                        ("claimed_at", models.DateTimeField(blank=True, editable=False, null=True)),
                        ("created_at", models.DateTimeField(verbose_name="créé le")),
                        (
                            "sent_at",
                            models.DateTimeField(blank=True, null=True, verbose_name="envoyé le"),
                        ),
                        (
                            "call",
                            models.ForeignKey(
                                blank=True,
                                db_index=False,
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="reminders",
                                to="calls.call",
                                verbose_name="appel",
                            ),
                        ),
                        (
                            "cohort",
                            models.ForeignKey(
                                blank=True,
                                db_index=False,
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="reminders",
                                to="cohorts.cohort",
                                verbose_name="promotion",
                            ),
                        ),
                        (
                            "content_type",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="contenttypes.contenttype",
                            ),
                        ),
                        (
                            "recipient",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="reminders",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="destinataire",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "rappel",
                        "verbose_name_plural": "rappels",
                        "db_table": "cohorts_reminder",
                        "ordering": ["-created_at", "-id"],
                        "indexes": [
                            models.Index(
                                fields=["state", "next_attempt_at"], name="reminder_scan_idx"
                            ),
                            models.Index(fields=["call", "-created_at"], name="reminder_call_idx"),
                            models.Index(
                                fields=["cohort", "-created_at"], name="reminder_cohort_idx"
                            ),
                            models.Index(
                                condition=models.Q(("claim__isnull", False)),
                                fields=["claim"],
                                name="reminder_claim_idx",
                            ),
                        ],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("kind", "content_type", "object_id", "recipient", "due"),
                                name="reminder_owed_once",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    models.Q(("state", "sent"), _negated=True),
                                    ("sent_at__isnull", False),
                                    _connector="OR",
                                ),
                                name="reminder_sent_has_date",
                            ),
                        ],
                    },
                ),
            ],
        ),
        migrations.RunPython(relabel("cohorts", "programme"), relabel("programme", "cohorts")),
    ]
