"""Settings shared by every environment.

Values that differ between machines come from environment variables (django-environ);
every secret can also be read from a file named by the same variable with a ``_FILE``
suffix (Docker/Kubernetes secrets).
"""

import base64
import hashlib
import os
from pathlib import Path
from typing import Any

import django_stubs_ext
import environ
from csp.constants import NONCE, NONE, SELF

# Django's generic classes (admin.TabularInline[Model, Parent], QuerySet[Model]...) become
# subscriptable at run time, as the type checker (django-stubs) writes them.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()


def secret(name: str, default: str | None = None) -> str:
    """Read NAME from the environment, or from the file named by NAME_FILE."""
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        return Path(file_name).read_text().strip()
    value = os.environ.get(name, default)
    if value is None:
        raise environ.ImproperlyConfigured(f"Set the {name} environment variable")
    return value


def fernet_keys(value: str) -> list[str]:
    return [key.strip() for key in value.split(",") if key.strip()]


VAR_DIR = Path(env.str("PORTAL_VAR_DIR", default=str(BASE_DIR / "var")))

DEBUG = False
SECRET_KEY = secret("DJANGO_SECRET_KEY", "insecure-local-key-change-me-" + "x" * 30)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "django_otp",
    "django_otp.plugins.otp_static",
    "django_otp.plugins.otp_email",
    "axes",
    "csp",
    "core",
    "accounts",
    "members",
    "documents",
    "guarantees",
    "claims",
    "messaging",
    "notifications",
    "directory",
    "assistant",
    "home",
]

MIDDLEWARE = [
    "core.logs.RequestIdMiddleware",  # first: every log line of the request has its id
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.middleware.SessionActivityMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "documents.uploads.RequestBodyLimitMiddleware",  # before CSRF, which reads the body
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "core.logs.LogUserMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "core.middleware.SessionLifetimeMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "core.middleware.PrivateCacheMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

# The portal's pages are Jinja2 templates (templates/jinja2/, environment in core/jinja2.py);
# the admin, allauth's pages and the login page, e-mails and PDFs stay Django templates
# (templates/, apps' templates/). No template name is found by both engines
# (tests/core/test_templates.py). Member forms render with Jinja2 too (core.forms),
# the admin's with Django's default form renderer.
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates" / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {
            "environment": "core.jinja2.environment",
            "context_processors": [
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.portal",
                "home.context_processors.member_chrome",
            ],
        },
    },
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "core.context_processors.portal",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'portal.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DATABASE_CONN_MAX_AGE", default=0))
if "postgresql" in DATABASES["default"]["ENGINE"]:
    # Server-side parameter binding lets psycopg prepare a statement run 5 times on a
    # connection: PostgreSQL then skips planning it, which cost more than running the
    # small indexed queries of the member pages (docs/bench.md).
    DATABASES["default"].setdefault("OPTIONS", {})["server_side_binding"] = env.bool(
        "DATABASE_SERVER_SIDE_BINDING", default=True
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# One password backend after axes: a login attempt costs one password hash whether the
# login exists or not (accounts/backends.py; scripts/login_timing.py measures it).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.LoginBackend",
]

# CNIL recommendation (délibération 2022-100): 12 characters with complexity at least.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "core.passwords.ComplexityValidator"},
]

LANGUAGE_CODE = "fr-fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env.str("DJANGO_STATIC_ROOT", default=str(VAR_DIR / "static")))

# Member documents never live under a public URL: they are stored here and served only
# by documents.views.download after an ownership check.
PRIVATE_MEDIA_ROOT = Path(env.str("PRIVATE_MEDIA_ROOT", default=str(VAR_DIR / "private")))
PRIVATE_UPLOAD_MAX_BYTES = env.int("PRIVATE_UPLOAD_MAX_BYTES", default=10 * 1024 * 1024)
# Optional dotted path to a callable(bytes) that raises documents.validation.UploadRejected
# for an infected file (e.g. a clamd client). Empty: no virus scan.
PRIVATE_UPLOAD_SCANNER = env.str("PRIVATE_UPLOAD_SCANNER", default="")
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# A whole request: five files (MultiplePrivateFileField) and 1 MB of form fields. A larger
# body is answered 413 unread; a file above PRIVATE_UPLOAD_MAX_BYTES is dropped as it
# streams in and its field says so (documents/uploads.py). nginx's client_max_body_size
# must be at least this (deploy/nginx.conf).
PRIVATE_UPLOAD_MAX_REQUEST_BYTES = env.int(
    "PRIVATE_UPLOAD_MAX_REQUEST_BYTES", default=5 * PRIVATE_UPLOAD_MAX_BYTES + 1024 * 1024
)
FILE_UPLOAD_HANDLERS = [
    "documents.uploads.LimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
# What a household may store (its own uploads); above it, uploads are refused with a
# French message saying what is used and whom to call.
PRIVATE_STORAGE_QUOTA_BYTES = env.int("PRIVATE_STORAGE_QUOTA_BYTES", default=200 * 1024 * 1024)

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home:home"
LOGOUT_REDIRECT_URL = "account_login"

# django-allauth: no open sign-up; members activate an account the insurer already holds.
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "optional"
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_DEFAULT_HTTP_PROTOCOL = env.str("ACCOUNT_DEFAULT_HTTP_PROTOCOL", default="http")
# A reset link goes only to an account's verified primary address; an unknown address gets
# the portal's own "no account" e-mail (accounts.forms.PasswordResetForm), never allauth's
# one with its sign-up link.
ACCOUNT_FORMS = {"reset_password": "accounts.forms.PasswordResetForm"}
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False

# Sessions end after 30 minutes without activity (core.middleware.SessionActivityMiddleware
# pushes the expiry back at most once a minute instead of writing the session at every page).
SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = False
SESSION_ACTIVITY_RESOLUTION = 60
# ...and 12 hours after the login at the latest, however active (SessionLifetimeMiddleware).
SESSION_ABSOLUTE_SECONDS = env.int("SESSION_ABSOLUTE_SECONDS", default=12 * 60 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# django-axes: lock the (username, IP) pair after 5 failures for 15 minutes, so that an
# attacker elsewhere cannot lock a member out.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "core.lockout.lockout_response"
AXES_USERNAME_FORM_FIELD = "login"
AXES_VERBOSE = False

# The client's address behind the reverse proxy (core.client_ip): the number of proxies
# of our own in front of gunicorn, each appending to X-Forwarded-For. 0 (runserver, tests):
# the header is ignored, since any client can send it. axes (password lockouts), allauth
# (login rate limits) and the first-connection quota all use the same rule.
PORTAL_TRUSTED_PROXY_COUNT = env.int("PORTAL_TRUSTED_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "core.client_ip.client_ip"
ALLAUTH_TRUSTED_PROXY_COUNT = PORTAL_TRUSTED_PROXY_COUNT

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = secret("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Espace Assuré <ne-pas-repondre@espace-assure.test>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
PORTAL_BASE_URL = env.str("PORTAL_BASE_URL", default="http://127.0.0.1:8000")

# Celery: Redis broker; publishing is bounded so that a dead broker never blocks a page.
REDIS_URL = env.str("REDIS_URL", default="redis://127.0.0.1:6379/0")
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = False
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_TIMEOUT = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 1, "socket_timeout": 2, "max_retries": 0}
CELERY_TASK_PUBLISH_RETRY = False
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE: dict = {}

# Content-Security-Policy: scripts only from our origin or with the per-response nonce.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# One line per record on stderr with the request's (or task's) id and the user's id
# (core/logs.py): readable text locally, JSON in production (LOG_FORMAT).
LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "core.logs.ContextFilter"}},
    "formatters": {"text": {"()": "core.logs.TextFormatter"}, "json": {"()": "core.logs.JsonFormatter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["context"],
            "formatter": env.str("LOG_FORMAT", default="text"),
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
}

OTP_EMAIL_TOKEN_VALIDITY = 600
OTP_TOTP_ISSUER = "Espace Assuré"

# --- accounts: first connection (activation) and two-factor authentication -------------
# Member pages, the security page and the back-office demand a verified second factor
# (core.access, accounts.middleware.SecondFactorMiddleware, accounts.admin).
OTP_REQUIRED = True
OTP_LOGIN_URL = "/compte/double-authentification/"
# TOTP seeds are stored encrypted (accounts.encryption, accounts.models.TOTPDevice) under
# Fernet keys of their own, comma-separated: the first encrypts, all decrypt (rotation:
# `manage.py rotate_totp_keys`). Required in production; a development default here,
# derived from the development SECRET_KEY.
_DEV_TOTP_KEY = base64.urlsafe_b64encode(hashlib.sha256(f"totp-seeds:{SECRET_KEY}".encode()).digest()).decode()
TOTP_ENCRYPTION_KEYS = fernet_keys(secret("TOTP_ENCRYPTION_KEYS", _DEV_TOTP_KEY))
ACCOUNTS_EMAIL_CODE_MINUTES = 10
ACCOUNTS_OTP_FAILURE_LIMIT = 5
ACCOUNTS_OTP_LOCK_MINUTES = 15
ACCOUNTS_RECOVERY_CODES = 10
ACCOUNTS_TRUSTED_BROWSER_DAYS = 90  # "3 mois sans connexion" (member guide)
ACCOUNTS_TRUSTED_BROWSER_COOKIE = "espace_navigateur"
ACCOUNTS_ACTIVATION_LINK_HOURS = 24
# First-connection requests allowed per (member number | IP address): (count, minutes).
ACCOUNTS_ACTIVATION_LIMITS = {"number": (5, 60), "ip": (20, 60)}
# axes locks (login, IP) pairs; allauth's own per-login limit would let anyone lock a
# member out from elsewhere, so it is switched off.
ACCOUNT_RATE_LIMITS = {"login_failed": None}
# A change of e-mail, password, second factor or IBAN needs the password and a fresh
# second-factor code typed within these minutes (core.reauth).
ACCOUNTS_REAUTH_MINUTES = env.int("ACCOUNTS_REAUTH_MINUTES", default=5)
AXES_USERNAME_CALLABLE = "core.lockout.axes_username"
MIDDLEWARE += ["accounts.middleware.SecondFactorMiddleware"]
# admin.site becomes accounts.admin.SecondFactorAdminSite (asks for the second factor).
INSTALLED_APPS = [
    "accounts.apps.SecondFactorAdminConfig" if app == "django.contrib.admin" else app for app in INSTALLED_APPS
]

# --- notifications (outbox + Celery) and messaging ---------------------------------------
# A notification is retried by the task with exponential backoff (base, doubling, capped
# at an hour) until NOTIFICATIONS_MAX_ATTEMPTS; the beat relay re-publishes rows still
# pending after RELAY_MIN_AGE (never published) or past their in-flight grace period.
NOTIFICATIONS_MAX_ATTEMPTS = env.int("NOTIFICATIONS_MAX_ATTEMPTS", default=8)
NOTIFICATIONS_RETRY_BASE_SECONDS = env.int("NOTIFICATIONS_RETRY_BASE_SECONDS", default=30)
NOTIFICATIONS_RELAY_MIN_AGE_SECONDS = env.int("NOTIFICATIONS_RELAY_MIN_AGE_SECONDS", default=60)
NOTIFICATIONS_RELAY_GRACE_SECONDS = env.int("NOTIFICATIONS_RELAY_GRACE_SECONDS", default=600)
NOTIFICATIONS_BROKER_BACKOFF_SECONDS = env.int("NOTIFICATIONS_BROKER_BACKOFF_SECONDS", default=30)
# Rows sent in one transaction over one SMTP connection (and ids per task when published
# in bulk): a worker killed mid-chunk sends at most this many twice, none is lost.
NOTIFICATIONS_CHUNK_SIZE = env.int("NOTIFICATIONS_CHUNK_SIZE", default=100)
CELERY_BEAT_SCHEDULE["notifications-relay-pending"] = {
    "task": "notifications.tasks.relay_pending_notifications",
    "schedule": 60.0,
}
# Health endpoint (core.health, /health/): beat queues a heartbeat the workers write in the
# shared cache; older than MAX_AGE, the workers (or beat) are reported failed.
HEALTH_WORKER_HEARTBEAT_SECONDS = env.int("HEALTH_WORKER_HEARTBEAT_SECONDS", default=30)
HEALTH_WORKER_HEARTBEAT_MAX_AGE_SECONDS = env.int("HEALTH_WORKER_HEARTBEAT_MAX_AGE_SECONDS", default=180)
CELERY_BEAT_SCHEDULE["core-worker-heartbeat"] = {
    "task": "core.tasks.worker_heartbeat",
    "schedule": float(HEALTH_WORKER_HEARTBEAT_SECONDS),
    # A heartbeat nobody ran in time is worth nothing: dropped rather than piled up.
    "options": {"expires": HEALTH_WORKER_HEARTBEAT_SECONDS},
}
MESSAGING_NEW_THREADS_PER_HOUR = env.int("MESSAGING_NEW_THREADS_PER_HOUR", default=20)
# What one member may write, counted in the database (core/write_limits.py): replies in
# their threads per hour, devis estimation requests per 24 hours, assistant feedback per hour.
MESSAGING_REPLIES_PER_HOUR = env.int("MESSAGING_REPLIES_PER_HOUR", default=30)
CLAIMS_QUOTES_PER_DAY = env.int("CLAIMS_QUOTES_PER_DAY", default=10)
ASSISTANT_FEEDBACK_PER_HOUR = env.int("ASSISTANT_FEEDBACK_PER_HOUR", default=30)

# --- members: portability (maintien des garanties) and the member's profile (issue 9) ----
# The month's France Travail proof is due by this day; a first reminder then, a second
# one SECOND_REMINDER_DAYS later announcing the date (FINAL_NOTICE_DAYS after it) when
# the cover ends if the proof still has not come (notice 004, "Cessation du maintien").
PORTABILITY_PROOF_DUE_DAY = env.int("PORTABILITY_PROOF_DUE_DAY", default=10)
PORTABILITY_PROOF_SECOND_REMINDER_DAYS = env.int("PORTABILITY_PROOF_SECOND_REMINDER_DAYS", default=10)
PORTABILITY_PROOF_FINAL_NOTICE_DAYS = env.int("PORTABILITY_PROOF_FINAL_NOTICE_DAYS", default=10)
# How long the link sent to a new e-mail address stays valid.
PROFILE_EMAIL_LINK_HOURS = env.int("PROFILE_EMAIL_LINK_HOURS", default=24)
# Confirmation links a member may have sent to new addresses: (count, seconds) windows,
# counted in the cache (core.ratelimit).
PROFILE_EMAIL_CHANGE_LIMITS = [
    (env.int("PROFILE_EMAIL_CHANGES_PER_HOUR", default=3), 60 * 60),
    (env.int("PROFILE_EMAIL_CHANGES_PER_DAY", default=5), 24 * 60 * 60),
]
# A CSV import whose worker died (no heartbeat for 5 minutes) is queued again; nothing of it
# was written (documents/imports.py).
CELERY_BEAT_SCHEDULE["claims-imports-recover"] = {
    "task": "claims.tasks.recover_decomptes_imports",
    "schedule": 120.0,
}
CELERY_BEAT_SCHEDULE["directory-imports-recover"] = {
    "task": "directory.tasks.recover_directory_imports",
    "schedule": 120.0,
}
CELERY_BEAT_SCHEDULE["members-portability-daily"] = {
    "task": "members.tasks.portability_daily",
    "schedule": 24 * 60 * 60.0,
}
# "Mes droits restants" (issue 22): a yearly ceiling used at this % or more is "almost
# used" (the page flags it; the opt-in e-mail tells it once a year); the daily sweep also
# tells when an equipment is covered again, within RIGHTS_NOTICE_DAYS of that date.
CLAIMS_RIGHTS_ALMOST_USED_PERCENT = env.int("CLAIMS_RIGHTS_ALMOST_USED_PERCENT", default=80)
CLAIMS_RIGHTS_NOTICE_DAYS = env.int("CLAIMS_RIGHTS_NOTICE_DAYS", default=7)
CELERY_BEAT_SCHEDULE["claims-rights-daily"] = {
    "task": "claims.tasks.rights_notifications_daily",
    "schedule": 24 * 60 * 60.0,
}
