"""The jury side keeps the one shape: thin views on programme.web, reads apart from writes,
templates that compare states through the enums."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
VIEWS = ["jury_staff", "juror", "auditions", "deliberation", "outbox", "results", "jury_loaders"]
TEMPLATES = sorted((ROOT / "templates/projects/jury").glob("*.html")) + [
    ROOT / "templates/projects/results.html"
]


@pytest.mark.parametrize("name", VIEWS)
def test_a_jury_view_module_leaves_refusals_to_web_run(name):
    source = (ROOT / f"projects/views/{name}.py").read_text()
    assert "except TransitionError" not in source
    # No private helper borrowed from another view module (`_run`, `_seat`, ...).
    assert not re.search(r"from projects\.views\.\w+ import[^\n]*\b_\w+", source)


@pytest.mark.parametrize("name", ["auditions", "deliberation", "decision_mails", "jury"])
def test_a_jury_services_module_holds_no_page_read(name):
    source = (ROOT / f"projects/services/{name}.py").read_text()
    for read in ("Prefetch(", "prefetch_related(", ".annotate("):
        assert read not in source, f"{read} belongs in projects/queries/"


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.name)
def test_a_jury_template_compares_no_quoted_state(path):
    text = path.read_text()
    assert not re.search(r"state\s*(==|!=|in)\s*[\"']", text)
    assert max(len(line) for line in text.splitlines()) < 300
