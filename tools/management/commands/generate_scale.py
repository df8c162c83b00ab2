import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from tools.scale import ScaleError, ScaleOptions, generated_member_count, scale_generate, scale_reset


class Command(BaseCommand):
    help = (
        "Generate a realistic data set at insurer scale on PostgreSQL (households, 20 years of décomptes, "
        "messages, document metadata) for `manage.py bench` and the load test. See tools/scale.py."
    )

    def add_arguments(self, parser):
        parser.add_argument("--members", type=int, default=100_000, help="households to generate (default 100000)")
        parser.add_argument("--seed", type=int, default=1412, help="random seed: the same seed gives the same data")
        parser.add_argument("--years", type=int, default=20, help="years of history (default 20)")
        parser.add_argument(
            "--lines-per-member",
            type=float,
            default=100.0,
            help="average décompte lines per member (default 100: 10 million for 100000 members)",
        )
        parser.add_argument("--today", type=dt.date.fromisoformat, help="the generation's today (YYYY-MM-DD)")
        parser.add_argument("--reset", action="store_true", help="delete the generated data first")
        parser.add_argument("--no-vacuum", action="store_true", help="skip VACUUM ANALYZE at the end")

    def handle(self, *args, members, seed, years, lines_per_member, today, reset, no_vacuum, **options):
        def write(text: str) -> None:
            self.stdout.write(text)
            self.stdout.flush()

        existing = generated_member_count()
        if existing and not reset:
            write(f"{existing} generated members already present: nothing to do (use --reset to generate again).")
            return
        if existing:
            scale_reset(write)
        try:
            totals = scale_generate(
                ScaleOptions(
                    members=members,
                    seed=seed,
                    years=years,
                    lines_per_member=lines_per_member,
                    today=today,
                    vacuum=not no_vacuum,
                ),
                write,
            )
        except ScaleError as error:
            raise CommandError(str(error)) from None
        labels = {
            "user": "login accounts",
            "member": "members",
            "beneficiary": "covered persons (member included)",
            "affiliation": "affiliations",
            "decompte": "décomptes",
            "line": "décompte lines",
            "thread": "message threads",
            "message": "messages",
            "file": "document metadata rows (shared bytes)",
            "attachment": "message attachments",
            "year_total": "yearly totals (claims.YearTotal)",
            "engine computations": "engine computations (canonical lines)",
        }
        write("")
        for key, label in labels.items():
            write(f"{totals.counts.get(key, 0):>12,} {label}".replace(",", " "))
        for key, seconds in totals.seconds.items():
            write(f"{seconds:>12.1f} s {key}")
