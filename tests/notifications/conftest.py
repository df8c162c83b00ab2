import pytest

from notifications.services import broker_breaker


@pytest.fixture(autouse=True)
def closed_breaker():
    broker_breaker.reset()
    yield
    broker_breaker.reset()
