"""Load test: concurrent members browsing the portal served by gunicorn (issue 11).

    DATABASE_URL=postgres://.../portal_scale .venv/bin/python tools/loadtest.py \
        [--users 200] [--duration 60] [--max-requests 30000] [--workers 2] [--threads 1] [--think 0]

What it does, on loopback only:

1. picks ``--users`` members with a login account in the data set of ``manage.py
   generate_scale`` (seeded sample) and opens a verified session for each directly in the
   session store, as ``Client.force_login`` does (auth keys, session hash, the django-otp
   device of an e-mail second factor, created for them if missing): no password is known
   for generated members, and logging 200 members in through the form would measure the
   password hasher, not the pages;
2. starts gunicorn (``--workers`` sync workers, or gthread with ``--threads``) on
   127.0.0.1 with production settings (``portal.settings.production``: DEBUG off, WhiteNoise,
   HSTS...; only the HTTPS redirect is off because there is no TLS proxy on loopback);
3. each virtual member loops over home -> reimbursements list -> one of their décomptes ->
   messaging inbox, one request at a time on a new connection (gunicorn's sync workers close
   every connection), with ``--think`` seconds between requests, until ``--duration``
   seconds or ``--max-requests`` requests;
4. prints requests/s, the error rate, latency percentiles (overall and per page) and the
   CPU time gunicorn's workers and PostgreSQL used during the run, then stops gunicorn and
   deletes the sessions it created.

Only the standard library on the client side (asyncio streams), so nothing to install.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from cryptography.fernet import Fernet

BASE_DIR = Path(__file__).resolve().parent.parent
PAGES = ("home", "reimbursements", "decompte", "inbox")
SERVER_LOG = Path(tempfile.gettempdir()) / "espace-assure-loadtest-gunicorn.log"


def _setup_django() -> None:
    sys.path.insert(0, str(BASE_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.local")
    import django

    django.setup()


def open_sessions(count: int, seed: int) -> list[dict]:
    """A verified session and the page URLs of ``count`` generated members."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.utils import timezone
    from django_otp import DEVICE_ID_SESSION_KEY

    from accounts.models import EmailCodeDevice
    from accounts.session import VERIFIED_AT_SESSION_KEY
    from claims.models import Decompte
    from members.models import Member

    candidates = list(
        Member.objects.filter(number__regex=r"^G[0-9]{9}$", user__isnull=False).values_list("pk", flat=True)
    )
    if len(candidates) < count:
        raise SystemExit(
            f"only {len(candidates)} generated members with an account: run `manage.py generate_scale` first"
        )
    chosen = random.Random(seed).sample(candidates, count)
    users = []
    for member in Member.objects.filter(pk__in=chosen).select_related("user"):
        user = member.user
        device = EmailCodeDevice.objects.filter(user=user, confirmed=True).first()
        created_device = device is None
        if created_device:
            device = EmailCodeDevice.objects.create(user=user, name="charge", confirmed=True)
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "accounts.backends.LoginBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session[VERIFIED_AT_SESSION_KEY] = timezone.now().isoformat()
        session.create()
        decompte = (
            Decompte.objects.filter(member=member).order_by("-payment_date", "-id").values_list("pk", flat=True).first()
        )
        urls = {
            "home": "/",
            "reimbursements": "/remboursements/",
            "inbox": "/messagerie/",
            "decompte": f"/remboursements/{decompte}/" if decompte else "/remboursements/",
        }
        users.append(
            {
                "cookie": f"{settings.SESSION_COOKIE_NAME}={session.session_key}",
                "urls": urls,
                "session_key": session.session_key,
                "device": device.pk if created_device else None,
            }
        )
    return users


def close_sessions(users: list[dict]) -> None:
    from django.contrib.sessions.models import Session

    from accounts.models import EmailCodeDevice

    Session.objects.filter(session_key__in=[u["session_key"] for u in users]).delete()
    EmailCodeDevice.objects.filter(pk__in=[u["device"] for u in users if u["device"]]).delete()


# --------------------------------------------------------------------------- server


def start_gunicorn(port: int, workers: int, threads: int, database_url: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.production",
        "DJANGO_SECRET_KEY": os.environ["DJANGO_SECRET_KEY"],
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "0",  # no TLS proxy on loopback
        "PORTAL_TRUSTED_PROXY_COUNT": "0",  # nor any proxy at all: clients reach gunicorn directly
        # The simulated members log in with e-mailed codes: any key will do for TOTP seeds.
        "TOTP_ENCRYPTION_KEYS": os.environ.get("TOTP_ENCRYPTION_KEYS") or Fernet.generate_key().decode(),
        "DATABASE_URL": database_url,
        "LOG_LEVEL": "WARNING",
    }
    command = [
        str(BASE_DIR / ".venv/bin/gunicorn"),
        "portal.wsgi",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--timeout",
        "60",
        "--backlog",
        "2048",
    ]
    if threads > 1:
        command += ["--threads", str(threads), "--worker-class", "gthread"]
    log = SERVER_LOG.open("wb")  # gunicorn writes to it until it stops
    server = subprocess.Popen(command, cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            status, _ = asyncio.run(_get(port, "/compte/login/", "", timeout=5))
            if status:
                return server
        except OSError:
            time.sleep(0.5)
    server.terminate()
    raise SystemExit("gunicorn did not start: " + SERVER_LOG.read_text()[-2000:])


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def _cpu_seconds(pids: list[int]) -> float:
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime + stime
    return total / ticks


def _postgres_snapshot() -> tuple[float, dict[int, float]]:
    """(CPU of the postmaster and of its reaped backends, CPU of each live backend): with
    short-lived connections most backends exit during the run, and their time lands in
    the postmaster's cutime/cstime."""
    ticks = os.sysconf("SC_CLK_TCK")
    live: dict[int, float] = {}
    reaped = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if (entry / "comm").read_text().strip() != "postgres":
                continue
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            parent_comm = Path(f"/proc/{fields[1]}/comm").read_text().strip()
        except OSError:
            continue
        own = (int(fields[11]) + int(fields[12])) / ticks
        if parent_comm != "postgres":  # the postmaster
            reaped += own + (int(fields[13]) + int(fields[14])) / ticks
        else:
            live[int(entry.name)] = own
    return reaped, live


def _postgres_cpu(before: tuple[float, dict[int, float]], after: tuple[float, dict[int, float]]) -> float:
    reaped = after[0] - before[0] - sum(cpu for pid, cpu in before[1].items() if pid not in after[1])
    return reaped + sum(cpu - before[1].get(pid, 0.0) for pid, cpu in after[1].items())


# --------------------------------------------------------------------------- client


async def _get(port: int, path: str, cookie: str, timeout: float = 30) -> tuple[int, int]:
    reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), timeout)
    try:
        request = (
            f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: espace-assure-loadtest\r\n"
            f"Accept: text/html\r\nCookie: {cookie}\r\nConnection: close\r\n\r\n"
        )
        writer.write(request.encode())
        await writer.drain()
        body = await asyncio.wait_for(reader.read(), timeout)
    finally:
        writer.close()
    status = int(body[9:12]) if body[:5] == b"HTTP/" else 0
    return status, len(body)


async def _virtual_member(
    user: dict, port: int, stop_at: float, budget: list[int], think: float, results: list, rng: random.Random
) -> None:
    await asyncio.sleep(rng.random() * 2)  # members do not all arrive in the same millisecond
    while time.monotonic() < stop_at:
        for page in PAGES:
            if time.monotonic() >= stop_at or budget[0] <= 0:
                return
            budget[0] -= 1
            started = time.perf_counter()
            try:
                status, _ = await _get(port, user["urls"][page], user["cookie"])
                error = "" if status == 200 else f"HTTP {status}"
            except (TimeoutError, OSError) as exc:
                error = type(exc).__name__
            results.append((page, (time.perf_counter() - started) * 1000, error, time.monotonic()))
            if think:
                await asyncio.sleep(think * (0.5 + rng.random()))


async def _warm_up(users: list[dict], port: int) -> None:
    """Each worker imports, connects and compiles its templates on its first requests:
    not what a member waits for once the service runs."""
    for user in users[:6]:
        await asyncio.gather(*(_get(port, user["urls"][page], user["cookie"]) for page in PAGES))


async def _run(users: list[dict], port: int, duration: float, max_requests: int, think: float, seed: int):
    results: list = []
    budget = [max_requests]
    rng = random.Random(seed)
    stop_at = time.monotonic() + duration
    await asyncio.gather(
        *(_virtual_member(u, port, stop_at, budget, think, results, random.Random(rng.random())) for u in users)
    )
    return results


def _pct(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered) + 0.5) - 1))] if ordered else 0.0


def report(results: list, elapsed: float, cpu: dict[str, float], window: tuple[float, float]) -> str:
    lines = []
    errors = [r for r in results if r[2]]
    durations = [r[1] for r in results]
    started, stop_at = window
    in_window = sum(1 for r in results if r[3] <= stop_at)
    lines.append(
        f"requests: {len(results)} in {elapsed:.1f} s (the last ones drain after the {stop_at - started:.0f} s "
        f"window); throughput over the window: {in_window / (stop_at - started):.1f} requests/s"
    )
    lines.append(
        f"errors: {len(errors)} ({100 * len(errors) / max(1, len(results)):.2f} %)"
        + (f" - {sorted({e[2] for e in errors})}" if errors else "")
    )
    header = f"{'page':<16} {'count':>6} {'p50 ms':>8} {'p90 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8}"
    lines += [header, "-" * len(header)]
    by_page = defaultdict(list)
    for page, duration, _, _ in results:
        by_page[page].append(duration)
    for page in (*PAGES, "all"):
        values = durations if page == "all" else by_page[page]
        if values:
            lines.append(
                f"{page:<16} {len(values):>6} {_pct(values, 50):8.0f} {_pct(values, 90):8.0f} "
                f"{_pct(values, 95):8.0f} {_pct(values, 99):8.0f} {max(values):8.0f}"
            )
    lines.append(f"mean latency {statistics.mean(durations):.0f} ms" if durations else "no request")
    cores = os.cpu_count() or 1
    for name, seconds in cpu.items():
        lines.append(
            f"CPU {name}: {seconds:.1f} s = {100 * seconds / elapsed:.0f} % of one core "
            f"({100 * seconds / elapsed / cores:.0f} % of the {cores} cores), "
            f"{1000 * seconds / max(1, len(results)):.0f} ms per request"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds (bounded)")
    parser.add_argument("--max-requests", type=int, default=30_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1, help="> 1: gthread workers")
    parser.add_argument("--think", type=float, default=0.0, help="mean seconds between a member's requests")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--seed", type=int, default=11)
    options = parser.parse_args()
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith("postgres"):
        raise SystemExit("set DATABASE_URL to the PostgreSQL database filled by `manage.py generate_scale`")
    # Sessions are signed: this process and gunicorn must share the key.
    os.environ.setdefault("DJANGO_SECRET_KEY", "load-test-only-" + "k" * 40)
    _setup_django()
    users = open_sessions(options.users, options.seed)
    server = start_gunicorn(options.port, options.workers, options.threads, database_url)
    try:
        asyncio.run(_warm_up(users, options.port))
        workers = _children(server.pid)
        workers_before, postgres_before = _cpu_seconds(workers), _postgres_snapshot()
        client_before = resource.getrusage(resource.RUSAGE_SELF)
        started = time.monotonic()
        results = asyncio.run(
            _run(users, options.port, options.duration, options.max_requests, options.think, options.seed)
        )
        window = (started, started + options.duration)
        elapsed = time.monotonic() - started
        client_after = resource.getrusage(resource.RUSAGE_SELF)
        cpu = {
            "gunicorn workers": _cpu_seconds(workers) - workers_before,
            "PostgreSQL (every database of the server)": _postgres_cpu(postgres_before, _postgres_snapshot()),
            "load-test client": (
                client_after.ru_utime + client_after.ru_stime - client_before.ru_utime - client_before.ru_stime
            ),
        }
        print(
            f"{options.users} members, gunicorn {options.workers} workers x {options.threads} threads, "
            f"think {options.think} s, bounded to {options.duration:.0f} s / {options.max_requests} requests"
        )
        print(report(results, elapsed, cpu, window))
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        close_sessions(users)


if __name__ == "__main__":
    main()
