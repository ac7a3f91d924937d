"""Forecasts of the realised saldo, scored; only what was known at the time is read."""

import csv
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import gemfin._datadir
import gemfin.backtest as bt
from gemfin import realisation
from gemfin.backtest import scores
from gemfin.cli import main
from gemfin.errors import InputError
from gemfin.iv3.panel import BATEN, SUMMARY, InformationSet, load_panel, to_indeling

REPO = Path(__file__).resolve().parents[2]


# --- scores against hand-computed values -------------------------------------------------

def test_brier_and_auc_by_hand():
    p = np.array([0.9, 0.2, 0.6, 0.4])
    o = np.array([1, 0, 0, 1])
    assert scores.brier(p, o) == pytest.approx((0.01 + 0.04 + 0.36 + 0.36) / 4)
    # Pairs (event, no event): (0.9, 0.2) ✓, (0.9, 0.6) ✓, (0.4, 0.2) ✓, (0.4, 0.6) ✗ → 3/4.
    assert scores.roc_auc(p, o) == pytest.approx(0.75)
    assert scores.roc_auc(np.array([0.5, 0.5]), np.array([1, 0])) == pytest.approx(0.5)
    assert np.isnan(scores.roc_auc(p, np.ones(4)))


def test_crps_by_hand():
    # One member: CRPS = |x − y|. Two members {0, 2}, y = 1: E|X−y| = 1, ½E|X−X'| = ½·(0+2+2+0)/4 = 0.5.
    assert scores.crps_ensemble(np.array([[3.0]]), np.array([1.0]))[0] == pytest.approx(2.0)
    assert scores.crps_ensemble(np.array([[0.0], [2.0]]), np.array([1.0]))[0] == pytest.approx(0.5)


def test_reliability_bins():
    t = scores.reliability(np.array([0.05, 0.08, 0.95]), np.array([0, 1, 1]), bins=10)
    assert t.loc[0, "count"] == 2 and t.loc[0, "observed_frequency"] == pytest.approx(0.5)
    assert t.loc[9, "mean_forecast"] == pytest.approx(0.95) and t["count"].sum() == 3


# --- the model recovers what it is given ----------------------------------------------------

def test_fit_recovers_a_known_realisation_model():
    rng = np.random.default_rng(3)
    rows = []
    alpha = {2017: 0.01, 2018: -0.005, 2019: 0.02}
    for year, a in alpha.items():
        for g in range(400):
            lasten = 1e8
            b = rng.normal(-0.01, 0.02)
            j = a + 0.6 * b + rng.normal(0, 0.01)
            code = f"GM{g:04d}"
            rows.append(("begroting", year, code, 1e4, lasten, 0, 0, lasten * (1 + b), np.nan))
            rows.append(("jaarrekening", year, code, 1e4, lasten, 0, 0, lasten * (1 + j), np.nan))
    panel = pd.DataFrame(rows, columns=["document", "year", "gm_code", "inhabitants", "lasten", "reserve_lasten",
                                        "reserve_baten", "baten", "rijk"])
    panel["filed"] = True
    panel["saldo"] = panel["baten"] - panel["lasten"]
    m = realisation.fit(panel, [2017, 2018, 2019], prior_sd=0.02, prior_years=1)
    assert m.beta == pytest.approx(0.6, abs=0.03)
    for year, a in alpha.items():
        assert m.alpha[year] == pytest.approx(a, abs=0.002)
    # No persistence was put in: ρ is zero within a few standard errors (the score of a gap
    # with spread 0.01 is about 1/0.01, so ρ's standard error is of the order 0.01/(100·√400)).
    assert abs(m.gap_persistence) < 2e-5
    assert np.std(m.residuals) == pytest.approx(0.01, rel=0.1)
    assert m.year_mean == pytest.approx(np.mean(list(alpha.values())), abs=0.002)


def _panel_with_habit(seed: int, habit_sd: float, one_off_scale: float = 0.03, n: int = 400) -> pd.DataFrame:
    """Six years of pairs in which each municipality has a habit p (constant over the years,
    normal with ``habit_sd``) and every year a one-off, Student-t with 3 degrees of freedom."""
    rng = np.random.default_rng(seed)
    habit = rng.normal(0.0, habit_sd, n)
    rows = []
    for year in range(2017, 2023):
        a = rng.normal(0.01, 0.01)
        b = rng.normal(-0.01, 0.02, n)
        j = a + 0.6 * b + habit + one_off_scale * rng.standard_t(3, n)
        for g in range(n):
            code, lasten = f"GM{g:04d}", 1e8
            rows.append(("begroting", year, code, 1e4, lasten, 0, 0, lasten * (1 + b[g]), np.nan))
            rows.append(("jaarrekening", year, code, 1e4, lasten, 0, 0, lasten * (1 + j[g]), np.nan))
    panel = pd.DataFrame(rows, columns=["document", "year", "gm_code", "inhabitants", "lasten", "reserve_lasten",
                                        "reserve_baten", "baten", "rijk"])
    panel["filed"] = True
    panel["saldo"] = panel["baten"] - panel["lasten"]
    return panel


def test_gap_persistence_estimates_the_variance_of_the_habit():
    """ρ multiplies the Student-t score of the gap two years back; with a habit of spread
    0.02 (variance 4e-4) under one-offs of scale 0.03 it recovers the variance, and without a
    habit it is zero within its standard error (about 4.5e-5 in this design)."""
    years = list(range(2017, 2023))
    with_habit = realisation.fit(_panel_with_habit(0, 0.02), years, prior_sd=0.02, prior_years=1)
    assert 0.7 * 4e-4 < with_habit.gap_persistence < 1.4 * 4e-4
    without = realisation.fit(_panel_with_habit(1, 0.0), years, prior_sd=0.02, prior_years=1)
    assert abs(without.gap_persistence) < 1.5e-4


def test_gap_score_is_the_student_t_score_of_its_year():
    """Gaps drawn from a Student-t with 4 degrees of freedom and scale 0.04: the score is
    (ν + 1)·u / (ν·s² + u²) with those values (fitted on 20,000 gaps, so within a few percent),
    odd, and a one-off five times as far out as a gap of 2 s counts for less than half of it."""
    nu, s = 4.0, 0.04
    rng = np.random.default_rng(5)
    u = s * rng.standard_t(nu, 20_000)
    u[:5] = [0.01, -0.01, s * 2.0, s * 10.0, 0.0]
    idx = pd.MultiIndex.from_arrays([[f"GM{i:05d}" for i in range(len(u))], [2020] * len(u)],
                                    names=["gm_code", "year"])
    score = realisation.gap_score(pd.Series(u, index=idx)).to_numpy()
    expected = (nu + 1) * u[:5] / (nu * s * s + u[:5] ** 2)
    assert score[:5] == pytest.approx(expected, rel=0.05, abs=1e-9)
    assert score[0] == pytest.approx(-score[1]) and score[4] == 0.0
    assert score[3] < score[2] / 2  # by hand: 0.48/s at 10 s against 1.25/s at 2 s


def test_a_year_with_too_few_gaps_gives_no_persistence_signal_and_says_so():
    """Ten gaps are too few to fit a Student-t: that year's gaps get no score (NaN, so no
    persistence signal), the other years are scored, and the fit names the year in its notes."""
    idx = pd.MultiIndex.from_arrays([[f"GM{i:04d}" for i in range(10)], [2019] * 10], names=["gm_code", "year"])
    assert realisation.gap_score(pd.Series(np.linspace(-0.1, 0.1, 10), index=idx)).isna().all()
    # Forty begrotingen realised to the euro but one: no spread, no score (not one of 1e9).
    idx40 = pd.MultiIndex.from_arrays([[f"GM{i:04d}" for i in range(40)], [2019] * 40], names=["gm_code", "year"])
    assert realisation.gap_score(pd.Series(np.r_[np.zeros(39), 1e-9], index=idx40)).isna().all()
    panel = _panel_with_habit(2, 0.01)
    keep = (panel["year"] != 2017) | (panel["gm_code"] < "GM0010")  # 2017: ten municipalities
    m = realisation.fit(panel[keep], list(range(2017, 2023)), prior_sd=0.02, prior_years=1)
    assert any("realisation gaps of [2017] are too few" in n for n in m.notes)
    assert np.isfinite(m.gap_persistence)


# --- information set ----------------------------------------------------------------------

def _copy_without_later_rows(src, dst, target):
    """A data directory in which every row the forecast of ``target`` may not use is deleted
    (begrotingen after the target, jaarrekeningen after target − 2, the target's realisation)."""
    import shutil

    shutil.copytree(src, dst)
    for name in (SUMMARY, BATEN):
        path = dst / "finance" / name
        with open(path, newline="") as f:
            rows = list(csv.reader(f))
        keep = [rows[0]]
        for r in rows[1:]:
            year, kind = int(r[1][:4]), r[1][4:]
            if (kind == "X000" and year <= target) or (kind == "X005" and year <= target - 2):
                keep.append(r)
        with open(path, "w", newline="") as f:
            csv.writer(f, lineterminator="\n").writerows(keep)


def test_forecast_reads_nothing_of_later_years(tmp_path):
    from gemfin._datadir import data_dir

    target = 2021
    # Both runs name their data, so both fit the gaps' distributions at run time; the shipped
    # table (used with the default data) is checked year by year in
    # test_shipped_gap_distributions_are_the_calibrated_ones.
    full = bt.backtest(target, paths=500, seed=4, data=data_dir())
    cut = tmp_path / "data"
    _copy_without_later_rows(data_dir(), cut, target)
    blind = bt.backtest(target, paths=500, seed=4, data=cut)
    # Bitwise the same forecast from data that never held a later row: none was used.
    cols = ["p_deficit", "saldo_mean", "saldo_q5", "saldo_q50", "saldo_q95"]
    pd.testing.assert_frame_equal(full.predictions[cols], blind.predictions[cols], check_exact=True)
    pd.testing.assert_frame_equal(full.national, blind.national, check_exact=True)
    assert full.scores is not None and blind.scores is None


def test_information_set_drops_rows_while_reading():
    info = InformationSet.for_target(2020)
    panel = load_panel(info)
    assert panel.loc[panel["document"] == "begroting", "year"].max() == 2020
    assert panel.loc[panel["document"] == "jaarrekening", "year"].max() == 2018
    assert info.allows("begroting", 2020) and not info.allows("jaarrekening", 2019)


# --- results --------------------------------------------------------------------------------

def test_target_year_outside_the_data_lists_the_years():
    with pytest.raises(InputError, match=r"available target years: \[2019, 2020, 2021, 2022, 2023, 2024\]"):
        bt.backtest(2018)


def test_all_zero_begroting_is_filled_and_reported(tmp_path):
    from gemfin._datadir import data_dir
    import shutil

    cut = tmp_path / "data"
    shutil.copytree(data_dir(), cut)
    path = cut / "finance" / BATEN
    text = path.read_text().splitlines()
    i = next(k for k, line in enumerate(text) if line.startswith("2021,2021X000,GM0014,"))
    parts = text[i].split(",")
    parts[4] = parts[5] = "0.0"
    text[i] = ",".join(parts)
    path.write_text("\n".join(text) + "\n")
    res = bt.backtest(2021, paths=300, data=cut)
    assert res.filled.loc["GM0014", "reason"] == "empty filing (zero totals)"
    assert res.filled.loc["GM0014", "used"].startswith("begroting 2020")
    assert "GM0014" in res.predictions.index and np.isfinite(res.predictions.loc["GM0014", "p_deficit"])


def test_same_seed_same_forecast_and_probabilities_in_range():
    a = bt.backtest(2022, paths=400, seed=9)
    b = bt.backtest(2022, paths=400, seed=9)
    c = bt.backtest(2022, paths=400, seed=10)
    pd.testing.assert_frame_equal(a.predictions, b.predictions, check_exact=True)
    assert not a.predictions["p_deficit"].equals(c.predictions["p_deficit"])
    p = a.predictions
    assert p["p_deficit"].between(0, 1).all()
    assert (p["saldo_q5"] <= p["saldo_q50"]).all() and (p["saldo_q50"] <= p["saldo_q95"]).all()
    assert a.missing == ()
    assert a.scores.loc[2022, "municipalities_scored"] == len(p) - len(a.unscored)


def test_cli_writes_the_named_files(tmp_path, capsys):
    out = tmp_path / "bt"
    assert main(["backtest", "--target-year", "2020", "--paths", "1,000", "--seed", "2", "--out", str(out)]) == 0
    pred = pd.read_csv(out / "predictions.csv")
    assert list(pred.columns) == ["gm_code", "name", "year", "saldo_begroting", "p_deficit", "saldo_mean", "saldo_q5",
                                  "saldo_q50", "saldo_q95", "saldo_realised"]
    assert (pred["year"] == 2020).all() and len(pred) == 355
    assert pred.set_index("gm_code").loc["GM0014", "name"] == "Groningen"
    assert pred["saldo_realised"].notna().sum() > 300 and pred["saldo_begroting"].notna().all()
    nat = pd.read_csv(out / "national.csv")
    assert list(nat.columns) == ["year", "share_deficit_mean", "share_deficit_q5", "share_deficit_q95"]
    sc = pd.read_csv(out / "scores.csv")
    assert {"brier", "brier_climatology", "brier_persistence", "auc", "crps_per_inhabitant",
            "realised_share_in_interval"} <= set(sc.columns)
    run = json.loads((out / "run.json").read_text())
    assert run["trained_on"] == [2017, 2018] and run["seed"] == 2
    # Trained on 2017-2018 there is no gap two years back: the run says so, on screen and in run.json.
    assert any(n.startswith("persistence not estimated") for n in run["model_notes"])
    assert "  model: persistence not estimated" in capsys.readouterr().out
    # A forecast-only year writes no scores.
    assert main(["backtest", "--target-year", "2024", "--paths", "500", "--out", str(tmp_path / "f")]) == 0
    assert not (tmp_path / "f" / "scores.csv").exists()
    assert "forecasts only" in capsys.readouterr().out


def test_a_new_municipality_gets_its_predecessors_history():
    """Land van Cuijk (GM1982, 1 January 2022) has no begroting 2022 in the data: it gets the
    begroting 2021 of its five predecessors, summed and scaled; its relative saldo is theirs."""
    r = bt.backtest(2022, paths=300, seed=2)
    used = r.filled.loc["GM1982", "used"]
    assert used.startswith("begroting 2021 of its predecessors GM0756, GM0786, GM0815, GM1684, GM1702, summed")
    raw = pd.read_csv(gemfin._datadir.data_dir() / "finance" / "iv3_data.iv3summary.csv")
    bat = pd.read_csv(gemfin._datadir.data_dir() / "finance" / "iv3_data.iv3summary.baten_rijk.csv")
    preds = ["GM0756", "GM0786", "GM0815", "GM1684", "GM1702"]
    l21 = raw[(raw.verslagsoort == "2021X000") & raw.gm_code.isin(preds)]["lasten"].sum()
    b21 = bat[(bat.verslagsoort == "2021X000") & bat.gm_code.isin(preds)]["baten"].sum()
    p = r.predictions.loc["GM1982"]
    factor = float(used.split("× ")[1])  # printed with 4 decimals
    assert p["saldo_begroting"] == pytest.approx((b21 - l21) * 1000 * factor, rel=1e-4)


def test_fit_recovers_the_size_dependence_of_the_residual():
    """Residual scale ∝ (inhabitants)^−0.25 with Student-t(4) noise: γ comes back near −0.25."""
    rng = np.random.default_rng(5)
    rows = []
    for year in (2017, 2018, 2019):
        for g in range(600):
            inh = float(np.exp(rng.uniform(np.log(5e3), np.log(3e5))))
            lasten = 2e3 * inh
            b = rng.normal(-0.01, 0.02)
            j = 0.01 + 0.6 * b + 0.03 * (inh / 3e4) ** -0.25 * rng.standard_t(4)
            code = f"GM{g:04d}"
            rows.append(("begroting", year, code, inh, lasten, 0, 0, lasten * (1 + b), np.nan))
            rows.append(("jaarrekening", year, code, inh, lasten, 0, 0, lasten * (1 + j), np.nan))
    panel = pd.DataFrame(rows, columns=["document", "year", "gm_code", "inhabitants", "lasten", "reserve_lasten",
                                        "reserve_baten", "baten", "rijk"])
    panel["filed"] = True
    panel["saldo"] = panel["baten"] - panel["lasten"]
    m = realisation.fit(panel, [2017, 2018, 2019], prior_sd=0.02, prior_years=1)
    assert m.size_elasticity == pytest.approx(-0.25, abs=0.06)
    # At the reference size the fitted scale is the generating one, 0.03 × (n_ref / 3e4)^−0.25.
    assert m.residual_scale == pytest.approx(0.03 * (m.reference_inhabitants / 3e4) ** -0.25, rel=0.15)


def test_realisation_bias_of_the_gemeentefonds_from_the_file():
    """The national ratio of the booked gemeentefonds, realised over budgeted, computed here
    straight from the baten_rijk file over the municipality-years with both filings."""
    from gemfin.calibrate import realisation_bias

    t = realisation_bias(2019)
    raw = pd.read_csv(gemfin._datadir.data_dir() / "finance" / BATEN)
    raw["doc"] = raw["verslagsoort"].str[4:]
    ok = raw[(raw["jaar"] <= 2019) & (raw["rijk"] > 0) & (raw["baten"] > 0)]
    b = ok[ok["doc"] == "X000"].set_index(["jaar", "gm_code"])["rijk"]
    j = ok[ok["doc"] == "X005"].set_index(["jaar", "gm_code"])["rijk"]
    both = b.index.intersection(j.index)
    assert t.loc["gemeentefonds (rijk)", "national ratio"] == pytest.approx(j[both].sum() / b[both].sum(), rel=2e-3)
    assert set(t.index) == {"lasten Jeugd", "lasten Wmo", "lasten Participatie", "lasten Overig",
                            "baten outside the gemeentefonds", "gemeentefonds (rijk)"}


def test_the_engine_forecasts_the_target_year_as_the_backtest_does():
    """The engine from the begroting of 2021 (fund as booked, first_year: base, realisation model
    estimated on 2017–2019) gives the backtest's P(deficit) up to Monte Carlo noise."""
    sc = bt.engine_scenario(2021)
    assert sc.years == [2021] and sc.circulaire == "B2021_2021"
    assert sc.budget.realisation.beta.source.startswith("DERIVED gemfin.calibrate.realisation_parameters(2019)")
    engine = bt.engine_forecast(2021, paths=2000, seed=1)
    python = bt.backtest(2021, paths=2000, seed=1).predictions["p_deficit"]
    common = engine.index.intersection(python.index)
    assert len(common) == 352
    assert np.corrcoef(engine[common], python[common])[0, 1] > 0.97
    assert np.abs(engine[common] - python[common]).mean() < 0.03


def test_realised_shares_against_a_hand_count():
    """The realised shares in deficit the backtest scores against (and the issue, the README and
    notebook 04 quote: 46% 2017 … 8% 2022, +EUR 4.5 bn in 2020) from the two summary files
    directly: baten − lasten (both without reserve mutations) of every filed jaarrekening."""
    from gemfin._datadir import data_dir

    root = data_dir() / "finance"
    lasten = pd.read_csv(root / "iv3_data.iv3summary.csv", usecols=["verslagsoort", "gm_code", "lasten"])
    baten = pd.read_csv(root / "iv3_data.iv3summary.baten_rijk.csv", usecols=["verslagsoort", "gm_code", "baten"])
    both = lasten.merge(baten, on=["verslagsoort", "gm_code"])
    expected = {2017: 0.46, 2018: 0.59, 2019: 0.63, 2020: 0.36, 2021: 0.21, 2022: 0.08}
    for year, share in expected.items():
        jr = both[(both["verslagsoort"] == f"{year}X005") & (both["baten"] != 0) & (both["lasten"] != 0)].dropna()
        saldo = jr["baten"] - jr["lasten"]
        assert (saldo < 0).mean() == pytest.approx(share, abs=0.005)
        assert (bt._realisation(year, None) < 0).mean() == pytest.approx((saldo < 0).mean(), abs=1e-12)
        if year == 2020:
            assert saldo.sum() * 1000 == pytest.approx(4.55e9, rel=0.01)


# --- the gap distributions shipped as numbers ------------------------------------------------

def test_shipped_gap_distributions_are_the_calibrated_ones():
    """scenarios/realisation.yaml carries gemfin.calibrate.gap_distributions(2022); re-estimating
    reproduces every number (and the 2020 gaps, corona's, have the heaviest tails: fewest
    degrees of freedom, widest scale)."""
    import yaml

    from gemfin.calibrate import gap_distributions

    doc = yaml.safe_load((REPO / "scenarios" / "realisation.yaml").read_text())["gap_distributions"]
    est = gap_distributions(2022)
    assert sorted(doc) == sorted(est) == [2017, 2018, 2019, 2020, 2021, 2022]
    for year, d in est.items():
        assert doc[year]["params"] == d["params"] and doc[year]["source"] == d["source"]
        # Each year's entry is what was known at the end of that year: no later filing enters it.
        assert gap_distributions(year)[year]["params"] == d["params"]
    table = realisation.load_gap_distributions()
    assert min(table, key=lambda y: table[y][0]) == 2020 and max(table, key=lambda y: table[y][1]) == 2020


def test_the_engine_takes_the_gap_score_from_the_shipped_numbers(monkeypatch):
    """With the shipped table no distribution is fitted at run time (SciPy's optimiser stays out
    of what the engine computes); a year missing from a table is fitted and the fit says so."""
    table = realisation.load_gap_distributions()

    def no_fit(_):
        raise AssertionError("fitted at run time")
    monkeypatch.setattr(realisation, "fit_student_t", no_fit)
    u = realisation.persistence_signal(2018, 2020, distributions=table)
    assert len(u) > 300 and u.notna().all()
    nu, s = table[2018]
    raw = realisation.gap_deviation(realisation.relative_pairs(
        to_indeling(load_panel(InformationSet(begroting=2018, jaarrekening=2018)), 2020))).xs(2018, level="year")
    x = raw.reindex(u.index).to_numpy()
    np.testing.assert_array_equal(u.to_numpy(), (nu + 1.0) * x / (nu * s * s + x * x))
    monkeypatch.undo()
    partial = {y: v for y, v in table.items() if y != 2017}
    m = realisation.fit(load_panel(InformationSet(begroting=2019, jaarrekening=2019)), [2017, 2018, 2019], 0.02, 1,
                        partial)
    assert any("gap distributions of [2017] are not in scenarios/realisation.yaml" in n for n in m.notes)


@pytest.mark.parametrize("entry,message", [
    ({"distribution": "normal", "params": [0, 1], "source": "x"}, r"gap_distributions\.2019: expected \{distribution: student_t"),
    ({"distribution": "student_t", "params": [4, 0.01, 0.04], "source": "x"}, r"gap_distributions\.2019\.params: expected \[DF > 0, 0\.0"),
    ({"distribution": "student_t", "params": [4, 0.0, 0.04], "source": ""}, r"gap_distributions\.2019\.source"),
])
def test_bad_gap_distributions_are_named(tmp_path, entry, message):
    import yaml

    doc = yaml.safe_load((REPO / "scenarios" / "realisation.yaml").read_text())
    doc["gap_distributions"][2019] = entry
    path = tmp_path / "realisation.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True))
    with pytest.raises(InputError, match=message):
        realisation.load_gap_distributions(path)
