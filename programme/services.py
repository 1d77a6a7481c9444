"""People's personal data: deleting one's account, and anonymising after the retention period.

Both keep the rows that statistics count (the person's account row, their proposals with
state, call, structure, amounts and choices, the jury's scores) and replace what tells who
someone is or what they wrote: names, e-mail, free texts, files, messages. A person's
`anonymised_at` and a proposal's `anonymised_at` say it is done, so running again does nothing.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import CharField, Exists, OuterRef, Q, Value
from django.db.models.functions import Cast, Concat
from django.utils.translation import gettext as _

from calls.enums import TEXT_KINDS, QuestionKind
from calls.models import JuryMember
from cohorts.models import Laureate
from projects.enums import ProposalState
from projects.models import (
    Answer,
    Attachment,
    AuditionEvaluation,
    Conflict,
    Decision,
    DecisionMail,
    DiscussionPost,
    Evaluation,
    EvaluationVersion,
    Invitation,
    Message,
    Proposal,
    ProposalVersion,
    Score,
    TeamMember,
)

from . import audit
from .enums import ProgrammeRole, ReminderState
from .exceptions import TransitionError
from .models import AuditEntry, ProgrammeMembership, Reminder, User

ANONYMOUS_DOMAIN = "anonyme.invalid"  # a reserved domain: no mail can ever reach it
REDACTED = "[anonymisé]"


@dataclass(frozen=True)
class Anonymised:
    proposals: int
    people: int


def retention() -> timedelta:
    return timedelta(days=settings.PERSONAL_DATA_RETENTION_DAYS)


def deletion_obstacles(user: User) -> list[str]:
    """Why the account cannot be deleted now (French sentences); empty when it can.

    A superuser's account is closed by another administrator in the administration. Staff
    of a programme may delete their account only if another active staff member remains, so
    that no programme is left without anyone to run it.
    """
    if user.is_superuser or user.is_staff:
        return [
            _(
                "Un compte d'administration ne se supprime pas ici : demandez-le à un autre "
                "administrateur du portail."
            )
        ]
    others = ProgrammeMembership.objects.filter(
        programme=OuterRef("programme"), role=ProgrammeRole.STAFF, user__is_active=True
    ).exclude(user=user)
    alone = (
        ProgrammeMembership.objects.filter(user=user, role=ProgrammeRole.STAFF)
        .exclude(Exists(others))
        .select_related("programme")
        .order_by("programme__name")
    )
    return [
        _(
            "Vous êtes la seule personne de l'équipe du programme « %(programme)s » : "
            "ajoutez-y quelqu'un avant de supprimer votre compte."
        )
        % {"programme": membership.programme.name}
        for membership in alone
    ]


@transaction.atomic(durable=True)
def delete_account(user: User, *, by: User, now: datetime) -> None:
    """Delete one's own account at once: deactivated and anonymised, roles removed.

    The proposals the person is on stay (with their counts and states) and so do their
    evaluations' scores; their name and e-mail are gone everywhere the portal shows them.
    """
    locked = User.objects.select_for_update().get(pk=user.pk)
    if by.pk != locked.pk:
        raise TransitionError(_("Seule la personne elle-même peut supprimer son compte."))
    if locked.anonymised_at is not None:
        raise TransitionError(_("Ce compte est déjà supprimé."))
    obstacles = deletion_obstacles(locked)
    if obstacles:
        raise TransitionError(" ".join(obstacles))
    roles = ProgrammeMembership.objects.filter(user=locked).count()
    _anonymise_people(User.objects.filter(pk=locked.pk), now=now)
    locked.refresh_from_db()
    audit.record(
        locked,
        "account.delete",
        locked,
        before="active",
        after="anonymised",
        reason=_("Suppression demandée par la personne (%(roles)s rôle(s) retiré(s)).")
        % {"roles": roles},
        at=now,
    )
    user.is_active = False


def _anonymise_people(people, *, now: datetime) -> int:
    """Replace who the people are by a number; one UPDATE whatever their count."""
    rows = list(people.values_list("pk", "email"))
    if not rows:
        return 0
    ids = [pk for pk, _email in rows]
    # Invitations still waiting for them name them by address.
    Invitation.objects.filter(
        accepted_at__isnull=True, email__in=[email for _pk, email in rows]
    ).delete()
    address = Concat(
        Value("anonyme-"),
        Cast("pk", CharField()),
        Value(f"@{ANONYMOUS_DOMAIN}"),
        output_field=CharField(),
    )
    User.objects.filter(pk__in=ids).update(
        first_name="",
        last_name="",
        email=address,
        username=address,
        job_title="",
        proconnect_uid="",
        proconnect_idp="",
        # An unusable password: nobody can sign into the account any more.
        password=UNUSABLE_PASSWORD_PREFIX,
        wants_nudges=False,
        is_active=False,
        anonymised_at=now,
    )
    ProgrammeMembership.objects.filter(user_id__in=ids).delete()
    Reminder.objects.filter(
        recipient_id__in=ids, state__in=[ReminderState.PENDING, ReminderState.SENDING]
    ).update(state=ReminderState.CANCELLED, claim=None)
    AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(User),
        object_id__in=[str(pk) for pk in ids],
    ).update(object_repr=_("Compte anonymisé"))
    return len(ids)


def expired_proposals(now: datetime):
    """Proposals of calls closed longer ago than the retention, not laureates, not done yet."""
    return Proposal.objects.filter(
        call__closes_at__lte=now - retention(),
        anonymised_at__isnull=True,
        laureate__isnull=True,
    ).exclude(state=ProposalState.SELECTED)


@transaction.atomic(durable=True)
def anonymise_expired(*, now: datetime) -> Anonymised:
    """Anonymise the candidates' personal data past the retention period (idempotent).

    Proposals of calls closed more than PERSONAL_DATA_RETENTION_DAYS ago that did not become
    laureates lose their title, summary, free-text answers, files, messages, invitations,
    the jury's comments and the texts kept in their versions; their state, call, structure,
    amounts, choice answers and scores stay, so the programme's statistics do not change.
    Then the candidates who have nothing else on the portal (no other proposal, no role, no
    jury seat, not a laureate) and have not signed in since the cutoff are anonymised.
    """
    cutoff = now - retention()
    ids = list(expired_proposals(now).values_list("pk", flat=True))
    if ids:
        _anonymise_proposals(ids, now=now)
    candidates = (
        User.objects.filter(
            anonymised_at__isnull=True,
            is_superuser=False,
            is_staff=False,
            date_joined__lte=cutoff,
        )
        .filter(Q(last_login__isnull=True) | Q(last_login__lte=cutoff))
        .filter(Exists(TeamMember.objects.filter(user=OuterRef("pk"))))
        .exclude(
            Exists(
                TeamMember.objects.filter(user=OuterRef("pk"), proposal__anonymised_at__isnull=True)
            )
        )
        .exclude(Exists(ProgrammeMembership.objects.filter(user=OuterRef("pk"))))
        .exclude(Exists(JuryMember.objects.filter(user=OuterRef("pk"))))
        .exclude(
            Exists(
                Laureate.objects.filter(
                    Q(intrapreneur=OuterRef("pk"))
                    | Q(members=OuterRef("pk"))
                    | Q(mentors=OuterRef("pk"))
                    | Q(coach=OuterRef("pk"))
                )
            )
        )
    )
    people = _anonymise_people(candidates, now=now)
    return Anonymised(proposals=len(ids), people=people)


def _anonymise_proposals(ids: list[int], *, now: datetime) -> None:
    Proposal.objects.filter(pk__in=ids).update(
        title=Concat(
            Value(_("Candidature anonymisée ")), Cast("pk", CharField()), output_field=CharField()
        ),
        summary="",
        anonymised_at=now,
    )
    Answer.objects.filter(proposal_id__in=ids, question__kind__in=TEXT_KINDS).update(value=REDACTED)
    Answer.objects.filter(proposal_id__in=ids, question__kind=QuestionKind.FILE).update(value=None)
    ProposalVersion.objects.filter(proposal_id__in=ids).update(content={"anonymisee": True})
    message_files = list(
        Message.objects.filter(proposal_id__in=ids).exclude(file="").values_list("file", flat=True)
    )
    Message.objects.filter(proposal_id__in=ids).update(
        body=REDACTED, file="", file_name="", file_size=None
    )
    if message_files:
        message_storage = Message._meta.get_field("file").storage
        transaction.on_commit(lambda: [message_storage.delete(name) for name in message_files])
    DiscussionPost.objects.filter(proposal_id__in=ids).update(body=REDACTED)
    Invitation.objects.filter(proposal_id__in=ids).delete()
    # Every file, those replaced since a submission (kept for that version) too.
    kept = Attachment.all_objects.filter(proposal_id__in=ids)
    files = list(kept.values_list("file", flat=True))
    kept.delete()
    if files:
        storage = Attachment._meta.get_field("file").storage
        transaction.on_commit(lambda: [storage.delete(name) for name in files])
    Evaluation.objects.filter(assignment__proposal_id__in=ids).exclude(comment="").update(
        comment=REDACTED
    )
    Score.objects.filter(evaluation__assignment__proposal_id__in=ids).exclude(comment="").update(
        comment=REDACTED
    )
    EvaluationVersion.objects.filter(evaluation__assignment__proposal_id__in=ids).update(
        content={"anonymisee": True}
    )
    AuditionEvaluation.objects.filter(proposal_id__in=ids).exclude(comment="").update(
        comment=REDACTED
    )
    # The outcome stays for the statistics; the words about the team go.
    Decision.objects.filter(proposal_id__in=ids).update(justification=REDACTED)
    DecisionMail.objects.filter(proposal_id__in=ids).update(subject=REDACTED, body=REDACTED)
    Conflict.objects.filter(proposal_id__in=ids).exclude(reason="").update(reason=REDACTED)
    Conflict.objects.filter(proposal_id__in=ids).exclude(lift_reason="").update(
        lift_reason=REDACTED
    )
    entries = AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Proposal),
        object_id__in=[str(pk) for pk in ids],
    )
    entries.update(object_repr=_("Candidature anonymisée"))
    entries.exclude(reason="").update(reason=REDACTED)
