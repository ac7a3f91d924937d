"""What a newcomer meets in the first hour -- set-up, figures, bad input, outputs."""

import json
import re
import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import openpyxl  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
import yaml  # noqa: E402

import gemfin  # noqa: E402
import gemfin.plot as gp  # noqa: E402
from gemfin.results.budget import BudgetResult  # noqa: E402
from gemfin.cli import _parser, main  # noqa: E402
from gemfin.errors import GemfinWarning, InputError  # noqa: E402
from gemfin.scenario import ScenarioError, load_scenario  # noqa: E402

from conftest import PROPOSALS, REPO  # noqa: E402

SCENARIOS = REPO / "scenarios"


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


# --- set-up -----------------------------------------------------------------------------------

def test_makefile_installs_what_a_bare_debian_lacks():
    text = (REPO / "Makefile").read_text()
    packages = re.search(r"APT_PACKAGES := (.*?)\n\S", text, re.S).group(1).split()
    assert {"python3", "python3-venv", "python3-dev"} <= set(packages)
    # The venv is only trusted once its stamp exists: a half-built one is rebuilt.
    assert re.search(r"\$\(STAMP_VENV\):.*\n\t@rm -rf \$\(VENV\)", text)
    assert "fresh-check:" in text and (REPO / ".ci" / "fresh-check").exists()


def test_version_option(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert capsys.readouterr().out.startswith(f"gemfin {gemfin.__version__}")


# --- numbers as people type them ----------------------------------------------------------------

@pytest.mark.parametrize("text", ["10000", "10,000", "10_000", "1e4", "1E4"])
def test_paths_accepts_thousands_separators_and_exponents(text):
    args = _parser().parse_args(["run", "x.yaml", "--out", "d", "--paths", text])
    assert args.paths == 10_000


@pytest.mark.parametrize("text", ["1.5", "ten", "0", "-5"])
def test_paths_rejects_what_is_not_a_count(text, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["run", "x.yaml", "--out", "d", "--paths", text])
    assert exc.value.code == 2
    assert "--paths" in capsys.readouterr().err


def test_au_budget_in_millions_is_refused(tmp_path, capsys):
    assert main(["allocate", "--au-budget", "41000", "--out", str(tmp_path / "a.csv")]) == 2
    err = capsys.readouterr().err
    assert "negative for" in err and "41e9" in err
    assert list(tmp_path.iterdir()) == []


def test_negative_au_budget_is_a_value_not_an_option(capsys):
    assert main(["allocate", "--au-budget", "-41e9"]) == 2
    err = capsys.readouterr().err
    assert "au_budget: EUR -4.1e+10" in err and "positive uitkeringsfactor" in err


def test_implausible_uitkeringsfactor_warns(circ):
    with pytest.warns(GemfinWarning, match=r"uitkeringsfactor 2\.\d+ .* plausible band 1\.0–2\.0"):
        gemfin.allocate(circ, au_budget=70e9)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        gemfin.allocate(circ, au_budget=41e9)  # a plausible budget: no warning


def test_keep_takes_one_code():
    res = gemfin.simulate(SCENARIOS / "baseline.yaml", paths=64, progress=False, keep="GM0014")
    assert list(res.kept_paths) == ["GM0014"]
    assert res.kept_paths["GM0014"].shape == (64, 10)


# --- output paths checked before work -------------------------------------------------------

def test_out_that_is_a_directory_is_refused(tmp_path, capsys):
    assert main(["allocate", "--out", str(tmp_path)]) == 2
    assert "is a directory" in capsys.readouterr().err


def test_out_in_an_unwritable_directory_is_refused(capsys):
    # /proc refuses new files even to root, which chmod does not.
    assert main(["allocate", "--out", "/proc/allocation.xlsx"]) == 2
    assert "not writable" in capsys.readouterr().err


def test_run_checks_out_before_simulating(tmp_path, monkeypatch, capsys):
    import gemfin.run.simulation

    def never(*a, **k):
        raise AssertionError("simulate ran although --out was bad")

    monkeypatch.setattr(gemfin.run.simulation, "simulate", never)
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert main(["run", str(SCENARIOS / "baseline.yaml"), "--out", str(blocker)]) == 2
    assert "exists and is not a directory" in capsys.readouterr().err
    assert main(["run", str(SCENARIOS / "baseline.yaml"), "--out", "/proc/gemfin-out"]) == 2
    assert main(["report", str(SCENARIOS / "baseline.yaml"), "--out", str(tmp_path / "r.pdf")]) == 2
    assert "unknown extension '.pdf'" in capsys.readouterr().err


# --- scenario and proposal files ------------------------------------------------------------

def test_empty_scenario_and_directory_say_what_they_are(tmp_path):
    empty = tmp_path / "empty.yaml"
    empty.write_text("")
    with pytest.raises(ScenarioError, match="the file is empty"):
        load_scenario(empty)
    with pytest.raises(ScenarioError, match="is a directory; expected a YAML file"):
        load_scenario(tmp_path)


def test_validate_recognises_proposals(capsys):
    path = str(PROPOSALS / "jeugd-naar-jongeren.yaml")
    assert main(["validate", path]) == 0
    assert "valid proposal" in capsys.readouterr().out
    assert main(["validate", path, "--kind", "scenario"]) == 1
    assert "missing ['fund', 'drivers']" in capsys.readouterr().out


def test_validate_reports_a_bad_proposal(tmp_path, capsys):
    bad = tmp_path / "p.yaml"
    bad.write_text(yaml.safe_dump({"name": "x", "changes": [{"type": "scale", "maatstaf": "jongg", "factor": 2}]}))
    assert main(["validate", str(bad)]) == 1
    assert "jongg" in capsys.readouterr().out


def _baseline_doc() -> dict:
    return yaml.safe_load((SCENARIOS / "baseline.yaml").read_text())


def test_misspelt_nested_key_is_named_with_a_suggestion():
    doc = _baseline_doc()
    doc["fund"]["growth"]["maen"] = doc["fund"]["growth"].pop("mean")
    with pytest.raises(ScenarioError) as exc:
        gemfin.scenario.scenario_from_dict(doc)
    text = str(exc.value)
    assert "fund.growth: unknown field(s) 'maen' (did you mean 'mean'?)" in text


def test_fund_error_does_not_invent_an_unknown_variable():
    doc = _baseline_doc()
    doc["fund"]["growth"]["persistence"] = {"value": "high", "source": "x"}
    doc.setdefault("correlation", []).append({"between": ["price", "growth"], "value": 0.1, "source": "x"})
    with pytest.raises(ScenarioError) as exc:
        gemfin.scenario.scenario_from_dict(doc)
    assert "fund.growth.persistence.value" in str(exc.value)
    assert "unknown variable 'price'" not in str(exc.value)


def test_override_without_source_is_refused(tmp_path):
    child = tmp_path / "child.yaml"
    child.write_text(f"extends: {SCENARIOS / 'baseline.yaml'}\nname: child\n"
                     "fund:\n  growth:\n    mean: {value: 0.03}\n")
    with pytest.raises(ScenarioError, match=r"fund\.growth\.mean: overrides the value .* without a 'source:'"):
        load_scenario(child)
    child.write_text(f"extends: {SCENARIOS / 'baseline.yaml'}\nname: child\n"
                     "fund:\n  growth:\n    mean: {value: 0.03, source: 'assumption: test'}\n")
    assert load_scenario(child).fund.growth.mean.source == "assumption: test"


# --- figures ----------------------------------------------------------------------------------

def test_waterfall_axis_spans_every_running_total_and_names_the_proposal(circ):
    cmp = gemfin.compare(circ, PROPOSALS / "jeugd-naar-jongeren.yaml")
    for code in ("GM0014", cmp.per_inhabitant.idxmin(), cmp.per_inhabitant.idxmax()):
        ax = gp.allocation_waterfall(cmp.baseline, cmp.reform, code, by="maatstaf")
        lo, hi = ax.get_ylim()
        totals = ax.gemfin_data.attrs["running_totals"] / 1e6
        assert lo < totals.min() and totals.max() < hi
        labels = [t.get_text() for t in ax.get_xticklabels()]
        assert "huishoudens met een laag inkomen met drempel" in labels and "lidr_w_nw" not in labels
        assert cmp.proposal.name in ax.get_title() and "S2024_2025 →" in ax.get_title()


def test_waterfall_between_circulaires_spans_its_bars():
    before = gemfin.allocate(gemfin.load_circulaire("M2024_2024"))
    after = gemfin.allocate(gemfin.load_circulaire("S2024_2025"))
    ax = gp.allocation_waterfall(before, after, "GM0014", by="cluster")
    lo, hi = ax.get_ylim()
    for bar in ax.patches[1:-1]:  # the steps; the end bars start at zero by design
        assert lo <= min(bar.get_y(), bar.get_y() + bar.get_height()) and \
            max(bar.get_y(), bar.get_y() + bar.get_height()) <= hi


def test_losses_are_red_and_gains_blue(circ):
    values = pd.Series(np.linspace(-10, 10, len(circ.volumes.index)), index=circ.volumes.index)
    ax = gp.municipality_map(values)
    neg = plt.get_cmap(gp.DIVERGING)(ax.gemfin_norm(-10.0))
    pos = plt.get_cmap(gp.DIVERGING)(ax.gemfin_norm(10.0))
    assert neg[0] > neg[2] and pos[2] > pos[0]


def test_map_scale_is_robust_to_one_outlier(circ):
    rng = np.random.default_rng(0)
    values = pd.Series(rng.uniform(-10, 10, len(circ.volumes.index)), index=circ.volumes.index)
    values.iloc[0] = 370.0
    ax = gp.municipality_map(values, unit="EUR per inhabitant")
    assert ax.gemfin_norm.vmax < 11
    assert ax.figure.axes[-1].get_ylabel() == "EUR per inhabitant"
    note = ax.get_xlabel().replace("\n", " ")  # under the map, where it fits the canvas
    assert "Scale clipped at" in note and "municipalities beyond" in note and "370" in note
    assert gp.municipality_map(values, robust=False).gemfin_norm.vmax == pytest.approx(370)


def test_most_at_risk_breaks_ties_by_shortfall_then_saldo():
    m = pd.DataFrame({"name": ["A", "B", "C", "D"], "province": "P", "size_class": "x",
                      "inhabitants": [1000.0, 1000.0, 1000.0, 1000.0]},
                     index=pd.Index(["GM0001", "GM0002", "GM0003", "GM0004"]))
    one = np.ones((4, 1))
    res = BudgetResult(
        years=(2026,), quantiles=(), municipalities=m,
        saldo_mean=np.array([[-1e5], [-2e5], [-3e5], [-5e5]]), saldo_sd=one, saldo_quantiles=np.zeros((4, 1, 0)),
        p_deficit=one, shortfall=np.array([[-1e6], [-4e6], [-4e6], [-2e6]]),
        p_exhausted=np.array([[1.0], [1.0], [1.0], [0.5]]), p_art12=one * 0, net_shock=one * 0,
        reserves_mean=one * 0, share_deficit=pd.DataFrame({"mean": [1.0]}, index=[2026]),
        planned_saldo_mean=one * 0, planned_saldo_sd=one, planned_saldo_quantiles=np.zeros((4, 1, 0)),
        p_planned_deficit=one * 0, lasten_mean=one)
    assert list(res.risk_table(n=4).index) == ["GM0003", "GM0002", "GM0001", "GM0004"]


# --- outputs for people -----------------------------------------------------------------------

def test_allocation_outputs_carry_provenance_and_formats(tmp_path):
    xlsx, csv = tmp_path / "a.xlsx", tmp_path / "a.csv"
    assert main(["allocate", "--out", str(xlsx)]) == 0
    wb = openpyxl.load_workbook(xlsx)
    assert wb.sheetnames[-1] == "about"
    about = {r[0]: r[1] for r in wb["about"].iter_rows(min_row=2, values_only=True) if r[0]}
    assert about["gemfin_version"] == gemfin.__version__
    assert re.fullmatch(r"[0-9a-f]{64}", about["data_fingerprint"])
    ws = wb["per municipality"]
    header = [c.value for c in ws[1]]
    assert header[:3] == ["CBS code", "name", "province"]
    au = header.index("algemene uitkering 2025 (EUR)") + 1
    assert ws.cell(row=2, column=au).number_format == "#,##0"
    per = header.index("algemene uitkering 2025 per inhabitant (EUR per inhabitant)") + 1
    assert ws.cell(row=2, column=per).number_format == "#,##0.00"
    assert ws.freeze_panes == "C2" and ws.auto_filter.ref == ws.dimensions
    assert ws.column_dimensions["B"].width >= max(len(str(c.value)) for c in ws["B"][1:])
    assert main(["allocate", "--out", str(csv)]) == 0
    df = pd.read_csv(csv)  # machine-readable: comma, dot decimals, no thousands separators
    assert df["algemene uitkering 2025 (EUR)"].dtype == float and df.columns[0] == "CBS code"
    run = json.loads((tmp_path / "a.run.json").read_text())
    assert run["command"] == "gemfin allocate" and run["circulaire"] == "S2024_2025"


def test_run_outputs_carry_provenance(tmp_path):
    import xarray as xr

    out = tmp_path / "out"
    assert main(["run", str(SCENARIOS / "recession.yaml"), "--paths", "1,000", "--seed", "5", "--out", str(out),
                 "--no-progress"]) == 0
    run = json.loads((out / "run.json").read_text())
    assert run["seed"] == 5 and run["paths"] == 1000 and run["scenario_name"] == "Recession"
    resolved = yaml.safe_load(run["scenario"])  # after extends: the parent's fields are in it
    assert "extends" not in resolved and resolved["fund"]["rule"] == "gdp"
    assert resolved["fund"]["growth"]["start"]["value"] == -0.03
    with xr.open_dataset(out / "results.nc", engine="scipy") as ds:
        for key in ("gemfin_version", "data_fingerprint", "scenario", "seed", "paths"):
            assert key in ds.attrs
        assert ds.attrs["data_fingerprint"] == run["data_fingerprint"]
    wb = openpyxl.load_workbook(out / "results.xlsx")
    ws = wb["budget 2035"]
    header = [c.value for c in ws[1]]
    col = header.index("P(deficit 2035) (probability)") + 1
    assert ws.cell(row=2, column=col).number_format == "0.0%"
    assert "saldo 2035 q5 (EUR)" in header and "about" in wb.sheetnames
    summary = pd.read_csv(out / "summary.csv")
    assert summary.columns[0] == "CBS code" and len(summary) == 342


def test_report_lists_every_source_and_its_provenance(tmp_path):
    from gemfin.report import parameter_sources

    out = tmp_path / "r.html"
    assert main(["report", str(SCENARIOS / "corona-2020.yaml"), "--paths", "200", "--out", str(out),
                 "--no-progress"]) == 0
    text = out.read_text(encoding="utf-8")
    sources = text.split("id='sources'>Sources</h2>")[1]
    scen = load_scenario(SCENARIOS / "corona-2020.yaml")
    rows = parameter_sources(scen.to_dict())
    assert len(rows) > 40
    for path, _, _ in rows:
        assert f"<td>{path}</td>" in sources
    assert "<footer>" in text and "data_fingerprint" in text and "…;" not in text


def test_maatstaven_command_and_docs_page(capsys):
    assert main(["maatstaven", "--circulaire", "S2024_2025", "--format", "csv"]) == 0
    df = pd.read_csv(pd.io.common.StringIO(capsys.readouterr().out))
    row = df.set_index("code").loc["jong"]
    assert row["name"] == "jongeren" and "Individuele voorzieningen Jeugd" in row["clusters"]
    circ = gemfin.load_circulaire("S2024_2025")
    assert row["national volume"] == pytest.approx(circ.volumes["jong"].sum())
    assert len(df) == len(circ.rates)
    assert main(["maatstaven", "--format", "markdown"]) == 0
    assert capsys.readouterr().out == (REPO / "docs" / "maatstaven.md").read_text(), \
        "docs/maatstaven.md is stale: gemfin maatstaven --format markdown > docs/maatstaven.md"


def test_allocate_refuses_negative_au_for_a_municipality(circ):
    with pytest.raises(InputError, match=r"negative for \d+ municipalities, e\.g\. GM"):
        gemfin.allocate(circ, au_budget=1e9)


def test_scenario_examples_in_the_docs_load(tmp_path, monkeypatch):
    """Every scenario snippet of the README and the docs (a yaml block that extends a shipped
    scenario) loads as written, from a folder outside the repository: an example a newcomer
    copies must work."""
    monkeypatch.chdir(tmp_path)
    pages = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
    snippets = [b for page in pages for b in re.findall(r"```yaml\n(.*?)```", page.read_text(encoding="utf-8"), flags=re.S)
                if b.startswith("extends:")]
    assert snippets
    for i, text in enumerate(snippets):
        path = tmp_path / f"example-{i}.yaml"
        path.write_text(text, encoding="utf-8")
        load_scenario(path)
