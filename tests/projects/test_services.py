"""The proposal workflow: each rule of the issue, with `now` passed in."""

import hashlib
import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.conf import settings
from django.core import mail as django_mail
from django.core.files.uploadedfile import SimpleUploadedFile

from calls.enums import CallKind, CallState
from programme.enums import ReminderKind, ReminderState
from programme.exceptions import TransitionError
from programme.models import AuditEntry, Reminder
from projects.enums import ProposalState
from projects.models import Answer, Proposal, TeamMember
from projects.queries import invitations as invitation_queries
from projects.queries import proposals as queries
from projects.services import invitations, screening
from projects.services import proposals as services
from tests import factories
from tests.projects.conftest import CLOSES_AT, NOW, PDF, complete

pytestmark = pytest.mark.django_db


def upload(content=PDF, name="dossier.pdf"):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


# Start and drafts ---------------------------------------------------------------------------


def test_an_agent_starts_a_draft_on_an_open_call(call, agent):
    proposal = services.start_proposal(call, by=agent, now=NOW, title="Aides territoires")
    assert proposal.state == ProposalState.DRAFT
    assert proposal.structure == agent.structure
    assert TeamMember.objects.get(proposal=proposal).user == agent
    assert AuditEntry.objects.filter(action="proposal.start").count() == 1


def test_no_start_on_a_closed_call(call, agent):
    with pytest.raises(TransitionError, match="ne reçoit pas"):
        services.start_proposal(call, by=agent, now=CLOSES_AT, title="Trop tard")


def test_eig_stage_two_proposal_must_name_an_offered_defi(agent):
    stage_one = factories.CallFactory(kind=CallKind.CHALLENGES, state=CallState.CLOSED)
    defi = factories.DefiFactory(call=stage_one, title="PrédiSauvetage")
    stage_two = factories.CallFactory(
        kind=CallKind.CHALLENGE_APPLICATIONS,
        challenge_call=stage_one,
        opens_at=NOW - timedelta(days=1),
        closes_at=NOW + timedelta(days=10),
    )
    with pytest.raises(TransitionError, match="défis"):
        services.start_proposal(stage_two, by=agent, now=NOW, title="Sans défi")
    other = factories.DefiFactory(title="Autre défi")
    with pytest.raises(TransitionError, match="défis"):
        services.start_proposal(stage_two, by=agent, now=NOW, title="Mauvais", defi=other)
    proposal = services.start_proposal(stage_two, by=agent, now=NOW, title="Moi", defi=defi)
    assert proposal.defi == defi


def test_a_draft_is_saved_incomplete(proposal, agent, question):
    services.save_draft(
        proposal, by=agent, version=1, now=NOW, fields={"summary": ""}, answers={question.pk: None}
    )
    proposal.refresh_from_db()
    assert proposal.version == 2
    assert proposal.state == ProposalState.DRAFT
    assert queries.missing_items(proposal)


def test_two_saves_from_the_same_version_the_second_is_refused(proposal, agent, question):
    mate = factories.TeamMemberFactory(proposal=proposal).user
    services.save_draft(
        proposal, by=agent, version=1, now=NOW, fields={"summary": "Version d'Alice"}, answers={}
    )
    stale = Proposal.objects.get(pk=proposal.pk)
    with pytest.raises(services.StaleVersionError, match="pendant que vous la modifiiez"):
        services.save_draft(
            stale,
            by=mate,
            version=1,
            now=NOW,
            fields={"summary": "Version de Bob"},
            answers={question.pk: "Réponse de Bob"},
        )
    proposal.refresh_from_db()
    assert proposal.summary == "Version d'Alice"
    assert proposal.version == 2
    assert not Answer.objects.filter(value="Réponse de Bob").exists()


def test_only_team_members_save(proposal):
    with pytest.raises(TransitionError, match="membres de l'équipe"):
        services.save_draft(
            proposal, by=factories.UserFactory(), version=1, now=NOW, fields={}, answers={}
        )


def test_no_edit_after_the_deadline(proposal, agent):
    with pytest.raises(TransitionError, match="clos"):
        services.save_draft(proposal, by=agent, version=1, now=CLOSES_AT, fields={}, answers={})


# Submission ---------------------------------------------------------------------------------


def test_submit_lists_what_is_missing(proposal, agent, question):
    with pytest.raises(TransitionError) as error:
        services.submit_proposal(proposal, by=agent, now=NOW)
    assert "Quel problème résolvez-vous" in str(error.value)
    assert "résumé" in str(error.value)
    assert Proposal.objects.get(pk=proposal.pk).state == ProposalState.DRAFT


def test_optional_questions_are_not_required(proposal, agent):
    factories.QuestionFactory(call=proposal.call, label="Facultative", required=False)
    complete(proposal, agent)
    Answer.objects.filter(question__label="Facultative").delete()
    services.submit_proposal(proposal, by=agent, now=NOW)


def test_submit_makes_a_version_a_reference_and_mails_the_receipt(
    proposal, agent, question, django_capture_on_commit_callbacks
):
    programme = proposal.call.programme
    programme.reference_prefix = "FN"
    programme.save()
    mate = factories.UserFactory(first_name="Sacha")
    TeamMember.objects.create(proposal=proposal, user=mate)
    complete(proposal, agent)
    with django_capture_on_commit_callbacks(execute=True):
        version = services.submit_proposal(proposal, by=agent, now=NOW)
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.SUBMITTED
    assert proposal.reference == "FN-2026-0001"
    assert version.reference == "FN-2026-0001"
    assert version.number == 1
    canonical = json.dumps(
        version.content, sort_keys=True, ensure_ascii=False, separators=(",", ":")
    )
    assert version.sha256 == hashlib.sha256(canonical.encode()).hexdigest()
    assert version.content["answers"][0]["value"] == "Une réponse"
    # One receipt per member of the team, each a row of the reminder ledger, sent.
    assert sorted(m.to[0] for m in django_mail.outbox) == sorted([agent.email, mate.email])
    receipt = next(m for m in django_mail.outbox if m.to == [mate.email])
    assert receipt.subject == f"Accusé de réception FN-2026-0001 — {proposal.title}"
    assert "Bonjour Sacha" in receipt.body
    assert "Référence : FN-2026-0001" in receipt.body
    assert f"Empreinte SHA-256 du contenu déposé : {version.sha256}" in receipt.body
    assert f"{settings.SITE_URL}{proposal.get_absolute_url()}" in receipt.body
    html, _ = receipt.alternatives[0]
    assert version.sha256 in html
    assert f'href="{settings.SITE_URL}{proposal.get_absolute_url()}"' in html
    assert set(
        Reminder.objects.values_list("kind", "object_id", "recipient_id", "due", "state")
    ) == {
        (ReminderKind.SUBMISSION_RECEIPT, version.pk, user.pk, NOW, ReminderState.SENT)
        for user in (agent, mate)
    }


def test_each_submission_of_a_new_version_has_its_own_receipt(
    proposal, agent, question, django_capture_on_commit_callbacks
):
    complete(proposal, agent)
    with django_capture_on_commit_callbacks(execute=True):
        services.submit_proposal(proposal, by=agent, now=NOW)
        complete(proposal, agent, now=NOW + timedelta(hours=1), summary="Mieux dit.")
        second = services.submit_proposal(proposal, by=agent, now=NOW + timedelta(hours=1))
    assert len(django_mail.outbox) == 2
    assert f"Version : {second.number}" in django_mail.outbox[-1].body
    assert Reminder.objects.filter(kind=ReminderKind.SUBMISSION_RECEIPT).count() == 2


def test_resubmission_keeps_the_reference_and_adds_a_version(proposal, agent, question):
    complete(proposal, agent)
    first = services.submit_proposal(proposal, by=agent, now=NOW)
    complete(proposal, agent, now=NOW + timedelta(days=1), summary="Mieux dit.")
    second = services.submit_proposal(proposal, by=agent, now=NOW + timedelta(days=1))
    assert (first.number, second.number) == (1, 2)
    assert first.reference == second.reference
    assert first.sha256 != second.sha256
    assert proposal.versions.count() == 2


def test_references_follow_a_sequence_per_call(call, agent, question):
    references = []
    for title in ("Un", "Deux", "Trois"):
        proposal = services.start_proposal(call, by=agent, now=NOW, title=title)
        complete(proposal, agent)
        references.append(services.submit_proposal(proposal, by=agent, now=NOW).reference)
    prefix = call.programme.reference_prefix
    assert references == [f"{prefix}-2026-0001", f"{prefix}-2026-0002", f"{prefix}-2026-0003"]


def test_only_a_team_member_submits(proposal, agent, question):
    complete(proposal, agent)
    staff = factories.StaffFactory(programme=proposal.call.programme)
    with pytest.raises(TransitionError, match="membres de l'équipe"):
        services.submit_proposal(proposal, by=staff, now=NOW)


@pytest.mark.parametrize(
    ("moment", "accepted"),
    [
        # 29 March 2026 is the switch to summer time: noon in Paris is 10:00 UTC, not 11:00.
        (datetime(2026, 3, 29, 9, 59, 59, tzinfo=UTC), True),
        (datetime(2026, 3, 29, 10, 0, 0, tzinfo=UTC), False),
        (datetime(2026, 3, 29, 10, 30, 0, tzinfo=UTC), False),
        (datetime(2026, 3, 29, 1, 30, 0, tzinfo=UTC), True),  # 03:30 Paris, just after the jump
    ],
)
def test_deadline_in_paris_time_across_the_daylight_saving_change(
    proposal, agent, question, moment, accepted
):
    complete(proposal, agent)
    if accepted:
        services.submit_proposal(proposal, by=agent, now=moment)
        assert Proposal.objects.get(pk=proposal.pk).state == ProposalState.SUBMITTED
    else:
        with pytest.raises(TransitionError, match="clos depuis le 29 mars 2026 à 12:00"):
            services.submit_proposal(proposal, by=agent, now=moment)
        assert Proposal.objects.get(pk=proposal.pk).state == ProposalState.DRAFT


def test_team_size_bounds_are_enforced_at_submission(proposal, agent, question):
    call = proposal.call
    call.team_min, call.team_max = 2, 2
    call.save()
    complete(proposal, agent)
    with pytest.raises(TransitionError, match="Au moins 2 personnes"):
        services.submit_proposal(proposal, by=agent, now=NOW)
    factories.TeamMemberFactory(proposal=proposal)
    factories.TeamMemberFactory(proposal=proposal)
    with pytest.raises(TransitionError, match="Au plus 2 personnes"):
        services.submit_proposal(proposal, by=agent, now=NOW)
    TeamMember.objects.filter(proposal=proposal).exclude(user=agent).first().delete()
    services.submit_proposal(proposal, by=agent, now=NOW)


@pytest.mark.parametrize(
    ("budget", "amount", "problem"),
    [
        ("100000", "50000", None),
        ("100000", "50001", "dépasse 50 % du budget annuel"),
        ("1000000", "300000", None),
        ("1000000", "300001", r"plafond par projet de 300\s000 €"),
        (None, "1000", "budget annuel du projet et le montant demandé"),
    ],
)
def test_funding_bounds_of_a_fast_call(proposal, agent, question, budget, amount, problem):
    call = proposal.call
    call.offers_funding = True
    call.save()
    complete(
        proposal,
        agent,
        yearly_budget=Decimal(budget) if budget else None,
        requested_amount=Decimal(amount),
    )
    if problem is None:
        services.submit_proposal(proposal, by=agent, now=NOW)
    else:
        with pytest.raises(TransitionError, match=problem):
            services.submit_proposal(proposal, by=agent, now=NOW)


# Withdrawal ---------------------------------------------------------------------------------


def test_withdraw_before_the_decision(proposal, agent, question):
    complete(proposal, agent)
    services.submit_proposal(proposal, by=agent, now=NOW)
    services.withdraw_proposal(proposal, by=agent, now=NOW)
    assert Proposal.objects.get(pk=proposal.pk).state == ProposalState.WITHDRAWN
    with pytest.raises(TransitionError, match="Retrait impossible"):
        services.withdraw_proposal(proposal, by=agent, now=NOW)


def test_no_withdrawal_after_the_decision(agent):
    proposal = factories.ProposalFactory(created_by=agent, state=ProposalState.SELECTED)
    with pytest.raises(TransitionError, match="Lauréate"):
        services.withdraw_proposal(proposal, by=agent, now=NOW)


# Team invitations ---------------------------------------------------------------------------


def _token_from_mail(message) -> str:
    marker = "/candidatures/rejoindre/"
    start = message.body.index(marker) + len(marker)
    return message.body[start:].split("/")[0]


def test_invite_then_join_through_the_signed_link(
    proposal, agent, django_capture_on_commit_callbacks
):
    mate = factories.UserFactory(email="coequipiere@exemple.gouv.fr")
    with django_capture_on_commit_callbacks(execute=True):
        invitations.invite_member(proposal, by=agent, email="Coequipiere@exemple.gouv.fr", now=NOW)
    (invitation_mail,) = django_mail.outbox
    assert invitation_mail.to == ["coequipiere@exemple.gouv.fr"]
    token = _token_from_mail(invitation_mail)
    invitations.accept_invitation(token, user=mate, now=NOW)
    assert proposal.team.filter(user=mate).exists()


def test_a_forged_or_expired_link_is_refused(proposal, agent):
    mate = factories.UserFactory(email="coequipier@exemple.gouv.fr")
    with time_machine.travel(datetime(2026, 3, 10, 9, 0, tzinfo=UTC), tick=False):
        invitation = invitations.invite_member(proposal, by=agent, email=mate.email, now=NOW)
        from django.core import signing

        token = signing.dumps(str(invitation.public_id), salt=invitation_queries.INVITATION_SALT)
    with pytest.raises(TransitionError, match="pas valide"):
        invitations.accept_invitation(token[:-2] + "xx", user=mate, now=NOW)
    with (
        time_machine.travel(datetime(2026, 3, 25, 9, 0, tzinfo=UTC), tick=False),
        pytest.raises(TransitionError, match="expiré"),
    ):
        invitations.accept_invitation(token, user=mate, now=NOW)
    assert not proposal.team.filter(user=mate).exists()


def test_an_invitation_is_for_its_addressee_only(proposal, agent):
    invitation = invitations.invite_member(
        proposal, by=agent, email="bonne@exemple.gouv.fr", now=NOW
    )
    from django.core import signing

    token = signing.dumps(str(invitation.public_id), salt=invitation_queries.INVITATION_SALT)
    with pytest.raises(TransitionError, match="bonne@exemple.gouv.fr"):
        invitations.accept_invitation(token, user=factories.UserFactory(), now=NOW)


def test_no_invitation_beyond_the_team_maximum(proposal, agent):
    factories.TeamMemberFactory(proposal=proposal)
    factories.TeamMemberFactory(proposal=proposal)
    with pytest.raises(TransitionError, match="complète"):
        invitations.invite_member(proposal, by=agent, email="quatrieme@exemple.gouv.fr", now=NOW)


# Attachments --------------------------------------------------------------------------------


def test_a_pdf_is_attached_with_its_hash(proposal, agent):
    attachment = services.add_attachment(proposal, by=agent, upload=upload(), now=NOW)
    assert attachment.original_name == "dossier.pdf"
    assert attachment.size == len(PDF)
    assert attachment.sha256 == hashlib.sha256(PDF).hexdigest()
    with attachment.file.open("rb") as stored:
        assert stored.read() == PDF
    with pytest.raises(ValueError, match="no public URL"):
        attachment.file.url  # noqa: B018


def test_a_file_named_pdf_that_is_not_a_pdf_is_refused(proposal, agent):
    fake = upload(b"MZ\x90\x00 not a pdf at all", name="cv.pdf")
    with pytest.raises(TransitionError, match="n'est pas un PDF"):
        services.add_attachment(proposal, by=agent, upload=fake, now=NOW)


def test_a_pdf_under_a_name_that_does_not_say_so_is_refused(proposal, agent):
    with pytest.raises(TransitionError, match="n'est pas dans un format accepté"):
        services.add_attachment(proposal, by=agent, upload=upload(name="scan.bin"), now=NOW)


def test_files_over_10_mb_are_refused(proposal, agent):
    big = upload(PDF + b"0" * (services.MAX_ATTACHMENT_BYTES + 1 - len(PDF)))
    with pytest.raises(TransitionError, match="dépasse 10 Mo"):
        services.add_attachment(proposal, by=agent, upload=big, now=NOW)
    exactly = upload(PDF + b"0" * (services.MAX_ATTACHMENT_BYTES - len(PDF)))
    services.add_attachment(proposal, by=agent, upload=exactly, now=NOW)


def test_at_most_five_attachments(proposal, agent):
    for n in range(5):
        services.add_attachment(proposal, by=agent, upload=upload(name=f"{n}.pdf"), now=NOW)
    with pytest.raises(TransitionError, match="au plus 5 pièces jointes"):
        services.add_attachment(proposal, by=agent, upload=upload(name="6.pdf"), now=NOW)


def test_remove_an_attachment(proposal, agent, django_capture_on_commit_callbacks):
    attachment = services.add_attachment(proposal, by=agent, upload=upload(), now=NOW)
    path = attachment.file.path
    with django_capture_on_commit_callbacks(execute=True):
        services.remove_attachment(attachment, by=agent, now=NOW)
    assert not proposal.attachments.exists()
    import os

    assert not os.path.exists(path)


def test_no_attachment_after_the_deadline(proposal, agent):
    with pytest.raises(TransitionError, match="clos"):
        services.add_attachment(proposal, by=agent, upload=upload(), now=CLOSES_AT)


# Screening ----------------------------------------------------------------------------------

AFTER = CLOSES_AT + timedelta(days=1)


@pytest.fixture
def submitted(proposal, agent, question):
    complete(proposal, agent)
    services.submit_proposal(proposal, by=agent, now=NOW)
    return proposal


def test_staff_mark_eligible(submitted, staff):
    screening.mark_eligible(submitted, by=staff, now=AFTER)
    assert Proposal.objects.get(pk=submitted.pk).state == ProposalState.ELIGIBLE
    assert AuditEntry.objects.filter(action="proposal.screen", to_state="eligible").exists()


def test_ineligible_needs_a_reason_which_waits_for_the_letter_in_the_outbox(
    submitted, staff, agent, django_capture_on_commit_callbacks
):
    with pytest.raises(TransitionError, match="motif"):
        screening.mark_ineligible(submitted, by=staff, now=AFTER, reason="  ")
    with django_capture_on_commit_callbacks(execute=True):
        screening.mark_ineligible(
            submitted, by=staff, now=AFTER, reason="Structure hors du périmètre de l'appel."
        )
    submitted.refresh_from_db()
    assert submitted.state == ProposalState.INELIGIBLE
    assert submitted.ineligibility_reason == "Structure hors du périmètre de l'appel."
    # Told once, with the other teams, through the decision outbox (tests/projects/
    # test_every_team_told.py): a screening may still be corrected until the results.
    assert django_mail.outbox == []


def test_screening_waits_for_the_deadline(submitted, staff):
    with pytest.raises(TransitionError, match="encore ouvert"):
        screening.mark_eligible(submitted, by=staff, now=NOW)


def test_staff_of_another_programme_cannot_screen(submitted):
    other = factories.StaffFactory()
    with pytest.raises(TransitionError, match="équipe du programme"):
        screening.mark_eligible(submitted, by=other, now=AFTER)


def test_screen_a_selection_at_once(call, agent, question, staff):
    proposals = []
    for title in ("Un", "Deux", "Trois"):
        proposal = services.start_proposal(call, by=agent, now=NOW, title=title)
        complete(proposal, agent)
        services.submit_proposal(proposal, by=agent, now=NOW)
        proposals.append(proposal)
    count = screening.screen_selection(
        proposals, by=staff, now=AFTER, eligible=False, reason="Hors périmètre."
    )
    assert count == 3
    assert set(Proposal.objects.values_list("state", flat=True)) == {ProposalState.INELIGIBLE}


def test_a_refused_selection_changes_nothing(call, agent, question, staff):
    ok = services.start_proposal(call, by=agent, now=NOW, title="Déposée")
    complete(ok, agent)
    services.submit_proposal(ok, by=agent, now=NOW)
    draft = services.start_proposal(call, by=agent, now=NOW, title="Brouillon")
    with pytest.raises(TransitionError, match="Brouillon"):
        screening.screen_selection([ok, draft], by=staff, now=AFTER, eligible=True)
    assert Proposal.objects.get(pk=ok.pk).state == ProposalState.SUBMITTED


# Messages and corrections -------------------------------------------------------------------


def test_messages_are_mailed_to_the_other_side(
    submitted, staff, agent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.send_message(submitted, by=agent, body="Une question sur le budget.", now=NOW)
        services.send_message(submitted, by=staff, body="Voici la réponse.", now=NOW)
    to_staff, to_team = django_mail.outbox
    assert to_staff.to == [staff.email]
    assert "Une question sur le budget." in to_staff.body
    assert to_team.to == [agent.email]
    assert list(submitted.messages.values_list("from_staff", flat=True)) == [False, True]


def test_an_outsider_cannot_post_a_message(submitted):
    with pytest.raises(TransitionError):
        services.send_message(submitted, by=factories.UserFactory(), body="Bonjour", now=NOW)


def test_a_correction_reopens_editing_until_sent_back(
    submitted, staff, agent, django_capture_on_commit_callbacks
):
    deadline = AFTER + timedelta(days=7)
    screening.mark_ineligible(submitted, by=staff, now=AFTER, reason="Résumé trop court.")
    assert not queries.can_edit(submitted, AFTER)
    with django_capture_on_commit_callbacks(execute=True):
        screening.request_correction(
            submitted, by=staff, reason="Précisez le résumé.", deadline=deadline, now=AFTER
        )
    assert "Précisez le résumé." in django_mail.outbox[-1].body
    submitted.refresh_from_db()
    assert queries.can_edit(submitted, AFTER)
    complete(submitted, agent, now=AFTER, summary="Un résumé enfin complet.")
    version = services.send_back_correction(submitted, by=agent, now=AFTER)
    submitted.refresh_from_db()
    assert version.number == 2
    assert version.reference == submitted.reference
    assert submitted.state == ProposalState.SUBMITTED
    assert not queries.can_edit(submitted, AFTER)


def test_a_late_correction_is_refused(submitted, staff, agent):
    deadline = AFTER + timedelta(days=7)
    screening.request_correction(
        submitted, by=staff, reason="Ajoutez le budget.", deadline=deadline, now=AFTER
    )
    with pytest.raises(TransitionError, match="expiré"):
        services.send_back_correction(submitted, by=agent, now=deadline)
