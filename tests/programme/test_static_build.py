"""The production build serves the very bytes whose integrity hash the pages announce."""

import base64
import hashlib
import re

import pytest
from django.core.management import call_command
from django.template import Context, Template
from django.test import RequestFactory

PRODUCTION_STORAGE = "programme.staticfiles.PortalStaticFilesStorage"


@pytest.fixture
def production_static(settings, tmp_path):
    """`collectstatic` into a fresh folder with the production storage, as a deployment does."""
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": PRODUCTION_STORAGE}}
    call_command("collectstatic", interactive=False, verbosity=0)
    return settings.STATIC_ROOT


def _sri(path) -> str:
    return "sha384-" + base64.b64encode(hashlib.sha384(path.read_bytes()).digest()).decode()


def test_every_integrity_hash_in_the_page_matches_the_file_served(production_static, settings, db):
    html = Template("{% load dsfr_tags %}{% dsfr_css %}{% dsfr_js %}").render(
        Context({"request": RequestFactory().get("/")})
    )
    tags = re.findall(r'(?:href|src)="([^"]+)"\s+integrity="([^"]+)"', html)

    # The two stylesheets and the two scripts of the DSFR carry a hash.
    assert len(tags) == 4, html
    for url, integrity in tags:
        served = production_static / url.removeprefix(settings.STATIC_URL).lstrip("/")
        assert served.exists(), url
        assert _sri(served) == integrity, f"{url} does not match its integrity hash"
        # Hashed names, so the browser may cache them for ever.
        assert re.search(r"\.[0-9a-f]{12}\.(css|js)$", url), url


def test_what_the_pinned_stylesheets_reference_is_collected(production_static):
    """Left untouched, the DSFR's `url(...)` references point at plain names: they exist."""
    css = next((production_static / "dsfr/dist/dsfr").glob("dsfr.min.*.css"))
    references = set(re.findall(r"url\(([^)]+)\)", css.read_text()))
    local = {r.strip("'\"") for r in references if not r.strip("'\"").startswith("data:")}
    assert local
    for reference in local:
        target = (css.parent / reference.split("#")[0].split("?")[0]).resolve()
        assert target.exists(), reference
