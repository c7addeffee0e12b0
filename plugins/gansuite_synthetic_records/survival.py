"""Scores of a survival table (a follow-up time and whether the event was observed, `survival=TIME,EVENT`).

Censoring means a row's time is only a lower bound when its event was not observed, so these scores use
survival methods rather than the plain utility of metrics.py: Kaplan-Meier curves (the survival function,
`km_gap`) and the concordance index of a Cox model trained on one table and tested on another
(`survival_utility`, the survival counterpart of train-on-synthetic, test-on-real). Pure numpy/pandas;
SciPy is imported inside the fit (see metrics.py's note on start-up time).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .metrics import Encoder


def kaplan_meier(time: np.ndarray, event: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The Kaplan-Meier estimate (Kaplan & Meier 1958): (event times t_k, S(t_k)), S a right-continuous step.

    S(t) = prod over event times t_k <= t of (1 - d_k / n_k): d_k events at t_k, n_k rows still followed then.
    Rows with a missing time or event are left out.
    """
    t = np.asarray(time, dtype=float)
    e = np.asarray(event, dtype=float)
    keep = ~(np.isnan(t) | np.isnan(e))
    t, e = t[keep], e[keep] > 0.5
    times, deaths = np.unique(t[e], return_counts=True)  # (K,) event times, events at each
    at_risk = len(t) - np.searchsorted(np.sort(t), times, side="left")  # (K,) rows with time >= t_k
    return times, np.cumprod(1.0 - deaths / at_risk)


def survival_at(curve: tuple[np.ndarray, np.ndarray], t: np.ndarray) -> np.ndarray:
    """A Kaplan-Meier curve's S at times t (1 before its first event)."""
    times, s = curve
    i = np.searchsorted(times, t, side="right")  # events at or before each t
    return np.concatenate([[1.0], s])[i]


def km_horizon(real: pd.DataFrame, time: str) -> float:
    """The time up to which curves are compared: while a tenth of the real rows are still followed (the tail's few
    rows make a Kaplan-Meier curve jump by large steps)."""
    return float(real[time].astype(float).quantile(0.9))


def km_gap(real: pd.DataFrame, syn: pd.DataFrame, time: str, event: str) -> float:
    """The largest vertical distance between the real and the synthetic rows' Kaplan-Meier curves, up to `km_horizon`.

    0: the same survival curve; like the Kolmogorov-Smirnov statistic, but for censored times.
    """
    def curve(df: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        return kaplan_meier(df[time].astype(float).to_numpy(), event_flags(df[event]))
    r, s = curve(real), curve(syn)
    grid = np.union1d(r[0], s[0])
    grid = grid[grid <= km_horizon(real, time)]
    if len(grid) == 0:
        return 0.0
    return float(np.abs(survival_at(r, grid) - survival_at(s, grid)).max())


def event_flags(s: pd.Series) -> np.ndarray:
    """An event column (bool, or 0/1 in any spelling) as floats, missing as NaN."""
    return pd.to_numeric(s.astype(object).map(lambda v: {"True": 1, "False": 0}.get(str(v), v)), errors="coerce").to_numpy(dtype=float)


def concordance(time: np.ndarray, event: np.ndarray, risk: np.ndarray) -> float:
    """Harrell's concordance index (Harrell et al. 1982): among comparable pairs, the share in which the row whose
    event came first has the higher risk (ties in risk count half). A pair is comparable when the earlier row's
    event was observed, or both times are equal and only the first row's event was (as scikit-survival counts them).
    0.5: risk says nothing; 1: it orders every comparable pair. O(events x rows), one event row at a time."""
    t, e, r = (np.asarray(a, dtype=float) for a in (time, event, risk))
    e = e > 0.5
    concordant = pairs = 0.0
    for i in np.flatnonzero(e):
        later = (t > t[i]) | ((t == t[i]) & ~e)  # (N,) rows comparable with event row i
        pairs += later.sum()
        concordant += (r[i] > r[later]).sum() + 0.5 * (r[i] == r[later]).sum()
    return float(concordant / pairs) if pairs else 0.5


def fit_cox(x: np.ndarray, time: np.ndarray, event: np.ndarray, l2: float = 1e-2) -> np.ndarray:
    """Coefficients (P,) of a Cox proportional-hazards model (Cox 1972) for features x (N, P): the Breslow partial
    likelihood per observed event, plus l2 / 2 * |beta|^2 so that rows a synthesizer made too separable
    still give finite coefficients. L-BFGS with the exact gradient."""
    from scipy.optimize import minimize

    order = np.argsort(-np.asarray(time, dtype=float), kind="stable")  # latest first: a risk set is a prefix
    x, t, e = x[order], np.asarray(time, dtype=float)[order], np.asarray(event, dtype=float)[order] > 0.5
    last = np.searchsorted(-t, -t, side="right") - 1  # (N,) the last row whose time is >= each row's (ties included)
    n_events = max(int(e.sum()), 1)

    def loss(beta: np.ndarray) -> tuple[float, np.ndarray]:
        eta = x @ beta  # (N,)
        w = np.exp(eta - eta.max())
        risk_w = np.cumsum(w)[last][e]  # (E,) sum of w over each event's risk set
        risk_wx = np.cumsum(w[:, None] * x, axis=0)[last][e]  # (E, P)
        nll = -(eta[e] - eta.max() - np.log(risk_w)).sum() / n_events
        grad = -(x[e] - risk_wx / risk_w[:, None]).sum(0) / n_events
        return nll + 0.5 * l2 * beta @ beta, grad + l2 * beta

    if not e.any():
        return np.zeros(x.shape[1])
    return minimize(loss, np.zeros(x.shape[1]), jac=True, method="L-BFGS-B").x


def survival_utility(train: pd.DataFrame, test: pd.DataFrame, columns: list, time: str, event: str) -> float:
    """The concordance index on `test` of a Cox model trained on `train` (the covariates: every column but the time and
    the event, encoded as `predictions` encodes them). Rows with a missing time or event are left out of both."""
    def usable(df: pd.DataFrame) -> pd.DataFrame:
        return df[df[time].notna() & ~np.isnan(event_flags(df[event]))]
    train, test = usable(train), usable(test)
    if len(train) < 2 or len(test) < 2:
        return 0.5  # nothing to learn from, or to order: no better than chance
    enc = Encoder(train, [c for c in columns if c.name not in (time, event)])
    beta = fit_cox(enc(train), train[time].astype(float).to_numpy(), event_flags(train[event]))
    return concordance(test[time].astype(float).to_numpy(), event_flags(test[event]), enc(test) @ beta)
