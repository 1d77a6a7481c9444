"""The workflow of a proposal: every state change and multi-object write, one function each.

Each function runs in a transaction, checks its guard, writes an audit entry and
queues its mails after commit. An illegal change raises `TransitionError` with a
French message the views show as is. The time is always a parameter (`now`).
"""

import hashlib
import json
import logging
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.core import signing
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from calls.enums import CallKind, QuestionKind
from calls.models import Call, Defi
from programme import audit, mail
from programme.enums import ProgrammeRole
from programme.exceptions import TransitionError
from programme.models import ProgrammeMembership, User
from programme.reminders import owe_reminders
from projects import rules as proposal_rules
from projects.enums import (
    ExportStatus,
    ProposalState,
    TeamRole,
)
from projects.models import (
    Answer,
    Attachment,
    CorrectionRequest,
    ExportJob,
    Invitation,
    Message,
    Proposal,
    ProposalVersion,
    TeamMember,
)
from projects.reminders import receipts_owed

logger = logging.getLogger(__name__)

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MAX_ATTACHMENTS = 5
PDF_MAGIC = b"%PDF-"
INVITATION_SALT = "projects.invitation"
INVITATION_MAX_AGE = 14 * 24 * 3600  # seconds: a link is good for two weeks


class StaleVersionError(TransitionError):
    """Someone else saved the proposal since this form was loaded."""


def _paris(moment: datetime) -> str:
    return date_format(localtime(moment), "j F Y à H:i")


def _state_label(state: str) -> str:
    return ProposalState(state).label


def _lock(proposal: Proposal) -> Proposal:
    locked = Proposal.objects.select_for_update().select_related("call__programme")
    return locked.get(pk=proposal.pk)


def _team_emails(proposal: Proposal) -> list[str]:
    return list(proposal.team.values_list("user__email", flat=True))


def _staff_emails(proposal: Proposal) -> list[str]:
    return list(
        ProgrammeMembership.objects.filter(
            programme_id=proposal.call.programme_id, role=ProgrammeRole.STAFF
        ).values_list("user__email", flat=True)
    )


def _require_team_member(proposal: Proposal, by: User) -> None:
    if not proposal_rules.is_team_member(by, proposal):
        raise TransitionError(_("Seuls les membres de l'équipe peuvent faire cela."))


def _require_staff(proposal: Proposal, by: User) -> None:
    if not proposal_rules.can_screen_proposal(by, proposal):
        raise TransitionError(_("Seule l'équipe du programme peut faire cela."))


# Reading helpers (no writes) --------------------------------------------------------------


def open_correction(proposal: Proposal) -> CorrectionRequest | None:
    return proposal.correction_requests.filter(sent_back_at__isnull=True).first()


def can_edit(proposal: Proposal, now: datetime) -> bool:
    """A team edits while the call is open (draft or submitted), or while a correction is due."""
    if proposal.state in ProposalState.editable_states and proposal.call.is_open(now):
        return True
    correction = open_correction(proposal)
    return correction is not None and now < correction.deadline


def can_submit(proposal: Proposal, now: datetime) -> bool:
    return proposal.state in ProposalState.editable_states and proposal.call.is_open(now)


def _require_editable(proposal: Proposal, now: datetime) -> None:
    if can_edit(proposal, now):
        return
    if proposal.state not in ProposalState.editable_states:
        raise TransitionError(
            _("La candidature n'est plus modifiable : elle est « %(state)s ».")
            % {"state": _state_label(proposal.state)}
        )
    raise TransitionError(
        _("La candidature n'est plus modifiable : l'appel est clos depuis le %(date)s.")
        % {"date": _paris(proposal.call.closes_at)}
    )


def is_answered(value: Any) -> bool:
    return value not in (None, "", [], {})


def missing_items(proposal: Proposal) -> list[str]:
    """What still stands between this proposal and its submission, in the user's words."""
    call = proposal.call
    missing = []
    if not proposal.title.strip():
        missing.append(_("Le titre du projet."))
    if not proposal.summary.strip():
        missing.append(_("Le résumé du projet."))
    if call.kind == CallKind.CHALLENGE_APPLICATIONS and proposal.defi_id is None:
        missing.append(_("Le défi auquel vous candidatez."))
    answers = {a.question_id: a.value for a in proposal.answers.all()}
    attachment_ids = {str(pk) for pk in proposal.attachments.values_list("public_id", flat=True)}
    for question in call.questions.all():
        if not question.required:
            continue
        value = answers.get(question.pk)
        if question.kind == QuestionKind.FILE and value not in attachment_ids:
            value = None
        if not is_answered(value):
            missing.append(_("Une réponse à la question « %(q)s ».") % {"q": question.label})
    size = proposal.team.count()
    if size < call.team_min:
        missing.append(
            _(
                "Au moins %(min)s personnes dans l'équipe (vous êtes %(size)s) : invitez vos "
                "coéquipiers."
            )
            % {"min": call.team_min, "size": size}
        )
    if size > call.team_max:
        missing.append(
            _("Au plus %(max)s personnes dans l'équipe (vous êtes %(size)s).")
            % {"max": call.team_max, "size": size}
        )
    if call.offers_funding:
        missing.extend(funding_problems(proposal))
    return missing


def eligibility_warning(proposal: Proposal) -> str:
    """A word to the team when its structure is not among the call's eligible types; the
    staff decide at screening, so this warns and does not block."""
    allowed = proposal.call.eligible_structure_types
    if not allowed or proposal.structure_id is None or proposal.structure.type in allowed:
        return ""
    return _(
        "Attention : votre structure (%(structure)s) ne fait pas partie des structures admises "
        "par cet appel (%(allowed)s) ; votre candidature risque d'être déclarée irrecevable."
    ) % {
        "structure": proposal.structure.get_type_display(),
        "allowed": ", ".join(str(label) for label in proposal.call.eligible_structure_labels()),
    }


def funding_problems(proposal: Proposal) -> list[str]:
    """The funding rules of the call (e.g. FAST: ≤ 50 % of the yearly budget, ≤ 300 000 €)."""
    call = proposal.call
    budget, amount = proposal.yearly_budget, proposal.requested_amount
    if budget is None or amount is None:
        return [_("Le budget annuel du projet et le montant demandé.")]
    problems = []
    ceiling = Decimal(budget) * call.max_funding_share / 100
    if amount > ceiling:
        problems.append(
            _(
                "Le montant demandé (%(amount)s €) dépasse %(share)s %% du budget annuel du "
                "projet, soit %(ceiling)s €."
            )
            % {"amount": amount, "share": call.max_funding_share, "ceiling": ceiling}
        )
    if amount > call.max_funding_amount:
        problems.append(
            _("Le montant demandé (%(amount)s €) dépasse le plafond de %(max)s € par projet.")
            % {"amount": amount, "max": call.max_funding_amount}
        )
    if amount <= 0:
        problems.append(_("Le montant demandé doit être positif."))
    return problems


def snapshot(proposal: Proposal) -> dict:
    """The content of a submission, as plain JSON, in a stable order."""
    answers = {a.question_id: a.value for a in proposal.answers.all()}
    return {
        "reference": proposal.reference,
        "call": proposal.call.slug,
        "title": proposal.title,
        "summary": proposal.summary,
        "structure": str(proposal.structure) if proposal.structure_id else "",
        "defi": proposal.defi.title if proposal.defi_id else "",
        "yearly_budget": str(proposal.yearly_budget) if proposal.yearly_budget is not None else "",
        "requested_amount": (
            str(proposal.requested_amount) if proposal.requested_amount is not None else ""
        ),
        "team": [
            {"name": m.user.get_full_name(), "email": m.user.email, "role": m.role}
            for m in proposal.team.select_related("user").order_by("joined_at", "id")
        ],
        "answers": [
            {"question": q.label, "value": answers.get(q.pk)} for q in proposal.call.questions.all()
        ],
        "attachments": [
            {"name": a.original_name, "size": a.size, "sha256": a.sha256}
            for a in proposal.attachments.all()
        ],
    }


def content_hash(content: dict) -> str:
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def reference_for(call: Call, sequence: int) -> str:
    return f"{call.programme.reference_prefix}-{localtime(call.opens_at).year}-{sequence:04d}"


# Writes -------------------------------------------------------------------------------------


@transaction.atomic(durable=True)
def start_proposal(
    call: Call, *, by: User, now: datetime, title: str, defi: Defi | None = None
) -> Proposal:
    """Start a draft on an open call (on one of its défis for an EIG stage-2 call)."""
    if not by.is_authenticated:
        raise TransitionError(_("Connectez-vous pour candidater."))
    if not call.is_open(now):
        raise TransitionError(_("Cet appel ne reçoit pas de candidature en ce moment."))
    if call.kind == CallKind.CHALLENGE_APPLICATIONS:
        if defi is None or not call.defis_offered().filter(pk=defi.pk).exists():
            raise TransitionError(_("Choisissez l'un des défis proposés par cet appel."))
    else:
        defi = None
    proposal = Proposal.objects.create(
        call=call,
        defi=defi,
        title=title.strip() or _("Projet sans titre"),
        structure=by.structure,
        created_by=by,
    )
    TeamMember.objects.create(proposal=proposal, user=by, role=TeamRole.LEAD)
    audit.record(by, "proposal.start", proposal, after=ProposalState.DRAFT, at=now)
    return proposal


PROPOSAL_FIELDS = ("title", "summary", "yearly_budget", "requested_amount")


@transaction.atomic(durable=True)
def save_draft(
    proposal: Proposal,
    *,
    by: User,
    version: int,
    now: datetime,
    fields: dict,
    answers: dict[int, Any],
) -> Proposal:
    """Save what the team typed, complete or not. Refused if someone saved since `version`."""
    _require_team_member(proposal, by)
    _require_editable(proposal, now)
    values = {name: fields[name] for name in PROPOSAL_FIELDS if name in fields}
    if "title" in values:
        values["title"] = (values["title"] or "").strip() or proposal.title
    updated = Proposal.objects.filter(pk=proposal.pk, version=version).update(
        **values, version=version + 1, updated_at=now
    )
    if not updated:
        raise StaleVersionError(
            _(
                "Un membre de votre équipe a enregistré cette candidature pendant que vous la "
                "modifiiez : votre saisie n'a pas été enregistrée. Elle est conservée "
                "ci-dessous ; ouvrez la candidature dans un autre onglet pour voir la version à "
                "jour, reportez-y vos changements, puis enregistrez."
            )
        )
    questions = {q.pk: q for q in proposal.call.questions.all()}
    for question_id, value in answers.items():
        if question_id in questions:
            Answer.objects.update_or_create(
                proposal=proposal, question_id=question_id, defaults={"value": value}
            )
    for name, value in values.items():
        setattr(proposal, name, value)
    proposal.version = version + 1
    audit.record(by, "proposal.save_draft", proposal, at=now)
    return proposal


@transaction.atomic(durable=True)
def invite_member(proposal: Proposal, *, by: User, email: str, now: datetime) -> Invitation:
    """Invite a team mate by e-mail; they join through a signed link valid two weeks."""
    _require_team_member(proposal, by)
    _require_editable(proposal, now)
    email = email.strip().lower()
    if proposal.team.filter(user__email__iexact=email).exists():
        raise TransitionError(_("%(email)s fait déjà partie de l'équipe.") % {"email": email})
    if proposal.team.count() >= proposal.call.team_max:
        raise TransitionError(
            _("L'équipe est complète : cet appel admet au plus %(max)s personnes.")
            % {"max": proposal.call.team_max}
        )
    invitation = proposal.invitations.filter(email=email, accepted_at__isnull=True).first()
    if invitation is None:
        invitation = Invitation.objects.create(
            proposal=proposal, email=email, invited_by=by, created_at=now
        )
    else:
        invitation.created_at, invitation.invited_by = now, by
        invitation.save(update_fields=["created_at", "invited_by"])
    token = signing.dumps(str(invitation.public_id), salt=INVITATION_SALT)
    mail.send(
        [email],
        "proposal_invitation",
        {
            "proposal": proposal,
            "call": proposal.call,
            "inviter": by,
            "path": reverse("projects:join", kwargs={"token": token}),
            "days": INVITATION_MAX_AGE // 86400,
        },
    )
    audit.record(by, "proposal.invite", proposal, reason=email, at=now)
    return invitation


def invitation_from_token(token: str) -> Invitation:
    """The invitation a signed link points to, or a French error (expired, altered)."""
    try:
        public_id = signing.loads(token, salt=INVITATION_SALT, max_age=INVITATION_MAX_AGE)
    except signing.SignatureExpired:
        raise TransitionError(
            _("Ce lien d'invitation a expiré : demandez à l'équipe de vous inviter à nouveau.")
        ) from None
    except signing.BadSignature:
        raise TransitionError(_("Ce lien d'invitation n'est pas valide.")) from None
    invitation = (
        Invitation.objects.select_related("proposal__call").filter(public_id=public_id).first()
    )
    if invitation is None:
        raise TransitionError(_("Cette invitation a été annulée."))
    return invitation


@transaction.atomic(durable=True)
def accept_invitation(token: str, *, user: User, now: datetime) -> Proposal:
    """Join a team through a signed invitation link sent to the user's own address."""
    invitation = invitation_from_token(token)
    proposal = _lock(invitation.proposal)
    if proposal.team.filter(user=user).exists():
        return proposal
    if invitation.accepted_at is not None:
        raise TransitionError(_("Cette invitation a déjà été acceptée."))
    if invitation.email.lower() != user.email.lower():
        raise TransitionError(
            _(
                "Cette invitation a été envoyée à %(email)s : connectez-vous avec cette adresse "
                "pour rejoindre l'équipe."
            )
            % {"email": invitation.email}
        )
    if proposal.state not in ProposalState.withdrawable_states:
        raise TransitionError(_("Cette candidature n'accueille plus de nouveaux membres."))
    if proposal.team.count() >= proposal.call.team_max:
        raise TransitionError(
            _("L'équipe est déjà complète (%(max)s personnes au plus).")
            % {"max": proposal.call.team_max}
        )
    TeamMember.objects.create(proposal=proposal, user=user, role=TeamRole.MEMBER)
    Invitation.objects.filter(pk=invitation.pk).update(accepted_at=now, accepted_by=user)
    audit.record(user, "proposal.join", proposal, reason=invitation.email, at=now)
    return proposal


@transaction.atomic(durable=True)
def add_attachment(
    proposal: Proposal, *, by: User, upload: UploadedFile, now: datetime
) -> Attachment:
    """Join a PDF (checked by its content, not its name), ≤ 10 Mo, at most 5 per proposal."""
    _require_team_member(proposal, by)
    _require_editable(proposal, now)
    if proposal.attachments.count() >= MAX_ATTACHMENTS:
        raise TransitionError(
            _("Une candidature compte au plus %(max)s pièces jointes : supprimez-en une d'abord.")
            % {"max": MAX_ATTACHMENTS}
        )
    if upload.size > MAX_ATTACHMENT_BYTES:
        raise TransitionError(
            _("Le fichier « %(name)s » dépasse 10 Mo (%(size)s Mo).")
            % {"name": upload.name, "size": round(upload.size / 1024 / 1024, 1)}
        )
    if upload.size == 0:
        raise TransitionError(_("Le fichier « %(name)s » est vide.") % {"name": upload.name})
    upload.seek(0)
    if upload.read(len(PDF_MAGIC)) != PDF_MAGIC:
        raise TransitionError(
            _(
                "Le fichier « %(name)s » n'est pas un PDF (seuls les PDF sont acceptés, quel que "
                "soit le nom du fichier)."
            )
            % {"name": upload.name}
        )
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    name = (upload.name or "document.pdf").rsplit("/", 1)[-1][:255]
    attachment = Attachment(
        proposal=proposal,
        original_name=name,
        size=upload.size,
        sha256=digest.hexdigest(),
        uploaded_by=by,
        uploaded_at=now,
    )
    attachment.file.save(name, upload, save=False)
    attachment.save()
    audit.record(by, "proposal.attach", proposal, reason=name, at=now)
    return attachment


@transaction.atomic(durable=True)
def remove_attachment(attachment: Attachment, *, by: User, now: datetime) -> None:
    """Remove an attachment while the proposal can still be edited."""
    proposal = attachment.proposal
    _require_team_member(proposal, by)
    _require_editable(proposal, now)
    name, storage, path = attachment.original_name, attachment.file.storage, attachment.file.name
    attachment.delete()
    transaction.on_commit(lambda: storage.delete(path))
    audit.record(by, "proposal.detach", proposal, reason=name, at=now)


def _record_version(proposal: Proposal, *, by: User, now: datetime) -> ProposalVersion:
    content = snapshot(proposal)
    number = (proposal.versions.aggregate(m=Max("number"))["m"] or 0) + 1
    version = ProposalVersion.objects.create(
        proposal=proposal,
        number=number,
        content=content,
        sha256=content_hash(content),
        reference=proposal.reference,
        submitted_by=by,
        submitted_at=now,
    )
    # The receipt goes through the reminder ledger, written in this transaction: one row per
    # member, so a broker outage leaves it pending and the next scan delivers it.
    owe_reminders(receipts_owed(version), now=now)
    return version


@transaction.atomic(durable=True)
def submit_proposal(proposal: Proposal, *, by: User, now: datetime) -> ProposalVersion:
    """Submit (or submit again) a complete proposal while the call is open; the receipt is
    owed to each member of the team (reminder ledger) in the same transaction.

    Submitting again what the last version already holds returns that version unchanged, so
    a double click or two tabs make one version."""
    locked = _lock(proposal)
    _require_team_member(locked, by)
    call = locked.call
    if not call.is_open(now):
        raise TransitionError(
            _("Dépôt impossible : l'appel est clos depuis le %(date)s (heure de Paris).")
            % {"date": _paris(call.closes_at)}
            if now >= call.closes_at
            else _("Dépôt impossible : l'appel n'est pas ouvert.")
        )
    if locked.state not in ProposalState.editable_states:
        raise TransitionError(
            _("Dépôt impossible : la candidature est « %(state)s ».")
            % {"state": _state_label(locked.state)}
        )
    missing = missing_items(locked)
    if missing:
        raise TransitionError(
            _("Dépôt impossible, il manque : %(missing)s") % {"missing": " ".join(missing)}
        )
    if locked.state == ProposalState.SUBMITTED:
        # A second click, or the same form sent from another tab: nothing changed since the
        # last version, so that version stands (no new version, receipt or audit entry).
        last = locked.versions.order_by("-number").first()
        if last is not None and last.sha256 == content_hash(snapshot(locked)):
            return last
    before = locked.state
    if locked.sequence is None:
        Call.objects.select_for_update().get(pk=call.pk)  # one numbering at a time per call
        locked.sequence = (
            Proposal.objects.filter(call=call).aggregate(m=Max("sequence"))["m"] or 0
        ) + 1
        locked.reference = reference_for(call, locked.sequence)
    locked.state = ProposalState.SUBMITTED
    locked.submitted_at = now
    locked.save(update_fields=["sequence", "reference", "state", "submitted_at", "updated_at"])
    version = _record_version(locked, by=by, now=now)
    audit.record(by, "proposal.submit", locked, before=before, after=locked.state, at=now)
    proposal.state, proposal.reference, proposal.sequence = (
        locked.state,
        locked.reference,
        locked.sequence,
    )
    proposal.submitted_at = now
    return version


@transaction.atomic(durable=True)
def withdraw_proposal(proposal: Proposal, *, by: User, now: datetime, reason: str = "") -> None:
    """Withdraw a proposal before the decision."""
    _require_team_member(proposal, by)
    before = proposal.state
    updated = Proposal.objects.filter(
        pk=proposal.pk, state__in=ProposalState.withdrawable_states
    ).update(state=ProposalState.WITHDRAWN, updated_at=now)
    if not updated:
        raise TransitionError(
            _("Retrait impossible : la candidature est « %(state)s ».")
            % {"state": _state_label(Proposal.objects.get(pk=proposal.pk).state)}
        )
    proposal.state = ProposalState.WITHDRAWN
    audit.record(
        by,
        "proposal.withdraw",
        proposal,
        before=before,
        after=proposal.state,
        reason=reason,
        at=now,
    )


def _screen(proposal: Proposal, *, by: User, now: datetime, eligible: bool, reason: str) -> None:
    _require_staff(proposal, by)
    if proposal.call.is_open(now):
        raise TransitionError(
            _("« %(title)s » : l'appel est encore ouvert, l'équipe peut encore la modifier.")
            % {"title": proposal.title}
        )
    target = ProposalState.ELIGIBLE if eligible else ProposalState.INELIGIBLE
    if not eligible and not reason.strip():
        raise TransitionError(_("Indiquez le motif d'irrecevabilité : il est envoyé à l'équipe."))
    before = proposal.state
    updated = Proposal.objects.filter(
        pk=proposal.pk, state__in=ProposalState.screenable_states
    ).update(state=target, ineligibility_reason="" if eligible else reason.strip(), updated_at=now)
    if not updated:
        raise TransitionError(
            _("« %(title)s » ne peut pas être examinée : elle est « %(state)s ».")
            % {"title": proposal.title, "state": _state_label(proposal.state)}
        )
    proposal.state = target
    proposal.ineligibility_reason = "" if eligible else reason.strip()
    audit.record(
        by,
        "proposal.screen",
        proposal,
        before=before,
        after=target,
        reason=proposal.ineligibility_reason,
        at=now,
    )
    if not eligible:
        mail.send(
            _team_emails(proposal),
            "proposal_ineligible",
            {"proposal": proposal, "call": proposal.call, "reason": proposal.ineligibility_reason},
        )


@transaction.atomic(durable=True)
def mark_eligible(proposal: Proposal, *, by: User, now: datetime) -> None:
    """Declare a submitted proposal eligible."""
    _screen(proposal, by=by, now=now, eligible=True, reason="")


@transaction.atomic(durable=True)
def mark_ineligible(proposal: Proposal, *, by: User, now: datetime, reason: str) -> None:
    """Declare a proposal ineligible; the reason is mailed to the team."""
    _screen(proposal, by=by, now=now, eligible=False, reason=reason)


@transaction.atomic(durable=True)
def screen_selection(
    proposals, *, by: User, now: datetime, eligible: bool, reason: str = ""
) -> int:
    """Screen a selection at once: all or nothing, so a refused one leaves the others as they
    were."""
    count = 0
    for proposal in proposals:
        _screen(proposal, by=by, now=now, eligible=eligible, reason=reason)
        count += 1
    return count


@transaction.atomic(durable=True)
def send_message(proposal: Proposal, *, by: User, body: str, now: datetime) -> Message:
    """Post a message in the proposal's thread; it is mailed to the other side."""
    body = body.strip()
    if not body:
        raise TransitionError(_("Le message est vide."))
    from_staff = bool(proposal_rules.can_screen_proposal(by, proposal))
    if not from_staff:
        _require_team_member(proposal, by)
    message = Message.objects.create(
        proposal=proposal, author=by, body=body, from_staff=from_staff, created_at=now
    )
    recipients = _team_emails(proposal) if from_staff else _staff_emails(proposal)
    if recipients:
        mail.send(
            recipients,
            "proposal_message",
            {"proposal": proposal, "message": message, "from_staff": from_staff},
        )
    audit.record(by, "proposal.message", proposal, at=now)
    return message


@transaction.atomic(durable=True)
def request_correction(
    proposal: Proposal, *, by: User, reason: str, deadline: datetime, now: datetime
) -> CorrectionRequest:
    """Ask the team to correct a submitted proposal before `deadline`; it reopens for editing."""
    _require_staff(proposal, by)
    locked = _lock(proposal)
    if locked.state not in ProposalState.screenable_states:
        raise TransitionError(
            _("Impossible de demander une correction : la candidature est « %(state)s ».")
            % {"state": _state_label(locked.state)}
        )
    if not reason.strip():
        raise TransitionError(_("Précisez la correction attendue."))
    if deadline <= now:
        raise TransitionError(_("La date limite de la correction doit être dans le futur."))
    if open_correction(locked) is not None:
        raise TransitionError(_("Une correction est déjà demandée pour cette candidature."))
    correction = CorrectionRequest.objects.create(
        proposal=locked, requested_by=by, reason=reason.strip(), deadline=deadline, requested_at=now
    )
    mail.send(
        _team_emails(locked),
        "proposal_correction",
        {"proposal": locked, "correction": correction},
    )
    audit.record(by, "proposal.request_correction", locked, reason=reason, at=now)
    return correction


@transaction.atomic(durable=True)
def send_back_correction(proposal: Proposal, *, by: User, now: datetime) -> ProposalVersion:
    """Send a corrected proposal back before the correction deadline: a new version is kept,
    with the same reference, and the proposal waits for screening again."""
    locked = _lock(proposal)
    _require_team_member(locked, by)
    correction = open_correction(locked)
    if correction is None:
        raise TransitionError(_("Aucune correction n'est demandée pour cette candidature."))
    if now >= correction.deadline:
        raise TransitionError(
            _("Le délai de correction a expiré le %(date)s.")
            % {"date": _paris(correction.deadline)}
        )
    missing = missing_items(locked)
    if missing:
        raise TransitionError(
            _("Renvoi impossible, il manque : %(missing)s") % {"missing": " ".join(missing)}
        )
    before = locked.state
    correction.sent_back_at = now
    correction.save(update_fields=["sent_back_at"])
    locked.state = ProposalState.SUBMITTED
    locked.ineligibility_reason = ""
    locked.save(update_fields=["state", "ineligibility_reason", "updated_at"])
    version = _record_version(locked, by=by, now=now)
    staff = _staff_emails(locked)
    if staff:
        mail.send(staff, "proposal_corrected", {"proposal": locked, "version": version})
    audit.record(by, "proposal.send_back", locked, before=before, after=locked.state, at=now)
    proposal.state = locked.state
    return version


@transaction.atomic(durable=True)
def request_export(call: Call, *, by: User, fmt: str, now: datetime) -> ExportJob:
    """Queue an export of the call's proposals; a task writes the file."""
    from projects.tasks import build_export

    job = ExportJob.objects.create(call=call, requested_by=by, format=fmt, created_at=now)
    audit.record(by, "proposal.export", call, reason=fmt, at=now)
    transaction.on_commit(lambda: build_export.delay(job_id=job.pk))
    return job


def run_export(job: ExportJob, *, now: datetime) -> ExportJob:
    """Write the export file, recording progress as it goes (the status page reads it)."""
    from projects.services import exports

    ExportJob.objects.filter(pk=job.pk).update(status=ExportStatus.RUNNING)
    try:
        content = exports.build(
            job.call,
            job.format,
            progress=lambda done, total: ExportJob.objects.filter(pk=job.pk).update(
                done=done, total=total
            ),
        )
        name = f"candidatures-{job.call.slug}-{localtime(now):%Y%m%d-%H%M}.{job.format}"
        job.refresh_from_db()
        job.file.save(name, content, save=False)
        job.status, job.finished_at = ExportStatus.DONE, now
        job.done = job.total
        job.save(update_fields=["file", "status", "finished_at", "done"])
    except Exception as error:
        ExportJob.objects.filter(pk=job.pk).update(
            status=ExportStatus.FAILED, error=str(error)[:1000], finished_at=now
        )
        logger.exception("Export %s failed", job.pk)
    return job
