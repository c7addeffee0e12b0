"""The two synthesizers a user would try before a GAN, fitted on the same training rows.

independent: every column drawn on its own from its training values (the marginals exactly, no
relations between columns). gaussian_copula: each column mapped to normal scores through its
empirical CDF (discrete columns: one interval of [0, 1] per category, as SDV's GaussianCopula), one
correlation matrix of the scores, and samples mapped back through the empirical quantiles.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

NUMERIC = ("continuous", "integer")


def _restore(values: np.ndarray, col) -> pd.Series:
    """Synthetic values with the input column's rounding and dtype."""
    s = pd.Series(values)
    if col.kind in NUMERIC:
        x = s.astype(float)
        x = x.round(col.decimals) if col.kind == "continuous" else x.round()
        try:
            return x.astype(col.dtype)
        except (TypeError, ValueError):
            return x.astype("Int64") if col.kind == "integer" else x
    try:
        return s.astype(col.dtype) if not s.isna().any() else s
    except (TypeError, ValueError):
        return s


def independent(train: pd.DataFrame, columns: list, n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({c.name: _restore(train[c.name].to_numpy()[rng.integers(0, len(train), n)], c) for c in columns})


def gaussian_copula(train: pd.DataFrame, columns: list, n: int, seed: int) -> pd.DataFrame:
    from scipy.stats import norm, rankdata  # imported late: every `gansuite` command imports this plugin at start-up

    rng = np.random.default_rng(seed)
    scores, inverse = [], []
    for c in columns:
        s = train[c.name]
        if c.kind in NUMERIC:
            x = s.astype(float).to_numpy()
            present = ~np.isnan(x)
            u = np.full(len(x), 0.5)
            u[present] = (rankdata(x[present]) - 0.5) / present.sum()  # ties share a rank
            sorted_x, miss = np.sort(x[present]), 1 - present.mean()

            def back(u, sorted_x=sorted_x, miss=miss):
                v = np.quantile(sorted_x, u, method="linear")
                return np.where(rng.random(len(u)) < miss, np.nan, v)  # missing drawn at its rate, independently
        else:
            key = s.astype(object).where(s.notna(), None)
            counts = key.value_counts(dropna=False, sort=True)  # the most frequent category first, as SDV
            cats = list(counts.index)
            hi = np.cumsum(counts.to_numpy()) / len(key)
            lo = np.r_[0.0, hi[:-1]]
            idx = np.array([cats.index(v) for v in key])
            u = lo[idx] + rng.random(len(idx)) * (hi[idx] - lo[idx])  # a random point in the category's interval

            def back(u, cats=cats, hi=hi):
                return np.array(cats, dtype=object)[np.minimum(np.searchsorted(hi, u, side="right"), len(cats) - 1)]
        scores.append(norm.ppf(np.clip(u, 1e-6, 1 - 1e-6)))
        inverse.append(back)
    z = np.stack(scores, 1)  # (N, columns)
    corr = np.corrcoef(z, rowvar=False) + 1e-6 * np.eye(z.shape[1])
    u = norm.cdf(rng.multivariate_normal(np.zeros(z.shape[1]), corr, size=n))
    return pd.DataFrame({c.name: _restore(back(u[:, i]), c) for i, (c, back) in enumerate(zip(columns, inverse))})


BASELINES = {"independent": independent, "gaussian_copula": gaussian_copula}
