"""Sign-in attempts are limited per address typed and per IP (django-axes)."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from tests import factories

pytestmark = pytest.mark.django_db

LIMIT = 5


def attempt(client, email, password, ip="198.51.100.7"):
    return client.post(reverse("login"), {"username": email, "password": password}, REMOTE_ADDR=ip)


@pytest.fixture
def person(db):
    return factories.UserFactory(email="camille.martin@example.gouv.fr")


def test_the_fifth_wrong_password_locks_the_address_from_that_ip_with_a_french_message(
    client, person, password
):
    for _ in range(LIMIT - 1):
        response = attempt(client, person.email, "mauvais-mot-de-passe")
        assert response.status_code == 200
        assert "Adresse électronique ou mot de passe incorrect" in response.content.decode()

    response = attempt(client, person.email, "mauvais-mot-de-passe")
    assert response.status_code == 429
    html = response.content.decode()
    assert "Connexion bloquée pour un moment" in html
    assert "réessayez dans 15 minutes" in html
    assert 'value="camille.martin@example.gouv.fr"' in html  # what was typed stays

    # Even the right password is refused while locked, whatever the case typed.
    response = attempt(client, person.email.upper(), password)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_lock_holds_neither_for_another_ip_nor_for_another_address(client, person, password):
    for _ in range(LIMIT):
        attempt(client, person.email, "mauvais-mot-de-passe")

    other = factories.UserFactory()
    assert attempt(client, other.email, password).status_code == 302
    client.logout()
    assert attempt(client, person.email, password, ip="203.0.113.9").status_code == 302


def test_the_lock_ends_after_the_cool_off(client, person, password):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for _ in range(LIMIT):
            attempt(client, person.email, "mauvais-mot-de-passe")
        assert attempt(client, person.email, password).status_code == 429
    with time_machine.travel(start + timedelta(minutes=16), tick=False):
        response = attempt(client, person.email, password)
    assert response.status_code == 302
    assert response.url == reverse("dashboard")


def test_a_success_clears_the_failures(client, person, password):
    for _ in range(LIMIT - 1):
        attempt(client, person.email, "mauvais-mot-de-passe")
    assert attempt(client, person.email, password).status_code == 302
    client.logout()
    for _ in range(LIMIT - 1):
        assert attempt(client, person.email, "mauvais-mot-de-passe").status_code == 200
    assert attempt(client, person.email, password).status_code == 302


def test_behind_a_trusted_proxy_the_client_address_is_the_one_the_proxy_saw(
    client, person, password, settings
):
    settings.TRUSTED_PROXY_COUNT = 1

    def through_proxy(client_ip, forged=""):
        chain = f"{forged}, {client_ip}" if forged else client_ip
        return client.post(
            reverse("login"),
            {"username": person.email, "password": "mauvais-mot-de-passe"},
            REMOTE_ADDR="10.0.0.2",
            HTTP_X_FORWARDED_FOR=chain,
        )

    for n in range(LIMIT):
        # A forged left-most entry changing each time does not escape the count.
        response = through_proxy("198.51.100.7", forged=f"192.0.2.{n}")
    assert response.status_code == 429
    assert through_proxy("203.0.113.9").status_code == 200


def test_failed_proconnect_callbacks_lock_nobody_out_behind_a_shared_address(
    client, person, password, rf
):
    from axes.models import AccessAttempt
    from django.contrib.auth import authenticate

    for _ in range(LIMIT + 2):
        request = rf.get("/proconnect/callback/", REMOTE_ADDR="198.51.100.7")
        # What mozilla-django-oidc passes when ProConnect's answer does not check out.
        assert authenticate(request=request, nonce="n", code_verifier=None) is None
    assert not AccessAttempt.objects.exists()
    assert attempt(client, person.email, password).status_code == 302


def test_a_few_passwords_on_many_accounts_from_one_ip_are_limited_too(client, password, settings):
    """Password spraying: under the per-address limit on each, but many addresses."""
    people = [factories.UserFactory() for _ in range(settings.AXES_IP_FAILURE_LIMIT // 2 + 1)]
    answers = [
        attempt(client, person.email, "mauvais-mot-de-passe").status_code
        for person in people[:-1]
        for _ in range(2)
    ]
    # Two tries per address, far under its own limit, are answered until the IP's limit.
    assert answers[:-1] == [200] * (len(answers) - 1)
    assert answers[-1] == 429
    # The IP has reached its own limit: even a right password is refused from it, in French.
    response = attempt(client, people[-1].email, password)
    assert response.status_code == 429
    assert "depuis votre connexion" in response.content.decode()
    # Another IP is not concerned.
    assert attempt(client, people[-1].email, password, ip="203.0.113.9").status_code == 302


def test_signing_in_to_one_s_own_account_does_not_wipe_the_ip_s_count(client, password, settings):
    own = factories.UserFactory()
    people = [factories.UserFactory() for _ in range(settings.AXES_IP_FAILURE_LIMIT // 2)]
    for person in people:
        for _ in range(2):
            attempt(client, person.email, "mauvais-mot-de-passe")
        if person is people[len(people) // 2]:
            assert attempt(client, own.email, password).status_code == 302
            client.logout()
    assert attempt(client, own.email, password).status_code == 429
