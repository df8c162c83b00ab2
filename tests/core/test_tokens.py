"""The secret tokens' hashes (core.tokens) and the re-authentication mark (core.reauth)
moved out of accounts: what was stored before the move must still be recognised."""

import pytest
from django.core import signing
from django.utils import timezone
from django.utils.crypto import salted_hmac

from core.tokens import new_token, secret_hash

BANK_URL = "/situation/profil/coordonnees-bancaires/"


def test_a_hash_stored_before_the_move_still_matches():
    # Pending activation and e-mail links, codes and trusted browsers were hashed so.
    stored = salted_hmac("accounts.email-change", "le-jeton", algorithm="sha256").hexdigest()
    assert secret_hash("email-change", "le-jeton") == stored


def test_a_hash_depends_on_its_purpose_and_tokens_are_not_repeated():
    token = new_token()
    assert len(token) >= 40 and token != new_token()
    assert secret_hash("activation", token) != secret_hash("trusted-browser", token)


@pytest.mark.django_db
def test_a_re_authentication_marked_before_the_move_still_counts(alice_client, alice):
    assert alice_client.get(BANK_URL)["Location"].startswith("/compte/securite/confirmer-mon-identite/")
    session = alice_client.session
    session["accounts_reauthenticated"] = signing.dumps(
        {"user": alice.user.pk, "at": timezone.now().timestamp()}, salt="accounts.reauth"
    )
    session.save()
    assert alice_client.get(BANK_URL).status_code == 200
