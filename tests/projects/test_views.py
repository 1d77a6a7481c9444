"""The proposal pages, for each role that may and may not see them."""

import csv
import io
import re
from datetime import timedelta
from urllib.parse import urlencode

import openpyxl
import pytest
import time_machine
from django.core import mail as django_mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from calls.enums import QuestionKind
from programme.models import AuditEntry
from projects.enums import ExportStatus, ProposalState
from projects.models import ExportJob, Proposal, TeamMember
from projects.services import proposals as services
from projects.services import screening
from tests import factories
from tests.projects.conftest import CLOSES_AT, NOW, PDF, complete

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def submitted(proposal, agent, question):
    complete(proposal, agent)
    services.submit_proposal(proposal, by=agent, now=NOW)
    return proposal


@pytest.fixture
def attachment(proposal, agent):
    upload = SimpleUploadedFile("dossier.pdf", PDF, content_type="application/pdf")
    return services.add_attachment(proposal, by=agent, upload=upload, now=NOW)


def _pages(proposal, attachment):
    pid = proposal.public_id
    return [
        reverse("projects:detail", args=[pid]),
        reverse("projects:team", args=[pid]),
        reverse("projects:attachments", args=[pid]),
        reverse("projects:attachment", args=[pid, attachment.public_id]),
    ]


ROLES_DENIED = ["other_agent", "other_staff", "juror"]


def _user_for(role, proposal):
    if role == "other_agent":
        return factories.UserFactory()
    if role == "other_staff":
        return factories.StaffFactory()
    if role == "juror":
        return factories.JuryMemberFactory(call=proposal.call).user
    raise AssertionError(role)


def test_team_member_sees_every_page_of_their_proposal(client, proposal, agent, attachment):
    client.force_login(agent)
    for url in _pages(proposal, attachment) + [reverse("projects:edit", args=[proposal.public_id])]:
        assert client.get(url).status_code == 200, url


def test_programme_staff_see_the_proposal_but_do_not_edit_it(client, proposal, staff, attachment):
    client.force_login(staff)
    for url in _pages(proposal, attachment):
        assert client.get(url).status_code == 200, url
    assert client.get(reverse("projects:edit", args=[proposal.public_id])).status_code == 404


@pytest.mark.parametrize("role", ROLES_DENIED)
def test_others_get_a_404(client, proposal, attachment, role):
    client.force_login(_user_for(role, proposal))
    for url in _pages(proposal, attachment) + [reverse("projects:edit", args=[proposal.public_id])]:
        assert client.get(url).status_code == 404, url


def test_visitors_are_sent_to_sign_in(client, proposal, attachment):
    for url in _pages(proposal, attachment) + [reverse("projects:mine")]:
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_attachment_download_serves_the_pdf(client, proposal, agent, attachment):
    client.force_login(agent)
    response = client.get(
        reverse("projects:attachment", args=[proposal.public_id, attachment.public_id])
    )
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]


def test_my_proposals_lists_only_mine_with_the_next_step(client, proposal, agent):
    factories.ProposalFactory(title="Projet d'un autre")
    client.force_login(agent)
    html = client.get(reverse("projects:mine")).content.decode()
    assert "Aides territoires" in html
    assert "Projet d&#x27;un autre" not in html
    assert "Brouillon" in html
    assert "Complétez votre candidature" in html


def test_dashboard_links_to_my_proposals(client, agent):
    client.force_login(agent)
    html = client.get(reverse("dashboard")).content.decode()
    assert reverse("projects:mine") in html


def test_the_call_page_offers_to_start_while_open(client, call, agent):
    client.force_login(agent)
    html = client.get(call.get_absolute_url()).content.decode()
    assert reverse("projects:start", args=[call.slug]) in html
    with time_machine.travel(CLOSES_AT, tick=False):
        client.force_login(agent)
        html = client.get(call.get_absolute_url()).content.decode()
    assert reverse("projects:start", args=[call.slug]) not in html


def test_start_a_proposal_from_the_call(client, call, agent):
    client.force_login(agent)
    response = client.post(reverse("projects:start", args=[call.slug]), {"title": "Mon projet"})
    proposal = Proposal.objects.get(title="Mon projet")
    assert response.url == reverse("projects:edit", args=[proposal.public_id])
    assert proposal.team.get().user == agent


def test_start_needs_sign_in(client, call):
    response = client.get(reverse("projects:start", args=[call.slug]))
    assert response.url.startswith(reverse("login"))


# Editing: nothing typed is lost ------------------------------------------------------------


def test_the_proposal_page_shows_the_amounts_the_french_way(client, proposal, agent):
    from decimal import Decimal

    proposal.call.offers_funding = True
    proposal.call.save()
    Proposal.objects.filter(pk=proposal.pk).update(
        yearly_budget=Decimal("250000"), requested_amount=Decimal("100000.50")
    )
    client.force_login(agent)
    html = client.get(proposal.get_absolute_url()).content.decode()
    assert "250\u202f000 €" in html or "250\xa0000 €" in html
    assert "100\u202f000,50 €" in html or "100\xa0000,50 €" in html


def test_edit_page_lists_what_is_missing(client, proposal, agent, question):
    client.force_login(agent)
    html = client.get(reverse("projects:edit", args=[proposal.public_id])).content.decode()
    assert "Avant de déposer, il manque" in html
    assert "Quel problème résolvez-vous" in html
    assert "Déposer ma candidature" not in html


def test_invalid_input_comes_back_with_every_value_and_a_message_per_field(
    client, proposal, agent, question
):
    budget = factories.QuestionFactory(
        call=proposal.call, label="Nombre d'usagers", kind=QuestionKind.NUMBER
    )
    client.force_login(agent)
    response = client.post(
        reverse("projects:edit", args=[proposal.public_id]),
        {
            "version": 1,
            "title": "Aides territoires",
            "summary": "Un résumé que je ne veux pas perdre",
            f"q_{question.pk}": "Ma longue réponse",
            f"q_{budget.pk}": "douze",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Un résumé que je ne veux pas perdre" in html
    assert "Ma longue réponse" in html
    assert 'value="douze"' in html
    assert "Saisissez un nombre." in html
    assert Proposal.objects.get(pk=proposal.pk).summary == ""


def test_a_stale_save_is_refused_and_the_text_kept(client, proposal, agent, question):
    mate = factories.TeamMemberFactory(proposal=proposal).user
    url = reverse("projects:edit", args=[proposal.public_id])
    client.force_login(agent)
    client.post(url, {"version": 1, "title": "Aides territoires", "summary": "Texte d'Alice"})
    client.force_login(mate)
    response = client.post(
        url, {"version": 1, "title": "Aides territoires", "summary": "Texte de Bob"}
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "pendant que vous la modifiiez" in html
    assert "Texte de Bob" in html
    assert Proposal.objects.get(pk=proposal.pk).summary == "Texte d&#x27;Alice".replace(
        "&#x27;", "'"
    )


def test_submit_from_the_page_then_receipt_and_new_state(
    client, proposal, agent, question, django_capture_on_commit_callbacks
):
    complete(proposal, agent)
    client.force_login(agent)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("projects:submit", args=[proposal.public_id]),
            {"attestation": "on"},
            follow=True,
        )
    html = response.content.decode()
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.SUBMITTED
    assert proposal.reference in html
    assert "Version 1" in html
    assert len(django_mail.outbox) == 1


def test_after_the_deadline_no_submit_button_and_a_forged_post_is_refused(
    client, proposal, agent, question
):
    complete(proposal, agent)
    with time_machine.travel(CLOSES_AT + timedelta(minutes=1), tick=False):
        client.force_login(agent)  # sessions last 8 hours: sign in at the new time
        html = client.get(proposal.get_absolute_url()).content.decode()
        assert "Déposer ma candidature" not in html
        response = client.post(
            reverse("projects:submit", args=[proposal.public_id]),
            {"attestation": "on"},
            follow=True,
        )
    assert "clos depuis le" in response.content.decode()
    assert Proposal.objects.get(pk=proposal.pk).state == ProposalState.DRAFT


def test_an_outsider_cannot_submit_or_withdraw(client, submitted):
    client.force_login(factories.UserFactory())
    for name in ("projects:submit", "projects:withdraw"):
        assert client.post(reverse(name, args=[submitted.public_id])).status_code == 404
    assert Proposal.objects.get(pk=submitted.pk).state == ProposalState.SUBMITTED


def test_withdraw_from_the_page_goes_through_its_confirmation(client, submitted, agent):
    client.force_login(agent)
    url = reverse("projects:withdraw", args=[submitted.public_id])
    detail = client.get(submitted.get_absolute_url()).content.decode()
    assert f'href="{url}"' in detail
    page = client.get(url).content.decode()
    assert "Retirer la candidature ?" in page
    assert "Cette action ne peut pas être annulée." in page
    assert Proposal.objects.get(pk=submitted.pk).state == ProposalState.SUBMITTED
    client.post(url)
    assert Proposal.objects.get(pk=submitted.pk).state == ProposalState.WITHDRAWN


def test_upload_refuses_a_non_pdf_with_a_clear_error(client, proposal, agent):
    client.force_login(agent)
    fake = SimpleUploadedFile("note.pdf", b"GIF89a...", content_type="application/pdf")
    response = client.post(
        reverse("projects:attachments", args=[proposal.public_id]), {"file": fake}
    )
    assert response.status_code == 400
    assert "n&#x27;est pas un PDF" in response.content.decode()
    assert not proposal.attachments.exists()


def test_invite_and_join_through_the_pages(
    client, proposal, agent, django_capture_on_commit_callbacks
):
    client.force_login(agent)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("projects:team", args=[proposal.public_id]), {"email": "mate@exemple.gouv.fr"}
        )
    body = django_mail.outbox[0].body
    path = body[body.index("/candidatures/rejoindre/") :].split()[0]
    mate = factories.UserFactory(email="mate@exemple.gouv.fr")
    client.force_login(mate)
    assert client.get(path).status_code == 200
    response = client.post(path)
    assert response.url == proposal.get_absolute_url()
    assert TeamMember.objects.filter(proposal=proposal, user=mate).exists()


def test_version_page_shows_the_receipt(client, submitted, agent):
    client.force_login(agent)
    html = client.get(reverse("projects:version", args=[submitted.public_id, 1])).content.decode()
    version = submitted.versions.get()
    assert version.sha256 in html
    assert version.reference in html


def test_message_thread_on_the_page(client, submitted, agent, staff):
    client.force_login(agent)
    client.post(reverse("projects:message", args=[submitted.public_id]), {"body": "Bonjour !"})
    client.force_login(staff)
    html = client.get(submitted.get_absolute_url()).content.decode()
    assert "Bonjour !" in html
    assert "Instruction" in html


# Staff side ---------------------------------------------------------------------------------


def _list_url(call):
    return reverse("projects:call-proposals", args=[call.slug])


def test_staff_list_shows_submitted_proposals_only(client, submitted, staff, agent):
    services.start_proposal(submitted.call, by=agent, now=NOW, title="Brouillon secret")
    client.force_login(staff)
    html = client.get(_list_url(submitted.call)).content.decode()
    assert "Aides territoires" in html
    assert "Brouillon secret" not in html


@pytest.mark.parametrize("role", ["agent", "other_staff", "juror"])
def test_staff_list_is_forbidden_to_others(client, submitted, role, agent):
    user = agent if role == "agent" else _user_for(role, submitted)
    client.force_login(user)
    assert client.get(_list_url(submitted.call)).status_code == 403


def test_staff_list_needs_sign_in(client, call):
    assert client.get(_list_url(call)).url.startswith(reverse("login"))


def test_staff_list_filters_and_search(client, call, staff):
    lead = factories.UserFactory(last_name="Lagarde")
    for title, state in (("Titres miniers", "eligible"), ("Rejets dans l'air", "submitted")):
        factories.ProposalFactory(call=call, title=title, state=state, created_by=lead)
    client.force_login(staff)
    html = client.get(_list_url(call), {"state": "eligible"}).content.decode()
    assert "Titres miniers" in html
    assert "Rejets dans" not in html
    html = client.get(_list_url(call), {"q": "rejets"}).content.decode()
    assert "Titres miniers" not in html
    assert "Rejets dans" in html
    html = client.get(_list_url(call), {"ordering": "-title"}).content.decode()
    assert html.index("Titres miniers") < html.index("Rejets dans")


def test_a_very_long_search_gives_the_list_with_a_message_not_a_server_error(client, call, staff):
    factories.ProposalFactory(call=call, title="Titres miniers", state="submitted")
    client.force_login(staff)
    response = client.get(_list_url(call), {"q": "%_" * 25_000})
    assert response.status_code == 200
    html = response.content.decode()
    assert "La recherche compte au plus 200 caractères" in html
    assert "Titres miniers" in html  # the search is left out, the list stays


def test_staff_list_filters_by_the_structure_s_region(client, call, staff):
    from programme.enums import Region

    for title, region in (("Pénurie d'eau", Region.OCCITANIE), ("Aides territoires", "")):
        factories.ProposalFactory(
            call=call,
            title=title,
            state="submitted",
            structure=factories.StructureFactory(name=f"Service {title}", region=region),
        )
    client.force_login(staff)
    html = client.get(_list_url(call), {"region": Region.OCCITANIE}).content.decode()
    assert "Pénurie d" in html
    assert "Aides territoires" not in html
    assert "Occitanie" in html  # the filter offers the regions by name


def _bulk_proposals(call, count):
    users = factories.UserFactory.create_batch(2)
    structure = users[0].structure
    proposals = Proposal.objects.bulk_create(
        Proposal(
            call=call,
            title=f"Projet {n}",
            state=ProposalState.SUBMITTED,
            structure=structure,
            created_by=users[0],
            sequence=n + 1,
            reference=f"X-{call.pk}-{n:05d}",
        )
        for n in range(count)
    )
    TeamMember.objects.bulk_create(TeamMember(proposal=p, user=u) for p in proposals for u in users)


# session, user, call, roles, défi filter, the page's ids (keyset), its rows, their teams,
# the call's eligibility conditions (read once), the count, site config: the same for 5
# proposals as for 1,000, and on page 20 as on page 1.
QUERIES = 11


def _cursor_after(call, n, sort="reference"):
    """The cursor of the staff list's page that starts after the n-th row (by reference)."""
    from programme import keyset
    from projects.queries import proposals as queries

    row = Proposal.objects.get(call=call, sequence=n)
    return keyset.cursor_of(queries.staff_keys(sort), row, n, salt=queries.staff_salt(call, sort))


@pytest.mark.parametrize(("size", "page"), [(5, 1), (50, 1), (1000, 1), (1000, 20)])
def test_staff_list_runs_a_fixed_number_of_queries(
    client, call, staff, size, page, django_assert_num_queries
):
    _bulk_proposals(call, size)
    client.force_login(staff)
    first = (page - 1) * 50
    params = {"apres": _cursor_after(call, first)} if first else {}
    with django_assert_num_queries(QUERIES):
        response = client.get(_list_url(call), params)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('name="selected"') == min(size, 50)
    assert f"Projet {first}<" in html
    assert f"Projet {first - 1}<" not in html
    if size > 50:
        assert f"Candidatures {first + 1} à {first + 50}" in html
    assert f"{size} candidatures déposées" in html or size == 1


NEXT_LINK = re.compile(r'href="(\?[^"]*apres=[^"]*)">Candidatures suivantes')


def _walk(client, call, params):
    """Every title of the staff list, following its "next" links from the first page."""
    titles, url, pages = [], _list_url(call) + "?" + urlencode(params), 0
    while url:
        html = client.get(url).content.decode()
        titles += re.findall(r'<td><a href="/candidatures/[^"]+">([^<]+)</a></td>', html)
        found = NEXT_LINK.search(html)
        url = _list_url(call) + found.group(1).replace("&amp;", "&") if found else ""
        pages += 1
    return titles, pages


@pytest.mark.parametrize(
    "ordering",
    ["title", "-title", "state", "-reference", "structure", "submitted_at", "-submitted_at"],
)
def test_staff_list_pages_follow_each_other_without_gap_or_duplicate_across_ties(
    client, call, staff, ordering
):
    _bulk_proposals(call, 130)
    # Three titles, two states, four dates and missing ones for 130 rows: most rows tie on
    # the sort key, and pages end on missing values.
    for proposal in Proposal.objects.filter(call=call):
        proposal.title = f"Projet {proposal.sequence % 3} n°{proposal.sequence}"
        proposal.state = ProposalState.ELIGIBLE if proposal.sequence % 2 else proposal.state
        day = proposal.sequence % 5
        proposal.submitted_at = NOW - timedelta(days=day) if day else None
        proposal.save(update_fields=["title", "state", "submitted_at"])
    client.force_login(staff)
    titles, pages = _walk(client, call, {"ordering": ordering})
    assert pages == 3
    assert len(titles) == 130
    assert len(set(titles)) == 130
    if ordering.lstrip("-") == "title":
        keys = [t.split(" n°")[0] for t in titles]
        assert keys == sorted(keys, reverse=ordering.startswith("-"))


def test_staff_list_pages_keep_the_filters_and_the_sort(client, call, staff):
    _bulk_proposals(call, 130)
    Proposal.objects.filter(call=call, sequence__lte=70).update(state=ProposalState.ELIGIBLE)
    client.force_login(staff)
    titles, pages = _walk(client, call, {"state": "eligible", "ordering": "-reference"})
    assert pages == 2
    assert titles == [f"Projet {n}" for n in range(69, -1, -1)]


def test_a_tampered_cursor_gives_the_first_page(client, call, staff):
    _bulk_proposals(call, 60)
    client.force_login(staff)
    html = client.get(_list_url(call), {"apres": "forged", "page": "3"}).content.decode()
    assert "Projet 0<" in html
    assert "Premières candidatures" not in html


def test_staff_screen_a_selection_from_the_list(
    client, call, staff, agent, question, django_capture_on_commit_callbacks
):
    proposals = []
    for title in ("Un", "Deux"):
        proposal = services.start_proposal(call, by=agent, now=NOW, title=title)
        complete(proposal, agent)
        services.submit_proposal(proposal, by=agent, now=NOW)
        proposals.append(proposal)
    with (
        time_machine.travel(CLOSES_AT + timedelta(days=1), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        client.force_login(staff)
        client.post(
            reverse("projects:screen-selection", args=[call.slug]),
            {
                "selected": [str(p.public_id) for p in proposals],
                "decision": "ineligible",
                "reason": "Hors périmètre.",
            },
        )
    assert set(Proposal.objects.values_list("state", flat=True)) == {ProposalState.INELIGIBLE}
    assert set(Proposal.objects.values_list("ineligibility_reason", flat=True)) == {
        "Hors périmètre."
    }
    # Each screening is audited; the letters wait in the decision outbox.
    assert AuditEntry.objects.filter(action="proposal.screen", to_state="ineligible").count() == 2
    assert django_mail.outbox == []


def test_another_programme_staff_cannot_screen(client, submitted):
    client.force_login(factories.StaffFactory())
    response = client.post(
        reverse("projects:screen-selection", args=[submitted.call.slug]),
        {"selected": [str(submitted.public_id)], "decision": "eligible"},
    )
    assert response.status_code == 403
    assert Proposal.objects.get(pk=submitted.pk).state == ProposalState.SUBMITTED


# Exports ------------------------------------------------------------------------------------


def _export(client, call, fmt, capture):
    with capture(execute=True):
        response = client.post(reverse("projects:export", args=[call.slug]), {"format": fmt})
    job = ExportJob.objects.get()
    assert response.url == reverse("projects:export-job", args=[job.public_id])
    return job


def test_csv_export_has_every_answer(
    client, submitted, staff, question, django_capture_on_commit_callbacks
):
    client.force_login(staff)
    job = _export(client, submitted.call, "csv", django_capture_on_commit_callbacks)
    status = client.get(reverse("projects:export-status", args=[job.public_id])).json()
    assert status["status"] == ExportStatus.DONE
    assert status["percent"] == 100
    response = client.get(status["download"])
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(content), delimiter=";"))
    assert rows[0][-1] == "Quel problème résolvez-vous ?"
    assert rows[1][0] == submitted.reference
    assert rows[1][-1] == "Une réponse"


def test_xlsx_export_opens_with_openpyxl(
    client, submitted, staff, django_capture_on_commit_callbacks
):
    client.force_login(staff)
    job = _export(client, submitted.call, "xlsx", django_capture_on_commit_callbacks)
    response = client.get(reverse("projects:export-file", args=[job.public_id]))
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = workbook.active
    assert sheet.cell(row=1, column=1).value == "Référence"
    assert sheet.cell(row=2, column=1).value == submitted.reference
    assert sheet.cell(row=2, column=2).value == "Aides territoires"


def test_export_pages_belong_to_the_requester(
    client, submitted, staff, agent, django_capture_on_commit_callbacks
):
    client.force_login(staff)
    job = _export(client, submitted.call, "csv", django_capture_on_commit_callbacks)
    page = reverse("projects:export-job", args=[job.public_id])
    assert "Télécharger le fichier" in client.get(page).content.decode()
    for user in (agent, factories.StaffFactory()):
        client.force_login(user)
        assert client.get(page).status_code == 404
        assert client.get(reverse("projects:export-file", args=[job.public_id])).status_code == 404
    client.force_login(agent)
    response = client.post(
        reverse("projects:export", args=[submitted.call.slug]), {"format": "csv"}
    )
    assert response.status_code == 403


def test_every_question_kind_is_a_form_field_and_round_trips(client, proposal, agent, attachment):
    call = proposal.call
    kinds = {
        kind: factories.QuestionFactory(
            call=call,
            label=f"Question {kind}",
            kind=kind,
            choices=["Investigation", "Construction"] if "choice" in kind else [],
        )
        for kind in QuestionKind.values
    }
    client.force_login(agent)
    url = reverse("projects:edit", args=[proposal.public_id])
    html = client.get(url).content.decode()
    for question in kinds.values():
        assert question.label in html
    assert 'type="file"' in html  # a file question takes its file on the question itself
    upload = SimpleUploadedFile("annexe.pdf", PDF, content_type="application/pdf")
    response = client.post(
        url,
        {
            "version": 1,
            "title": "Aides territoires",
            "summary": "Résumé",
            f"q_{kinds['short_text'].pk}": "Court",
            f"q_{kinds['long_text'].pk}": "Long texte",
            f"q_{kinds['single_choice'].pk}": "Construction",
            f"q_{kinds['multiple_choice'].pk}": ["Investigation", "Construction"],
            f"q_{kinds['number'].pk}": "12,5",
            f"q_{kinds['yes_no'].pk}": "oui",
            f"q_{kinds['file'].pk}": upload,
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    stored = {a.question.kind: a.value for a in proposal.answers.select_related("question")}
    assert stored == {
        "short_text": "Court",
        "long_text": "Long texte",
        "single_choice": "Construction",
        "multiple_choice": ["Investigation", "Construction"],
        "number": "12.5",
        "yes_no": True,
        "file": str(proposal.attachments.get(original_name="annexe.pdf").public_id),
    }
    html = client.get(url).content.decode()
    assert 'value="Court"' in html
    assert "Long texte" in html


def test_a_choice_outside_the_list_is_refused_with_the_rest_kept(client, proposal, agent):
    question = factories.QuestionFactory(
        call=proposal.call, label="Phase", kind=QuestionKind.SINGLE_CHOICE, choices=["A", "B"]
    )
    client.force_login(agent)
    response = client.post(
        reverse("projects:edit", args=[proposal.public_id]),
        {"version": 1, "title": "Aides territoires", "summary": "Gardé", f"q_{question.pk}": "Z"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Sélectionnez un choix valide" in html
    assert "Gardé" in html


def test_the_call_page_leads_its_staff_to_the_proposals(client, call, staff, agent):
    link = f'href="{_list_url(call)}"'
    client.force_login(staff)
    assert link in client.get(call.get_absolute_url()).content.decode()
    client.force_login(agent)
    assert link not in client.get(call.get_absolute_url()).content.decode()


def test_staff_screen_one_proposal_from_its_page(client, submitted, staff, agent):
    url = reverse("projects:screen", args=[submitted.public_id])
    with time_machine.travel(CLOSES_AT + timedelta(days=1), tick=False):
        client.force_login(agent)
        assert client.post(url, {"decision": "eligible"}).status_code == 404
        client.force_login(staff)
        html = client.post(url, {"decision": "ineligible"}, follow=True).content.decode()
        assert "Indiquez le motif" in html
        client.post(url, {"decision": "eligible"})
    assert Proposal.objects.get(pk=submitted.pk).state == ProposalState.ELIGIBLE


def test_correction_round_trip_through_the_pages(client, submitted, staff, agent):
    after = CLOSES_AT + timedelta(days=1)
    with time_machine.travel(after, tick=False):
        client.force_login(staff)
        client.post(
            reverse("projects:request-correction", args=[submitted.public_id]),
            {"reason": "Ajoutez le nom du sponsor.", "deadline": "2026-04-10T12:00"},
        )
        client.force_login(agent)
        html = client.get(submitted.get_absolute_url()).content.decode()
        assert "Ajoutez le nom du sponsor." in html
        assert "Renvoyer la candidature corrigée" in html
        edit = client.get(reverse("projects:edit", args=[submitted.public_id])).content.decode()
        assert "Enregistrer les modifications" in edit
        client.post(reverse("projects:send-back", args=[submitted.public_id]))
    assert submitted.versions.count() == 2
    assert submitted.correction_requests.get().sent_back_at == after


def test_an_outsider_cannot_post_in_the_thread(client, submitted):
    client.force_login(factories.StaffFactory())
    url = reverse("projects:message", args=[submitted.public_id])
    assert client.post(url, {"body": "Intrusion"}).status_code == 404
    assert not submitted.messages.exists()


def test_a_team_outside_the_eligible_structures_is_warned(client, proposal, agent):
    call = proposal.call
    call.eligible_structure_types = ["central"]
    call.save()
    client.force_login(agent)
    html = client.get(proposal.get_absolute_url()).content.decode()
    assert "ne fait pas partie des structures admises" in html
    assert "Administration centrale" in html


@pytest.mark.parametrize("size", [3, 30])
def test_my_proposals_runs_a_fixed_number_of_queries(
    client, agent, size, django_assert_num_queries
):
    for n in range(size):
        factories.ProposalFactory(created_by=agent, title=f"Projet {n}")
    client.force_login(agent)
    with django_assert_num_queries(4):  # session, user, proposals with calls, site config
        response = client.get(reverse("projects:mine"))
    assert response.content.decode().count("Projet ") >= size


def test_my_proposals_tells_when_a_correction_is_due(client, submitted, staff, agent):
    after = CLOSES_AT + timedelta(days=1)
    screening.request_correction(
        submitted, by=staff, reason="Budget", deadline=after + timedelta(days=7), now=after
    )
    client.force_login(agent)
    html = client.get(reverse("projects:mine")).content.decode()
    assert "Correction demandée : renvoyez la candidature avant le 6 avril 2026" in html


def test_after_the_deadline_the_next_step_no_longer_offers_changes(client):
    from django.utils import timezone

    proposal = factories.ProposalFactory(state=ProposalState.SUBMITTED)
    proposal.call.closes_at = timezone.now() - timedelta(minutes=1)
    proposal.call.save(update_fields=["closes_at"])
    client.force_login(proposal.created_by)
    for url in (reverse("projects:mine"), proposal.get_absolute_url()):
        html = client.get(url).content.decode()
        assert "examine sa recevabilité" in html
        assert "vous pouvez encore la modifier" not in html


def test_the_cached_filter_form_shows_what_each_search_typed(client, call, staff):
    factories.ProposalFactory(call=call, title="Titres miniers", state="submitted")
    client.force_login(staff)
    for _ in range(2):  # the second time from the cache
        assert 'value="miniers"' in client.get(_list_url(call), {"q": "miniers"}).text
        html = client.get(_list_url(call), {"q": "haies", "utm": "x"}).text
        assert 'value="haies"' in html
        assert 'value="miniers"' not in html
        assert 'value="haies"' not in client.get(_list_url(call)).text
