"""What the deliberation, outbox and results pages read.

- The final ranking combines the written review and the auditions with the weights the
  call sets (`Call.written_weight`, `Call.audition_weight`). Each part is brought to a
  percentage of its maximum (the weighted mean of the criteria's scale maxima) so a grid
  scored out of 5 and one out of 10 weigh what the call says; a part with no score leaves
  its weight out, as "not applicable" does for a criterion. The written part is the raw
  weighted mean of the stored ranking (`projects.services.rankings`); its mean z-score is
  shown beside it.
- The envelope spent is one aggregate over the call's decisions; the funding rules
  themselves are in `calls.funding`.
"""

from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db.models import (
    Avg,
    Case,
    Count,
    Exists,
    F,
    FloatField,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)

from calls.enums import CallState
from calls.models import Call
from programme import keyset
from programme.enums import ReminderKind, ReminderState
from programme.keyset import Key
from programme.models import Reminder
from projects.enums import DecisionMailState, DecisionOutcome, ProposalState
from projects.models import (
    AuditionEvaluation,
    Conflict,
    Decision,
    DecisionMail,
    Proposal,
    TeamMember,
)


def deliberated(call: Call):
    """The proposals the deliberation decides on: the shortlisted ones, or, for a call that
    went straight from the written review to the deliberation, the eligible ones. After the
    results, the decided ones."""
    if call.state in CallState.results_states:
        return Proposal.objects.filter(call=call, decision__isnull=False)
    base = Proposal.objects.filter(call=call)
    if base.filter(state=ProposalState.SHORTLISTED).exists():
        return base.filter(state=ProposalState.SHORTLISTED)
    return base.filter(state=ProposalState.ELIGIBLE)


def _scale(criteria) -> float | None:
    weights = sum(float(c.weight) for c in criteria)
    if not weights:
        return None
    return sum(float(c.weight) * c.scale_max for c in criteria) / weights


def final_ranking(call: Call, criteria=None, audition_criteria=None, pool=None):
    """The deliberated proposals with `raw_mean`, `z_mean` and `written_rank` (from the
    stored ranking), `audition_mean` (mean of the jurors' complete audition grids, conflicted
    pairs left out), `audition_count`, `final` (0-100, see the module), and their decision
    and mail; best first, ties broken as the written ranking."""
    criteria = list(call.criteria.all()) if criteria is None else criteria
    audition_criteria = (
        list(call.audition_criteria.all()) if audition_criteria is None else audition_criteria
    )
    counted = AuditionEvaluation.objects.filter(
        proposal_id=OuterRef("pk"), total__isnull=False
    ).exclude(
        Exists(
            Conflict.objects.filter(
                juror_id=OuterRef("juror_id"),
                proposal_id=OuterRef("proposal_id"),
                lifted_at__isnull=True,
            )
        )
    )
    audition_mean = Subquery(
        counted.values("proposal_id").annotate(v=Avg("total")).values("v")[:1],
        output_field=FloatField(),
    )
    audition_count = Subquery(counted.values("proposal_id").annotate(n=Count("pk")).values("n")[:1])
    ww, wa = float(call.written_weight), float(call.audition_weight)
    ws, as_ = _scale(criteria), _scale(audition_criteria)
    written = F("raw_mean") / Value(ws) if ws else None
    heard = F("audition_mean") / Value(as_) if as_ else None
    cases = []
    if written is not None and heard is not None and ww + wa > 0:
        cases.append(
            When(
                raw_mean__isnull=False,
                audition_mean__isnull=False,
                then=(Value(ww) * written + Value(wa) * heard) * Value(100.0 / (ww + wa)),
            )
        )
    if written is not None and ww > 0:
        cases.append(When(raw_mean__isnull=False, then=written * Value(100.0)))
    if heard is not None and wa > 0:
        cases.append(When(audition_mean__isnull=False, then=heard * Value(100.0)))
    final = Case(*cases, default=Value(None), output_field=FloatField())
    ids = (deliberated(call) if pool is None else pool).values("pk")
    return (
        Proposal.objects.filter(call=call, pk__in=ids)
        .select_related("structure", "decision", "decision_mail", "audition")
        .annotate(
            raw_mean=F("ranking_row__raw_mean"),
            z_mean=F("ranking_row__z_mean"),
            written_rank=F("ranking_row__rank"),
        )
        .annotate(audition_mean=audition_mean, audition_count=audition_count)
        .annotate(final=final)
        .order_by(*keyset.order(FINAL_KEYS))
    )


# The keyset keys of `final_ranking`'s order: the final score, then the written ranking's
# order (its rank: the bias model, ties broken as documented there), then the id.
FINAL_KEYS = [
    Key("final", descending=True),
    Key("written_rank", kind=int),
    Key("pk", kind=int, nullable=False),
]


def undecided_count(call: Call, pool=None) -> int:
    """How many deliberated proposals still wait for their decision (one count); `pool` is
    `deliberated(call)` when the caller already has it."""
    pool = deliberated(call) if pool is None else pool
    return pool.filter(decision__isnull=True).count()


def selected_count(call: Call) -> int:
    """How many of the call's proposals the jury has selected so far (one count), against the
    call's `laureates_target`."""
    return Decision.objects.filter(proposal__call=call, outcome=DecisionOutcome.SELECTED).count()


def audition_scores_of_page():
    """For the deliberation page: each proposal's audition evaluations with their juror
    (conflicted pairs left out), in one query."""
    return Prefetch(
        "audition_evaluations",
        queryset=AuditionEvaluation.objects.exclude(
            Exists(
                Conflict.objects.filter(
                    juror_id=OuterRef("juror_id"),
                    proposal_id=OuterRef("proposal_id"),
                    lifted_at__isnull=True,
                )
            )
        )
        .select_related("juror__user")
        .order_by("juror__user__last_name", "pk"),
        to_attr="audition_scores",
    )


def envelope_spent(call: Call, *, excluding: Proposal | None = None) -> Decimal:
    """The amounts granted so far by the call's decisions (one aggregate)."""
    rows = Decision.objects.filter(
        proposal__call=call, outcome=DecisionOutcome.SELECTED, amount_granted__isnull=False
    )
    if excluding is not None:
        rows = rows.exclude(proposal=excluding)
    return rows.aggregate(total=Sum("amount_granted"))["total"] or Decimal("0")


def envelope_left(call: Call) -> Decimal | None:
    if call.envelope is None:
        return None
    return call.envelope - envelope_spent(call)


def visible_decision(proposal: Proposal) -> Decision | None:
    """The decision a team sees on its proposal: only once the call's results are out."""
    if proposal.call.state not in CallState.results_states:
        return None
    return Decision.objects.filter(proposal=proposal).first()


def results(call: Call):
    """The public results of a call: its laureates, with the amount granted."""
    return (
        Proposal.objects.filter(call=call, state=ProposalState.SELECTED)
        .select_related("structure", "decision")
        .order_by("title", "pk")
    )


def outbox(call: Call):
    """The call's decision mails with their decision and ledger progress (one query)."""
    mail_type = ContentType.objects.get_for_model(DecisionMail)
    ledger = Reminder.objects.filter(
        kind=ReminderKind.DECISION_NOTICE, content_type=mail_type, object_id=OuterRef("pk")
    ).values("object_id")
    return (
        DecisionMail.objects.filter(proposal__call=call)
        .select_related("proposal__decision")
        .annotate(
            recipients=Subquery(ledger.annotate(n=Count("pk")).values("n")[:1]),
            delivered=Subquery(
                ledger.annotate(n=Count("pk", filter=Q(state=ReminderState.SENT))).values("n")[:1]
            ),
        )
        .annotate(proposal_title=F("proposal__title"))
        .order_by("proposal__title", "proposal_id")
    )


def outbox_keys() -> list:
    """The keyset keys of `outbox`'s order: the proposal's title, then the proposal (one
    mail per proposal), served by Proposal's (call, title, id) index."""
    from programme.keyset import Key

    return [
        Key("proposal_title", kind=str, nullable=False),
        Key("proposal_id", kind=int, nullable=False),
    ]


def outbox_counts(call: Call) -> dict:
    """How many decision mails the call has, and how many still drafts (one query)."""
    return DecisionMail.objects.filter(proposal__call=call).aggregate(
        total=Count("pk"), drafts=Count("pk", filter=Q(state=DecisionMailState.DRAFT))
    )


def publication_audience(call: Call) -> dict:
    """Who publishing the results touches, for its confirmation: the decisions by outcome,
    the eligible proposals left out of the auditions, the teams' people and the letters
    still to prepare (a handful of counts)."""
    outcomes = dict(
        Decision.objects.filter(proposal__in=deliberated(call))
        .order_by()
        .values_list("outcome")
        .annotate(n=Count("pk"))
        .values_list("outcome", "n")
    )
    proposals = Proposal.objects.filter(call=call)
    shortlist_held = proposals.filter(state=ProposalState.SHORTLISTED).exists()
    left_out = proposals.filter(state=ProposalState.ELIGIBLE).count() if shortlist_held else 0
    told = proposals.filter(
        Q(decision__isnull=False)
        | Q(state__in=[ProposalState.INELIGIBLE, ProposalState.NOT_SHORTLISTED])
        | (Q(state=ProposalState.ELIGIBLE) if shortlist_held else Q(pk__in=[]))
    )
    people = TeamMember.objects.filter(proposal__in=told).values("user_id").distinct().count()
    return {
        "selected": outcomes.get(DecisionOutcome.SELECTED, 0),
        "not_selected": outcomes.get(DecisionOutcome.NOT_SELECTED, 0),
        "left_out": left_out,
        "teams": told.count(),
        "people": people,
    }
