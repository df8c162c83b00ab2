"""Test settings: SQLite unless DATABASE_URL points at PostgreSQL (CI runs both)."""

import tempfile
from pathlib import Path

from .base import *
from .base import env

SECRET_KEY = "test-secret-key-not-for-production-" + "y" * 20
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
CELERY_TASK_EAGER_PROPAGATES = True
PRIVATE_MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="portal-private-"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
AXES_ENABLED = True
STATIC_ROOT = Path(tempfile.mkdtemp(prefix="portal-static-"))
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# Development tools (benchmarks, scale generator, demo data): never in production.
INSTALLED_APPS = [*INSTALLED_APPS, "tools"]
