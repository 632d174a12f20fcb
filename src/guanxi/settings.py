"""Guanxi settings: everything from the environment, with defaults that need nothing installed."""

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from guanxi.core.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(env_str("GUANXI_DATA_DIR", str(Path.cwd() / "var"))).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DEBUG", False)
# A development key is only acceptable with DEBUG on; `check --deploy` flags it otherwise.
SECRET_KEY = env_str("SECRET_KEY", "django-insecure-guanxi-development-key-change-me")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "simple_history",
    "huey.contrib.djhuey",
    "ninja",
    "guanxi.core",
    "guanxi.accounts",
    "guanxi.customers",
    "guanxi.interactions",
    "guanxi.sales",
    "guanxi.keyaccounts",
    "guanxi.analytics",
    "guanxi.ops",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "guanxi.accounts.middleware.ResolvedUserMiddleware",
    "guanxi.accounts.middleware.UserLanguageMiddleware",
    "guanxi.accounts.middleware.UserTimezoneMiddleware",
    "guanxi.core.middleware.RefuseNulMiddleware",
    "guanxi.core.middleware.ApiErrorShapeMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "guanxi.urls"
WSGI_APPLICATION = "guanxi.wsgi.application"
ASGI_APPLICATION = "guanxi.asgi.application"

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
                "guanxi.core.context_processors.navigation",
            ],
            # {% url %} with a route that takes no arguments reversed once per process.
            "builtins": ["guanxi.core.templatetags.route_urls"],
        },
    }
]

#: The database engines Guanxi runs on, and how DATABASE_URL names them.
_DATABASE_URL_FORMS = (
    "postgres://USER:PASSWORD@HOST:5432/NAME, or sqlite:////absolute/path/guanxi.sqlite3 "
    "(unset: SQLite in GUANXI_DATA_DIR)"
)
_ENGINES = ("django.db.backends.postgresql", "django.db.backends.sqlite3")


def _database(url: str) -> dict:
    """DATABASE_URL as Django's database settings; ImproperlyConfigured, naming the forms it
    takes, when it is not a PostgreSQL or SQLite URL (the message leaves out the rest of the
    URL: it may hold a password)."""
    scheme = url.split("://", 1)[0] if "://" in url else ""
    try:
        parsed = dj_database_url.parse(url, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))
    except dj_database_url.UnknownSchemeError:
        parsed = None
    except ValueError:  # dj_database_url.ParseError, or a port that is not a number
        raise ImproperlyConfigured(
            "DATABASE_URL cannot be read as a URL (is the port a number? is a character of "
            f"the password to be written %XX?): give {_DATABASE_URL_FORMS}."
        ) from None
    if parsed is None or parsed.get("ENGINE") not in _ENGINES:
        what = (
            f"starts with {scheme}://, a database Guanxi does not run on"
            if scheme
            else "is not a database URL (it has no scheme such as postgres://)"
        )
        raise ImproperlyConfigured(f"DATABASE_URL {what}: give {_DATABASE_URL_FORMS}.")
    return parsed


DATABASES = {
    "default": _database(env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'guanxi.sqlite3'}"))
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool(
    "DB_PREPARED_READS", True
):
    # psycopg never prepares on its own at this threshold: only the hot reads that ask for it
    # (core.hot_reads.cursor). DB_PREPARED_READS=0 behind a pooler that cannot keep prepared
    # statements (PgBouncer before 1.21 in transaction mode).
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = 2**31 - 1
    # Their SQL is built per user and page shape (core.prepared), values that change the best
    # plan never go in it: one plan serves every run. Left to choose, PostgreSQL planned a
    # rep's list page anew each run (its first page: 1.5 ms, 0.9 with the kept plan). Prepared
    # statements are all this setting changes (and PL/pgSQL, which Guanxi has none of).
    options = DATABASES["default"]["OPTIONS"]
    options["options"] = " ".join(
        filter(None, [options.get("options", ""), "-c plan_cache_mode=force_generic_plan"])
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and (
    env_str("GUANXI_PROCESS", "") == "web"
):
    # A web request's reads are small and many run at once: started for one of them, parallel
    # workers took 8-9 ms to come up (a 3 % rep's "张": 12.1 ms, 2.5 without) and compete with
    # the other requests for the cores. Commands and the job worker (the analytics refresh's
    # scans of millions of orders) keep PostgreSQL's own setting. guanxi.wsgi says "web".
    # No JIT compilation for them either: PostgreSQL compiles a query it estimates costly,
    # and its estimate of a check per row of the user's customers is far above what it costs
    # (a rep's Pareto curve at a million customers: 0.47 s of compiling for 0.17 s of work).
    options = DATABASES["default"].setdefault("OPTIONS", {})
    workers = env_int("DB_WEB_PARALLEL_WORKERS", 0)
    tuned = f"-c max_parallel_workers_per_gather={workers} -c jit=off"
    options["options"] = " ".join(filter(None, [options.get("options", ""), tuned]))
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside the writer; IMMEDIATE avoids "database is locked" upgrades.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
            " PRAGMA busy_timeout=20000; PRAGMA cache_size=-65536; PRAGMA mmap_size=268435456;"
        ),
    }
    # Kept open between requests like PostgreSQL's (DB_CONN_MAX_AGE): opening one runs the
    # pragmas above each time, about 1-2 ms of a request's CPU.

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
# Django's model backend, reading each request's user with their team in one statement.
AUTHENTICATION_BACKENDS = ["guanxi.accounts.backends.UserBackend"]
SESSION_ENGINE = "guanxi.core.sessions"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "customers:list"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

#: How LANGUAGE_CODE may spell Guanxi's two languages (compared in lower case, "_" as "-").
_LANGUAGE_SPELLINGS = {
    "zh-hans": ("zh", "zh-cn", "zh-hans", "zh-hans-cn", "zh-sg", "zh-hans-sg"),
    "en": ("en", "en-us", "en-gb", "en-au", "en-ca", "en-in", "en-nz", "en-sg"),
}


def _language_code(raw: str) -> str:
    """LANGUAGE_CODE as one of LANGUAGES (zh_CN, zh-cn → zh-hans; en_US → en); any other
    language is refused by name (Django knew no zh-cn: every command stopped on a traceback)."""
    key = raw.strip().lower().replace("_", "-")
    for code, spellings in _LANGUAGE_SPELLINGS.items():
        if key in spellings:
            return code
    raise ImproperlyConfigured(
        f"LANGUAGE_CODE={raw!r} is not a language Guanxi speaks: use zh-hans (简体中文; also "
        "zh, zh-cn, zh_CN) or en (English; also en-us, en_US)."
    )


LANGUAGE_CODE = _language_code(env_str("LANGUAGE_CODE", "zh-hans"))
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = env_str("TIME_ZONE", "Asia/Shanghai")
USE_TZ = True
PHONE_REGION = env_str("PHONE_REGION", "CN")
DEFAULT_CURRENCY = env_str("DEFAULT_CURRENCY", "CNY")

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env_str("STATICFILES_STORAGE", "guanxi.core.static_storage.StaticStorage")
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = env_bool("WHITENOISE_USE_FINDERS", True)
MEDIA_ROOT = DATA_DIR / "media"
OUTBOX_DIR = DATA_DIR / "outbox"

# Security: on by default when DEBUG is off; `guanxi serve` on plain http sets GUANXI_INSECURE_HTTP.
_HTTPS = env_bool("HTTPS", False)
SESSION_COOKIE_SECURE = _HTTPS
CSRF_COOKIE_SECURE = _HTTPS
SECURE_SSL_REDIRECT = _HTTPS and env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if _HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = _HTTPS
SECURE_HSTS_PRELOAD = _HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if _HTTPS else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 60 * 60 * 12)

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = OUTBOX_DIR / "email"
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "guanxi@localhost")

# Background jobs: Huey on SQLite by default (no server), Redis when REDIS_URL is set.
_REDIS_URL = env_str("REDIS_URL", "")
HUEY = {
    "name": "guanxi",
    "immediate": env_bool("HUEY_IMMEDIATE", False),
    "utc": True,
    "consumer": {"workers": env_int("HUEY_WORKERS", 2), "worker_type": "thread"},
}
if _REDIS_URL:
    HUEY.update({"huey_class": "huey.RedisHuey", "url": _REDIS_URL})
else:
    HUEY.update({"huey_class": "huey.SqliteHuey", "filename": str(DATA_DIR / "huey.sqlite3")})

# Login throttling: this many failures for one username (or one address) locks it for a while.
LOGIN_MAX_FAILURES = env_int("LOGIN_MAX_FAILURES", 5)
LOGIN_LOCKOUT_SECONDS = env_int("LOGIN_LOCKOUT_SECONDS", 15 * 60)

# The cache holds short-lived counters (web-to-lead rate limits) that every web process must
# share: Redis when REDIS_URL is set, else files under the data directory.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": _REDIS_URL,
        "KEY_PREFIX": "guanxi",
    }
    if _REDIS_URL
    else {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(DATA_DIR / "cache"),
    }
}

# Public web-to-lead forms: posts per visitor address and form in a window, and the largest body.
WEB_LEAD_RATE_LIMIT = env_int("WEB_LEAD_RATE_LIMIT", 10)
WEB_LEAD_RATE_WINDOW = env_int("WEB_LEAD_RATE_WINDOW", 3600)
WEB_LEAD_MAX_BODY = env_int("WEB_LEAD_MAX_BODY", 16 * 1024)

CUSTOMER_PAGE_SIZE = env_int("CUSTOMER_PAGE_SIZE", 25)
# Exports of more rows than this run in the background and are downloaded when ready.
EXPORT_BACKGROUND_ROWS = env_int("EXPORT_BACKGROUND_ROWS", 10000)
RECYCLE_BIN_DAYS = env_int("RECYCLE_BIN_DAYS", 30)

# Analytics: windows and thresholds of the nightly refresh (see docs/analytics.md).
ANALYTICS_WINDOW_DAYS = env_int("ANALYTICS_WINDOW_DAYS", 90)
ANALYTICS_HORIZON_DAYS = env_int("ANALYTICS_HORIZON_DAYS", 90)
ANALYTICS_CLV_MONTHS = env_int("ANALYTICS_CLV_MONTHS", 12)
ANALYTICS_MONTHLY_DISCOUNT = 0.01
# A small L2 penalty keeps the BG/NBD fit off the boundary (a, b → ∞) on small or very regular
# histories, as lifetimes advises; it barely moves the estimates on large data.
ANALYTICS_BGNBD_PENALIZER = 0.001
ANALYTICS_BASKET_DAYS = env_int("ANALYTICS_BASKET_DAYS", 365)
ANALYTICS_BASKET_MIN_SUPPORT = 0.005
ANALYTICS_BASKET_MIN_CONFIDENCE = 0.2
ANALYTICS_BASKET_MAX_LEN = 3
ANALYTICS_REFRESH_HOUR = env_int("ANALYTICS_REFRESH_HOUR", 2)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}
