"""The demo jury of the Fabrique numérique 2017 call (seeds/001): directors of central
administration, the CCDG and the secretary general, as roles held by fictitious people.

Their written scores are built so that the database's ranking (z-scores, which correct
the lenient and the harsh jurors) puts the twelve auditioned proposals first, the seven
laureates among them. Written straight into the tables: the seed command runs in one
transaction and the jury's services are durable. Idempotent: a call whose jury has
already been given work is left as it is.
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from calls.models import Call, JuryMember
from programme.enums import StructureType
from programme.models import Structure, User

from .enums import ConflictKind, ConflictType, EvaluationState, ProposalState, Recommendation
from .models import Assignment, Conflict, Evaluation, EvaluationVersion, Proposal, Score

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
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User(email=email, first_name=first, last_name=last, structure=structure)
        user.set_unusable_password()
        user.save()
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
