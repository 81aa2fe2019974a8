"""Settings for the Interventions Archive, read from the environment.

Every value has a safe development default, except SECRET_KEY and ALLOWED_HOSTS,
which must be set whenever DEBUG is off. docs/deploy.md lists every variable.
"""

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from None


def cache_from_url(url: str) -> dict:
    """CACHE_URL: empty or locmem:// for a per-process cache, redis://host:port/db for one shared by app servers."""
    scheme = urlsplit(url).scheme if url else "locmem"
    if scheme == "locmem":
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    if scheme in {"redis", "rediss", "unix"}:
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
    raise ImproperlyConfigured(f"CACHE_URL must start with locmem://, redis://, rediss:// or unix://, not {url!r}.")


def kept_store_from_url(url: str, name: str, entries: int) -> dict:
    """Kept pages (config/pagecache.py) and kept rows (interventions/rows.py) each in a store of their own: a crawler
    reading thousands of pages once each then pushes out other pages, never the kept counts, which take seconds to
    recompute at a million interventions, and a list's twenty rows never push out a page."""
    cache = cache_from_url(url)
    if cache["BACKEND"].endswith("LocMemCache"):
        return {**cache, "LOCATION": name, "OPTIONS": {"MAX_ENTRIES": entries}}
    return {**cache, "KEY_PREFIX": name}


DEBUG = env_bool("DEBUG", True)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "development-only-not-secret"  # noqa: S105 - only ever used with DEBUG on

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver" if DEBUG else "")
if not ALLOWED_HOSTS and not DEBUG:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DEBUG is off, e.g. ALLOWED_HOSTS=archive.example.org.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

# The admin sits at an address of the deployment's choosing, which keeps most password-guessing bots away.
ADMIN_PATH = os.environ.get("ADMIN_PATH", "admin/").strip("/") + "/"
if ADMIN_PATH == "/":
    raise ImproperlyConfigured("ADMIN_PATH cannot be empty: the public pages live at the root.")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "django_filters",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "template_partials",
    "simple_history",
    "import_export",
    "csp",
    "axes",
    "hearings",
    "interventions",
    "backup",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "config.middleware.PermissionsPolicyMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "config.middleware.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "config.middleware.RejectNulCharactersMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Records who made each change in the history of curated records.
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a lockout raised during login into its 429 answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "config.context_processors.archive",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A database that is down or stuck must cost a request seconds, not a worker for good:
    # connecting gives up after DB_CONNECT_TIMEOUT, a query after DB_STATEMENT_TIMEOUT_MS.
    # work_mem: with PostgreSQL's default 4 MB, the bitmap of a common search term's matches at a million
    # interventions turns lossy, and every row on a lossy page is re-checked against its out-of-line search vector
    # (3.7x slower: 4.5 s against 1.2 s for a term in 18% of the texts).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        connect_timeout=env_int("DB_CONNECT_TIMEOUT", 3),
        options=(
            f"-c statement_timeout={env_int('DB_STATEMENT_TIMEOUT_MS', 15000)} "
            f"-c work_mem={env_int('DB_WORK_MEM_MB', 16)}MB"
        ),
    )
else:
    # Requests run in threads (runserver, gunicorn's threads, the live server of the browser tests). In SQLite's
    # default mode a transaction that has read and then writes fails at once when another holds the write lock:
    # waiting there could deadlock, so the busy timeout does not apply. IMMEDIATE takes the write lock at BEGIN, where
    # the timeout does wait; WAL lets pages keep reading while a curator saves. Synchronous FULL: a save
    # that was answered survives a power cut; after a large import the log shrinks back to 64 MB.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        init_command="PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA journal_size_limit=67108864",
        transaction_mode="IMMEDIATE",
        timeout=env_int("DB_SQLITE_TIMEOUT", 20),
    )

# The CSV export is one COPY statement for however many rows it holds: it gets a limit of its own.
EXPORT_STATEMENT_TIMEOUT_MS = env_int("EXPORT_STATEMENT_TIMEOUT_MS", 600_000)

CACHE_URL = os.environ.get("CACHE_URL", "").strip()
CACHES = {
    "default": cache_from_url(CACHE_URL),
    # 10-150 KB a page (an intervention's ~11 KB, a list's ~42 KB, a hearing's ~70 KB).
    "pages": kept_store_from_url(CACHE_URL, "kept-pages", env_int("KEPT_PAGES_PER_PROCESS", 500)),
    # ~1-1.5 KB a row.
    "rows": kept_store_from_url(CACHE_URL, "kept-rows", env_int("KEPT_ROWS_PER_PROCESS", 20000)),
}

AUTHENTICATION_BACKENDS = [
    # django-axes first, so a locked-out address is refused before its password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# The only accounts are curators', so a login without a safe `next` lands in the admin.
LOGIN_URL = "admin:login"
LOGIN_REDIRECT_URL = "admin:index"

AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 30))
# Counting failures per username and address together: a bot cannot lock a curator out from elsewhere.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "config.security.client_ip"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("fr", "Français"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT") or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

ARCHIVE_NAME = os.environ.get("ARCHIVE_NAME", "Interventions Archive")  # translated unless changed
# The language curators write hearing titles, theme names and descriptions in. Pages mark those
# texts with it, so a screen reader reads them right whatever the interface language.
ARCHIVE_CONTENT_LANGUAGE = os.environ.get("ARCHIVE_CONTENT_LANGUAGE", "en")
# The unfiltered list's counts and whole public pages are kept between changes (interventions/snapshot.py,
# config/pagecache.py). Changes made through Django are seen at once; this bounds how long one made behind its back
# (an SQL console) can go unseen. 0: nothing is kept.
ARCHIVE_FACET_SNAPSHOT_SECONDS = env_int("ARCHIVE_FACET_SNAPSHOT_SECONDS", 600)
# Processes serving visitors count the whole archive again right after a change commits (interventions/recount.py).
# Not on SQLite by default: it has one writer at a time, and the count's snapshot (written to the database) would
# take that writer's lock between a curator's saves.
ARCHIVE_RECOUNT_AFTER_CHANGES = env_bool(
    "ARCHIVE_RECOUNT_AFTER_CHANGES", DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
)
# Whole public pages kept for visitors without a session, per archive version (config/pagecache.py).
ARCHIVE_KEEP_PAGES = env_bool("ARCHIVE_KEEP_PAGES", True)
# Each intervention's row in the lists, rendered once per archive version and kept (interventions/rows.py).
ARCHIVE_KEEP_ROWS = env_bool("ARCHIVE_KEEP_ROWS", True)
# What kept pages are named by: the archive's version token and how long it holds.
ARCHIVE_STATE = "interventions.snapshot.archive_state"
# English keeps day-month-year dates; French and Spanish use Django's own formats.
FORMAT_MODULE_PATH = ["config.formats"]

# Behind a reverse proxy that terminates TLS, trust its X-Forwarded-Proto and X-Real-IP headers
# (only ever set BEHIND_PROXY when the proxy overwrites them, as the nginx example in docs/deploy.md does).
BEHIND_PROXY = env_bool("BEHIND_PROXY", False)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
if not SECURE_HSTS_PRELOAD:
    # Preloading lets anyone submit the domain to the browsers' HTTPS-only list, subdomains included:
    # a decision for each deployment (docs/deploy.md), so its absence is not a warning here.
    SILENCED_SYSTEM_CHECKS = ["security.W021"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
SESSION_COOKIE_HTTPONLY = CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), payment=(), usb=()"
)

# Everything the pages load is our own: no inline script or style, no third party, no framing.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# Where the public site lives, for addresses written outside a request (the open-data dump).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# The read-only API: JSON only, anonymous, throttled so one client cannot crowd out the others.
API_ANON_RATE = os.environ.get("API_ANON_RATE", "1000/hour")
REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": f"{ARCHIVE_NAME} API",
    "DESCRIPTION": (
        "Read-only access to the published hearings, sessions, organisations, themes and interventions. "
        "`/api/v1/interventions/` takes the same filter and sort parameters as the `/interventions/` page."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI is served from the vendored drf-spectacular-sidecar files, never from a CDN. (Not Redoc:
    # its page loads web fonts from the network.)
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # django-axes announces itself at INFO on every start; its lockouts are warnings.
    "loggers": {"axes": {"level": "WARNING"}},
}

# Spreadsheet imports (django-import-export, CSV and XLSX) run each in one transaction.
IMPORT_EXPORT_USE_TRANSACTIONS = True
