"""Production: PostgreSQL, Redis, Celery worker + beat, gunicorn behind a TLS proxy."""

import environ

from .base import *
from .base import env, fernet_keys, secret

DEBUG = False
SECRET_KEY = secret("DJANGO_SECRET_KEY")
# Keys of their own for the TOTP seeds (never derived from SECRET_KEY here): see base.py.
TOTP_ENCRYPTION_KEYS = fernet_keys(secret("TOTP_ENCRYPTION_KEYS"))
if not TOTP_ENCRYPTION_KEYS:
    raise environ.ImproperlyConfigured("Set the TOTP_ENCRYPTION_KEYS environment variable")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# gunicorn listens on loopback behind one nginx (deploy/nginx.conf), which appends the
# client's address to X-Forwarded-For: the throttles key on that address. 0 if gunicorn
# faces clients directly, 2 with a load balancer in front of nginx.
PORTAL_TRUSTED_PROXY_COUNT = env.int("PORTAL_TRUSTED_PROXY_COUNT", default=1)
ALLAUTH_TRUSTED_PROXY_COUNT = PORTAL_TRUSTED_PROXY_COUNT
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
# A load balancer may probe gunicorn on the node itself, over plain HTTP (core.health).
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=63072000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_HTTPONLY = True
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https"

LOGGING["root"]["level"] = env.str("LOG_LEVEL", default="INFO")
# JSON lines for the log collector; the workers log through the same handler (Celery
# would otherwise install its own text format on the root logger).
LOGGING["handlers"]["console"]["formatter"] = env.str("LOG_FORMAT", default="json")
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# Persistent database connections: a new PostgreSQL connection per request cost more CPU
# than the request's own queries in the load test (docs/bench.md). Checked before reuse.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

# One cache for every gunicorn worker (Redis): login rate limits count across workers, and
# reference data kept in the cache (the messaging search lists) is dropped for all at once
# when a gestionnaire changes it in the back-office.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": env.str("CACHE_URL", default=REDIS_URL),
        "KEY_PREFIX": "portal",
    }
}

# Optional error tracking (Sentry): off unless SENTRY_DSN is set; no personal data, no
# request bodies, no local variables, scrubbed before sending (core/error_tracking.py).
SENTRY_DSN = env.str("SENTRY_DSN", default="")
if SENTRY_DSN:
    from core.error_tracking import error_tracking_init

    error_tracking_init(
        dsn=SENTRY_DSN,
        environment=env.str("SENTRY_ENVIRONMENT", default="production"),
        release=env.str("SENTRY_RELEASE", default=""),
    )
