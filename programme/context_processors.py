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


def portal(request):
    """What every page needs: the audience-measurement set-up, ProConnect's switch, the enums."""
    return {
        "MATOMO_URL": settings.MATOMO_URL if settings.MATOMO_SITE_ID else "",
        "MATOMO_SITE_ID": settings.MATOMO_SITE_ID,
        "PROCONNECT_ENABLED": settings.PROCONNECT_ENABLED,
        "skiplinks": [
            {"link": "#content", "label": "Contenu"},
            {"link": "#fr-navigation", "label": "Menu"},
            {"link": "#footer", "label": "Pied de page"},
        ],
        **ENUMS,
    }
