"""The deployment of the README, end to end: a real nginx (deploy/nginx.conf, over TLS) in
front of gunicorn with the production settings, the real PostgreSQL and Redis of CI's
second run. Clients connect from different loopback addresses (all of 127/8 is loopback
on Linux), so nginx sees each one's own ``$remote_addr``, as it sees members' addresses
in production: one client's wrong passwords lock that client only, and a client forging
X-Forwarded-For cannot choose the address the portal counts against."""

from __future__ import annotations

import datetime as dt
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

import pytest
from axes.models import AccessAttempt
from cryptography import x509
from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection

from tests.accounts.helpers import enrol_email_device
from tests.factories import PASSWORD

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
HOST = "assure.example.fr"
REDIS_DB = 12  # a database of our own on the shared Redis
WRONG = "Mauvais-mot-de-passe-1"
DEPLOY_CONFIG = Path(settings.BASE_DIR) / "deploy" / "nginx.conf"

pytestmark = [
    pytest.mark.nginx,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not os.environ.get("PORTAL_REAL_SERVICES"),
        reason="needs the real PostgreSQL and Redis of CI's second run (source var/ci-services.env)",
    ),
    pytest.mark.skipif(
        not os.path.exists(NGINX), reason="needs Debian's nginx (scripts/install-system-deps.sh servers)"
    ),
]


# --- the servers ----------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for_port(port: int, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"exited with {process.returncode}: {log.read_text(errors='replace')[-3000:]}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"nothing listens on {port}: {log.read_text(errors='replace')[-3000:]}")


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, HOST)])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(HOST)]), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


def site_config(*, upstream_port: int, http_port: int, https_port: int, cert: Path, key: Path) -> str:
    """deploy/nginx.conf with loopback ports of our own and a throw-away certificate;
    everything else (the proxy headers above all) exactly as documented."""
    config = DEPLOY_CONFIG.read_text()
    replacements = [
        (r"server 127\.0\.0\.1:8000;", f"server 127.0.0.1:{upstream_port};"),
        (r"\n\s*listen \[::\]:\d+[^;]*;", ""),  # the test machine may have no IPv6
        (r"listen 80;", f"listen 127.0.0.1:{http_port};"),
        (r"listen 443 ssl", f"listen 127.0.0.1:{https_port} ssl"),
        (r"ssl_certificate \S+;", f"ssl_certificate {cert};"),
        (r"ssl_certificate_key \S+;", f"ssl_certificate_key {key};"),
    ]
    for pattern, replacement in replacements:
        config, count = re.subn(pattern, replacement, config)
        assert count, f"deploy/nginx.conf no longer has {pattern!r}: update this test with it"
    return config


@pytest.fixture
def deployment(transactional_db):
    """gunicorn (production settings) behind nginx; yields nginx's HTTPS port."""
    import redis

    if connection.vendor != "postgresql":
        pytest.skip("gunicorn cannot share the SQLite test database")
    folder = Path(tempfile.mkdtemp(prefix="espace-assure-nginx-"))
    folder.chmod(0o755)  # nginx's workers (nobody) write request bodies under it
    broker = urlsplit(settings.CELERY_BROKER_URL)
    redis_url = urlunsplit((broker.scheme, broker.netloc, f"/{REDIS_DB}", "", ""))
    redis.Redis.from_url(redis_url).flushdb()
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    database_url = f"postgres://{db.get('USER') or 'postgres'}{password}@{db.get('HOST')}:{db.get('PORT')}/{db['NAME']}"
    gunicorn_port, http_port, https_port = _free_port(), _free_port(), _free_port()
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DJANGO_SETTINGS_MODULE": "portal.settings.production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": HOST,
        "DJANGO_CSRF_TRUSTED_ORIGINS": f"https://{HOST}",
        "TOTP_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "DATABASE_URL": database_url,
        "DATABASE_CONN_MAX_AGE": "0",  # the test database is dropped at the end of the run
        "REDIS_URL": redis_url,
        "CELERY_BROKER_URL": redis_url,
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "PORTAL_VAR_DIR": str(folder),
        "LOG_LEVEL": "WARNING",
        # PORTAL_TRUSTED_PROXY_COUNT is not set: the production default (1) is under test.
    }
    gunicorn_log = folder / "gunicorn.log"
    gunicorn = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "portal.wsgi", "--bind", f"127.0.0.1:{gunicorn_port}", "--workers", "2"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=gunicorn_log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    nginx = None
    try:
        _wait_for_port(gunicorn_port, gunicorn, gunicorn_log)
        cert, key = _self_signed_certificate(folder)
        (folder / "site.conf").write_text(
            site_config(upstream_port=gunicorn_port, http_port=http_port, https_port=https_port, cert=cert, key=key)
        )
        (folder / "nginx.conf").write_text(
            f"worker_processes 1;\npid {folder}/nginx.pid;\nerror_log {folder}/error.log warn;\n"
            "events { worker_connections 64; }\n"
            f"http {{\n  access_log {folder}/access.log;\n"
            + "".join(
                f"  {kind}_temp_path {folder}/{kind}_temp;\n"
                for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
            )
            + f"  include {folder}/site.conf;\n}}\n"
        )
        nginx_log = folder / "error.log"
        nginx_log.touch()
        nginx = subprocess.Popen(
            [NGINX, "-p", str(folder), "-c", str(folder / "nginx.conf"), "-e", str(nginx_log), "-g", "daemon off;"],
            stdout=subprocess.DEVNULL,
            stderr=nginx_log.open("ab"),
        )
        _wait_for_port(https_port, nginx, nginx_log)
        yield {"https": https_port, "http": http_port}
    finally:
        if nginx is not None:
            _stop(nginx)
        _stop(gunicorn)
        shutil.rmtree(folder, ignore_errors=True)


# --- a browser from a given address -----------------------------------------------------


class Client:
    """Requests to nginx over TLS from ``address``, one connection each, with cookies."""

    def __init__(self, port: int, address: str, forged_forwarded_for: str = ""):
        self.port, self.address, self.forged = port, address, forged_forwarded_for
        self.cookies: dict[str, str] = {}
        self.context = ssl.create_default_context()
        self.context.check_hostname = False
        self.context.verify_mode = ssl.CERT_NONE  # our throw-away certificate

    def request(self, method: str, path: str, data: dict | None = None) -> tuple[int, dict, str]:
        conn = http.client.HTTPSConnection(
            "127.0.0.1", self.port, source_address=(self.address, 0), context=self.context, timeout=30
        )
        headers = {"Host": HOST, "Referer": f"https://{HOST}/compte/login/", "Origin": f"https://{HOST}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if self.forged:
            headers["X-Forwarded-For"] = self.forged
        body = None
        if data is not None:
            body = urlencode(data)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            for value in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(value).items():
                    self.cookies[name] = morsel.value
            return response.status, dict(response.headers), response.read().decode(errors="replace")
        finally:
            conn.close()

    def log_in(self, login: str, password: str) -> int:
        status, _, page = self.request("GET", "/compte/login/")
        assert status == 200, page[:500]
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        status, _, _ = self.request(
            "POST", "/compte/login/", {"csrfmiddlewaretoken": token, "login": login, "password": password}
        )
        return status


@pytest.fixture
def member(alice):
    """alice, with a password the production hashers read (the test settings use MD5)."""
    user = alice.user
    user.password = PBKDF2PasswordHasher().encode(PASSWORD, secrets.token_hex(8))
    user.save(update_fields=["password"])
    enrol_email_device(user)
    return user


def test_one_clients_wrong_passwords_lock_that_client_only(deployment, member):
    attacker = Client(deployment["https"], "127.0.0.2")
    for _ in range(4):
        assert attacker.log_in(member.username, WRONG) == 200
    assert attacker.log_in(member.username, WRONG) == 429
    assert attacker.log_in(member.username, PASSWORD) == 429  # locked, even with the right password

    # The member, from her own address, is not locked out by the attacker.
    assert Client(deployment["https"], "127.0.0.3").log_in(member.username, PASSWORD) == 302
    # Each failure was counted against the attacker's real address, not nginx's.
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"127.0.0.2"}


def test_a_client_forging_x_forwarded_for_cannot_choose_its_address(deployment, member):
    # Pretending to be the member's address, to lock her out...
    forger = Client(deployment["https"], "127.0.0.4", forged_forwarded_for="127.0.0.3")
    for _ in range(5):
        forger.log_in(member.username, WRONG)
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"127.0.0.4"}
    assert Client(deployment["https"], "127.0.0.3").log_in(member.username, PASSWORD) == 302
    # ...or pretending to be someone new, to escape its own lock.
    escaping = Client(deployment["https"], "127.0.0.4", forged_forwarded_for="203.0.113.99")
    assert escaping.log_in(member.username, PASSWORD) == 429


def test_plain_http_is_sent_to_https(deployment):
    conn = http.client.HTTPConnection("127.0.0.1", deployment["http"], timeout=10)
    conn.request("GET", "/compte/login/", headers={"Host": HOST})
    response = conn.getresponse()
    assert response.status == 301 and response.headers["Location"] == f"https://{HOST}/compte/login/"
    conn.close()


def test_an_absurd_body_is_stopped_by_nginx_with_a_french_page(deployment):
    context = ssl.create_default_context()
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    conn = http.client.HTTPSConnection("127.0.0.1", deployment["https"], context=context, timeout=10)
    # nginx answers on the announced length alone, before any byte of the body.
    conn.putrequest("POST", "/messages/nouveau/", skip_host=True)
    conn.putheader("Host", HOST)
    conn.putheader("Content-Type", "multipart/form-data; boundary=x")
    conn.putheader("Content-Length", str(60 * 2**20))
    conn.endheaders()
    response = conn.getresponse()
    assert response.status == 413
    assert "Envoi trop volumineux" in response.read().decode()
    conn.close()


def test_the_load_balancers_probe_gets_the_health_whatever_its_host_header(deployment):
    context = ssl.create_default_context()
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    conn = http.client.HTTPSConnection("127.0.0.1", deployment["https"], context=context, timeout=10)
    conn.request("GET", "/health/", headers={"Host": "10.0.0.7", "X-Request-ID": "chosen-by-the-client"})
    response = conn.getresponse()
    body = json.loads(response.read())
    conn.close()
    # No worker runs in this deployment: degraded, and still in the load balancer (200).
    assert response.status == 200, body
    assert body == {
        "status": "degraded",
        "checks": {"database": "ok", "cache": "ok", "storage": "ok", "broker": "ok", "worker": "failed"},
    }
    # The id of the request is nginx's own, not the client's.
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["X-Request-ID"])
