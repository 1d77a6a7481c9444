"""The demo proposals: 50 on the Fabrique numérique 2017, the seven laureate themes, idempotent."""

import pytest
from django.core.management import call_command

from projects.models import Proposal, ProposalVersion
from projects.queries.proposals import content_hash

pytestmark = pytest.mark.django_db


def test_seed_demo_twice_gives_fifty_submitted_fabrique_proposals(demo):
    call_command("seed_demo", stdout=None)  # over the demo seeded once
    fn = Proposal.objects.filter(call__slug="fabrique-numerique-2017")
    assert fn.count() == 50
    # The cohorts demo records the 2017 jury's decisions (12 auditioned, 7 selected).
    assert set(fn.values_list("state", flat=True)) <= {
        "not_shortlisted",
        "not_selected",
        "selected",
    }
    titles = set(fn.values_list("title", flat=True))
    for theme in ("Aides-territoires", "Alerte sécheresse", "Transporteurs et chargeurs"):
        assert theme in titles
    references = sorted(fn.values_list("reference", flat=True))
    assert references[0] == "FN-2017-0001"
    assert references[-1] == "FN-2017-0050"
    assert all(p.team.count() >= 2 for p in fn.prefetch_related("team"))
    version = ProposalVersion.objects.filter(proposal__call__slug="fabrique-numerique-2017")[0]
    assert version.sha256 == content_hash(version.content)
    assert ProposalVersion.objects.count() == 50


def test_the_demo_agent_has_a_draft_on_the_open_fast_call(demo):
    # FAST 14's dates follow the clock of the seeding: it is open whatever the day.
    draft = Proposal.objects.get(created_by__email="agent@demo.portail.example")
    assert draft.state == "draft"
    assert draft.call.programme.slug == "fast"


def test_the_demo_agent_reads_the_summary_of_its_fast_draft_before_submitting(demo, client):
    """The summary before submitting, on the demo: amounts the French way, the file question
    on the form, what is missing linked to its field."""
    from django.urls import reverse

    from programme.models import User
    from projects.models import Proposal

    agent = User.objects.get(email="agent@demo.portail.example")
    draft = Proposal.objects.get(team__user=agent, call__programme__slug="fast")
    client.force_login(agent)
    html = client.get(reverse("projects:submit", args=[draft.public_id])).content.decode()
    plain = html.replace("\u00a0", " ").replace("\u202f", " ")
    assert "400 000 €" in plain
    assert "150 000 €" in plain
    assert "Lettre de soutien de la direction" in html
    edit = client.get(reverse("projects:edit", args=[draft.public_id])).content.decode()
    assert 'type="file"' in edit
