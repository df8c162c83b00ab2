"""How long a wrong password takes at the login form, for a registered login and an
unknown one, with the production password hasher (not the tests' MD5 one).

    .venv/bin/python tools/login_timing.py [--rounds 7]

Creates a throw-away test database (SQLite in memory with the test settings), one
account, then posts wrong passwords to /compte/login/ by member number and by e-mail,
each from a new IP address (so that axes never locks). Prints the median per case: a
registered login must not take measurably longer than an unknown one (e-mail
enumeration by timing).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")

import django

django.setup()

from allauth.account.models import EmailAddress  # noqa: E402
from django.conf import global_settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings, setup_test_environment  # noqa: E402

PASSWORD = "Un-Mot-de-passe-solide-42"
CASES = {
    "member number, registered": "1412999001",
    "member number, unknown": "1412999002",
    "e-mail, registered": "inscrit@example.fr",
    "e-mail, unknown": "inconnu@example.fr",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0)
    try:
        with override_settings(PASSWORD_HASHERS=global_settings.PASSWORD_HASHERS):
            user = get_user_model().objects.create_user("1412999001", "inscrit@example.fr", PASSWORD)
            EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
            print(f"hasher: {global_settings.PASSWORD_HASHERS[0]}")
            client = Client()
            results: dict[str, list[float]] = {name: [] for name in CASES}
            address = 0
            for _ in range(args.rounds):
                for name, login in CASES.items():  # interleaved: machine noise hits every case alike
                    address += 1
                    cache.clear()
                    started = time.perf_counter()
                    response = client.post(
                        "/compte/login/",
                        {"login": login, "password": "Pas-le-bon-mot-de-passe-1"},
                        REMOTE_ADDR=f"10.{address // 65536}.{address // 256 % 256}.{address % 256}",
                    )
                    results[name].append(time.perf_counter() - started)
                    assert response.status_code == 200, response.status_code
            for name, times in results.items():
                print(
                    f"{name:28} median {statistics.median(times) * 1000:7.1f} ms"
                    f"  (min {min(times) * 1000:.1f}, max {max(times) * 1000:.1f}, n={len(times)})"
                )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
