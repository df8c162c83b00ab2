import io
import json

import pytest
from django.core.management import call_command

REQUEST = {
    "formulas": ["IDCC1412-BASE", "IDCC1412-KELVIN"],
    "beneficiary_birth_date": "1980-01-01",
    "claim_date": "2025-06-01",
    "history": [],
    "lines": [
        {
            "act": "prothese-couronne-bridge",
            "care_date": "2025-05-01",
            "frais_reels": "600.00",
            "base_remboursement": "107.50",
            "ss_paid": "64.50",
            "quantity": 1,
        }
    ],
}


def simulate(monkeypatch, payload, *args):
    monkeypatch.setattr("sys.stdin", io.StringIO(payload if isinstance(payload, str) else json.dumps(payload)))
    out = io.StringIO()
    code = 0
    try:
        call_command("simulate", *args, stdout=out)
    except SystemExit as exit_:
        code = exit_.code
    return code, json.loads(out.getvalue())


def test_it_answers_a_request_line_by_line(monkeypatch):
    code, answer = simulate(monkeypatch, REQUEST)
    (line,) = answer["lines"]
    assert code == 0
    assert line["ss_paid"] == "64.50"
    assert line["complementary"] == {"total": "535.50", "IDCC1412-BASE": "86.00", "IDCC1412-KELVIN": "449.50"}
    assert line["reste_a_charge"] == "0.00"
    assert line["rule"]["source"].startswith("Kelvin - Prothèses dentaires remboursées par la SS")
    assert line["rule"]["notice_line"] == 1093
    assert line["limits"][0]["key"] == "frais_reels"


def test_history_consumes_the_counters(monkeypatch):
    request = {
        **REQUEST,
        "formulas": ["CCOOP-BASE"],
        "history": [{"act": "parodontologie", "care_date": "2025-01-10", "frais_reels": "500"}],
        "lines": [{"act": "parodontologie", "care_date": "2025-05-01", "frais_reels": "600"}],
    }
    _code, answer = simulate(monkeypatch, request)
    assert answer["lines"][0]["complementary"]["total"] == "380.00"  # 880 - 500, line 811


@pytest.mark.parametrize(
    ("change", "key"),
    [
        ({"formulas": ["NOPE"]}, "unknown_formula"),
        ({"lines": [{"act": "nope", "care_date": "2025-05-01", "frais_reels": "10"}]}, "unknown_act"),
        ({"lines": [{"act": "pharmacie", "care_date": "2025-05-01", "frais_reels": "-3"}]}, "negative_amount"),
        ({"lines": [{"act": "pharmacie", "care_date": "2025-05-01", "frais_reels": "abc"}]}, "invalid_amount"),
        (
            {"lines": [{"act": "pharmacie", "care_date": "2025-05-01", "frais_reels": "10", "ss_paid": "12"}]},
            "ss_paid_above_fr",
        ),
        ({"lines": [{"act": "pharmacie", "care_date": "2025-07-01", "frais_reels": "10"}]}, "care_date_in_future"),
        ({"formulas": ["IDCC1412-KELVIN", "IDCC1412-BASE"]}, "formulas_incompatible"),
        ({"formulas": ["CCOOP-BASE", "CCOOP-OPT1"]}, "formulas_incompatible"),
        ({"claim_date": "2025-13-01"}, "invalid_date"),
    ],
)
def test_it_reports_bad_input_as_json_with_a_non_zero_exit(monkeypatch, change, key):
    code, answer = simulate(monkeypatch, {**REQUEST, **change})
    assert code == 1
    assert answer["error"]["key"] == key
    assert answer["error"]["message"]


def test_it_reports_invalid_json(monkeypatch):
    code, answer = simulate(monkeypatch, "{not json")
    assert (code, answer["error"]["key"]) == (1, "invalid_json")


def test_it_lists_formulas_and_acts(monkeypatch):
    _code, formulas = simulate(monkeypatch, "", "--list-formulas")
    assert {"code": "IDCC1412-KELVIN", "name": "Kelvin", "notice": "004", "notice_line": 1042} in formulas["formulas"]
    assert len(formulas["formulas"]) == 7
    _code, acts = simulate(monkeypatch, "", "--list-acts", "CCOOP-OPT2")
    assert {"act": "parodontologie", "label": "Parodontologie - Forfait / an / bénéficiaire"} in acts["acts"]
    code, error = simulate(monkeypatch, "", "--list-acts", "NOPE")
    assert (code, error["error"]["key"]) == (1, "unknown_formula")
