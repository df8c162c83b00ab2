from pathlib import Path

from django.core.management.base import BaseCommand

from tools.decomptes_file import LINES_PER_MEMBER, bench_members, write_decomptes_file


class Command(BaseCommand):
    help = (
        "Write a valid décomptes file of --lines lines (one paid décompte per line) for members "
        "B000000000... of the T331 contract, created if missing (dev databases only)."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--lines", type=int, default=100_000)

    def handle(self, *args, path: Path, lines: int, **options):
        from members.models import Member

        count = max(1, lines // LINES_PER_MEMBER)
        have = Member.objects.filter(number__startswith="B", number__lte=f"B{count - 1:09d}").count()
        if have < count:
            bench_members(count - have, first=have)
        write_decomptes_file(path, [f"B{index:09d}" for index in range(count)], lines)
        self.stdout.write(f"{path}: {lines} lines for {count} members")
