"""Fuzzing the loaders with hypothesis: any input gives a result or a gemfin error — never
another exception, a hang or a non-finite number."""

import copy
import math

import numpy as np
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import gemfin
from gemfin.dutch_numbers import parse_dutch_number
from gemfin.engine import RunOptions, simulation
from gemfin.run.base import build_base
from gemfin.run.compile import compile_model
from gemfin.errors import GemfinError
from gemfin.scenario import scenario_from_dict

from conftest import REPO

BASELINE = yaml.safe_load((REPO / "scenarios" / "baseline.yaml").read_text())

# Any YAML-like value.
values = st.recursive(
    st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=30))
def test_dutch_numbers_parse_or_raise_value_error(text):
    try:
        x = parse_dutch_number(text)
    except ValueError:
        return
    assert math.isfinite(x)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values)
def test_proposals_from_any_data(circ, doc):
    try:
        p = gemfin.Proposal.from_dict(doc if isinstance(doc, dict) else {"name": "x", "changes": doc})
        new = p.apply(circ)
    except GemfinError:
        return
    assert np.isfinite(new.rates.to_numpy()).all()


def _paths(doc, prefix=()):
    if isinstance(doc, dict):
        for k, v in doc.items():
            yield prefix + (k,)
            yield from _paths(v, prefix + (k,))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            yield prefix + (i,)
            yield from _paths(v, prefix + (i,))


PATHS = list(_paths(BASELINE))


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(PATHS), values)
def test_scenarios_with_any_field_replaced(path, value):
    doc = copy.deepcopy(BASELINE)
    node = doc
    for k in path[:-1]:
        node = node[k]
    node[path[-1]] = value
    try:
        scen = scenario_from_dict(doc, origin="fuzz.yaml")
    except GemfinError:
        return
    assert scen.horizon >= 1


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(line=st.integers(0, 342), column=st.integers(0, 51), text=st.text(max_size=12))
def test_corrupted_volumina_cell_gives_a_data_error_or_a_valid_circulaire(tmp_path_factory, line, column, text):
    import shutil

    from gemfin._datadir import data_dir

    root = tmp_path_factory.getbasetemp() / "fuzzdata"
    if not root.exists():
        for sub in ("gemeentefonds", "municipalities"):
            shutil.copytree(data_dir() / sub, root / sub)
    path = root / "gemeentefonds" / "GF_S2024_2025_Volumina.csv"
    original = path.read_bytes()
    try:
        lines = original.decode("utf-8").split("\r\n")
        cells = lines[line].split("\t")
        cells[min(column, len(cells) - 1)] = text.replace("\r", " ").replace("\n", " ")
        lines[line] = "\t".join(cells)
        path.write_bytes("\r\n".join(lines).encode("utf-8"))
        try:
            circ = gemfin.load_circulaire("S2024_2025", root)
        except GemfinError:
            return
        assert np.isfinite(circ.volumes.to_numpy()).all()
        assert np.isfinite(gemfin.allocate(circ).algemene_uitkering.to_numpy()).all()
    finally:
        path.write_bytes(original)


FUZZ_RUN = RunOptions(paths=8, seed=1, threads=1, antithetic=False, quantiles=(0.5,), keep=(), bins=16, block_size=64)
PROPOSAL = yaml.safe_load((REPO / "scenarios" / "proposals" / "jeugd-naar-jongeren.yaml").read_text())
ODD = st.sampled_from([None, float("nan"), float("inf"), "abc", "", [], [1, 2], {}, {"a": 1}, -1, 0, 1e300, True, "1.5"])


def _mutated(doc, path, op, value):
    d = copy.deepcopy(doc)
    node = d
    for k in path[:-1]:
        node = node[k]
    if op == "replace":
        node[path[-1]] = value
    elif isinstance(node, dict):
        v = node.pop(path[-1])
        if op == "misspell":
            node[f"{path[-1]}x"] = v
    else:
        node.pop(path[-1])
    return d


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(PATHS), st.sampled_from(["replace", "drop", "misspell"]), ODD)
def test_a_mutated_scenario_is_valid_or_a_gemfin_error_through_the_core_model(path, op, value):
    """Values replaced by None, NaN, strings or lists, keys dropped or misspelt: the scenario,
    its compiled model and the core's checked simulation build, or a GemfinError says why — never a
    bare TypeError."""
    try:
        scen = scenario_from_dict(_mutated(BASELINE, path, op, value), origin="fuzz.yaml")
        simulation(compile_model(scen, build_base(scen)), FUZZ_RUN)
    except GemfinError:
        pass


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(list(_paths(PROPOSAL))), st.sampled_from(["replace", "drop", "misspell"]), ODD)
def test_a_mutated_proposal_applies_or_is_a_gemfin_error(circ, path, op, value):
    try:
        new = gemfin.Proposal.from_dict(_mutated(PROPOSAL, path, op, value)).apply(circ)
    except GemfinError:
        return
    assert np.isfinite(new.rates.to_numpy()).all()
