"""Embedded defaults for a developer machine: SQLite, eager tasks, e-mails in files."""

from .base import *
from .base import VAR_DIR, env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
CELERY_TASK_EAGER_PROPAGATES = True
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = VAR_DIR / "emails"
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# Development tools (benchmarks, scale generator, demo data): never in production.
INSTALLED_APPS = [*INSTALLED_APPS, "tools"]
