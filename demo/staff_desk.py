"""The staff's desk on the demo data: a Journal to read in French (a closing date moved, with
its reason), invitations waiting for an answer, a grouped message held as a draft, and a
letter written in the programme's words. Idempotent: each row is found again by what it says."""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.contrib.contenttypes.models import ContentType

from calls.models import Call
from programme import audit
from programme.enums import GroupAudience, InvitationRole
from programme.models import (
    AuditEntry,
    GroupMessage,
    LetterTemplate,
    Programme,
    ProgrammeInvitation,
    User,
)
from projects.enums import ProposalState

PARIS = ZoneInfo("Europe/Paris")


def _at(year, month, day, hour=10) -> datetime:
    return datetime(year, month, day, hour, tzinfo=PARIS)


def _once(actor, action, obj, *, at, **fields) -> None:
    """One audit entry, written the first time only."""
    exists = AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(obj),
        object_id=str(obj.pk),
        action=action,
        at=at,
    ).exists()
    if not exists:
        audit.record(actor, action, obj, at=at, **fields)


def seed_staff_desk(programmes: dict[str, Programme], users: dict[str, User]) -> None:
    fabrique = programmes["fabrique-numerique"]
    staff = users["equipe.fabrique@demo.portail.example"]
    call = Call.objects.get(slug="fabrique-numerique-2017")

    # The Journal of the call: its closing date moved by two days, with the reason given.
    _once(
        staff,
        "call.update",
        call,
        at=_at(2017, 12, 8),
        before=call.state,
        after=call.state,
        reason="Prolongation demandée par plusieurs DREAL pour réunir les équipes",
        changes={
            "closes_at": [
                str(_at(2017, 12, 13, 12).astimezone(PARIS)),
                str(_at(2017, 12, 15, 12).astimezone(PARIS)),
            ]
        },
    )
    _once(
        staff,
        "jury.settings",
        call,
        at=_at(2017, 12, 18),
        changes={"hide_juror_names": [False, True]},
    )
    # A proposal's Journal: its screening, in words.
    proposal = call.proposals.exclude(reference="").order_by("reference").first()
    if proposal is not None:
        _once(
            staff,
            "proposal.screen",
            proposal,
            at=_at(2017, 12, 19),
            before=ProposalState.SUBMITTED,
            after=ProposalState.ELIGIBLE,
        )

    # People: a coach and a juror invited, not answered yet.
    ProgrammeInvitation.objects.get_or_create(
        programme=fabrique,
        email="nouvelle.coach@demo.portail.example",
        role=InvitationRole.COACH,
        defaults={
            "invited_by": staff,
            "created_at": _at(2026, 11, 20),
            "sent_at": _at(2026, 11, 20),
        },
    )
    ProgrammeInvitation.objects.get_or_create(
        programme=fabrique,
        call=call,
        email="nouveau.jure@demo.portail.example",
        role=InvitationRole.JUROR,
        defaults={
            "invited_by": staff,
            "role_label": "CCDG",
            "created_at": _at(2026, 11, 21),
            "sent_at": _at(2026, 11, 21),
        },
    )

    # A grouped message held as a draft, to the laureates' teams of the call.
    GroupMessage.objects.get_or_create(
        programme=fabrique,
        subject="Fabrique numérique 2017 : votre projet {référence}",
        defaults={
            "audience": GroupAudience.CALL_TEAMS,
            "call": call,
            "proposal_states": [ProposalState.SELECTED],
            "body": (
                "Bonjour {prénom},\n\nFélicitations encore pour « {titre} ». La première "
                "journée de la promotion a lieu le 15 janvier : l'équipe du programme vous y "
                "attend.\n\nL'équipe de la Fabrique numérique"
            ),
            "created_by": staff,
            "created_at": _at(2026, 11, 22),
            "updated_at": _at(2026, 11, 22),
        },
    )

    # The programme's receipt in its own words.
    LetterTemplate.objects.get_or_create(
        programme=fabrique,
        letter="submission_receipt",
        defaults={
            "subject": "Fabrique numérique : nous avons bien reçu {référence}",
            "body": (
                "Bonjour {prénom}, votre candidature « {titre} » à l'appel {appel} est bien "
                "déposée. L'équipe de la Fabrique numérique vous répond sous trois semaines."
            ),
            "updated_by": staff,
            "updated_at": _at(2026, 11, 22),
        },
    )
