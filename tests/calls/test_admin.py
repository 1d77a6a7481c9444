"""The call's admin: its state is read-only; it moves only through actions calling the services."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from calls.enums import CallState
from programme.models import AuditEntry
from tests import factories

pytestmark = pytest.mark.django_db


class FormValues(HTMLParser):
    """What a browser would send from the page's main form: every named field's value."""

    def __init__(self):
        super().__init__()
        self.data: dict[str, list[str]] = {}
        self.select: str | None = None
        self.textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("submit", "button", "file"):
            if attrs.get("type") in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.data.setdefault(name, []).append(attrs.get("value") or "")
        elif tag == "select" and name:
            self.select = name
            self.data.setdefault(name, [])
        elif tag == "option" and self.select and "selected" in attrs:
            self.data[self.select].append(attrs.get("value") or "")
        elif tag == "textarea" and name:
            self.textarea = name
            self.data[name] = [""]

    def handle_data(self, data):
        if self.textarea:
            self.data[self.textarea][0] += data

    def handle_endtag(self, tag):
        if tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None


def change_form(client, call) -> dict[str, list[str]]:
    response = client.get(reverse("admin:calls_call_change", args=[call.pk]))
    assert response.status_code == 200
    reader = FormValues()
    reader.feed(response.content.decode())
    return reader.data


def test_a_superuser_posting_another_state_on_the_change_form_does_not_change_it(admin_client):
    call = factories.CallFactory(state=CallState.DRAFT)
    data = change_form(admin_client, call)
    assert "state" not in data  # shown, not editable
    data["state"] = [CallState.RESULTS_PUBLISHED]
    data["title"] = ["Un titre corrigé dans l'administration"]
    response = admin_client.post(reverse("admin:calls_call_change", args=[call.pk]), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    call.refresh_from_db()
    assert call.title == "Un titre corrigé dans l'administration"  # the other fields save
    assert call.state == CallState.DRAFT
    assert not AuditEntry.objects.filter(action__startswith="call.").exists()


def test_the_publish_action_goes_through_the_service_and_is_audited(admin_client):
    call = factories.CallFactory(state=CallState.DRAFT)
    response = admin_client.post(
        reverse("admin:calls_call_changelist"),
        {"action": "transition_publish", "_selected_action": [call.pk]},
        follow=True,
    )
    assert "1 appel a changé d&#x27;état." in response.content.decode()
    call.refresh_from_db()
    assert call.state == CallState.PUBLISHED
    entry = AuditEntry.objects.get(action="call.publish")
    assert (entry.from_state, entry.to_state) == (CallState.DRAFT, CallState.PUBLISHED)
    assert entry.actor.is_superuser


def test_an_action_the_workflow_refuses_says_why_and_changes_nothing(admin_client):
    draft = factories.CallFactory(state=CallState.DRAFT, edition="Brouillon 2026")
    response = admin_client.post(
        reverse("admin:calls_call_changelist"),
        {"action": "transition_archive", "_selected_action": [draft.pk]},
        follow=True,
    )
    html = response.content.decode()
    assert "Brouillon 2026 : Action impossible" in html
    assert "changé d&#x27;état" not in html
    draft.refresh_from_db()
    assert draft.state == CallState.DRAFT
    assert not AuditEntry.objects.exists()


@pytest.mark.parametrize(
    "name", ["calls_call", "calls_jurymember", "programme_user", "programme_auditentry"]
)
def test_a_search_of_sixty_thousand_characters_in_the_admin_is_refused_with_a_message(
    admin_client, name
):
    response = admin_client.get(reverse(f"admin:{name}_changelist"), {"q": "é" * 60_000})
    assert response.status_code == 200
    assert "La recherche est limitée à 200 caractères" in response.content.decode()


def test_the_admin_cannot_move_the_dates_or_the_money_rules_around_the_guards(admin_client):
    call = factories.CallFactory(state=CallState.PUBLISHED)
    before = (call.closes_at, call.envelope, call.max_funding_amount)
    data = change_form(admin_client, call)
    for name in ("opens_at", "closes_at", "closes_at_0", "envelope", "max_funding_amount"):
        assert name not in data  # shown, not editable
    data["closes_at_0"], data["closes_at_1"] = ["2020-01-01"], ["12:00:00"]
    data["envelope"] = ["99999999"]
    response = admin_client.post(reverse("admin:calls_call_change", args=[call.pk]), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    call.refresh_from_db()
    assert (call.closes_at, call.envelope, call.max_funding_amount) == before
    assert call.state == CallState.PUBLISHED
