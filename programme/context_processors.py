from django.conf import settings


def portal(request):
    """What every page needs: the audience-measurement set-up and ProConnect's switch."""
    return {
        "MATOMO_URL": settings.MATOMO_URL if settings.MATOMO_SITE_ID else "",
        "MATOMO_SITE_ID": settings.MATOMO_SITE_ID,
        "PROCONNECT_ENABLED": settings.PROCONNECT_ENABLED,
        "skiplinks": [
            {"link": "#content", "label": "Contenu"},
            {"link": "#fr-navigation", "label": "Menu"},
            {"link": "#footer", "label": "Pied de page"},
        ],
    }
