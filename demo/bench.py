"""A large, synthetic data set for `make bench` (`python manage.py generate_bench_data`).

Everything is written in bulk (a few hundred INSERTs in all, whatever the sizes) under its
own programme (`banc-essai`) and e-mail domain, so it never mixes with the demo data and a
new run replaces the previous one. Its shape follows issue 7: one call in deliberation with
`proposals` proposals, `jurors` jurors and `evaluations` submitted evaluations (scores on
every criterion); `cohorts` published cohorts, the first with `laureates` laureates (the
1,000-laureate export), the others with `cohort_size`; an open call with `drafts` drafts,
each owed a reminder (its call closes in three days) to a person of its own.

Follow-up reports do not exist in this branch: `make_reports` is the hook that creates
them when the model lands (it is skipped, and says so, while `cohorts.Report` is absent).
"""

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from calls.enums import CallState, ReviewPhase
from calls.models import Call, Criterion, JuryMember
from cohorts.enums import MilestoneKind, Phase, ReportStatus
from cohorts.models import Cohort, Laureate, Milestone, Report
from cohorts.services import lateness
from cohorts.services.followup import write_milestones
from programme.enums import ProgrammeRole, Region, StructureType
from programme.models import Programme, ProgrammeMembership, Reminder, Structure, User
from projects.enums import (
    DecisionOutcome,
    EvaluationState,
    ProposalState,
    Recommendation,
    TeamRole,
)
from projects.models import (
    Assignment,
    Conflict,
    Decision,
    Evaluation,
    Proposal,
    Score,
    TeamMember,
)

SLUG = "banc-essai"
DOMAIN = "banc.portail.example"
RANKING_CALL = "banc-classement"
DRAFTS_CALL = "banc-brouillons"
BIG_COHORT = "banc-promotion-001"
STAFF_EMAIL = f"equipe@{DOMAIN}"
JUROR_EMAIL = f"jure-0001@{DOMAIN}"
BATCH = 2000

WORDS = (
    "registre numérique des digues",
    "suivi des aides aux territoires",
    "cartographie des friches",
    "guichet unique des permis",
    "signalement des dépôts sauvages",
    "tableau de bord de la qualité de l'eau",
    "simulateur de rénovation énergétique",
    "covoiturage des agents",
    "annuaire des ouvrages d'art",
    "déclaration des captages",
)


@dataclass
class Sizes:
    proposals: int = 10_000
    jurors: int = 300
    evaluations: int = 30_000
    criteria: int = 4
    cohorts: int = 100
    laureates: int = 1_000
    cohort_size: int = 10
    reports: int = 6_000
    drafts: int = 10_000


@dataclass
class Made:
    counts: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def clear() -> None:
    """Remove a previous bench data set (only rows of the bench programme and domain)."""
    programme = Programme.objects.filter(slug=SLUG).first()
    if programme is None:
        return
    calls = Call.objects.filter(programme=programme)
    proposals = Proposal.objects.filter(call__in=calls)
    Reminder.objects.filter(recipient__email__endswith="@" + DOMAIN).delete()
    Laureate.objects.filter(cohort__programme=programme).delete()
    Cohort.objects.filter(programme=programme).delete()
    Score.objects.filter(evaluation__assignment__proposal__in=proposals).delete()
    Evaluation.objects.filter(assignment__proposal__in=proposals).delete()
    Assignment.objects.filter(proposal__in=proposals).delete()
    Conflict.objects.filter(proposal__in=proposals).delete()
    TeamMember.objects.filter(proposal__in=proposals).delete()
    proposals.delete()
    JuryMember.objects.filter(call__in=calls).delete()
    Criterion.objects.filter(call__in=calls).delete()
    calls.delete()
    ProgrammeMembership.objects.filter(programme=programme).delete()
    programme.delete()
    User.objects.filter(email__endswith="@" + DOMAIN).delete()
    Structure.objects.filter(name__startswith="Banc ").delete()


def _users(prefix: str, n: int, structures, password: str) -> list[User]:
    rows = [
        User(
            email=f"{prefix}-{i:04d}@{DOMAIN}",
            username=f"{prefix}-{i:04d}@{DOMAIN}",
            first_name="Camille",
            last_name=f"{prefix.capitalize()} {i:05d}",
            password=password,
            structure=structures[i % len(structures)],
            email_verified_at=timezone.now(),
        )
        for i in range(1, n + 1)
    ]
    User.objects.bulk_create(rows, batch_size=BATCH)
    return list(User.objects.filter(email__startswith=f"{prefix}-", email__endswith=DOMAIN))


@transaction.atomic
def generate(sizes: Sizes, *, now: datetime | None = None, password: str = "") -> Made:
    """Write the data set in one transaction and return the counts of what was made."""
    now = now or timezone.now()
    made = Made()
    clear()
    hashed = make_password(password) if password else make_password(None)
    programme = Programme.objects.create(
        slug=SLUG,
        name="Banc d'essai",
        short_name="BANC",
        operator="Banc de performance",
        reference_prefix="BANC",
    )
    structures = Structure.objects.bulk_create(
        Structure(
            type=list(StructureType)[i % len(StructureType)],
            name=f"Banc structure {i:03d}",
            region=list(Region)[i % len(Region)],
        )
        for i in range(60)
    )
    staff = User.objects.create(
        email=STAFF_EMAIL,
        username=STAFF_EMAIL,
        password=hashed,
        last_name="Équipe",
        email_verified_at=timezone.now(),
    )
    ProgrammeMembership.objects.create(programme=programme, user=staff, role=ProgrammeRole.STAFF)

    # --- The call under review: proposals, jurors, evaluations ---------------------------
    call = Call.objects.create(
        programme=programme,
        edition="Banc 1",
        slug=RANKING_CALL,
        title="Appel du banc d'essai (classement)",
        description="Un appel fictif pour mesurer les pages à grande échelle.",
        # In deliberation, as staff use it (issue 16, finding 1): the deliberation page then
        # shows its decision forms; the ranking and the juror's queue read the same data.
        state=CallState.DELIBERATION,
        review_phase=ReviewPhase.WRITTEN,
        opens_at=now - timedelta(days=90),
        closes_at=now - timedelta(days=30),
        disagreement_threshold=Decimal("1.5"),
    )
    criteria = Criterion.objects.bulk_create(
        Criterion(call=call, name=f"Critère {i + 1}", weight=1 + i % 2, scale_max=5, position=i)
        for i in range(sizes.criteria)
    )
    agents = _users("agent", max(1, min(sizes.proposals, 1000)), structures, hashed)
    # All before the jury (the ranking ranks every one), in states the staff filter on.
    states = [ProposalState.ELIGIBLE] * 3 + [
        ProposalState.SHORTLISTED,
        ProposalState.NOT_SHORTLISTED,
    ]
    Proposal.objects.bulk_create(
        (
            Proposal(
                call=call,
                title=f"{WORDS[i % len(WORDS)].capitalize()} n° {i + 1}",
                summary=f"Résumé de la candidature {i + 1} : {WORDS[(i * 7) % len(WORDS)]}.",
                structure=structures[i % len(structures)],
                state=states[i % len(states)],
                sequence=i + 1,
                reference=f"BANC-1-{i + 1:05d}",
                created_by=agents[i % len(agents)],
                submitted_at=now - timedelta(days=31, minutes=i),
            )
            for i in range(sizes.proposals)
        ),
        batch_size=BATCH,
    )
    proposals = list(Proposal.objects.filter(call=call).order_by("sequence").values_list("pk"))
    proposal_ids = [pk for (pk,) in proposals]
    TeamMember.objects.bulk_create(
        (
            TeamMember(proposal_id=pk, user=agents[i % len(agents)], role=TeamRole.LEAD)
            for i, pk in enumerate(proposal_ids)
        ),
        batch_size=BATCH,
    )
    jurors = _users("jure", sizes.jurors, structures, hashed)
    JuryMember.objects.bulk_create(JuryMember(call=call, user=u) for u in jurors)
    seats = list(JuryMember.objects.filter(call=call).order_by("user__email"))
    per_proposal = sizes.evaluations // max(1, len(proposal_ids)) if proposal_ids else 0
    Assignment.objects.bulk_create(
        (
            Assignment(
                juror=seats[(i * per_proposal + j) % len(seats)], proposal_id=pk, created_at=now
            )
            for i, pk in enumerate(proposal_ids)
            for j in range(per_proposal)
        ),
        batch_size=BATCH,
    )
    assignment_ids = list(
        Assignment.objects.filter(juror__call=call).order_by("pk").values_list("pk", "juror_id")
    )
    weights = [float(c.weight) for c in criteria]

    def values(pk: int, juror_id: int) -> list[int]:
        # Lenient and harsh jurors: a bias per juror, so z-scores differ from raw means.
        rng = random.Random(pk)  # noqa: S311 (synthetic data, reproducible)
        bias = (juror_id % 5 - 2) * 0.4
        return [min(5, max(1, round(rng.gauss(3 + bias, 1.1)))) for _ in criteria]

    Evaluation.objects.bulk_create(
        (
            Evaluation(
                assignment_id=pk,
                state=EvaluationState.SUBMITTED,
                recommendation=list(Recommendation)[pk % len(Recommendation)],
                total=sum(w * v for w, v in zip(weights, values(pk, juror), strict=True))
                / sum(weights),
                version=1,
                updated_at=now,
                submitted_at=now,
            )
            for pk, juror in assignment_ids
        ),
        batch_size=BATCH,
    )
    juror_of = dict(assignment_ids)
    evaluations = Evaluation.objects.filter(assignment__juror__call=call).values_list(
        "pk", "assignment_id"
    )
    Score.objects.bulk_create(
        (
            Score(evaluation_id=pk, criterion=c, value=v)
            for pk, a in evaluations.iterator(chunk_size=BATCH)
            for c, v in zip(criteria, values(a, juror_of[a]), strict=True)
        ),
        batch_size=BATCH * 2,
    )

    # Decisions being made: a third of the deliberated (shortlisted) proposals decided.
    shortlisted = list(
        Proposal.objects.filter(call=call, state=ProposalState.SHORTLISTED)
        .order_by("sequence")
        .values_list("pk", flat=True)
    )
    outcomes = list(DecisionOutcome)
    Decision.objects.bulk_create(
        (
            Decision(
                proposal_id=pk,
                outcome=outcomes[i % len(outcomes)],
                justification="Décision du banc d'essai.",
                decided_by=staff,
                decided_at=now,
            )
            for i, pk in enumerate(shortlisted[: len(shortlisted) // 3])
        ),
        batch_size=BATCH,
    )

    # --- Cohorts and laureates -------------------------------------------------------------
    cohorts = Cohort.objects.bulk_create(
        Cohort(
            programme=programme,
            label=f"Promotion banc {i + 1:03d}",
            slug=f"banc-promotion-{i + 1:03d}",
            starts_on=(now - timedelta(days=150)).date(),
            ends_on=(now + timedelta(days=120)).date(),
            published_at=now,
        )
        for i in range(sizes.cohorts)
    )
    phases = list(Phase)
    Laureate.objects.bulk_create(
        (
            Laureate(
                cohort=cohort,
                name=f"Startup d'État {c + 1}-{i + 1}",
                mission=f"{WORDS[(c + i) % len(WORDS)].capitalize()} pour tous.",
                host_structure=structures[(c + i) % len(structures)],
                phase=phases[i % len(phases)],
                intrapreneur=agents[(c * 13 + i) % len(agents)],
                intrapreneur_public=i % 2 == 0,
            )
            for c, cohort in enumerate(cohorts)
            for i in range(sizes.laureates if c == 0 else sizes.cohort_size)
        ),
        batch_size=BATCH,
    )
    made.notes.extend(make_reports(cohorts, sizes.reports, now=now))

    # --- Drafts owed a reminder ------------------------------------------------------------
    open_call = Call.objects.create(
        programme=programme,
        edition="Banc 2",
        slug=DRAFTS_CALL,
        title="Appel du banc d'essai (brouillons)",
        state=CallState.PUBLISHED,
        opens_at=now - timedelta(days=20),
        closes_at=now + timedelta(days=3),
    )
    writers = _users("brouillon", sizes.drafts, structures, hashed)
    Proposal.objects.bulk_create(
        (
            Proposal(
                call=open_call,
                title=f"Brouillon {i + 1} : {WORDS[i % len(WORDS)]}",
                structure=user.structure,
                state=ProposalState.DRAFT,
                created_by=user,
            )
            for i, user in enumerate(writers)
        ),
        batch_size=BATCH,
    )
    TeamMember.objects.bulk_create(
        (
            TeamMember(proposal_id=pk, user_id=user_id, role=TeamRole.LEAD)
            for pk, user_id in Proposal.objects.filter(call=open_call).values_list(
                "pk", "created_by_id"
            )
        ),
        batch_size=BATCH,
    )

    made.counts = {
        "proposals (review call)": Proposal.objects.filter(call=call).count(),
        "jurors": JuryMember.objects.filter(call=call).count(),
        "evaluations": Evaluation.objects.filter(assignment__juror__call=call).count(),
        "scores": Score.objects.filter(evaluation__assignment__juror__call=call).count(),
        "cohorts": Cohort.objects.filter(programme=programme).count(),
        "laureates": Laureate.objects.filter(cohort__programme=programme).count(),
        "laureates (largest cohort)": Laureate.objects.filter(cohort__slug=BIG_COHORT).count(),
        "drafts (open call)": Proposal.objects.filter(call=open_call).count(),
        "decisions (deliberation)": Decision.objects.filter(proposal__call=call).count(),
    }
    return made


def make_reports(cohorts, n: int, *, now: datetime) -> list[str]:
    """Every laureate's milestones from its cohort's schedule, then `n` filed reports on
    the monthly milestones already due (oldest first), with mixed statuses; the rest of
    the due ones stay late, as on a real dashboard."""
    for cohort in cohorts:
        write_milestones(cohort, now=now)
    due = list(
        Milestone.objects.filter(
            laureate__cohort__in=cohorts,
            kind=MilestoneKind.REPORT,
            due_on__lt=timezone.localdate(now),
        )
        .order_by("due_on", "pk")
        .values_list("pk", "period_start", "period_end")[:n]
    )
    statuses = [
        ReportStatus.ON_TRACK,
        ReportStatus.ON_TRACK,
        ReportStatus.AT_RISK,
        ReportStatus.LATE,
    ]
    Report.objects.bulk_create(
        (
            Report(
                milestone_id=pk,
                period_start=start,
                period_end=end,
                results="Usagers accompagnés, nouvelle version en production.",
                next_steps="Ouvrir le service à un second territoire.",
                status=statuses[i % len(statuses)],
                updated_at=now,
                submitted_at=now,
            )
            for i, (pk, start, end) in enumerate(due)
        ),
        batch_size=1000,
    )
    Milestone.objects.filter(pk__in=[pk for pk, _start, _end in due]).update(done_at=now)
    # The dashboard's stored lateness, as the follow-up services keep it.
    lateness.refresh(
        Laureate.objects.filter(cohort__in=cohorts).values_list("pk", flat=True), now=now
    )
    total = Milestone.objects.filter(laureate__cohort__in=cohorts).count()
    return [f"milestones: {total}, reports filed: {len(due)} of {n} asked"]


def assignment_instance(
    proposals: int = 10_000, jurors: int = 300, *, themes: int = 12, seed: int = 18
) -> dict:
    """A synthetic call for timing the assignment (`projects.services.assignment.assign`):
    about 2 % of pairs in conflict, each juror bidding on 60 proposals (half "oui", a
    quarter each "peut-être" and "non") and declaring 3 of `themes` themes, each proposal
    carrying 1 or 2. Plain ids, no database: the keyword arguments of `assign`."""
    rng = random.Random(seed)  # noqa: S311 (synthetic data, reproducible)
    p_ids, j_ids = list(range(proposals)), list(range(jurors))
    conflicts = {
        (rng.randrange(proposals), rng.randrange(jurors)) for _ in range(proposals * jurors // 50)
    }
    choices = ["yes", "yes", "maybe", "no"]
    bids = {
        (p, j): rng.choice(choices) for j in j_ids for p in rng.sample(p_ids, min(60, proposals))
    }
    return {
        "proposals": p_ids,
        "jurors": j_ids,
        "conflicts": conflicts,
        "bids": {pair: bid for pair, bid in bids.items() if pair not in conflicts},
        "proposal_themes": {p: set(rng.sample(range(themes), rng.randint(1, 2))) for p in p_ids},
        "juror_themes": {j: set(rng.sample(range(themes), 3)) for j in j_ids},
    }
