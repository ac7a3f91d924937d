"""Sensitivity analysis: parameters by field path, common random numbers, SALib methods."""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

import gemfin  # noqa: E402
import gemfin.plot as gp  # noqa: E402
import gemfin.sensitivity as gs  # noqa: E402
from gemfin.errors import InputError  # noqa: E402

from conftest import REPO  # noqa: E402

BASELINE = REPO / "scenarios" / "baseline.yaml"
JEUGD = "budget.domains.Jeugd.excess_growth.params.0"


@pytest.fixture(scope="module")
def scen():
    return gemfin.load_scenario(BASELINE)


@pytest.fixture(scope="module")
def allocation_only(scen):
    budget_names = {"wage_price"} | {f"excess.{d}" for d in ("Jeugd", "Wmo", "Participatie", "Overig")}
    raw = {k: v for k, v in scen.to_dict().items() if k != "budget"}
    raw["correlation"] = [c for c in raw["correlation"] if not set(c["between"]) & budget_names]
    return gemfin.scenario.scenario_from_dict(raw, origin="allocation-only", path=scen.path)


def test_with_parameters_sets_and_validates(scen):
    s = gs.with_parameters(scen, {JEUGD: 0.07, "fund.growth.mean.value": 0.02})
    assert s.budget.domains.Jeugd.excess_growth.params[0] == 0.07
    assert s.fund.growth.mean.value == 0.02
    with pytest.raises(InputError, match="has no field 'fund.growth.average'"):
        gs.with_parameters(scen, {"fund.growth.average.value": 1.0})
    with pytest.raises(InputError, match=r"make the scenario invalid: .*persistence\.value: expected a number ≤ 0\.99"):
        gs.with_parameters(scen, {"fund.growth.persistence.value": 2.0})


def test_common_random_numbers(scen):
    sets = pd.DataFrame({JEUGD: [0.03, 0.03, 0.01, 0.05]})
    out = gs.evaluate(scen, sets, {"share": gs.share_in_deficit(), "au": gs.au_budget()}, paths=200, seed=5)
    assert out["share"][0] == out["share"][1]  # same parameters, same seed: identical
    assert out["share"][2] < out["share"][0] < out["share"][3]  # monotone without noise
    np.testing.assert_array_equal(out["au"], out["au"][0])  # the fund does not depend on Jeugd costs


def test_one_at_a_time_and_tornado(scen):
    with pytest.warns(gemfin.GemfinWarning, match=r"swing of \[[^]]*'budget.domains.Wmo.excess_growth.params.0'\] is "
                                                  "below the Monte Carlo noise"):
        tab = gs.one_at_a_time(scen, {JEUGD: (0.01, 0.05), "budget.wage_price.wedge.value": (0.0, 0.01),
                                      "budget.domains.Wmo.excess_growth.params.0": (0.0, 0.04)},
                               "share_in_deficit:2026", paths=150, seed=3)
    assert list(tab.columns[:5]) == ["parameter", "label", "value", "low value", "high value"]
    assert tab["swing"].is_monotonic_decreasing
    t = tab.set_index("parameter")
    assert t.loc[JEUGD, "value"] == -0.0162  # the baseline's (DERIVED) value
    # the label says what is varied: Wmo's excess fades ×0.014 a year, so it is a first-year excess
    assert "first year only" in t.loc["budget.domains.Wmo.excess_growth.params.0", "label"]
    assert t.loc["budget.wage_price.wedge.value", "label"].startswith("municipal wages and prices above the GDP deflator")
    noise = t["noise"].iloc[0]
    assert 0 < noise < 0.05 and (t["noise"] == noise).all()
    assert t.loc["budget.domains.Wmo.excess_growth.params.0", "swing"] < noise < t.loc["budget.wage_price.wedge.value", "swing"]
    ax = gp.tornado(tab, unit="share in deficit")
    assert sum(len(c) for c in ax.containers) == 2 * len(tab)
    assert ax.gemfin_data["swing"].is_monotonic_increasing  # widest bar on top
    assert [t.get_text().replace("\n", " ") for t in ax.get_yticklabels()][-1] == tab["label"].iloc[0]


def test_morris_and_sobol_through_salib(allocation_only):
    ranges = {"fund.growth.mean.value": (0.005, 0.025), "fund.price.mean.value": (0.01, 0.03)}
    m = gs.morris(allocation_only, ranges, gs.au_budget(), trajectories=2, paths=64)
    assert set(m.index) == set(ranges) and (m["mu_star"] > 0).all()
    assert m.loc["fund.price.mean.value", "label"].startswith("GDP deflator, long-run mean")
    s = gs.sobol(allocation_only, ranges, gs.au_budget(), n=4, paths=64)
    assert set(s.index) == set(ranges) and np.isfinite(s["ST"]).all()


# --- batched evaluation ---------------------------------------------------------------------

def _outputs():
    return {"share": gs.share_in_deficit(), "au": gs.au_budget(),
            "saldo_q5": lambda r: float(r.finances.saldo_quantiles[:, -1, 0].sum())}


def test_a_batched_set_is_bitwise_a_standalone_run(scen):
    sets = pd.DataFrame({JEUGD: [0.02, 0.045], "fund.growth.mean.value": [0.012, 0.018]})
    out = gs.evaluate(scen, sets, _outputs(), paths=300, seed=8, bins=128)
    for i, row in sets.iterrows():
        # simulate's own block size (1,024), not the batch's 128: the block size only schedules.
        alone = gemfin.simulate(gs.with_parameters(scen, row.to_dict()), paths=300, seed=8, bins=128, progress=False)
        for name, fn in _outputs().items():
            assert out.loc[i, name] == fn(alone)  # exact: same draws, same operations
    assert not out["rebuilt"].any()


def test_sets_in_parallel_equal_sets_in_sequence(scen):
    sets = pd.DataFrame({JEUGD: np.linspace(0.0, 0.06, 6)})
    a = gs.evaluate(scen, sets, _outputs(), paths=200, seed=2, threads=1)
    b = gs.evaluate(scen, sets, _outputs(), paths=200, seed=2, threads=2)
    pd.testing.assert_frame_equal(a, b, check_exact=True)


def test_a_structural_parameter_rebuilds_and_says_so(scen):
    from gemfin.sensitivity.batch import is_structural

    assert is_structural("budget.base.year") and is_structural("drivers.inwoners.maatstaven.0")
    assert not is_structural("drivers.inwoners.national.params.0") and not is_structural(JEUGD)
    sets = pd.DataFrame({"horizon": [10.0, 4.0]})
    out = gs.evaluate(scen, sets, {"au": gs.au_budget()}, paths=64, seed=1)
    assert list(out["rebuilt"]) == [True, True]
    assert out.loc[0, "au"] > out.loc[1, "au"]  # 2035 against 2029


def test_ranges_are_checked_against_the_schema(scen):
    with pytest.raises(InputError, match=r"fund\.growth\.persistence\.value: expected a number ≤ 0\.99"):
        gs.check_ranges(scen, {"fund.growth.persistence.value": (0.2, 1.5)})
    with pytest.raises(InputError, match=r"parameter 'fund\.growth\.mean\.value': expected low < high"):
        gs.check_ranges(scen, {"fund.growth.mean.value": (0.02, 0.01)})
    with pytest.raises(InputError, match=r"has no field 'fund\.growth\.average'"):
        gs.morris(scen, {"fund.growth.average.value": (0.0, 1.0)}, gs.au_budget(), trajectories=2, paths=16)


def test_sobol_convergence_and_wide_interval_warning(allocation_only):
    import warnings

    ranges = {"fund.growth.mean.value": (0.005, 0.025), "fund.price.mean.value": (0.01, 0.03),
              "fund.growth.persistence.value": (0.2, 0.4)}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = gs.sobol(allocation_only, ranges, gs.au_budget(), n=8, paths=32, full=True)
    assert list(res.convergence.index.get_level_values(0).unique()) == [2, 4, 8]
    pd.testing.assert_frame_equal(res.convergence.loc[8].loc[res.indices.index], res.indices.drop(columns="label"))
    assert len(res.samples) == 8 * (3 + 2)
    t = res.indices
    wide = {p for p, r in t.iterrows() if r["ST_conf"] > abs(r["ST"]) or r["S1_conf"] > abs(r["S1"])}
    assert set(res.wide) == wide and wide  # with 8 base samples some interval is wide
    msgs = [str(w.message) for w in caught if issubclass(w.category, gemfin.errors.GemfinWarning)]
    assert len(msgs) == 1 and all(p in msgs[0] for p in wide)
    # The mean growth of the fund drives its size far more than how persistent growth is.
    assert t.loc["fund.growth.mean.value", "ST"] > 10 * t.loc["fund.growth.persistence.value", "ST"]


def test_cli_sensitivity_writes_indices_and_samples(tmp_path, capsys):
    from gemfin.cli import main

    params = tmp_path / "p.yaml"
    params.write_text("fund.growth.mean.value: [0.005, 0.025]\nfund.price.mean.value: [0.01, 0.03]\n")
    out = tmp_path / "out"
    assert main(["sensitivity", str(BASELINE), "--method", "sobol", "--parameters", str(params), "--samples", "4",
                 "--paths", "64", "--output", "au_budget:2030", "--out", str(out), "--no-progress"]) == 0
    idx = pd.read_csv(out / "indices.csv")
    assert set(idx["parameter"]) == {"fund.growth.mean.value", "fund.price.mean.value"}
    assert len(pd.read_csv(out / "samples.csv")) == 4 * (2 + 2)
    assert (out / "convergence.csv").is_file() and (out / "run.json").is_file()
    assert main(["sensitivity", str(BASELINE), "--method", "morris", "--parameters", str(params), "--samples", "2",
                 "--paths", "32", "--out", str(tmp_path / "m"), "--no-progress"]) == 0
    assert len(pd.read_csv(tmp_path / "m" / "samples.csv")) == 2 * (2 + 1)


@pytest.mark.parametrize("text,message", [
    ("fund.growth.persistence.value: [0.2, 1.5]\n", r"fund\.growth\.persistence\.value: expected a number ≤ 0\.99"),
    ("fund.growth.mean.value: [0.01]\n", r"p\.yaml: fund\.growth\.mean\.value: expected \[low, high\]"),
    ("fund.growth.mean.value: [0.01, 0.02]\n", r"--samples 6: Sobol' sampling needs a power of two"),
])
def test_cli_sensitivity_bad_input(tmp_path, capsys, text, message):
    import re

    from gemfin.cli import main

    params = tmp_path / "p.yaml"
    params.write_text(text)
    out = tmp_path / "out"
    assert main(["sensitivity", str(BASELINE), "--method", "sobol", "--parameters", str(params), "--samples", "6",
                 "--paths", "16", "--out", str(out)]) == 2
    assert re.search(message, capsys.readouterr().err)
    assert not out.exists()  # nothing written


# --- checked before any set runs -------------------------------------------------------------

@pytest.fixture()
def no_runs(monkeypatch):
    """Any parameter set that runs fails the test: the check must come first."""
    def fail(*a, **k):
        raise AssertionError("a parameter set ran before the arguments were checked")
    monkeypatch.setattr(gs, "evaluate", fail)


@pytest.mark.parametrize("output, message", [
    ("share_in_deficit:2040", "2040 is not a projected year of 'Baseline'; expected one of 2026–2035"),
    ("deficits", "unknown output 'deficits'"),
    ("au_budget:20x", "the year after ':' must be a number"),
    (gs.au_budget(2019), "2019 is not a projected year"),
    (42, "expected a name such as 'share_in_deficit:2030' or a function"),
])
def test_bad_outputs_fail_before_any_set(scen, no_runs, output, message):
    for method in (gs.one_at_a_time, gs.morris, gs.sobol):
        with pytest.raises(InputError, match=message):
            method(scen, {JEUGD: (0.01, 0.05)}, output, paths=16)


def test_a_budget_output_without_a_budget_fails_first(allocation_only, no_runs):
    with pytest.raises(InputError, match="needs a scenario with a budget section"):
        gs.one_at_a_time(allocation_only, {"fund.growth.mean.value": (0.005, 0.025)}, "share_in_deficit", paths=16)


def test_a_function_that_cannot_read_the_result_fails_on_a_trial_run(scen, no_runs):
    def deficit_in_2040(res):
        return res.finances.national()["share in deficit mean"].loc[2040]

    with pytest.raises(InputError, match=r"output deficit_in_2040: fails on a trial run of 'Baseline' \(KeyError"):
        gs.morris(scen, {JEUGD: (0.01, 0.05)}, deficit_in_2040, paths=16)


def test_evaluate_checks_its_outputs(scen):
    sets = pd.DataFrame({JEUGD: [0.03]})
    with pytest.raises(InputError, match="2040 is not a projected year"):
        gs.evaluate(scen, sets, {"y": "share_in_deficit:2040"}, paths=16)
    with pytest.raises(InputError, match=r"outputs\['y'\]: expected a function"):
        gs.evaluate(scen, sets, {"y": 3}, paths=16)


def test_cli_sensitivity_output_year_fails_at_once(tmp_path, capsys):
    from gemfin.cli import main

    params = tmp_path / "p.yaml"
    params.write_text("fund.growth.mean.value: [0.005, 0.025]\n")
    rc = main(["sensitivity", "baseline", "--method", "morris", "--parameters", str(params),
               "--output", "share_in_deficit:2040", "--out", str(tmp_path / "out")])
    assert rc == 2
    assert "2040 is not a projected year of 'Baseline'" in capsys.readouterr().err
    assert not any((tmp_path / "out").iterdir()) if (tmp_path / "out").exists() else True


def test_every_number_of_every_shipped_scenario_has_a_name():
    from gemfin.scenario.parameter_names import describe

    def leaves(node, path):
        if isinstance(node, dict):
            for k, v in node.items():
                if k not in ("source", "description", "name", "year", "first_year", "base"):
                    yield from leaves(v, path + [str(k)])
        elif isinstance(node, list):
            for i, v in enumerate(node):
                yield from leaves(v, path + [str(i)])
        elif isinstance(node, (int, float)) and not isinstance(node, bool):
            yield ".".join(path)

    for name in gemfin.scenarios():
        s = gemfin.load_scenario(name)
        unnamed = [p for p in leaves(s.to_dict(), []) if describe(p, s.to_dict())[0] == p]
        assert unnamed == [], f"{name}: no human name for {unnamed}"


def test_structural_fields_come_from_the_schema():
    from gemfin.schema.scenario import STRUCTURAL_PATHS
    from gemfin.sensitivity.batch import is_structural

    assert set(STRUCTURAL_PATHS) == {"circulaire", "horizon", "proposal", "budget.base", "budget.ingroei",
                                     "drivers.*.maatstaven", "drivers.*.average_years"}
    assert is_structural("drivers.jongeren.average_years") and is_structural("budget.ingroei.first_cap.value")
    assert not is_structural("budget.response.speed.value") and not is_structural("drivers")
    base = gemfin.load_scenario(BASELINE)
    assert base.structure() == gemfin.load_scenario(BASELINE).with_values({JEUGD: 0.05}).structure()
    assert base.structure() != base.with_values({"horizon": 5}).structure()
