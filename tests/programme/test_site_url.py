"""Mail links point where `make run` serves: SITE_URL follows `make run PORT=`."""

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _dry_run(*args: str) -> str:
    result = subprocess.run(
        ["make", "-n", "-B", *args], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return result.stdout


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
@pytest.mark.parametrize("target", ["run", "worker", "beat"])
def test_the_site_url_follows_the_port_make_serves(target):
    assert "SITE_URL=http://127.0.0.1:8123 " in _dry_run(target, "PORT=8123")
    assert "SITE_URL=http://127.0.0.1:8000 " in _dry_run(target)
    assert "SITE_URL=https://portail.example " in _dry_run(
        target, "PORT=8123", "SITE_URL=https://portail.example"
    )
