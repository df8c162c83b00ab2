"""Re-encrypt every TOTP seed with the first key of TOTP_ENCRYPTION_KEYS.

Key rotation, without downtime:
1. generate a key: python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"
2. put it first in TOTP_ENCRYPTION_KEYS (new,old) and restart the web and worker processes;
3. run this command (it can be run again at any time);
4. remove the old key and restart.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from accounts.services import totp_seeds_reencrypt


class Command(BaseCommand):
    help = "Re-encrypt every TOTP seed with the first key of TOTP_ENCRYPTION_KEYS (key rotation)."

    def handle(self, *args: Any, **options: Any) -> None:
        result = totp_seeds_reencrypt()
        self.stdout.write(f"{result.reencrypted} TOTP seed(s) re-encrypted with the first key.")
        if result.unreadable:
            ids = ", ".join(map(str, result.unreadable))
            raise CommandError(
                f"{len(result.unreadable)} seed(s) could not be decrypted by any key of TOTP_ENCRYPTION_KEYS "
                f"(devices {ids}): put the key they were encrypted with back in the list, then run this again."
            )
