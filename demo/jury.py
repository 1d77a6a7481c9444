"""The demo jury of the Fabrique numérique 2017 call (seeds/001): directors of central
administration, the CCDG and the secretary general, as roles held by fictitious people.

Their written scores are built so that the database's ranking (z-scores, which correct
the lenient and the harsh jurors) puts the twelve auditioned proposals first, the seven
laureates among them; then the twelve auditions of January 2018, scored on the audition
grid (the agents' will to go for it), the decisions with their justification and the
published results: the call's funnel reads 50 → 12 → 7.

Written straight into the tables: the seed command runs in one transaction and the
jury's services are durable. Idempotent: a call whose jury has already been given work
is left as it is.
"""

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from calls.enums import CallState, QuestionKind
from calls.models import AuditionCriterion, Call, Criterion, JuryMember, Question, Theme
from demo.people import demo_person
from programme.enums import StructureType
from programme.models import Structure
from projects.enums import (
    BidChoice,
    ConflictKind,
    ConflictType,
    DecisionMailState,
    DecisionOutcome,
    EvaluationState,
    ProposalState,
    Recommendation,
    TeamRole,
)
from projects.models import (
    Answer,
    Assignment,
    Audition,
    AuditionEvaluation,
    AuditionScore,
    Bid,
    Conflict,
    Decision,
    DecisionMail,
    DiscussionPost,
    Evaluation,
    EvaluationVersion,
    Proposal,
    Score,
)
from projects.services.decision_mails import render_decision_mail

PARIS = ZoneInfo("Europe/Paris")
JURORS_PER_PROPOSAL = 3

# email, first name, last name, structure, role; jure@ is the demo juror who signs in.
FN_JURY = [
    ("jure@demo.portail.example", "Élise", "Garnier",
     "Direction générale de l'aménagement, du logement et de la nature",
     "Directrice d'administration centrale"),
    ("henri.vasseur@jury.demo.portail.example", "Henri", "Vasseur",
     "Direction générale de la prévention des risques", "Directeur d'administration centrale"),
    ("mireille.castel@jury.demo.portail.example", "Mireille", "Castel",
     "Direction générale des infrastructures, des transports et des mobilités",
     "Directrice d'administration centrale"),
    ("rodolphe.tessier@jury.demo.portail.example", "Rodolphe", "Tessier",
     "Direction générale de l'énergie et du climat", "Directeur d'administration centrale"),
    ("nadia.berthier@jury.demo.portail.example", "Nadia", "Berthier",
     "Commissariat général au développement durable", "Membre de la CCDG"),
    ("valerie.chauvin@jury.demo.portail.example", "Valérie", "Chauvin",
     "Secrétariat général des ministères écologie et territoires", "Secrétaire générale"),
]  # fmt: skip

# How much each juror marks above (+) or below (-) what a proposal deserves: the z-scores of
# the ranking undo it, the raw means do not.
LENIENCY = [0.4, -0.6, 0.0, 0.3, -0.3, 0.2]
# Per criterion (in the call's order), a small nudge so the three notes are not all equal.
NUDGE = [0.0, 0.3, -0.3]

COMMENTS = [
    (4.0, "Problème réel, bien documenté ; l'agent est prêt à s'y consacrer. À auditionner."),
    (3.0, "Idée intéressante mais encore floue sur les utilisateurs et la première version."),
    (0.0, "Besoin peu étayé ; le projet ressemble à un outil interne plus qu'à un service."),
]


def _juror(call: Call, email, first, last, structure_name, role) -> JuryMember:
    structure, _ = Structure.objects.get_or_create(
        name=structure_name, defaults={"type": StructureType.CENTRAL}
    )
    user = demo_person(email, first, last, structure)
    seat, _ = JuryMember.objects.update_or_create(
        call=call, user=user, defaults={"role_label": role}
    )
    return seat


def merit(proposals: list[Proposal], selected: list[str], auditioned: list[str]) -> dict:
    """What each proposal deserves on 5: the laureates first, then the other auditioned,
    then the rest, each group in a fixed order."""
    others = [p.title for p in proposals if p.title not in selected and p.title not in auditioned]
    quality = {}
    for i, title in enumerate(selected):
        quality[title] = 4.8 - 0.1 * i
    for i, title in enumerate(auditioned):
        quality[title] = 4.0 - 0.1 * i
    for i, title in enumerate(sorted(others)):
        quality[title] = 3.0 - 1.8 * i / max(len(others) - 1, 1)
    return quality


def _note(value: float) -> int:
    return max(1, min(5, round(value)))


def seed_fn_jury(call: Call, *, selected: list[str], auditioned: list[str]) -> list[JuryMember]:
    """Seat the jury of the call, declare the automatic conflicts, assign each proposal to
    three jurors with equal loads and submit their written evaluations."""
    seats = [_juror(call, *row) for row in FN_JURY]
    if Assignment.objects.filter(juror__call=call).exists():
        _keep_published(call)
        return seats
    proposals = list(
        call.proposals.filter(state__in=[ProposalState.SUBMITTED, ProposalState.ELIGIBLE])
        .select_related("structure")
        .order_by("sequence")
    )
    Proposal.objects.filter(pk__in=[p.pk for p in proposals]).update(state=ProposalState.ELIGIBLE)
    criteria = list(call.criteria.order_by("position"))
    quality = merit(proposals, selected, auditioned)
    reviewed = datetime(2018, 1, 8, 9, tzinfo=PARIS)
    structures = {seat.pk: seat.user.structure_id for seat in seats}
    loads = dict.fromkeys(structures, 0)
    for index, proposal in enumerate(proposals):
        conflicted = [s for s in seats if structures[s.pk] == proposal.structure_id]
        for seat in conflicted:
            Conflict.objects.get_or_create(
                juror=seat,
                proposal=proposal,
                defaults={
                    "kind": ConflictKind.AUTOMATIC,
                    "type": ConflictType.STRUCTURE,
                    "reason": "Même structure que l'équipe candidate.",
                    "created_at": reviewed - timedelta(days=7),
                },
            )
        free = [s for s in seats if s not in conflicted]
        free.sort(key=lambda s: (loads[s.pk], (seats.index(s) - index) % len(seats)))
        for seat in free[:JURORS_PER_PROPOSAL]:
            loads[seat.pk] += 1
            _evaluate(seat, proposal, criteria, quality[proposal.title], reviewed, index)
    heard = [p for p in proposals if p.title in selected or p.title in auditioned]
    _auditions(call, seats, heard, quality)
    _decide(call, heard, selected)
    return seats


def _evaluate(seat, proposal, criteria, deserved, reviewed, index) -> None:
    lean = LENIENCY[FN_JURY_INDEX[seat.user.email]]
    notes = [_note(deserved + lean + NUDGE[i % len(NUDGE)]) for i in range(len(criteria))]
    weights = [float(c.weight) for c in criteria]
    total = sum(n * w for n, w in zip(notes, weights, strict=True)) / sum(weights)
    comment = next(text for floor, text in COMMENTS if deserved >= floor)
    recommendation = (
        Recommendation.YES
        if deserved >= 3.5
        else Recommendation.MAYBE
        if deserved >= 2.5
        else Recommendation.NO
    )
    at = reviewed + timedelta(hours=index % 40, minutes=7 * FN_JURY_INDEX[seat.user.email])
    assignment = Assignment.objects.create(juror=seat, proposal=proposal, created_at=reviewed)
    evaluation = Evaluation.objects.create(
        assignment=assignment,
        state=EvaluationState.SUBMITTED,
        recommendation=recommendation,
        comment=comment,
        total=total,
        version=1,
        updated_at=at,
        submitted_at=at,
    )
    Score.objects.bulk_create(
        Score(evaluation=evaluation, criterion=c, value=n)
        for c, n in zip(criteria, notes, strict=True)
    )
    EvaluationVersion.objects.create(
        evaluation=evaluation,
        number=1,
        submitted_at=at,
        content={
            "recommendation": recommendation,
            "comment": comment,
            "total": total,
            "scores": {
                str(c.pk): {"criterion": c.name, "value": n, "comment": ""}
                for c, n in zip(criteria, notes, strict=True)
            },
        },
    )


FN_JURY_INDEX = {row[0]: i for i, row in enumerate(FN_JURY)}

# The audition grid: what the jury looked for in the agents themselves (seeds/001).
AUDITION_GRID = [
    ("Volonté de tenter l'aventure", "L'agent est prêt à quitter son poste six mois.", 2),
    ("Clarté du problème", "L'équipe sait dire pour qui et pourquoi.", 1),
]
AUDITIONS_START = datetime(2018, 1, 18, 9, 30, tzinfo=PARIS)
AUDITION_ROOM = "Tour Séquoia, La Défense — salle du conseil"
DECIDED = datetime(2018, 1, 24, 18, 0, tzinfo=PARIS)
PUBLISHED = datetime(2018, 1, 26, 11, 0, tzinfo=PARIS)


def _auditions(call: Call, seats, heard: list[Proposal], quality: dict) -> None:
    """Twelve 30-minute auditions over two days, scored by every juror not in conflict."""
    grid = []
    for position, (name, description, weight) in enumerate(AUDITION_GRID):
        criterion, _ = AuditionCriterion.objects.update_or_create(
            call=call,
            name=name,
            defaults={"description": description, "weight": weight, "position": position},
        )
        grid.append(criterion)
    conflicted = set(
        Conflict.objects.filter(juror__call=call, lifted_at__isnull=True).values_list(
            "juror_id", "proposal_id"
        )
    )
    weights = [float(c.weight) for c in grid]
    for index, proposal in enumerate(heard):
        day, slot = divmod(index, 6)
        starts_at = AUDITIONS_START + timedelta(days=day, minutes=40 * slot)
        Proposal.objects.filter(pk=proposal.pk).update(state=ProposalState.SHORTLISTED)
        Audition.objects.create(
            proposal=proposal, starts_at=starts_at, room=AUDITION_ROOM, updated_at=starts_at
        )
        for seat in seats:
            if (seat.pk, proposal.pk) in conflicted:
                continue
            lean = LENIENCY[FN_JURY_INDEX[seat.user.email]] / 2
            notes = [_note(quality[proposal.title] + lean) for _ in grid]
            total = sum(n * w for n, w in zip(notes, weights, strict=True)) / sum(weights)
            evaluation = AuditionEvaluation.objects.create(
                juror=seat, proposal=proposal, total=total, updated_at=starts_at
            )
            AuditionScore.objects.bulk_create(
                AuditionScore(evaluation=evaluation, criterion=c, value=n)
                for c, n in zip(grid, notes, strict=True)
            )


def _decide(call: Call, heard: list[Proposal], selected: list[str]) -> None:
    """The deliberation's decisions on the twelve, published with their mails sent."""
    for proposal in heard:
        chosen = proposal.title in selected
        decision = Decision.objects.create(
            proposal=proposal,
            outcome=DecisionOutcome.SELECTED if chosen else DecisionOutcome.NOT_SELECTED,
            justification=(
                "Besoin avéré, agents prêts à s'y consacrer six mois : le jury retient le projet."
                if chosen
                else "Projet utile, mais l'équipe n'est pas encore prête à s'y consacrer "
                "six mois ; le jury l'encourage à se représenter."
            ),
            decided_at=DECIDED,
        )
        subject, body = render_decision_mail(decision)
        DecisionMail.objects.create(
            proposal=proposal,
            subject=subject,
            body=body,
            state=DecisionMailState.RELEASED,
            generated_at=PUBLISHED,
            released_at=PUBLISHED,
        )
    _keep_published(call)


def _keep_published(call: Call) -> None:
    """The results of January 2018 are public: decided proposals carry their outcome, the
    others were not shortlisted (the calls' demo rewrites the call's state on each run)."""
    for decision in Decision.objects.filter(proposal__call=call).select_related("proposal"):
        Proposal.objects.filter(pk=decision.proposal_id).update(state=decision.outcome)
    call.proposals.filter(state__in=[ProposalState.ELIGIBLE, ProposalState.SUBMITTED]).update(
        state=ProposalState.NOT_SHORTLISTED
    )
    Call.objects.filter(pk=call.pk).update(state=CallState.RESULTS_PUBLISHED)


# --- FAST 13 (seeds/003): ten startups selected, 2.55 M€ granted in all ---------------------

FAST_13_CALL = "fast-13"
FAST_13_DECIDED = datetime(2023, 10, 17, 18, 0, tzinfo=PARIS)
FAST_13_FIRST = [
    "Amandine", "Bruno", "Cécile", "David", "Élodie", "Franck", "Gwenaëlle", "Hervé",
    "Isabelle", "Jérôme",
]  # fmt: skip
FAST_13_LAST = [
    "Arnaud", "Besson", "Charpentier", "Denis", "Even", "Fleury", "Guérin", "Huet",
    "Joly", "Klein",
]  # fmt: skip


def seed_fast_13(programme, startups) -> Call:
    """The FAST 13 call, closed and decided: each of the ten startups (name, mission, host,
    amount in €) selected with the amount granted, at most half its yearly budget and
    300 000 €, within the 2 550 000 € envelope. Results published in October 2023."""
    call, _ = Call.objects.update_or_create(
        slug=FAST_13_CALL,
        defaults={
            "programme": programme,
            "edition": "FAST 13",
            "title": "Appel à candidatures de la 13e promotion du FAST",
            "description": "Treizième promotion du fonds d'accélération des startups d'État.",
            "state": CallState.RESULTS_PUBLISHED,
            "opens_at": datetime(2023, 6, 1, 9, tzinfo=PARIS),
            "closes_at": datetime(2023, 9, 15, 12, tzinfo=PARIS),
            "team_min": 1,
            "team_max": 8,
            "laureates_target": 10,
            "offers_funding": True,
            "envelope": Decimal("2550000"),
            "max_funding_share": 50,
            "max_funding_amount": Decimal("300000"),
        },
    )
    for n, (name, mission, host, amount) in enumerate(startups):
        structure, _ = Structure.objects.get_or_create(
            name=host, defaults={"type": StructureType.CENTRAL}
        )
        email = f"fast13-{n + 1:02d}@demo.portail.example"
        lead = demo_person(
            email,
            FAST_13_FIRST[n % len(FAST_13_FIRST)],
            FAST_13_LAST[n % len(FAST_13_LAST)],
            structure,
        )
        granted = Decimal(amount)
        proposal, _ = Proposal.objects.update_or_create(
            call=call,
            title=name,
            defaults={
                "summary": mission,
                "structure": structure,
                "created_by": lead,
                "state": ProposalState.SELECTED,
                "sequence": n + 1,
                "reference": f"FAST-2023-{n + 1:04d}",
                "submitted_at": datetime(2023, 9, 1, 10, tzinfo=PARIS) + timedelta(days=n),
                # The budget the team declared: the amount granted is at most half of it.
                "yearly_budget": granted * 2 + Decimal(20000 * (n % 3)),
                "requested_amount": granted,
            },
        )
        proposal.team.get_or_create(user=lead, defaults={"role": TeamRole.LEAD})
        decision, created = Decision.objects.get_or_create(
            proposal=proposal,
            defaults={
                "outcome": DecisionOutcome.SELECTED,
                "justification": "Impact mesuré, direction engagée : le comité retient le projet.",
                "amount_granted": granted,
                "decided_at": FAST_13_DECIDED,
            },
        )
        if created:
            subject, body = render_decision_mail(decision)
            DecisionMail.objects.create(
                proposal=proposal,
                subject=subject,
                body=body,
                state=DecisionMailState.RELEASED,
                generated_at=FAST_13_DECIDED,
                released_at=FAST_13_DECIDED,
            )
    return call


# --- FAST 13's jury: the funded call's dossier, scores and one discussion --------------------

FAST_PILLARS = [
    ("Impact", "Le service change la vie des usagers ou des agents, et on sait le mesurer.", 2),
    ("Maturité", "Le besoin est validé sur le terrain et un premier produit existe.", 1),
    ("Ambition", "Le projet vise un passage à l'échelle, au-delà d'un seul service.", 1),
    ("Soutien", "La direction sponsorise le projet et s'engage sur la suite.", 1),
]
FAST_13_QUESTIONS = [
    ("Quelle est la mission de votre startup d'État, en une phrase ?", QuestionKind.SHORT_TEXT),
    ("Dans quelle phase est le projet ?", QuestionKind.SINGLE_CHOICE),
]
FAST_13_PHASES = ["Construction", "Accélération", "Consolidation"]
# jure@ (the demo juror) sits on it too, under the same fictitious name as on FN 2017.
FAST_13_JURY = [
    FN_JURY[0],
    ("sophie.marchetti@jury.demo.portail.example", "Sophie", "Marchetti",
     "Direction interministérielle du numérique", "Responsable du FAST"),
    ("laurent.ribeiro@jury.demo.portail.example", "Laurent", "Ribeiro",
     "Direction du budget", "Expert financement"),
    ("camille.ferrand@jury.demo.portail.example", "Camille", "Ferrand",
     "Agence nationale de la cohésion des territoires", "Représentante des territoires"),
]  # fmt: skip
FAST_13_LENIENCY = [0.3, 0.0, -0.5, 0.2]
FAST_13_REVIEWED = datetime(2023, 9, 28, 9, tzinfo=PARIS)
FAST_13_DISCUSSION = [
    (1, "Le budget demandé est à la moitié pile du budget annuel : la direction cofinance-t-elle "
        "vraiment l'autre moitié ?"),
    (2, "Oui, la lettre de la direction le confirme pour deux ans ; je remonte ma note de "
        "soutien."),
    (3, "D'accord sur l'impact ; la mesure reste à consolider avant la fin des six mois."),
]  # fmt: skip


def seed_fast_13_jury(call: Call) -> list[JuryMember]:
    """FAST 13's jury of four: its criteria (the four pillars), each of the ten laureates'
    dossier (mission and phase answered; budget and amount are on the proposal), three
    jurors per proposal with their submitted scores, and a discussion on the first one.
    Idempotent: a jury already given work is left as it is."""
    seats = [_juror(call, *row) for row in FAST_13_JURY]
    Call.objects.filter(pk=call.pk).update(review_phase="discussion")
    for position, (name, description, weight) in enumerate(FAST_PILLARS):
        Criterion.objects.update_or_create(
            call=call,
            name=name,
            defaults={"description": description, "weight": weight, "position": position},
        )
    questions = []
    for position, (label, kind) in enumerate(FAST_13_QUESTIONS):
        question, _ = Question.objects.update_or_create(
            call=call,
            label=label,
            defaults={
                "kind": kind,
                "position": position,
                "choices": FAST_13_PHASES if kind == QuestionKind.SINGLE_CHOICE else [],
            },
        )
        questions.append(question)
    laureates = list(call.proposals.filter(state=ProposalState.SELECTED).order_by("sequence", "pk"))
    for n, proposal in enumerate(laureates):
        for question, value in zip(
            questions, [proposal.summary, FAST_13_PHASES[n % len(FAST_13_PHASES)]], strict=True
        ):
            Answer.objects.update_or_create(
                proposal=proposal, question=question, defaults={"value": value}
            )
    if Assignment.objects.filter(juror__call=call).exists():
        return seats
    criteria = list(call.criteria.order_by("position"))
    for index, proposal in enumerate(laureates):
        deserved = 4.5 - 0.15 * index
        for offset in range(JURORS_PER_PROPOSAL):
            seat = seats[(index + offset) % len(seats)]
            lean = FAST_13_LENIENCY[seats.index(seat)]
            notes = [_note(deserved + lean + NUDGE[i % len(NUDGE)]) for i in range(len(criteria))]
            weights = [float(c.weight) for c in criteria]
            total = sum(n * w for n, w in zip(notes, weights, strict=True)) / sum(weights)
            at = FAST_13_REVIEWED + timedelta(hours=index, minutes=11 * offset)
            assignment = Assignment.objects.create(
                juror=seat, proposal=proposal, created_at=FAST_13_REVIEWED
            )
            evaluation = Evaluation.objects.create(
                assignment=assignment,
                state=EvaluationState.SUBMITTED,
                recommendation=Recommendation.YES,
                comment="Équipe solide, budget cohérent avec la feuille de route.",
                total=total,
                version=1,
                updated_at=at,
                submitted_at=at,
            )
            Score.objects.bulk_create(
                Score(evaluation=evaluation, criterion=c, value=v)
                for c, v in zip(criteria, notes, strict=True)
            )
    first = laureates[0] if laureates else None
    if first is not None:
        jurors = [a.juror for a in first.jury_assignments.select_related("juror__user")]
        for n, (who, body) in enumerate(FAST_13_DISCUSSION):
            DiscussionPost.objects.create(
                proposal=first,
                author=jurors[(who - 1) % len(jurors)].user,
                body=body,
                created_at=FAST_13_REVIEWED + timedelta(days=5, minutes=30 * n),
            )
    return seats


# The seven themes of the FN 2017 laureates (seeds), as the call's list of themes.
FN_THEMES = [
    "Aides aux collectivités",
    "Titres et projets miniers",
    "Rejets industriels dans l'air",
    "Eau et sécheresse",
    "Location et logement",
    "Transport de marchandises",
    "Contributions citoyennes",
]


def seed_fn_expertise(call: Call, seats: list[JuryMember]) -> None:
    """The FN 2017 call's themes, each juror's two themes, each proposal's theme and a few
    bids per juror (oui on proposals of their themes, non on one other), so that the bids
    page, the matrix and the assignment's costs show on the demo. Idempotent."""
    themes = []
    for position, name in enumerate(FN_THEMES):
        theme, _ = Theme.objects.update_or_create(
            call=call, name=name, defaults={"position": position}
        )
        themes.append(theme)
    for i, seat in enumerate(seats):
        seat.themes.set([themes[i % len(themes)], themes[(i + 3) % len(themes)]])
    proposals = list(call.proposals.order_by("sequence", "pk"))
    for i, proposal in enumerate(proposals):
        proposal.themes.set([themes[i % len(themes)]])
    bid_at = datetime(2018, 1, 2, 10, tzinfo=PARIS)
    conflicted = set(
        Conflict.objects.filter(juror__in=seats).values_list("juror_id", "proposal_id")
    )
    for i, seat in enumerate(seats):
        mine = {i % len(themes), (i + 3) % len(themes)}
        matching = [p for j, p in enumerate(proposals) if j % len(themes) in mine]
        others = [p for j, p in enumerate(proposals) if j % len(themes) not in mine]
        wishes = [(p, BidChoice.YES) for p in matching[:3]] + [
            (p, BidChoice.NO) for p in others[:1]
        ]
        for proposal, choice in wishes:
            if (seat.pk, proposal.pk) not in conflicted:
                Bid.objects.get_or_create(
                    juror=seat, proposal=proposal, defaults={"choice": choice, "updated_at": bid_at}
                )
