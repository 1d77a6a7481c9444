"""Fixtures of the reminder tests: a frozen time and a call whose drafts are owed reminders."""

from datetime import UTC, datetime, timedelta

import pytest

from calls.enums import CallState
from projects.enums import TeamRole
from projects.models import TeamMember
from tests import factories
from tests.fake_mail import FlakyBackend

# A Monday morning; the call below closes the next Monday at noon, Paris time.
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def call_closing_in(delta: timedelta, **kwargs):
    return factories.CallFactory(
        opens_at=NOW - timedelta(days=30),
        closes_at=NOW + delta,
        state=kwargs.pop("state", CallState.PUBLISHED),
        **kwargs,
    )


def draft_with_team(call, *members, **kwargs):
    """A draft whose creator leads the team, with `members` added."""
    proposal = factories.ProposalFactory(call=call, **kwargs)
    for user in members:
        TeamMember.objects.create(proposal=proposal, user=user, role=TeamRole.MEMBER)
    return proposal


@pytest.fixture
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)
    return NOW


@pytest.fixture
def flaky_mail(settings):
    """The mail server refuses the first `failures` messages (set on the returned class)."""

    def configure(failures: int):
        FlakyBackend.reset()
        settings.MAILERS = {
            "default": {
                "BACKEND": "tests.fake_mail.FlakyBackend",
                "OPTIONS": {"failures": failures},
            }
        }
        return FlakyBackend

    yield configure
    FlakyBackend.reset()


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # The factories set a password on every person; the real hasher is slow by design.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
