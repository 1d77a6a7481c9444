"""One object of each kind and one person in each role, for the permission matrix.

`build_world()` returns a `World`: the people by role (`world.people[ROLE]`) and the
objects the URL table addresses (`world.open_call`, `world.draft`, …). Another helper's
new pages add what they need here (one object each) and their rows to the table.
"""

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.core import signing
from django.core.files.base import ContentFile
from django.utils import timezone

from calls.enums import CallKind, CallState, EligibilityKind
from calls.models import AuditionCriterion, EligibilityRule
from cohorts.enums import MilestoneKind, ReportStatus
from cohorts.models import Report
from cohorts.services import followup
from programme import people
from programme.enums import ReminderKind
from programme.models import GroupMessage, ProgrammeInvitation, Reminder, User
from projects.enums import (
    ConflictKind,
    ConflictType,
    DecisionOutcome,
    EvaluationState,
    ExportFormat,
    ExportStatus,
    ProposalState,
    TeamRole,
)
from projects.models import (
    Assignment,
    Attachment,
    Audition,
    Conflict,
    Decision,
    DecisionMail,
    Evaluation,
    ExportJob,
    Invitation,
    Message,
    ProposalVersion,
    TeamMember,
)
from projects.queries.invitations import INVITATION_SALT
from projects.services import jury
from tests import factories

ANONYMOUS = "anonymous"
OUTSIDER = "outsider"  # a signed-in agent with no part in anything below
TEAM = "team"  # lead of the draft, member of the eligible proposal, laureate's intrapreneur
JUROR = "juror"  # juror of the call under review, assigned the eligible proposal
CONFLICTED = "conflicted"  # juror of the same call, in conflict with the eligible proposal
OTHER_JUROR = "other_juror"  # juror of another call of the programme
COACH = "coach"  # coach of the programme and mentor of the laureate
OTHER_STAFF = "other_staff"  # staff of another programme
STAFF = "staff"  # staff of the programme
SUPERUSER = "superuser"

ROLES = (
    ANONYMOUS,
    OUTSIDER,
    TEAM,
    JUROR,
    CONFLICTED,
    OTHER_JUROR,
    COACH,
    OTHER_STAFF,
    STAFF,
    SUPERUSER,
)

from tests.files import PDF  # noqa: E402 (a real one-page PDF, checked by its content)


@dataclass
class World:
    people: dict[str, User | None] = field(default_factory=dict)
    objects: dict[str, object] = field(default_factory=dict)

    def __getattr__(self, name):
        try:
            return self.__dict__["objects"][name]
        except KeyError:
            raise AttributeError(name) from None


def attachment_of(proposal, name, *, by, now) -> Attachment:
    """A PDF attached to `proposal` (the world's draft has one; tests add others)."""
    attachment = Attachment(
        proposal=proposal,
        original_name=name,
        size=len(PDF),
        sha256="0" * 64,
        uploaded_by=by,
        uploaded_at=now,
    )
    attachment.file.save(name, ContentFile(PDF), save=False)
    attachment.save()
    return attachment


def build_world() -> World:
    now = timezone.now()
    w = World()
    o = w.objects

    programme = o["programme"] = factories.ProgrammeFactory(slug="fabrique", name="Fabrique")
    other_programme = o["other_programme"] = factories.ProgrammeFactory(slug="autre")
    staff = factories.StaffFactory(programme=programme)
    other_staff = factories.StaffFactory(programme=other_programme)
    coach = factories.CoachFactory(programme=programme)
    team = factories.UserFactory()
    w.people = {
        ANONYMOUS: None,
        OUTSIDER: factories.UserFactory(),
        TEAM: team,
        JUROR: factories.UserFactory(),
        CONFLICTED: factories.UserFactory(),
        OTHER_JUROR: factories.UserFactory(),
        COACH: coach,
        OTHER_STAFF: other_staff,
        STAFF: staff,
        SUPERUSER: factories.UserFactory(is_superuser=True, is_staff=True),
    }

    # An open call of the programme, with a draft whose team is TEAM.
    open_call = o["open_call"] = factories.CallFactory(
        programme=programme,
        slug="ouvert",
        kind=CallKind.CHALLENGES,
        opens_at=now - timedelta(days=10),
        closes_at=now + timedelta(days=20),
    )
    o["criterion"] = factories.CriterionFactory(call=open_call)
    o["question"] = factories.QuestionFactory(call=open_call)
    o["defi"] = factories.DefiFactory(call=open_call)
    o["eligibility"] = EligibilityRule.objects.create(
        call=open_call, kind=EligibilityKind.TEAM_SIZE, minimum=1, maximum=6
    )
    draft = o["draft"] = factories.ProposalFactory(call=open_call, created_by=team)
    o["attachment"] = attachment_of(draft, "budget.pdf", by=team, now=now)
    invitation = Invitation.objects.create(
        proposal=draft, email="invitee@exemple.gouv.fr", invited_by=team, created_at=now
    )
    o["invitation_token"] = signing.dumps(str(invitation.public_id), salt=INVITATION_SALT)
    # The programme's people page: the coach's role, a juror's seat, a pending invitation.
    o["coach_membership"] = coach.memberships.get(programme=programme)
    o["juror_seat"] = factories.JuryMemberFactory(call=open_call, user=factories.UserFactory())
    pending = o["pending_invitation"] = ProgrammeInvitation.objects.create(
        programme=programme, email="futur.coach@exemple.gouv.fr", role="coach", created_at=now,
        sent_at=now, invited_by=staff,
    )  # fmt: skip
    o["programme_invitation_token"] = people.invitation_token(pending)
    o["group_message"] = GroupMessage.objects.create(
        programme=programme, audience="coaches", subject="Point d'étape, {prénom}",
        body="Bonjour {prénom},", created_by=staff, created_at=now, updated_at=now,
    )  # fmt: skip
    o["invitation"] = invitation
    # A message of the draft's Fil with a file, for its checked download.
    with_file = Message(proposal=draft, author=team, body="La lettre.", created_at=now)
    with_file.file.save("lettre.pdf", ContentFile(PDF), save=False)
    with_file.file_name, with_file.file_size = "lettre.pdf", len(PDF)
    with_file.save()
    o["message_with_file"] = with_file
    # A co-editor of the draft, for the lead's team pages (remove, hand over).
    o["draft_mate"] = TeamMember.objects.create(
        proposal=draft, user=factories.UserFactory(), role=TeamRole.MEMBER
    )

    # A call under review: JUROR assigned the eligible proposal, CONFLICTED in conflict.
    review_call = o["review_call"] = factories.CallFactory(
        programme=programme,
        slug="en-evaluation",
        state=CallState.REVIEW,
        opens_at=now - timedelta(days=60),
        closes_at=now - timedelta(days=30),
    )
    o["review_criterion"] = factories.CriterionFactory(call=review_call, scale_max=5)
    eligible = o["eligible"] = factories.ProposalFactory(
        call=review_call, state=ProposalState.ELIGIBLE, submitted_at=now - timedelta(days=31)
    )
    TeamMember.objects.create(proposal=eligible, user=team, role=TeamRole.MEMBER)
    ProposalVersion.objects.create(
        proposal=eligible,
        number=1,
        content={"title": eligible.title},
        sha256="0" * 64,
        reference="P-1",
        submitted_by=eligible.created_by,
        submitted_at=now - timedelta(days=31),
    )
    seat = factories.JuryMemberFactory(call=review_call, user=w.people[JUROR])
    assignment = Assignment.objects.create(juror=seat, proposal=eligible, created_at=now)
    o["evaluation"] = Evaluation.objects.create(
        assignment=assignment,
        state=EvaluationState.SUBMITTED,
        recommendation="yes",
        version=1,
        updated_at=now,
        submitted_at=now,
    )
    conflicted_seat = factories.JuryMemberFactory(call=review_call, user=w.people[CONFLICTED])
    o["conflict"] = Conflict.objects.create(
        juror=conflicted_seat,
        proposal=eligible,
        kind=ConflictKind.DECLARED,
        type=ConflictType.PERSONAL,
        reason="Ma sœur fait partie de l'équipe.",
        created_by=w.people[CONFLICTED],
        created_at=now,
    )
    o["jury_token"] = signing.dumps(
        {"call": review_call.pk, "email": "jure.invite@exemple.gouv.fr", "role": ""},
        salt=jury.JURY_INVITATION_SALT,
    )
    o["export_job"] = ExportJob.objects.create(
        call=review_call,
        requested_by=staff,
        format=ExportFormat.CSV,
        status=ExportStatus.DONE,
        file=ContentFile(b"titre\r\nProjet\r\n", name="export.csv"),
        created_at=now,
        finished_at=now,
    )

    other_call = o["other_call"] = factories.CallFactory(
        programme=programme, slug="autre-appel", state=CallState.REVIEW
    )
    factories.JuryMemberFactory(call=other_call, user=w.people[OTHER_JUROR])

    # A call at its auditions: JUROR and CONFLICTED sit on its jury, the shortlisted proposal
    # has its slot and the call its audition grid; CONFLICTED is in conflict with it.
    audition_call = o["audition_call"] = factories.CallFactory(
        programme=programme,
        slug="auditions",
        state=CallState.AUDITIONS,
        opens_at=now - timedelta(days=90),
        closes_at=now - timedelta(days=60),
    )
    o["audition_criterion"] = AuditionCriterion.objects.create(
        call=audition_call, name="Envie d'y aller", scale_max=5
    )
    heard = o["heard"] = factories.ProposalFactory(
        call=audition_call, state=ProposalState.SHORTLISTED, submitted_at=now - timedelta(days=61)
    )
    Audition.objects.create(
        proposal=heard, starts_at=now + timedelta(days=3), room="Salle 1", updated_at=now
    )
    factories.JuryMemberFactory(call=audition_call, user=w.people[JUROR])
    audition_conflicted = factories.JuryMemberFactory(call=audition_call, user=w.people[CONFLICTED])
    Conflict.objects.create(
        juror=audition_conflicted,
        proposal=heard,
        kind=ConflictKind.DECLARED,
        type=ConflictType.PERSONAL,
        reason="J'ai encadré cette équipe.",
        created_by=w.people[CONFLICTED],
        created_at=now,
    )

    # A funding call in deliberation, its jury JUROR and CONFLICTED: a shortlisted proposal
    # (TEAM's) with its decision, its amount and its draft mail, not published yet.
    delib_call = o["delib_call"] = factories.CallFactory(
        programme=programme,
        slug="deliberation",
        state=CallState.DELIBERATION,
        offers_funding=True,
        envelope=Decimal("2550000"),
        opens_at=now - timedelta(days=120),
        closes_at=now - timedelta(days=90),
    )
    factories.JuryMemberFactory(call=delib_call, user=w.people[JUROR])
    factories.JuryMemberFactory(call=delib_call, user=w.people[CONFLICTED])
    deliberated = o["deliberated"] = factories.ProposalFactory(
        call=delib_call,
        state=ProposalState.SHORTLISTED,
        submitted_at=now - timedelta(days=91),
        yearly_budget=Decimal("400000"),
        requested_amount=Decimal("200000"),
    )
    TeamMember.objects.create(proposal=deliberated, user=team, role=TeamRole.MEMBER)
    Decision.objects.create(
        proposal=deliberated,
        outcome=DecisionOutcome.SELECTED,
        justification="Impact fort, équipe prête.",
        amount_granted=Decimal("150000"),
        decided_by=staff,
        decided_at=now,
    )
    o["decision_mail"] = DecisionMail.objects.create(
        proposal=deliberated,
        subject="Votre candidature est lauréate",
        body="Bonjour, …",
        generated_at=now,
    )

    # A call whose results are published: one laureate proposal.
    published_call = o["published_call"] = factories.CallFactory(
        programme=programme,
        slug="resultats",
        state=CallState.RESULTS_PUBLISHED,
        opens_at=now - timedelta(days=200),
        closes_at=now - timedelta(days=170),
    )
    winner = factories.ProposalFactory(
        call=published_call, state=ProposalState.SELECTED, submitted_at=now - timedelta(days=171)
    )
    Decision.objects.create(
        proposal=winner,
        outcome=DecisionOutcome.SELECTED,
        justification="Projet mûr.",
        decided_by=staff,
        decided_at=now,
    )

    # A published cohort whose laureate is TEAM's, mentored by COACH, with its milestones:
    # the first report filed (for the coach to comment), the second still a draft to write.
    cohort = o["cohort"] = factories.CohortFactory(
        programme=programme, slug="promo-2026", starts_on=timezone.localdate() - timedelta(days=75)
    )
    laureate = o["laureate"] = factories.LaureateFactory(
        cohort=cohort, intrapreneur=team, coach=coach
    )
    factories.IndicatorFactory(programme=programme, label="Usagers actifs")
    followup.write_milestones(cohort, now=now)
    filed = o["filed_report"] = laureate.milestones.get(kind=MilestoneKind.REPORT, number=1)
    Report.objects.create(
        milestone=filed,
        period_start=filed.period_start,
        period_end=filed.period_end,
        results="Premiers usagers.",
        next_steps="Ouvrir à deux départements.",
        status=ReportStatus.ON_TRACK,
        updated_at=now,
        updated_by=team,
        submitted_at=now,
        submitted_by=team,
    )
    type(filed).objects.filter(pk=filed.pk).update(done_at=now)
    o["open_report"] = laureate.milestones.get(kind=MilestoneKind.REPORT, number=2)
    o["midterm"] = laureate.milestones.get(kind=MilestoneKind.MIDTERM)
    o["final_committee"] = laureate.milestones.get(kind=MilestoneKind.FINAL)
    o["reminder"] = Reminder.objects.create(
        kind=ReminderKind.DRAFT_CLOSING_7D,
        content_type=ContentType.objects.get_for_model(draft),
        object_id=draft.pk,
        recipient=team,
        due=open_call.closes_at,
        call=open_call,
        next_attempt_at=now,
        created_at=now,
    )
    return w
