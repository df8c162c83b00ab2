"""The engine answers exactly as the reference engine did: every stored request (worked
cases, a random batch over the 7 formulas with history, bad input) gives the same JSON
text, key order included; the benchmark's own batch gives the same digest.

See ``tests/guarantees/regression.py`` for how the fixture was made."""

import pickle

import pytest

from guarantees.engine import Limit
from tests.guarantees.helpers import line, run
from tests.guarantees.regression import answer, bench_digest, decode_request, dumps, encode_request, load


@pytest.fixture(scope="module")
def fixture():
    return load()


def test_the_fixture_is_broad(fixture):
    cases = fixture["cases"]
    answered = [case for case in cases if "lines" in case["answer"]]
    assert len(cases) > 900
    assert sum(len(case["answer"]["lines"]) for case in answered) > 3000
    assert {layer["formula"] for case in answered for line in case["answer"]["lines"] for layer in line["layers"]} == {
        "CCOOP-BASE",
        "CCOOP-OPT1",
        "CCOOP-OPT2",
        "IDCC1412-BASE",
        "IDCC1412-OPTION",
        "IDCC1412-CELSIUS",
        "IDCC1412-KELVIN",
    }
    assert sum(bool(case["request"]["history"]) for case in answered) > 300


def test_the_engine_answers_every_stored_request_exactly_as_before(fixture):
    differences = []
    for number, case in enumerate(fixture["cases"]):
        request = decode_request(case["request"])
        assert encode_request(request) == case["request"]  # the request itself round-trips
        got = answer(request)
        if dumps(got) != dumps(case["answer"]):
            differences.append((number, _first_difference(case["answer"], got)))
    assert not differences, f"{len(differences)} request(s) differ; first ones: {differences[:3]}"


def test_the_benchmark_batch_answers_exactly_as_before(fixture):
    lines, digest = bench_digest()
    assert lines == fixture["bench"]["lines"]
    assert digest == fixture["bench"]["sha256"]


def test_a_limit_whose_text_is_made_on_demand_behaves_as_a_plain_record():
    (result,) = run(("IDCC1412-BASE", "IDCC1412-KELVIN"), line("prothese-couronne-bridge", 600, "107.50", "64.50"))
    (limit,) = result.limits
    copy = pickle.loads(pickle.dumps(result))
    assert limit.message == "Kelvin : limité aux frais restant à votre charge (449,50 €)."
    assert limit == Limit("frais_reels", limit.message, "IDCC1412-KELVIN")
    assert repr(limit) == f"Limit(key='frais_reels', message={limit.message!r}, formula='IDCC1412-KELVIN')"
    assert copy.to_dict() == result.to_dict() and copy.limits == result.limits


def _first_difference(expected, got, path=""):
    if type(expected) is not type(got):
        return path, expected, got
    if isinstance(expected, dict):
        if list(expected) != list(got):
            return path + " (keys)", list(expected), list(got)
        for key in expected:
            found = _first_difference(expected[key], got[key], f"{path}.{key}")
            if found:
                return found
        return None
    if isinstance(expected, list):
        if len(expected) != len(got):
            return path + " (length)", len(expected), len(got)
        for i, (a, b) in enumerate(zip(expected, got, strict=True)):
            found = _first_difference(a, b, f"{path}[{i}]")
            if found:
                return found
        return None
    return (path, expected, got) if expected != got else None
