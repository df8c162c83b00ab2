"""The health endpoint for the load balancer and the monitoring (``/health/``).

Each check answers ok or failed, nothing more: no version, host name or error text
reaches the caller, who is anonymous (the error's class goes to the log, for operators).

"down" (503, the load balancer takes this web node out) when the node cannot serve pages:
the database, the cache (Redis in production: login throttles, reference lists) or the
private storage (uploads, downloads; a shared volume that is not mounted on this node).
"degraded" (200, the node stays in) when only the background work suffers: the broker
(an outbox row stays pending and the relay hands it over later) or the workers' heartbeat
(e-mails and imports wait). Taking every web node out because the workers stopped would
turn a delay of e-mails into an outage of the portal, without restarting a single worker:
degraded is for the monitoring to page someone.
"""

from __future__ import annotations

import logging
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)

HEARTBEAT_KEY = "health:worker-heartbeat"
OK, FAILED = "ok", "failed"


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _cache() -> None:
    key = "health:probe"
    cache.set(key, "1", 10)
    if cache.get(key) != "1":
        raise RuntimeError("the cache did not keep a value")


def _storage() -> None:
    # Written and removed at once, under the private root (the shared volume in production);
    # created if missing, as the storage itself does on its first file.
    root = Path(settings.PRIVATE_MEDIA_ROOT)
    root.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=root, prefix=".health-") as probe:
        probe.write(b"ok")
        probe.flush()


def _broker() -> None:
    from celery import current_app

    with current_app.connection_for_write() as broker:
        broker.ensure_connection(max_retries=0)


def _worker() -> None:
    beat = cache.get(HEARTBEAT_KEY)
    if not isinstance(beat, (int, float)) or time.time() - beat > settings.HEALTH_WORKER_HEARTBEAT_MAX_AGE_SECONDS:
        raise RuntimeError("no recent heartbeat from a worker")


REQUIRED: dict[str, Callable[[], None]] = {"database": _database, "cache": _cache, "storage": _storage}
BACKGROUND: dict[str, Callable[[], None]] = {"broker": _broker, "worker": _worker}


def health_report() -> tuple[str, dict[str, str]]:
    """("ok" | "degraded" | "down", {component: "ok" | "failed"}). Broker and workers are
    not checked when tasks run eagerly in the web process (local setup): there are none."""
    checks = dict(REQUIRED)
    if not settings.CELERY_TASK_ALWAYS_EAGER:
        checks.update(BACKGROUND)
    results = {}
    for name, check in checks.items():
        try:
            check()
        except Exception as error:
            logger.warning("health check %s failed: %s", name, type(error).__name__)
            results[name] = FAILED
        else:
            results[name] = OK
    if any(results[name] == FAILED for name in REQUIRED):
        return "down", results
    if FAILED in results.values():
        return "degraded", results
    return "ok", results


@never_cache
@require_safe
def health(request):
    """Anonymous, never throttled, never redirected to a login: the load balancer calls it
    every few seconds on each node."""
    status, checks = health_report()
    return JsonResponse({"status": status, "checks": checks}, status=503 if status == "down" else 200)
