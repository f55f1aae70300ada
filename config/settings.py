"""Settings for Chapterhouse, read from the environment (see .env.example).

Defaults make `make run` work with nothing set: debug on, SQLite under var/,
mail printed to the console. With CHAPTERHOUSE_DEBUG=false the values a public
site needs must be set, or start-up stops and names the missing one.
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()
env.read_env(BASE_DIR / ".env")

# Where the default SQLite database, collected static files and uploads live.
VAR_DIR = Path(env.str("CHAPTERHOUSE_VAR_DIR", default=str(BASE_DIR / "var")))

DEBUG = env.bool("CHAPTERHOUSE_DEBUG", default=True)


def required(name: str, debug_default: str) -> str:
    """Return a setting that a public site must set; in debug, fall back to a default."""
    value = env.str(name, default="")
    if value:
        return value
    if DEBUG:
        return debug_default
    raise ImproperlyConfigured(
        f"Set the environment variable {name} (see .env.example); "
        "it is required when CHAPTERHOUSE_DEBUG is false."
    )


SECRET_KEY = required("CHAPTERHOUSE_SECRET_KEY", "insecure-development-key-" + "x" * 40)
SITE_URL = required("CHAPTERHOUSE_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
SITE_NAME = env.str("CHAPTERHOUSE_SITE_NAME", default="Chapterhouse")

_site = urlsplit(SITE_URL)
if _site.scheme not in ("http", "https") or not _site.hostname:
    raise ImproperlyConfigured(
        f"CHAPTERHOUSE_SITE_URL must be an http(s) URL such as https://chapters.example.org, "
        f"not {SITE_URL!r}."
    )
SITE_HOST = _site.netloc
ALLOWED_HOSTS = env.list(
    "CHAPTERHOUSE_ALLOWED_HOSTS",
    default=[_site.hostname, "localhost", "127.0.0.1"] if DEBUG else [_site.hostname],
)
CSRF_TRUSTED_ORIGINS = [f"{_site.scheme}://{_site.netloc}"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # Before django_tasks_db: its `db_worker` command is replaced by ours, which first
    # queues again the tasks that workers which died left running (chapterhouse/workers.py).
    "chapterhouse",
    "django_tasks",
    "django_tasks_db",
    "members",
    "chapters",
    "stories",
    "meetings",
    "projects",
    "forum",
    "polls",
    "search",
    "federation",
    "oaipmh",
    "ninja",
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "chapterhouse.middleware.content_security_policy",
    "chapterhouse.middleware.reject_control_characters",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "chapterhouse.cache.anonymous_page_cache",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "stories.middleware.legacy_redirects",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "federation.discovery_views.activity_json_alternative",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

# Our pages use Jinja2 (about thirty times faster than the Django template
# language on list pages); the admin keeps its own Django templates.
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": False,
        "OPTIONS": {
            "environment": "chapterhouse.jinja.environment",
            "context_processors": ["chapterhouse.jinja.translations"],
        },
    },
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]


def _database() -> dict:
    config = env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'chapterhouse.sqlite3'}")
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["ENGINE"] = "chapterhouse.sqlite"  # Django's, with writers queuing fairly
        if config["NAME"] and config["NAME"] != ":memory:":
            Path(config["NAME"]).parent.mkdir(parents=True, exist_ok=True)
        # IMMEDIATE takes the write lock at BEGIN, so concurrent writers queue
        # on busy_timeout instead of failing with "database is locked".
        # Tests use a file too: concurrency tests need real locking between connections.
        # One per process, so test runs side by side do not share it.
        config["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            **config.get("OPTIONS", {}),
        }
    # Opening a connection (and, for SQLite, running the PRAGMAs) on every
    # request would cost more than a typical request's queries.
    config.setdefault("CONN_MAX_AGE", env.int("CHAPTERHOUSE_DB_CONN_MAX_AGE", default=60))
    config.setdefault("CONN_HEALTH_CHECKS", True)
    return config


DATABASES = {"default": _database()}

# Pages for anonymous visitors are kept this many seconds in each web process's
# memory (chapterhouse/cache.py); never pages for someone logged in, never a page
# with a form. Off in debug, so a developer sees each change at once; 0 turns it off.
PAGE_CACHE_SECONDS = env.int("CHAPTERHOUSE_PAGE_CACHE_SECONDS", default=0 if DEBUG else 10)
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "chapterhouse",
        "OPTIONS": {"MAX_ENTRIES": 1000},
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "members.User"
# Both read what every logged-in request needs with one plain query each.
AUTHENTICATION_BACKENDS = ["members.backends.AccountBackend"]
SESSION_ENGINE = "chapterhouse.sessions"
LOGIN_URL = "members:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Rate limits, counted in the database (chapterhouse/ratelimit.py) so that every
# worker shares them: name -> (attempts, window in seconds). Past a limit the
# request gets a 429 page that says when to try again, and nothing is written.
# "address" limits count the client's IP address as the proxy reports it (an IPv6
# client's /64 network); keep them generous enough for a room of people behind
# one library or conference network. "email" limits count the address typed in
# a form, whether or not an account has it, so they reveal nothing.
RATE_LIMITS = {
    "signup:address": (20, 3600),  # sign-up forms sent
    "password-reset:address": (10, 3600),  # password reset requests
    "password-reset:email": (3, 3600),  # reset mails to one address
    "verification:address": (10, 3600),  # "send the link again" requests
    "verification:email": (3, 3600),  # verification mails to one address
    "email-change:account": (5, 3600),  # confirmation mails a member asks for
    "login-failure:address": (30, 900),  # failed log-ins, whatever the account
    "rsvp:account": (10, 600),  # RSVP changes (going, guests, cancelling) by one member
    "contact:address": (5, 3600),  # messages to organizers (anyone may send them)
    "talk:account": (5, 3600),  # talk proposals by one member
    "story:account": (10, 3600),  # new stories and blog posts by one author
}
# Log-in lockout (members/lockout.py): this many failed log-ins for one e-mail
# address, counted from the first failure within LOGIN_FAILURE_WINDOW seconds,
# refuse every log-in to it (the right password too) for LOGIN_LOCKOUT_SECONDS.
LOGIN_LOCKOUT_FAILURES = 10
LOGIN_FAILURE_WINDOW = 900
LOGIN_LOCKOUT_SECONDS = 900
# How long e-mail verification and e-mail change links stay valid.
EMAIL_CONFIRMATION_MAX_AGE = env.int("CHAPTERHOUSE_EMAIL_CONFIRMATION_DAYS", default=3) * 86400
PASSWORD_RESET_TIMEOUT = 86400

vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str(
    "CHAPTERHOUSE_FROM_EMAIL", default=f"Chapterhouse <noreply@{_site.hostname}>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_TIMEOUT = 30

# Federation fetches and delivers only to public https addresses. Tests that run
# peers on loopback (plain http, 127.0.0.1) turn this on; never in production.
FEDERATION_ALLOW_PRIVATE_NETWORKS = env.bool(
    "CHAPTERHOUSE_FEDERATION_ALLOW_PRIVATE_NETWORKS", default=False
)

TASKS = {
    "default": {
        "BACKEND": env.str("CHAPTERHOUSE_TASKS_BACKEND", default="django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("CHAPTERHOUSE_TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("CHAPTERHOUSE_STATIC_ROOT", default=str(VAR_DIR / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise expects it before collectstatic
MEDIA_URL = "/media/"
MAX_SLIDES_MB = env.int("CHAPTERHOUSE_MAX_SLIDES_MB", default=25)
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
MEDIA_ROOT = Path(env.str("CHAPTERHOUSE_MEDIA_ROOT", default=str(VAR_DIR / "media")))
# The full-text index (tantivy); rebuilt from the database by `chapterhouse reindex`.
SEARCH_INDEX_DIR = Path(env.str("CHAPTERHOUSE_SEARCH_INDEX_DIR", default=str(VAR_DIR / "search")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG
# Files browsers and crawlers ask for at the site's root (/favicon.ico).
WHITENOISE_ROOT = BASE_DIR / "chapterhouse" / "site_root"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if not DEBUG:
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = _site.scheme == "https"
    SECURE_SSL_REDIRECT = env.bool("CHAPTERHOUSE_SSL_REDIRECT", default=_site.scheme == "https")
    SECURE_HSTS_SECONDS = env.int("CHAPTERHOUSE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("CHAPTERHOUSE_HSTS_SUBDOMAINS", default=False)
    SECURE_HSTS_PRELOAD = env.bool("CHAPTERHOUSE_HSTS_PRELOAD", default=False)
    # Subdomains and preloading commit the whole domain to HTTPS; the people who run
    # the domain decide that (the two settings above), so Django's reminders are off.
    SILENCED_SYSTEM_CHECKS = ["security.W005", "security.W021"]
    if env.bool("CHAPTERHOUSE_BEHIND_PROXY", default=False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
        USE_X_FORWARDED_HOST = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("CHAPTERHOUSE_LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
