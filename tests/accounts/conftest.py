import pytest


@pytest.fixture(autouse=True)
def _fast_activation_answers(settings):
    # The answer-time floor of the first connection is tested on its own; elsewhere it
    # would only slow the suite down.
    settings.ACCOUNTS_ACTIVATION_MIN_SECONDS = 0
