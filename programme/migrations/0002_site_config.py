from django.db import migrations


def create_site_config(apps, schema_editor):
    DsfrConfig = apps.get_model("dsfr", "DsfrConfig")
    if not DsfrConfig.objects.exists():
        DsfrConfig.objects.create(
            language="fr",
            site_title="Portail des programmes",
            site_tagline="Intrapreneuriat et startups d'État : appels, jury, lauréats et suivi",
            header_brand="République française",
            header_brand_html="République<br>française",
            footer_brand="République française",
            footer_brand_html="République<br>française",
            footer_description=(
                "Le portail sur lequel le ministère mène ses programmes d'intrapreneuriat, "
                "de l'appel à projets à la fin du suivi des lauréats."
            ),
            accessibility_status="NOT",
        )


class Migration(migrations.Migration):
    dependencies = [
        ("programme", "0001_initial"),
        ("dsfr", "__latest__"),
    ]

    operations = [migrations.RunPython(create_site_config, migrations.RunPython.noop)]
