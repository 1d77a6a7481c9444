"""Shared set-up of the jury tests: a call under review, its criteria, panel and proposals."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from calls.enums import CallState
from projects.enums import ProposalState
from projects.services import jury
from tests import factories

NOW = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)


@pytest.fixture
def review_call(programme):
    return make_review_call(programme)


def make_review_call(programme):
    """A call under review with two criteria, Impact (weight 2) and Maturité (weight 1)."""
    call = factories.CallFactory(
        programme=programme,
        state=CallState.REVIEW,
        opens_at=datetime(2026, 3, 1, tzinfo=UTC),
        closes_at=datetime(2026, 4, 1, tzinfo=UTC),
        disagreement_threshold=Decimal("1.5"),
    )
    factories.CriterionFactory(call=call, name="Impact", weight=2, scale_max=5, position=1)
    factories.CriterionFactory(call=call, name="Maturité", weight=1, scale_max=5, position=2)
    return call


@pytest.fixture
def criteria(review_call):
    return list(review_call.criteria.all())


def juror_for(call, **user_fields):
    user = factories.UserFactory(**user_fields)  # each gets a structure of their own
    return factories.JuryMemberFactory(call=call, user=user)


def eligible(call, n=1, **fields):
    made = []
    for i in range(n):
        proposal = factories.ProposalFactory(call=call, state=ProposalState.ELIGIBLE, **fields)
        proposal.sequence = proposal.pk
        proposal.submitted_at = datetime(2026, 3, 10, 9, i % 60, tzinfo=UTC)
        proposal.save(update_fields=["sequence", "submitted_at"])
        made.append(proposal)
    return made


def full_scores(criteria, *values, comment=""):
    return {c.pk: (v, comment) for c, v in zip(criteria, values, strict=True)}


def submit(assignment, criteria, *values, recommendation="yes", now=NOW):
    return jury.submit_evaluation(
        assignment,
        by=assignment.juror.user,
        now=now,
        scores=full_scores(criteria, *values),
        recommendation=recommendation,
    )
