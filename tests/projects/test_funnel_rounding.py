"""The funnel's percentages round to the nearest whole percent, as a reader expects."""

import pytest

from projects.queries.funnel import funnel_chart


@pytest.mark.parametrize(
    ("count", "top", "percent"),
    [(4, 6, 67), (1, 3, 33), (2, 3, 67), (1, 8, 13), (1, 200, 1), (0, 6, 0), (6, 6, 100)],
)
def test_a_step_shows_its_rounded_percent(count, top, percent):
    chart = funnel_chart("FAST 14", [("submitted", "Déposées", top), ("x", "Retenues", count)])
    assert chart["steps"][1]["percent"] == percent
    assert chart["steps"][1]["width"] == max(1, 5 * percent)
