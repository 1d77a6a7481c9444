"""ProConnect sign-in, end to end against a fake OpenID Connect provider.

The provider runs in a thread on 127.0.0.1 and speaks real HTTP; it signs its
tokens and its userinfo answers with a real RSA key, as ProConnect does. The
portal's backend reaches it with `requests`; the test client cannot, so the
tests carry the browser's part of the redirects themselves.
"""

import html
import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa
from django.test import Client
from django.urls import reverse

from programme.audit import history
from programme.enums import StructureType
from programme.models import AuditEntry, Structure, User
from tests import factories

pytestmark = pytest.mark.django_db

CLIENT_ID = "portail-programmes-test"
CLIENT_SECRET = "secret-du-client-de-test"
SCOPES = {"openid", "email", "given_name", "usual_name", "uid", "siret", "idp_id"}
FAILURE_MESSAGE = "ProConnect n'a pas pu confirmer votre identité"


def new_rsa_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


class FakeProConnect:
    """What the portal sees of ProConnect: authorize, token, userinfo, jwks, session end."""

    def __init__(self):
        self.key = new_rsa_key()
        self.kid = "fake-proconnect-2026"
        # Tests swap these for an impostor's key to see the portal refuse the token.
        self.id_token_key = self.key
        self.userinfo_key = self.key
        self.identity = {}
        self.deny_next_authorization = False
        self.codes = {}
        self.access_tokens = {}
        self.id_tokens = set()
        self.ended_sessions = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.issuer = f"{self.base}/api/v2"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def url(self, endpoint: str) -> str:
        return f"{self.issuer}{endpoint}"

    def sign(self, claims: dict, key) -> str:
        now = int(time.time())
        claims = {"iss": self.issuer, "aud": CLIENT_ID, "iat": now, "exp": now + 300, **claims}
        return jwt.encode(claims, key, algorithm="RS256", headers={"kid": self.kid})

    def jwks(self) -> dict:
        jwk = jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key(), as_dict=True)
        return {"keys": [{**jwk, "kid": self.kid, "alg": "RS256", "use": "sig"}]}

    # -- the endpoints ------------------------------------------------------

    def authorize(self, query: dict) -> tuple[int, dict, bytes]:
        assert query["client_id"] == CLIENT_ID
        assert query["response_type"] == "code"
        assert set(query["scope"].split()) == SCOPES
        assert query["acr_values"] == "eidas1"
        assert len(query["state"]) >= 32
        assert len(query["nonce"]) >= 32
        redirect_uri = query["redirect_uri"]
        if self.deny_next_authorization:
            params = {"error": "access_denied", "error_description": "refused by the user"}
        else:
            code = secrets.token_urlsafe(16)
            self.codes[code] = {"nonce": query["nonce"], "redirect_uri": redirect_uri}
            params = {"code": code}
        location = f"{redirect_uri}?{urlencode({**params, 'state': query['state']})}"
        return 302, {"Location": location}, b""

    def token(self, form: dict) -> tuple[int, dict, bytes]:
        grant = self.codes.pop(form.get("code", ""), None)
        if (
            grant is None
            or form.get("grant_type") != "authorization_code"
            or form.get("client_id") != CLIENT_ID
            or form.get("client_secret") != CLIENT_SECRET
            or form.get("redirect_uri") != grant["redirect_uri"]
        ):
            return self.json(400, {"error": "invalid_grant"})
        access_token = secrets.token_urlsafe(16)
        self.access_tokens[access_token] = dict(self.identity)
        id_token = self.sign(
            {"sub": self.identity["sub"], "nonce": grant["nonce"], "acr": "eidas1"},
            self.id_token_key,
        )
        self.id_tokens.add(id_token)
        return self.json(
            200,
            {
                "access_token": access_token,
                "token_type": "Bearer",
                "expires_in": 60,
                "id_token": id_token,
            },
        )

    def userinfo(self, authorization: str) -> tuple[int, dict, bytes]:
        identity = self.access_tokens.get(authorization.removeprefix("Bearer "))
        if identity is None:
            return self.json(401, {"error": "invalid_token"})
        body = self.sign(identity, self.userinfo_key).encode()
        return 200, {"Content-Type": "application/jwt; charset=utf-8"}, body

    def end_session(self, query: dict) -> tuple[int, dict, bytes]:
        if query.get("id_token_hint") not in self.id_tokens or not query.get("state"):
            return self.json(400, {"error": "invalid_request"})
        self.ended_sessions.append(query["id_token_hint"])
        back = f"{query['post_logout_redirect_uri']}?{urlencode({'state': query['state']})}"
        return 302, {"Location": back}, b""

    @staticmethod
    def json(status: int, data: dict) -> tuple[int, dict, bytes]:
        return status, {"Content-Type": "application/json"}, json.dumps(data).encode()

    def _handler_class(self):
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's naming)
                url = urlsplit(self.path)
                query = {key: values[0] for key, values in parse_qs(url.query).items()}
                if url.path == "/api/v2/authorize":
                    self.answer(*provider.authorize(query))
                elif url.path == "/api/v2/userinfo":
                    self.answer(*provider.userinfo(self.headers.get("Authorization", "")))
                elif url.path == "/api/v2/jwks":
                    self.answer(*provider.json(200, provider.jwks()))
                elif url.path == "/api/v2/session/end":
                    self.answer(*provider.end_session(query))
                else:
                    self.answer(404, {}, b"")

            def do_POST(self):  # noqa: N802
                length = int(self.headers.get("Content-Length", 0))
                form = {
                    key: values[0]
                    for key, values in parse_qs(self.rfile.read(length).decode()).items()
                }
                if self.path == "/api/v2/token":
                    self.answer(*provider.token(form))
                else:
                    self.answer(404, {}, b"")

            def answer(self, status, headers, body):
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format, *args):  # noqa: A002 (http.server's signature)
                pass

        return Handler


@pytest.fixture
def provider():
    fake = FakeProConnect()
    fake.thread.start()
    yield fake
    fake.server.shutdown()
    fake.server.server_close()
    fake.thread.join()


@pytest.fixture
def proconnect(settings, provider):
    """ProConnect switched on and pointed at the fake provider."""
    settings.PROCONNECT_ENABLED = True
    settings.PROCONNECT_CLIENT_ID = settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.PROCONNECT_CLIENT_SECRET = settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.PROCONNECT_DOMAIN = provider.base
    settings.PROCONNECT_ISSUER = provider.issuer
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = provider.url("/authorize")
    settings.OIDC_OP_TOKEN_ENDPOINT = provider.url("/token")
    settings.OIDC_OP_USER_ENDPOINT = provider.url("/userinfo")
    settings.OIDC_OP_JWKS_ENDPOINT = provider.url("/jwks")
    settings.OIDC_OP_LOGOUT_ENDPOINT = provider.url("/session/end")
    backend = "programme.proconnect.ProConnectBackend"
    if backend not in settings.AUTHENTICATION_BACKENDS:
        settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, backend]
    provider.identity = {
        "sub": "sub-from-first-idp",
        "email": "Camille.Martin@developpement-durable.gouv.fr",
        "given_name": "Camille",
        "usual_name": "Martin",
        "uid": "uid-42",
        "siret": "11000201100044",
        "idp_id": "idp-ministere-ecologie",
    }
    return provider


def sign_in(client, provider):
    """Click the ProConnect button, let the provider answer, come back to the callback."""
    response = client.get(reverse("oidc_authentication_init"))
    assert response.status_code == 302
    authorize_url = response["Location"]
    assert authorize_url.startswith(provider.url("/authorize?"))
    answer = requests.get(authorize_url, allow_redirects=False, timeout=5)
    assert answer.status_code == 302
    callback = urlsplit(answer.headers["Location"])
    assert (callback.scheme, callback.netloc) == ("http", "testserver")
    assert callback.path == reverse("oidc_authentication_callback")
    return client.get(f"{callback.path}?{callback.query}")


def signed_in_user(client):
    return client.get(reverse("profile")).wsgi_request.user


def assert_refused_on_login_page(client, response, message=FAILURE_MESSAGE):
    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    page = client.get(response["Location"])
    assert message in html.unescape(page.content.decode())
    assert not page.wsgi_request.user.is_authenticated
    assert "oidc_id_token" not in client.session


def test_first_sign_in_creates_the_account_from_the_claims(client, proconnect):
    response = sign_in(client, proconnect)

    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard")
    user = User.objects.get()
    assert signed_in_user(client) == user
    assert user.email == "camille.martin@developpement-durable.gouv.fr"
    assert user.username == user.email
    assert (user.first_name, user.last_name) == ("Camille", "Martin")
    assert (user.proconnect_uid, user.proconnect_idp) == ("uid-42", "idp-ministere-ecologie")
    assert not user.has_usable_password()
    assert user.structure.siret == "11000201100044"
    assert user.structure.type == StructureType.OTHER
    assert user.structure.name == "SIRET 11000201100044"
    assert [entry.action for entry in history(user)] == ["user.proconnect_signup"]
    assert client.session["oidc_id_token"] in proconnect.id_tokens


def test_sign_in_honours_the_next_page(client, proconnect):
    response = client.get(reverse("oidc_authentication_init"), {"next": reverse("profile")})
    answer = requests.get(response["Location"], allow_redirects=False, timeout=5)
    callback = urlsplit(answer.headers["Location"])

    response = client.get(f"{callback.path}?{callback.query}")

    assert response["Location"] == reverse("profile")


def test_known_siret_attaches_the_existing_structure(client, proconnect):
    dreal = factories.StructureFactory(name="DREAL Bretagne", siret="11000201100044")

    sign_in(client, proconnect)

    assert User.objects.get().structure == dreal
    assert Structure.objects.count() == 1


def test_another_identity_provider_with_the_same_email_finds_the_same_account(client, proconnect):
    sign_in(client, proconnect)
    client.logout()
    proconnect.identity.update(
        sub="sub-from-second-idp",
        email="CAMILLE.MARTIN@Developpement-Durable.gouv.fr",
        uid="uid-7",
        idp_id="idp-agricolture",
    )

    response = sign_in(client, proconnect)

    assert response["Location"] == reverse("dashboard")
    user = User.objects.get()
    assert signed_in_user(client) == user
    assert (user.proconnect_uid, user.proconnect_idp) == ("uid-7", "idp-agricolture")


def test_existing_password_account_is_matched_and_keeps_what_it_has(client, proconnect, password):
    dreal = factories.StructureFactory(name="DREAL Occitanie")
    existing = factories.UserFactory(
        email="camille.martin@developpement-durable.gouv.fr",
        first_name="Camille",
        last_name="Martin-Durand",
        structure=dreal,
    )

    sign_in(client, proconnect)

    assert signed_in_user(client) == existing
    existing.refresh_from_db()
    assert User.objects.count() == 1
    assert existing.last_name == "Martin-Durand"
    assert existing.structure == dreal  # the SIRET does not move a person already placed
    assert not Structure.objects.filter(siret="11000201100044").exists()
    assert existing.proconnect_uid == "uid-42"
    assert existing.check_password(password)


def test_userinfo_signed_with_another_key_is_refused(client, proconnect):
    proconnect.userinfo_key = new_rsa_key()  # same kid, impostor's key

    response = sign_in(client, proconnect)

    assert_refused_on_login_page(client, response)
    assert not User.objects.exists()


def test_id_token_signed_with_another_key_is_refused(client, proconnect):
    proconnect.id_token_key = new_rsa_key()

    response = sign_in(client, proconnect)

    assert_refused_on_login_page(client, response)
    assert not User.objects.exists()


def test_refusal_at_the_provider_lands_on_the_login_page(client, proconnect):
    proconnect.deny_next_authorization = True

    response = sign_in(client, proconnect)

    assert_refused_on_login_page(client, response, "La connexion avec ProConnect n'a pas abouti")
    assert not User.objects.exists()


def test_replayed_callback_is_refused(client, proconnect):
    response = client.get(reverse("oidc_authentication_init"))
    answer = requests.get(response["Location"], allow_redirects=False, timeout=5)
    callback = urlsplit(answer.headers["Location"])
    client.get(f"{callback.path}?{callback.query}")
    client.logout()

    response = client.get(f"{callback.path}?{callback.query}")

    assert_refused_on_login_page(client, response)


def test_deactivated_account_cannot_sign_in(client, proconnect):
    factories.UserFactory(email="camille.martin@developpement-durable.gouv.fr", is_active=False)

    response = sign_in(client, proconnect)

    assert_refused_on_login_page(client, response, "Votre compte est désactivé")


def test_logout_ends_the_session_at_the_provider(client, proconnect):
    sign_in(client, proconnect)
    id_token = client.session["oidc_id_token"]

    response = client.post(reverse("logout"))

    assert response.status_code == 302
    end_session = urlsplit(response["Location"])
    assert f"{end_session.scheme}://{end_session.netloc}{end_session.path}" == proconnect.url(
        "/session/end"
    )
    query = {key: values[0] for key, values in parse_qs(end_session.query).items()}
    assert query["id_token_hint"] == id_token
    assert query["post_logout_redirect_uri"] == "http://testserver" + reverse("home")
    assert not signed_in_user(client).is_authenticated

    answer = requests.get(response["Location"], allow_redirects=False, timeout=5)
    assert answer.status_code == 302
    assert answer.headers["Location"].startswith("http://testserver" + reverse("home"))
    assert proconnect.ended_sessions == [id_token]


def test_library_logout_url_also_ends_the_session_at_the_provider(client, proconnect):
    sign_in(client, proconnect)
    id_token = client.session["oidc_id_token"]

    response = client.post(reverse("oidc_logout"))

    assert response["Location"].startswith(proconnect.url("/session/end?"))
    assert parse_qs(urlsplit(response["Location"]).query)["id_token_hint"] == [id_token]
    assert not signed_in_user(client).is_authenticated


def test_password_account_logout_stays_on_the_portal(client, proconnect, user):
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")

    response = client.post(reverse("logout"))

    assert response["Location"] == reverse("home")
    assert proconnect.ended_sessions == []


def test_login_page_offers_proconnect_when_switched_on(client, proconnect):
    page = client.get(reverse("login")).content.decode()

    assert reverse("oidc_authentication_init") in page
    assert "ProConnect" in page


def test_switched_off_proconnect_is_nowhere(client, settings):
    settings.PROCONNECT_ENABLED = False

    for name in ("oidc_authentication_init", "oidc_authentication_callback", "oidc_logout"):
        assert client.get(reverse(name)).status_code == 404
    page = client.get(reverse("login")).content.decode()
    assert "ProConnect" not in page
    assert reverse("oidc_authentication_init") not in page


def test_first_sign_in_account_is_verified_by_proconnect(client, proconnect):
    sign_in(client, proconnect)
    assert signed_in_user(client).email_verified_at is not None


def test_an_unverified_password_account_registered_by_someone_else_is_taken_over(
    client, proconnect, password
):
    # Someone signed up first with the agent's address and never confirmed it.
    squatted = factories.UserFactory(
        email="camille.martin@developpement-durable.gouv.fr", email_verified_at=None
    )
    attacker = Client()
    assert attacker.login(username=squatted.email, password=password)

    sign_in(client, proconnect)

    assert signed_in_user(client) == squatted
    squatted.refresh_from_db()
    assert squatted.email_verified_at is not None
    assert not squatted.check_password(password)  # the attacker's password no longer works
    assert not Client().login(username=squatted.email, password=password)
    # and the session opened with it is over
    assert attacker.get(reverse("dashboard")).status_code == 302
    assert AuditEntry.objects.filter(action="user.proconnect_takeover").exists()


def test_a_verified_password_account_keeps_its_password(client, proconnect, password):
    owner = factories.UserFactory(email="camille.martin@developpement-durable.gouv.fr")
    sign_in(client, proconnect)
    owner.refresh_from_db()
    assert owner.check_password(password)
    assert not AuditEntry.objects.filter(action="user.proconnect_takeover").exists()
