"""Independent implementations of workload W1 for benchmarks/w1.py: the gemfin model (fund rule,
drivers with national and municipal shocks, re-solved uitkeringsfactor, and optionally the
municipal budget model) written once with NumPy, vectorised over a batch of paths, and once
with numba, parallel over paths. Not used by gemfin itself.

Both share `macro_paths` (NumPy + SciPy): the national variables of each path and year (AU
budget, drivers' national growth, wage/price and domain cost indices) from correlated normals
through the normal copula — a few numbers per path-year. The per-municipality work (municipal
shocks, volumes, UF, AU, budgets, reserves) is what the two implementations do differently.
Their random numbers are NumPy's / numba's, not gemfin's Philox: the three agree statistically,
not bitwise. Supported: scenarios without shock events and compensation (W1 is the baseline).

Statistics (like gemfin's, without quantiles): mean and sd of AU per municipality × year and
of the national budget; with the budget model mean saldo, P(saldo < 0), P(reserves exhausted)
per municipality × year and the mean national share in deficit per year.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

FUND_HISTORY = 9  # years of real growth before the base year kept for the 8-year GDP window


def _marginal(dist, z: np.ndarray) -> np.ndarray:
    """F⁻¹(Φ(z)) for a core distribution (its kind and parameters)."""
    kind, p = dist.kind, dist.params
    if kind == "fixed":
        return np.full_like(z, p[0])
    if kind == "normal":
        return p[0] + p[1] * z
    if kind == "student_t":
        return p[1] + p[2] * stats.t.ppf(stats.norm.cdf(z), p[0])
    raise NotImplementedError(f"benchmark reference: distribution {kind!r}")


def _process(p) -> dict:
    return {"mean": p.mean, "persistence": p.persistence, "start": p.start, "shock": p.shock}


def model_inputs(scen) -> dict:
    """The typed model gemfin's core receives (gemfin.run.compile), read into plain values."""
    from gemfin.run.base import build_base
    from gemfin.run.compile import compile_model

    model = compile_model(scen, build_base(scen))
    f = model.fund
    inp = {"c_basis": np.asarray(model.c_basis), "c_ozb": np.asarray(model.c_ozb), "years": model.years,
           "correlation": np.asarray(model.correlation),
           "drivers": [{"national": d.national, "municipal_sd": d.municipal_sd, "average_years": d.average_years}
                       for d in model.drivers],
           "fund": {"rule": f.rule.name.lower(), "budget0": f.budget0, "growth": _process(f.growth),
                    "price": _process(f.price) if f.price is not None else None,
                    "policy_mutations": list(f.policy_mutations), "periods": [p.name for p in f.periods],
                    "growth_history": list(f.growth_history), "published_accres": list(f.published_accres),
                    "published_price": list(f.published_price)},
           "budget": None}
    b = model.budget
    if b is not None:
        wp = ({"follows": True, "wedge": b.wage_price_wedge} if b.wage_price_follows_fund
              else _process(b.wage_price))
        inp["budget"] = {
            "shocks": list(b.shocks), "compensation": np.asarray(b.compensation), "realisation": b.realisation,
            "response": b.response, "suppletie": b.suppletie if np.any(b.suppletie) else None,
            "tasks": np.asarray(b.tasks) if np.any(b.tasks) else None,
            "revenue_volume_driver": b.revenue_volume_driver, "excess_persistence": list(b.excess_persistence),
            "ozb_price_indexed": b.ozb_price_indexed, "lasten": list(b.lasten),
            "volume_weights": np.asarray(b.volume_weights), "wage_price": wp, "excess": list(b.excess),
            "error_mu": list(b.error_mu), "error_sigma": list(b.error_sigma),
            "bijstand_driver": b.bijstand_driver, "woz_driver": b.woz_driver,
            "ozb_pass_through": b.ozb_pass_through, "ozb_policy_growth": b.ozb_policy_growth,
            "vangnet": (b.vangnet_threshold, b.vangnet_full, b.vangnet_share),
            **{k: np.asarray(getattr(b, k)) for k in ("ozb", "other_taxes", "other_baten", "buig_baten",
                                                       "buig_lasten", "siudu", "reserves")}}
    return inp


def prepare(scen) -> dict:
    """Arrays of the model of `scen` (the same inputs gemfin's core receives)."""
    inp = model_inputs(scen)
    b = inp["budget"]
    if any(p not in ("GDP", "PUBLISHED") for p in inp["fund"]["periods"]):
        raise NotImplementedError("benchmark reference: accres periods other than gdp and published are not implemented")
    if b is not None and (b["shocks"] or np.any(b["compensation"])):
        raise NotImplementedError("benchmark reference: shock events and compensation are not implemented")
    if b is not None and (b["realisation"] is not None or b["response"] is not None
                          or b["suppletie"] is not None or b["tasks"] is not None or b["revenue_volume_driver"] >= 0
                          or any(p != 1.0 for p in b["excess_persistence"])
                          or b["ozb_price_indexed"]):
        raise NotImplementedError("benchmark reference: the realisation model, the response, the ingroei suppletie, "
                                  "tasks the fund pays for, the revenue volume driver, fading excess growth and the price-indexed OZB are "
                                  "not implemented "
                                  "(benchmarks/w1.py runs the references on the baseline without them)")
    m = {"inp": inp, "cb": np.ascontiguousarray(inp["c_basis"].T), "co": np.ascontiguousarray(inp["c_ozb"].T),
         "tau": np.array([d["municipal_sd"] for d in inp["drivers"]]),
         "navg": np.array([d["average_years"] for d in inp["drivers"]], dtype=np.int64),
         "T": inp["years"], "chol": np.linalg.cholesky(inp["correlation"]), "budget": b}
    if b is not None:
        m["lasten0"] = np.stack([np.asarray(x, dtype=float) for x in b["lasten"]])  # 4 × G
        w = np.asarray(b["volume_weights"], dtype=float)
        m["weights"] = w / np.where(w.sum(axis=1, keepdims=True) > 0, w.sum(axis=1, keepdims=True), 1.0)
        m["const_volume"] = (w.sum(axis=1) == 0).astype(float)
        for k in ("ozb", "other_taxes", "other_baten", "buig_baten", "buig_lasten", "siudu", "reserves"):
            m[k] = np.asarray(b[k], dtype=float)
        # The base year's BUIG ratio lasten/baten (0 without baten), fixed for the run.
        m["buig_ratio"] = np.divide(m["buig_lasten"], m["buig_baten"], out=np.zeros_like(m["buig_baten"]),
                                    where=m["buig_baten"] > 0)
        m["err_mu"] = np.asarray(b["error_mu"], dtype=float)
        m["err_sigma"] = np.asarray(b["error_sigma"], dtype=float)
    return m


def macro_paths(m: dict, n: int, rng: np.random.Generator) -> dict:
    """National variables of n paths: budget (n × T), nat (n × T × D) log-growth, natlevel,
    price (n × T) and cost (n × T × 4) indices, budget_ratio (n × T)."""
    inp, T = m["inp"], m["T"]
    fund, drivers, b = inp["fund"], inp["drivers"], m["budget"]
    D = len(drivers)
    F = 2 if fund["rule"] == "gdp" else 1
    K = m["chol"].shape[0]
    z = rng.standard_normal((n, T, K)) @ m["chol"].T
    out = {"budget": np.empty((n, T)), "nat": np.empty((n, T, D))}
    gp = fund["growth"]
    g_prev = np.full(n, gp["start"])
    if F == 2:
        pp = fund["price"]
        p_prev = np.full(n, pp["start"])
        real = np.full((n, T + 1 + FUND_HISTORY), gp["start"])
        hist = fund["growth_history"]  # the years up to the base year, its last
        if hist:
            real[:, FUND_HISTORY + 1 - len(hist):FUND_HISTORY + 1] = hist
    budget = np.full(n, fund["budget0"])
    deflator = np.zeros((n, T))  # the fund's GDP deflator per year (gdp rule)
    for t in range(T):
        g = gp["mean"] + gp["persistence"] * (g_prev - gp["mean"]) + _marginal(gp["shock"], z[:, t, 0])
        g_prev = g
        accres = g
        if F == 2:
            p = pp["mean"] + pp["persistence"] * (p_prev - pp["mean"]) + _marginal(pp["shock"], z[:, t, 1])
            p_prev = p
            deflator[:, t] = p
            y = t + 1
            real[:, y + FUND_HISTORY] = g
            accres = real[:, y:y + 8].mean(axis=1) + p
            if fund["periods"] and fund["periods"][t] == "PUBLISHED":  # the accres a circulaire published
                assumed = fund["published_price"][t]
                accres = fund["published_accres"][t] + (0.0 if np.isnan(assumed) else p - assumed)
        budget = budget * (1.0 + accres) + fund["policy_mutations"][t]
        out["budget"][:, t] = budget
        for d, drv in enumerate(drivers):
            out["nat"][:, t, d] = _marginal(drv["national"], z[:, t, F + d])
    out["natlevel"] = np.exp(np.cumsum(out["nat"], axis=1))
    out["budget_ratio"] = out["budget"] / fund["budget0"]
    if b is not None:
        wp, off = b["wage_price"], F + D
        w_prev = np.full(n, wp.get("start", 0.0))
        price = np.ones(n)
        cost = np.ones((n, 4))
        out["price"] = np.empty((n, T))
        out["cost"] = np.empty((n, T, 4))
        for t in range(T):
            if "follows" in wp:  # one price process: the fund's deflator + the wedge
                w = deflator[:, t] + wp["wedge"]
            else:
                w = wp["mean"] + wp["persistence"] * (w_prev - wp["mean"]) + _marginal(wp["shock"], z[:, t, off])
                w_prev = w
            price = price * (1.0 + w)
            for d in range(4):
                cost[:, d] *= 1.0 + w + _marginal(b["excess"][d], z[:, t, off + 1 + d])
            out["price"][:, t] = price
            out["cost"][:, t] = cost
    return out


def _new_acc(G: int, T: int, with_budget: bool) -> dict:
    names = ["au", "au2"] + (["saldo", "deficit", "exhausted"] if with_budget else [])
    acc = {k: np.zeros((G, T)) for k in names}
    acc["budget"], acc["budget2"], acc["share"] = np.zeros(T), np.zeros(T), np.zeros(T)
    return acc


def _finish(acc: dict, paths: int) -> dict:
    mean = lambda k: acc[k] / paths
    res = {"paths": paths, "au_mean": mean("au"), "au_sd": np.sqrt(np.maximum(mean("au2") - mean("au") ** 2, 0.0)),
           "budget_mean": mean("budget"), "budget_sd": np.sqrt(np.maximum(mean("budget2") - mean("budget") ** 2, 0.0))}
    if "saldo" in acc:
        res.update(saldo_mean=mean("saldo"), p_deficit=mean("deficit"), p_exhausted=mean("exhausted"),
                   share_deficit=mean("share"))
    return res


def run_numpy(m: dict, paths: int, seed: int = 2024, batch: int = 2000) -> dict:
    """The model vectorised over batches of paths (arrays batch × G)."""
    rng = np.random.default_rng(seed)
    cb, co, tau, navg, T = m["cb"], m["co"], m["tau"], m["navg"], m["T"]
    D, G = len(tau), cb.shape[1]
    lag = int(navg.max())
    b = m["budget"]
    acc = _new_acc(G, T, b is not None)
    done = 0
    while done < paths:
        n = min(batch, paths - done)
        mac = macro_paths(m, n, rng)
        levels = np.ones((lag, D, n, G))
        if b is not None:
            reserves = np.tile(m["reserves"], (n, 1))
            exhausted = np.zeros((n, G))
        for t in range(T):
            slot = t % lag
            basis = np.tile(cb[D], (n, 1))
            ozb = np.tile(co[D], (n, 1))
            for d in range(D):
                growth = np.exp(mac["nat"][:, t, d, None] + tau[d] * rng.standard_normal((n, G)))
                prev = levels[(slot - 1) % lag, d] if t > 0 else 1.0
                levels[slot, d] = prev * growth
                if navg[d] > 1:
                    mult = sum(levels[(slot - a) % lag, d] if t >= a else 1.0 for a in range(navg[d])) / navg[d]
                else:
                    mult = levels[slot, d]
                basis += mult * cb[d]
                ozb += mult * co[d]
            budget = mac["budget"][:, t]
            uf = (budget - ozb.sum(axis=1)) / basis.sum(axis=1)
            au = uf[:, None] * basis + ozb
            acc["au"][:, t] += au.sum(axis=0)
            acc["au2"][:, t] += (au * au).sum(axis=0)
            acc["budget"][t] += budget.sum()
            acc["budget2"][t] += (budget * budget).sum()
            if b is None:
                continue
            level = levels[slot]  # D × n × G: budgets follow the current levels
            price = mac["price"][:, t, None]
            saldo = np.zeros((n, G))
            err = np.exp(m["err_mu"][:, None, None] + m["err_sigma"][:, None, None] * rng.standard_normal((4, n, G)))
            for d in range(4):
                vol = m["const_volume"][d] + np.tensordot(m["weights"][d], level, axes=(0, 0))
                saldo -= m["lasten0"][d] * vol * mac["cost"][:, t, d, None] * err[d]
            bij = b["bijstand_driver"]
            buig_budget = m["buig_baten"] * mac["natlevel"][:, t, bij, None] * price
            spend = m["buig_lasten"] * level[bij] * price * err[2]
            thr, full, share = b["vangnet"]
            r = np.divide(spend, buig_budget, out=np.zeros_like(spend), where=buig_budget > 0) - m["buig_ratio"]
            vangnet = np.where((buig_budget > 0) & (r > thr),
                               buig_budget * (share * (np.minimum(r, full) - thr) + np.maximum(r - full, 0.0)), 0.0)
            saldo += buig_budget - spend + vangnet
            woz = level[b["woz_driver"]] ** b["ozb_pass_through"] if b["woz_driver"] >= 0 else price
            policy = (1.0 + b["ozb_policy_growth"]) ** (t + 1)
            saldo += (au + m["siudu"] * mac["budget_ratio"][:, t, None] + m["ozb"] * woz * policy
                      + (m["other_taxes"] + m["other_baten"]) * price)
            reserves += saldo
            exhausted = np.maximum(exhausted, reserves < 0.0)
            deficit = saldo < 0.0
            acc["saldo"][:, t] += saldo.sum(axis=0)
            acc["deficit"][:, t] += deficit.sum(axis=0)
            acc["exhausted"][:, t] += exhausted.sum(axis=0)
            acc["share"][t] += deficit.mean(axis=1).sum()
        done += n
    return _finish(acc, paths)


def _numba_kernel():
    """Compiles the numba kernel (numba is imported only when the benchmark asks for it)."""
    import numba as nb

    @nb.njit(parallel=True, fastmath=False, cache=False)
    def kernel(n_tasks, per_task, seed, budget, nat, natlevel, budget_ratio, price, cost, cb, co, tau, navg,
               with_budget, lasten0, weights, const_volume, ozb0, taxes0, baten0, buig_baten, buig_lasten, buig_ratio, siudu,
               reserves0, err_mu, err_sigma, bij, woz_driver, pass_through, policy_growth, vangnet,
               acc_au, acc_au2, acc_saldo, acc_deficit, acc_exhausted, acc_share):
        n = budget.shape[0]
        T = budget.shape[1]
        D = tau.shape[0]
        G = cb.shape[1]
        lag = 1
        for d in range(D):
            lag = max(lag, navg[d])
        for task in nb.prange(n_tasks):
            np.random.seed(seed + task)  # per thread state; each task reseeds its thread
            levels = np.ones((lag, D, G))
            basis = np.empty(G)
            ozb = np.empty(G)
            au = np.empty(G)
            reserves = np.empty(G)
            exhausted = np.empty(G)
            for p in range(task * per_task, min(n, (task + 1) * per_task)):
                levels[:] = 1.0
                reserves[:] = reserves0
                exhausted[:] = 0.0
                for t in range(T):
                    slot = t % lag
                    basis[:] = cb[D]
                    ozb[:] = co[D]
                    for d in range(D):
                        prev_slot = (slot - 1) % lag
                        for g in range(G):
                            f = np.exp(nat[p, t, d] + tau[d] * np.random.standard_normal())
                            levels[slot, d, g] = (levels[prev_slot, d, g] if t > 0 else 1.0) * f
                        for g in range(G):
                            if navg[d] > 1:
                                s = 0.0
                                for a in range(navg[d]):
                                    s += levels[(slot - a) % lag, d, g] if t >= a else 1.0
                                mult = s / navg[d]
                            else:
                                mult = levels[slot, d, g]
                            basis[g] += mult * cb[d, g]
                            ozb[g] += mult * co[d, g]
                    sb = 0.0
                    so = 0.0
                    for g in range(G):
                        sb += basis[g]
                        so += ozb[g]
                    uf = (budget[p, t] - so) / sb
                    for g in range(G):
                        au[g] = uf * basis[g] + ozb[g]
                        acc_au[task, g, t] += au[g]
                        acc_au2[task, g, t] += au[g] * au[g]
                    if not with_budget:
                        continue
                    pr = price[p, t]
                    policy = (1.0 + policy_growth) ** (t + 1)
                    deficits = 0.0
                    for g in range(G):
                        s = 0.0
                        e_part = 1.0
                        for dom in range(4):
                            vol = const_volume[dom]
                            for k in range(D):
                                vol += weights[dom, k] * levels[slot, k, g]
                            e = np.exp(err_mu[dom] + err_sigma[dom] * np.random.standard_normal())
                            if dom == 2:
                                e_part = e
                            s -= lasten0[dom, g] * vol * cost[p, t, dom] * e
                        bb = buig_baten[g] * natlevel[p, t, bij] * pr
                        spend = buig_lasten[g] * levels[slot, bij, g] * pr * e_part
                        vn = 0.0
                        if bb > 0.0:
                            r = spend / bb - buig_ratio[g]
                            if r > vangnet[0]:
                                vn = bb * (vangnet[2] * (min(r, vangnet[1]) - vangnet[0]) + max(r - vangnet[1], 0.0))
                        s += bb - spend + vn
                        wz = levels[slot, woz_driver, g] ** pass_through if woz_driver >= 0 else pr
                        s += au[g] + siudu[g] * budget_ratio[p, t] + ozb0[g] * wz * policy + (taxes0[g] + baten0[g]) * pr
                        reserves[g] += s
                        if reserves[g] < 0.0:
                            exhausted[g] = 1.0
                        acc_saldo[task, g, t] += s
                        if s < 0.0:
                            acc_deficit[task, g, t] += 1.0
                            deficits += 1.0
                        acc_exhausted[task, g, t] += exhausted[g]
                    acc_share[task, t] += deficits / G

    return kernel


def run_numba(m: dict, paths: int, seed: int = 2024, batch: int = 20_000, kernel=None) -> dict:
    """The model with numba, parallel over tasks of paths (numba's threads, all cores)."""
    import numba as nb

    kernel = kernel or _numba_kernel()
    rng = np.random.default_rng(seed)
    cb, co, tau, navg, T = m["cb"], m["co"], m["tau"], m["navg"], m["T"]
    G = cb.shape[1]
    b = m["budget"]
    with_budget = b is not None
    acc = _new_acc(G, T, with_budget)
    done = 0
    z1, z4 = np.zeros(1), np.zeros((1, 1))
    while done < paths:
        n = min(batch, paths - done)
        mac = macro_paths(m, n, rng)
        n_tasks = 8 * nb.get_num_threads()
        per_task = -(-n // n_tasks)
        shape = (n_tasks, G, T)
        part = {k: np.zeros(shape) for k in ("au", "au2", "saldo", "deficit", "exhausted")}
        share = np.zeros((n_tasks, T))
        kernel(n_tasks, per_task, seed + done, mac["budget"], mac["nat"], mac["natlevel"], mac["budget_ratio"],
               mac.get("price", z4), mac.get("cost", np.zeros((1, 1, 4))), cb, co, tau, navg, with_budget,
               m.get("lasten0", z4), m.get("weights", z4), m.get("const_volume", z1), m.get("ozb", z1),
               m.get("other_taxes", z1), m.get("other_baten", z1), m.get("buig_baten", z1), m.get("buig_lasten", z1),
               m.get("buig_ratio", z1), m.get("siudu", z1), m.get("reserves", np.zeros(G)), m.get("err_mu", z1), m.get("err_sigma", z1),
               b["bijstand_driver"] if b else 0, b["woz_driver"] if b else -1, b["ozb_pass_through"] if b else 1.0,
               b["ozb_policy_growth"] if b else 0.0, np.asarray(b["vangnet"], dtype=float) if b else np.zeros(3),
               part["au"], part["au2"], part["saldo"], part["deficit"], part["exhausted"], share)
        for k in ("au", "au2") + (("saldo", "deficit", "exhausted") if with_budget else ()):
            acc[k] += part[k].sum(axis=0)
        acc["share"] += share.sum(axis=0)
        acc["budget"] += mac["budget"].sum(axis=0)
        acc["budget2"] += (mac["budget"] ** 2).sum(axis=0)
        done += n
    return _finish(acc, paths)
