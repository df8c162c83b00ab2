import subprocess
import sys

import pytest
from django.urls import reverse

MEMBER_PAGES = ["home:home", "home:contact"]


@pytest.mark.django_db
@pytest.mark.parametrize("name", MEMBER_PAGES)
def test_member_pages_require_login(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith("/compte/login/")


@pytest.mark.django_db
def test_a_gestionnaire_is_not_shown_member_pages(gestionnaire_client):
    response = gestionnaire_client.get(reverse("home:home"))
    assert response.status_code == 403
    assert "réservé aux assurés" in response.content.decode()


@pytest.mark.django_db
def test_home_shows_the_members_own_household_only(alice_client, alice, bob):
    page = alice_client.get(reverse("home:home")).content.decode()
    assert alice.holder.last_name in page and "Léo" in page
    assert "Celsius" in page and "Base conventionnelle" in page
    assert bob.holder.last_name not in page


@pytest.mark.django_db
def test_member_pages_are_not_cached_and_carry_security_headers(alice_client):
    response = alice_client.get(reverse("home:home"))
    assert response["Cache-Control"] == "private, no-store"
    csp = response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "'nonce-" in csp and "unsafe-inline" not in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.django_db
def test_contact_page_comes_from_the_organisme(alice_client):
    page = alice_client.get(reverse("home:contact")).content.decode()
    assert "0825 800 824" in page and "GFP" in page and "KLESIA Prévoyance" in page


@pytest.mark.django_db
def test_menu_lists_only_built_features(alice_client, monkeypatch):
    from core import navigation

    unbuilt = navigation.NavItem("Fonction à venir", "nowhere:page")
    monkeypatch.setattr(navigation, "MENU", (*navigation.MENU, unbuilt))
    page = alice_client.get(reverse("home:home")).content.decode()
    assert 'href="/contacts/"' in page
    assert "Fonction à venir" not in page  # not built: absent, not an empty page


def test_production_settings_pass_the_deploy_check(tmp_path):
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "portal.settings.production",
        "DJANGO_SECRET_KEY": "k" * 20 + "Zy8!#qLm2@vB7$wXp0&rT5^nU3*sE9(hJ",
        "DJANGO_ALLOWED_HOSTS": "assure.example.fr",
        "TOTP_ENCRYPTION_KEYS": "Tm90LWEtcmVhbC1rZXktYnV0LTMyLWJ5dGVzLWxvbmc=",
        "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3",
        "PORTAL_VAR_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 silenced" in result.stdout
