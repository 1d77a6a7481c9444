"""Expertise in a browser: a juror declares their themes and bids, staff run the assignment,
which follows the bids, adjust it in the matrix, and read the ranking at a glance."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from calls.enums import CallState
from projects.models import Assignment
from projects.services import expertise, jury
from tests import factories
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def expertise_call(transactional_db):
    programme = factories.ProgrammeFactory(name="Fabrique numérique", slug="fabrique-numerique")
    call = factories.CallFactory(
        programme=programme,
        edition="FN 2026",
        slug="fabrique-numerique-2026",
        state=CallState.CLOSED,
        opens_at=timezone.now() - timedelta(days=60),
        closes_at=timezone.now() - timedelta(days=20),
    )
    factories.CriterionFactory(call=call, name="Pertinence", weight=2, scale_max=5, position=1)
    return call


def _eligible(call, title):
    proposal = factories.ProposalFactory(call=call, title=title, state="eligible")
    proposal.sequence, proposal.submitted_at = proposal.pk, call.closes_at
    proposal.save()
    return proposal


def test_a_juror_bids_staff_assign_adjust_and_read_the_ranking(
    page, live_server, sign_in, assert_accessible, expertise_call
):
    call = expertise_call
    staff = factories.StaffFactory(programme=call.programme)
    water, mobility = expertise.set_call_themes(
        call, ["Eau", "Mobilité"], by=staff, now=timezone.now()
    )
    wanted = _eligible(call, "Registre des captages")
    other = _eligible(call, "Covoiturage des agents")
    expertise.tag_proposal(wanted, [water.pk], by=staff, now=timezone.now())
    expertise.tag_proposal(other, [mobility.pk], by=staff, now=timezone.now())
    juror = factories.JuryMemberFactory(
        call=call, user=factories.UserFactory(first_name="Élise", last_name="Garnier")
    )
    colleague = factories.JuryMemberFactory(
        call=call, user=factories.UserFactory(first_name="Henri", last_name="Vasseur")
    )

    sign_in(page, juror.user.email, PASSWORD)
    page.goto(reverse("jury:bids", args=[call.slug]))
    page.get_by_label("Eau", exact=True).check()
    page.get_by_role("button", name="Enregistrer mes thèmes").click()
    expect(page.get_by_role("status")).to_contain_text("Vos thèmes sont enregistrés.")
    page.get_by_role("group", name="Registre des captages").get_by_label("Oui").check(force=True)
    page.get_by_role("group", name="Covoiturage des agents").get_by_label("Non").check(force=True)
    page.get_by_role("button", name="Enregistrer mes souhaits").click()
    expect(page.get_by_role("status")).to_contain_text("2 modifiés")
    assert_accessible(page)
    page.get_by_label("Filtrer par thème").select_option(label="Mobilité")
    page.get_by_role("button", name="Filtrer").click()
    expect(page.get_by_role("main")).not_to_contain_text("Registre des captages")

    page.context.clear_cookies()
    mail.outbox.clear()
    sign_in(page, staff.email, PASSWORD)
    page.goto(reverse("jury:panel", args=[call.slug]))
    page.get_by_label("Jurés par candidature").fill("1")
    page.get_by_role("button", name="Attribuer les candidatures").click()
    expect(page.get_by_role("status")).to_contain_text("Les candidatures sont attribuées.")
    assert set(Assignment.objects.values_list("proposal_id", "juror_id")) == {
        (wanted.pk, juror.pk),
        (other.pk, colleague.pk),
    }
    assert sorted(m.to[0] for m in mail.outbox) == sorted([juror.user.email, colleague.user.email])

    page.get_by_role("link", name="Ajuster à la main dans la matrice d'attribution").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Matrice d'attribution")
    assert_accessible(page)
    page.get_by_label("Covoiturage des agents à Élise Garnier").check(force=True)
    page.get_by_role("button", name="Enregistrer les attributions").click()
    expect(page.get_by_role("status")).to_contain_text("1 ajoutées, 0 retirées")
    assert Assignment.objects.filter(juror=juror).count() == 2

    call.state = CallState.REVIEW
    call.save(update_fields=["state"])
    jury.submit_evaluation(
        Assignment.objects.get(juror=juror, proposal=wanted),
        by=juror.user,
        now=timezone.now(),
        scores={c.pk: (4, "") for c in call.criteria.all()},
        recommendation="yes",
    )
    page.goto(reverse("jury:ranking", args=[call.slug]))
    assert_accessible(page)
    page.get_by_role("link", name="Candidature").click()  # titles A to Z
    expect(page.get_by_role("columnheader", name="Candidature")).to_have_attribute(
        "aria-sort", "ascending"
    )
    expect(page.get_by_role("row").nth(1)).to_contain_text("Covoiturage des agents")
    page.get_by_role("link", name="Registre des captages").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Registre des captages")
    expect(page.get_by_role("button", name="Rouvrir")).to_be_visible()
    assert_accessible(page)
