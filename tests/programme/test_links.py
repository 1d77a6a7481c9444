"""Signed links: what they carry comes back, an altered or expired one is a French refusal."""

import pytest
import time_machine

from programme import links
from programme.exceptions import TransitionError


def test_a_signed_link_gives_back_what_it_carries():
    token = links.sign({"call": 7}, salt="test")

    assert links.read(token, salt="test", max_age=60, expired="Expiré.") == {"call": 7}


def test_an_altered_or_foreign_link_is_refused():
    token = links.sign("x", salt="test")

    with pytest.raises(TransitionError, match="Ce lien n'est pas valide."):
        links.read(token + "a", salt="test", max_age=60, expired="Expiré.")
    with pytest.raises(TransitionError, match="Lien d'un autre usage."):
        links.read(
            token, salt="other", max_age=60, expired="Expiré.", invalid="Lien d'un autre usage."
        )


def test_an_expired_link_says_so():
    with time_machine.travel("2026-12-01 09:00Z", tick=False):
        token = links.sign("x", salt="test")
    with (
        time_machine.travel("2026-12-01 09:02Z", tick=False),
        pytest.raises(TransitionError, match="Expiré."),
    ):
        links.read(token, salt="test", max_age=60, expired="Expiré.")
