"""First connection: identity check, e-mailed link, password, then the second factor."""

import datetime as dt
import re
import time

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import ActivationLink
from members.models import Contract, MemberStatus
from members.validators import nir_with_key
from tests.accounts.helpers import code_from_outbox, travel
from tests.factories import make_member

START = "/compte/premiere-connexion/"
# Well formed (its key checks) but nobody's: a wrong NIR that gets past the format checks.
WRONG_NIR = nir_with_key("1850578006084")
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
    """Ask; the e-mail task runs as after a real commit (eager Celery, tests/conftest.py)."""
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
    page = client.post(
        "/compte/premiere-connexion/mot-de-passe/", {"password1": "motdepasse", "password2": "motdepasse"}
    )
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


def test_a_member_without_email_gets_the_same_answer_which_gives_every_phone_number(client, carole):
    member = make_member(with_user=False, email="")
    response = request_link(client, member)
    assert (
        response["Location"]
        == request_link(client, carole)["Location"]
        == "/compte/premiere-connexion/demande-envoyee/"
    )
    assert [m.to for m in mail.outbox] == [["carole@example.fr"]]
    text = client.get(response["Location"]).content.decode()
    assert "Aucune adresse e-mail dans votre dossier" in text
    for contract in Contract.objects.select_related("organisme"):
        assert (contract.management_phone or contract.organisme.phone) in text
        assert contract.name in text


def test_a_terminated_member_gets_the_same_answer_and_an_email_explaining_why(client, db):
    member = make_member(
        with_user=False, status=MemberStatus.TERMINATED, cover_end_date=dt.date(2024, 12, 31), email="denis@example.fr"
    )
    response = request_link(client, member)
    assert response["Location"] == "/compte/premiere-connexion/demande-envoyee/"
    (message,) = mail.outbox
    assert message.to == ["denis@example.fr"]
    assert "a pris fin le 31 décembre 2024" in message.body
    contract = member.contract
    assert (contract.management_phone or contract.organisme.phone) in message.body
    assert not ActivationLink.objects.exists()


def test_an_already_active_member_is_told_by_email_only(client, alice):
    response = request_link(client, alice)
    assert response["Location"] == "/compte/premiere-connexion/demande-envoyee/"
    assert mail.outbox[-1].to == [alice.email] and "déjà activé" in mail.outbox[-1].subject
    assert not ActivationLink.objects.exists()


def test_all_three_pieces_of_identity_must_match(client, carole):
    for changes in ({"birth_date": "1975-04-04"}, {"nir": nir_with_key("2" + carole.holder.nir[1:13])}):
        response = request_link(client, carole, **changes)
        assert response["Location"] == "/compte/premiere-connexion/demande-envoyee/"
    assert mail.outbox == [] and not ActivationLink.objects.exists()


def test_an_unknown_number_gets_the_same_answer(client, carole):
    known = request_link(client, carole)
    unknown = request_link(client, carole, number="9999999999")
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert len(mail.outbox) == 1


def _statements(client, data) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        client.post(START, data)
    return [query["sql"] for query in queries.captured_queries]


@pytest.mark.no_request_commit  # the e-mail's task would run within the request's queries
def test_a_known_and_an_unknown_number_cost_the_same_queries(
    client, carole, settings, django_capture_on_commit_callbacks
):
    settings.ACCOUNTS_ACTIVATION_LIMITS = {"number": (50, 60), "ip": (50, 60)}
    other = make_member(with_user=False)
    # Parameters aside, the same statements in the same order: the answer's time does not
    # depend on the number (the e-mail itself is sent by a task, after the answer).
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        known = _statements(client, identity(carole))
    assert len(callbacks) == 1
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        unknown = _statements(client, identity(other, number="8800000001"))
        mismatch = _statements(client, identity(other, nir=WRONG_NIR))
    assert callbacks == []
    strip = lambda sql: re.sub(r"'[^']*'|\d+", "?", sql)  # noqa: E731
    assert [strip(q) for q in known] == [strip(q) for q in unknown] == [strip(q) for q in mismatch]


def test_the_answer_does_not_wait_for_the_email(
    client, carole, settings, monkeypatch, django_capture_on_commit_callbacks
):
    """A slow mail server (or broker) delays the e-mail, not the answer: the request only
    hands the member's id to the task queue."""
    from accounts import tasks

    published = []
    monkeypatch.setattr(tasks.send_activation_email, "apply_async", lambda args, **kw: published.append(args))
    slow_send = EmailBackend.send_messages

    def slow(self, messages):
        time.sleep(1)
        return slow_send(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", slow)
    started = time.perf_counter()
    response = request_link(client, carole)
    assert time.perf_counter() - started < 0.8  # formerly every answer took 0.8 s at least
    assert response["Location"] == "/compte/premiere-connexion/demande-envoyee/"
    assert published == [(carole.pk,)] and mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_activation_email.apply(args=published[0]).get() == "link"
    assert "24 heures" in mail.outbox[-1].body


def test_requests_are_throttled_per_member_number(client, carole):
    for _ in range(5):
        assert request_link(client, carole, nir=WRONG_NIR).status_code == 302
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
    statuses = [client.post(START, identity(m, nir=WRONG_NIR)).status_code for m in members]
    assert statuses[:20] == [302] * 20 and statuses[20] == 429
    assert client.post(START, identity(members[20]), REMOTE_ADDR="10.1.1.1").status_code == 302


def test_the_login_page_links_to_the_first_connection(client, db):
    assert 'href="/compte/premiere-connexion/"' in client.get("/compte/login/").content.decode()


# --- issue 20: formats first, each wrong field said in French; the phone for who has no card


def field_errors(response, name):
    return [str(error) for error in response.context["form"].errors.get(name, [])]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"nir": "123"}, "nir", "15 caractères"),
        ({"nir": "1850578A0608491"}, "nir", "ne comporte que des chiffres"),
        ({"nir": "185057800608492"}, "nir", "la clé ne correspond pas"),
        ({"birth_date": "2999-01-01"}, "birth_date", "ne peut pas être dans le futur"),
        ({"birth_date": "1066-10-14"}, "birth_date", "Vérifiez l'année de naissance"),
        ({"birth_date": f"{dt.date.today().year - 5}-05-01"}, "birth_date", "celle d'un enfant"),
        ({"number": "12AB56"}, "number", "10 chiffres, sans lettre"),
        ({"number": "12345"}, "number", "10 chiffres"),
    ],
)
def test_a_malformed_request_says_which_field_is_wrong_and_sends_nothing(client, carole, changes, field, message):
    response = client.post(START, identity(carole, **changes))
    assert response.status_code == 400
    errors = field_errors(response, field)
    assert errors and message in errors[0]
    assert set(response.context["form"].errors) == {field}  # the other fields are fine
    assert mail.outbox == [] and not ActivationLink.objects.exists()
    # Not counted against the member number's quota: nothing was looked up.
    from accounts.models import ActivationAttempt

    assert not ActivationAttempt.objects.exists()


def test_a_well_formed_request_goes_on_with_spaces_and_a_corsican_nir(client, carole):
    holder = carole.holder
    holder.nir = nir_with_key("175042B006084")
    holder.save()
    spaced = " ".join([holder.nir[:1], holder.nir[1:3], holder.nir[3:5], holder.nir[5:7], holder.nir[7:]])
    response = client.post(START, identity(carole, number=f" {carole.number[:5]} {carole.number[5:]} ", nir=spaced))
    assert response["Location"] == "/compte/premiere-connexion/demande-envoyee/"
    assert ActivationLink.objects.filter(member=carole).exists()


def test_the_first_connection_page_gives_the_phone_for_who_has_no_card(client, db):
    page = client.get(START).content.decode()
    assert "Pas encore de carte de tiers payant ?" in page
    for phone in ("0825 800 824", "01 49 29 49 29", "01 70 91 39 00"):
        assert f">{phone}</a>" in page
