"""SQLite, the embedded default, under simultaneous writers: requests wait, none fails.

SQLite allows one writer at a time. A transaction that starts by reading and then writes
(Django's default, "deferred") cannot wait for another writer: SQLite refuses it at once with
"database is locked", a 500 for the person. The portal's SQLite connections start their
transactions IMMEDIATE (taking the write lock first, so they queue) with a busy timeout, and
use the write-ahead log so pages keep reading while someone writes.
"""

import http.cookiejar
import json
import re
import threading
import urllib.parse
import urllib.request

import pytest

from tests.factories import PASSWORD
from tests.served import ServedSite

TEAMS = 6

WORLD = f"""
import json
from django.urls import reverse
from tests import factories
call = factories.CallFactory()
out = []
for n in range({TEAMS}):
    person = factories.UserFactory(email=f"equipe{{n}}@exemple.gouv.fr")
    proposal = factories.ProposalFactory(
        call=call, created_by=person, summary="Un service public plus simple."
    )
    out.append([person.email, reverse("projects:submit", args=[proposal.public_id])])
print(json.dumps(out))
"""


class Browser:
    """One person's cookies and CSRF token, over plain HTTP to the served site."""

    def __init__(self, base: str):
        self.base = base
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirect
        )

    def _token(self) -> str:
        return next(c.value for c in self.cookies if c.name == "csrftoken")

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=60) as response:
            return response.read().decode()

    def post(self, path: str, data: dict) -> int:
        body = urllib.parse.urlencode({"csrfmiddlewaretoken": self._token(), **data}).encode()
        request = urllib.request.Request(  # noqa: S310 (loopback only)
            self.base + path, data=body, headers={"Referer": self.base + path}
        )
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@pytest.fixture(scope="module")
def sqlite_site(tmp_path_factory):
    site = ServedSite(tmp_path_factory.mktemp("sqlite"))
    site.build()
    teams = json.loads(site.manage("shell", "-c", WORLD).strip().splitlines()[-1])
    site.start(workers=2, threads=4)
    yield site, teams
    site.stop()


def test_simultaneous_submissions_all_succeed(sqlite_site):
    site, teams = sqlite_site
    browsers = []
    for email, submit_path in teams:
        browser = Browser(site.url)
        browser.get("/compte/connexion/")
        assert browser.post("/compte/connexion/", {"username": email, "password": PASSWORD}) == 302
        browser.get(submit_path.replace("deposer/", "modifier/"))
        browsers.append((browser, submit_path))

    start = threading.Barrier(len(browsers))
    statuses = []

    def submit(browser, path):
        start.wait(timeout=60)
        statuses.append(browser.post(path, {"attestation": "on"}))

    threads = [threading.Thread(target=submit, args=pair) for pair in browsers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    # Every team was sent on to its proposal, none got a server error.
    assert sorted(statuses) == [302] * TEAMS, statuses
    references = set()
    for browser, path in browsers:
        page = browser.get(path.replace("deposer/", ""))
        references.update(re.findall(r"\bP\d+-\d{4}-\d{4}\b", page))
        assert "Déposée" in page
    # Each submission got its own reference: none was numbered twice while they queued.
    assert len(references) == TEAMS, references
    errors = site.stop()
    assert "database is locked" not in errors
