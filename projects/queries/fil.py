"""The Fil of a proposal: one chronological list of what happened to it (read from the audit
log: submissions, screening, corrections, shortlisting, decisions, team changes), its
audition convocation, and the messages between the team and the programme's staff.

Read only; three queries whatever the length (the entries, the messages, the audition).
Reasons are shown where the team was sent them (ineligibility, correction, withdrawal); the
jury's internal reasons (a ranking) are not.
"""

from dataclasses import dataclass
from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from programme.models import AuditEntry
from projects.enums import ProposalState
from projects.models import Audition, Message, Proposal

# What each team-visible action reads as in the Fil; the reason is shown for those in SAID.
LABELS = {
    "proposal.start": gettext_lazy("Brouillon créé"),
    "proposal.submit": gettext_lazy("Candidature déposée"),
    "proposal.send_back": gettext_lazy("Candidature corrigée renvoyée"),
    "proposal.request_correction": gettext_lazy("Correction demandée par l'équipe du programme"),
    "proposal.withdraw": gettext_lazy("Candidature retirée"),
    "proposal.invite": gettext_lazy("Invitation envoyée"),
    "proposal.join": gettext_lazy("Nouveau membre de l'équipe"),
    "team.remove": gettext_lazy("Membre retiré de l'équipe"),
    "team.leave": gettext_lazy("Départ d'un membre de l'équipe"),
    "team.hand_over": gettext_lazy("Nouveau porteur ou nouvelle porteuse du projet"),
    "team.cancel_invitation": gettext_lazy("Invitation annulée"),
    "team.resend_invitation": gettext_lazy("Invitation renvoyée"),
    "jury.shortlist": gettext_lazy("Retenue pour l'audition"),
    "jury.unshortlist": gettext_lazy("Retirée de la liste des auditions"),
    "proposal.not_shortlisted": gettext_lazy("Non retenue pour l'audition"),
}
SAID = {
    "proposal.request_correction",
    "proposal.withdraw",
    "proposal.invite",
    "team.remove",
    "team.leave",
    "team.hand_over",
    "team.cancel_invitation",
    "team.resend_invitation",
}


@dataclass
class FilItem:
    at: datetime
    title: str
    detail: str = ""
    who: str = ""
    message: Message | None = None
    link: str = ""


def _name(user) -> str:
    return (user.get_full_name() or user.email) if user is not None else ""


def _entry_item(entry: AuditEntry) -> FilItem | None:
    action = entry.action
    if action == "proposal.screen":
        eligible = entry.to_state == ProposalState.ELIGIBLE
        return FilItem(
            entry.at,
            _("Déclarée recevable") if eligible else _("Déclarée irrecevable"),
            "" if eligible else entry.reason,
            _("Équipe du programme"),
        )
    if action == "proposal.decision_publish":
        outcome = ProposalState(entry.to_state).label if entry.to_state in ProposalState else ""
        return FilItem(entry.at, _("Décision du jury publiée : %(o)s") % {"o": outcome})
    label = LABELS.get(action)
    if label is None:
        return None
    who = _name(entry.actor)
    if action.startswith("jury.") or action == "proposal.not_shortlisted":
        who = _("Équipe du programme")
    return FilItem(entry.at, str(label), entry.reason if action in SAID else "", who)


def proposal_fil(proposal: Proposal) -> list[FilItem]:
    """Every event and message of the proposal, oldest first."""
    entries = (
        AuditEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(Proposal),
            object_id=str(proposal.pk),
            action__in=[*LABELS, "proposal.screen", "proposal.decision_publish"],
        )
        .select_related("actor")
        .order_by("at", "id")
    )
    items = [item for item in map(_entry_item, entries) if item is not None]
    for message in Message.objects.filter(proposal=proposal).select_related("author"):
        who = _("Équipe du programme") if message.from_staff else _name(message.author)
        items.append(FilItem(message.created_at, _("Message"), "", who, message))
    audition = Audition.objects.filter(proposal=proposal).first()
    if audition is not None:
        items.append(
            FilItem(
                audition.updated_at,
                _("Convocation à l'audition"),
                audition.room or audition.video_link,
                _("Équipe du programme"),
            )
        )
    return sorted(items, key=lambda item: item.at)
