"""French dates and counts: "1er juin", both years on a range spanning two, "une personne"."""

from datetime import UTC, date, datetime

import pytest
from django.template import Context, Template

from programme.templatetags.french import date_fr, date_range_fr, people_count

MONTHS = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
]


@pytest.mark.parametrize(("month", "name"), list(enumerate(MONTHS, start=1)))
def test_the_first_of_every_month_is_1er(month, name):
    assert date_fr(date(2024, month, 1)) == f"1er {name} 2024"


def test_other_days_keep_their_number():
    assert date_fr(date(2024, 6, 2)) == "2 juin 2024"
    assert date_fr(date(2024, 6, 11)) == "11 juin 2024"
    assert date_fr(date(2024, 6, 21)) == "21 juin 2024"


def test_a_datetime_is_read_in_paris_time_with_its_format():
    # 23:30 UTC on 31 May is already 1 June in Paris.
    moment = datetime(2024, 5, 31, 23, 30, tzinfo=UTC)
    assert date_fr(moment, "l j F Y à H:i") == "samedi 1er juin 2024 à 01:30"
    assert date_fr(None) == ""


def test_a_range_within_one_month():
    assert date_range_fr(date(2024, 12, 6), date(2024, 12, 20)) == "du 6 au 20 décembre 2024"


def test_a_range_within_one_year():
    assert date_range_fr(date(2024, 6, 1), date(2024, 12, 5)) == "du 1er juin au 5 décembre 2024"


def test_a_range_across_two_years_names_both():
    assert (
        date_range_fr(date(2023, 12, 6), date(2024, 1, 5)) == "du 6 décembre 2023 au 5 janvier 2024"
    )


@pytest.mark.parametrize(
    ("minimum", "maximum", "said"),
    [
        (1, 1, "une personne"),
        (1, None, "une personne"),
        (3, 3, "3 personnes"),
        (2, 4, "2 à 4 personnes"),
        (1, 4, "1 à 4 personnes"),
    ],
)
def test_people_counts(minimum, maximum, said):
    assert people_count(minimum, maximum) == said


def test_the_filters_in_a_template():
    source = "{{ day|date_fr }} · {{ start|date_range_fr:end }} · {{ 1|people_count:1 }}"
    days = {"day": date(2024, 6, 1), "start": date(2023, 12, 6), "end": date(2024, 1, 5)}
    html = Template("{% load french %}" + source).render(Context(days))
    assert html == "1er juin 2024 · du 6 décembre 2023 au 5 janvier 2024 · une personne"


@pytest.mark.django_db
def test_public_pages_write_dates_and_team_sizes_in_french(client):
    from django.urls import reverse

    from tests import factories

    programme = factories.ProgrammeFactory(team_min=1, team_max=1)
    call = factories.CallFactory(
        programme=programme,
        team_min=1,
        team_max=1,
        opens_at=datetime(2024, 5, 1, 10, tzinfo=UTC),
        closes_at=datetime(2099, 6, 1, 10, tzinfo=UTC),
    )
    cohort = factories.CohortFactory(
        programme=programme, starts_on=date(2023, 12, 6), ends_on=date(2024, 1, 5)
    )
    call_page = client.get(reverse("calls:detail", args=[call.slug])).content.decode()
    assert "Taille des équipes : une personne" in call_page
    assert "1 à 1 personnes" not in call_page
    assert "1er mai 2024" in call_page
    assert "1er juin 2099" in call_page
    programme_page = client.get(programme.get_absolute_url()).content.decode()
    assert "Taille des équipes : une personne" in programme_page
    cohort_page = client.get(reverse("cohorts:detail", args=[cohort.slug])).content.decode()
    assert "du 6 décembre 2023 au 5 janvier 2024" in cohort_page
