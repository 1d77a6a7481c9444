"""The funding rules of a call, the one function every path that grants money asks."""

from decimal import Decimal

import pytest

from calls import funding
from calls.models import Call
from programme.exceptions import TransitionError


def _fast(**kwargs) -> Call:
    values = {
        "offers_funding": True,
        "max_funding_share": 50,
        "max_funding_amount": Decimal("300000"),
        "envelope": Decimal("550000"),
    }
    values.update(kwargs)
    return Call(**values)


def test_a_grant_within_every_limit_passes():
    assert funding.check_grant(
        _fast(), amount="250000", yearly_budget=Decimal("600000"), others_granted=Decimal("0")
    ) == Decimal("250000")


@pytest.mark.parametrize(
    ("amount", "budget", "others", "message"),
    [
        ("300001", "900000", "0", r"plafond par projet de 300\s000 €"),
        (
            "260000",
            "500000",
            "0",
            r"50 % du budget annuel du projet \(500\s000 €\), soit 250\s000 €",
        ),
        ("300000", "700000", "300000", r"reste de l'enveloppe de la promotion : 250\s000 €"),
        ("0", "700000", "0", "Indiquez le montant accordé"),
        (None, "700000", "0", "Indiquez le montant accordé"),
    ],
)
def test_each_limit_is_refused_in_french(amount, budget, others, message):
    with pytest.raises(TransitionError, match=message):
        funding.check_grant(
            _fast(), amount=amount, yearly_budget=Decimal(budget), others_granted=Decimal(others)
        )


def test_the_envelope_counts_what_the_others_were_granted():
    # 300 000 € already granted elsewhere out of 550 000 €: 250 000 € is the most.
    call = _fast()
    assert funding.ceiling(
        call, yearly_budget=Decimal("900000"), others_granted=Decimal("300000")
    ) == Decimal("250000")
    assert funding.grant_problems(
        call,
        amount=Decimal("300000"),
        yearly_budget=Decimal("900000"),
        others_granted=Decimal("300000"),
    )


def test_a_call_that_funds_nothing_grants_nothing():
    call = _fast(offers_funding=False)
    assert funding.grant_problems(call, amount=None, yearly_budget=None, others_granted=0) == []
    assert funding.grant_problems(call, amount="1", yearly_budget=None, others_granted=0)
    assert funding.ceiling(call, yearly_budget=Decimal("1"), others_granted=None) is None


def test_a_request_follows_the_same_rules_as_a_grant():
    call = _fast()
    assert funding.request_problems(call, amount=Decimal("150000"), yearly_budget=300000) == []
    assert funding.request_problems(call, amount=Decimal("150001"), yearly_budget=300000)
    assert funding.request_problems(call, amount=None, yearly_budget=300000)


def test_euros_read_the_french_way():
    assert funding.euros(Decimal("300000.00")) == "300\xa0000 €"
    assert funding.euros(Decimal("1234.50")).endswith("234,50 €")
