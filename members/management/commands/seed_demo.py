from django.core.management.base import BaseCommand

from members.demo import demo_data_create


class Command(BaseCommand):
    help = "Create the demo household, a retiree and a gestionnaire (idempotent)."

    def handle(self, *args, **options):
        credentials = demo_data_create()
        self.stdout.write("Comptes de démonstration (identifiant / mot de passe) :")
        for entry in credentials:
            self.stdout.write(f"  {entry.login:<14} {entry.password:<20} {entry.role}")
