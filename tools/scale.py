"""A realistic data set at insurer scale, for benchmarks and load tests
(``python manage.py generate_scale --members 100000``; docs/bench.md).

What it writes, per household (one ``Member``):

* the member and 0 to 4 other covered persons (``Beneficiary``: spouse, children within
  the contract's age limits, with valid NIR keys from ``members.validators.nir_with_key``),
  a login account for most members (unusable password: the load test opens sessions
  directly), affiliations to the 7 formulas in realistic proportions, some options taken
  later than the base;
* ``years`` years of décomptes grouped by care episode (a GP visit and its pharmacy, an
  optical equipment, a hospital stay...), paid by NOEMIE, on paper or in tiers payant;
  the last few weeks still pending, and the yearly totals the importer maintains
  (``claims.YearTotal``). About 100 lines per member on average (10 million
  lines for 100,000 members), with a long tail: a few "heavy" households have thousands
  of décomptes, like a member with a chronic illness and 20 years of history;
* message threads with their messages (some unread, some waiting for a gestionnaire) and
  document metadata (``documents.PrivateFile``) for the attachments.

Amounts: every line's amounts, rule label, source and explanation come from the real
guarantee engine, computed once per (formulas in force, act, price variant, age band) on a
canonical line without history, and reused for every line of that kind. So each line is
exactly what the engine pays for such a line on its own; what the generator does not
replay is the history (annual counters, periodicities), which the importer does. Totals
of a décompte are the sums of its lines, reste à charge = FR - SS - complementary.

Attachments: every ``PrivateFile`` row points to ONE shared placeholder PDF in private
storage (``scale/justificatif.pdf``): the metadata is per file, the bytes are shared.

Writing: PostgreSQL ``COPY`` (psycopg 3) in one transaction, so a run is all or nothing.
The secondary indexes and foreign keys of the two big tables (décomptes and their lines)
are dropped at the start of that transaction and rebuilt (same definitions, read from the
catalogue) at the end, which is much faster than maintaining them row by row; then
``VACUUM ANALYZE``. Run it on a database that nobody else uses at the same time.

Idempotent: generated rows are recognised by their member numbers (``G`` + 9 digits) and
import batches (``generate_scale-YYYY``); a second run with data present changes nothing
unless ``--reset`` deletes the generated rows first.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import math
import queue
import random
import threading
import time
import unicodedata
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, models, transaction
from django.utils import timezone
from psycopg import sql

NUMBER_PREFIX = "G"
BATCH_PREFIX = "generate_scale"
GESTIONNAIRE_PREFIX = "gestion.scale."
PLACEHOLDER_NAME = "scale/justificatif.pdf"
HOUSEHOLDS_PER_CHUNK = 500
PARIS = dt.timezone(dt.timedelta(hours=1))  # timestamps only need to be plausible


class ScaleError(Exception):
    pass


@dataclass
class ScaleOptions:
    members: int = 100_000
    seed: int = 1412
    years: int = 20
    lines_per_member: float = 100.0
    today: dt.date | None = None
    vacuum: bool = True


@dataclass
class ScaleTotals:
    counts: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)

    def add(self, name: str, count: int) -> None:
        self.counts[name] = self.counts.get(name, 0) + count


# --------------------------------------------------------------------------- COPY text


def _esc(value) -> str:
    """One value in PostgreSQL's COPY text format."""
    if value is None:
        return r"\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    text = str(value)
    if "\\" in text or not text.isprintable():  # tab, newline and carriage return are not printable
        text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return text


def _cents(value: Decimal | str) -> int:
    return int((Decimal(value) * 100).to_integral_value())


def _money(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    return f"{sign}{cents // 100}.{cents % 100:02d}"


class Table:
    """A model's table as COPY sees it: the columns the generator fills, then every other
    concrete column with its default, so that a field added later with a default does not
    break the generator (a required field without default stops it with a clear error)."""

    def __init__(self, model: type[models.Model], columns: list[str]) -> None:
        self.model = model
        self.name = model._meta.db_table
        concrete = {f.column: f for f in model._meta.concrete_fields}
        unknown = [c for c in columns if c not in concrete]
        if unknown:
            raise ScaleError(f"{self.name} has no column {unknown}: tools.scale is out of date")
        extras, values = [], []
        for column, model_field in concrete.items():
            if column in columns:
                continue
            extras.append(column)
            values.append(_esc(self._default(model_field)))
        self.columns = columns + extras
        self.suffix = "".join("\t" + v for v in values) + "\n"
        self.rows: list[str] = []

    @staticmethod
    def _default(model_field):
        if model_field.has_default():
            value = model_field.get_default()
            if isinstance(model_field, models.JSONField):
                return json.dumps(value)
            if isinstance(value, dt.datetime):
                return value.isoformat()
            return value
        if model_field.null:
            return None
        if isinstance(model_field, (models.CharField, models.TextField)) and model_field.blank:
            return ""
        raise ScaleError(
            f"{model_field.model._meta.db_table}.{model_field.column} is required and has no default: "
            "teach tools.scale how to fill it"
        )

    def add(self, *values: str) -> None:
        """Values already in COPY text format (see ``_esc``)."""
        self.rows.append("\t".join(values) + self.suffix)

    def add_raw(self, text: str) -> None:
        """A row's leading columns already joined by tabs, without the suffix."""
        self.rows.append(text + self.suffix)

    def take(self) -> tuple[str, list[str]]:
        """The COPY statement and the rows gathered so far (which are then forgotten)."""
        rows, self.rows = self.rows, []
        return f'COPY "{self.name}" ({", ".join(chr(34) + c + chr(34) for c in self.columns)}) FROM STDIN', rows


def _copy(cursor, sql: str, rows: list[str]) -> None:
    if not rows:
        return
    with cursor.copy(sql) as copy:
        for start in range(0, len(rows), 5000):
            copy.write("".join(rows[start : start + 5000]))


class CopyWriter(threading.Thread):
    """Runs the COPY statements in a thread on the same connection (hence the same
    transaction) while the main thread generates the next households: PostgreSQL parses
    and stores one chunk while Python builds the next one (2 cores: both stay busy)."""

    def __init__(self, raw_connection) -> None:
        super().__init__(name="generate_scale-copy", daemon=True)
        self.raw_connection = raw_connection
        self.queue: queue.Queue = queue.Queue(maxsize=2)
        self.error: BaseException | None = None
        self.busy_seconds = 0.0

    def run(self) -> None:
        while (work := self.queue.get()) is not None:
            if self.error is not None:
                continue  # drain: the main thread raises at its next put
            started = time.perf_counter()
            try:
                with self.raw_connection.cursor() as cursor:
                    for sql, rows in work:
                        _copy(cursor, sql, rows)
            except BaseException as error:  # handed to the main thread
                self.error = error
            self.busy_seconds += time.perf_counter() - started

    def put(self, work: list[tuple[str, list[str]]]) -> None:
        if self.error is not None:
            raise self.error
        self.queue.put(work)

    def finish(self) -> None:
        self.queue.put(None)
        self.join()
        if self.error is not None:
            raise self.error


def _next_ids(cursor, table: str) -> int:
    cursor.execute(sql.SQL("SELECT COALESCE(MAX(id), 0) FROM {}").format(sql.Identifier(table)))
    return cursor.fetchone()[0] + 1


def _sync_sequence(cursor, table: str) -> None:
    cursor.execute(
        sql.SQL("SELECT setval(pg_get_serial_sequence({}, 'id'), GREATEST(COALESCE(MAX(id), 0), 1)) FROM {}").format(
            sql.Literal(f'"{table}"'), sql.Identifier(table)
        )
    )


# --------------------------------------------------------------------------- reference pools

CITIES = [
    ("Paris", "75011", "75"),
    ("Paris", "75015", "75"),
    ("Paris", "75018", "75"),
    ("Marseille", "13008", "13"),
    ("Lyon", "69003", "69"),
    ("Toulouse", "31000", "31"),
    ("Nice", "06000", "06"),
    ("Nantes", "44000", "44"),
    ("Montpellier", "34000", "34"),
    ("Strasbourg", "67000", "67"),
    ("Bordeaux", "33000", "33"),
    ("Lille", "59000", "59"),
    ("Rennes", "35000", "35"),
    ("Reims", "51100", "51"),
    ("Toulon", "83000", "83"),
    ("Saint-Étienne", "42000", "42"),
    ("Le Havre", "76600", "76"),
    ("Grenoble", "38000", "38"),
    ("Dijon", "21000", "21"),
    ("Angers", "49000", "49"),
    ("Nîmes", "30000", "30"),
    ("Villeurbanne", "69100", "69"),
    ("Clermont-Ferrand", "63000", "63"),
    ("Le Mans", "72000", "72"),
    ("Aix-en-Provence", "13100", "13"),
    ("Brest", "29200", "29"),
    ("Tours", "37000", "37"),
    ("Amiens", "80000", "80"),
    ("Limoges", "87000", "87"),
    ("Annecy", "74000", "74"),
    ("Perpignan", "66000", "66"),
    ("Metz", "57000", "57"),
    ("Besançon", "25000", "25"),
    ("Orléans", "45000", "45"),
    ("Rouen", "76000", "76"),
    ("Mulhouse", "68100", "68"),
    ("Caen", "14000", "14"),
    ("Nancy", "54000", "54"),
    ("Argenteuil", "95100", "95"),
    ("Montreuil", "93100", "93"),
    ("Roubaix", "59100", "59"),
    ("Avignon", "84000", "84"),
    ("Poitiers", "86000", "86"),
    ("Pau", "64000", "64"),
    ("La Rochelle", "17000", "17"),
    ("Vannes", "56000", "56"),
    ("Bayonne", "64100", "64"),
    ("Ajaccio", "20000", "2A"),
    ("Bastia", "20200", "2B"),
    ("Colmar", "68000", "68"),
]
CAISSES = {"75": "CPAM de Paris", "13": "CPAM des Bouches-du-Rhône", "69": "CPAM du Rhône", "59": "CPAM du Nord"}
BANKS = [
    ("30006", "00001"),
    ("30004", "00820"),
    ("20041", "01005"),
    ("10278", "06076"),
    ("30003", "02950"),
    ("11315", "00001"),
    ("16606", "10010"),
    ("42559", "10000"),
]
PRACTITIONERS = {
    "doctor": [
        "Dr Martin",
        "Dr Bernard",
        "Dr Petit",
        "Dr Durand",
        "Dr Leroy",
        "Dr Moreau",
        "Dr Simon",
        "Dr Laurent",
        "Dr Lefebvre",
        "Dr Michel",
        "Dr Garcia",
        "Dr David",
        "Dr Bertrand",
        "Dr Roux",
        "Dr Vincent",
        "Dr Fournier",
    ],
    "pharmacy": [
        "Pharmacie du Centre",
        "Pharmacie de la Gare",
        "Pharmacie des Halles",
        "Grande Pharmacie",
        "Pharmacie du Marché",
        "Pharmacie de la Mairie",
    ],
    "lab": ["Laboratoire Cerballiance", "Laboratoire Biogroup", "Laboratoire Eurofins Biomnis", "Laboratoire Synlab"],
    "paramedical": ["Cabinet de kinésithérapie Morel", "Cabinet infirmier Girard", "Cabinet Fontaine"],
    "dentist": ["Dr Mercier (chirurgien-dentiste)", "Dr Blanc (chirurgien-dentiste)", "Centre dentaire Lumière"],
    "optician": ["Optique Lafayette", "Atol Les Opticiens", "Krys", "Optic 2000", "Les Opticiens Mutualistes"],
    "hospital": [
        "Clinique Saint-Joseph",
        "Hôpital Édouard-Herriot",
        "Clinique du Parc",
        "CHU de Bordeaux",
        "Hôpital privé Jean-Mermoz",
        "Clinique Pasteur",
    ],
    "imaging": ["Centre d'imagerie médicale Bellecour", "Cabinet de radiologie du Parc"],
    "therapist": ["M. Rousseau (ostéopathe)", "Mme Colin (ostéopathe)", "Mme Perrin (acupunctrice)"],
    "hearing": ["Audika", "Amplifon", "Entendre"],
    "transport": ["Ambulances du Rhône", "Taxi conventionné Martin"],
}

# --------------------------------------------------------------------------- acts and episodes

# A price variant: (frais réels, base de remboursement, SS paid, engine details).
Variant = tuple[str, str, str, dict]
# act key -> (practitioner kind, variants); SS amounts follow the usual rates (70 % minus
# the 2 € participation forfaitaire for a consultation, 60 % for labs and auxiliaries,
# 65 % for most drugs, 80 % or 100 % at the hospital...).
ACTS: dict[str, tuple[str, list[Variant]]] = {
    "consultation-generaliste": (
        "doctor",
        [
            ("30.00", "30.00", "19.00", {"optam": True}),
            ("30.00", "30.00", "19.00", {"optam": True}),
            ("35.00", "30.00", "19.00", {"optam": True}),
            ("50.00", "30.00", "19.00", {"optam": False}),
        ],
    ),
    "consultation-specialiste": (
        "doctor",
        [
            ("31.50", "31.50", "20.05", {"optam": True}),
            ("50.00", "31.50", "20.05", {"optam": True}),
            ("70.00", "31.50", "20.05", {"optam": False}),
            ("90.00", "31.50", "20.05", {"optam": False}),
        ],
    ),
    "acte-technique": (
        "doctor",
        [
            ("46.00", "46.00", "32.20", {"optam": True}),
            ("120.00", "69.12", "48.38", {"optam": True}),
            ("150.00", "69.12", "48.38", {"optam": False}),
        ],
    ),
    "imagerie": (
        "imaging",
        [
            ("25.27", "25.27", "17.69", {"optam": True}),
            ("56.70", "56.70", "39.69", {"optam": True}),
            ("90.00", "69.50", "48.65", {"optam": False}),
        ],
    ),
    "analyses": (
        "lab",
        [("18.90", "18.90", "11.34", {}), ("32.40", "32.40", "19.44", {}), ("54.00", "54.00", "32.40", {})],
    ),
    "auxiliaires-medicaux": (
        "paramedical",
        [("16.13", "16.13", "9.68", {}), ("48.39", "48.39", "29.03", {}), ("21.50", "16.13", "9.68", {})],
    ),
    "pharmacie": (
        "pharmacy",
        [
            ("3.90", "3.90", "2.54", {}),
            ("8.52", "8.52", "5.54", {}),
            ("14.60", "14.60", "9.49", {}),
            ("32.10", "32.10", "20.87", {}),
            ("65.00", "65.00", "42.25", {}),
            ("12.80", "12.80", "3.84", {}),
        ],
    ),
    "soins-dentaires": (
        "dentist",
        [("28.92", "28.92", "17.35", {}), ("33.74", "33.74", "20.24", {}), ("50.00", "50.00", "30.00", {})],
    ),
    "prothese": (
        "dentist",
        [("500.00", "120.00", "72.00", {}), ("650.00", "120.00", "72.00", {}), ("800.00", "120.00", "72.00", {})],
    ),
    "monture": (
        "optician",
        [("90.00", "0.05", "0.03", {}), ("150.00", "0.05", "0.03", {}), ("250.00", "0.05", "0.03", {})],
    ),
    "verres": (
        "optician",
        [
            ("120.00", "0.10", "0.06", {"eye": "both", "sphere": "-1.50"}),
            ("240.00", "0.10", "0.06", {"eye": "both", "sphere": "-3.00"}),
            ("380.00", "0.10", "0.06", {"eye": "both", "sphere": "-5.50"}),
        ],
    ),
    "optique-equipement": (
        "optician",
        [
            ("300.00", "0.15", "0.09", {"eye": "both", "sphere": "-2.00", "frame_amount": "100.00"}),
            ("450.00", "0.15", "0.09", {"eye": "both", "sphere": "-4.00", "frame_amount": "150.00"}),
        ],
    ),
    "osteopathie": (
        "therapist",
        [("55.00", "0.00", "0.00", {}), ("65.00", "0.00", "0.00", {}), ("75.00", "0.00", "0.00", {})],
    ),
    "frais-sejour": (
        "hospital",
        [
            ("1200.00", "1200.00", "960.00", {"conventionne": True}),
            ("3500.00", "3500.00", "2800.00", {"conventionne": True}),
        ],
    ),
    "honoraires-chirurgicaux": (
        "hospital",
        [("250.00", "250.00", "250.00", {"optam": True}), ("900.00", "600.00", "600.00", {"optam": False})],
    ),
    "forfait-actes-lourds": ("hospital", [("24.00", "0.00", "0.00", {})]),
    "forfait-journalier": (
        "hospital",
        [("40.00", "0.00", "0.00", {}), ("60.00", "0.00", "0.00", {}), ("100.00", "0.00", "0.00", {})],
    ),
    "chambre-particuliere": (
        "hospital",
        [("150.00", "0.00", "0.00", {"days": 2}), ("300.00", "0.00", "0.00", {"days": 4})],
    ),
    "transport": ("transport", [("45.00", "45.00", "29.25", {}), ("120.00", "120.00", "78.00", {})]),
    "vaccins": ("pharmacy", [("35.00", "0.00", "0.00", {}), ("110.00", "0.00", "0.00", {})]),
    "protheses-auditives": (
        "hearing",
        [("1500.00", "400.00", "240.00", {"ear": "right"}), ("2800.00", "800.00", "480.00", {"ear": "both"})],
    ),
}
# The generic act keys above, as each notice names them.
NOTICE_ACTS = {
    "004": {"prothese": "prothese-couronne-bridge", "optique-equipement": None},
    "003": {
        "consultation-generaliste": "consultation",
        "consultation-specialiste": "consultation",
        "honoraires-chirurgicaux": "honoraires-hospitalisation",
        "prothese": "prothese-honoraires-libres",
        "monture": None,
        "verres": None,
        "optique-equipement": "optique-classe-b",
        "protheses-auditives": "aide-auditive-classe-2",
    },
}
# Care episodes, each one décompte: (weight, [(act key, probability, max count)]).
EPISODES = {
    "generaliste": (36, [("consultation-generaliste", 1.0, 1), ("pharmacie", 0.65, 3)]),
    "specialiste": (11, [("consultation-specialiste", 1.0, 1), ("acte-technique", 0.3, 1), ("pharmacie", 0.4, 2)]),
    "pharmacie": (22, [("pharmacie", 1.0, 4)]),
    "analyses": (8, [("analyses", 1.0, 2)]),
    "imagerie": (4, [("imagerie", 1.0, 2)]),
    "auxiliaires": (6, [("auxiliaires-medicaux", 1.0, 3)]),
    "dentaire": (6, [("soins-dentaires", 1.0, 2), ("prothese", 0.12, 1)]),
    "optique": (1.6, [("monture", 1.0, 1), ("verres", 1.0, 1), ("optique-equipement", 1.0, 1)]),
    "douce": (2.2, [("osteopathie", 1.0, 1)]),
    "hospitalisation": (
        1.0,
        [
            ("honoraires-chirurgicaux", 1.0, 1),
            ("frais-sejour", 1.0, 1),
            ("forfait-actes-lourds", 0.5, 1),
            ("forfait-journalier", 1.0, 1),
            ("chambre-particuliere", 0.6, 1),
            ("transport", 0.3, 1),
        ],
    ),
    "audition": (0.25, [("protheses-auditives", 1.0, 1)]),
    "vaccins": (1.0, [("vaccins", 1.0, 1)]),
}
ADULT_ONLY_EPISODES = {"optique", "audition"}
AGE_BANDS = {"child": dt.date(2015, 1, 1), "adult": dt.date(1980, 1, 1), "senior": dt.date(1950, 1, 1)}
CANONICAL_CARE = dt.date(2025, 6, 2)

# Formulas: (principal, optional or None, weight) per contract.
FORMULA_MIX = {
    "T331": [
        ("IDCC1412-BASE", None, 45),
        ("IDCC1412-BASE", "IDCC1412-OPTION", 22),
        ("IDCC1412-BASE", "IDCC1412-CELSIUS", 20),
        ("IDCC1412-BASE", "IDCC1412-KELVIN", 13),
    ],
    "003 E0135004": [("CCOOP-BASE", None, 35), ("CCOOP-OPT1", None, 40), ("CCOOP-OPT2", None, 25)],
}
CONTRACT_MIX = [("T331", 80), ("003 E0135004", 20)]

MEMBER_MESSAGES = [
    "Bonjour, je n'ai pas reçu le remboursement de mes soins du mois dernier. Pouvez-vous vérifier ?",
    "Bonjour, vous trouverez ci-joint la facture demandée. Merci de votre retour.",
    "Bonjour, je ne comprends pas le montant remboursé sur mon dernier décompte.",
    "Bonjour, pouvez-vous me confirmer la prise en charge de cet équipement optique ?",
    "Bonjour, je souhaite ajouter mon enfant à mon contrat. Quels documents dois-je fournir ?",
    "Bonjour, j'ai changé de banque, je vous envoie mon nouveau RIB.",
    "Merci pour votre réponse. Je vous envoie le document manquant.",
]
GESTIONNAIRE_MESSAGES = [
    "Bonjour, nous avons bien reçu votre demande. Le remboursement a été effectué ce jour.",
    "Bonjour, pour traiter votre demande, merci de nous transmettre la facture détaillée et acquittée.",
    "Bonjour, le montant correspond à la garantie de votre contrat, déduction faite du remboursement de la Sécurité sociale.",
    "Bonjour, votre demande a été prise en compte. Vous recevrez un décompte sous 8 jours ouvrés.",
    "Bonjour, nous avons mis à jour votre dossier. Nous restons à votre disposition.",
]
ATTACHMENT_NAMES = [
    "facture.pdf",
    "ordonnance.pdf",
    "rib.pdf",
    "devis-optique.pdf",
    "decompte-secu.pdf",
    "attestation-droits.pdf",
    "facture-osteopathe.pdf",
]


def _weighted(rng: random.Random, choices: list[tuple]) -> tuple:
    total = sum(c[-1] for c in choices)
    pick = rng.random() * total
    for choice in choices:
        pick -= choice[-1]
        if pick < 0:
            return choice
    return choices[-1]


def _ascii(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if c.isascii() and (c.isalnum() or c in "-.")).lower()


def _iban(bank: str, branch: str, account: str) -> str:
    """A French IBAN with a valid RIB key and IBAN check digits."""
    letters = {c: str((ord(c) - 55) % 9 + 1 if c.isalpha() else c) for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"}
    numeric_account = "".join(letters[c] for c in account)
    rib_key = 97 - (89 * int(bank) + 15 * int(branch) + 3 * int(numeric_account)) % 97
    bban = f"{bank}{branch}{account}{rib_key:02d}"
    check = 98 - int("".join(str(int(c, 36)) for c in bban + "FR00")) % 97
    return f"FR{check:02d}{bban}"


# --------------------------------------------------------------------------- canonical lines


@dataclass(frozen=True)
class LineTemplate:
    """The constant part of a line in COPY text format, and its amounts in cents."""

    text: str
    frais_reels: int
    ss: int
    complementary: int


class Canonical:
    """The engine's answer for a canonical line, per (formulas in force, act, variant, age
    band), computed on first use: the generator reuses it for every line of that kind."""

    def __init__(self) -> None:
        from guarantees import catalogue

        self.catalogue = catalogue
        self.cache: dict[tuple, LineTemplate | None] = {}
        self.layers: dict[tuple[str, ...], tuple] = {}
        self.engine_calls = 0

    def _layers(self, codes: tuple[str, ...]):
        from guarantees.engine import Layer

        found = self.layers.get(codes)
        if found is None:
            start = dt.date(2000, 1, 1)
            found = self.layers[codes] = tuple(
                Layer(
                    self.catalogue.formula_rules(code),
                    role="principal" if index == 0 else "facultative",
                    start=start,
                    since=start,
                )
                for index, code in enumerate(codes)
            )
        return found

    def template(self, codes: tuple[str, ...], generic: str, variant: int, band: str) -> LineTemplate | None:
        """``generic``: a key of ACTS; the act code is the notice's name for it."""
        key = (codes, generic, variant, band)
        if key in self.cache:
            return self.cache[key]
        self.cache[key] = found = self._compute(codes, generic, variant, band)
        return found

    def _compute(self, codes, generic, variant, band) -> LineTemplate | None:
        from guarantees.engine import CareLine, EngineError, EngineRequest, compute

        act = _notice_act_names(self._notice(codes))[generic]
        if act is None:
            return None
        fr, br, ss, details = ACTS[generic][1][variant]
        engine_details = {k: (Decimal(v) if k in ("sphere", "frame_amount") else v) for k, v in details.items()}
        line = CareLine(
            act=act,
            care_date=CANONICAL_CARE,
            frais_reels=Decimal(fr),
            base_remboursement=Decimal(br),
            ss_paid=Decimal(ss),
            **engine_details,
        )
        request = EngineRequest(
            layers=self._layers(codes),
            birth_date=AGE_BANDS[band],
            claim_date=CANONICAL_CARE + dt.timedelta(days=7),
            lines=(line,),
            pmss=self.catalogue.pmss_table(),
        )
        self.engine_calls += 1
        try:
            result = compute(request)[0]
        except EngineError:
            return None
        rule = result.rule
        category = "Autres"
        for code in codes:
            rows = self.catalogue.formula_rules(code).rows_by_act.get(act)
            if rows:
                category = rows[0].category.capitalize()
                break
        quantity = 1
        complementary = _money(_cents(result.complementary))
        text = "\t".join(
            _esc(v)
            for v in (
                act,
                result.label[:200],
                category,
                quantity,
                fr,
                br,
                ss,
                complementary,
                complementary,
                _money(_cents(result.reste_a_charge)),
                (rule.source if rule else "")[:300],
                f"Notice {rule.notice}, ligne {rule.line}" if rule else "",
                "\n".join(layer.explanation for layer in result.layers),
                json.dumps([limit.to_dict() for limit in result.limits], ensure_ascii=False),
                json.dumps(details, ensure_ascii=False),
            )
        )
        return LineTemplate(text, _cents(fr), _cents(ss), _cents(result.complementary))

    @staticmethod
    def _notice(codes: tuple[str, ...]) -> str:
        return "003" if codes[0].startswith("CCOOP") else "004"


def _notice_act_names(notice: str) -> dict[str, str | None]:
    renames = NOTICE_ACTS[notice]
    return {key: renames.get(key, key) for key in ACTS}


LINE_TEMPLATE_COLUMNS = [
    "act_code",
    "act_label",
    "category",
    "quantity",
    "frais_reels",
    "base_remboursement",
    "ss_paid",
    "complementary_paid",
    "computed_complementary",
    "reste_a_charge",
    "rule_label",
    "rule_source",
    "explanation",
    "limits",
    "engine_details",
]


# --------------------------------------------------------------------------- households


@dataclass
class Person:
    id: int
    relationship: str
    birth: dt.date
    cover_start: dt.date
    cover_end: dt.date | None
    noemie: str
    weight: float = 1.0


@dataclass
class Household:
    index: int
    member_id: int
    number: str
    contract: str
    principal: str
    optional: str | None
    start: dt.date
    optional_start: dt.date | None
    end: dt.date | None
    status: str
    user_id: int | None
    activity: float
    holder_birth: dt.date = dt.date(1980, 1, 1)
    retiree: bool = False
    people: list[Person] = field(default_factory=list)
    names: list[tuple] = field(default_factory=list)  # (first name, sex, child situation, NIR, rank) per person
    last_name: str = ""
    address: tuple[str, str, str, str] = ("", "", "", "")  # street, postcode, city, département
    iban_masked: str = ""
    expected_lines: float = 0.0

    def codes_on(self, day: dt.date) -> tuple[str, ...]:
        if self.optional and self.optional_start and day >= self.optional_start:
            return (self.principal, self.optional)
        return (self.principal,)


def _age(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


class Generator:
    def __init__(self, options: ScaleOptions, write: Callable[[str], None]) -> None:
        self.options = options
        self.write = write
        self.rng = random.Random(options.seed)
        self.today = options.today or timezone.localdate()
        self.first_day = _add_years(self.today, -options.years)
        self.totals = ScaleTotals()
        self.canonical = Canonical()
        self.nir_order = 0
        self.date_text: dict[int, str] = {}
        self._names()

    # ----------------------------------------------------------------- pools

    def _names(self) -> None:
        from faker import Faker

        fake = Faker("fr_FR")
        fake.seed_instance(self.options.seed)
        self.last_names = sorted({fake.last_name() for _ in range(3000)})
        self.female_names = sorted({fake.first_name_female() for _ in range(800)})
        self.male_names = sorted({fake.first_name_male() for _ in range(800)})
        self.streets = [fake.street_address() for _ in range(2000)]

    def _day(self, day: dt.date) -> str:
        ordinal = day.toordinal()
        text = self.date_text.get(ordinal)
        if text is None:
            text = self.date_text[ordinal] = day.isoformat()
        return text

    def _random_day(self, start: dt.date, end: dt.date) -> dt.date:
        span = (end - start).days
        return start + dt.timedelta(days=int(self.rng.random() * (span + 1))) if span > 0 else start

    def _nir(self, sex: int, birth: dt.date, dept: str) -> str:
        from members.validators import nir_with_key

        self.nir_order += 1
        commune = 1 + self.nir_order // 1000 % 999
        return nir_with_key(f"{sex}{birth:%y}{birth:%m}{dept}{commune:03d}{self.nir_order % 1000:03d}")

    # ----------------------------------------------------------------- run

    def run(self) -> ScaleTotals:
        from claims.models import Decompte, DecompteLine, ImportBatch, YearTotal
        from documents.models import PrivateFile
        from members.models import Affiliation, Beneficiary, Contract, Formula, Member
        from messaging.models import Message, Thread, Topic

        started = time.perf_counter()
        User = get_user_model()
        self.contract_ids = {c.number: c.pk for c in Contract.objects.filter(number__in=dict(CONTRACT_MIX))}
        self.formula_ids = {f.code: f.pk for f in Formula.objects.all()}
        missing = {code for mix in FORMULA_MIX.values() for p, o, _ in mix for code in (p, o) if code} - set(
            self.formula_ids
        )
        if len(self.contract_ids) != len(CONTRACT_MIX) or missing:
            raise ScaleError("Reference data is missing: run `manage.py load_reference` first.")
        self.topics = list(Topic.objects.filter(active=True).values_list("pk", "category_id"))
        if not self.topics:
            raise ScaleError("Messaging objets are missing: run `manage.py load_reference` first.")
        self.placeholder = _placeholder_file()

        self.tables = {
            "user": Table(
                User,
                [
                    "id",
                    "password",
                    "is_superuser",
                    "username",
                    "first_name",
                    "last_name",
                    "email",
                    "is_staff",
                    "is_active",
                    "date_joined",
                ],
            ),
            "member": Table(
                Member,
                [
                    "id",
                    "number",
                    "contract_id",
                    "email",
                    "phone",
                    "address_line1",
                    "postcode",
                    "city",
                    "iban",
                    "bic",
                    "status",
                    "status_since",
                    "cover_end_date",
                    "created_at",
                    "user_id",
                ],
            ),
            "beneficiary": Table(
                Beneficiary,
                [
                    "id",
                    "member_id",
                    "relationship",
                    "child_situation",
                    "civility",
                    "first_name",
                    "last_name",
                    "birth_date",
                    "nir",
                    "caisse",
                    "rank",
                    "noemie_status",
                    "noemie_reason",
                    "cover_start",
                    "cover_end",
                ],
            ),
            "affiliation": Table(Affiliation, ["id", "member_id", "formula_id", "role", "start_date", "end_date"]),
            "decompte": Table(
                Decompte,
                [
                    "id",
                    "external_id",
                    "member_id",
                    "batch_id",
                    "status",
                    "origin",
                    "payee",
                    "payee_name",
                    "payment_date",
                    "documents_complete_on",
                    "iban_masked",
                    "first_care_date",
                    "total_frais_reels",
                    "total_ss",
                    "total_complementary",
                    "total_rac",
                    "content_hash",
                    "created_at",
                ],
            ),
            "line": Table(
                DecompteLine,
                [
                    "id",
                    "decompte_id",
                    "beneficiary_id",
                    "line_number",
                    "care_date",
                    "practitioner",
                    *LINE_TEMPLATE_COLUMNS,
                ],
            ),
            "thread": Table(
                Thread,
                [
                    "id",
                    "member_id",
                    "beneficiary_id",
                    "category_id",
                    "topic_id",
                    "status",
                    "assigned_to_id",
                    "created_at",
                    "last_message_at",
                    "waiting_since",
                    "closed_at",
                ],
            ),
            "message": Table(
                Message, ["id", "thread_id", "author_id", "from_member", "body", "created_at", "read_by_member_at"]
            ),
            "file": Table(
                PrivateFile,
                [
                    "id",
                    "member_id",
                    "purpose",
                    "original_name",
                    "content_type",
                    "extension",
                    "size",
                    "sha256",
                    "file",
                    "uploaded_by_id",
                    "created_at",
                ],
            ),
        }
        attachments = Message.attachments.through
        self.tables["attachment"] = Table(attachments, ["id", "message_id", "privatefile_id"])
        self.tables["year_total"] = Table(
            YearTotal, ["id", "member_id", "year", "frais_reels", "ss", "complementary", "reste_a_charge"]
        )

        with transaction.atomic(), connection.cursor() as django_cursor:
            cursor = django_cursor.cursor  # the psycopg cursor, for COPY
            cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
            dropped = _drop_secondary(cursor, [self.tables["decompte"].name, self.tables["line"].name])
            self.ids = {name: _next_ids(cursor, table.name) for name, table in self.tables.items() if name != "file"}
            self.gestionnaires = self._gestionnaires()
            self.batches = self._batches(ImportBatch)
            self._households_and_history(cursor, started)
            rebuild_started = time.perf_counter()
            self.write(f"rebuilding {len(dropped)} indexes and foreign keys of the décomptes tables ...")
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # ALTER TABLE refuses pending deferred checks
            _restore_secondary(cursor, dropped)
            self.totals.seconds["rebuilding indexes and foreign keys"] = time.perf_counter() - rebuild_started
            for name, table in self.tables.items():
                if name != "file":
                    _sync_sequence(cursor, table.name)
            self._batch_counts()
        self.totals.seconds["transaction: generation, COPY, indexes"] = time.perf_counter() - started
        if self.options.vacuum:
            vacuum_started = time.perf_counter()
            self.write("VACUUM ANALYZE of the generated tables ...")
            with connection.cursor() as cursor:
                for table in self.tables.values():
                    cursor.execute(f'VACUUM ANALYZE "{table.name}"')
            self.totals.seconds["VACUUM ANALYZE"] = time.perf_counter() - vacuum_started
        self.totals.seconds["total"] = time.perf_counter() - started
        self.totals.counts["engine computations"] = self.canonical.engine_calls
        return self.totals

    def _gestionnaires(self) -> list[int]:
        from django.contrib.auth.models import Group

        from core.access import GESTIONNAIRE_GROUP

        User = get_user_model()
        group = Group.objects.filter(name=GESTIONNAIRE_GROUP).first()
        ids = []
        for index in range(1, 26):
            user, created = User.objects.get_or_create(
                username=f"{GESTIONNAIRE_PREFIX}{index:02d}",
                defaults={
                    "email": f"gestion.scale.{index:02d}@example.fr",
                    "is_staff": True,
                    "first_name": self.rng.choice(self.female_names),
                    "last_name": self.rng.choice(self.last_names),
                },
            )
            if created:
                user.set_unusable_password()
                user.save(update_fields=["password"])
                if group is not None:
                    user.groups.add(group)
            ids.append(user.pk)
        self.ids["user"] = max(self.ids["user"], max(ids) + 1)
        return ids

    def _batches(self, ImportBatch) -> dict[int, int]:
        batches = {}
        for year in range(self.first_day.year, self.today.year + 1):
            batch, _ = ImportBatch.objects.get_or_create(
                file_name=f"{BATCH_PREFIX}-{year}.csv",
                defaults={
                    "sha256": hashlib.sha256(f"{BATCH_PREFIX}-{year}".encode()).hexdigest(),
                    "status": "accepte",
                    "created_at": dt.datetime(year, 12, 31, 23, 0, tzinfo=PARIS),
                },
            )
            batches[year] = batch.pk
        self.batch_counts = {pk: [0, 0] for pk in batches.values()}
        return batches

    def _batch_counts(self) -> None:
        from django.db.models import F

        from claims.models import ImportBatch

        for batch_id, (decomptes, lines) in self.batch_counts.items():
            ImportBatch.objects.filter(pk=batch_id).update(
                created_count=F("created_count") + decomptes, line_count=F("line_count") + lines
            )

    # ----------------------------------------------------------------- households

    def _households_and_history(self, cursor, started: float) -> None:
        count = self.options.members
        households = [self._household(index) for index in range(count)]
        self._plan_lines(households)
        writer = CopyWriter(cursor.connection)
        writer.start()
        try:
            for chunk_start in range(0, count, HOUSEHOLDS_PER_CHUNK):
                for household in households[chunk_start : chunk_start + HOUSEHOLDS_PER_CHUNK]:
                    self._write_household(household)
                    self._write_history(household)
                    self._write_messages(household)
                work = []
                for name, table in self.tables.items():
                    self.totals.add(name, len(table.rows))
                    work.append(table.take())
                writer.put(work)
                done = min(count, chunk_start + HOUSEHOLDS_PER_CHUNK)
                if done == count or done % (HOUSEHOLDS_PER_CHUNK * 10) == 0:
                    elapsed = time.perf_counter() - started
                    self.write(
                        f"{done:>7} / {count} households, {self.totals.counts.get('decompte', 0):>9} décomptes, "
                        f"{self.totals.counts.get('line', 0):>10} lines, {self.totals.counts.get('message', 0):>8} "
                        f"messages - {elapsed:6.0f} s (COPY busy {writer.busy_seconds:5.0f} s), "
                        f"about {elapsed / done * (count - done):5.0f} s left"
                    )
        finally:
            writer.finish()
        self.totals.seconds["COPY (in parallel with the generation)"] = writer.busy_seconds

    def _household(self, index: int) -> Household:
        rng = self.rng
        contract = _weighted(rng, CONTRACT_MIX)[0]
        principal, optional, _ = _weighted(rng, FORMULA_MIX[contract])
        retiree = contract != "T331"
        latest_start = self.today - dt.timedelta(days=180)
        start = self.first_day if rng.random() < 0.35 else self._random_day(self.first_day, latest_start)
        start = start.replace(day=1)
        if retiree:
            holder_birth = self._random_day(_add_years(self.today, -90), _add_years(self.today, -62))
        else:
            holder_birth = self._random_day(_add_years(self.today, -64), _add_years(self.today, -22))
            holder_birth = min(holder_birth, _add_years(start, -18))
        status, end = ("retraite" if retiree else "actif"), None
        roll = rng.random()
        earliest_end, latest_end = start + dt.timedelta(days=365), self.today - dt.timedelta(days=30)
        if roll < 0.06 and earliest_end < latest_end:
            status, end = "radie", self._random_day(earliest_end, latest_end)
        elif not retiree and roll < 0.08:
            status = "portabilite"
        optional_start = None
        if optional:
            optional_start = start
            if rng.random() < 0.2:
                optional_start = self._random_day(start, end or self.today).replace(day=1)
        activity = math.exp(rng.gauss(0, 0.55))
        if rng.random() < 0.001:  # a chronic illness: a few thousand décomptes in 20 years
            activity *= 25
        member_id = self.ids["member"] + index
        household = Household(
            index=index,
            member_id=member_id,
            number=f"{NUMBER_PREFIX}{index + 1:09d}",
            contract=contract,
            principal=principal,
            optional=optional,
            start=start,
            optional_start=optional_start,
            end=end,
            status=status,
            user_id=None,
            activity=activity,
            holder_birth=holder_birth,
            retiree=retiree,
        )
        return household

    def _plan_lines(self, households: list[Household]) -> None:
        """People first (their cover periods weigh the history), then how many lines each
        household gets so that the average is ``lines_per_member``."""
        for household in households:
            self._people(household)
        exposure = []
        for household in households:
            total = 0.0
            for person in household.people:
                first = max(person.cover_start, self.first_day)
                last = min(person.cover_end or self.today, household.end or self.today)
                years = max(0.0, (last - first).days / 365.25)
                total += years * person.weight
            exposure.append(total * household.activity)
        scale = self.options.lines_per_member * len(households) / max(sum(exposure), 1e-9)
        for household, value in zip(households, exposure, strict=True):
            household.expected_lines = value * scale

    def _people(self, household: Household) -> None:
        rng = self.rng
        holder_sex = 1 if rng.random() < 0.48 else 2
        last_name = rng.choice(self.last_names)
        people = [("assure", holder_sex, household.holder_birth, "", household.start)]
        partner_chance = 0.6 if household.retiree else 0.55
        if rng.random() < partner_chance:
            birth = household.holder_birth + dt.timedelta(days=int(rng.gauss(0, 4 * 365)))
            birth = min(birth, _add_years(self.today, -19))
            people.append(("conjoint", 3 - holder_sex, birth, "", household.start))
        if not household.retiree:
            children = _weighted(rng, [(0, 38), (1, 24), (2, 25), (3, 13)])[0]
            for _ in range(children):
                first_possible = _add_years(household.holder_birth, 22)
                last_possible = min(_add_years(household.holder_birth, 42), self.today - dt.timedelta(days=30))
                if first_possible >= last_possible:
                    break
                birth = self._random_day(first_possible, last_possible)
                age_now = _age(birth, self.today)
                cover_start = max(household.start, birth)
                if age_now < 18:
                    situation, cover_end = "a_charge", None
                elif age_now < 21:
                    situation, cover_end = "secondaire", None
                else:
                    situation, cover_end = "etudes", _add_years(birth, 25) - dt.timedelta(days=1)
                if _age(birth, cover_start) >= (21 if situation != "etudes" else 28):
                    continue
                if cover_end is not None and cover_end < cover_start:
                    continue
                people.append(("enfant", rng.choice((1, 2)), birth, situation, cover_start, cover_end))
        household.people = []
        city, postcode, dept = rng.choice(CITIES)
        household.address = (rng.choice(self.streets), postcode, city, dept)
        household.last_name = last_name
        household.names = []
        for rank, entry in enumerate(people, start=1):
            relationship, sex, birth, situation, cover_start = entry[:5]
            cover_end = entry[5] if len(entry) > 5 else None
            if household.end and (cover_end is None or cover_end > household.end):
                cover_end = household.end if household.end >= cover_start else cover_start
            noemie = _weighted(rng, [("active", 85), ("en_attente", 10), ("inactive", 5)])[0]
            age = _age(birth, self.today)
            weight = 0.7 if age < 18 else (1.0 if age < 60 else 1.8)
            person = Person(
                id=0,
                relationship=relationship,
                birth=birth,
                cover_start=cover_start,
                cover_end=cover_end,
                noemie=noemie,
                weight=weight,
            )
            first_name = rng.choice(self.female_names if sex == 2 else self.male_names)
            own_nir = relationship != "enfant" or age >= 16
            household.names.append((first_name, sex, situation, self._nir(sex, birth, dept) if own_nir else "", rank))
            household.people.append(person)

    # ----------------------------------------------------------------- writers

    def _write_household(self, household: Household) -> None:
        rng = self.rng
        tables = self.tables
        street, postcode, city, dept = household.address
        holder_first = household.names[0][0]
        email = f"{_ascii(holder_first)}.{_ascii(household.last_name)}.{household.index + 1}@example.fr"
        if rng.random() < 0.7:  # an activated account
            household.user_id = self.ids["user"]
            self.ids["user"] += 1
            joined = self._random_day(max(household.start, dt.date(2015, 1, 1)), self.today)
            tables["user"].add(
                str(household.user_id),
                "!" + uuid.UUID(int=rng.getrandbits(128)).hex,
                "f",
                household.number,
                _esc(holder_first),
                _esc(household.last_name),
                email,
                "f",
                "t",
                f"{self._day(joined)} 09:00:00+01",
            )
        bank, branch = rng.choice(BANKS)
        account = f"{rng.randrange(10**10, 10**11)}"
        iban = _iban(bank, branch, account)
        household.iban_masked = f"{iban[:4]} **** **** {iban[-4:]}"
        tables["member"].add(
            str(household.member_id),
            household.number,
            str(self.contract_ids[household.contract]),
            email,
            f"06{rng.randrange(10**7, 10**8)}",
            _esc(street),
            postcode,
            _esc(city),
            iban,
            "",
            household.status,
            self._day(household.end or household.start),
            _esc(household.end and self._day(household.end)),
            f"{self._day(household.start)} 08:00:00+01",
            _esc(household.user_id),
        )
        caisse = CAISSES.get(dept, f"CPAM {dept}")
        for person, (first_name, sex, situation, nir, rank) in zip(household.people, household.names, strict=True):
            person.id = self.ids["beneficiary"]
            self.ids["beneficiary"] += 1
            civility = "" if person.relationship == "enfant" else ("Mme" if sex == 2 else "M.")
            reason = "autre_contrat" if person.noemie == "inactive" else ""
            tables["beneficiary"].add(
                str(person.id),
                str(household.member_id),
                person.relationship,
                situation,
                civility,
                _esc(first_name),
                _esc(household.last_name),
                self._day(person.birth),
                nir,
                _esc(caisse),
                str(rank),
                person.noemie,
                reason,
                self._day(person.cover_start),
                _esc(person.cover_end and self._day(person.cover_end)),
            )
        affiliation = tables["affiliation"]
        end = _esc(household.end and self._day(household.end))
        affiliation.add(
            str(self.ids["affiliation"]),
            str(household.member_id),
            str(self.formula_ids[household.principal]),
            "principal",
            self._day(household.start),
            end,
        )
        self.ids["affiliation"] += 1
        if household.optional:
            affiliation.add(
                str(self.ids["affiliation"]),
                str(household.member_id),
                str(self.formula_ids[household.optional]),
                "facultative",
                self._day(household.optional_start),
                end,
            )
            self.ids["affiliation"] += 1

    def _write_history(self, household: Household) -> None:
        rng = self.rng
        notice = "003" if household.retiree else "004"
        act_names = _notice_act_names(notice)
        lines_left = int(household.expected_lines * (0.8 + 0.4 * rng.random()) + 0.5)
        people = [
            (p, max(p.cover_start, self.first_day), min(p.cover_end or self.today, self.today))
            for p in household.people
        ]
        people = [(p, first, last, p.weight * max(1, (last - first).days)) for p, first, last in people if last > first]
        if not people:
            return
        decompte_table, line_table = self.tables["decompte"], self.tables["line"]
        member_id = str(household.member_id)
        per_year: dict[int, list[int]] = {}  # paid: FR, SS, complementary per year of payment
        while lines_left > 0:
            person, first, last, _ = _weighted(rng, people)
            care = self._random_day(first, last)
            age = _age(person.birth, care)
            episode_name, acts = self._episode(age)
            band = "child" if age < 18 else ("adult" if age < 60 else "senior")
            codes = household.codes_on(care)
            lines = []
            for generic, probability, max_count in acts:
                if act_names[generic] is None or rng.random() >= probability:
                    continue
                variants = ACTS[generic][1]
                for _ in range(1 + int(rng.random() * max_count)):
                    template = self.canonical.template(codes, generic, int(rng.random() * len(variants)), band)
                    if template is not None:
                        lines.append((template, ACTS[generic][0]))
            if not lines:
                continue
            lines_left -= len(lines)
            decompte_id = self.ids["decompte"]
            self.ids["decompte"] += 1
            if episode_name in ("pharmacie", "hospitalisation") and rng.random() < 0.65:
                origin, payee = "tiers_payant", "professionnel"
                delay = 2 + int(rng.random() * 6)
            elif person.noemie == "active":
                origin, payee, delay = "noemie", "assure", 3 + int(rng.random() * 8)
            else:
                origin, payee, delay = "papier", "assure", 10 + int(rng.random() * 25)
            payment = care + dt.timedelta(days=delay)
            practitioner = rng.choice(PRACTITIONERS[lines[0][1]])
            fr = ss = comp = 0
            care_text = self._day(care)
            prefix = f"{decompte_id}\t{person.id}\t"
            for number, (template, kind) in enumerate(lines, start=1):
                line_id = self.ids["line"]
                self.ids["line"] += 1
                name = practitioner if kind == lines[0][1] else rng.choice(PRACTITIONERS[kind])
                line_table.add_raw(f"{line_id}\t{prefix}{number}\t{care_text}\t{_esc(name)}\t{template.text}")
                fr += template.frais_reels
                ss += template.ss
                comp += template.complementary
            if payment <= self.today:
                status, payment_text, complete = "paye", self._day(payment), r"\N"
                batch = self.batches[payment.year]
                sums = per_year.setdefault(payment.year, [0, 0, 0])
                sums[0] += fr
                sums[1] += ss
                sums[2] += comp
            else:
                status, payment_text, batch = "en_attente", r"\N", self.batches[self.today.year]
                complete_day = care + dt.timedelta(days=1 + int(rng.random() * 4))
                complete = self._day(complete_day) if complete_day <= self.today else r"\N"
            self.batch_counts[batch][0] += 1
            self.batch_counts[batch][1] += len(lines)
            external_id = f"GS{decompte_id:011d}"
            digest = hashlib.sha256(f"{external_id};{fr};{ss};{comp};{payment_text}".encode()).hexdigest()
            decompte_table.add(
                str(decompte_id),
                external_id,
                member_id,
                str(batch),
                status,
                origin,
                payee,
                _esc(practitioner if payee == "professionnel" else ""),
                payment_text,
                complete,
                household.iban_masked if payee == "assure" else "",
                care_text,
                _money(fr),
                _money(ss),
                _money(comp),
                _money(fr - ss - comp),
                digest,
                f"{payment_text if status == 'paye' else care_text} 06:00:00+01",
            )
        for year, (fr, ss, comp) in per_year.items():  # what claims.services.imports.year_totals_refresh stores
            self.tables["year_total"].add(
                str(self.ids["year_total"]),
                member_id,
                str(year),
                _money(fr),
                _money(ss),
                _money(comp),
                _money(fr - ss - comp),
            )
            self.ids["year_total"] += 1

    def _episode(self, age: int) -> tuple[str, list]:
        rng = self.rng
        while True:
            total = self._episode_total
            pick = rng.random() * total
            for name, (weight, acts) in EPISODES.items():  # noqa: B007 - the loop picks them
                pick -= weight
                if pick < 0:
                    break
            if age < 18 and name in ADULT_ONLY_EPISODES:
                continue
            return name, acts

    _episode_total = sum(weight for weight, _ in EPISODES.values())

    def _write_messages(self, household: Household) -> None:
        rng = self.rng
        first_day = max(household.start, _add_years(self.today, -6))
        last_day = household.end or self.today
        if last_day <= first_day or household.user_id is None:  # writing needs an activated account
            return
        count = _weighted(rng, [(0, 34), (1, 26), (2, 16), (3, 10), (4, 6), (6, 5), (10, 3)])[0]
        if household.activity > 10:
            count *= 5
        threads, messages, files, attachments = (self.tables[n] for n in ("thread", "message", "file", "attachment"))
        member_id = str(household.member_id)
        for _ in range(count):
            thread_id = self.ids["thread"]
            self.ids["thread"] += 1
            topic_id, category_id = rng.choice(self.topics)
            created_day = self._random_day(first_day, last_day)
            covered = [
                p
                for p in household.people
                if p.cover_start <= created_day and (p.cover_end is None or created_day <= p.cover_end)
            ]
            person = rng.choice(covered or household.people[:1])
            created = dt.datetime.combine(
                created_day, dt.time(8 + int(rng.random() * 12), int(rng.random() * 60)), tzinfo=PARIS
            )
            recent = (self.today - created_day).days <= 10
            if recent:
                status = _weighted(rng, [("envoye", 40), ("en_cours", 20), ("repondu", 40)])[0]
            else:
                status = _weighted(rng, [("clos", 70), ("repondu", 30)])[0]
            exchanges = 1 + int(rng.random() * 3)
            # member, gestionnaire, member... ending on the member while waiting for an answer
            authors = []
            for _ in range(exchanges):
                authors += [True, False]
            if status in ("envoye", "en_cours"):
                authors = authors[:-1]
            if status == "envoye":
                authors = [True]
            moment = created
            gestionnaire = rng.choice(self.gestionnaires)
            last_member_message = created
            unread_last = status == "repondu" and (self.today - created_day).days < 60 and rng.random() < 0.5
            for position, from_member in enumerate(authors):
                if position:
                    moment = moment + dt.timedelta(hours=2 + rng.random() * 70)
                message_id = self.ids["message"]
                self.ids["message"] += 1
                is_last = position == len(authors) - 1
                read_at = r"\N"
                if not from_member and not (is_last and unread_last):
                    read_at = (moment + dt.timedelta(hours=1 + rng.random() * 30)).isoformat()
                body = rng.choice(MEMBER_MESSAGES if from_member else GESTIONNAIRE_MESSAGES)
                author = household.user_id if from_member else gestionnaire
                messages.add(
                    str(message_id),
                    str(thread_id),
                    _esc(author),
                    "t" if from_member else "f",
                    body,
                    moment.isoformat(),
                    read_at,
                )
                if from_member:
                    last_member_message = moment
                    if rng.random() < 0.3:
                        file_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
                        files.add(
                            file_id,
                            member_id,
                            "message",
                            rng.choice(ATTACHMENT_NAMES),
                            "application/pdf",
                            "pdf",
                            str(self.placeholder[1]),
                            self.placeholder[2],
                            PLACEHOLDER_NAME,
                            _esc(household.user_id),
                            moment.isoformat(),
                        )
                        attachments.add(str(self.ids["attachment"]), str(message_id), file_id)
                        self.ids["attachment"] += 1
            waiting = last_member_message.isoformat() if status in ("envoye", "en_cours") else r"\N"
            closed = (moment + dt.timedelta(days=1 + rng.random() * 4)).isoformat() if status == "clos" else r"\N"
            assigned = r"\N" if status == "envoye" else str(gestionnaire)
            threads.add(
                str(thread_id),
                member_id,
                str(person.id),
                str(category_id),
                str(topic_id),
                status,
                assigned,
                created.isoformat(),
                moment.isoformat(),
                waiting,
                closed,
            )


# --------------------------------------------------------------------------- indexes


def _drop_secondary(cursor, tables: list[str]) -> list[str]:
    """Drop the indexes that back no constraint, and the foreign keys, of ``tables``;
    return the statements that recreate them (run in the same transaction)."""
    restore = []
    for table in tables:
        cursor.execute(
            """SELECT c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c
               WHERE c.conrelid = %s::regclass AND c.contype = 'f'""",
            [table],
        )
        for name, definition in cursor.fetchall():
            cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
            restore.append(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')
        cursor.execute(
            """SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
               WHERE x.indrelid = %s::regclass
               AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)""",
            [table],
        )
        for name, definition in cursor.fetchall():
            cursor.execute(f'DROP INDEX "{name}"')
            restore.insert(0, definition)  # indexes first: the foreign keys' checks use them
    return restore


def _restore_secondary(cursor, statements: list[str]) -> None:
    for statement in statements:
        cursor.execute(statement)


# --------------------------------------------------------------------------- placeholder and reset


def _placeholder_file() -> tuple[str, int, str]:
    """The one small PDF every generated attachment points to (path, size, sha256)."""
    from documents.models import private_storage

    content = _placeholder_pdf()
    if not private_storage.exists(PLACEHOLDER_NAME):
        from django.core.files.base import ContentFile

        private_storage.save(PLACEHOLDER_NAME, ContentFile(content))
    return PLACEHOLDER_NAME, len(content), hashlib.sha256(content).hexdigest()


def _placeholder_pdf() -> bytes:
    """A valid one-page PDF, small enough to be shared by every generated attachment."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def generated_member_count() -> int:
    from members.models import Member

    return Member.objects.filter(number__regex=rf"^{NUMBER_PREFIX}[0-9]{{9}}$").count()


def scale_reset(write: Callable[[str], None]) -> dict[str, int]:
    """Delete every generated row (raw SQL for the big tables, the ORM for the rest so
    that whatever else points at a generated member goes with it)."""
    from members.models import Member

    started = time.perf_counter()
    deleted: dict[str, int] = {}
    pattern = f"^{NUMBER_PREFIX}[0-9]{{9}}$"
    statements = [
        (
            "attachments",
            """DELETE FROM messaging_message_attachments a USING messaging_message m, messaging_thread t
                           WHERE a.message_id = m.id AND m.thread_id = t.id
                           AND t.member_id IN (SELECT id FROM members_member WHERE number ~ %s)""",
        ),
        (
            "messages",
            """DELETE FROM messaging_message m USING messaging_thread t
                        WHERE m.thread_id = t.id AND t.member_id IN (SELECT id FROM members_member WHERE number ~ %s)""",
        ),
        (
            "internal notes",
            """DELETE FROM messaging_internalnote n USING messaging_thread t
                              WHERE n.thread_id = t.id
                              AND t.member_id IN (SELECT id FROM members_member WHERE number ~ %s)""",
        ),
        (
            "threads",
            "DELETE FROM messaging_thread WHERE member_id IN (SELECT id FROM members_member WHERE number ~ %s)",
        ),
        (
            "décompte lines",
            """DELETE FROM claims_decompteline l USING claims_decompte d
                              WHERE l.decompte_id = d.id
                              AND d.member_id IN (SELECT id FROM members_member WHERE number ~ %s)""",
        ),
        (
            "décomptes",
            "DELETE FROM claims_decompte WHERE member_id IN (SELECT id FROM members_member WHERE number ~ %s)",
        ),
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        for name, sql in statements:
            cursor.execute(sql, [pattern])
            deleted[name] = cursor.rowcount
            write(f"deleted {cursor.rowcount} {name}")
        ids = list(Member.objects.filter(number__regex=pattern).values_list("pk", flat=True))
        user_ids = list(Member.objects.filter(pk__in=ids, user__isnull=False).values_list("user_id", flat=True))
        for start in range(0, len(ids), 5000):
            Member.objects.filter(pk__in=ids[start : start + 5000]).delete()
        deleted["members"] = len(ids)
        write(f"deleted {len(ids)} members and their households")
        User = get_user_model()
        for start in range(0, len(user_ids), 5000):
            User.objects.filter(pk__in=user_ids[start : start + 5000]).delete()
        deleted["users"] = len(user_ids)
        from claims.models import ImportBatch

        ImportBatch.objects.filter(file_name__startswith=BATCH_PREFIX, decomptes__isnull=True).delete()
    write(f"reset in {time.perf_counter() - started:.0f} s")
    return deleted


def scale_generate(options: ScaleOptions, write: Callable[[str], None]) -> ScaleTotals:
    if connection.vendor != "postgresql":
        raise ScaleError("generate_scale writes with PostgreSQL COPY: set DATABASE_URL to a PostgreSQL database.")
    if not settings.PRIVATE_MEDIA_ROOT:
        raise ScaleError("PRIVATE_MEDIA_ROOT is not set.")
    return Generator(options, write).run()
