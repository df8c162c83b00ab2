"""The guarantee engine: what the complementary pays for care lines, explained.

Public API (used by the reimbursements import, devis estimation and simulations)
================================================================================

``compute(request: EngineRequest) -> list[LineResult]`` is THE function. It is pure: no
database, no file, no clock inside; everything it needs travels in the request.

Building a request
------------------
* ``EngineRequest(layers, birth_date, claim_date, lines, history=(), pmss={...},
  cover_start=None, cover_end=None)``
* ``layers``: a tuple of ``Layer(rules, role="principal"|"facultative", start=None,
  end=None, since=None)``; ``rules`` is a ``FormulaRules`` from
  ``guarantees.catalogue.formula_rules(code)`` (parsed from ``guarantees/data``).
  The layers in force on a line's care date pay in order: the principal level first, then
  an optional level "sous déduction" of what the lower levels paid.
* ``lines`` / ``history``: ``CareLine(act, care_date, frais_reels, base_remboursement,
  ss_paid, ...)``; see the dataclass for the act-specific fields (days, eye, ear, sphere,
  cylinder, addition, frame_amount, optam, conventionne, price_limit, renewal,
  other_paid). History lines are earlier care already claimed: they are run through the
  same rules first (in care-date order) so that they consume annual counters and start
  periodicity periods; they are not returned.
* ``pmss``: euros per month per year (``guarantees.catalogue.pmss_table()``).

For DB objects, ``guarantees.selectors.engine_request_for(beneficiary, lines=...,
history=..., claim_date=...)`` builds the request from the member's affiliations and the
beneficiary's birth date and cover period; ``guarantees.selectors.simulate_for(...)``
also runs it.

What comes back
---------------
One ``LineResult`` per requested line: ``ss_paid``, ``complementary`` (total),
``layers`` (a ``LayerResult`` per formula with its amount, the ``RuleRef`` applied -
label, source "Kelvin - Prothèses dentaires remboursées par la SS : 600 % de la BR",
notice and line - and the ``Limit`` s that cut it), ``reste_a_charge`` and ``limits``
(every cut, French message + machine key). ``to_dict()`` gives the JSON shape of
``manage.py simulate``.

Invalid input raises ``EngineError(key, message, line)`` (English key, French message):
negative amounts, SS paid above frais réels, care after the claim date, care outside the
cover, unknown act, missing act-specific field. Care older than two years before the
claim date is not an error: the line pays nothing with the ``prescription`` limit.

Money rules
-----------
Every guarantee is first expressed as the total it guarantees *including* the SS part
("sous déduction des prestations versées par la Sécurité sociale"), quantized to the cent
(ROUND_HALF_UP); a layer pays that total minus SS minus what lower layers paid, never
negative and never more than frais réels minus SS minus another complementary.

The modules
-----------
``types`` the tables, the request and the results; ``checks`` invalid input;
``selection`` which row of a table applies; ``rules`` one function per rule kind;
``state`` counters and the line being computed; ``compute`` the run; ``optics`` the
optical grid; ``messages`` the limits' French texts; ``values`` money and dates.
The answers are pinned to the character by tests/guarantees/test_engine_regression.py.
"""

from guarantees.engine.compute import PRESCRIPTION_YEARS, compute
from guarantees.engine.optics import BAND_LABELS, DIOPTRE_BANDS, GLASS_CLASS_LABELS, dioptre_band, glass_class
from guarantees.engine.types import (
    CareLine,
    Cell,
    EngineError,
    EngineRequest,
    FormulaRules,
    Layer,
    LayerResult,
    Limit,
    LineResult,
    Periodicity,
    Row,
    RuleRef,
)
from guarantees.engine.values import CENT, HUNDRED, ZERO, add_years, age_on, euros, money

__all__ = [
    "BAND_LABELS",
    "CENT",
    "DIOPTRE_BANDS",
    "GLASS_CLASS_LABELS",
    "HUNDRED",
    "PRESCRIPTION_YEARS",
    "ZERO",
    "CareLine",
    "Cell",
    "EngineError",
    "EngineRequest",
    "FormulaRules",
    "Layer",
    "LayerResult",
    "Limit",
    "LineResult",
    "Periodicity",
    "Row",
    "RuleRef",
    "add_years",
    "age_on",
    "compute",
    "dioptre_band",
    "euros",
    "glass_class",
    "money",
]
