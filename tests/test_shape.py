"""The one shape of every app (CONVENTIONS.md): thin views on programme.web, reads apart from
writes, templates that compare states through the enums, no app importing another both ways."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
APPS = ["programme", "calls", "projects", "cohorts"]


def _modules(kind: str) -> list[Path]:
    found = []
    for app in APPS:
        found += [ROOT / app / f"{kind}.py"] if (ROOT / app / f"{kind}.py").exists() else []
        found += sorted((ROOT / app / kind).glob("*.py"))
    return [path for path in found if path.name != "__init__.py" or path.stat().st_size]


def _name(path: Path) -> str:
    return str(path.relative_to(ROOT))


@pytest.mark.parametrize("path", _modules("views"), ids=_name)
def test_a_view_module_leaves_loading_and_refusals_to_programme_web(path):
    source = path.read_text()
    assert "except TransitionError" not in source
    assert "permission_required(" not in source
    # No private helper borrowed from another view module (`_run`, `_seat`, ...).
    assert not re.search(r"from \w+\.views\.\w+ import[^\n]*\b_\w+", source)


@pytest.mark.parametrize("path", _modules("services"), ids=_name)
def test_a_services_module_holds_no_page_read(path):
    source = path.read_text()
    # The shapes of a page's read (a write may load and lock what it changes, not page it).
    for read in ("Prefetch(", "Paginator(", "to_attr="):
        assert read not in source, f"{read} belongs in queries/"


@pytest.mark.parametrize("path", _modules("queries"), ids=_name)
def test_a_queries_module_writes_nothing(path):
    source = path.read_text()
    for write in (".save(", ".delete(", ".update(", ".create(", "bulk_create(", "audit.record"):
        assert write not in source, f"{write} belongs in services/"


TEMPLATES = sorted((ROOT / "templates").rglob("*.html"))


@pytest.mark.parametrize("path", TEMPLATES, ids=_name)
def test_a_template_compares_no_quoted_state(path):
    text = path.read_text()
    assert not re.search(
        r"\.(state|status|outcome|kind|phase|review_phase)\s*(==|!=|in)\s*[\"']", text
    )


def test_projects_never_imports_cohorts():
    """cohorts is formed from projects' proposals; the arrow goes one way."""
    offenders = [
        _name(path)
        for path in (ROOT / "projects").rglob("*.py")
        if "migrations" not in path.parts
        and re.search(r"^\s*from cohorts\b", path.read_text(), re.M)
    ]
    assert offenders == []


def test_every_day_a_template_shows_goes_through_date_fr():
    """French dates through one helper ("1er juin", programme/templatetags/french.py): a
    template's `|date:` keeps only formats without a day of the month (ISO, "F Y",
    "d/m/Y" in compact tables)."""
    bare = []
    for path in sorted((ROOT / "templates").rglob("*")):
        if path.suffix not in (".html", ".txt"):
            continue
        for match in re.finditer(r'\|date:"([^"]*)"', path.read_text()):
            if "j" in match.group(1):
                bare.append(f"{path.relative_to(ROOT)}: {match.group(0)}")
    assert bare == []
