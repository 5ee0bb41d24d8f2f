"""PACT Portal settings: one module, every deployment choice read from the environment.

The embedded default (nothing set but DEBUG=1) runs on SQLite with Celery tasks executed
in-process, so `make run` works on a bare machine. Production sets DATABASE_URL,
REDIS_URL, SECRET_KEY, ALLOWED_HOSTS and EMAIL_URL (see README "Configuration").
"""

import re
import sys
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from kombu import Exchange, Queue

from pact_portal.media_storage import MediaStorageUrlError, media_storage

BASE_DIR = Path(__file__).resolve().parent.parent


def _origin_of(url: str) -> str:
    """scheme://host of a URL template such as a tile server's, for the Content-Security-Policy."""
    parts = urlsplit(url.replace("{s}", "a"))
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)

if DEBUG:
    # A development default only: production refuses to start without its own key.
    SECRET_KEY = env.str("SECRET_KEY", default="dev-only-insecure-key-never-used-in-production")
else:
    SECRET_KEY = env.str("SECRET_KEY")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "knox",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    "django_filters",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "neighbourhoods",
    "accounts",
    "meetings",
    "priorities",
    "messaging",
    "surveys",
    "reports",
    # The audit trail (docs/data-protection.md): PostgreSQL triggers record changes to users, roles,
    # team memberships, API keys, restricted notes and consent, QuerySet.update() included.
    "pgtrigger",
    "pghistory",
    "dataprotection",
    # Last: its ready() adds project-wide field rules to the models above (pact_portal.text).
    "pact_portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "pact_portal.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # After CommonMiddleware, which has checked the Host: links built in a request use its address.
    "pact_portal.site.RequestSiteMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.CachedOTPMiddleware",
    # After authentication: the audit trail's rows name the signed-in user who made each change.
    "dataprotection.audit.middleware.AuditContextMiddleware",
    # Fail closed: every view needs a login unless it is marked @login_not_required.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # After both: staff pages and the admin need a verified second factor when STAFF_REQUIRE_2FA is on.
    "accounts.middleware.StaffTwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes requires, so it sees every authentication failure.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "pact_portal.urls"
WSGI_APPLICATION = "pact_portal.wsgi.application"
ASGI_APPLICATION = "pact_portal.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "pact_portal.context_processors.site",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Behind PgBouncer in transaction mode a server-side cursor (QuerySet.iterator()) outside a
# transaction would be lost between statements: Django then fetches results whole.
DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env.bool("DATABASE_DISABLE_SERVER_SIDE_CURSORS", default=False)
# PostgreSQL's planner assumes spinning disks (random_page_cost 4), so it scans a whole table rather
# than look up a few hundred rows by index: a return's survey answers and officer time then slow
# down with every year of history. 1.1 is the usual figure for SSD or memory-resident data; set
# DATABASE_RANDOM_PAGE_COST empty to keep the server's own. Sent by every connection by default;
# behind PgBouncer (transaction pooling refuses start-up options) set DATABASE_OPTIONS_PER_CONNECTION=0
# and keep it on the database instead: `manage.py database_tune` (docs/scaling.md).
DATABASE_RANDOM_PAGE_COST = env.str("DATABASE_RANDOM_PAGE_COST", default="1.1")
DATABASE_OPTIONS_PER_CONNECTION = env.bool("DATABASE_OPTIONS_PER_CONNECTION", default=True)
if (
    DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
    and DATABASE_RANDOM_PAGE_COST
    and DATABASE_OPTIONS_PER_CONNECTION
):
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options["options"] = f"{options.get('options', '')} -c random_page_cost={float(DATABASE_RANDOM_PAGE_COST)}".strip()
# A streaming replica for heavy reads that tolerate lag (returns, analytics, exports), which ask for
# it with pact_portal.databases.routers.replica_reads; sign-in, dashboards and anything just written
# read the primary. Its connections get the primary's options.
DATABASE_REPLICA_URL = env.str("DATABASE_REPLICA_URL", default="")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = {
        **env.db_url_config(DATABASE_REPLICA_URL),
        "ATOMIC_REQUESTS": False,
        "CONN_MAX_AGE": DATABASES["default"]["CONN_MAX_AGE"],
        "CONN_HEALTH_CHECKS": True,
        "OPTIONS": dict(DATABASES["default"].get("OPTIONS", {})),
        # Tests read the primary through it rather than build a database of its own.
        "TEST": {"MIRROR": "default"},
    }
    DATABASE_ROUTERS = ["pact_portal.databases.routers.ReplicaRouter"]
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default's background threads (pact_portal.background) write while requests read.
    # In write-ahead-log mode readers never wait for a writer; IMMEDIATE transactions take the write
    # lock at BEGIN, so a second writer waits its turn (up to `timeout` seconds) instead of failing
    # with "database is locked" when it tries to upgrade a read lock.
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options.setdefault("init_command", "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL")
    options.setdefault("transaction_mode", "IMMEDIATE")
    options.setdefault("timeout", 20)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")
# The cache may live on a Redis of its own, one that evicts when full (maxmemory-policy volatile-ttl),
# while the broker's must never evict a queued task (noeviction): docker-compose.yml runs both.
REDIS_CACHE_URL = env.str("REDIS_CACHE_URL", default=REDIS_URL)
if REDIS_CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_CACHE_URL,
            # Test workers running side by side each get their own keys, so one clearing its
            # cache between tests never wipes another's throttle counters mid-test.
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="pact") + env.str("PYTEST_XDIST_WORKER", default=""),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Sessions, the signed-in user and an officer's dashboard are read from the cache only when it is
# shared (Redis): a per-process cache would not hear that another worker signed someone out or
# changed the data. The user and pages are checked against the generation of the tables they were
# built from (pact_portal.generations) and kept at most this long: the bound on how stale they can
# be after a write made outside Django.
SIGNED_IN_CACHE_SECONDS = env.int("SIGNED_IN_CACHE_SECONDS", default=60 if REDIS_CACHE_URL else 0)
SESSION_ENGINE = "pact_portal.sessions" if REDIS_CACHE_URL else "django.contrib.sessions.backends.db"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # django-axes must come first so a locked-out account is refused before its password is tried.
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.CachedModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:home"
LOGOUT_REDIRECT_URL = "neighbourhoods:public-home"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24

# Account lockout: five wrong passwords for one account from one address lock it for 30 minutes.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "accounts.backends.axes_username"
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_RESET_ON_SUCCESS = True
# A staff sign-in name is an email address: never written to the access log in clear.
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address"]
# PROXY_COUNT is the number of reverse proxies in front of gunicorn. Behind them, lock out by
# the client's address from X-Forwarded-For, not the proxy's. django-ipware counts only the
# proxies listed in the header, which is one fewer than the hops (the last hop is REMOTE_ADDR).
# With no proxy the header is ignored: anyone could forge it to dodge the lockout.
PROXY_COUNT = env.int("PROXY_COUNT", default=0)
AXES_IPWARE_PROXY_COUNT = max(PROXY_COUNT - 1, 0)
AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if PROXY_COUNT else ["REMOTE_ADDR"]

OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="PACT Portal")
# Staff (and anyone in the Django admin) must sign in with a second factor: those without one are
# sent to set it up before any staff page. On in production; off in the embedded mode and in tests,
# which sign staff in by the hundred without a device (tests/accounts/test_staff_two_factor.py
# turns it on).
STAFF_REQUIRE_2FA = env.bool("STAFF_REQUIRE_2FA", default=not (DEBUG or env.bool("TESTING", default=False)))

# REST API tokens (django-rest-knox, accounts.ApiToken): stored as SHA-512 digests, each expiring
# this many days after it is made; "Token <key>" in the Authorization header, as before.
API_TOKEN_TTL_DAYS = env.int("API_TOKEN_TTL_DAYS", default=90)
KNOX_TOKEN_MODEL = "accounts.ApiToken"  # noqa: S105 - a model name, not a secret
# knox's own migrations create its token table even when KNOX_TOKEN_MODEL replaces the model, and
# Django then leaves that table out of a flush, whose TRUNCATE PostgreSQL refuses (the table points
# at accounts_user). The swapped model needs no table, so knox's migrations are not run at all.
MIGRATION_MODULES = {"knox": None}
REST_KNOX = {
    "TOKEN_MODEL": KNOX_TOKEN_MODEL,
    "TOKEN_TTL": timedelta(days=API_TOKEN_TTL_DAYS),
    "AUTH_HEADER_PREFIX": "Token",
}

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
# The languages the force publishes in, and only these: without the list LocaleMiddleware would follow
# a browser into any of Django's hundred languages while our own pages stayed English. Names are each
# language's own (endonyms), untranslated, so a reader finds theirs whatever the page is in.
# Panjabi is written in Gurmukhi, as most British Sikh readers read it; Urdu and Arabic are right to left
# (Django's LANGUAGES_BIDI already lists both).
LANGUAGES = [
    ("en-gb", "English"),
    ("cy", "Cymraeg"),
    ("pl", "Polski"),
    ("ur", "اردو"),
    ("pa", "ਪੰਜਾਬੀ"),
    ("bn", "বাংলা"),
    ("gu", "ગુજરાતી"),
    ("ar", "العربية"),
    ("ro", "Română"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
# The choice made with the switcher (django.views.i18n.set_language) is kept for a year; the cookie
# names a language and nothing else, so it carries no consent burden (PECR: strictly necessary).
LANGUAGE_COOKIE_NAME = "pact_language"
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
NODE_MODULES = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    # Front-end packages come pinned from npm and are served from here: no CDN at run time.
    ("vendor/bootstrap", NODE_MODULES / "bootstrap" / "dist"),
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
    ("vendor/chartjs", NODE_MODULES / "chart.js" / "dist"),
    ("vendor/leaflet", NODE_MODULES / "leaflet" / "dist"),
]
TESTING = env.bool("TESTING", default=False)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Development and tests serve straight from the source folders; production from collectstatic.
WHITENOISE_USE_FINDERS = DEBUG or TESTING
WHITENOISE_AUTOREFRESH = DEBUG or TESTING
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
# Uploads in S3-compatible object storage (AWS S3, MinIO, Ceph...) when MEDIA_STORAGE_URL is set,
# s3://<bucket>[/<folder>], so every web and worker host sees the same files; on disk (MEDIA_ROOT)
# otherwise. Credentials, region and endpoint come from the usual AWS_ variables (docs/scaling.md).
MEDIA_STORAGE_URL = env.str("MEDIA_STORAGE_URL", default="")
try:
    STORAGES["default"] = media_storage(
        MEDIA_STORAGE_URL,
        endpoint_url=env.str("AWS_S3_ENDPOINT_URL", default=""),
        region_name=env.str("AWS_S3_REGION_NAME", default=""),
        access_key=env.str("AWS_ACCESS_KEY_ID", default=""),
        secret_key=env.str("AWS_SECRET_ACCESS_KEY", default=""),
    )
except MediaStorageUrlError as exc:
    raise ImproperlyConfigured(str(exc)) from exc

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://" if DEBUG else "smtp://localhost:25")
vars().update(EMAIL_CONFIG)
if DEBUG and not env.str("EMAIL_URL", default=""):
    # The embedded default: emails go to In the Know's outbox page, as the alerts' messages do.
    EMAIL_BACKEND = "pact_portal.email_backends.OutboxEmailBackend"
# Seconds an SMTP connection may wait on the mail server. Django's default is none: a server that
# stops answering would hold a worker (or, for a web request, a gunicorn worker) for ever.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="PACT Portal <no-reply@pact.example.police.uk>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Map tiles are configurable because forces licence their own; boundaries are drawn from our
# own data, so the map still works when tiles cannot load.
MAP_TILE_URL = env.str("MAP_TILE_URL", default="https://tile.openstreetmap.org/{z}/{x}/{y}.png")
MAP_TILE_ATTRIBUTION = env.str("MAP_TILE_ATTRIBUTION", default="&copy; OpenStreetMap contributors")
SITE_NAME = env.str("SITE_NAME", default="PACT Portal")
# The portal's public address, for links in emails sent by background tasks (which have no request;
# links made while answering a request use its address, see pact_portal.site). `make run` sets it
# from HOST and PORT. Production must say it: a guess would put dead links in every member's email.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000" if DEBUG or TESTING else "")
if not re.fullmatch(r"https?://[^/\s]+/?", SITE_URL):
    raise ImproperlyConfigured(
        "Set SITE_URL to the portal's public address, such as https://pact.example.police.uk: links in "
        "emails and texts sent by background tasks are built on it. It is required when DEBUG is off."
        + (f" {SITE_URL!r} is not an http(s) address with no path." if SITE_URL else "")
    )

# --- In the Know (messaging) ---
# How each channel is sent. "outbox" keeps every rendered message in the database and shows it on a
# staff page: the embedded default, so the demo's alerts can be read with nothing else installed.
# Production: email through Django's email backend (EMAIL_URL), SMS through GOV.UK Notify, voice
# through a text-to-speech call provider.
MESSAGING_EMAIL_SENDER = env.str("MESSAGING_EMAIL_SENDER", default="outbox" if DEBUG else "email")
MESSAGING_SMS_SENDER = env.str("MESSAGING_SMS_SENDER", default="outbox")
MESSAGING_VOICE_SENDER = env.str("MESSAGING_VOICE_SENDER", default="outbox")
# GOV.UK Notify: the API key (secret), its base URL (a local emulator in tests), the SMS template
# (one with a single ((body)) placeholder) and the bearer token Notify sends with its callbacks.
NOTIFY_API_KEY = env.str("NOTIFY_API_KEY", default="")
NOTIFY_BASE_URL = env.str("NOTIFY_BASE_URL", default="https://api.notifications.service.gov.uk")
NOTIFY_SMS_TEMPLATE_ID = env.str("NOTIFY_SMS_TEMPLATE_ID", default="")
NOTIFY_CALLBACK_TOKEN = env.str("NOTIFY_CALLBACK_TOKEN", default="")
# MESSAGING_EMAIL_SENDER=notify: email through Notify too, with a template whose subject is
# ((subject)) and body ((body)); its receipts (and so its bounces) come back on the same callback.
NOTIFY_EMAIL_TEMPLATE_ID = env.str("NOTIFY_EMAIL_TEMPLATE_ID", default="")
# Replies by email: each alert email's Reply-To is reply+<token>@INBOUND_EMAIL_DOMAIN (empty: no
# Reply-To, and replies go to DEFAULT_FROM_EMAIL as before). Mailgun receives that domain and posts
# each message to /webhooks/mailgun/inbound/, signed with MAILGUN_WEBHOOK_SIGNING_KEY.
INBOUND_EMAIL_DOMAIN = env.str("INBOUND_EMAIL_DOMAIN", default="")
MAILGUN_WEBHOOK_SIGNING_KEY = env.str("MAILGUN_WEBHOOK_SIGNING_KEY", default="")
# Alert emails sent by SMTP carry the envelope sender bounce+<token>@INBOUND_EMAIL_DOMAIN, so a mail
# server's later bounce notice comes back to the same webhook and marks the address dead. Off by
# default: the domain's SPF record must then allow the SMTP relay, or receivers will distrust the mail.
INBOUND_EMAIL_BOUNCES = env.bool("INBOUND_EMAIL_BOUNCES", default=False)
# The voice provider: an HTTP API taking a number and a text-to-speech script (bearer-token auth),
# and the shared secret its delivery callbacks are signed with (HMAC-SHA256).
VOICE_API_URL = env.str("VOICE_API_URL", default="")
VOICE_API_KEY = env.str("VOICE_API_KEY", default="")
VOICE_CALLBACK_SECRET = env.str("VOICE_CALLBACK_SECRET", default="")
# Messages per second each provider allows, shared by every worker (a token bucket in Redis).
MESSAGING_RATE_LIMITS = {
    "email": env.int("MESSAGING_EMAIL_RATE", default=100),
    "sms": env.int("MESSAGING_SMS_RATE", default=50),
    "voice": env.int("MESSAGING_VOICE_RATE", default=5),
}
# The share of each limit the engine uses. Providers count arrivals, and the network and worker
# scheduling bunch messages up on the way, so sending at exactly the limit draws 429s; a twentieth
# under it leaves the provider's own bucket room to absorb that jitter.
MESSAGING_RATE_HEADROOM = env.float("MESSAGING_RATE_HEADROOM", default=0.95)
# Opens are counted with a tracking pixel only when a force turns it on (privacy: off by default).
MESSAGING_OPEN_TRACKING = env.bool("MESSAGING_OPEN_TRACKING", default=False)
MESSAGING_CLICK_TRACKING = env.bool("MESSAGING_CLICK_TRACKING", default=True)

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # Session first: an anonymous call is answered 403 with a JSON body (DRF sends 401 only when
    # the first authenticator names a WWW-Authenticate scheme). Scripts send "Token <key>".
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.api.VerifiedSessionAuthentication",
        "accounts.api_tokens.ApiTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON bodies only: a form encoding cannot say null, so the schema would promise what a
    # multipart request could never send.
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_FILTER_BACKENDS": ["accounts.api.PortalFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "accounts.api.PortalPagination",
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "PACT Portal API",
    "DESCRIPTION": "Police and Communities Together: neighbourhoods, engagement, priorities and alerts.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI served from our own static files, not a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # Separate request and response components, so read-only fields (ids, states, timestamps) are
    # not advertised as accepted and write-only ones not as returned.
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models have a "status", "source" or "kind" of their own: each enum gets its model's
    # name instead of a hashed one.
    "ENUM_NAME_OVERRIDES": {
        "MeetingStatusEnum": "meetings.models.MeetingStatus",
        "ActionStatusEnum": "priorities.models.ActionStatus",
        "IssueStatusEnum": "priorities.models.IssueStatus",
        "IssueSourceEnum": "priorities.models.IssueSource",
        "AlertStatusEnum": "messaging.models.AlertStatus",
        "AlertKindEnum": "messaging.models.AlertKind",
        "ChannelEnum": "messaging.models.Channel",
        "ChannelStatusEnum": "messaging.models.ChannelStatus",
        "SignUpSourceEnum": "messaging.models.SignUpSource",
        "SurveyStatusEnum": "surveys.models.SurveyStatus",
        "QuestionKindEnum": "surveys.models.QuestionKind",
    },
}

# Celery: with no broker configured, tasks run in-process so the embedded default needs nothing
# else installed...
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
# ...and, in the web server, after the response on a small thread pool rather than inside the
# request (pact_portal.background): a force-wide alert's sends took minutes. Tests and commands other
# than runserver (seed_demo, shell) keep running them in the caller: they have no response to hurry,
# and a command's own writes would race the pool's on SQLite.
_COMMAND = sys.argv[1] if len(sys.argv) > 1 and Path(sys.argv[0]).name == "manage.py" else ""
TASKS_IN_THREADS = env.bool(
    "TASKS_IN_THREADS", default=CELERY_TASK_ALWAYS_EAGER and not TESTING and _COMMAND in ("", "runserver")
)
TASKS_THREADS = env.int("TASKS_THREADS", default=2)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
# A task whose worker died unacknowledged goes back on the queue after this long (Redis's default
# is an hour). It must outlast the longest task: a million-member fan-out takes under a minute.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=15 * 60)}
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Every task has a time limit, so one stuck on a provider or a lock frees its worker: at the soft
# limit the task gets SoftTimeLimitExceeded (its transaction rolls back; sends' expired claims are
# given back by deliveries_reclaim_task), at the hard one the worker process is killed. Prefork
# workers only: in-process tasks (the embedded default, tests) run unlimited. The hard limits stay
# under the broker's visibility timeout, or a task still running would be handed to a second worker.
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=5 * 60)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=6 * 60)
CELERY_TASK_ANNOTATIONS = {
    # A force-wide alert writes up to a million deliveries (under a minute on the benchmark; the
    # margin is for a loaded database), and a batch of 500 sends paces itself to the providers'
    # shared rate: 500 calls at the voice provider's 5 a second, shared by several workers, take minutes.
    "messaging.tasks.alert_fan_out_task": {"soft_time_limit": 10 * 60, "time_limit": 12 * 60},
    "messaging.tasks.deliveries_send_task": {"soft_time_limit": 10 * 60, "time_limit": 12 * 60},
}
CELERY_TIMEZONE = TIME_ZONE
# One queue per class of work, so an emergency never waits behind bulk work: workers take the
# classes in pools of their own (README "Workers"). pact_portal.celery.route_task decides: a task
# about one alert (CELERY_ALERT_TASKS, with an alert_id) goes on its alert's class, from its kind
# (MESSAGING_KIND_CLASSES, other kinds: alerts); a task in CELERY_TASK_CLASSES on that class;
# anything else (sweeps, receipts, measures, returns, retention) on housekeeping.
CELERY_TASK_ROUTES = ("pact_portal.celery.route_task",)
# Keeps deployments, test runs and benchmarks that share one Redis on queues of their own.
CELERY_QUEUE_PREFIX = env.str("CELERY_QUEUE_PREFIX", default="")
CELERY_TASK_DEFAULT_QUEUE = f"{CELERY_QUEUE_PREFIX}housekeeping"
# A worker started without -Q takes every class (one worker is enough for a small deployment).
CELERY_TASK_QUEUES = [
    Queue(f"{CELERY_QUEUE_PREFIX}{name}", Exchange(f"{CELERY_QUEUE_PREFIX}{name}"), f"{CELERY_QUEUE_PREFIX}{name}")
    for name in ("emergency", "alerts", "bulk", "housekeeping")
]
CELERY_ALERT_TASKS = ("messaging.tasks.alert_fan_out_task", "messaging.tasks.deliveries_send_task")
CELERY_TASK_CLASSES = {
    # Someone is waiting for these: never behind a survey's invitations or a night's sweeps.
    "accounts.tasks.password_reset_email_task": "alerts",
    "priorities.tasks.send_follow_confirmation_task": "alerts",
    # A member wrote a trigger word: the 999 advice and the duty contact go before anything else.
    "messaging.tasks.reply_urgent_task": "emergency",
    "messaging.tasks.reply_answer_send_task": "alerts",
    "messaging.tasks.bounce_recovery_text_task": "alerts",
    "messaging.tasks.member_message_send_task": "alerts",
    # Many emails, none urgent.
    "priorities.tasks.notify_followers_task": "bulk",
    "priorities.tasks.send_daily_digests_task": "bulk",
}
# Emergencies go first everywhere; invitations and reminders are mass and not urgent; appeals,
# priority updates and general alerts are "alerts". The same class orders sends at the rate limit.
MESSAGING_KIND_CLASSES = {"emergency": "emergency", "survey": "bulk", "meeting_reminder": "bulk", "vote": "bulk"}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Beat keeps its schedule and a lock in the broker's Redis (celery-redbeat), never in the evicting
# cache: any number of beat processes on any hosts may run, one holds the lock and queues the jobs,
# the others wait and take over once its lock lapses (it renews it every loop), so no job is queued
# twice and none is lost with a host.
CELERY_BEAT_SCHEDULER = "redbeat.RedBeatScheduler"
CELERY_REDBEAT_REDIS_URL = CELERY_BROKER_URL
# Said, not inherited from the broker's: redbeat stops falling back to them in its next release.
CELERY_REDBEAT_REDIS_OPTIONS = {}
CELERY_REDBEAT_KEY_PREFIX = f"{CELERY_QUEUE_PREFIX}redbeat"
CELERY_BEAT_MAX_LOOP_INTERVAL = 10
CELERY_REDBEAT_LOCK_TIMEOUT = env.int("CELERY_REDBEAT_LOCK_TIMEOUT", default=60)

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 60 * 60 * 12
X_FRAME_OPTIONS = "DENY"
# No inline script anywhere: scripts are static files and page data travels in json_script blocks,
# which browsers never execute. Map tiles are the only third-party resource.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", *([_tile_origin] if (_tile_origin := _origin_of(MAP_TILE_URL)) else [])],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    # Load balancers probe over plain HTTP; a redirect would read as "unhealthy".
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)

# --- Observability (pact_portal.observability; docs/observability.md) ---
# Logs: one JSON object per line on standard output, with the request id, user id and Celery task
# id (python-json-logger). LOG_FORMAT=text gives plain lines for a developer's terminal.
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO").upper()
LOG_FORMAT = env.str("LOG_FORMAT", default="json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "pact_portal.observability.logs.PortalJsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    # At DEBUG these two log template contexts and SQL parameters, both of which carry residents'
    # email addresses and phone numbers: they stay at INFO whatever LOG_LEVEL asks for.
    "loggers": {
        "axes": {"level": "WARNING"},
        "django.template": {"level": "INFO"},
        "django.db.backends": {"level": "INFO"},
    },
}
# The worker logs through the configuration above (JSON, with task ids), not Celery's own.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
MIDDLEWARE = [
    # First: every line logged while answering carries the request id; the timing covers the rest.
    "pact_portal.observability.logs.RequestIdMiddleware",
    "pact_portal.observability.metrics.MetricsMiddleware",
    *MIDDLEWARE,
]
# Cache operations are timed for /metrics by subclasses of Django's own backends.
CACHES["default"]["BACKEND"] = (
    CACHES["default"]["BACKEND"]
    .replace("django.core.cache.backends.redis.", "pact_portal.observability.metrics.")
    .replace("django.core.cache.backends.locmem.", "pact_portal.observability.metrics.")
)
# /metrics answers requests from this machine and those bearing this token; empty: no token works.
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
# The Celery queues whose depth /metrics reports (Redis list lengths on the broker).
METRICS_CELERY_QUEUES = env.list("METRICS_CELERY_QUEUES", default=["emergency", "alerts", "bulk", "housekeeping"])
# The gauges read from the database are shared through the cache this long (0: read on every scrape).
METRICS_CACHE_SECONDS = env.int("METRICS_CACHE_SECONDS", default=15)
READYZ_BROKER_TIMEOUT = env.float("READYZ_BROKER_TIMEOUT", default=2.0)
# 0: /readyz reports beat's last heartbeat without failing on it (a dead beat should page someone,
# not take every web server out of the load balancer); the stale-beat alert rule watches it.
READYZ_BEAT_MAX_AGE_SECONDS = env.int("READYZ_BEAT_MAX_AGE_SECONDS", default=0)
if not DEBUG:
    # Prometheus and the orchestrator ask over plain HTTP; a redirect would read as "down".
    SECURE_REDIRECT_EXEMPT = [*SECURE_REDIRECT_EXEMPT, r"^readyz$", r"^metrics$"]
# Errors go to Sentry or GlitchTip only when SENTRY_DSN is set, scrubbed of personal data, secrets
# and restricted text (pact_portal.observability.errors). Local variables only if a force opts in.
SENTRY_DSN = env.str("SENTRY_DSN", default="")
if SENTRY_DSN:
    from pact_portal.observability.errors import sentry_init

    sentry_init(
        dsn=SENTRY_DSN,
        environment=env.str("SENTRY_ENVIRONMENT", default=""),
        release=env.str("SENTRY_RELEASE", default=""),
        traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
        include_local_variables=env.bool("SENTRY_INCLUDE_LOCALS", default=False),
    )
# --- end of Observability ---

# --- Retention (pact_portal.retention; docs/data-protection.md is the data map) ---
# Days each kind of personal data is kept before the nightly job deletes or anonymises it.
# Aggregates the returns count are kept whatever these say (see the package's docstring).
RETENTION = {
    # Provider ids and error text (which quotes addresses) on deliveries; the rows stay.
    "delivery_details_days": env.int("RETENTION_DELIVERY_DETAILS_DAYS", default=90),
    "delivery_attempts_days": env.int("RETENTION_DELIVERY_ATTEMPTS_DAYS", default=90),
    # Rendered messages, addresses included: long enough to answer "did I get it?".
    "outbox_days": env.int("RETENTION_OUTBOX_DAYS", default=30),
    # django-axes' sign-in attempts and logs: addresses and user agents.
    "lockout_records_days": env.int("RETENTION_LOCKOUT_RECORDS_DAYS", default=90),
    # Reporters' contact details (online and Open311) of issues closed or merged, after raising.
    "issue_contact_days": env.int("RETENTION_ISSUE_CONTACT_DAYS", default=180),
    "closed_issue_photos_days": env.int("RETENTION_CLOSED_ISSUE_PHOTOS_DAYS", default=180),
    # A sign-up never confirmed: its link lasted a week.
    "unconfirmed_members_days": env.int("RETENTION_UNCONFIRMED_MEMBERS_DAYS", default=30),
    # A member who can no longer be reached on any channel, from their last unsubscribe.
    "unsubscribed_members_days": env.int("RETENTION_UNSUBSCRIBED_MEMBERS_DAYS", default=365),
    # Members' replies to alerts and the staff's answers, from receipt: a year answers "what did
    # they tell us?" in a complaint; anything that became a crime report lives in the force's systems.
    "inbound_replies_days": env.int("RETENTION_INBOUND_REPLIES_DAYS", default=365),
    # The bounced and new email addresses of a bounce recovery; the row stays for the measures' counts.
    "bounce_addresses_days": env.int("RETENTION_BOUNCE_ADDRESSES_DAYS", default=365),
    # A door-knock round's list of doors and what each said, from its finish (or, never finished,
    # from its planning): long enough to go back to the "not in" doors and follow up concerns.
    "door_knock_rounds_days": env.int("RETENTION_DOOR_KNOCK_ROUNDS_DAYS", default=90),
    # Residents' vote ballots (who voted, their ward and self-description) after the result is
    # published: long enough to answer a challenge to the count; the counts stay on the vote.
    "vote_ballots_days": env.int("RETENTION_VOTE_BALLOTS_DAYS", default=90),
}
# --- end of Retention ---
