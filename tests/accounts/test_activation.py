"""First connection: identity check, e-mailed link, password, then the second factor."""

import datetime as dt
import re
import statistics
import time

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.utils import timezone

from accounts.models import ActivationLink
from members.models import MemberStatus
from tests.accounts.helpers import code_from_outbox, travel
from tests.factories import make_member

START = "/compte/premiere-connexion/"
NEW_PASSWORD = "Ma-Nouvelle-Cle-2026!"


@pytest.fixture
def carole(db):
    """A member the insurer holds, who has never logged in."""
    return make_member(with_user=False, birth_date=dt.date(1975, 4, 3), email="carole@example.fr")


def identity(member, **changes):
    data = {"number": member.number, "birth_date": member.holder.birth_date.isoformat(), "nir": member.holder.nir}
    data.update(changes)
    return data


def activation_url_from_outbox():
    message = mail.outbox[-1]
    return re.search(r"https?://\S+(/compte/premiere-connexion/lien/\S+/)", message.body).group(1)


def request_link(client, member, **changes):
    return client.post(START, identity(member, **changes))


def test_the_whole_activation_path_ends_with_a_verified_member(client, carole):
    response = request_link(client, carole)
    assert response.status_code == 302 and response["Location"] == "/compte/premiere-connexion/demande-envoyee/"
    assert mail.outbox[-1].to == ["carole@example.fr"]
    assert "24 heures" in mail.outbox[-1].body

    link = activation_url_from_outbox()
    response = client.get(link)
    assert response.status_code == 302 and response["Location"] == "/compte/premiere-connexion/mot-de-passe/"
    page = client.get(response["Location"]).content.decode()
    assert carole.number in page

    response = client.post(response["Location"], {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response["Location"] == "/compte/double-authentification/activer/"
    user = get_user_model().objects.get(username=carole.number)
    carole.refresh_from_db()
    assert carole.user == user and user.check_password(NEW_PASSWORD)

    # No member page before a second factor is enrolled.
    assert client.get("/").headers["Location"].startswith("/compte/double-authentification/activer/")

    client.post("/compte/double-authentification/activer/email/", {"action": "send"})
    code = code_from_outbox("carole@example.fr", purpose="enrol")
    page = client.post("/compte/double-authentification/activer/email/", {"action": "confirm", "code": code})
    assert page.status_code == 200
    codes = re.findall(r"<code>([a-z0-9]{5}-[a-z0-9]{5})</code>", page.content.decode())
    assert len(codes) == 10
    assert any("ajoutée" in m.subject for m in mail.outbox)

    home = client.get("/")
    assert home.status_code == 200 and carole.holder.last_name in home.content.decode()

    # The link was single use.
    client.logout()
    page = client.get(link)
    assert page.status_code == 400 and "déjà servi" in page.content.decode()

    # And the member now logs in with their number and the new password, then a code.
    response = client.post("/compte/login/", {"login": carole.number, "password": NEW_PASSWORD})
    assert response.status_code == 302
    assert client.get("/").headers["Location"].startswith("/compte/double-authentification/?")


def test_the_password_must_follow_the_policy(client, carole):
    request_link(client, carole)
    client.get(activation_url_from_outbox())
    page = client.post("/compte/premiere-connexion/mot-de-passe/", {"password1": "motdepasse", "password2": "motdepasse"})
    assert page.status_code == 200
    assert "12 caractères" in page.content.decode()
    carole.refresh_from_db()
    assert carole.user is None


def test_an_expired_link_says_so_and_offers_a_new_one(client, carole):
    request_link(client, carole)
    link = activation_url_from_outbox()
    with travel(timezone.now() + dt.timedelta(hours=24, minutes=1)):
        page = client.get(link)
    assert page.status_code == 400
    text = page.content.decode()
    assert "a expiré" in text and 'href="/compte/premiere-connexion/"' in text


def test_a_new_request_still_works_and_activation_spends_every_link(client, carole):
    request_link(client, carole)
    first = activation_url_from_outbox()
    request_link(client, carole)
    second = activation_url_from_outbox()
    client.get(second)
    client.post("/compte/premiere-connexion/mot-de-passe/", {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    client.logout()
    assert "déjà servi" in client.get(first).content.decode()
    assert not ActivationLink.objects.filter(member=carole, used_at__isnull=True).exists()


def test_links_are_random_and_stored_hashed(client, carole):
    request_link(client, carole)
    token = activation_url_from_outbox().rstrip("/").rsplit("/", 1)[1]
    assert len(token) >= 40
    stored = ActivationLink.objects.get(member=carole).token_hash
    assert token not in stored and len(stored) == 64


def test_a_forged_link_is_refused(client, carole):
    page = client.get("/compte/premiere-connexion/lien/pas-un-vrai-jeton/")
    assert page.status_code == 400 and "n'est pas valide" in page.content.decode()


def test_a_member_without_email_is_told_how_to_reach_the_organisme(client, db):
    member = make_member(with_user=False, email="")
    page = request_link(client, member)
    text = page.content.decode()
    assert page.status_code == 200 and "Aucune adresse e-mail" in text
    contract, organisme = member.contract, member.contract.organisme
    assert (contract.management_phone or organisme.phone) in text
    assert (contract.management_hours or organisme.phone_hours)[:20].lower() in text.lower()
    assert mail.outbox == []


def test_a_terminated_member_cannot_activate(client, db):
    member = make_member(with_user=False, status=MemberStatus.TERMINATED, cover_end_date=dt.date(2024, 12, 31))
    page = request_link(client, member)
    text = page.content.decode()
    assert "radié" in text and "31 décembre 2024" in text
    assert mail.outbox == [] and not ActivationLink.objects.exists()


def test_an_already_active_member_is_told_by_email_only(client, alice):
    response = request_link(client, alice)
    assert response["Location"] == "/compte/premiere-connexion/demande-envoyee/"
    assert mail.outbox[-1].to == [alice.email] and "déjà activé" in mail.outbox[-1].subject
    assert not ActivationLink.objects.exists()


def test_all_three_pieces_of_identity_must_match(client, carole):
    for changes in ({"birth_date": "1975-04-04"}, {"nir": "2" + carole.holder.nir[1:]}):
        response = request_link(client, carole, **changes)
        assert response["Location"] == "/compte/premiere-connexion/demande-envoyee/"
    assert mail.outbox == [] and not ActivationLink.objects.exists()


def test_an_unknown_number_gets_the_same_answer(client, carole):
    known = request_link(client, carole)
    unknown = request_link(client, carole, number="9999999999")
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert len(mail.outbox) == 1


def test_an_unknown_number_takes_as_long_as_a_real_one(client, db, settings):
    # The production floor: it must cover the real work (e-mail included) even on a busy machine.
    settings.ACCOUNTS_ACTIVATION_MIN_SECONDS = 0.8
    settings.ACCOUNTS_ACTIVATION_LIMITS = {"number": (50, 60), "ip": (50, 60)}
    members = [make_member(with_user=False) for _ in range(3)]

    def timed(data):
        started = time.perf_counter()
        client.post(START, data)
        return time.perf_counter() - started

    known = [timed(identity(m)) for m in members]
    unknown = [timed(identity(m, number=f"88{i:08d}")) for i, m in enumerate(members)]
    assert len(mail.outbox) == 3
    assert min(known + unknown) >= 0.8
    assert abs(statistics.median(known) - statistics.median(unknown)) < 0.15


def test_requests_are_throttled_per_member_number(client, carole):
    for _ in range(5):
        assert request_link(client, carole, nir="1" * 15).status_code == 302
    page = request_link(client, carole)
    assert page.status_code == 429 and "Réessayez dans" in page.content.decode()
    assert mail.outbox == []
    # Another number from elsewhere is not affected, and an unknown number is throttled the same way.
    other = make_member(with_user=False)
    assert request_link(client, other, REMOTE_ADDR="10.0.0.9").status_code == 302
    for _ in range(5):
        client.post(START, identity(carole, number="7777777777"), REMOTE_ADDR="10.0.0.10")
    assert client.post(START, identity(carole, number="7777777777"), REMOTE_ADDR="10.0.0.11").status_code == 429


def test_requests_are_throttled_per_ip_address(client, db):
    members = [make_member(with_user=False) for _ in range(21)]
    statuses = [client.post(START, identity(m, nir="1" * 15)).status_code for m in members]
    assert statuses[:20] == [302] * 20 and statuses[20] == 429
    assert client.post(START, identity(members[20]), REMOTE_ADDR="10.1.1.1").status_code == 302


def test_the_login_page_links_to_the_first_connection(client, db):
    assert 'href="/compte/premiere-connexion/"' in client.get("/compte/login/").content.decode()
