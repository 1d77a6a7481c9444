"""Settings of the programme portal, read from the environment.

Every setting has a safe default for the embedded mode (SQLite, tasks run
in-process, mail to the console); production sets them in the environment.
The README lists each one.
"""

from datetime import date, timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from programme.observability import init_sentry, logging_config

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is missing: set the SECRET_KEY environment variable "
            "(a long random string) or run with DEBUG=1 for local development."
        )
    SECRET_KEY = "insecure-development-key-only-for-debug"  # noqa: S105
elif not DEBUG and (
    len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5 or SECRET_KEY.startswith("django-insecure")
):
    # Django's own deploy check only warns; a guessable key signs sessions and reset links.
    raise ImproperlyConfigured(
        "SECRET_KEY is too weak for production: use at least 50 random characters, e.g. "
        "python -c 'import secrets; print(secrets.token_urlsafe(50))'."
    )

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.forms",
    "widget_tweaks",
    "dsfr",
    "crispy_forms",
    "django_filters",
    "rules.apps.AutodiscoverRulesConfig",
    "mozilla_django_oidc",
    "axes",
    "programme",
    "calls",
    "projects",
    "cohorts",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "programme.middleware.PrivateResponsesNotStoredMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in into the page saying so.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "programme.urls"
WSGI_APPLICATION = "programme.wsgi.application"
ASGI_APPLICATION = "programme.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "dsfr.context_processors.site_config",
                "programme.context_processors.portal",
            ],
        },
    },
]
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

# Database: SQLite file by default, PostgreSQL (psycopg 3) when DATABASE_URL says so.
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite has one writer at a time. IMMEDIATE transactions take the write lock when they
    # start, so simultaneous requests queue for up to `timeout` seconds instead of failing
    # with "database is locked"; the write-ahead log lets pages read while someone writes.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": env.int("SQLITE_TIMEOUT", default=20),
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # An OLTP workload: PostgreSQL's JIT compiler spends longer compiling a page's query
    # (whose cost estimate passes jit_above_cost) than the query takes to run (issue 16:
    # 1.3 s of JIT for a 77 ms dashboard query). DATABASE_JIT=1 gives it back.
    if not env.bool("DATABASE_JIT", default=False):
        _options = DATABASES["default"].setdefault("OPTIONS", {})
        _options["options"] = (_options.get("options", "") + " -c jit=off").strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "programme.User"
AUTHENTICATION_BACKENDS = [
    # First: refuses any sign-in (password or ProConnect) while the attempts are locked out.
    "programme.security.SignInAttemptsBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24

# Sign-in attempts (django-axes): after AXES_FAILURE_LIMIT failures for one address typed
# from one IP, that pair is refused for AXES_COOLOFF_TIME; a success clears the count.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
# ... and after AXES_IP_FAILURE_LIMIT failures from one IP, whatever the addresses typed
# (programme.security.SignInAttemptsHandler applies the two limits).
AXES_IP_FAILURE_LIMIT = env.int("AXES_IP_FAILURE_LIMIT", default=30)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_HANDLER = "programme.security.SignInAttemptsHandler"
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_FORM_FIELD = "username"  # the sign-in form's field (holding the e-mail)
AXES_USERNAME_CALLABLE = "programme.security.sign_in_username"
AXES_CLIENT_IP_CALLABLE = "programme.security.client_ip"
AXES_LOCKOUT_CALLABLE = "programme.security.locked_out"
AXES_WHITELIST_CALLABLE = "programme.security.without_typed_address"
AXES_HTTP_RESPONSE_CODE = 429
AXES_VERBOSE = False
# Proxies in front of the site that append to X-Forwarded-For (0: use REMOTE_ADDR).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# ProConnect (OpenID Connect), switched on when its client settings are present.
PROCONNECT_CLIENT_ID = env.str("PROCONNECT_CLIENT_ID", default="")
PROCONNECT_CLIENT_SECRET = env.str("PROCONNECT_CLIENT_SECRET", default="")
PROCONNECT_DOMAIN = env.str("PROCONNECT_DOMAIN", default="").rstrip("/")
PROCONNECT_ENABLED = bool(PROCONNECT_CLIENT_ID and PROCONNECT_CLIENT_SECRET and PROCONNECT_DOMAIN)
OIDC_RP_CLIENT_ID = PROCONNECT_CLIENT_ID
OIDC_RP_CLIENT_SECRET = PROCONNECT_CLIENT_SECRET
OIDC_RP_SIGN_ALGO = "RS256"
OIDC_RP_SCOPES = "openid email given_name usual_name uid siret idp_id"
OIDC_OP_AUTHORIZATION_ENDPOINT = env.str(
    "PROCONNECT_AUTHORIZATION_ENDPOINT", default=f"{PROCONNECT_DOMAIN}/api/v2/authorize"
)
OIDC_OP_TOKEN_ENDPOINT = env.str(
    "PROCONNECT_TOKEN_ENDPOINT", default=f"{PROCONNECT_DOMAIN}/api/v2/token"
)
OIDC_OP_USER_ENDPOINT = env.str(
    "PROCONNECT_USERINFO_ENDPOINT", default=f"{PROCONNECT_DOMAIN}/api/v2/userinfo"
)
OIDC_OP_JWKS_ENDPOINT = env.str(
    "PROCONNECT_JWKS_ENDPOINT", default=f"{PROCONNECT_DOMAIN}/api/v2/jwks"
)
OIDC_OP_LOGOUT_ENDPOINT = env.str(
    "PROCONNECT_LOGOUT_ENDPOINT", default=f"{PROCONNECT_DOMAIN}/api/v2/session/end"
)
# The `iss` of ProConnect's tokens, checked on the id token and on the userinfo JWT.
PROCONNECT_ISSUER = env.str("PROCONNECT_ISSUER", default=f"{PROCONNECT_DOMAIN}/api/v2")
OIDC_STORE_ID_TOKEN = True
OIDC_USE_NONCE = True
OIDC_CREATE_USER = True
OIDC_TIMEOUT = 10  # seconds; a provider that does not answer must not hold a web worker
OIDC_AUTHENTICATION_CALLBACK_URL = "oidc_authentication_callback"
OIDC_OP_LOGOUT_URL_METHOD = "programme.proconnect.provider_logout"
OIDC_AUTH_REQUEST_EXTRA_PARAMS = {"acr_values": "eidas1"}
LOGIN_REDIRECT_URL_FAILURE = "login"  # with a message saying why
if PROCONNECT_ENABLED:
    AUTHENTICATION_BACKENDS.append("programme.proconnect.ProConnectBackend")

# Internationalisation: French first, translations ready.
LANGUAGE_CODE = "fr"
# Only French until a catalogue exists in LOCALE_PATHS: a browser asking for English must
# not get half-translated pages.
LANGUAGES = [("fr", _("Français"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "media")))
PRIVATE_MEDIA_ROOT = Path(env.str("PRIVATE_MEDIA_ROOT", default=str(MEDIA_ROOT / "private")))
# Uploads larger than this are not written to disk beyond it (the service refuses them with
# their real size); the web server should cap request bodies too.
FILE_UPLOAD_MAX_BYTES = 10 * 1024 * 1024
FILE_UPLOAD_HANDLERS = [
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "programme.uploads.BoundedTemporaryFileUploadHandler",
]
# Uploads and exports go through Django's storage API, so several web nodes and workers on other
# machines share them: an S3-compatible bucket (django-storages) when AWS_STORAGE_BUCKET_NAME is
# set, else the local disk (one node, or a shared volume).
AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", default="")


def _s3(location: str) -> dict:
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("AWS_S3_REGION_NAME", default="") or None,
            "access_key": env.str("AWS_ACCESS_KEY_ID", default="") or None,
            "secret_key": env.str("AWS_SECRET_ACCESS_KEY", default="") or None,
            "location": "/".join(p for p in (env.str("AWS_LOCATION", default=""), location) if p),
            # Private objects: no public ACL, no public URL (views read them after a check).
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }


STORAGES = {
    # Uploads are private: never served from a public URL, only through views that check rights.
    "default": (
        _s3("media")
        if AWS_STORAGE_BUCKET_NAME
        else {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    ),
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "programme.staticfiles.PortalStaticFilesStorage"
        )
    },
}
if AWS_STORAGE_BUCKET_NAME:
    # Proposals' attachments and exports (projects.storage); else PRIVATE_MEDIA_ROOT.
    STORAGES["private"] = _s3("private")


# Mail (Django's MAILERS): console with DEBUG, else SMTP on localhost; EMAIL_URL in production, e.g.
# smtp+tls://user:password@smtp.example.gouv.fr:587; EMAIL_FILE_PATH writes mail to files.
def _mailer(url: str, file_path: str) -> dict:
    if file_path:
        # Lets a test read what a separate worker process sent.
        return {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {"file_path": file_path},
        }
    parsed = environ.Env.email_url_config(url)
    backend = parsed["EMAIL_BACKEND"]
    if backend != "django.core.mail.backends.smtp.EmailBackend":
        return {"BACKEND": backend}
    options = {
        "host": parsed.get("EMAIL_HOST", "localhost"),
        "port": parsed.get("EMAIL_PORT", 25),
        "username": parsed.get("EMAIL_HOST_USER", ""),
        "password": parsed.get("EMAIL_HOST_PASSWORD", ""),
        "use_tls": bool(parsed.get("EMAIL_USE_TLS")),
        "use_ssl": bool(parsed.get("EMAIL_USE_SSL")),
        "timeout": 30,
    }
    return {"BACKEND": backend, "OPTIONS": options}


MAILERS = {
    "default": _mailer(
        env.str("EMAIL_URL", default="consolemail://" if DEBUG else "smtp://localhost:25"),
        env.str("EMAIL_FILE_PATH", default=""),
    )
}
DEFAULT_FROM_EMAIL = env.str(
    "DEFAULT_FROM_EMAIL", default="Portail des programmes <noreply@localhost>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Redis: Celery broker and cache when REDIS_URL is set; otherwise tasks run in-process.
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        # Django's Redis cache, a miss while Redis is down (programme/cache.py).
        "default": {"BACKEND": "programme.cache.TolerantRedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=300)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=240)
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A publish to an unreachable broker fails fast instead of hanging a web request.
CELERY_BROKER_TRANSPORT_OPTIONS = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2}
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_QUEUE", default="portal")
CELERY_BEAT_SCHEDULE = {
    # Closing is derived from closes_at on every page; this only writes the state down.
    "calls-close-due": {"task": "calls.tasks.close_due_calls", "schedule": 300.0},
    # A stored ranking's refresh is queued by each change; this catches up a lost one.
    "rankings-stale": {"task": "projects.tasks.refresh_stale_rankings", "schedule": 300.0},
}
# Reminders: the scan writes what is owed into the ledger and queues the mails.
REMINDER_SCAN_MINUTES = env.int("REMINDER_SCAN_MINUTES", default=15)
CELERY_BEAT_SCHEDULE["reminders-scan"] = {
    "task": "programme.tasks.scan_reminders",
    "schedule": REMINDER_SCAN_MINUTES * 60.0,
}
# Mail of programme.mail.send: queued again when the broker lost it or a worker died.
CELERY_BEAT_SCHEDULE["outbox-flush"] = {
    "task": "programme.tasks.flush_outbox",
    "schedule": REMINDER_SCAN_MINUTES * 60.0,
}
# The one delivery policy of every mail (programme.delivery): outbox and reminders alike.
MAIL_REQUEUE_AFTER_MINUTES = env.int("MAIL_REQUEUE_AFTER_MINUTES", default=10)
# Longer than CELERY_TASK_TIME_LIMIT: past it, the task that claimed a mail is dead.
MAIL_STALE_CLAIM_MINUTES = env.int("MAIL_STALE_CLAIM_MINUTES", default=15)
MAIL_MAX_ATTEMPTS = env.int("MAIL_MAX_ATTEMPTS", default=5)
MAIL_BACKOFF_SECONDS = env.int("MAIL_BACKOFF_SECONDS", default=60)
MAIL_BACKOFF_MAX_SECONDS = env.int("MAIL_BACKOFF_MAX_SECONDS", default=3600)
# Sent mails are kept this long in the outbox (for support), then deleted.
OUTBOX_KEEP_DAYS = env.int("OUTBOX_KEEP_DAYS", default=30)

# Personal data: candidates' data of calls closed longer ago than this is anonymised
# (not laureates'); a nightly beat task does it, `manage.py anonymise_expired` by hand.
PERSONAL_DATA_RETENTION_DAYS = env.int("PERSONAL_DATA_RETENTION_DAYS", default=3 * 365)
CELERY_BEAT_SCHEDULE["personal-data-anonymise"] = {
    "task": "programme.tasks.anonymise_expired",
    "schedule": 24 * 3600.0,
}

# Forms
CRISPY_ALLOWED_TEMPLATE_PACKS = ["crispy_dsfr"]
CRISPY_TEMPLATE_PACK = "crispy_dsfr"
DSFR_MARK_OPTIONAL_FIELDS = True

# Audience measurement (Matomo, CNIL-exempt set-up), off unless both are set.
MATOMO_URL = env.str("MATOMO_URL", default="").rstrip("/")
MATOMO_SITE_ID = env.str("MATOMO_SITE_ID", default="")

# Security
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=60 * 60 * 8)
SESSION_COOKIE_HTTPONLY = True
# No script of ours reads the CSRF cookie (forms carry the token).
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
# Under HTTPS the cookies carry the `__Host-` prefix: the browser then keeps them only if they
# are Secure, for the whole site and for this host alone (no sibling domain can set them).
SESSION_COOKIE_NAME = "__Host-sessionid" if SESSION_COOKIE_SECURE else "sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken" if CSRF_COOKIE_SECURE else "csrftoken"
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
X_FRAME_OPTIONS = "DENY"
# Browser features no page of the portal uses are switched off for every origin.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "encrypted-media",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
        "xr-spatial-tracking",
    )
}

_csp_self = [CSP.SELF]
SECURE_CSP = {
    "default-src": _csp_self,
    # Scripts only from files (no nonce, no inline script, no eval).
    "script-src": [CSP.SELF] + ([MATOMO_URL] if MATOMO_URL else []),
    "style-src": _csp_self,
    "img-src": [CSP.SELF, "data:"] + ([MATOMO_URL] if MATOMO_URL else []),
    "font-src": _csp_self,
    "connect-src": _csp_self + ([MATOMO_URL] if MATOMO_URL else []),
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF] + ([PROCONNECT_DOMAIN] if PROCONNECT_DOMAIN else []),
    "base-uri": _csp_self,
    "object-src": [CSP.NONE],
}

# Logs: plain lines, or JSON lines for a log collector with LOG_FORMAT=json.
LOGGING = logging_config(
    level=env.str("LOG_LEVEL", default="INFO"), fmt=env.str("LOG_FORMAT", default="text")
)

# Errors to Sentry (or a compatible service such as GlitchTip) when SENTRY_DSN is set, with no
# personal data: no request body, cookie or address, e-mail addresses scrubbed
# (programme.observability.before_send).
SENTRY_DSN = env.str("SENTRY_DSN", default="")
if SENTRY_DSN:
    init_sentry(
        SENTRY_DSN,
        environment=env.str("SENTRY_ENVIRONMENT", default=""),
        release=env.str("SENTRY_RELEASE", default=""),
        traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
    )

# Demo data command: refuses to run outside DEBUG.
DEMO_PASSWORD = env.str("DEMO_PASSWORD", default="demo-portail-2026")

# The legal pages a State site must have (mentions légales, accessibility statement), from the
# environment; the defaults describe the embedded demo and say so.
PORTAL_EDITOR = env.str(
    "PORTAL_EDITOR",
    default="Ministère de la Transition écologique et de la Cohésion des territoires",
)
PORTAL_EDITOR_SIRET = env.str("PORTAL_EDITOR_SIRET", default="")
PORTAL_PUBLICATION_DIRECTOR = env.str(
    "PORTAL_PUBLICATION_DIRECTOR", default="Le secrétaire général du ministère"
)
PORTAL_ADDRESS = env.str("PORTAL_ADDRESS", default="246 boulevard Saint-Germain, 75007 Paris")
PORTAL_HOST = env.str("PORTAL_HOST", default="Hébergeur à préciser (déploiement de démonstration)")
PORTAL_HOST_ADDRESS = env.str("PORTAL_HOST_ADDRESS", default="")
PORTAL_CONTACT_EMAIL = env.str("PORTAL_CONTACT_EMAIL", default="contact-programmes@example.gouv.fr")
# The accessibility statement (RGAA 4.1): its date, the audit's, the rate and who made it.
PORTAL_ACCESSIBILITY_STATEMENT_DATE = date.fromisoformat(
    env.str("PORTAL_ACCESSIBILITY_STATEMENT_DATE", default="2026-12-01")
)
PORTAL_ACCESSIBILITY_AUDIT = env.str(
    "PORTAL_ACCESSIBILITY_AUDIT",
    default="auto-évaluation de l'équipe du portail, avec axe-core dans un navigateur",
)
PORTAL_ACCESSIBILITY_RATE = env.str("PORTAL_ACCESSIBILITY_RATE", default="")
# The personal-data page promises that successful sign-ins are not logged (IP, browser): the
# audit log says who did what; django-axes keeps only the failures it needs to block a series.
AXES_DISABLE_ACCESS_LOG = True
