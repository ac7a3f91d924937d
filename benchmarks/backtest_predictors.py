"""How far can the backtest's information set go? Not a speed benchmark: the out-of-sample
predictor study of docs/backtest.md ("How far the information set goes"). For every target
year Y of 2019–2022 each model is trained on the begroting/jaarrekening pairs of the years up
to Y − 2 (what is known at the start of Y) and ranks the municipalities of Y; the figure is
the ROC AUC of that ranking for the realised deficits of Y (the backtest's AUC target is
0.70). Prints one table. Not part of the test suite.

    .venv/bin/python benchmarks/backtest_predictors.py

Needs scikit-learn for the ridge, logistic and tree models (``pip install -e .[bench]``);
without it only the least-squares rows are printed. The pairs are each year's own filings
(the backtest additionally sums merged municipalities' predecessors); candidate predictors:
every column of the Iv3 summary of the begroting divided by its lasten (salaries, hired
staff, verbonden partijen, specific grants, heffingen, reserve mutations, the hoofdtaakvelden
and hoofdcategorieën), the shares of the gemeentefonds and of the own baten, log inhabitants,
the change of b against the previous begroting, and the realised saldo and gap of Y − 2; and,
separately, the lasten of each taakveld as a share of the total.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

TARGETS = (2019, 2020, 2021, 2022)


def pairs_with_predictors() -> pd.DataFrame:
    from gemfin._datadir import data_dir
    from gemfin.iv3.history import TAAKVELDEN
    from gemfin.iv3.panel import BATEN, SUMMARY, InformationSet, load_panel
    from gemfin.realisation import CLIP, gap_deviation, gap_score, relative_pairs

    pairs = relative_pairs(load_panel(InformationSet.everything()))
    dev = gap_deviation(pairs)
    two_back = lambda s: s.rename(lambda y: y + 2, level="year").reindex(pairs.index)  # noqa: E731
    pairs["u"] = two_back(dev)
    pairs["u_score"] = two_back(gap_score(dev))
    pairs["j2"] = two_back(pairs["j"])
    previous = pairs["b"].rename(lambda y: y + 1, level="year").reindex(pairs.index)
    pairs["db"] = pairs["b"] - previous
    pairs["log_inhabitants"] = np.log(pairs["inhabitants"])

    root = data_dir() / "finance"

    def begrotingen(name: str) -> pd.DataFrame:
        t = pd.read_csv(root / name)
        t = t[t["verslagsoort"].astype(str).str.endswith("X000")]  # X000 begroting, X005 jaarrekening
        return t.rename(columns={"jaar": "year"}).set_index(["gm_code", "year"])

    s, br = begrotingen(SUMMARY), begrotingen(BATEN)
    ratios = s.drop(columns=["verslagsoort", "inwoners", "lasten"]).div(s["lasten"], axis=0).add_prefix("f_")
    ratios["f_rijk"] = br["rijk"] / s["lasten"]
    ratios["f_own_baten"] = (br["baten"] - br["rijk"]) / s["lasten"]
    tv = begrotingen(TAAKVELDEN)
    shares = tv.drop(columns=["verslagsoort"]).div(s["lasten"].reindex(tv.index), axis=0).add_prefix("t_")
    out = pairs.join(ratios, how="left").join(shares, how="left")
    out["j_clipped"] = out["j"].clip(-CLIP, CLIP)
    return out


def _design(train: pd.DataFrame, test: pd.DataFrame, cols: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Predictors clipped at ±2 (a ratio beyond twice the lasten is a one-off), missing values
    (a gap two years back before 2019) filled with the training median, else 0."""
    x, xt = train[cols].clip(-2, 2), test[cols].clip(-2, 2)
    med = x.median()
    return x.fillna(med).fillna(0.0).to_numpy(), xt.fillna(med).fillna(0.0).to_numpy()


def _within_year(train: pd.DataFrame, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Target and predictors less their year means: the ranking within a year is what counts."""
    yr = train.index.get_level_values("year").to_numpy()
    y = train["j_clipped"].to_numpy()
    xd, yd = x.copy(), y.copy()
    for t in np.unique(yr):
        m = yr == t
        xd[m] -= xd[m].mean(axis=0)
        yd[m] -= yd[m].mean()
    return xd, yd


def auc_out_of_sample(data: pd.DataFrame, cols: list[str], model: str, year: int) -> float:
    from gemfin.backtest.scores import roc_auc

    yr = data.index.get_level_values("year")
    train, test = data[yr <= year - 2], data[yr == year]
    x, xt = _design(train, test, cols)
    deficit = (test["j"] < 0).to_numpy()
    if model == "least squares":
        xd, yd = _within_year(train, x)
        coef, *_ = np.linalg.lstsq(xd, yd, rcond=None)
        return roc_auc(-(xt @ coef), deficit)
    from sklearn.ensemble import (HistGradientBoostingClassifier, HistGradientBoostingRegressor,
                                  RandomForestRegressor)
    from sklearn.linear_model import LogisticRegression, RidgeCV
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    if model in ("logistic (L2)", "boosted trees, classifier"):
        clf = (make_pipeline(StandardScaler(), LogisticRegression(C=0.1, max_iter=2000)) if model == "logistic (L2)"
               else HistGradientBoostingClassifier(max_iter=200, learning_rate=0.05, max_leaf_nodes=8,
                                                   min_samples_leaf=30, random_state=0))
        clf.fit(x, (train["j"] < 0).to_numpy().astype(int))
        return roc_auc(clf.predict_proba(xt)[:, 1], deficit)
    reg = {"ridge": lambda: make_pipeline(StandardScaler(), RidgeCV(alphas=np.logspace(-3, 4, 30))),
           "boosted trees": lambda: HistGradientBoostingRegressor(max_iter=200, learning_rate=0.05, max_leaf_nodes=8,
                                                                  min_samples_leaf=30, random_state=0),
           "random forest": lambda: RandomForestRegressor(n_estimators=300, min_samples_leaf=10, random_state=0,
                                                          n_jobs=2)}[model]()
    xd, yd = _within_year(train, x)
    reg.fit(xd, yd)
    return roc_auc(-reg.predict(xt), deficit)


def main() -> None:
    warnings.simplefilter("ignore")
    data = pairs_with_predictors()
    ratios = [c for c in data.columns if c.startswith("f_")]
    rich = ["b"] + ratios + ["log_inhabitants", "db", "j2", "u"]
    taakvelden = ["b"] + [c for c in data.columns if c.startswith("t_")]
    rows = [("b", ["b"], "least squares"), ("b + u", ["b", "u"], "least squares"),
            ("b + score of u", ["b", "u_score"], "least squares"),
            (f"b + {len(rich) - 1} predictors", rich, "least squares"),
            (f"b + {len(taakvelden) - 1} taakveld shares", taakvelden, "least squares")]
    try:
        import sklearn  # noqa: F401
        rows += [(f"b + {len(rich) - 1} predictors", rich, m) for m in
                 ("ridge", "random forest", "boosted trees", "logistic (L2)", "boosted trees, classifier")]
        rows += [(f"b + {len(taakvelden) - 1} taakveld shares", taakvelden, m) for m in ("ridge", "logistic (L2)")]
    except ImportError:
        print("scikit-learn is not installed: the ridge, logistic and tree rows are left out")
    print(f"{'predictors':28s} {'model':26s} " + " ".join(f"{y:>6d}" for y in TARGETS))
    for name, cols, model in rows:
        aucs = [auc_out_of_sample(data, cols, model, y) for y in TARGETS]
        print(f"{name:28s} {model:26s} " + " ".join(f"{a:6.3f}" for a in aucs), flush=True)


if __name__ == "__main__":
    main()
