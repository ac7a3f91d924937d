"""Plots are checked for what they show, not only that they run."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

import gemfin  # noqa: E402
import gemfin.plot as gp  # noqa: E402
from gemfin.errors import InputError  # noqa: E402

from conftest import PROPOSALS  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_map_colours_the_right_municipality(circ):
    values = pd.Series(0.0, index=circ.volumes.index)
    values["GM0014"] = 100.0  # Groningen high, Amsterdam low
    values["GM0363"] = -100.0
    ax = gp.municipality_map(values, unit="EUR")
    coll = ax.collections[0]
    faces = coll.get_facecolors()
    idx = {c: i for i, c in enumerate(coll.gemfin_codes)}
    cmap = plt.get_cmap(gp.DIVERGING)
    np.testing.assert_allclose(faces[idx["GM0014"]], cmap(ax.gemfin_norm(100.0)))
    np.testing.assert_allclose(faces[idx["GM0363"]], cmap(ax.gemfin_norm(-100.0)))
    assert ax.gemfin_norm(0.0) == pytest.approx(0.5)  # diverging scale centred on zero
    assert not np.allclose(faces[idx["GM0014"]], faces[idx["GM0363"]])
    assert set(coll.gemfin_codes) == set(circ.volumes.index)
    assert ax.figure.axes[-1].get_ylabel() == "EUR"  # legend with the unit


def test_map_rejects_unknown_codes():
    with pytest.raises(InputError, match=r"no boundary for \['GM9999'\]"):
        gp.municipality_map(pd.Series({"GM9999": 1.0}))


def test_fan_chart_bands_are_ordered():
    years = [2026, 2027, 2028]
    q = {0.05: [1, 2, 3], 0.5: [2, 3, 4], 0.95: [3, 5, 7]}
    ax = gp.fan_chart(years, q)
    d = ax.gemfin_data
    assert (d["q0.05"] <= d["q0.5"]).all() and (d["q0.5"] <= d["q0.95"]).all()
    with pytest.raises(InputError, match="lies above"):
        gp.fan_chart(years, {0.05: [5, 5, 5], 0.95: [1, 1, 1]})


def test_result_fan_uses_the_simulated_quantiles():
    res = gemfin.simulate(PROPOSALS.parent / "baseline.yaml", paths=300, progress=False)
    ax = gp.result_fan(res, "GM0014")
    g = list(res.municipalities.index).index("GM0014")
    np.testing.assert_allclose(ax.gemfin_data["q0.5"], res.au_quantiles[g, :, 2] / 1e6)
    with pytest.raises(InputError, match="needs a municipality code"):
        gp.result_fan(res, None, output="saldo")


def test_waterfall_steps_add_up(circ):
    before = gemfin.allocate(gemfin.load_circulaire("M2024_2024"))
    after = gemfin.allocate(circ)
    for by in ("cluster", "maatstaf"):
        ax = gp.allocation_waterfall(before, after, "GM0014", by=by)
        d = ax.gemfin_data
        assert d["change"].sum() == pytest.approx(d.attrs["end"] - d.attrs["start"], abs=1.0)


def test_winners_losers_covers_every_municipality(circ):
    cmp = gemfin.compare(circ, PROPOSALS / "jeugd-naar-jongeren.yaml")
    fig = gp.winners_losers(cmp)
    assert len(fig.gemfin_data) == 342
    assert len(fig.axes) == 3


def test_html_report_contains_its_sections(tmp_path):
    from html.parser import HTMLParser

    from gemfin.cli import main

    out = tmp_path / "report.html"
    assert main(["report", str(PROPOSALS.parent / "baseline.yaml"), "--paths", "200", "--out", str(out),
                 "--no-progress"]) == 0
    text = out.read_text(encoding="utf-8")

    class Sections(HTMLParser):
        def __init__(self):
            super().__init__()
            self.h2, self.images, self._in = [], 0, False

        def handle_starttag(self, tag, attrs):
            self._in = tag == "h2"
            if tag == "img" and dict(attrs)["src"].startswith("data:image/png;base64,"):
                self.images += 1

        def handle_data(self, data):
            if self._in:
                self.h2.append(data)
                self._in = False

    p = Sections()
    p.feed(text)
    assert {"Summary", "Maps", "Fan charts", "Top risk in 2035", "Deficits nationally"} <= set(p.h2)
    assert p.images >= 4  # embedded, no external files
    xlsx = tmp_path / "report.xlsx"
    assert main(["report", str(PROPOSALS.parent / "baseline.yaml"), "--paths", "200", "--out", str(xlsx),
                 "--no-progress"]) == 0
    assert {"algemene uitkering 2035", "budget 2035", "most at risk 2035", "about"} <= set(
        pd.read_excel(xlsx, sheet_name=None))


def test_maps_of_earlier_divisions():
    """A run from a base year 2020 or 2021 has that year's municipalities: the map takes the
    matching boundaries; codes no shipped boundary set has are an error naming them."""
    m2020 = gemfin.load_municipalities(2020)
    ax = gp.municipality_map(pd.Series(1.0, index=m2020.index))
    assert len(ax.collections) >= 1
    m2018 = gemfin.load_municipalities(2018)
    with pytest.raises(gemfin.errors.InputError, match=r"no boundary for \['GM0003'.*divisions of 2023–2026, 2021, 2020"):
        gp.municipality_map(pd.Series(1.0, index=m2018.index))
