"""The jury's journey in a browser: a juror declares a conflict and scores, blind until
their own evaluation is submitted; staff then read the ranking and its charts."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from calls.enums import CallState, ReviewPhase
from projects.models import (
    Assignment,
    Conflict,
    Decision,
    DecisionMail,
    Evaluation,
    TeamMember,
)
from projects.services import jury
from tests import factories
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser

OTHER_COMMENT = "Très convaincant sur la volonté de l'équipe."


@pytest.fixture
def jury_call(transactional_db):
    programme = factories.ProgrammeFactory(name="Fabrique numérique", slug="fabrique-numerique")
    call = factories.CallFactory(
        programme=programme,
        edition="FN 2026",
        slug="fabrique-numerique-2026",
        state=CallState.REVIEW,
        review_phase=ReviewPhase.DISCUSSION,
        opens_at=timezone.now() - timedelta(days=60),
        closes_at=timezone.now() - timedelta(days=20),
    )
    factories.CriterionFactory(call=call, name="Pertinence", weight=2, scale_max=5, position=1)
    factories.CriterionFactory(call=call, name="Volonté de l'agent", weight=2, position=2)
    return call


def _eligible(call, title):
    proposal = factories.ProposalFactory(call=call, title=title, state="eligible")
    proposal.sequence, proposal.submitted_at = proposal.pk, call.closes_at
    proposal.save()
    return proposal


def test_a_juror_declares_a_conflict_and_scores_blind_until_submitting(
    page, live_server, sign_in, assert_accessible, jury_call
):
    juror = factories.JuryMemberFactory(
        call=jury_call, user=factories.UserFactory(first_name="Élise", last_name="Garnier")
    )
    other = factories.JuryMemberFactory(call=jury_call)
    scored = _eligible(jury_call, "Aides-territoires")
    conflicted = _eligible(jury_call, "Alerte sécheresse")
    elsewhere = _eligible(jury_call, "Camino")
    for proposal in (scored, conflicted):
        Assignment.objects.create(juror=juror, proposal=proposal, created_at=timezone.now())
    for proposal in (scored, elsewhere):
        assignment = Assignment.objects.create(
            juror=other, proposal=proposal, created_at=timezone.now()
        )
        criteria = list(jury_call.criteria.all())
        jury.submit_evaluation(
            assignment,
            by=other.user,
            now=timezone.now(),
            scores={c.pk: (5, "") for c in criteria},
            recommendation="yes",
            comment=OTHER_COMMENT,
        )

    sign_in(page, juror.user.email, PASSWORD)
    page.goto(reverse("jury:mine", args=[jury_call.slug]))
    main = page.get_by_role("main")
    expect(main).to_contain_text("0 sur 2 notées.")
    assert_accessible(page)

    # A conflict declared on the list: the proposal leaves the juror's queue.
    page.get_by_label("Candidature", exact=True).select_option(label=str(conflicted))
    page.get_by_label("Nature du conflit").select_option(label="Lien professionnel")
    page.get_by_label("Motif").fill("J'ai encadré le porteur de projet l'an dernier.")
    page.get_by_role("button", name="Déclarer le conflit d'intérêts").click()
    expect(page.get_by_role("status")).to_be_visible()
    expect(main).to_contain_text("0 sur 1 notées.")
    expect(main.get_by_role("table")).not_to_contain_text("Alerte sécheresse")
    assert Conflict.objects.filter(juror=juror, proposal=conflicted, lifted_at=None).exists()

    # Neither the conflicted proposal nor one assigned to someone else opens.
    for proposal in (conflicted, elsewhere):
        response = page.goto(reverse("jury:evaluate", args=[proposal.public_id]))
        assert response.status == 404

    # Scoring: the other juror's evaluation stays hidden until this one is submitted.
    page.goto(reverse("jury:mine", args=[jury_call.slug]))
    page.get_by_role("link", name="Noter la suivante").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Aides-territoires")
    expect(page.get_by_role("main")).not_to_contain_text(OTHER_COMMENT)
    assert_accessible(page)
    for criterion in jury_call.criteria.all():
        page.locator(f"select[name=score_{criterion.pk}]").select_option("4")
    page.get_by_label("Recommandation").select_option(label="Oui")
    page.get_by_role("button", name="Soumettre l'évaluation").click()
    expect(page.get_by_role("status")).to_contain_text("Évaluation soumise.")
    expect(page.get_by_role("main")).to_contain_text(OTHER_COMMENT)
    assert_accessible(page)
    evaluation = Evaluation.objects.get(assignment__juror=juror, assignment__proposal=scored)
    assert evaluation.state == "submitted"
    assert evaluation.total == 4.0


def test_staff_read_the_ranking_and_each_juror_s_distribution(
    page, live_server, sign_in, assert_accessible, jury_call
):
    staff = factories.StaffFactory(programme=jury_call.programme)
    criteria = list(jury_call.criteria.all())
    for name, notes in (("Alice", [5, 4, 5]), ("Bruno", [2, 1, 2])):
        seat = factories.JuryMemberFactory(
            call=jury_call, user=factories.UserFactory(first_name=name, last_name="Juré")
        )
        for index, note in enumerate(notes):
            proposal = _eligible(jury_call, f"Projet {name} {index}")
            assignment = Assignment.objects.create(
                juror=seat, proposal=proposal, created_at=timezone.now()
            )
            jury.submit_evaluation(
                assignment,
                by=seat.user,
                now=timezone.now(),
                scores={c.pk: (note, "") for c in criteria},
                recommendation="maybe",
            )
    sign_in(page, staff.email, PASSWORD)
    page.goto(reverse("jury:ranking", args=[jury_call.slug]))
    expect(page.get_by_role("table")).to_contain_text("6 candidatures classées")
    assert_accessible(page)
    page.get_by_role("link", name="Répartition des notes par juré").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Répartition des notes")
    table = page.get_by_role("table")
    expect(table.get_by_role("row", name="Alice Juré")).to_contain_text("3")
    assert_accessible(page)


def test_staff_shortlist_decide_within_the_envelope_publish_and_send_the_mails(
    page, live_server, sign_in, assert_accessible, jury_call
):
    jury_call.offers_funding = True
    jury_call.envelope = Decimal("400000")
    jury_call.save()
    staff = factories.StaffFactory(programme=jury_call.programme)
    seat = factories.JuryMemberFactory(call=jury_call)
    criteria = list(jury_call.criteria.all())
    teams = {}
    for title, note in (("Mobilic", 5), ("Ma Cantine", 4), ("Docurba", 2)):
        proposal = _eligible(jury_call, title)
        proposal.yearly_budget, proposal.requested_amount = Decimal("600000"), Decimal("300000")
        proposal.save()
        teams[title] = factories.TeamMemberFactory(proposal=proposal, role="lead").user
        assignment = Assignment.objects.create(
            juror=seat, proposal=proposal, created_at=timezone.now()
        )
        jury.submit_evaluation(
            assignment,
            by=seat.user,
            now=timezone.now(),
            scores={c.pk: (note, "") for c in criteria},
            recommendation="yes",
        )
    sign_in(page, staff.email, PASSWORD)

    # The two best of the written review go to the auditions.
    page.goto(reverse("jury:auditions", args=[jury_call.slug]))
    page.get_by_label("Nombre de candidatures à auditionner").fill("2")
    page.get_by_role("button", name="Retenir les premières pour audition").click()
    expect(page.get_by_role("status")).to_be_visible()
    assert_accessible(page)
    assert set(jury_call.proposals.filter(state="shortlisted").values_list("title", flat=True)) == {
        "Mobilic",
        "Ma Cantine",
    }

    # The call goes to its deliberation from its own page.
    # The lifecycle step asks first, saying what it does.
    page.goto(reverse("calls:manage", args=[jury_call.slug]))
    page.get_by_role("link", name="Ouvrir la délibération").click()
    expect(page.get_by_role("main")).to_contain_text("Ce qui va se passer")
    assert_accessible(page)
    page.get_by_role("button", name="Ouvrir la délibération").click()
    page.goto(reverse("jury:deliberation", args=[jury_call.slug]))
    assert_accessible(page)

    def decide(title, outcome, justification, amount=""):
        row = page.locator("tr", has_text=title)
        # Rows are read-only: the row's link opens its decision form in place (issue 16).
        opener = row.get_by_role("link", name=re.compile("Décider|Changer la décision"))
        if opener.count():
            opener.click()
        row.get_by_label("Décision").select_option(label=outcome)
        row.get_by_label("Justification").fill(justification)
        if amount:
            row.get_by_label("Montant accordé (€)").fill(amount)
        row.get_by_role("button", name="Enregistrer la décision").click()

    decide("Mobilic", "Lauréate", "Impact mesuré, direction engagée.", "300000")
    expect(page.get_by_role("status")).to_contain_text("Décision enregistrée")
    # 300 000 € more would overrun the 400 000 € envelope: refused, with the reason.
    decide("Ma Cantine", "Lauréate", "Très bon dossier.", "300000")
    expect(page.get_by_role("alert").or_(page.locator(".fr-alert--error"))).to_contain_text(
        "enveloppe"
    )
    decide("Ma Cantine", "Lauréate", "Très bon dossier.", "100000")
    expect(page.get_by_role("status")).to_contain_text("Décision enregistrée")
    assert Decision.objects.filter(proposal__call=jury_call).count() == 2
    # Publishing asks first: who is told what.
    page.get_by_role("link", name="Publier les résultats").click()
    expect(page.get_by_role("main")).to_contain_text("Les courriers de 3 équipes")
    assert_accessible(page)
    page.get_by_role("button", name="Publier les résultats").click()

    # The outbox: drafts to read, then sent together, once to each team.
    expect(page.get_by_role("heading", level=1)).to_contain_text("Courriers")
    assert_accessible(page)
    mail.outbox.clear()  # the teams were told of their shortlisting before
    page.get_by_role("button", name="Envoyer les 3 courriers").click()
    expect(page.get_by_role("status")).to_be_visible()
    assert set(DecisionMail.objects.values_list("state", flat=True)) == {"released"}
    # One mail to each member of every team: the two decided, and the one left out of the
    # auditions (told it is not shortlisted).
    to = sorted(address for message in mail.outbox for address in message.to)
    told = TeamMember.objects.filter(proposal__title__in=["Mobilic", "Ma Cantine", "Docurba"])
    assert to == sorted(told.values_list("user__email", flat=True))
    assert teams["Mobilic"].email in to
    assert teams["Docurba"].email in to
