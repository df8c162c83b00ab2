from django.core.management.base import BaseCommand, CommandError

from tools.demo.claims import demo_decomptes_create
from tools.demo.directory import demo_directory_near_members
from tools.demo.members import demo_data_create


class Command(BaseCommand):
    help = (
        "Create the demo household (with its reimbursements), a retiree, a gestionnaire and the health "
        "professionals near them (idempotent)."
    )

    def handle(self, *args, **options):
        credentials = demo_data_create()
        batch = demo_decomptes_create()
        if batch is not None and batch.status != "accepte":
            raise CommandError(f"demo reimbursements refused: {batch.errors[:3]}")
        demo_directory_near_members()
        self.stdout.write("Comptes de démonstration (identifiant / mot de passe) :")
        for entry in credentials:
            self.stdout.write(f"  {entry.login:<14} {entry.password:<20} {entry.role}")
        self.stdout.write("Le code de connexion (double authentification) est écrit dans var/emails/.")
