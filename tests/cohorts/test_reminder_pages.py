"""The staff pages of the reminders: who sees them, the filters, the resend."""

import re
from datetime import date, timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cohorts.models import Cohort
from programme.enums import ReminderKind, ReminderState
from programme.models import AuditEntry, Reminder
from tests import factories

from .conftest import NOW, call_closing_in, draft_with_team

pytestmark = pytest.mark.django_db


def ledger_row(proposal, recipient, *, state=ReminderState.SENT, cohort=None, **kwargs):
    return Reminder.objects.create(
        kind=kwargs.pop("kind", ReminderKind.DRAFT_CLOSING_7D),
        content_type=ContentType.objects.get_for_model(proposal),
        object_id=proposal.pk,
        recipient=recipient,
        due=proposal.call.closes_at,
        call=None if cohort else proposal.call,
        cohort=cohort,
        state=state,
        sent_at=NOW if state == ReminderState.SENT else None,
        next_attempt_at=NOW,
        created_at=NOW,
        **kwargs,
    )


@pytest.fixture
def call():
    return call_closing_in(timedelta(days=3), edition="FAST 14")


@pytest.fixture
def ledger(call):
    """One sent, one pending and one failed reminder of the call."""
    draft = draft_with_team(call, title="Cartographie des haies")
    people = [factories.UserFactory(email=f"personne-{n}@exemple.gouv.fr") for n in range(3)]
    return {
        "sent": ledger_row(draft, people[0]),
        "pending": ledger_row(draft, people[1], state=ReminderState.PENDING),
        "failed": ledger_row(
            draft, people[2], state=ReminderState.FAILED, attempts=5, last_error="SMTP 421"
        ),
    }


def page(client, user, url, **params):
    if user is not None:
        client.force_login(user)
    return client.get(url, params)


@pytest.mark.parametrize("who", ["staff", "superuser"])
def test_the_programme_staff_see_what_was_sent_pending_and_failed(client, call, ledger, who):
    user = (
        factories.StaffFactory(programme=call.programme)
        if who == "staff"
        else factories.UserFactory(is_superuser=True)
    )
    response = page(client, user, reverse("reminders:call", kwargs={"slug": call.slug}))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Rappels de l&#x27;appel FAST 14" in html
    for count in ("1 envoyé", "1 à envoyer", "1 en échec"):
        assert count in html
    assert "Cartographie des haies" in html
    for reminder in ledger.values():
        assert reminder.recipient.email in html
    assert "SMTP 421" in html
    # Only the failed one offers a resend.
    assert html.count(">Renvoyer<") == 1
    assert reverse("reminders:resend", kwargs={"pk": ledger["failed"].pk}) in html


@pytest.mark.parametrize("who", ["anonymous", "candidate", "other_staff", "coach", "juror"])
def test_nobody_else_sees_the_reminders_of_a_call(client, call, ledger, who):
    user = {
        "anonymous": lambda: None,
        "candidate": lambda: ledger["sent"].recipient,
        "other_staff": lambda: factories.StaffFactory(),
        "coach": lambda: factories.CoachFactory(programme=call.programme),
        "juror": lambda: factories.JuryMemberFactory(call=call).user,
    }[who]()
    response = page(client, user, reverse("reminders:call", kwargs={"slug": call.slug}))
    # A visitor is sent to sign in; signed-in people without the role are refused.
    assert response.status_code == (302 if who == "anonymous" else 403)
    assert b"personne-0@" not in response.content


def test_an_unknown_call_is_not_found(client):
    response = page(
        client, factories.UserFactory(is_superuser=True), reverse("reminders:call", args=["x"])
    )
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"state": "failed"}, {"failed"}),
        ({"state": "sent"}, {"sent"}),
        ({"recipient": "PERSONNE-1"}, {"pending"}),
        ({"kind": ReminderKind.DRAFT_CLOSING_1D}, set()),
        ({"kind": ReminderKind.DRAFT_CLOSING_7D, "state": "pending"}, {"pending"}),
        ({}, {"sent", "pending", "failed"}),
    ],
)
def test_the_filters(client, call, ledger, params, expected):
    staff = factories.StaffFactory(programme=call.programme)
    response = page(client, staff, reverse("reminders:call", kwargs={"slug": call.slug}), **params)
    shown = {state for state, r in ledger.items() if r.recipient.email in response.text}
    assert shown == expected


def test_the_list_is_paginated_and_costs_the_same_queries_for_3_rows_and_for_60(client, call):
    staff = factories.StaffFactory(programme=call.programme)
    url = reverse("reminders:call", kwargs={"slug": call.slug})
    draft = draft_with_team(call)
    client.force_login(staff)
    client.get(url)  # a first visit writes down a deadline passed (calls.services.settle)

    def queries_with(rows: int) -> int:
        Reminder.objects.all().delete()
        for _ in range(rows):
            ledger_row(draft, factories.UserFactory())
        client.get(url)  # warm: the content types' cache, as on a second visit
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    assert queries_with(3) == queries_with(60)
    with CaptureQueriesContext(connection) as first_queries:
        first = client.get(url).content.decode()
    assert "60 rappels" in first
    assert "Rappels 1 à 50" in first
    # The next page costs what the first costs (a keyset, not an offset).
    with CaptureQueriesContext(connection) as queries:
        second = client.get(url + _next_link(first)).content.decode()
    assert len(queries) == len(first_queries)
    assert "60 rappels" in second
    assert "Rappels 51 à 60" in second
    assert "Rappels suivants" not in second


def _next_link(html: str) -> str:
    return (
        re.search(r'href="(\?[^"]*apres=[^"]*)">Rappels suivants', html)
        .group(1)
        .replace("&amp;", "&")
    )


def test_pages_follow_each_other_without_gap_or_duplicate_when_rows_tie(client, call):
    """130 reminders written at the same instant, one filter kept: every one shown once."""
    draft = draft_with_team(call)
    people = [factories.UserFactory(email=f"lot-{n:03d}@exemple.gouv.fr") for n in range(130)]
    for n, person in enumerate(people):
        ledger_row(draft, person, state=ReminderState.FAILED if n % 2 else ReminderState.SENT)
    client.force_login(factories.StaffFactory(programme=call.programme))
    url = reverse("reminders:call", kwargs={"slug": call.slug})
    seen, link, pages = [], "?state=failed", 0
    while link:
        html = client.get(url + link).content.decode()
        seen += re.findall(r'<span class="fr-text--sm">(lot-\d+@exemple\.gouv\.fr)</span>', html)
        link = _next_link(html) if "Rappels suivants" in html else ""
        assert not link or "state=failed" in link
        pages += 1
    assert pages == 2
    expected = [p.email for n, p in enumerate(people) if n % 2]
    assert sorted(seen) == sorted(expected)
    assert len(seen) == len(set(seen)) == 65


def test_the_cohort_page_shows_the_reminders_of_the_cohort_to_its_staff(client, call):
    cohort = Cohort.objects.create(
        programme=call.programme,
        label="FAST 13",
        slug="fast-13",
        starts_on=date(2026, 1, 5),
        ends_on=date(2026, 12, 18),
    )
    draft = draft_with_team(call)
    mine = ledger_row(draft, factories.UserFactory(), cohort=cohort)
    other = ledger_row(draft, factories.UserFactory())
    url = reverse("reminders:cohort", kwargs={"slug": cohort.slug})

    response = page(client, factories.StaffFactory(programme=call.programme), url)
    assert response.status_code == 200
    assert "Rappels de la promotion FAST 13" in response.text
    assert mine.recipient.email in response.text
    assert other.recipient.email not in response.text
    client.logout()
    assert page(client, factories.StaffFactory(), url).status_code == 403


def test_staff_resend_a_failed_reminder(
    client, call, ledger, time_machine, django_capture_on_commit_callbacks
):
    time_machine.move_to(NOW, tick=False)
    staff = factories.StaffFactory(programme=call.programme)
    failed = ledger["failed"]
    client.force_login(staff)
    url = reverse("reminders:resend", kwargs={"pk": failed.pk})

    assert client.get(url).status_code == 405
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, follow=True)

    assert response.redirect_chain[-1][0] == reverse("reminders:call", kwargs={"slug": call.slug})
    assert f"Le rappel à {failed.recipient.email} est renvoyé." in response.text
    failed.refresh_from_db()
    assert failed.state == ReminderState.SENT
    assert [m.to for m in mail.outbox] == [[failed.recipient.email]]
    entry = AuditEntry.objects.get(action="reminder.resend")
    assert (entry.actor, entry.from_state, entry.to_state) == (staff, "failed", "pending")


def test_only_a_failed_reminder_can_be_resent(client, call, ledger):
    client.force_login(factories.StaffFactory(programme=call.programme))
    response = client.post(
        reverse("reminders:resend", kwargs={"pk": ledger["sent"].pk}), follow=True
    )
    assert "Seul un rappel en échec peut être renvoyé." in response.text
    assert mail.outbox == []


@pytest.mark.parametrize("who", ["other_staff", "candidate"])
def test_nobody_else_can_resend(client, call, ledger, who):
    user = factories.StaffFactory() if who == "other_staff" else ledger["failed"].recipient
    client.force_login(user)
    response = client.post(reverse("reminders:resend", kwargs={"pk": ledger["failed"].pk}))
    assert response.status_code == 403
    ledger["failed"].refresh_from_db()
    assert ledger["failed"].state == ReminderState.FAILED
