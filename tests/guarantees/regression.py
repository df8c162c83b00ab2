"""Regression fixture of the guarantee engine: a broad, fixed set of requests with the
exact ``to_dict()`` answers (or ``EngineError``) of the reference engine.

The requests are the worked cases of this folder plus a random batch (fixed seed) over
the 7 formulas, with history, layering, affiliation periods, children and seniors,
periodicity, counters across years, prescription, and some bad input. Both the requests
and the answers are stored in ``data/engine_regression.json.gz``, so the check does not
depend on this generator once the file is written.

``test_engine_regression.py`` replays the stored requests and compares every answer
byte for byte (JSON text, key order included). Regenerate the file ONLY from an engine
whose results are known to be right (e.g. before an optimisation, never to make a failing
comparison pass)::

    .venv/bin/python -m tests.guarantees.regression --write
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import json
import random
import sys
from decimal import Decimal
from pathlib import Path

DATA_FILE = Path(__file__).resolve().parent / "data" / "engine_regression.json.gz"
SEED = 20251122
RANDOM_REQUESTS = 900

NOTICE_003 = ("CCOOP-BASE", "CCOOP-OPT1", "CCOOP-OPT2")
NOTICE_004 = ("IDCC1412-BASE", "IDCC1412-OPTION", "IDCC1412-CELSIUS", "IDCC1412-KELVIN")
LAYERINGS = [(code,) for code in NOTICE_003 + NOTICE_004] + [
    ("IDCC1412-BASE", "IDCC1412-OPTION"),
    ("IDCC1412-BASE", "IDCC1412-CELSIUS"),
    ("IDCC1412-BASE", "IDCC1412-KELVIN"),
    ("IDCC1412-OPTION", "IDCC1412-CELSIUS"),
    ("IDCC1412-OPTION", "IDCC1412-KELVIN"),
    ("IDCC1412-BASE", "IDCC1412-OPTION", "IDCC1412-CELSIUS"),
    ("CCOOP-BASE", "CCOOP-OPT1"),
    ("CCOOP-OPT1", "CCOOP-OPT2"),
]
LINE_FIELDS = (
    "act",
    "care_date",
    "frais_reels",
    "base_remboursement",
    "ss_paid",
    "other_paid",
    "quantity",
    "days",
    "eye",
    "ear",
    "sphere",
    "cylinder",
    "addition",
    "frame_amount",
    "optam",
    "conventionne",
    "price_limit",
    "renewal",
)


# --------------------------------------------------------------------------- (de)serialising


def _encode(value):
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, Decimal):
        return {"D": str(value)}
    if isinstance(value, dt.date):
        return {"date": value.isoformat()}
    if isinstance(value, float):
        return {"float": repr(value)}
    raise TypeError(value)


def _decode(value):
    if isinstance(value, dict):
        if "D" in value:
            return Decimal(value["D"])
        if "date" in value:
            return dt.date.fromisoformat(value["date"])
        if "float" in value:
            return float(value["float"])
    return value


def encode_line(line) -> dict:
    from guarantees.engine import CareLine

    defaults = CareLine("x", dt.date(2000, 1, 1), Decimal(0))
    data = {}
    for name in LINE_FIELDS:
        value = getattr(line, name)
        if (
            name in ("act", "care_date", "frais_reels")
            or value != getattr(defaults, name)
            or type(value) is not type(getattr(defaults, name))
        ):
            data[name] = _encode(value)
    return data


def decode_line(data: dict):
    from guarantees.engine import CareLine

    return CareLine(**{name: _decode(value) for name, value in data.items()})


def encode_request(request) -> dict:
    from guarantees import catalogue

    return {
        "layers": [
            {
                "code": layer.rules.code,
                "role": layer.role,
                "start": _encode(layer.start),
                "end": _encode(layer.end),
                "since": _encode(layer.since),
            }
            for layer in request.layers
        ],
        "birth_date": _encode(request.birth_date),
        "claim_date": _encode(request.claim_date),
        "cover_start": _encode(request.cover_start),
        "cover_end": _encode(request.cover_end),
        "pmss": None if request.pmss == catalogue.pmss_table() else {str(y): str(v) for y, v in request.pmss.items()},
        "history": [encode_line(line) for line in request.history],
        "lines": [encode_line(line) for line in request.lines],
    }


def decode_request(data: dict):
    from guarantees import catalogue
    from guarantees.engine import EngineRequest, Layer

    return EngineRequest(
        layers=tuple(
            Layer(
                catalogue.formula_rules(layer["code"]),
                role=layer["role"],
                start=_decode(layer["start"]),
                end=_decode(layer["end"]),
                since=_decode(layer["since"]),
            )
            for layer in data["layers"]
        ),
        birth_date=_decode(data["birth_date"]),
        claim_date=_decode(data["claim_date"]),
        lines=tuple(decode_line(line) for line in data["lines"]),
        history=tuple(decode_line(line) for line in data["history"]),
        pmss=catalogue.pmss_table() if data["pmss"] is None else {int(y): Decimal(v) for y, v in data["pmss"].items()},
        cover_start=_decode(data["cover_start"]),
        cover_end=_decode(data["cover_end"]),
    )


def answer(request) -> dict:
    """What the engine answers, as JSON-ready data: the lines' ``to_dict()`` or the error."""
    from guarantees.engine import EngineError, compute

    try:
        results = compute(request)
    except EngineError as error:
        return {"error": error.to_dict()}
    return {"lines": [result.to_dict() for result in results]}


def dumps(data) -> str:
    """Canonical text of an answer: key order kept (it is part of the output)."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


# --------------------------------------------------------------------------- the requests


def worked_requests() -> list:
    """The worked cases and scenarios of this folder, as requests."""
    from tests.guarantees.helpers import ADULT, CLAIM, line
    from tests.guarantees.test_worked_cases import CASES

    requests = [_request(codes, [care]) for codes, care, _expected, _rac in CASES]
    child, senior = dt.date(2015, 1, 1), dt.date(1950, 1, 1)
    requests += [
        _request("CCOOP-BASE", [line("frais-accompagnant", 120, days=3)], birth=child),
        _request("CCOOP-BASE", [line("frais-accompagnant", 120, days=3)], birth=senior),
        _request("CCOOP-BASE", [line("frais-accompagnant", 120, days=3)]),
        _request("IDCC1412-CELSIUS", [line("frais-accompagnant", 200, days=2)], birth=child),
        _request("IDCC1412-CELSIUS", [line("verres-unifocaux", 600, frame_amount=200, sphere=-1)], birth=child),
        *(
            _request("IDCC1412-CELSIUS", [line("prothese-non-remboursee", 3000)], since=dt.date(year, 1, 1))
            for year in (2005, 2020, 2025)
        ),
        _request("IDCC1412-BASE", [line("lentilles", 150), line("lentilles", 80, "39.48", "23.69")]),
        _request("CCOOP-BASE", [line("accessoires-auditifs", 80, 50, 30), line("accessoires-auditifs", 40, 30, 18)]),
        _request(
            "CCOOP-BASE",
            [
                line("chambre-particuliere", 800, days=10, care_date=dt.date(2024, 12, 20)),
                line("chambre-particuliere", 800, days=10, care_date=dt.date(2025, 1, 3)),
            ],
            history=[line("chambre-particuliere", 3600, days=45, care_date=dt.date(2024, 11, 2))],
            claim=dt.date(2025, 1, 10),
        ),
        _request(
            "CCOOP-OPT1",
            [
                line("osteopathie", 100),
                line("acupuncture", 100),
                line("acupuncture", 100, care_date=dt.date(2026, 1, 5)),
            ],
            claim=dt.date(2026, 1, 10),
        ),
        _request(
            "IDCC1412-BASE",
            [line("prothese-non-remboursee", 500, quantity=2)],
            history=[line("prothese-non-remboursee", 500, quantity=2, care_date=dt.date(2025, 1, 15))],
        ),
        _request(
            ("IDCC1412-BASE", "IDCC1412-CELSIUS"),
            [line("lentilles", 150), line("lentilles", 120), line("lentilles", 100)],
        ),
        _request(("IDCC1412-BASE", "IDCC1412-OPTION"), [line("prothese-non-remboursee", 250)]),
        _request(("IDCC1412-BASE", "IDCC1412-CELSIUS"), [line("pharmacie", 10, 10, "6.50")]),
        _request(
            "IDCC1412-KELVIN",
            [line("chirurgie-vision", 1500, eye="left", care_date=dt.date(2023, 5, 2))],
            claim=dt.date(2024, 1, 2),
        ),
        _request(
            "IDCC1412-BASE",
            [
                line("monture", 100),
                line("verres-unifocaux", 200, quantity=2, sphere=-1),
                line("monture", 100, care_date=dt.date(2025, 3, 20)),
            ],
        ),
        _request("CCOOP-BASE", [line("pharmacie", 10, 10, 6)], cover_start=dt.date(2025, 3, 11)),
        _request("CCOOP-BASE", [line("pharmacie", 10, 10, 6, care_date=dt.date(2025, 4, 2))]),
        _request("CCOOP-OPT2", [line("consultation", 50, 0, 0, optam=True)]),
        _request("IDCC1412-BASE", [line("implantologie", 500)]),
        _request("CCOOP-OPT2", [line("frais-sejour", 3000, 2500, 2000, other_paid=600)]),
        _request("IDCC1412-BASE", [line("pharmacie", 10, 10, "6.50")], pmss={2024: Decimal("3864")}),
        _request("IDCC1412-KELVIN", [line("chirurgie-vision", 1500, eye="left")], pmss={2024: Decimal("3864")}),
        _request("IDCC1412-BASE", [line("pharmacie", 10, 10, "6.50")], starts=(dt.date(2025, 3, 11),)),
        _request(
            "IDCC1412-BASE",
            [line("pharmacie", 10, 10, "6.50")],
            starts=(dt.date(2020, 1, 1),),
            ends=(dt.date(2025, 3, 9),),
        ),
        _request(("CCOOP-BASE", "IDCC1412-BASE"), [line("pharmacie", 10, 10, "6.50")]),
        _request((), [line("pharmacie", 10, 10, "6.50")]),
    ]
    for care in (
        line("no-such-act", 10),
        line("pharmacie", -1),
        line("pharmacie", 10, 10, 11),
        line("consultation", 50, 30, 21),
        line("chirurgie-vision", 500),
    ):
        requests.append(_request("IDCC1412-KELVIN" if care.act == "chirurgie-vision" else "CCOOP-BASE", [care]))
    for bought, day, birth, renewal in (
        (dt.date(2023, 3, 10), dt.date(2025, 3, 9), ADULT, None),
        (dt.date(2023, 3, 10), dt.date(2025, 3, 10), ADULT, None),
        (dt.date(2024, 3, 10), dt.date(2025, 3, 10), child, None),
        (dt.date(2024, 3, 10), dt.date(2025, 3, 9), child, None),
        (dt.date(2024, 3, 10), dt.date(2025, 3, 10), ADULT, "evolution_vue"),
    ):
        requests.append(
            _request(
                "CCOOP-BASE",
                [line("optique-classe-b", 300, care_date=day, renewal=renewal)],
                history=[line("optique-classe-b", 300, care_date=bought)],
                birth=birth,
            )
        )
    hearing = [line("aide-auditive-classe-2", 1500, 400, 240, ear="left", care_date=dt.date(2021, 6, 1))]
    requests.append(
        _request(
            "CCOOP-BASE",
            [
                line("aide-auditive-classe-2", 1500, 400, 240, ear="left", care_date=dt.date(2025, 5, 31)),
                line("aide-auditive-classe-2", 1500, 400, 240, ear="right", care_date=dt.date(2025, 5, 31)),
                line("aide-auditive-classe-2", 1500, 400, 240, ear="left", care_date=dt.date(2025, 6, 1)),
            ],
            history=hearing,
            claim=dt.date(2025, 6, 2),
        )
    )
    for claim in (dt.date(2025, 4, 1), dt.date(2025, 4, 2)):
        requests.append(
            _request("CCOOP-BASE", [line("pharmacie", 10, 10, "6.50", care_date=dt.date(2023, 4, 1))], claim=claim)
        )
    requests.append(
        _request(
            ("IDCC1412-BASE", "IDCC1412-CELSIUS"),
            [line("lentilles", 150), line("lentilles", 150, care_date=dt.date(2025, 3, 11))],
            starts=(dt.date(2020, 1, 1), dt.date(2025, 3, 11)),
            claim=CLAIM,
        )
    )
    return requests


def _request(
    codes,
    lines,
    *,
    history=(),
    birth=None,
    claim=None,
    since=None,
    cover_start=None,
    cover_end=None,
    starts=(),
    ends=(),
    pmss=None,
):
    from guarantees import catalogue
    from guarantees.engine import EngineRequest, Layer
    from tests.guarantees.helpers import ADULT, CLAIM

    codes = (codes,) if isinstance(codes, str) else tuple(codes)
    layers = tuple(
        Layer(
            catalogue.formula_rules(code),
            role="principal" if i == 0 else "facultative",
            start=starts[i] if i < len(starts) else None,
            end=ends[i] if i < len(ends) else None,
            since=since,
        )
        for i, code in enumerate(codes)
    )
    return EngineRequest(
        layers=layers,
        birth_date=birth or ADULT,
        claim_date=claim or CLAIM,
        lines=tuple(lines),
        history=tuple(history),
        pmss=catalogue.pmss_table() if pmss is None else pmss,
        cover_start=cover_start,
        cover_end=cover_end,
    )


def _money(rnd: random.Random, high: int) -> Decimal:
    roll = rnd.random()
    if roll < 0.3:
        return Decimal(rnd.randrange(0, high // 5 + 1) * 5)
    if roll < 0.95:
        return Decimal(rnd.randrange(0, high * 100 + 1)) / 100
    return Decimal(rnd.randrange(0, high * 1000 + 1)) / 1000  # beyond the cent: rounding


def _random_line(rnd: random.Random, acts: list[tuple[str, str, str]], day: dt.date):
    from guarantees.engine import CareLine

    act, _label, unit = rnd.choice(acts)
    fr = _money(rnd, rnd.choice((60, 300, 1500, 4000)))
    roll = rnd.random()
    if roll < 0.3:
        br, ss = Decimal(0), Decimal(0)
    else:
        br = min(fr, _money(rnd, 600)) if rnd.random() < 0.8 else _money(rnd, 600)
        rate = rnd.choice(("0.6", "0.7", "0.8", "1", "0.65", "0.15"))
        ss = min(fr, (br * Decimal(rate)).quantize(Decimal("0.01")))
    fields: dict = {"frais_reels": fr, "base_remboursement": br, "ss_paid": ss}
    if rnd.random() < 0.08:
        fields["other_paid"] = min(fr - ss, _money(rnd, 200))
    if rnd.random() < 0.3 or unit in ("prothesis", "implant", "child", "session", "glass"):
        fields["quantity"] = rnd.choice((1, 1, 2, 2, 3, 4, 6))
    if unit == "day" or rnd.random() < 0.05:
        fields["days"] = rnd.choice((1, 2, 3, 5, 8, 10, 20, 45, 60))
    if unit == "eye" or act.startswith(("optique", "verres", "lentilles", "chirurgie")) or rnd.random() < 0.05:
        fields["eye"] = rnd.choice(("left", "right", "both", "both", None))
    if unit == "ear" or "audit" in act or rnd.random() < 0.05:
        fields["ear"] = rnd.choice(("left", "right", "both", None))
    if unit == "glass" or act.startswith(("optique", "verres", "monture")) or rnd.random() < 0.05:
        if rnd.random() < 0.95:
            fields["sphere"] = Decimal(rnd.randrange(-48, 49)) / 4
        if rnd.random() < 0.5:
            fields["cylinder"] = Decimal(rnd.randrange(0, 25)) / 4
        if rnd.random() < 0.4:
            fields["addition"] = Decimal(rnd.randrange(0, 13)) / 4
        if rnd.random() < 0.5:
            fields["frame_amount"] = min(fr, _money(rnd, 400))
        if rnd.random() < 0.1:
            fields["renewal"] = rnd.choice(("evolution_vue", "pathologie"))
    roll = rnd.random()
    fields["optam"] = True if roll < 0.49 else False if roll < 0.98 else None
    fields["conventionne"] = rnd.random() < 0.85
    if rnd.random() < 0.15:
        fields["price_limit"] = _money(rnd, 1500)
    if rnd.random() < 0.012:  # bad input, rare so that most requests answer
        name, value = rnd.choice(
            [
                ("frais_reels", Decimal("-1")),
                ("ss_paid", fr + 1),
                ("base_remboursement", Decimal("NaN")),
                ("quantity", 0),
                ("days", 0),
                ("eye", "middle"),
                ("ear", "up"),
                ("renewal", "caprice"),
                ("frame_amount", fr + 10),
                ("price_limit", Decimal("-5")),
                ("frais_reels", 12.5),
                ("other_paid", fr + 1),
                ("act", "no-such-act"),
                ("sphere", None),
            ]
        )
        fields[name] = value
    if fields.get("eye") is None:
        fields.pop("eye", None)
    if fields.get("ear") is None:
        fields.pop("ear", None)
    fields.setdefault("act", act)
    return CareLine(care_date=day, **fields)


def _day(rnd: random.Random, pool: list[dt.date], first: dt.date, claim: dt.date, history: bool) -> dt.date:
    span = (claim - first).days
    if rnd.random() < 0.3:
        return rnd.choice(pool)  # same days: equipments, counters
    if history:
        return first + dt.timedelta(days=rnd.randrange(0, span + 1))
    return claim - dt.timedelta(
        days=rnd.randrange(0, min(span, 900 if rnd.random() < 0.1 else 700) + 1)
    )  # some prescribed


def random_requests(count: int = RANDOM_REQUESTS, seed: int = SEED) -> list:
    from guarantees import catalogue
    from guarantees.engine import EngineRequest, Layer

    rnd = random.Random(seed)
    requests = []
    for _ in range(count):
        codes = rnd.choice(LAYERINGS)
        acts = catalogue.catalogue_acts(codes[0])
        claim = dt.date(2024, 1, 1) + dt.timedelta(days=rnd.randrange(0, 1090))
        birth = rnd.choice(
            (
                dt.date(1980, 5, 14),
                dt.date(1948, 2, 29),
                dt.date(1955, 12, 31),
                claim - dt.timedelta(days=rnd.randrange(365 * 3, 365 * 20)),
                claim - dt.timedelta(days=rnd.randrange(365 * 20, 365 * 80)),
            )
        )
        first = max(birth, claim - dt.timedelta(days=365 * 4))
        periods = rnd.random() < 0.25
        layers = []
        for i, code in enumerate(codes):
            start = end = None
            if periods:
                start = first + dt.timedelta(days=rnd.randrange(0, 200)) if i else first
                end = claim - dt.timedelta(days=rnd.randrange(0, 200)) if i and rnd.random() < 0.5 else None
            since = rnd.choice((None, dt.date(2015, 1, 1), dt.date(2021, 7, 1), claim - dt.timedelta(days=400)))
            layers.append(
                Layer(
                    catalogue.formula_rules(code),
                    role="principal" if i == 0 else "facultative",
                    start=start,
                    end=end,
                    since=since,
                )
            )
        span = (claim - first).days
        pool = [first + dt.timedelta(days=rnd.randrange(0, span + 1)) for _ in range(4)]

        history = [
            _random_line(rnd, acts, _day(rnd, pool, first, claim, True))
            for _ in range(rnd.choice((0, 0, 1, 3, 6, 12, 25)))
        ]
        lines = [
            _random_line(rnd, acts, _day(rnd, pool, first, claim, False))
            for _ in range(rnd.choice((1, 1, 2, 4, 6, 10, 16)))
        ]
        cover_start = cover_end = None
        if rnd.random() < 0.05:
            cover_start = first + dt.timedelta(days=rnd.randrange(0, 100))
        if rnd.random() < 0.05:
            cover_end = claim - dt.timedelta(days=rnd.randrange(0, 100))
        pmss = catalogue.pmss_table()
        if rnd.random() < 0.02:
            pmss = {year: value for year, value in pmss.items() if year != claim.year}
        requests.append(
            EngineRequest(
                layers=tuple(layers),
                birth_date=birth,
                claim_date=claim,
                lines=tuple(lines),
                history=tuple(history),
                pmss=pmss,
                cover_start=cover_start,
                cover_end=cover_end,
            )
        )
    return requests


def bench_digest() -> tuple[int, str]:
    """Line count and SHA-256 of the answers to the benchmark's own batch."""
    from tools.bench import guarantees as bench

    text = dumps(answer(bench._request()))
    return text.count('"index":'), hashlib.sha256(text.encode()).hexdigest()


def build() -> dict:
    cases = [
        {"request": encode_request(request), "answer": answer(request)}
        for request in worked_requests() + random_requests()
    ]
    count, digest = bench_digest()
    return {"seed": SEED, "cases": cases, "bench": {"lines": count, "sha256": digest}}


def load() -> dict:
    with gzip.open(DATA_FILE, "rt", encoding="utf-8") as handle:
        return json.load(handle)


def write() -> None:
    data = build()
    raw = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    DATA_FILE.parent.mkdir(exist_ok=True)
    with (
        open(DATA_FILE, "wb") as handle,
        gzip.GzipFile(fileobj=handle, mode="wb", compresslevel=9, mtime=0, filename="") as out,
    ):
        out.write(raw)
    cases = data["cases"]
    lines = sum(len(case["answer"].get("lines", ())) for case in cases)
    errors = sum("error" in case["answer"] for case in cases)
    print(
        f"{len(cases)} requests, {lines} answered lines, {errors} errors; {len(raw)} bytes -> {DATA_FILE.stat().st_size} gzipped"
    )


if __name__ == "__main__":
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")
    django.setup()
    if sys.argv[1:] != ["--write"]:
        sys.exit("usage: python -m tests.guarantees.regression --write  (regenerates the expected answers)")
    write()
