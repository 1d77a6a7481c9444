"""Hostile input in every form: no server error, and nothing typed comes back as markup.

The forms are found by reading the pages of the permission matrix as the people who use
them (staff, superuser, team, juror): every `<form method="post">` with its fields. Each is
then posted, by the same person, values drawn by hypothesis: any unicode, huge strings,
empty and malformed values, HTML, script and Markdown links. Each post runs in a
savepoint rolled back afterwards. A new form is covered as soon as its page has a row in
the matrix.
"""

import os
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .test_permission_matrix import MATRIX, PAGE
from .world import COACH, JUROR, STAFF, SUPERUSER, TEAM, build_world

pytestmark = pytest.mark.django_db

HOSTILE = [
    '<script>alert("x")</script>',
    "<img src=x onerror=alert(1)>",
    '"><svg/onload=alert(1)>',
    "[cliquez ici](javascript:alert(1))",
    '<a href="javascript:alert(1)">lien</a>',
    "</textarea><script>alert(2)</script>",
    "{{ request.user.password }}{% debug %}",
    '=HYPERLINK("http://malveillant.example","x")',
    "' OR 1=1; --",
    "\u202eélevé\u200b",
    "𝕳𝖊𝖑𝖑𝖔 🇫🇷 ça",
    "2026-02-30",
    "-1",
    "1e309",
    "NaN",
    "",
    " ",
    "999999999999999999999999999",
    "nul\x00octet",  # PostgreSQL refuses it in text: a form must, before the database
]
# What a stored script would look like if it came back unescaped.
UNESCAPED = re.compile(
    r"<script>alert|<img src=x onerror=|<svg/onload|href=\"javascript:|</textarea><script", re.I
)

# Dates far outside the site's years (2000 to 2100): 0001-01-01 was an OverflowError.
FAR_DATES = ["0001-01-01", "9999-12-31", "0001-01-01T00:00"]

# Longer than SQLite's LIKE pattern limit (50,000 bytes) and than any field's maximum.
LONG = "é" * 30_000 + "a" * 30_000


# Examples per form and person; raise it locally to search harder (HYPOTHESIS_EXAMPLES=200).
EXAMPLES = int(os.environ.get("HYPOTHESIS_EXAMPLES", "5"))

hostile_text = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(max_size=200),
    st.builds(lambda s, n: s * n, st.sampled_from(["é", "a", "<b>", "0"]), st.integers(1, 20_000)),
    st.builds(lambda a, b: a + b, st.sampled_from(HOSTILE), st.text(max_size=20)),
)


@dataclass
class Form:
    action: str
    method: str = "post"
    fields: dict[str, list[str]] = field(default_factory=dict)  # name -> offered values
    dates: set[str] = field(default_factory=set)  # the names of its date fields


class FormReader(HTMLParser):
    """The post forms of a page: their action and their fields with the values offered."""

    def __init__(self, page_url):
        super().__init__()
        self.page_url = page_url
        self.forms: list[Form] = []
        self.current: Form | None = None
        self.select: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            method = (attrs.get("method") or "get").lower()
            self.current = Form(action=attrs.get("action") or self.page_url, method=method)
        elif self.current is None:
            return
        elif tag in ("input", "textarea", "select") and attrs.get("name"):
            name = attrs["name"]
            kind = (attrs.get("type") or "text").lower()
            if name == "csrfmiddlewaretoken" or kind in ("file", "submit"):
                return
            offered = self.current.fields.setdefault(name, [])
            if kind in ("date", "datetime-local"):
                self.current.dates.add(name)
            if attrs.get("value") is not None:
                offered.append(attrs["value"])
            self.select = name if tag == "select" else None
        elif tag == "option" and self.select and attrs.get("value") is not None:
            self.current.fields[self.select].append(attrs["value"])

    def handle_endtag(self, tag):
        if tag == "form" and self.current is not None:
            self.forms.append(self.current)
            self.current = None
        elif tag == "select":
            self.select = None


# The people whose pages hold forms: staff, superusers, a team, a juror and a coach.
FUZZED_ROLES = (STAFF, SUPERUSER, TEAM, JUROR, COACH)
SKIPPED_ACTIONS = ("/compte/deconnexion", "/admin/")


def forms_of(world) -> list[tuple[str, Form]]:
    """(role, form) for every form on the matrix's pages, once per action, method and role."""
    found: dict[tuple[str, str, str], Form] = {}
    for name, row in sorted(MATRIX.items()):
        if row.get is None:
            continue
        for kwargs in row.addresses(world):
            url = reverse(name, kwargs=kwargs)
            for role in FUZZED_ROLES:
                if row.get[role] != PAGE:
                    continue
                client = Client()
                client.force_login(world.people[role])
                response = client.get(url)
                if not response.headers.get("Content-Type", "").startswith("text/html"):
                    continue
                reader = FormReader(url)
                reader.feed(response.content.decode())
                for form in reader.forms:
                    action = urlsplit(form.action).path
                    if form.fields and not action.startswith(SKIPPED_ACTIONS):
                        found.setdefault(
                            (role, action, form.method),
                            Form(action, form.method, form.fields, form.dates),
                        )
    return [(role, form) for (role, _, _), form in sorted(found.items())]


@pytest.mark.timeout(900)
def test_no_form_fails_or_echoes_markup_on_hostile_input(settings_fixture_world):
    world, forms = settings_fixture_world
    assert len([f for _, f in forms if f.method == "post"]) >= 30, [f.action for _, f in forms]
    assert len([f for _, f in forms if f.method == "get"]) >= 5, [f.action for _, f in forms]
    assert len([f for _, f in forms if f.dates]) >= 4, [f.action for _, f in forms if f.dates]
    for role, form in forms:
        fuzz(world, role, form)


def fuzz(world, role, form):
    client = Client(raise_request_exception=False)
    client.force_login(world.people[role])
    values = {
        name: st.one_of(hostile_text, st.sampled_from(offered)) if offered else hostile_text
        for name, offered in form.fields.items()
    }

    # Every field at once far past any maximum: a search of 60,000 characters was a 500 on
    # SQLite (`LIKE or GLOB pattern too complex`) where a field had no maximum length.
    post_hostile_once(client, role, form, dict.fromkeys(form.fields, LONG))

    # Each date field far out, the other fields as the page offers them (so that the date is
    # what the form gets to judge).
    offered_values = {name: offered[-1] for name, offered in form.fields.items() if offered}
    for far in FAR_DATES if form.dates else ():
        post_hostile_once(client, role, form, {**offered_values, **dict.fromkeys(form.dates, far)})

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(data=st.fixed_dictionaries(values))
    def post_hostile(data):
        post_hostile_once(client, role, form, data)

    post_hostile()


def post_hostile_once(client, role, form, data):
    """Send `data` to the form as `role`: no server error, nothing typed comes back as markup."""
    savepoint = transaction.savepoint_create()
    try:
        send = client.post if form.method == "post" else client.get
        response = send(form.action, data)
        pages = [response]
        if response.status_code == 302:
            pages.append(client.get(response.url))
    finally:
        transaction.savepoint_rollback(savepoint)
    for page in pages:
        summary = {name: value[:40] for name, value in data.items()}
        assert page.status_code < 500, f"{role} {form.method} {form.action} {summary!r}"
        if page.headers.get("Content-Type", "").startswith("text/html"):
            match = UNESCAPED.search(page.content.decode())
            where = f"{role} {form.method} {form.action}"
            assert match is None, f"{where}: {match.group(0)!r} unescaped"


@pytest.fixture
def settings_fixture_world(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    world = build_world()
    return world, forms_of(world)


# Fields no page shows but a view reads straight from the request: a hostile client adds them.
def unseen_fields(world):
    return [
        (reverse("jury:unshortlist", kwargs={"public_id": world.heard.public_id}), "reason"),
        (reverse("projects:screen-selection", kwargs={"slug": world.review_call.slug}), "reason"),
        (
            reverse(
                "cohorts:milestone-skip",
                kwargs={"slug": world.cohort.slug, "pk": world.open_report.pk},
            ),
            "action",
        ),
    ]


@pytest.mark.parametrize("value", [v for v in HOSTILE if v.strip()] + ["x" * 100_000])
def test_fields_the_pages_do_not_show_are_refused_cleanly(value, settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    world = build_world()
    client = Client(raise_request_exception=False)
    client.force_login(world.people[STAFF])
    for url, name in unseen_fields(world):
        data = {name: value, "decision": "ineligible", "selected": [str(world.eligible.public_id)]}
        savepoint = transaction.savepoint_create()
        try:
            response = client.post(url, data)
        finally:
            transaction.savepoint_rollback(savepoint)
        assert response.status_code < 500, (url, name, value)


def test_a_nul_byte_in_the_unshortlist_reason_is_refused_with_a_message(settings, tmp_path):
    """It was a server error on PostgreSQL (the reason went straight to the audit log)."""
    from projects.enums import ProposalState

    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    world = build_world()
    client = Client()
    client.force_login(world.people[STAFF])
    url = reverse("jury:unshortlist", kwargs={"public_id": world.heard.public_id})
    response = client.post(url, {"reason": "nul\x00octet"}, follow=True)
    assert response.status_code == 200
    assert "caractère nul n’est pas autorisé" in response.content.decode()
    world.heard.refresh_from_db()
    assert world.heard.state == ProposalState.SHORTLISTED
    response = client.post(url, {"reason": "Équipe dissoute."}, follow=True)
    world.heard.refresh_from_db()
    assert world.heard.state == ProposalState.ELIGIBLE


def test_a_nul_byte_in_the_screening_reason_is_refused_with_a_message(settings, tmp_path):
    """It was a server error on PostgreSQL (the reason went to the proposal and the mail)."""
    from django.utils import timezone

    from calls.enums import CallState
    from projects.enums import ProposalState
    from tests import factories

    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    world = build_world()
    call = factories.CallFactory(programme=world.programme, state=CallState.CLOSED)
    submitted = factories.ProposalFactory(
        call=call, state=ProposalState.SUBMITTED, submitted_at=timezone.now()
    )
    client = Client()
    client.force_login(world.people[STAFF])
    url = reverse("projects:screen-selection", kwargs={"slug": call.slug})
    data = {"selected": [str(submitted.public_id)], "decision": "ineligible"}
    response = client.post(url, data | {"reason": "nul\x00octet"}, follow=True)
    assert "caractère nul n’est pas autorisé" in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.state == ProposalState.SUBMITTED
    response = client.post(url, data | {"reason": "Hors périmètre."}, follow=True)
    submitted.refresh_from_db()
    assert submitted.state == ProposalState.INELIGIBLE


def test_what_was_stored_hostile_comes_back_escaped_on_every_page(settings, tmp_path):
    """Hostile text saved through the services shows escaped wherever it is read."""
    from projects.services import proposals as services

    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    world = build_world()
    payload = HOSTILE[0] + HOSTILE[1] + HOSTILE[3]
    draft = world.draft
    services.save_draft(
        draft,
        by=world.people[TEAM],
        version=draft.version,
        now=draft.call.opens_at + (draft.call.closes_at - draft.call.opens_at) / 2,
        fields={"title": payload[:200], "summary": payload},
        answers={world.question.pk: payload},
    )
    world.cohort.laureates.update(name=payload[:200], mission=payload[:300])
    # Staff's Markdown goes through nh3: links keep only http(s) and mailto, tags are dropped.
    type(draft.call).objects.filter(pk=draft.call.pk).update(
        description=payload + "\n\n[ok](https://beta.gouv.fr) <iframe src=//x></iframe>"
    )
    html = Client().get(reverse("calls:detail", kwargs={"slug": draft.call.slug})).content
    assert b'<a href="https://beta.gouv.fr" rel="noopener noreferrer">ok</a>' in html
    assert b"<iframe" not in html
    assert not UNESCAPED.search(html.decode())
    for role in (TEAM, STAFF, SUPERUSER):
        client = Client()
        client.force_login(world.people[role])
        for name, row in MATRIX.items():
            if row.get is None or row.get[role] != PAGE:
                continue
            response = client.get(reverse(name, kwargs=row.kwargs(world)))
            if response.headers.get("Content-Type", "").startswith("text/html"):
                assert not UNESCAPED.search(response.content.decode()), (name, role)
