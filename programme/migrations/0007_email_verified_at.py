"""Who has proved they own their address.

Existing accounts: those ever signed in through ProConnect (a ProConnect identifier is
recorded) are verified by ProConnect, at the time of this migration. Password accounts are
left unverified: nothing ever checked that their owner reads mail at that address, so they
confirm it (the banner's "Renvoyer le lien", or a password reset) before they next sit on a
jury, join a team or submit. Anonymised accounts stay unverified.
"""

from django.db import migrations, models
from django.utils import timezone


def verify_proconnect_accounts(apps, schema_editor):
    User = apps.get_model("programme", "User")
    User.objects.exclude(proconnect_uid="").filter(anonymised_at__isnull=True).update(
        email_verified_at=timezone.now()
    )


class Migration(migrations.Migration):
    dependencies = [("programme", "0006_reminder_from_cohorts")]

    operations = [
        migrations.AddField(
            model_name="user",
            name="email_verified_at",
            field=models.DateTimeField(
                blank=True, editable=False, null=True, verbose_name="adresse confirmée le"
            ),
        ),
        migrations.RunPython(verify_proconnect_accounts, migrations.RunPython.noop),
    ]
