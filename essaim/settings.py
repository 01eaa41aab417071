"""Essaim settings: one module, read from environment variables (see .env.example).

Embedded mode (the default) needs nothing but Python: SQLite under var/, an in-process
cache, a SQLite-backed task queue and e-mails written to var/mail. Production differs only
by environment: ESSAIM_ENV=production, DATABASE_URL, REDIS_URL, S3 and ProConnect settings.
"""

from __future__ import annotations

import ipaddress
import json
import os
from pathlib import Path
from typing import Any

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("ESSAIM_VAR_DIR", BASE_DIR / "var"))


def env(name: str, default: str = "") -> str:
    """An environment variable; unset and empty both mean the default."""
    return os.environ.get(name) or default


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


ESSAIM_ENV = env("ESSAIM_ENV", "development")
if ESSAIM_ENV not in {"development", "test", "production"}:
    raise ImproperlyConfigured("ESSAIM_ENV must be development, test or production.")
PRODUCTION = ESSAIM_ENV == "production"

DEBUG = env_bool("DEBUG", default=ESSAIM_ENV == "development")

SECRET_KEY = env("SECRET_KEY")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
if PRODUCTION:
    if len(SECRET_KEY) < 50 or SECRET_KEY.startswith("django-insecure"):
        raise ImproperlyConfigured("Production needs SECRET_KEY (at least 50 random characters).")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("Production needs ALLOWED_HOSTS (comma-separated host names).")
    if DEBUG:
        raise ImproperlyConfigured("DEBUG must be off in production.")
else:
    SECRET_KEY = SECRET_KEY or "django-insecure-essaim-local-development-key-never-use-in-production"
    ALLOWED_HOSTS = ALLOWED_HOSTS or ["127.0.0.1", "localhost", "[::1]", "testserver"]

SITE_URL = env("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "widget_tweaks",
    "dsfr",
    "django_htmx",
    "rules.apps.AutodiscoverRulesConfig",
    "mozilla_django_oidc",
    "huey.contrib.djhuey",
    "ninja",
    "essaim.core",
    "essaim.organisations",
    "essaim.accounts",
    "essaim.framework",
    "essaim.catalogue",
    "essaim.training",
    "essaim.practice",
    "essaim.credentials",
    "essaim.library",
    "essaim.network",
    "essaim.surveys",
    "essaim.reporting",
    "essaim.events",
    "essaim.delegation",
    "essaim.api",
]

MIDDLEWARE = [
    "essaim.core.client_ip.ClientIpMiddleware",
    "essaim.core.metrics.MetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "essaim.core.middleware.FrenchByDefaultLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "essaim.accounts.lockout.LoginDeviceMiddleware",
    "essaim.core.middleware.PreferredLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # After CSP, so that their 404 renders with the nonce (core/exposure.py).
    "essaim.core.exposure.AdminAllowListMiddleware",
    "essaim.core.exposure.IdleTimeoutMiddleware",
    "essaim.core.exposure.NoStoreMiddleware",
]

ROOT_URLCONF = "essaim.urls"
WSGI_APPLICATION = "essaim.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "essaim" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "essaim.core.context_processors.site",
            ],
            # The test suite turns this into an error so that a typo in a template fails loudly.
            "string_if_invalid": "",
        },
    }
]

# --- Database -------------------------------------------------------------------------
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASE_URL = env("DATABASE_URL", f"sqlite:///{VAR_DIR / 'essaim.sqlite3'}")
DB_LOCK_TIMEOUT_MS = env_int("DB_LOCK_TIMEOUT_MS", 3000)
DB_STATEMENT_TIMEOUT_MS = env_int("DB_STATEMENT_TIMEOUT_MS", 30000)
_db = dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60), conn_health_checks=True)
if _db["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside the single writer; IMMEDIATE takes the write lock at
    # BEGIN so two writers queue on the busy timeout instead of failing with
    # "database is locked" when one upgrades its read lock.
    _db["CONN_MAX_AGE"] = 0
    _db["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": env_int("SQLITE_BUSY_TIMEOUT_S", 20),
        "init_command": (
            "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA foreign_keys=ON;"
            "PRAGMA busy_timeout=20000;PRAGMA cache_size=-64000;"
        ),
    }
elif _db["ENGINE"] == "django.db.backends.postgresql":
    _db["OPTIONS"] = {
        "options": f"-c lock_timeout={DB_LOCK_TIMEOUT_MS} -c statement_timeout={DB_STATEMENT_TIMEOUT_MS}",
        "connect_timeout": env_int("DB_CONNECT_TIMEOUT_S", 5),
    }
else:
    raise ImproperlyConfigured("DATABASE_URL must point to SQLite or PostgreSQL.")
DATABASES = {"default": _db}
# A file, not memory, for SQLite tests: WAL, IMMEDIATE and reconnection behave as in real use.
DATABASES["default"]["TEST"] = {
    "NAME": env("TEST_DATABASE_NAME")
    or (str(VAR_DIR / f"test_essaim_{os.getpid()}.sqlite3") if _db["ENGINE"].endswith("sqlite3") else None)
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# A PostgreSQL streaming replica for reads that tolerate lag (essaim/core/db_router.py):
# the apps listed only, outside transactions; seats, registrations and accounts never.
DATABASE_REPLICA_URL = env("DATABASE_REPLICA_URL")
DATABASE_REPLICA_APPS = [a for a in env("DATABASE_REPLICA_APPS", "reporting").split(",") if a.strip()]
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = {
        **dj_database_url.parse(DATABASE_REPLICA_URL, conn_max_age=_db["CONN_MAX_AGE"], conn_health_checks=True),
        "OPTIONS": _db.get("OPTIONS", {}),
        "TEST": {"MIRROR": "default"},
    }
DATABASE_ROUTERS = ["essaim.core.db_router.ReplicaRouter"]
if {"training", "accounts"} & set(DATABASE_REPLICA_APPS):
    raise ImproperlyConfigured("Seat availability and accounts are never read from a replica.")

# --- Cache, task queue ----------------------------------------------------------------
REDIS_URL = env("REDIS_URL")
CACHES: dict[str, dict[str, Any]]
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "essaim"}}
# Rendered template fragments (menu, footer, list rows) are kept in each process's memory:
# their keys carry everything they show, so no process can serve a stale one, and a page
# needs no network round trip to assemble them.
CACHES["fragments"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "essaim-fragments",
    "OPTIONS": {"MAX_ENTRIES": 5000},
}

HUEY_IMMEDIATE = env_bool("HUEY_IMMEDIATE", default=ESSAIM_ENV == "test")
HUEY: dict[str, Any]
# An idle consumer polls its queue at most this many seconds apart (Huey's default, 10 s,
# delays a seat offer on a quiet queue by as much): one cheap read a second per consumer.
HUEY_POLL_MAX = env_int("HUEY_POLL_MAX_SECONDS", 1)
if REDIS_URL:
    HUEY = {
        "huey_class": "huey.PriorityRedisHuey",
        "name": "essaim",
        "url": REDIS_URL,
        "immediate": HUEY_IMMEDIATE,
        "consumer": {"workers": env_int("HUEY_WORKERS", 4), "worker_type": "thread", "max_delay": HUEY_POLL_MAX},
    }
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "essaim",
        "filename": str(VAR_DIR / "huey.sqlite3"),
        "immediate": HUEY_IMMEDIATE,
        "consumer": {"workers": env_int("HUEY_WORKERS", 2), "worker_type": "thread", "max_delay": HUEY_POLL_MAX},
    }
# Separate worker queues (essaim/core/queues.py, docs/DEPLOYMENT.md): e-mails, seat offers
# and reports each have their own consumers; HUEY above is the `default` queue. Same
# storage as the default: a key prefix of their own in Redis, a file of their own otherwise.
HUEY_QUEUES: dict[str, dict[str, Any]] = {
    name: {
        **HUEY,
        "name": f"essaim-{name}",
        **({} if REDIS_URL else {"filename": str(VAR_DIR / f"huey-{name}.sqlite3")}),
        "consumer": {
            **HUEY["consumer"],
            "workers": env_int(f"HUEY_{name.upper()}_WORKERS", HUEY["consumer"]["workers"]),
        },
    }
    for name in ("mail", "booking", "reports")
}

# Transactional outbox (core/outbox.py, ADR 0060): a worker holds a message for LEASE seconds;
# the relay in each consumer hands over what nobody holds every RELAY seconds; a failure is
# retried after BASE, 2×BASE, 4×BASE… (at most MAX) seconds, MAX_ATTEMPTS times in all.
OUTBOX_LEASE_SECONDS = env_int("OUTBOX_LEASE_SECONDS", 20)
OUTBOX_RELAY_SECONDS = env_int("OUTBOX_RELAY_SECONDS", 2)
OUTBOX_RELAY_GRACE_SECONDS = env_int("OUTBOX_RELAY_GRACE_SECONDS", 2)
OUTBOX_RETRY_BASE_SECONDS = env_int("OUTBOX_RETRY_BASE_SECONDS", 5)
OUTBOX_RETRY_MAX_SECONDS = env_int("OUTBOX_RETRY_MAX_SECONDS", 600)
# A seat offer that met a busy lock is retried sooner than an e-mail an SMTP server deferred.
OUTBOX_RETRY_BASE_SECONDS_BY_QUEUE = {"booking": env_int("OUTBOX_BOOKING_RETRY_BASE_SECONDS", 1)}
OUTBOX_MAX_ATTEMPTS = env_int("OUTBOX_MAX_ATTEMPTS", 8)
OUTBOX_KEEP_DAYS = env_int("OUTBOX_KEEP_DAYS", 30)

# --- Files ----------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "essaim" / "static"]
# Outside production WhiteNoise serves straight from the apps' static folders (no collectstatic).
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = ESSAIM_ENV == "development"
MEDIA_URL = "/media/"
MEDIA_ROOT = VAR_DIR / "media"
# Resource library (essaim/library): upload limits and the search's bounded candidate set.
LIBRARY_MAX_UPLOAD_BYTES = env_int("LIBRARY_MAX_UPLOAD_BYTES", 20 * 1024 * 1024)
LIBRARY_MAX_UNCOMPRESSED_BYTES = env_int("LIBRARY_MAX_UNCOMPRESSED_BYTES", 100 * 1024 * 1024)
LIBRARY_MAX_COMPRESSION_RATIO = env_int("LIBRARY_MAX_COMPRESSION_RATIO", 100)
LIBRARY_SEARCH_CANDIDATES = env_int("LIBRARY_SEARCH_CANDIDATES", 300)
AWS_STORAGE_BUCKET_NAME = env("AWS_STORAGE_BUCKET_NAME")
if AWS_STORAGE_BUCKET_NAME:
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": env("AWS_S3_ENDPOINT_URL") or None,
            "region_name": env("AWS_S3_REGION_NAME") or None,
            "access_key": env("AWS_ACCESS_KEY_ID") or None,
            "secret_key": env("AWS_SECRET_ACCESS_KEY") or None,
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
else:
    _default_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
DSFR_USE_INTEGRITY_CHECKSUMS = False
DSFR_MARK_OPTIONAL_FIELDS = True
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# --- E-mail ---------------------------------------------------------------------------
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Essaim <ne-pas-repondre@essaim.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Every e-mail goes through core/mail.py, which stamps the outbox message's Message-ID and
# hands it to ESSAIM_EMAIL_BACKEND (the real one).
EMAIL_BACKEND = "essaim.core.mail.OutboxStampBackend"
if env("EMAIL_HOST"):
    ESSAIM_EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = env("EMAIL_HOST")
    EMAIL_PORT = env_int("EMAIL_PORT", 587)
    EMAIL_HOST_USER = env("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
    EMAIL_TIMEOUT = 10
else:
    ESSAIM_EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
    EMAIL_FILE_PATH = VAR_DIR / "mail"

# --- Authentication -------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "essaim.accounts.proconnect.ProConnectBackend",
    "essaim.accounts.backends.MagicLinkBackend",
    "essaim.accounts.backends.LockoutModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "core:home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Password login exists for the demo accounts and the Django admin's emergency access;
# civil servants use ProConnect and partners a magic link.
PASSWORD_LOGIN_ENABLED = env_bool("PASSWORD_LOGIN_ENABLED", default=not PRODUCTION)
# API rate limits (essaim/api/throttling.py): anonymous per client address, signed-in per
# token or session; "number/period" (s, m, h, d). Over the limit: 429 with Retry-After.
API_ANON_RATE = env("API_ANON_RATE", "100000/m" if ESSAIM_ENV == "test" else "120/m")
API_AUTH_RATE = env("API_AUTH_RATE", "100000/m" if ESSAIM_ENV == "test" else "600/m")
# Our reverse proxies (addresses or networks, comma-separated): only from them is
# X-Forwarded-For believed, to find the client's address (core/client_ip.py).
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES")
try:
    [ipaddress.ip_network(entry, strict=False) for entry in TRUSTED_PROXIES]
except ValueError as exc:
    raise ImproperlyConfigured(f"TRUSTED_PROXIES: {exc}") from exc
# Password logins (accounts/lockout.py): failures per account and address, per address
# (spraying), per account from everywhere (distributed) — a browser that signed in before
# is exempt from these and counted on its own.
LOGIN_LOCKOUT_ATTEMPTS = env_int("LOGIN_LOCKOUT_ATTEMPTS", 5)
LOGIN_IP_MAX_FAILURES = env_int("LOGIN_IP_MAX_FAILURES", 20)
LOGIN_ACCOUNT_MAX_FAILURES = env_int("LOGIN_ACCOUNT_MAX_FAILURES", 50)
LOGIN_DEVICE_COOKIE_NAME = "essaim_login_device"
LOGIN_LOCKOUT_WINDOW_S = env_int("LOGIN_LOCKOUT_WINDOW_S", 15 * 60)
MAGIC_LINK_MAX_AGE_S = env_int("MAGIC_LINK_MAX_AGE_S", 15 * 60)
MAGIC_LINK_MAX_PER_EMAIL = env_int("MAGIC_LINK_MAX_PER_EMAIL", 3)
MAGIC_LINK_MAX_PER_IP = env_int("MAGIC_LINK_MAX_PER_IP", 20)
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 12 * 3600)


# ProConnect (OpenID Connect). PROCONNECT_DOMAIN is written as ProConnect's documentation
# does, a bare host (auth.agentconnect.gouv.fr, fca.integ01.dev-agentconnect.fr): the API is
# then https://<host>/api/v2. A full URL (http://127.0.0.1:8010/api/v2) is accepted too.
# Outside production it defaults to the local stand-in that `make run` starts.
def proconnect_base_url(raw: str) -> str:
    """https://<host>/api/v2 from a bare host or a URL; ImproperlyConfigured otherwise."""
    from urllib.parse import urlsplit

    value = raw.strip().rstrip("/")
    if not value:
        return ""
    if "://" not in value:
        value = f"https://{value}"
    parts = urlsplit(value)
    if (
        parts.scheme not in {"http", "https"}
        or not parts.hostname
        or parts.query
        or parts.fragment
        or any(c.isspace() for c in value)
        or parts.path not in {"", "/api/v2"}
    ):
        raise ImproperlyConfigured(
            f"PROCONNECT_DOMAIN={raw!r} is not valid: give the host as ProConnect documents it "
            "(e.g. auth.agentconnect.gouv.fr) or the full API base URL ending in /api/v2."
        )
    return f"{parts.scheme}://{parts.netloc}/api/v2"


PROCONNECT_DOMAIN = proconnect_base_url(env("PROCONNECT_DOMAIN", "" if PRODUCTION else "http://127.0.0.1:8010/api/v2"))
PROCONNECT_ENABLED = bool(PROCONNECT_DOMAIN)
OIDC_RP_CLIENT_ID = env("PROCONNECT_CLIENT_ID", "" if PRODUCTION else "essaim-local")
OIDC_RP_CLIENT_SECRET = env("PROCONNECT_CLIENT_SECRET", "" if PRODUCTION else "essaim-local-secret")
if PRODUCTION and PROCONNECT_ENABLED and not (OIDC_RP_CLIENT_ID and OIDC_RP_CLIENT_SECRET):
    raise ImproperlyConfigured("PROCONNECT_CLIENT_ID and PROCONNECT_CLIENT_SECRET are required.")
OIDC_OP_AUTHORIZATION_ENDPOINT = f"{PROCONNECT_DOMAIN}/authorize"
OIDC_OP_TOKEN_ENDPOINT = f"{PROCONNECT_DOMAIN}/token"
OIDC_OP_USER_ENDPOINT = f"{PROCONNECT_DOMAIN}/userinfo"
OIDC_OP_JWKS_ENDPOINT = f"{PROCONNECT_DOMAIN}/jwks"
OIDC_OP_LOGOUT_ENDPOINT = f"{PROCONNECT_DOMAIN}/session/end"
OIDC_OP_ISSUER = env("PROCONNECT_ISSUER", PROCONNECT_DOMAIN)
# ProConnect signs id_token and userinfo with the algorithm registered for the client
# (RS256 or ES256); `none` and HMAC are never accepted.
PROCONNECT_SIGN_ALGS = env_list("PROCONNECT_SIGN_ALGS") or env_list("PROCONNECT_SIGN_ALGO") or ["RS256", "ES256"]
if not set(PROCONNECT_SIGN_ALGS) <= {"RS256", "ES256", "PS256", "RS384", "ES384", "RS512", "ES512"}:
    raise ImproperlyConfigured("PROCONNECT_SIGN_ALGS accepts asymmetric JWS algorithms only (RS256, ES256…).")
OIDC_RP_SIGN_ALGO = PROCONNECT_SIGN_ALGS[0]  # mozilla-django-oidc only reads its RS/ES prefix
# ProConnect's default scopes; a client granted more (organizational_unit…) adds them here.
# Asking for a scope the client was not granted fails every login (invalid_scope).
PROCONNECT_SCOPES = env("PROCONNECT_SCOPES", "openid given_name usual_name email uid siret idp_id")
if "openid" not in PROCONNECT_SCOPES.split():
    raise ImproperlyConfigured("PROCONNECT_SCOPES must contain openid.")
OIDC_RP_SCOPES = " ".join(PROCONNECT_SCOPES.split())
# eidas1 or stronger: `values` (any of), never `value` (exactly one), which refuses an FI
# answering eidas2. The acr the id_token returns is checked against the same list.
_ACR_LADDER = ["eidas1", "eidas2", "eidas3"]
_acr_floor = env("PROCONNECT_ACR", "eidas1")  # the weakest level accepted (older setting)
if _acr_floor not in _ACR_LADDER:
    raise ImproperlyConfigured("PROCONNECT_ACR must be eidas1, eidas2 or eidas3.")
PROCONNECT_ACR_VALUES = env_list("PROCONNECT_ACR_VALUES") or _ACR_LADDER[_ACR_LADDER.index(_acr_floor) :]
if "eidas0" in PROCONNECT_ACR_VALUES:
    raise ImproperlyConfigured("PROCONNECT_ACR_VALUES must not accept eidas0.")
OIDC_AUTH_REQUEST_EXTRA_PARAMS = {
    "claims": json.dumps({"id_token": {"acr": {"essential": True, "values": PROCONNECT_ACR_VALUES}}}),
}
OIDC_STORE_ID_TOKEN = True
OIDC_USE_NONCE = True
OIDC_STATE_SIZE = 48
OIDC_NONCE_SIZE = 48
OIDC_TIMEOUT = 10
OIDC_OP_LOGOUT_URL_METHOD = "essaim.accounts.proconnect.proconnect_logout_url"
OIDC_AUTHENTICATION_CALLBACK_URL = "accounts:proconnect-callback"
OIDC_CALLBACK_CLASS = "essaim.accounts.proconnect.ProConnectCallbackView"
OIDC_AUTHENTICATE_CLASS = "essaim.accounts.proconnect.ProConnectLoginView"
LOGIN_REDIRECT_URL_FAILURE = "/connexion/"  # mozilla-django-oidc does not resolve URL names here

# --- Training ---------------------------------------------------------------------------
# Hours a freed seat is held for the next person on a waiting list before passing on.
WAITLIST_OFFER_HOURS = env_int("WAITLIST_OFFER_HOURS", 48)

# --- Personal data (docs/PERSONAL_DATA.md) ------------------------------------------------
# Accounts with no sign-in for this many days are anonymised by a nightly job.
ACCOUNT_RETENTION_DAYS = env_int("ACCOUNT_RETENTION_DAYS", 3 * 365)
# Audit-log entries are deleted after this many days (5 years).
AUDIT_RETENTION_DAYS = env_int("AUDIT_RETENTION_DAYS", 5 * 365)
# Free-text survey answers are erased after this many days (2 years); scores stay.
SURVEY_TEXT_RETENTION_DAYS = env_int("SURVEY_TEXT_RETENTION_DAYS", 2 * 365)
# Steering and open data: no figure about fewer than this many people is ever shown,
# exported or published (statistical confidentiality).
SMALL_COUNT_THRESHOLD = env_int("SMALL_COUNT_THRESHOLD", 5)
# The data.gouv.fr organisation the open-data metadata names as publisher.
OPEN_DATA_ORGANIZATION = env("OPEN_DATA_ORGANIZATION", "ditp")

# --- API ------------------------------------------------------------------------------
NINJA_PAGINATION_PER_PAGE = 50

# --- Internationalisation ------------------------------------------------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "essaim" / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True
LANGUAGE_COOKIE_SECURE = PRODUCTION
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"

# --- Security -------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# A signed-in session unused this long ends (core/exposure.py); 0: never.
SESSION_IDLE_TIMEOUT_S = env_int("SESSION_IDLE_TIMEOUT_S", 30 * 60 if PRODUCTION else 0)
# Client networks that may open /admin/ (comma-separated); empty: everyone. Production
# defaults to the machine itself: set the administrators' networks (docs/DEPLOYMENT.md).
ADMIN_ALLOWED_NETWORKS = env_list("ADMIN_ALLOWED_NETWORKS", "127.0.0.1/32,::1/128" if PRODUCTION else "")
try:
    [ipaddress.ip_network(entry, strict=False) for entry in ADMIN_ALLOWED_NETWORKS]
except ValueError as exc:
    raise ImproperlyConfigured(f"ADMIN_ALLOWED_NETWORKS: {exc}") from exc
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # __Host-: the browser accepts them only over HTTPS, for the whole site, from this host
    # alone (no Domain): a sibling sub-domain cannot plant or overwrite them.
    SESSION_COOKIE_NAME = "__Host-essaim_session"
    CSRF_COOKIE_NAME = "__Host-essaim_csrf"
    LANGUAGE_COOKIE_NAME = "__Host-essaim_language"
    LOGIN_DEVICE_COOKIE_NAME = "__Host-essaim_login_device"
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# Only our own origin: the ProConnect button is a link, and logout leaves through a page
# (accounts/logout_proconnect.html), because ProConnect hops through the agent's identity
# provider on origins nobody can list, and browsers check form-action on every redirect
# that follows a form submission.
_form_action = [SELF]
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-ancestors": [NONE],
        "form-action": _form_action,
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

# --- Operations: metrics and error reporting ----------------------------------------------
# /metrics (Prometheus) answers only with "Authorization: Bearer <METRICS_TOKEN>"; empty: off.
METRICS_TOKEN = env("METRICS_TOKEN")
# Errors go to a Sentry-compatible service when a DSN is set (off by default). No personal
# data is sent: no user, no cookies, no request bodies.
SENTRY_DSN = env("SENTRY_DSN")
if SENTRY_DSN:
    import sentry_sdk

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        environment=ESSAIM_ENV,
        send_default_pii=False,
        traces_sample_rate=float(env("SENTRY_TRACES_SAMPLE_RATE", "0") or 0),
    )

# --- Logging --------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "essaim.core.logging.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if env("LOG_FORMAT", "plain") == "json" else "plain",
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "huey": {"level": "WARNING" if ESSAIM_ENV == "test" else "INFO"},
    },
}

# Credentials (attestations, Open Badges 3.0) — docs/adr/0010-credentials.md
# The issuer's P-256 (ES256) private key, PEM (PKCS#8), e.g. a mounted secret; else key files in
# CREDENTIALS_KEY_DIR named <kid>.pem (a development key is generated there on first use).
CREDENTIALS_SIGNING_KEY = env("CREDENTIALS_SIGNING_KEY")
CREDENTIALS_KEY_DIR = Path(env("CREDENTIALS_KEY_DIR", str(VAR_DIR / "credential-keys")))
# The Ed25519 key of badge.json's Data Integrity proof (PEM); unset: CREDENTIALS_KEY_DIR/ed25519.pem.
CREDENTIALS_EDDSA_SIGNING_KEY = env("CREDENTIALS_EDDSA_SIGNING_KEY")
CREDENTIALS_ISSUER_NAME = env(
    "CREDENTIALS_ISSUER_NAME", "Essaim — Direction interministérielle de la transformation publique"
)
# Days a credential stays valid; 0: no expiry (a training followed stays followed).
CREDENTIALS_VALIDITY_DAYS = env_int("CREDENTIALS_VALIDITY_DAYS", 0)
# --- Network (issue 6) ------------------------------------------------------------------
# Co-facilitated sessions, confirmed by an experienced trainer, needed (after the
# train-the-trainers course) to become a certified trainer.
NETWORK_TRAINER_MIN_COFACILITATIONS = env_int("NETWORK_TRAINER_MIN_COFACILITATIONS", 2)
# Messages a person may send through the directory per 24 hours.
NETWORK_CONTACT_DAILY_LIMIT = env_int("NETWORK_CONTACT_DAILY_LIMIT", 5)
# Skill gaps page: trained people and trainers wanted in each region and each ministry.
NETWORK_GAP_TRAINED_TARGET = env_int("NETWORK_GAP_TRAINED_TARGET", 20)
NETWORK_GAP_TRAINER_TARGET = env_int("NETWORK_GAP_TRAINER_TARGET", 2)

# --- Delegation to the Rencontres Européennes de la Participation ----------------------
# Applicants' motivations and availability notes are erased this many months after the event.
DELEGATION_MOTIVATION_RETENTION_MONTHS = env_int("DELEGATION_MOTIVATION_RETENTION_MONTHS", 12)
