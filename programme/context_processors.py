from django.conf import settings

from calls.enums import CallKind, CallState, ReviewPhase
from cohorts.enums import MilestoneKind, ReportStatus
from programme.enums import ReminderState
from projects.enums import DecisionOutcome, EvaluationState, ProposalState, TeamRole

# The states and choices templates compare against, with their named groups
# (e.g. `{% if call.state in CallState.results_states %}`): no template spells a state.
ENUMS = {
    enum.__name__: enum
    for enum in (
        CallKind,
        CallState,
        DecisionOutcome,
        EvaluationState,
        MilestoneKind,
        ProposalState,
        ReminderState,
        ReportStatus,
        ReviewPhase,
        TeamRole,
    )
}


def return_to(request) -> str:
    """Where the header's "Se connecter" and "Créer un compte" bring the person back: the
    page's own `next` on the account pages (so following them keeps an invitation), else the
    page itself; never an account page or the home page."""
    from programme.accounts import safe_next

    kept = safe_next(request.GET.get("next"), request.get_host())
    if kept:
        return kept
    if request.path == "/" or request.path.startswith("/compte/"):
        return ""
    return request.path


def portal(request):
    """What every page needs: the audience-measurement set-up, ProConnect's switch, the enums."""
    return {
        "MATOMO_URL": settings.MATOMO_URL if settings.MATOMO_SITE_ID else "",
        "MATOMO_SITE_ID": settings.MATOMO_SITE_ID,
        "PROCONNECT_ENABLED": settings.PROCONNECT_ENABLED,
        "return_to": return_to(request),
        "skiplinks": [
            {"link": "#content", "label": "Contenu"},
            {"link": "#fr-navigation", "label": "Menu"},
            {"link": "#footer", "label": "Pied de page"},
        ],
        **ENUMS,
    }
