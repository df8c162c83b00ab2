"""Celery application: the broker is Redis in production, tasks run eagerly locally."""

import os

from celery import Celery

from core.logs import connect_celery_signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.local")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Task log lines carry the task's id and name (core/logs.py).
connect_celery_signals()
