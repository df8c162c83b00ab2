from importlib import import_module

from django.conf import settings
from django.core.management.base import BaseCommand

from tools.bench import MODULES


class Command(BaseCommand):
    help = "Run every benchmark (tools/bench/<app>.py BENCHMARKS) and print one table."

    def add_arguments(self, parser):
        parser.add_argument("--only", help="run only the benchmarks of the apps whose label contains this text")

    def handle(self, *args, only=None, **options):
        # Timed as in production: with DEBUG on, every query is also logged (and on SQLite
        # re-quoted), which costs a page of ten queries more than its one-query baseline.
        # Set before any template engine or connection is used by the benchmarks.
        settings.DEBUG = False
        self.stderr.write("DEBUG off for the run, as in production")
        rows = []
        for label in MODULES:
            if only and only not in label:
                continue
            module = import_module(f"tools.bench.{label}")
            for benchmark in module.BENCHMARKS:
                self.stderr.write(f"running {label}.{benchmark.__name__} ...")
                rows.extend(benchmark())
        header = f"{'figure':<58} {'value':>12} {'unit':<8} {'baseline':>12} {'ratio':>8}  target"
        self.stdout.write(header)
        self.stdout.write("-" * len(header))
        for row in rows:
            baseline = f"{row.baseline:12.2f}" if row.baseline is not None else f"{'':>12}"
            ratio = f"{row.ratio:8.2f}" if row.ratio is not None else f"{'':>8}"
            self.stdout.write(f"{row.name:<58} {row.value:12.2f} {row.unit:<8} {baseline} {ratio}  {row.target}")
            if row.baseline_name:
                self.stdout.write(f"{'':<4}baseline: {row.baseline_name}")
