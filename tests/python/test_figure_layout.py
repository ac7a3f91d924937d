"""Every public plot, saved as users save it (a plain ``savefig``, no ``bbox_inches``): no text
outside the canvas, no tick labels on top of each other."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

import gemfin  # noqa: E402
import gemfin.plot as gp  # noqa: E402
import gemfin.sensitivity as gs  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def run():
    return gemfin.simulate("baseline", paths=256, seed=2, progress=False, balance=True)


@pytest.fixture(scope="module")
def cmp():
    return gemfin.compare(gemfin.load_circulaire("S2024_2025"), "jeugd-naar-jongeren", cap_per_inhabitant=15.0)


def _drawn_ticklabels(axis):
    """The tick labels matplotlib draws: those of ticks inside the view interval (it keeps
    labels for ticks beyond it, which it does not draw)."""
    out = []
    for tick in axis._update_ticks():  # the ticks of the next draw
        for lab in (tick.label1, tick.label2):
            if lab.get_visible() and lab.get_text().strip():
                out.append(lab)
    return out


def _overlap(a, box_a, b, box_b, dpi) -> bool:
    """Whether two tick labels overlap. Upright or vertical text fills its box; slanted text
    (rotated 45°) does not, so two slanted labels overlap when the distance between their
    parallel baselines is less than a line of text."""
    if not (min(box_a.x1, box_b.x1) - max(box_a.x0, box_b.x0) > 1 and
            min(box_a.y1, box_b.y1) - max(box_a.y0, box_b.y0) > 1):
        return False
    angle = a.get_rotation() % 180
    if angle in (0, 90) or angle != b.get_rotation() % 180:
        return True
    import math

    # anchors of the two labels; their offset across the slant must exceed the line height
    ax_, ay = a.get_transform().transform(a.get_position())
    bx, by = b.get_transform().transform(b.get_position())
    theta = math.radians(angle)
    across = abs(-(bx - ax_) * math.sin(theta) + (by - ay) * math.cos(theta))
    return across < 0.95 * max(a.get_fontsize(), b.get_fontsize()) * dpi / 72


def _texts(fig):
    ticklabels = {id(lab) for ax in fig.axes for axis in (ax.xaxis, ax.yaxis)
                  for lab in axis.get_ticklabels(which="both") + axis.get_ticklabels(minor=True)}
    drawn = [lab for ax in fig.axes for axis in (ax.xaxis, ax.yaxis) for lab in _drawn_ticklabels(axis)]
    for t in fig.findobj(matplotlib.text.Text):
        if t.get_visible() and t.get_text().strip() and id(t) not in ticklabels:
            yield t
    yield from drawn


def layout_problems(fig, tmp_path) -> list[str]:
    """Text beyond the canvas and overlapping tick labels, after a plain savefig."""
    fig.savefig(tmp_path / "figure.png")  # as a user does; it also lays the figure out
    renderer = fig.canvas.get_renderer()
    width, height = fig.bbox.width, fig.bbox.height
    problems = []
    for t in _texts(fig):
        box = t.get_window_extent(renderer)
        if box.x0 < -1 or box.y0 < -1 or box.x1 > width + 1 or box.y1 > height + 1:
            problems.append(f"text {t.get_text()[:40]!r} lies outside the canvas ({box.x0:.0f}, {box.y0:.0f}, "
                            f"{box.x1:.0f}, {box.y1:.0f} on {width:.0f}×{height:.0f})")
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            labels = _drawn_ticklabels(axis)
            boxes = [lab.get_window_extent(renderer) for lab in labels]
            for i in range(len(boxes)):
                for j in range(i + 1, len(boxes)):
                    if _overlap(labels[i], boxes[i], labels[j], boxes[j], fig.dpi):
                        problems.append(f"tick labels {labels[i].get_text()[:30]!r} and {labels[j].get_text()[:30]!r} "
                                        "overlap")
    return problems


def _figures(run, cmp):
    circ = cmp.baseline.circulaire
    f = run.finances
    yield "map, diverging", lambda: gp.municipality_map(cmp.per_inhabitant, unit="EUR per inhabitant",
                                                        title="Herverdeeleffect").figure
    yield "map, probability", lambda: gp.municipality_map(pd.Series(f.p_deficit[:, -1], index=f.municipalities.index),
                                                          unit="probability", title="P(deficit) 2035").figure
    yield "result fan, national", lambda: gp.result_fan(run).figure
    yield "result fan, saldo", lambda: gp.result_fan(run, "GM0014", output="saldo", per_inhabitant=True).figure
    yield "fan chart", lambda: gp.fan_chart([2026, 2027], {0.05: [1, 2], 0.95: [3, 4]}, unit="EUR").figure
    before = gemfin.allocate(gemfin.load_circulaire("M2024_2024"))
    after = gemfin.allocate(circ)
    yield "waterfall by cluster", lambda: gp.allocation_waterfall(before, after, "GM0014").figure
    yield "waterfall by maatstaf", lambda: gp.allocation_waterfall(before, after, "GM0014", by="maatstaf").figure
    yield "reform waterfall", lambda: gp.allocation_waterfall(cmp.baseline, cmp.reform, "GM0088", by="maatstaf").figure
    yield "winners and losers", lambda: gp.winners_losers(cmp)
    table = pd.DataFrame({"parameter": ["budget.domains.Jeugd.excess_growth.params.0", "fund.growth.mean.value"],
                          "label": ["Jeugd: cost growth above wages and prices, mean, first year, fading ×0.66 a year "
                                    "(per year (0.01 = 1%))", "real GDP growth, long-run mean (per year)"],
                          "base": [0.3, 0.3], "output at low": [0.28, 0.25], "output at high": [0.33, 0.36],
                          "noise": [0.01, 0.01]})
    yield "tornado", lambda: gp.tornado(table, unit="share in deficit 2035").figure
    bal = gemfin.balance("S2024_2025")
    yield "scan heatmap", lambda: bal.plot_heatmap().figure
    yield "scan map", lambda: bal.plot_map().figure
    yield "fund history", lambda: gemfin.fund_history().plot().figure
    yield "social balance", lambda: run.balance().plot().figure


def test_every_plot_fits_its_canvas(run, cmp, tmp_path):
    found = {}
    for name, make in _figures(run, cmp):
        problems = layout_problems(make(), tmp_path)
        if problems:
            found[name] = problems[:3]
        plt.close("all")
    assert found == {}, "\n".join(f"{k}: {v}" for k, v in found.items())


def test_every_public_plot_function_is_covered():
    import inspect

    public = {n for n, f in inspect.getmembers(gp, inspect.isfunction) if not n.startswith("_") and f.__module__ == gp.__name__}
    covered = {"municipality_map", "result_fan", "fan_chart", "allocation_waterfall", "winners_losers", "tornado",
               "boundary_codes"}  # boundary_codes draws nothing
    assert public <= covered, public - covered
    assert gs  # the tornado's table comes from gemfin.sensitivity.one_at_a_time
