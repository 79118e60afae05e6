"""Settings for Sunlight, read from environment variables.

With no environment at all Sunlight runs embedded: SQLite under ``var/``, Chinese UI, debug off
unless ``SUNLIGHT_DEBUG=1``. Production sets ``DATABASE_URL`` (PostgreSQL), ``SUNLIGHT_SECRET_KEY``
and ``SUNLIGHT_ALLOWED_HOSTS``.
"""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("SUNLIGHT_VAR_DIR", BASE_DIR / "var"))


def _env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = _env_bool("SUNLIGHT_DEBUG")
# The embedded default must start with no configuration at all; a production deployment sets its
# own key (the README says so) and the insecure one is refused there by `check --deploy`.
SECRET_KEY = os.environ.get("SUNLIGHT_SECRET_KEY", "insecure-embedded-default-change-me")
ALLOWED_HOSTS = _env_list("SUNLIGHT_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")
CSRF_TRUSTED_ORIGINS = _env_list("SUNLIGHT_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "sunlight.core",
    "sunlight.audit",
    "sunlight.org",
    "sunlight.monitoring",
    "sunlight.risks",
    "sunlight.warnings",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "sunlight.audit.middleware.RequestContextMiddleware",
]

ROOT_URLCONF = "sunlight.urls"
WSGI_APPLICATION = "sunlight.wsgi.application"
ASGI_APPLICATION = "sunlight.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "sunlight" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "sunlight.core.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        env="DATABASE_URL",
        default=f"sqlite:///{VAR_DIR / 'sunlight.sqlite3'}",
        conn_max_age=int(os.environ.get("SUNLIGHT_DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    # WAL lets the web process read while a background import writes.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("SUNLIGHT_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "media/"
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
# Tests and `runserver` find files without collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.BasicAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Sunlight API",
    "DESCRIPTION": "Sunlight (阳光内控) REST API",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Duty status and review stage share one set of choices: name it once in the schema.
    "ENUM_NAME_OVERRIDES": {"DutyStatusEnum": "sunlight.org.models.DutyStatus"},
}

EMAIL_HOST = os.environ.get("SUNLIGHT_EMAIL_HOST", "")
EMAIL_PORT = int(os.environ.get("SUNLIGHT_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("SUNLIGHT_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("SUNLIGHT_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = _env_bool("SUNLIGHT_EMAIL_TLS")
DEFAULT_FROM_EMAIL = os.environ.get("SUNLIGHT_EMAIL_FROM", "sunlight@localhost")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = _env_bool("SUNLIGHT_SECURE_COOKIES")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("SUNLIGHT_LOG_LEVEL", "INFO")},
}

# --- Monitoring: background imports -------------------------------------------------------------
# Empty (the embedded default): imports run in `manage.py monitoring_worker`, which needs no
# server. Set to a Redis or RabbitMQ URL (redis://127.0.0.1:6379/0, amqp://guest:guest@host//) to
# run them on Celery workers: `celery -A sunlight.monitoring.celery_app worker`.
SUNLIGHT_BROKER_URL = os.environ.get("SUNLIGHT_BROKER_URL", "")
# An import of at least this many records reads its file in a reader process of its own, on
# another core, beside the one that stores (smaller ones on a thread: no process start).
SUNLIGHT_IMPORT_PROCESS_FROM = int(os.environ.get("SUNLIGHT_IMPORT_PROCESS_FROM", "20000"))
