from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from calls.enums import QuestionKind
from projects.services import proposals as services
from tests import factories
from tests.files import PDF  # noqa: F401 (a real one-page PDF, for the tests that import it)

PARIS = ZoneInfo("Europe/Paris")
# A fixed "now" inside the call's opening period; nothing reads the wall clock.
NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
# The deadline falls on the day France moves to summer time (29 March 2026, 02:00 → 03:00).
CLOSES_AT = datetime(2026, 3, 29, 12, 0, tzinfo=PARIS)


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture
def call(programme):
    return factories.CallFactory(
        programme=programme,
        opens_at=datetime(2026, 3, 1, 9, 0, tzinfo=PARIS),
        closes_at=CLOSES_AT,
        team_min=1,
        team_max=3,
    )


@pytest.fixture
def question(call):
    return factories.QuestionFactory(
        call=call, label="Quel problème résolvez-vous ?", kind=QuestionKind.LONG_TEXT
    )


@pytest.fixture
def agent(db):
    return factories.UserFactory(email="agent@exemple.gouv.fr")


@pytest.fixture
def proposal(call, agent):
    return services.start_proposal(call, by=agent, now=NOW, title="Aides territoires")


def complete(proposal, by, *, now=NOW, **fields):
    """Fill every required part of a proposal through the service."""
    answers = {q.pk: "Une réponse" for q in proposal.call.questions.all()}
    proposal.refresh_from_db()
    return services.save_draft(
        proposal,
        by=by,
        version=proposal.version,
        now=now,
        fields={"summary": "Trouver les aides adaptées à son territoire.", **fields},
        answers=answers,
    )
