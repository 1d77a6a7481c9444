"""The one web layer: loading and checking an object, running a service from a view."""

import pytest
from django import forms
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.test import RequestFactory

from programme import web
from programme.exceptions import TransitionError
from programme.models import Programme
from tests import factories

LOADS = []


def load_programme(slug):
    LOADS.append(slug)
    try:
        return Programme.objects.get(slug=slug)
    except Programme.DoesNotExist:
        raise Http404 from None


@web.object_permission("programme.manage_programme", load_programme)
def manage(request, programme, tab="summary"):
    return HttpResponse(f"{programme.slug}:{tab}")


@web.object_permission("programme.manage_programme", load_programme, private=True)
def manage_private(request, programme):
    return HttpResponse(programme.slug)


@web.object_permission("programme.manage_programme", load_programme, hidden=True)
def manage_hidden(request, programme):
    return HttpResponse(programme.slug)


def _request(user, method="get", data=None):
    request = getattr(RequestFactory(), method)("/programmes/x/pilotage/", data or {})
    request.user = user
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


@pytest.fixture(autouse=True)
def _no_loads():
    LOADS.clear()


def test_staff_get_the_object_loaded_once_with_the_other_url_arguments(staff, programme):
    response = manage(_request(staff), slug=programme.slug, tab="jury")

    assert response.content.decode() == f"{programme.slug}:jury"
    assert [programme.slug] == LOADS


def test_a_visitor_is_sent_to_sign_in_and_comes_back(programme):
    response = manage(_request(AnonymousUser()), slug=programme.slug)

    assert response.status_code == 302
    assert response.url.startswith("/compte/connexion/?next=")


def test_someone_else_is_refused_with_403_or_404_when_private(user, programme):
    with pytest.raises(PermissionDenied):
        manage(_request(user), slug=programme.slug)
    with pytest.raises(Http404):
        manage_private(_request(user), slug=programme.slug)


def test_a_hidden_object_is_a_404_for_a_visitor_too(user, programme):
    with pytest.raises(Http404):
        manage_hidden(_request(AnonymousUser()), slug=programme.slug)
    with pytest.raises(Http404):
        manage_hidden(_request(user), slug=programme.slug)


def test_an_unknown_object_is_a_404_even_for_a_visitor(db):
    with pytest.raises(Http404):
        manage(_request(AnonymousUser()), slug="nulle-part")


def _refuse(**kwargs):
    raise TransitionError("L'appel est clos.")


class NoteForm(forms.Form):
    note = forms.CharField()


def test_run_says_success_and_returns_the_service_value(user):
    request = _request(user)

    outcome = web.run(request, lambda value: value * 2, 21, success="Enregistré.")

    assert outcome
    assert outcome.value == 42
    assert [str(m) for m in get_messages(request)] == ["Enregistré."]


def test_a_refusal_becomes_a_message_on_the_page(user):
    request = _request(user)

    outcome = web.run(request, _refuse, success="Enregistré.")

    assert not outcome
    assert str(outcome.error) == "L'appel est clos."
    assert [str(m) for m in get_messages(request)] == ["L'appel est clos."]


def test_a_refusal_on_a_form_goes_next_to_the_field_and_keeps_what_was_typed(user):
    request = _request(user, "post", {"note": "Ce que j'ai tapé"})
    form = NoteForm(request.POST)
    assert form.is_valid()

    outcome = web.run(request, _refuse, form=form, field="note")

    assert not outcome
    assert form.errors == {"note": ["L'appel est clos."]}
    assert form["note"].value() == "Ce que j'ai tapé"
    assert list(get_messages(request)) == []


def test_crumbs_are_what_the_dsfr_tag_reads():
    assert web.crumbs(("Accueil", "/"), current="Appels") == {
        "links": [{"title": "Accueil", "url": "/"}],
        "current": "Appels",
    }


def test_factories_still_make_staff_of_the_programme(programme):
    # Guard for the fixture the tests above rely on: staff manage their programme.
    assert factories.StaffFactory(programme=programme).has_perm(
        "programme.manage_programme", programme
    )
