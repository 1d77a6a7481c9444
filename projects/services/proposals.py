"""The candidate's side of a proposal: start, save, attach, submit, withdraw, write, send back.

Each function runs in a durable transaction, checks its guard, writes an audit entry and
queues its mails after commit. An illegal change raises `TransitionError` with a French
message the views show as is. The time is always a parameter (`now`). The staff's screening
is in `screening`, the team's invitations in `invitations`, the exports in `exports`; what
these writes read (what is missing, what a version holds) is in `projects.queries.proposals`.
"""

import hashlib
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from calls.enums import CallKind, QuestionKind
from calls.models import Call, Defi
from programme import audit, exceptions, files, mail
from programme.accounts import require_verified
from programme.enums import ProgrammeRole
from programme.exceptions import TransitionError
from programme.models import ProgrammeMembership, User
from programme.reminders import owe_reminders
from projects import rules as proposal_rules
from projects.enums import ProposalState, TeamRole
from projects.models import (
    Answer,
    Attachment,
    Message,
    Proposal,
    ProposalVersion,
    TeamMember,
)
from projects.queries.proposals import (
    can_edit,
    content_hash,
    eligibility_breaches,
    missing_items,
    open_correction,
    paris_time,
    reference_for,
    snapshot,
)
from projects.reminders import receipts_owed
from projects.services import rankings
from projects.services.team_mail import GENERIC, tell_people, tell_team

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MAX_ATTACHMENTS = 5


# Someone else saved the proposal since this form was loaded (the one type every form uses).
StaleVersionError = exceptions.StaleVersionError


def state_label(state: str) -> str:
    return ProposalState(state).label


def lock(proposal: Proposal) -> Proposal:
    """The proposal's row, locked until the end of the transaction."""
    locked = Proposal.objects.select_for_update().select_related("call__programme")
    return locked.get(pk=proposal.pk)


def team_emails(proposal: Proposal) -> list[str]:
    return list(proposal.team.values_list("user__email", flat=True))


def staff_emails(proposal: Proposal) -> list[str]:
    return list(
        ProgrammeMembership.objects.filter(
            programme_id=proposal.call.programme_id, role=ProgrammeRole.STAFF
        ).values_list("user__email", flat=True)
    )


def require_team_member(proposal: Proposal, by: User) -> None:
    if not proposal_rules.is_team_member(by, proposal):
        raise TransitionError(_("Seuls les membres de l'équipe peuvent faire cela."))


def require_staff(proposal: Proposal, by: User) -> None:
    if not proposal_rules.can_screen_proposal(by, proposal):
        raise TransitionError(_("Seule l'équipe du programme peut faire cela."))


def require_editable(proposal: Proposal, now: datetime) -> None:
    if can_edit(proposal, now):
        return
    if proposal.state not in ProposalState.editable_states:
        raise TransitionError(
            _("La candidature n'est plus modifiable : elle est « %(state)s ».")
            % {"state": state_label(proposal.state)}
        )
    raise TransitionError(
        _("La candidature n'est plus modifiable : l'appel est clos depuis le %(date)s.")
        % {"date": paris_time(proposal.call.closes_at)}
    )


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
    uploads: dict[int, UploadedFile] | None = None,
    removals: frozenset[int] | set[int] = frozenset(),
) -> Proposal:
    """Save what the team typed, complete or not. Refused if someone saved since `version`.

    A file question takes its file here (`uploads`, by question id): the new file replaces
    the one the question had; `removals` clears the file of those questions."""
    require_team_member(proposal, by)
    require_editable(proposal, now)
    uploads = uploads or {}
    for upload in uploads.values():
        check_upload(upload)
    values = {name: fields[name] for name in PROPOSAL_FIELDS if name in fields}
    if "title" in values:
        values["title"] = (values["title"] or "").strip() or proposal.title
    # What the Journal shows: the old and new value of each field the team changed.
    changes = {
        name: [audit.plain(getattr(proposal, name)), audit.plain(value)]
        for name, value in values.items()
        if getattr(proposal, name) != value
    }
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
    file_questions = {pk for pk, q in questions.items() if q.kind == QuestionKind.FILE}
    # A file question's answer may still name a file joined on the attachments page; the form
    # sends none for it, its file coming through `uploads`.
    for question_id, value in answers.items():
        if question_id in questions:
            Answer.objects.update_or_create(
                proposal=proposal, question_id=question_id, defaults={"value": value}
            )
    for question_id in (set(uploads) | set(removals)) & file_questions:
        _replace_file(proposal, questions[question_id], uploads.get(question_id), by=by, now=now)
    for name, value in values.items():
        setattr(proposal, name, value)
    proposal.version = version + 1
    audit.record(by, "proposal.save_draft", proposal, changes=changes, at=now)
    return proposal


def check_upload(upload: UploadedFile) -> files.CheckedFile:
    """The size and content checks of every file a team joins, before anything is kept."""
    if upload.size > MAX_ATTACHMENT_BYTES:
        raise TransitionError(
            _("Le fichier « %(name)s » dépasse 10 Mo (%(size)s Mo).")
            % {"name": upload.name, "size": round(upload.size / 1024 / 1024, 1)}
        )
    if upload.size == 0:
        raise TransitionError(_("Le fichier « %(name)s » est vide.") % {"name": upload.name})
    return files.check(upload)


def _store_attachment(
    proposal: Proposal, *, by: User, upload: UploadedFile, now: datetime, question=None
) -> Attachment:
    """Keep a checked upload on a proposal whose row the caller has locked."""
    checked = check_upload(upload)
    if proposal.attachments.count() >= MAX_ATTACHMENTS:
        raise TransitionError(
            _("Une candidature compte au plus %(max)s pièces jointes : supprimez-en une d'abord.")
            % {"max": MAX_ATTACHMENTS}
        )
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    attachment = Attachment(
        proposal=proposal,
        question=question,
        original_name=checked.name,
        size=upload.size,
        sha256=digest.hexdigest(),
        uploaded_by=by,
        uploaded_at=now,
    )
    attachment.file.save(checked.name, upload, save=False)
    attachment.save()
    audit.record(by, "proposal.attach", proposal, reason=checked.name, at=now)
    return attachment


def _delete_attachment(attachment: Attachment, *, by: User, now: datetime) -> None:
    """Remove a file from the proposal; one a submitted version holds is kept, superseded."""
    proposal = attachment.proposal
    name, storage, path = attachment.original_name, attachment.file.storage, attachment.file.name
    if _submitted_in_a_version(proposal, attachment):
        Attachment.all_objects.filter(pk=attachment.pk).update(superseded_at=now)
    else:
        attachment.delete()
        transaction.on_commit(lambda: storage.delete(path))
    audit.record(by, "proposal.detach", proposal, reason=name, at=now)


def _submitted_in_a_version(proposal: Proposal, attachment: Attachment) -> bool:
    wanted = str(attachment.public_id)
    return any(
        wanted == (f.get("id") or "")
        for content in proposal.versions.values_list("content", flat=True)
        for f in (content or {}).get("attachments", [])
    )


@transaction.atomic(durable=True)
def add_attachment(
    proposal: Proposal, *, by: User, upload: UploadedFile, now: datetime
) -> Attachment:
    """Join a file checked by its content (`programme.files`), ≤ 10 Mo, at most 5 per proposal.

    The proposal's row is locked before the attachments are counted, so simultaneous uploads
    wait for each other and the limit holds.
    """
    require_team_member(proposal, by)
    check_upload(upload)
    proposal = lock(proposal)
    require_editable(proposal, now)
    return _store_attachment(proposal, by=by, upload=upload, now=now)


@transaction.atomic(durable=True)
def remove_attachment(attachment: Attachment, *, by: User, now: datetime) -> None:
    """Remove an attachment while the proposal can still be edited."""
    proposal = lock(attachment.proposal)
    require_team_member(proposal, by)
    require_editable(proposal, now)
    attachment.proposal = proposal
    _delete_attachment(attachment, by=by, now=now)


def _replace_file(proposal, question, upload, *, by: User, now: datetime) -> None:
    """Give a file question its new file (or none): the file uploaded on it before goes (a
    file joined on the attachments page and picked for it stays on the proposal)."""
    for old in proposal.attachments.filter(question=question):
        _delete_attachment(old, by=by, now=now)
    value = None
    if upload is not None:
        stored = _store_attachment(proposal, by=by, upload=upload, now=now, question=question)
        value = str(stored.public_id)
    Answer.objects.update_or_create(proposal=proposal, question=question, defaults={"value": value})


def _record_version(
    proposal: Proposal, *, by: User, now: datetime, attested: bool = False
) -> ProposalVersion:
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
        attested=attested,
    )
    # The receipt goes through the reminder ledger, written in this transaction: one row per
    # member, so a broker outage leaves it pending and the next scan delivers it.
    owe_reminders(receipts_owed(version), now=now)
    return version


def _call_open(proposal: Proposal, by: User, now: datetime) -> None:
    call = proposal.call
    if not call.is_open(now):
        raise TransitionError(
            _("Dépôt impossible : l'appel est clos depuis le %(date)s (heure de Paris).")
            % {"date": paris_time(call.closes_at)}
            if now >= call.closes_at
            else _("Dépôt impossible : l'appel n'est pas ouvert.")
        )


def _still_editable(proposal: Proposal, by: User, now: datetime) -> None:
    if proposal.state not in ProposalState.editable_states:
        raise TransitionError(
            _("Dépôt impossible : la candidature est « %(state)s ».")
            % {"state": state_label(proposal.state)}
        )


def _complete(proposal: Proposal, by: User, now: datetime) -> None:
    missing = missing_items(proposal)
    if missing:
        raise TransitionError(
            _("Dépôt impossible, il manque : %(missing)s") % {"missing": " ".join(missing)}
        )


def _eligible(proposal: Proposal, by: User, now: datetime) -> None:
    # The call's eligibility conditions (calls.eligibility): a blocking one refuses, saying why.
    blockers = [breach.message for breach in eligibility_breaches(proposal) if breach.blocking]
    if blockers:
        raise TransitionError(
            _("Dépôt impossible : la candidature ne remplit pas les conditions de l'appel. %(why)s")
            % {"why": " ".join(blockers)}
        )


# What a submission must pass, in order, on the locked proposal: each raises
# `TransitionError` with its French reason. Another rule is one more entry.
SUBMISSION_GUARDS: list[Callable[[Proposal, User, datetime], None]] = [
    lambda proposal, by, now: require_team_member(proposal, by),
    _call_open,
    _still_editable,
    _complete,
    _eligible,
]


@transaction.atomic(durable=True)
def submit_proposal(
    proposal: Proposal,
    *,
    by: User,
    now: datetime,
    attested: bool = False,
    version: int | None = None,
) -> ProposalVersion:
    """Submit (or submit again) a complete proposal while the call is open; the receipt (with
    its PDF) is owed to each member of the team (reminder ledger) in the same transaction.
    `attested`: the sworn statement was ticked on the summary page; it is kept on the version.
    `version`: the draft's version the summary showed; if someone saved since, the submission
    is refused, so what is submitted is what was read and attested.

    Submitting again what the last version already holds returns that version unchanged (its
    `is_new` is False), so a double click or two tabs make one version, and no
    receipt is sent for nothing."""
    require_verified(by)
    locked = lock(proposal)
    for guard in SUBMISSION_GUARDS:
        guard(locked, by, now)
    if version is not None and locked.version != version:
        raise StaleVersionError(
            _(
                "Un membre de votre équipe a modifié la candidature depuis que vous avez ouvert ce "
                "récapitulatif : rien n'a été déposé. Relisez-la ci-dessous avant de déposer."
            )
        )
    call = locked.call
    if locked.state == ProposalState.SUBMITTED:
        # A second click, or the same form sent from another tab: nothing changed since the
        # last version, so that version stands (no new version, receipt or audit entry).
        last = locked.versions.order_by("-number").first()
        if last is not None and last.sha256 == content_hash(snapshot(locked)):
            last.is_new = False
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
    version = _record_version(locked, by=by, now=now, attested=attested)
    version.is_new = True
    audit.record(
        by,
        "proposal.submit",
        locked,
        before=before,
        after=locked.state,
        reason=_("attestation sur l'honneur cochée") if attested else "",
        at=now,
    )
    proposal.state, proposal.reference, proposal.sequence = (
        locked.state,
        locked.reference,
        locked.sequence,
    )
    proposal.submitted_at = now
    return version


@transaction.atomic(durable=True)
def withdraw_proposal(proposal: Proposal, *, by: User, now: datetime, reason: str = "") -> None:
    """Withdraw a proposal before the decision: its lead (porteur or porteuse) does, or the
    programme's staff on the team's written request (from the admin, with its reason).
    Every member of the team is told by mail."""
    if not proposal_rules.can_screen_proposal(by, proposal):
        require_team_member(proposal, by)
        if not proposal_rules.is_team_lead(by, proposal):
            raise TransitionError(
                _(
                    "Seul le porteur ou la porteuse du projet peut retirer la candidature : "
                    "écrivez-lui ou demandez-lui de vous passer ce rôle."
                )
            )
    before = proposal.state
    updated = Proposal.objects.filter(
        pk=proposal.pk, state__in=ProposalState.withdrawable_states
    ).update(state=ProposalState.WITHDRAWN, updated_at=now)
    if not updated:
        raise TransitionError(
            _("Retrait impossible : la candidature est « %(state)s ».")
            % {"state": state_label(Proposal.objects.get(pk=proposal.pk).state)}
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
    rankings.state_changed(proposal, before)
    name = by.get_full_name() or by.email
    tell_team(
        proposal,
        GENERIC,
        {
            "subject": _("Candidature retirée — %(title)s") % {"title": proposal.title},
            "lines": [
                _(
                    "La candidature « %(title)s » à l'appel %(edition)s a été retirée par "
                    "%(name)s, le %(date)s (heure de Paris). Ce retrait est définitif."
                )
                % {
                    "title": proposal.title,
                    "edition": proposal.call.edition,
                    "name": name,
                    "date": paris_time(now),
                }
            ],
            "quote": reason,
        },
        event_key=f"proposal-withdrawn:{proposal.pk}",
    )


MAX_MESSAGE_FILE_BYTES = 10 * 1024 * 1024


@transaction.atomic(durable=True)
def send_message(
    proposal: Proposal,
    *,
    by: User,
    body: str,
    now: datetime,
    upload: UploadedFile | None = None,
) -> Message:
    """Post a message in the proposal's thread (the Fil), with an optional file checked by
    its content; each person on the other side gets it by mail once: staff (and, once the
    proposal is a laureate, its coach) write to every member of the team, the team to the
    programme's staff and the coach."""
    body = body.strip()
    if not body:
        raise TransitionError(_("Le message est vide."))
    coach = proposal_rules.is_laureate_coach(by, proposal)
    from_staff = bool(proposal_rules.can_screen_proposal(by, proposal)) or coach
    if not from_staff:
        require_team_member(proposal, by)
    message = Message(
        proposal=proposal, author=by, body=body, from_staff=from_staff, created_at=now
    )
    if upload is not None:
        if upload.size > MAX_MESSAGE_FILE_BYTES:
            raise TransitionError(
                _("Le fichier « %(name)s » dépasse 10 Mo.") % {"name": upload.name}
            )
        if upload.size == 0:
            raise TransitionError(_("Le fichier « %(name)s » est vide.") % {"name": upload.name})
        checked = files.check(upload)
        upload.seek(0)
        message.file.save(checked.name, upload, save=False)
        message.file_name, message.file_size = checked.name, upload.size
    message.save()
    context = {
        "subject": _("Nouveau message — %(title)s") % {"title": proposal.title},
        "lines": [
            _("%(name)s a écrit sur la candidature « %(title)s » :")
            % {
                "name": (by.get_full_name() or by.email)
                if coach or not from_staff
                else _("L'équipe du programme"),
                "title": proposal.title,
            }
        ],
        "quote": body,
        "link": proposal.get_absolute_url() + "#fil",
        "link_label": _("Lire et répondre dans le fil de la candidature"),
    }
    if message.file_name:
        context["lines"].append(
            _("Pièce jointe : %(name)s (à télécharger depuis le fil).")
            % {"name": message.file_name}
        )
    key = f"proposal-message:{message.pk}"
    if from_staff:
        tell_team(proposal, GENERIC, context, event_key=key)
    else:
        staff = ProgrammeMembership.objects.filter(
            programme_id=proposal.call.programme_id, role=ProgrammeRole.STAFF, user__is_active=True
        ).select_related("user")
        readers = [membership.user for membership in staff]
        laureate = getattr(proposal, "laureate", None)
        if laureate is not None and laureate.coach is not None:
            readers.append(laureate.coach)  # once laureate, the coach is on the thread too
        tell_people(readers, GENERIC, {**context, "proposal": proposal}, event_key=key)
    audit.record(by, "proposal.message", proposal, at=now)
    return message


@transaction.atomic(durable=True)
def send_back_correction(proposal: Proposal, *, by: User, now: datetime) -> ProposalVersion:
    """Send a corrected proposal back before the correction deadline: a new version is kept,
    with the same reference, and the proposal waits for screening again."""
    locked = lock(proposal)
    require_team_member(locked, by)
    correction = open_correction(locked)
    if correction is None:
        raise TransitionError(_("Aucune correction n'est demandée pour cette candidature."))
    if now >= correction.deadline:
        raise TransitionError(
            _("Le délai de correction a expiré le %(date)s.")
            % {"date": paris_time(correction.deadline)}
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
    staff = staff_emails(locked)
    if staff:
        mail.send(staff, "proposal_corrected", {"proposal": locked, "version": version})
    audit.record(by, "proposal.send_back", locked, before=before, after=locked.state, at=now)
    rankings.state_changed(locked, before)
    proposal.state = locked.state
    return version
