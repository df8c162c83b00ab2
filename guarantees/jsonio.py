"""JSON in and out of the engine (``manage.py simulate``): strict parsing, so that a bad
request is an ``EngineError`` with a precise message, never a silent zero."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from guarantees import catalogue
from guarantees.engine import CareLine, EngineError, EngineRequest, Layer

MONEY_FIELDS = {
    "frais_reels": "les frais réels",
    "base_remboursement": "la base de remboursement",
    "ss_paid": "le remboursement de la Sécurité sociale",
    "other_paid": "le remboursement d'une autre complémentaire",
    "frame_amount": "le prix de la monture",
    "price_limit": "le prix limite",
}
DIOPTRE_FIELDS = {"sphere": "la sphère", "cylinder": "le cylindre", "addition": "l'addition"}
INT_FIELDS = {"quantity": "la quantité", "days": "le nombre de jours"}
BOOL_FIELDS = {"optam": "OPTAM", "conventionne": "conventionné"}
TEXT_FIELDS = {"eye", "ear", "renewal"}
LINE_FIELDS = (
    {"act", "care_date"} | set(MONEY_FIELDS) | set(DIOPTRE_FIELDS) | set(INT_FIELDS) | set(BOOL_FIELDS) | TEXT_FIELDS
)


def parse_date(value: object, label: str, where: str = "") -> dt.date:
    try:
        return dt.date.fromisoformat(str(value))
    except (TypeError, ValueError):
        raise EngineError("invalid_date", f"{label}{where} : date invalide « {value} » (format attendu AAAA-MM-JJ).")


def _decimal(value: object, label: str, where: str) -> Decimal:
    if isinstance(value, bool) or value is None:
        raise EngineError("invalid_amount", f"{where}{label} : un nombre est attendu.")
    try:
        number = Decimal(str(value).replace(",", "."))
    except InvalidOperation:
        raise EngineError("invalid_amount", f"{where}{label} : « {value} » n'est pas un nombre.")
    if not number.is_finite():
        raise EngineError("invalid_amount", f"{where}{label} : « {value} » n'est pas un nombre.")
    return number


def parse_line(raw: object, where: str) -> CareLine:
    if not isinstance(raw, dict):
        raise EngineError("invalid_line", f"{where}une ligne de soins doit être un objet JSON.")
    unknown = set(raw) - LINE_FIELDS
    if unknown:
        raise EngineError("unknown_field", f"{where}champ inconnu : {', '.join(sorted(unknown))}.")
    for required in ("act", "care_date", "frais_reels"):
        if required not in raw:
            raise EngineError("missing_field", f"{where}le champ « {required} » est obligatoire.")
    fields: dict[str, Any] = {
        "act": str(raw["act"]),
        "care_date": parse_date(raw["care_date"], "care_date", f" ({where.strip(' :')})"),
    }
    for name, label in MONEY_FIELDS.items():
        if raw.get(name) is not None:
            value = _decimal(raw[name], label, where)
            if value < 0:
                raise EngineError("negative_amount", f"{where}{label} ne peut pas être négatif.")
            fields[name] = value
    for name, label in DIOPTRE_FIELDS.items():
        if raw.get(name) is not None:
            fields[name] = _decimal(raw[name], label, where)
    for name, label in INT_FIELDS.items():
        if raw.get(name) is not None:
            value = raw[name]
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise EngineError("invalid_quantity", f"{where}{label} doit être un entier au moins égal à 1.")
            fields[name] = value
    for name, label in BOOL_FIELDS.items():
        if raw.get(name) is not None:
            if not isinstance(raw[name], bool):
                raise EngineError("invalid_boolean", f"{where}{label} : true ou false attendu.")
            fields[name] = raw[name]
    for name in TEXT_FIELDS:
        if raw.get(name) is not None:
            fields[name] = str(raw[name])
    return CareLine(**fields)


def layers_from_codes(entries: object) -> tuple[Layer, ...]:
    """Formula codes (or {code, start, end, since}); the first is the principal level,
    the next ones are optional levels "sous déduction" of it."""
    if not isinstance(entries, list) or not entries:
        raise EngineError("no_formula", "Indiquez au moins une formule de garanties (« formulas »).")
    layers = []
    for position, entry in enumerate(entries):
        spec = entry if isinstance(entry, dict) else {"code": entry}
        code = str(spec.get("code"))
        try:
            rules = catalogue.formula_rules(code)
        except KeyError:
            raise EngineError("unknown_formula", f"Formule inconnue : « {code} ».")
        dates = {key: parse_date(spec[key], key) if spec.get(key) else None for key in ("start", "end", "since")}
        layers.append(Layer(rules, role="principal" if position == 0 else "facultative", **dates))
    check_stacking([layer.rules.code for layer in layers])
    return tuple(layers)


def check_stacking(codes: list[str]) -> None:
    notices = {catalogue.formula_rules(code).notice for code in codes}
    if len(notices) > 1:
        raise EngineError("formulas_incompatible", "Les formules indiquées relèvent de contrats différents.")
    notice = catalogue.notice_for(codes[0])
    if len(codes) > 1 and not notice.stacking:
        raise EngineError("formulas_incompatible", "Ces formules ne se cumulent pas : une seule formule est choisie.")
    order = list(notice.formulas)
    ranks = [order.index(code) for code in codes]
    if ranks != sorted(set(ranks)):
        raise EngineError(
            "formulas_incompatible",
            "Une option facultative doit être d'un niveau supérieur à la garantie de base, et indiquée après elle.",
        )


def request_from_json(data: object) -> EngineRequest:
    if not isinstance(data, dict):
        raise EngineError("invalid_request", "La demande doit être un objet JSON.")
    for required in ("formulas", "beneficiary_birth_date", "claim_date", "lines"):
        if required not in data:
            raise EngineError("missing_field", f"Le champ « {required} » est obligatoire.")
    if not isinstance(data["lines"], list) or not data["lines"]:
        raise EngineError("no_line", "Indiquez au moins une ligne de soins (« lines »).")
    history = data.get("history") or []
    if not isinstance(history, list):
        raise EngineError("invalid_history", "« history » doit être une liste de lignes de soins.")
    return EngineRequest(
        layers=layers_from_codes(data["formulas"]),
        birth_date=parse_date(data["beneficiary_birth_date"], "beneficiary_birth_date"),
        claim_date=parse_date(data["claim_date"], "claim_date"),
        lines=tuple(parse_line(raw, f"ligne {i + 1} : ") for i, raw in enumerate(data["lines"])),
        history=tuple(parse_line(raw, f"historique {i + 1} : ") for i, raw in enumerate(history)),
        pmss=catalogue.pmss_table(),
        cover_start=parse_date(data["cover_start"], "cover_start") if data.get("cover_start") else None,
        cover_end=parse_date(data["cover_end"], "cover_end") if data.get("cover_end") else None,
    )
