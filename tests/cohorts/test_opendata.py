"""The open data of the laureates as a data.gouv.fr re-user meets it: every file validates
against the published Table Schema (frictionless), carries its licence and a unique
identifier per laureate, answers any origin, and revalidates with a 304."""

import json
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.http import http_date
from frictionless import Resource, Schema

from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_programmes():
    fast = factories.ProgrammeFactory(slug="fast", name="FAST", operator="Dinum")
    eig = factories.ProgrammeFactory(slug="eig", name="EIG", operator="Etalab")
    host = factories.StructureFactory(name="Direction générale de la cohésion sociale")
    host.siret = "11000101300017"
    host.save()
    f13 = factories.CohortFactory(
        programme=fast, slug="fast-13", label="FAST 13", starts_on=date(2023, 11, 6)
    )
    eig2 = factories.CohortFactory(
        programme=eig, slug="eig-2", label="EIG 2", starts_on=date(2018, 1, 15)
    )
    factories.LaureateFactory(
        cohort=f13, name="Mano", host_structure=host, funding_granted=Decimal("270000.50")
    )
    factories.LaureateFactory(cohort=f13, name="Mobilic", funding_granted=Decimal("280000"))
    # EIG 2's entrepreneurs share défi names: the identifier tells the rows apart.
    for _n in range(3):
        factories.LaureateFactory(cohort=eig2, name="Prédisauvetage")
    factories.CohortFactory(programme=fast, slug="fast-14", published_at=None)
    return fast, eig


FILES = [
    ("cohorts:csv", {"slug": "fast-13"}, "", 2),
    ("cohorts:json", {"slug": "eig-2"}, "", 3),
    ("cohorts:all-csv", {}, "", 5),
    ("cohorts:all-json", {}, "", 5),
    ("cohorts:all-json", {}, "?programme=fast", 2),
    ("cohorts:all-csv", {}, "?annee=2018", 3),
    ("cohorts:all-json", {}, "?programme=eig&annee=2018", 3),
    ("cohorts:all-csv", {}, "?programme=fast&annee=2018", 0),
]


def schema(client) -> dict:
    response = client.get(reverse("cohorts:schema"))
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Access-Control-Allow-Origin"] == "*"
    return json.loads(response.content)


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_the_schema_types_describes_and_constrains_every_field(client):
    published = schema(client)
    report = Schema.validate_descriptor(published)
    assert report.valid, report.flatten(["type", "note"])
    fields = {field["name"]: field for field in published["fields"]}
    assert published["primaryKey"] == ["identifiant"]
    assert all(field["description"] and field["type"] for field in fields.values())
    assert fields["identifiant"]["constraints"]["unique"] is True
    assert fields["identifiant"]["constraints"]["pattern"].startswith("^[0-9a-f]{8}")
    assert "Accélération" in fields["phase"]["constraints"]["enum"]
    assert fields["financement_accorde_eur"]["constraints"]["minimum"] == 0
    assert fields["siret_structure_accueil"]["constraints"]["pattern"] == "^[0-9]{14}$"
    assert published["licenses"][0]["title"] == "Licence Ouverte / Etalab 2.0"


@pytest.mark.parametrize(("name", "kwargs", "query", "count"), FILES)
def test_every_file_validates_against_the_published_schema(
    client, two_programmes, name, kwargs, query, count
):
    published = Schema.from_descriptor(schema(client))
    response = client.get(reverse(name, kwargs=kwargs) + query)
    assert response.status_code == 200
    if name.endswith("json"):
        data = json.loads(body(response))
        assert data["licence"] == "Licence Ouverte / Etalab 2.0"
        assert data["licence_url"].startswith("https://www.etalab.gouv.fr/")
        assert data["producteur"]
        assert data["schema"] == "http://testserver/cohortes/schema.json"
        rows = data["laureats"]
        ids = [row["identifiant"] for row in rows]
        assert len(ids) == len(set(ids)) == count
        resource = Resource(data=rows, schema=published)
    else:
        text = body(response).decode("utf-8-sig")
        assert text.count("\n") == count + 1
        resource = Resource(text.encode(), format="csv", schema=published)
    report = resource.validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


def test_the_json_names_the_licence_producer_and_the_last_update(client, two_programmes):
    data = client.get(reverse("cohorts:json", kwargs={"slug": "fast-13"})).json()
    assert data["producteur"] == "Dinum"
    assert data["derniere_mise_a_jour"]
    mano = next(row for row in data["laureats"] if row["nom"] == "Mano")
    assert mano["siret_structure_accueil"] == "11000101300017"
    assert mano["financement_accorde_eur"] == 270000.5
    page = client.get(reverse("cohorts:detail", kwargs={"slug": "fast-13"})).content.decode()
    assert "Licence Ouverte / Etalab 2.0" in page
    assert "Dinum" in page
    assert "Dernière mise à jour" in page


def test_an_unpublished_cohort_is_in_no_dataset(client, two_programmes):
    data = client.get(reverse("cohorts:all-json")).json()
    assert {row["promotion"] for row in data["laureats"]} == {"fast-13", "eig-2"}
    assert client.get(reverse("cohorts:json", kwargs={"slug": "fast-14"})).status_code == 404


@pytest.mark.parametrize("query", ["?annee=deux-mille", "?programme=%3Cscript%3E"])
def test_a_bad_filter_is_a_400_saying_why(client, query):
    response = client.get(reverse("cohorts:all-json") + query)
    assert response.status_code == 400
    assert "Filtre invalide" in response.content.decode()


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("cohorts:json", {"slug": "fast-13"}),
        ("cohorts:csv", {"slug": "fast-13"}),
        ("cohorts:all-json", {}),
        ("cohorts:all-csv", {}),
    ],
)
def test_files_answer_any_origin_and_revalidate_with_a_304(client, two_programmes, name, kwargs):
    url = reverse(name, kwargs=kwargs)
    first = client.get(url)
    assert first["Access-Control-Allow-Origin"] == "*"
    assert first["ETag"]
    assert first["Last-Modified"]
    again = client.get(url, headers={"if-none-match": first["ETag"]})
    assert again.status_code == 304
    assert again["Access-Control-Allow-Origin"] == "*"
    since = client.get(url, headers={"if-modified-since": first["Last-Modified"]})
    assert since.status_code == 304
    stale = client.get(url, headers={"if-modified-since": http_date(0)})
    assert stale.status_code == 200


def test_a_change_of_a_laureate_changes_the_validators(client, two_programmes):
    url = reverse("cohorts:all-json")
    first = client.get(url)
    laureate = factories.LaureateFactory._meta.model.objects.get(name="Mobilic")
    laureate.mission = "Une autre mission."
    laureate.save()
    again = client.get(url, headers={"if-none-match": first["ETag"]})
    assert again.status_code == 200
    assert again["ETag"] != first["ETag"]


def test_the_catalogue_lists_every_dataset_with_its_schema_in_dcat(client, two_programmes):
    page = client.get(reverse("cohorts:catalogue")).content.decode()
    for url in (
        "/cohortes/laureats.csv",
        "/cohortes/fast-13/laureats.json",
        "/cohortes/schema.json",
    ):
        assert url in page
    assert "/cohortes/fast-14/" not in page
    response = client.get(reverse("cohorts:catalogue-jsonld"))
    assert response["Content-Type"] == "application/ld+json; charset=utf-8"
    catalogue = json.loads(response.content)
    assert catalogue["@type"] == "dcat:Catalog"
    datasets = {d["dct:identifier"]: d for d in catalogue["dcat:dataset"]}
    assert set(datasets) == {"laureats", "laureats-fast-13", "laureats-eig-2"}
    for dataset in datasets.values():
        urls = {d["dcat:downloadURL"]["@id"] for d in dataset["dcat:distribution"]}
        assert len(urls) == 2
        for d in dataset["dcat:distribution"]:
            assert d["dct:conformsTo"]["@id"] == "http://testserver/cohortes/schema.json"
        assert dataset["dct:license"]["@id"].startswith("https://www.etalab.gouv.fr/")
    assert "http://testserver/cohortes/eig-2/laureats.csv" in {
        d["dcat:downloadURL"]["@id"] for d in datasets["laureats-eig-2"]["dcat:distribution"]
    }


def test_the_api_page_documents_urls_fields_and_curl_on_the_site_host(
    client, settings, two_programmes
):
    settings.ALLOWED_HOSTS = ["portail.example.gouv.fr"]
    page = client.get(reverse("cohorts:api"), HTTP_HOST="portail.example.gouv.fr")
    text = page.content.decode()
    assert "curl -sS http://portail.example.gouv.fr/cohortes/laureats.json" in text
    assert "If-None-Match" in text
    assert "siret_structure_accueil" in text
    assert "Licence Ouverte / Etalab 2.0" in text


@pytest.mark.parametrize("size", [3, 30])
@pytest.mark.parametrize(
    ("name", "kwargs", "expected"),
    [
        # The cohort, its state, its laureates.
        ("cohorts:json", {"slug": "grande"}, 3),
        ("cohorts:csv", {"slug": "grande"}, 3),
        # The state, the laureates.
        ("cohorts:all-json", {}, 2),
        ("cohorts:all-csv", {}, 2),
        # The cohorts with their counts; the DSFR settings of the layout.
        ("cohorts:catalogue", {}, 2),
        ("cohorts:catalogue-jsonld", {}, 1),
    ],
)
def test_open_data_runs_a_fixed_number_of_queries(client, size, name, kwargs, expected):
    host = factories.StructureFactory()
    for n in range(size):
        cohort = factories.CohortFactory(slug="grande" if n == 0 else f"promotion-g{n}")
        factories.LaureateFactory(
            cohort=cohort, name=f"Startup {n}", host_structure=host, intrapreneur_public=True
        )
        factories.LaureateFactory(cohort=cohort, name=f"Défi {n}")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse(name, kwargs=kwargs))
        body(response)
    assert response.status_code == 200
    assert len(queries) == expected, "\n".join(q["sql"][:90] for q in queries.captured_queries)


def test_staff_record_a_selection_made_before_the_portal_in_the_cohort_form(
    admin_client, two_programmes
):
    from cohorts.models import Cohort

    cohort = Cohort.objects.get(slug="eig-2")
    url = reverse("admin:cohorts_cohort_change", args=[cohort.pk])
    form = {
        "programme": cohort.programme_id, "label": "EIG 2", "slug": "eig-2",
        "starts_on": "2018-01-15", "ends_on": "2018-11-15",
        "funnel_candidates": "200", "funnel_selected": "280", "funnel_source": "",
        "laureates-TOTAL_FORMS": "0", "laureates-INITIAL_FORMS": "0",
    }  # fmt: skip
    page = admin_client.post(url, form).content.decode()
    assert "Ce chiffre ne peut pas dépasser celui de l&#x27;étape précédente." in page
    assert "Indiquez où ces chiffres ont été publiés." in page
    assert 'value="280"' in page  # what was typed is kept
    form.update(funnel_selected="28", funnel_source="Communiqué d'Etalab, janvier 2018")
    assert admin_client.post(url, form).status_code == 302
    page = admin_client.get(reverse("cohorts:detail", kwargs={"slug": "eig-2"})).content.decode()
    assert '<td data-step="candidates">200</td>' in page
    assert '<td data-step="selected">28</td>' in page
    assert "Communiqué d&#x27;Etalab, janvier 2018" in page
