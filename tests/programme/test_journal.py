"""The Journal: audit entries read as French sentences, with old and new values, filtered,
paged by keyset and exported; one page on each call, proposal, promotion and laureate."""

import ast
import csv
import io
import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse

from calls import services as call_services
from calls.enums import CallState
from programme import audit, journal, keyset
from programme.models import AuditEntry
from projects.enums import ConflictKind
from projects.services import jury
from tests import factories

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _frozen(time_machine):
    # The pages load the call at "now": frozen before its closing, never the wall clock.
    time_machine.move_to(NOW, tick=False)


ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def ines(programme):
    return factories.StaffFactory(programme, user__first_name="Inès", user__last_name="Martin")


@pytest.fixture
def call(programme):
    return factories.CallFactory(
        programme=programme,
        state=CallState.PUBLISHED,
        opens_at=NOW - timedelta(days=10),
        closes_at=datetime(2026, 12, 1, 11, 0, tzinfo=UTC),
    )


def sentences(call_or_obj, condition=None):
    entries = AuditEntry.objects.filter(condition or journal.targets(call_or_obj))
    return [journal.describe(entry) for entry in entries.select_related("actor")]


def test_moving_the_closing_date_reads_as_a_sentence_with_the_reason(ines, call):
    audit.record(
        ines,
        "call.update",
        call,
        before=CallState.PUBLISHED,
        after=CallState.PUBLISHED,
        reason="Demande de la direction",
        changes={
            "closes_at": ["2026-12-01 11:00:00+00:00", "2026-12-03 11:00:00+00:00"],
            "title": ["Ancien titre", "Nouveau titre"],
        },
        at=NOW,
    )
    [line] = sentences(call)
    assert line.sentence == "Inès Martin a déplacé la clôture du 1er au 3 décembre 2026"
    assert line.reason == "Demande de la direction"
    labels = {change.label: (change.old, change.new) for change in line.changes}
    assert labels["Clôture"] == ("1er décembre 2026 à 12:00", "3 décembre 2026 à 12:00")
    assert labels["Titre"] == ("Ancien titre", "Nouveau titre")


def test_editing_a_call_records_the_old_and_new_value_of_each_field(ines, call):
    call.title = "Appel à projets 2027"
    call.max_funding_amount = Decimal("250000")
    call_services.update_call(call, by=ines, now=NOW)
    [line] = sentences(call)
    assert line.sentence == "Inès Martin a modifié l'appel"
    changes = {change.label: (change.old, change.new) for change in line.changes}
    assert changes["Titre"] == ("Appel à projets d'agents intrapreneurs", "Appel à projets 2027")
    assert changes["Montant maximal par projet"] == ("300\xa0000 €", "250\xa0000 €")
    assert len(changes) == 2


def test_jury_settings_read_as_fields_not_codes(ines, call):
    jury.update_jury_settings(
        call,
        hide_juror_names=True,
        allows_not_applicable=call.allows_not_applicable,
        disagreement_threshold=call.disagreement_threshold,
        review_closes_at=call.review_closes_at,
        by=ines,
        now=NOW,
    )
    [line] = sentences(call)
    assert line.sentence == "Inès Martin a modifié les réglages du jury"
    assert [(c.label, c.old, c.new) for c in line.changes] == [
        ("Masquer les noms des jurés entre eux", "non", "oui")
    ]
    assert "hide_juror_names" not in line.sentence + line.reason


def test_states_and_amounts_are_said_in_french(ines, call):
    audit.record(ines, "call.publish", call, before="draft", after="published", at=NOW)
    laureate = factories.LaureateFactory(cohort__programme=call.programme)
    audit.record(ines, "laureate.funding", laureate, before="250000", after="300000", at=NOW)
    [published] = sentences(call)
    assert published.sentence == "Inès Martin a publié l'appel (Brouillon → Publié)"
    [funding] = sentences(laureate)
    assert funding.sentence == (
        "Inès Martin a changé le financement accordé de 250\xa0000 € à 300\xa0000 €"
    )


def test_an_unknown_code_reads_as_a_sentence_never_as_the_code(ines, call):
    audit.record(ines, "call.something_new", call, at=NOW)
    audit.record(None, "mystery.thing", call, before="draft", after="published", at=NOW)
    lines = {line.entry.action: line for line in sentences(call)}
    assert lines["call.something_new"].sentence == "Inès Martin a modifié l'appel"
    assert lines["mystery.thing"].sentence == (
        "Le portail a effectué une action (Brouillon → Publié)"
    )
    for line in lines.values():
        assert "." not in line.sentence
        assert "_" not in line.sentence


def _action_codes() -> set[str]:
    """Every literal action code passed to `audit.record` / `record_many` in the code."""
    codes = set()
    for app in ("programme", "calls", "projects", "cohorts"):
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute)
                    and node.func.attr in ("record", "record_many")
                    and len(node.args) >= 2
                ):
                    for arg in ast.walk(node.args[1]):
                        if (
                            isinstance(arg, ast.Constant)
                            and isinstance(arg.value, str)
                            and re.fullmatch(r"[a-z_]+\.[a-z_.]*[a-z]", arg.value)
                        ):
                            codes.add(arg.value)
    return codes


def test_every_action_of_the_code_has_its_sentence():
    codes = _action_codes()
    # The codes built at run time: the call's transitions, its items, the conflicts.
    codes |= {f"call.{name}" for name in call_services.TRANSITIONS}
    codes |= {
        f"call.{kind}.{verb}"
        for kind in ("criterion", "question", "defi")
        for verb in ("add", "edit", "delete", "move")
    }
    codes |= {f"jury.conflict_{kind}" for kind in ConflictKind.values}
    assert len(codes) > 60
    assert sorted(codes - set(journal.SENTENCES)) == []


def test_the_call_page_shows_the_journal_in_sentences(client, ines, call):
    audit.record(ines, "call.create", call, after="draft", at=NOW)
    client.force_login(ines)
    page = client.get(reverse("calls:manage", args=[call.slug])).content.decode()
    assert "Inès Martin a créé l&#x27;appel" in page or "Inès Martin a créé l'appel" in page
    assert "call.create" not in page


def _many_entries(call, people, n):
    for i in range(n):
        audit.record(
            people[i % len(people)],
            "call.update" if i % 4 in (1, 2) else "jury.assign",
            call,
            changes={"title": [f"Titre {i}", f"Titre {i + 1}"]},
            at=NOW + timedelta(minutes=i // 3),  # several entries share a moment
        )


def test_the_journal_pages_by_keyset_without_losing_or_repeating_a_line(client, ines, call):
    _many_entries(call, [ines], 120)
    client.force_login(ines)
    url = reverse("calls:journal", args=[call.slug])
    seen, before, pages = [], None, 0
    while True:
        response = client.get(url, {keyset.PARAM: before} if before else {})
        pages += 1
        seen += [line.entry.pk for line in response.context["journal"]]
        before = response.context["page"].next
        if not before:
            break
    assert pages == 3
    assert len(seen) == len(set(seen)) == 120
    expected = list(AuditEntry.objects.filter(journal.targets(call)).values_list("pk", flat=True))
    assert seen == expected


def test_the_journal_filters_by_person_and_kind_in_the_address(client, ines, programme, call):
    paul = factories.StaffFactory(programme, user__first_name="Paul", user__last_name="Roy")
    _many_entries(call, [ines, paul], 8)
    client.force_login(ines)
    url = reverse("calls:journal", args=[call.slug])
    by_paul = client.get(url, {"personne": paul.pk}).context["journal"]
    assert len(by_paul) == 4
    assert {line.actor for line in by_paul} == {"Paul Roy"}
    jury_only = client.get(url, {"type": "jury"}).context["journal"]
    assert len(jury_only) == 4
    assert {line.kind for line in jury_only} == {"Jury"}
    both = client.get(url, {"type": "call", "personne": ines.pk}).context["journal"]
    assert {(line.actor, line.kind) for line in both} == {("Inès Martin", "Appel")}
    page = client.get(url, {"type": "jury"}).content.decode()
    assert '<option value="jury" selected>Jury</option>' in page


@pytest.mark.parametrize("n", [5, 60])
def test_the_journal_page_costs_the_same_queries_at_any_size(
    client, ines, call, n, django_assert_num_queries
):
    _many_entries(call, [ines, factories.StaffFactory(call.programme)], n)
    client.force_login(ines)
    url = reverse("calls:journal", args=[call.slug])
    client.get(url)
    with django_assert_num_queries(8):
        assert client.get(url).status_code == 200


def test_the_journal_exports_as_csv_and_xlsx(client, ines, call):
    audit.record(
        ines,
        "call.update",
        call,
        reason="=HYPERLINK()",
        changes={"closes_at": ["2026-12-01 11:00:00+00:00", "2026-12-03 11:00:00+00:00"]},
        at=NOW,
    )
    client.force_login(ines)
    url = reverse("calls:journal", args=[call.slug])
    response = client.get(url, {"export": "csv"})
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0] == ["Date", "Auteur", "Type", "Action", "Motif", "Modifications"]
    assert rows[1][1:4] == [
        "Inès Martin",
        "Appel",
        "Inès Martin a déplacé la clôture du 1er au 3 décembre 2026",
    ]
    assert rows[1][4] == "'=HYPERLINK()"
    assert rows[1][5] == "Clôture : 1er décembre 2026 à 12:00 → 3 décembre 2026 à 12:00"
    xlsx = client.get(url, {"export": "xlsx"})
    assert xlsx["Content-Disposition"].endswith('.xlsx"')


def test_the_proposal_journal_gathers_its_screening_conflicts_and_evaluations(client, ines, call):
    proposal = factories.ProposalFactory(call=call)
    audit.record(ines, "proposal.screen", proposal, before="submitted", after="eligible", at=NOW)
    seat = factories.JuryMemberFactory(call=call)
    assignment = factories.AssignmentFactory(juror=seat, proposal=proposal)
    from projects.models import Evaluation

    evaluation = Evaluation.objects.create(assignment=assignment, updated_at=NOW)
    audit.record(seat.user, "jury.evaluation_submit", evaluation, before="draft",
                 after="submitted", at=NOW)  # fmt: skip
    other = factories.ProposalFactory(call=call)
    audit.record(ines, "proposal.screen", other, before="submitted", after="ineligible", at=NOW)
    client.force_login(ines)
    response = client.get(reverse("projects:journal", args=[proposal.public_id]))
    texts = [line.sentence for line in response.context["journal"]]
    assert "Inès Martin a examiné la recevabilité : Recevable" in texts
    assert any(text.endswith("a remis son évaluation (Brouillon → Soumise)") for text in texts)
    assert not any("Irrecevable" in text for text in texts)


def test_the_team_does_not_see_its_proposal_journal(client, call):
    proposal = factories.ProposalFactory(call=call)
    client.force_login(proposal.created_by)
    assert client.get(reverse("projects:journal", args=[proposal.public_id])).status_code == 404


def test_the_cohort_and_laureate_journals(client, ines, programme):
    laureate = factories.LaureateFactory(cohort__programme=programme)
    audit.record(ines, "cohort.publish", laureate.cohort, before="draft", after="published",
                 at=NOW)  # fmt: skip
    audit.record(
        ines, "laureate.phase", laureate, before="construction", after="acceleration", at=NOW
    )
    client.force_login(ines)
    cohort_page = client.get(reverse("cohorts:journal", args=[laureate.cohort.slug]))
    assert len(cohort_page.context["journal"]) == 2
    laureate_page = client.get(
        reverse("cohorts:laureate-journal", args=[laureate.cohort.slug, laureate.pk])
    )
    [line] = laureate_page.context["journal"]
    assert line.sentence == "Inès Martin a fait passer le lauréat de Construction à Accélération"


def test_the_admin_journal_shows_the_same_sentence(client, ines, call):
    audit.record(ines, "call.publish", call, before="draft", after="published", at=NOW)
    admin = factories.UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    page = client.get(reverse("admin:programme_auditentry_changelist")).content.decode()
    assert "Inès Martin a publié l&#x27;appel (Brouillon → Publié)" in page


def test_a_reason_listing_field_codes_reads_as_field_names(ines, call):
    audit.record(ines, "admin.change", call, reason="title, closes_at", at=NOW)
    [line] = sentences(call)
    assert line.sentence == "Inès Martin a modifié l'objet dans l'administration"
    assert line.reason == "champs modifiés : titre, clôture"
