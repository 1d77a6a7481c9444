"""Production refuses a guessable secret; every response limits browser features; what a
signed-in person sees is never stored by a browser or a proxy."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.urls import reverse

from tests import factories


def _start(secret_key: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG")}
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=settings.BASE_DIR,
        env={
            **env,
            "DEBUG": "0",
            "SECRET_KEY": secret_key,
            "DJANGO_SETTINGS_MODULE": "programme.settings",
        },
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize(
    "secret_key",
    ["x", "changeme", "a" * 80, "django-insecure-" + "0123456789abcdefghij" * 3],
)
def test_a_weak_secret_key_stops_start_up_with_debug_off(secret_key):
    result = _start(secret_key)

    assert result.returncode != 0
    assert "SECRET_KEY is too weak for production" in result.stderr


def test_a_long_random_secret_key_starts():
    result = _start("Vq3-rT9xLm2_Zp7Yk4Wd8Hs1Nf6Jb0Gc5Ue3Ai9Ro2Tl7Xv4Qy8Mz1Kw6Pd0Sh5")

    assert result.returncode == 0, result.stderr


def test_every_page_switches_off_the_browser_features_it_does_not_use(client, db):
    policy = client.get(reverse("home"))["Permissions-Policy"]

    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()"):
        assert feature in policy


def test_a_signed_in_person_s_pages_are_never_stored(client, user):
    client.force_login(user)

    for url in (reverse("dashboard"), reverse("profile"), reverse("my-data-export")):
        assert "no-store" in client.get(url)["Cache-Control"], url


def test_a_visitor_s_public_page_keeps_its_own_caching(client, db):
    factories.CallFactory()

    response = client.get(reverse("calls:list"))

    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


def _setting(name: str, **env: str) -> str:
    """A setting as production computes it at start-up (DEBUG off, a strong key)."""
    base = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG")}
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            f"import django; django.setup(); from django.conf import settings; "
            f"print(settings.{name})",
        ],
        cwd=settings.BASE_DIR,
        env={
            **base,
            "DEBUG": "0",
            "SECRET_KEY": "Vq3-rT9xLm2_Zp7Yk4Wd8Hs1Nf6Jb0Gc5Ue3Ai9Ro2Tl7Xv4Qy8Mz1Kw6Pd0Sh5",
            "DJANGO_SETTINGS_MODULE": "programme.settings",
            **env,
        },
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def test_under_https_the_cookies_carry_the_host_prefix():
    assert _setting("SESSION_COOKIE_NAME") == "__Host-sessionid"
    assert _setting("CSRF_COOKIE_NAME") == "__Host-csrftoken"
    # Served over plain HTTP on purpose (loopback tests), a browser would refuse the prefix.
    assert _setting("SESSION_COOKIE_NAME", SESSION_COOKIE_SECURE="0") == "sessionid"
