"""The public pages keep their costly parts in the cache (programme/fragments.py): a
publication or an edit shows at once, whatever path made it, and what is personal to a
signed-in person is never served to someone else."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from calls import services as call_services
from calls.enums import CallState
from calls.models import Call
from cohorts.models import Laureate
from cohorts.services import cohorts as cohort_services
from programme import fragments
from tests import factories

pytestmark = pytest.mark.django_db


def _get(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def _detail(call) -> str:
    return reverse("calls:detail", args=[call.slug])


# --- A call's public page -----------------------------------------------------------------


def test_a_call_page_is_rendered_once_then_read_from_the_cache(client):
    call = factories.CallFactory(description="Le règlement **complet**.")
    factories.CriterionFactory(call=call, name="Impact")
    first = _get(client, _detail(call))
    with CaptureQueriesContext(connection) as queries:
        again = _get(client, _detail(call))
    assert "<strong>complet</strong>" in again
    assert "Impact" in again
    sql = " ".join(q["sql"] for q in queries.captured_queries)
    # Criteria, questions and défis are not read again.
    assert "calls_criterion" not in sql
    assert "calls_question" not in sql
    assert first.count("Impact") == again.count("Impact")


def test_an_edit_of_a_call_shows_at_once(client):
    staff = factories.UserFactory(is_superuser=True)
    call = factories.CallFactory(description="Première version du règlement.")
    assert "Première version" in _get(client, _detail(call))

    call.description = "Règlement corrigé le jour même."
    call_services.update_call(call, by=staff, now=timezone.now())
    html = _get(client, _detail(call))
    assert "Règlement corrigé" in html
    assert "Première version" not in html

    factories.CriterionFactory(call=call, name="Faisabilité")
    assert "Faisabilité" in _get(client, _detail(call))


def test_an_edit_made_in_the_admin_shows_at_once(client):
    """A plain save (the admin, an import) is seen too, not only the services' writes."""
    call = factories.CallFactory(team_min=2, team_max=4)
    assert "Taille des équipes : 2 à 4 personnes" in _get(client, _detail(call))
    call.team_max = 6
    call.save()
    html = _get(client, _detail(call))
    assert "Taille des équipes : 2 à 6 personnes" in html
    assert "2 à 4 personnes" not in html


def test_the_staff_link_is_never_served_to_a_visitor_nor_hidden_from_staff(client):
    call = factories.CallFactory()
    staff = factories.StaffFactory(programme=call.programme)
    # Staff first: the page they see (with its managing links) warms the cache...
    client.force_login(staff)
    assert "Piloter cet appel" in _get(client, _detail(call))
    assert "Voir les candidatures déposées" in _get(client, _detail(call))
    # ...and a visitor after them does not get those links.
    client.logout()
    html = _get(client, _detail(call))
    assert "Piloter cet appel" not in html
    assert "Voir les candidatures déposées" not in html
    assert "Candidater à cet appel" in html
    # The other way round: the visitor's page does not hide the staff's links.
    client.force_login(staff)
    assert "Piloter cet appel" in _get(client, _detail(call))


# --- The list of calls --------------------------------------------------------------------


def test_a_call_published_shows_at_once_in_the_list(client):
    staff = factories.UserFactory(is_superuser=True)
    now = timezone.now()
    factories.CallFactory(edition="FAST 13")
    draft = factories.CallFactory(edition="FAST 14", state=CallState.DRAFT)
    html = _get(client, reverse("calls:list"))
    assert "FAST 13" in html
    assert "FAST 14" not in html

    call_services.publish(draft, by=staff, now=now)
    assert "FAST 14" in _get(client, reverse("calls:list"))


def test_a_call_renamed_shows_at_once_in_the_list(client):
    call = factories.CallFactory(title="Ancien titre")
    assert "Ancien titre" in _get(client, reverse("calls:list"))
    Call.objects.filter(pk=call.pk).update(title="Titre corrigé")  # no signal...
    call.title = "Titre corrigé"
    call.save(update_fields=["title"])  # ...until a save, as every service does
    html = _get(client, reverse("calls:list"))
    assert "Titre corrigé" in html
    assert "Ancien titre" not in html


def test_a_call_that_opens_moves_to_the_open_list_at_the_minute_it_opens(client):
    opens = timezone.now().replace(second=0, microsecond=0) + timedelta(hours=1)
    factories.CallFactory(edition="FAST 15", opens_at=opens, closes_at=opens + timedelta(days=30))
    with time_machine.travel(opens - timedelta(seconds=5), tick=False):
        html = _get(client, reverse("calls:list"))
    assert html.index("FAST 15") > html.index("<h2>À venir</h2>")
    with time_machine.travel(opens + timedelta(seconds=1), tick=False):
        html = _get(client, reverse("calls:list"))
    assert html.index("FAST 15") < html.index("<h2>À venir</h2>")


def test_the_list_s_filter_form_shows_what_each_visitor_typed(client):
    factories.CallFactory()
    assert 'value="2023"' in _get(client, reverse("calls:list") + "?year=2023")
    html = _get(client, reverse("calls:list") + "?year=1800")
    assert 'value="2023"' not in html
    assert "Saisissez une année après 2000." in html


# --- A promotion's page and the programme page --------------------------------------------


def _laureates_figure(html: str) -> int:
    return int(re.search(r'fr-h3 fr-mb-0">(\d+)</p>\s*<p>lauréats?</p>', html).group(1))


def test_a_laureate_edited_shows_at_once_on_the_promotion_and_programme_pages(client):
    staff = factories.UserFactory(is_superuser=True)
    cohort = factories.CohortFactory()
    laureate = factories.LaureateFactory(cohort=cohort, name="Signalconso")
    url = reverse("cohorts:detail", args=[cohort.slug])
    programme_url = reverse("programme-detail", args=[cohort.programme.slug])
    assert "Signalconso" in _get(client, url)
    assert "Signalconso" in _get(client, url)  # from the cache
    assert _laureates_figure(_get(client, programme_url)) == 1

    # A guarded update (no signal): the page keys on the rows' updated_at.
    cohort_services.edit_laureate(
        laureate, changes={"name": "SignalConso"}, by=staff, now=timezone.now()
    )
    html = _get(client, url)
    assert "SignalConso" in html
    assert "Signalconso" not in html

    factories.LaureateFactory(cohort=cohort, name="Mes Aides")
    assert "Mes Aides" in _get(client, url)
    assert _laureates_figure(_get(client, programme_url)) == 2


def test_a_promotion_published_shows_at_once_on_the_programme_page(client):
    staff = factories.UserFactory(is_superuser=True)
    programme = factories.ProgrammeFactory()
    cohort = factories.CohortFactory(programme=programme, label="EIG 9", published_at=None)
    factories.LaureateFactory(cohort=cohort)
    url = reverse("programme-detail", args=[programme.slug])
    assert "EIG 9" not in _get(client, url)
    cohort_services.publish_cohort(cohort, by=staff, now=timezone.now())
    assert "EIG 9" in _get(client, url)


def test_a_raw_update_of_a_laureate_with_its_date_shows_at_once(client):
    """What a bulk path does (a queryset update that sets updated_at) is seen too."""
    cohort = factories.CohortFactory()
    laureate = factories.LaureateFactory(cohort=cohort, name="Beta 1")
    url = reverse("cohorts:detail", args=[cohort.slug])
    assert "Beta 1" in _get(client, url)
    Laureate.objects.filter(pk=laureate.pk).update(
        name="Beta 2", updated_at=timezone.now() + timedelta(seconds=1)
    )
    assert "Beta 2" in _get(client, url)


# --- The versions themselves --------------------------------------------------------------


def test_a_bump_changes_the_tag_and_an_evicted_version_never_comes_back_to_an_old_value():
    from django.core.cache import cache

    before = fragments.tag("calls")
    fragments.bump("calls")
    after = fragments.tag("calls")
    assert after != before
    cache.delete("fragment-version:calls")  # evicted
    assert fragments.tag("calls") not in (before, after)


def test_render_once_renders_on_a_miss_only():
    calls = []

    def render():
        calls.append(1)
        return "<p>once</p>"

    assert fragments.render_once(["t", 1], render) == "<p>once</p>"
    assert fragments.render_once(["t", 1], render) == "<p>once</p>"
    assert fragments.render_once(["t", 2], render) == "<p>once</p>"
    assert len(calls) == 2


def test_a_write_is_not_refused_when_the_cache_is_unreachable(monkeypatch, caplog):
    class Unreachable:
        """The cache server at the edge, down."""

        def __getattr__(self, name):
            def call(*args, **kwargs):
                raise ConnectionError("redis down")

            return call

    monkeypatch.setattr(fragments, "cache", Unreachable())
    call = factories.CallFactory(title="Enregistré malgré tout")
    assert Call.objects.get(pk=call.pk).title == "Enregistré malgré tout"
    assert "could not be renewed" in caplog.text


def test_the_promotion_s_page_links_never_carry_another_visitor_s_address(client):
    cohort = factories.CohortFactory()
    factories.LaureateFactory.create_batch(120, cohort=cohort)
    url = reverse("cohorts:detail", args=[cohort.slug])
    first = _get(client, url + "?page=2&courriel=alice%40exemple.fr")
    assert "alice" in first  # the visitor's own links keep their address
    later = _get(client, url + "?page=2")
    assert "alice" not in later
    assert "Page 2 sur 2" in later
    assert _get(client, url + "?page=99").count("Page 2 sur 2") == 1  # the last page


def test_the_programme_page_s_staff_button_stays_with_the_staff(client):
    cohort = factories.CohortFactory()
    factories.LaureateFactory(cohort=cohort)
    programme = cohort.programme
    url = reverse("programme-detail", args=[programme.slug])
    client.force_login(factories.StaffFactory(programme=programme))
    assert "Piloter ce programme" in _get(client, url)
    client.logout()
    html = _get(client, url)
    assert "Piloter ce programme" not in html
    assert _laureates_figure(html) == 1
