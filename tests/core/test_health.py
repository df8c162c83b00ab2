"""The load balancer's health endpoint: per-component ok/failed and nothing else, "down"
(503) only for what stops this node from serving pages."""

from __future__ import annotations

import socket
import time

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import OperationalError, connection
from django.test import override_settings

from core.health import HEARTBEAT_KEY
from core.tasks import worker_heartbeat
from portal.celery import app as celery_app

SECRET_HOST = "db-primary.internal.example"


@pytest.fixture
def with_workers(monkeypatch):
    """Tasks go to a broker (not eager), here a port where nothing listens."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        dead = f"redis://127.0.0.1:{probe.getsockname()[1]}/0"
    saved = celery_app.conf.broker_url
    monkeypatch.setenv("CELERY_BROKER_URL", dead)
    celery_app.conf.broker_url = dead
    celery_app._pool = celery_app.amqp._producer_pool = None
    with override_settings(CELERY_TASK_ALWAYS_EAGER=False):
        yield
    celery_app.conf.broker_url = saved
    celery_app._pool = celery_app.amqp._producer_pool = None


@pytest.mark.django_db
def test_it_answers_ok_to_an_anonymous_caller_with_components_only(client):
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "cache": "ok", "storage": "ok"}}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_a_database_failure_takes_the_node_out_without_saying_why(client, monkeypatch, caplog):
    def refused(*args, **kwargs):
        raise OperationalError(f'connection to server at "{SECRET_HOST}" (10.1.2.3), port 5432 failed')

    monkeypatch.setattr(connection, "cursor", refused)
    response = client.get("/health/")
    assert response.status_code == 503
    assert response.json() == {"status": "down", "checks": {"database": "failed", "cache": "ok", "storage": "ok"}}
    body = response.content.decode()
    assert SECRET_HOST not in body and "10.1.2.3" not in body and "OperationalError" not in body
    # The operator finds the component and the error's class in the log, not the message.
    assert "health check database failed: OperationalError" in caplog.text and SECRET_HOST not in caplog.text


@pytest.mark.django_db
def test_private_storage_that_cannot_be_written_takes_the_node_out(client, tmp_path):
    with override_settings(PRIVATE_MEDIA_ROOT=tmp_path / "not-a-directory"):
        (tmp_path / "not-a-directory").write_text("a file where the volume should be")
        response = client.get("/health/")
    assert response.status_code == 503
    assert response.json()["checks"]["storage"] == "failed"


@pytest.mark.django_db
def test_a_dead_broker_or_silent_workers_degrade_but_keep_the_node_in(client, with_workers):
    cache.delete(HEARTBEAT_KEY)
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json() == {
        "status": "degraded",
        "checks": {"database": "ok", "cache": "ok", "storage": "ok", "broker": "failed", "worker": "failed"},
    }


@pytest.mark.django_db
def test_the_worker_heartbeat_counts_while_it_is_recent(client, with_workers):
    worker_heartbeat.run()
    assert client.get("/health/").json()["checks"]["worker"] == "ok"
    cache.set(HEARTBEAT_KEY, time.time() - settings.HEALTH_WORKER_HEARTBEAT_MAX_AGE_SECONDS - 1, None)
    assert client.get("/health/").json()["checks"]["worker"] == "failed"


def test_beat_queues_the_heartbeat_often_enough_for_its_max_age():
    entry = settings.CELERY_BEAT_SCHEDULE["core-worker-heartbeat"]
    assert entry["task"] == worker_heartbeat.name
    assert 2 * entry["schedule"] < settings.HEALTH_WORKER_HEARTBEAT_MAX_AGE_SECONDS


@pytest.mark.django_db
def test_it_is_never_throttled_nor_behind_a_login(client, alice_client):
    assert all(client.get("/health/").status_code == 200 for _ in range(200))
    assert alice_client.get("/health/").status_code == 200
    assert client.post("/health/").status_code in {403, 405}  # read-only
