"""Settings, read from the environment with defaults that run on a bare machine.

Every variable is documented in README.md under "Configuration".
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from crm.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("CRM_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DEBUG", True)

_DEV_SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"
SECRET_KEY = env_str("SECRET_KEY", _DEV_SECRET_KEY)
if not DEBUG and SECRET_KEY == _DEV_SECRET_KEY:
    raise ImproperlyConfigured("Set SECRET_KEY: the development key refuses to run with DEBUG off.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_filters",
    "django_htmx",
    "crm",
    "contacts",
    "prospects",
    "transactions",
    "drips",
    "emailfeed",
    "callcapture",
    "anymail",
    "goals",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "crm.middleware.TenantMiddleware",
]

ROOT_URLCONF = "crm.urls"
WSGI_APPLICATION = "crm.wsgi.application"

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
                "crm.context_processors.tenant",
                "prospects.context_processors.import_menu",
            ],
        },
    },
]

# Widgets render through the project's templates (the person picker lives there).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'crm.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "crm.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# django-allauth: email is the login; no usernames anywhere.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "crm.forms.SignupExtraForm"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = env_str("ACCOUNT_EMAIL_VERIFICATION", "optional")
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_ALLOW_REGISTRATION = env_bool("ACCOUNT_ALLOW_REGISTRATION", True)
ACCOUNT_ADAPTER = "crm.auth_adapter.AccountAdapter"
if env_bool("DISABLE_RATE_LIMITS", False):
    ACCOUNT_RATE_LIMITS = False
LOGIN_REDIRECT_URL = "dashboard"
LOGIN_URL = "account_login"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = env_str("MFA_TOTP_ISSUER", "Real-estate CRM")

# Email: console in development, SMTP (or any backend) by environment.
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "CRM <crm@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE", "America/Denver")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "staticfiles")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "media/"

# Tenancy: Postgres row-level security is the second wall (see crm/tenancy.py).
TENANT_DB_WALL = env_bool("TENANT_DB_WALL", True)

# Celery: kombu's filesystem transport by default, Redis in production.
_BROKER_DIR = VAR_DIR / "broker"
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    for _sub in ("queue", "processed", "control"):
        (_BROKER_DIR / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_BROKER_DIR / "queue"),
        "data_folder_out": str(_BROKER_DIR / "queue"),
        "processed_folder": str(_BROKER_DIR / "processed"),
        "control_folder": str(_BROKER_DIR / "control"),
        "store_processed": True,
        "polling_interval": 0.2,
    }
elif CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    # Late acknowledgement: a task not acknowledged within this window is delivered again.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 12 * 3600}
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND", "") or None
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Worker processes: the work waits on Postgres, SMTP and Twilio as much as it computes, so
# twice the cores keeps alerts flowing during a burst of lead emails (bench_emailfeed).
CELERY_WORKER_CONCURRENCY = env_int("CELERY_WORKER_CONCURRENCY", 2 * (os.cpu_count() or 1))
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    "prune-broker-folder": {"task": "crm.tasks.prune_broker_folder", "schedule": 3600.0},
    "purge-expired-invitations": {
        "task": "crm.tasks.purge_expired_invitations",
        "schedule": 6 * 3600.0,
    },
    "purge-contacts-trash": {"task": "contacts.tasks.purge_trash", "schedule": 24 * 3600.0},
    "poll-feed-mailboxes": {"task": "emailfeed.tasks.poll_mailboxes", "schedule": 60.0},
    "drips-due-steps": {"task": "drips.tasks.run_due_steps", "schedule": 60.0},
    "drips-occasions": {"task": "drips.tasks.occasions_hourly", "schedule": 3600.0},
}
BROKER_PROCESSED_DIR = _BROKER_DIR / "processed"

INVITATION_DAYS = env_int("INVITATION_DAYS", 14)
AUDIT_LOG_PAGE_SIZE = 50

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")
# Secrets kept in the database (a Twilio auth token) are encrypted with this Fernet key;
# empty: a key derived from SECRET_KEY (then changing SECRET_KEY means re-entering them).
FIELD_ENCRYPTION_KEY = env_str("FIELD_ENCRYPTION_KEY", "")
# Twilio's REST API; tests point it at a local fake server.
TWILIO_API_BASE = env_str("TWILIO_API_BASE", "")
# The email feed: each account's address is leads+TOKEN@EMAILFEED_DOMAIN (route that
# domain's mail to an email service's inbound webhook, or POST raw messages to the feed).
EMAILFEED_DOMAIN = env_str("EMAILFEED_DOMAIN", "leads.localhost")
# django-anymail's inbound webhooks (/anymail/<service>/inbound/) check this basic-auth
# "user:password" pair; set it, and give the same in the service's webhook URL.
ANYMAIL = {"WEBHOOK_SECRET": env_str("ANYMAIL_WEBHOOK_SECRET", "") or None}
# An email service's credentials, e.g. ANYMAIL_POSTMARK_SERVER_TOKEN=… becomes
# ANYMAIL["POSTMARK_SERVER_TOKEN"] (with EMAIL_BACKEND=anymail.backends.postmark.EmailBackend).
ANYMAIL.update(
    {
        name.removeprefix("ANYMAIL_"): value
        for name, value in os.environ.items()
        if name.startswith("ANYMAIL_") and name != "ANYMAIL_WEBHOOK_SECRET" and value
    }
)
# Drips: at most one automated email per person in this many days, across sequences.
DRIPS_EMAIL_CAP_DAYS = env_int("DRIPS_EMAIL_CAP_DAYS", 7)
# A queued drip email not delivered this long after it was handed to the worker (the
# worker died) is handed over again; delivery is idempotent.
DRIPS_REQUEUE_SECONDS = env_int("DRIPS_REQUEUE_SECONDS", 600)
DRIPS_UNCLAIMED_SECONDS = env_int("DRIPS_UNCLAIMED_SECONDS", 13 * 3600)
# Delivery reports posted by the mail server to /drips/bounces/inbound/ carry
# "Authorization: Bearer DRIPS_BOUNCE_SECRET"; empty: that endpoint refuses everything.
DRIPS_BOUNCE_SECRET = env_str("DRIPS_BOUNCE_SECRET", "")
# A soft bounce (mailbox full, server away) is sent again after DRIPS_SOFT_RETRY_SECONDS;
# at DRIPS_SOFT_BOUNCE_LIMIT soft bounces the address counts as hard.
DRIPS_SOFT_BOUNCE_LIMIT = env_int("DRIPS_SOFT_BOUNCE_LIMIT", 3)
DRIPS_SOFT_RETRY_SECONDS = env_int("DRIPS_SOFT_RETRY_SECONDS", 4 * 3600)
