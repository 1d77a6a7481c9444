"""The one scan: every kind of reminder has its rule, registered by the app owning its objects,
and what a rule says to people goes through gettext."""

import ast
from pathlib import Path

from django.utils.functional import Promise

from programme.enums import ReminderKind
from programme.reminders import RULES

ROOT = Path(__file__).resolve().parents[2]


def test_every_kind_has_one_rule_registered_by_its_app():
    assert set(RULES) == set(ReminderKind)
    assert RULES[ReminderKind.DRAFT_CLOSING_7D].select.__module__ == "projects.reminders"
    assert RULES[ReminderKind.REPORT_DUE_7D].select.__module__ == "cohorts.reminders"


def test_what_a_rule_says_is_translatable():
    for rule in RULES.values():
        assert isinstance(rule.action, Promise), rule.kind
        if rule.kind != ReminderKind.DECISION_NOTICE:  # the body staff wrote, as it is
            assert isinstance(rule.sentence, Promise), rule.kind
        assert not rule.subject or isinstance(rule.subject, Promise), rule.kind


def imported_modules(*places: str) -> set[str]:
    names = set()
    paths = [p for place in places for p in sorted((ROOT / place).glob("**/*.py"))]
    paths += [ROOT / place for place in places if place.endswith(".py")]
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module)
            elif isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
    return names


def test_what_projects_owe_never_goes_through_cohorts_and_programme_uses_no_app_service():
    owing = imported_modules("projects/services", "projects/reminders.py", "projects/models.py")
    assert not {m for m in owing if m.split(".")[0] == "cohorts"}
    services = {
        m
        for m in imported_modules("programme")
        if ".services" in m and not m.startswith("programme.")
    }
    assert services == set()
