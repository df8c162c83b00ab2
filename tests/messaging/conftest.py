import pytest


@pytest.fixture(autouse=True)
def fresh_cache():
    """allauth's login rate limits live in the cache: each test logs in from scratch."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def paul(alice):
    return alice.beneficiaries.get(first_name="Paul")


@pytest.fixture
def bob_client(client, bob):
    from tests.conftest import login

    return login(client, bob.user)
