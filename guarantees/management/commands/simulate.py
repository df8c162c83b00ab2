import json
import sys
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from guarantees import catalogue
from guarantees.engine import EngineError, compute
from guarantees.jsonio import request_from_json


class Command(BaseCommand):
    help = (
        "Compute what the complementary pays: reads a JSON request on stdin, prints a JSON answer. "
        "--list-formulas lists formula codes; --list-acts CODE lists a formula's acts."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--list-formulas", action="store_true", help="list formula codes and names")
        parser.add_argument(
            "--list-acts", metavar="FORMULA", help="list the act codes of a formula with their notice labels"
        )

    def _out(self, data: object) -> None:
        self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))

    def _fail(self, key: str, message: str, extra: dict[str, Any] | None = None) -> None:
        self._out({"error": {"key": key, "message": message, **(extra or {})}})
        sys.exit(1)

    def handle(self, *args: Any, list_formulas: bool = False, list_acts: str | None = None, **options: Any) -> None:
        if list_formulas:
            self._out(
                {
                    "formulas": [
                        {"code": code, "name": info["name"], "notice": notice.code, "notice_line": info["line"]}
                        for notice in catalogue.notices().values()
                        for code, info in notice.formulas.items()
                    ]
                }
            )
            return
        if list_acts:
            try:
                acts = catalogue.acts_for(list_acts)
            except KeyError:
                self._fail("unknown_formula", f"Formule inconnue : « {list_acts} ».")
            self._out({"formula": list_acts, "acts": [{"act": act, "label": label} for act, label in acts]})
            return
        try:
            data = json.loads(sys.stdin.read())
        except (ValueError, UnicodeDecodeError) as error:
            self._fail("invalid_json", f"La demande n'est pas un JSON valide ({error}).")
        try:
            results = compute(request_from_json(data))
        except EngineError as error:
            self._fail(
                error.key, error.message, {k: v for k, v in error.to_dict().items() if k not in {"key", "message"}}
            )
        self._out({"lines": [result.to_dict() for result in results]})
