"""Scores of a synthetic table against real rows: fidelity, utility and privacy. Pure pandas/numpy/sklearn.

Fidelity follows the SDMetrics quality report: Column Shapes = mean of KSComplement (numeric) and
TVComplement (discrete); Column Pair Trends = mean of CorrelationSimilarity (numeric pairs, Pearson)
and ContingencySimilarity (pairs with a discrete column; numbers cut into 10 bins of the real data);
quality = mean of the two. Utility: train on synthetic, test on real (TSTR) against train on real
(TRTR). Privacy: exact copies, distance to the closest record (DCR), and a distance-based
membership-inference attack (Hilprecht et al. 2019): a row near a synthetic row is guessed a member.

SciPy and scikit-learn are imported inside the functions: the CLI imports every plugin at start-up,
and their imports (~2 CPU-s) would slow every `gansuite` command.
"""
from __future__ import annotations

from collections.abc import Callable
from itertools import combinations
from typing import Any

import numpy as np
import pandas as pd

NUMERIC = ("continuous", "integer")


def _text(s: pd.Series) -> pd.Series:
    """Values as strings, missing ones as "<missing>" (pandas' str dtype would keep NaN as NaN)."""
    return s.astype(object).where(s.notna(), "<missing>").map(str)


def _freq(s: pd.Series) -> pd.Series:
    return _text(s).value_counts(normalize=True)


def _tv(a: pd.Series, b: pd.Series) -> float:
    """Total variation distance of two discrete distributions (index = values)."""
    p, q = _freq(a), _freq(b)
    return 0.5 * float(p.sub(q, fill_value=0).abs().sum())


def _bins(real: pd.Series, syn: pd.Series) -> tuple[pd.Series, pd.Series]:
    edges = np.histogram_bin_edges(real.dropna().to_numpy(dtype=float), bins=10)
    cut = lambda s: pd.Series(np.digitize(s.to_numpy(dtype=float), edges[1:-1]), index=s.index).where(s.notna())  # noqa: E731
    return cut(real), cut(syn)


def quality(real: pd.DataFrame, syn: pd.DataFrame, columns: list) -> dict[str, float]:
    """The SDMetrics quality report's scores, each in [0, 1] (1: indistinguishable by these statistics)."""
    from scipy.stats import ks_2samp

    shapes = {}
    for c in columns:
        if c.kind in NUMERIC:
            shapes[c.name] = 1 - ks_2samp(real[c.name].dropna().astype(float), syn[c.name].dropna().astype(float)).statistic
        else:
            shapes[c.name] = 1 - _tv(real[c.name], syn[c.name])
    pairs = []
    for a, b in combinations(columns, 2):
        if a.kind in NUMERIC and b.kind in NUMERIC:
            rr, rs = real[[a.name, b.name]].astype(float).corr().iloc[0, 1], syn[[a.name, b.name]].astype(float).corr().iloc[0, 1]
            pairs.append(1 - abs(np.nan_to_num(rr) - np.nan_to_num(rs)) / 2)
        else:
            ra, sa = _bins(real[a.name], syn[a.name]) if a.kind in NUMERIC else (real[a.name], syn[a.name])
            rb, sb = _bins(real[b.name], syn[b.name]) if b.kind in NUMERIC else (real[b.name], syn[b.name])
            joint = lambda x, y: _text(x) + "|" + _text(y)  # noqa: E731
            pairs.append(1 - _tv(joint(ra, rb), joint(sa, sb)))
    shape, trend = float(np.mean(list(shapes.values()))), float(np.mean(pairs)) if pairs else 1.0
    return {"quality": (shape + trend) / 2, "column_shapes": shape, "column_pair_trends": trend,
            "worst_column": min(shapes, key=shapes.get), "worst_column_score": float(min(shapes.values()))}


class Encoder:
    """Rows -> numbers for models and distances: numbers scaled by the training range (missing: the
    median), discrete columns one-hot over the training categories scaled by 1/sqrt(2), so a
    mismatch costs 1 in Euclidean distance, like a number one whole range away."""

    def __init__(self, train: pd.DataFrame, columns: list, skip: str | None = None) -> None:
        self.cols = [c for c in columns if c.name != skip]
        self.stats = {}
        for c in self.cols:
            s = train[c.name]
            if c.kind in NUMERIC:
                x = s.astype(float)
                self.stats[c.name] = (float(x.median()), float(x.min()), max(float(x.max() - x.min()), 1e-9))
            else:
                self.stats[c.name] = sorted(_freq(s).index)

    def __call__(self, df: pd.DataFrame) -> np.ndarray:
        parts = []
        for c in self.cols:
            st = self.stats[c.name]
            if c.kind in NUMERIC:
                parts.append(((df[c.name].astype(float).fillna(st[0]) - st[1]) / st[2]).to_numpy()[:, None])
            else:
                v = _text(df[c.name]).to_numpy()
                parts.append((v[:, None] == np.array(st)[None]).astype(float) / np.sqrt(2))
        return np.concatenate(parts, 1)


def predictions(train: pd.DataFrame, test: pd.DataFrame, columns: list, target: str, seed: int = 0,
                trees: int = 100, models: dict[str, tuple[Any, Any]] | None = None) -> tuple[str, np.ndarray, dict[str, np.ndarray | None]]:
    """A ridge/logistic model and a random forest trained on `train`, predicting `test`'s target.

    Returns (metric, truth, {model: prediction}): "r2" with the numeric truth (N,) of the rows that have
    one and predictions (N,); "auc" with the class labels (N,) and class probabilities (N, K) over
    the test's sorted labels (columns of classes the train rows lack are 0; None: only one class to learn).
    `models` replaces the two with {name: (unfitted regressor, unfitted classifier)} (scikit-learn API).
    """
    from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
    from sklearn.linear_model import LogisticRegression, RidgeCV

    if models is None:
        models = {"linear": (RidgeCV(alphas=np.logspace(-3, 3, 13)), LogisticRegression(max_iter=2000)),
                  "forest": (RandomForestRegressor(trees, min_samples_leaf=3, random_state=seed, n_jobs=1),
                             RandomForestClassifier(trees, min_samples_leaf=3, random_state=seed, n_jobs=1))}
    kind = next(c.kind for c in columns if c.name == target)
    enc = Encoder(train, columns, skip=target)
    x, xt = enc(train), enc(test)
    out: dict[str, np.ndarray | None] = {}
    if kind in NUMERIC:
        y, yt = train[target].astype(float).fillna(train[target].median()), test[target].astype(float)
        ok = yt.notna().to_numpy()
        for name, (model, _) in models.items():
            out[name] = model.fit(x, y).predict(xt[ok])
        return "r2", yt[ok].to_numpy(), out
    y, yt = _text(train[target]), _text(test[target])
    labels = sorted(yt.unique())
    for name, (_, model) in models.items():
        if y.nunique() < 2:
            out[name] = None  # one class only: no better than chance
            continue
        p, classes = model.fit(x, y).predict_proba(xt), list(model.classes_)
        full = np.zeros((len(yt), len(labels)))
        for i, lab in enumerate(labels):
            if lab in classes:
                full[:, i] = p[:, classes.index(lab)]
        out[name] = full
    return "auc", yt.to_numpy(), out


def _score(metric: str, truth: np.ndarray, pred: np.ndarray | None, labels: list[str]) -> float:
    from sklearn.metrics import roc_auc_score

    if metric == "r2":  # sklearn's r2_score, without its checks' overhead (the bootstrap calls this thousands of times)
        truth = truth.astype(float)
        return float(1 - ((truth - pred) ** 2).sum() / max(((truth - truth.mean()) ** 2).sum(), 1e-300))
    present = sorted(set(truth))
    if pred is None or len(present) < 2:
        return 0.5
    if len(labels) == 2:
        return float(roc_auc_score(truth == labels[1], pred[:, 1]))
    cols = [labels.index(lab) for lab in present]  # a bootstrap sample may lack a class
    p = pred[:, cols]
    p = p / np.maximum(p.sum(1, keepdims=True), 1e-12)
    if len(present) == 2:  # two of three or more classes drawn: 'ovr' is then one binary AUC (sklearn refuses the 2-column form)
        return float(roc_auc_score(truth == present[1], p[:, 1]))
    return float(roc_auc_score(truth, p, multi_class="ovr", labels=present))


def utility(train: pd.DataFrame, test: pd.DataFrame, columns: list, target: str, seed: int = 0, trees: int = 100) -> dict[str, float]:
    """Held-out score of a ridge/logistic model and a random forest trained on `train`: R² for a numeric target, else AUC."""
    return utility_scores(*predictions(train, test, columns, target, seed, trees))


def utility_scores(metric: str, truth: np.ndarray, preds: dict[str, np.ndarray | None]) -> dict[str, float]:
    """`utility`'s report from `predictions`' output: each model's score and their mean."""
    labels = sorted(set(truth)) if metric == "auc" else []
    scores = {name: _score(metric, truth, pred, labels) for name, pred in preds.items()}
    return {"metric": metric, **scores, "mean": float(np.mean(list(scores.values())))}


def _resample_scorer(metric: str, truth: np.ndarray, pred: np.ndarray | None,
                     labels: list[str]) -> Callable[[np.ndarray, np.ndarray], float]:
    """A function (idx, counts) -> _score(metric, truth[idx], pred[idx], labels), counts = np.bincount(idx, minlength=N).

    It scores the resample from how often each row was drawn, in O(N) numpy, instead of sklearn on the
    gathered rows: the bootstrap calls it thousands of times, and roc_auc_score on 20,000 rows made
    `evaluate` spend minutes there. AUC is the Mann-Whitney form (ties count half, as roc_auc_score), per
    class for 'ovr'; a resample that lacks a class goes to `_score` itself (then the scores renormalise).
    """
    if metric == "r2":
        t = truth.astype(float)

        def r2(idx: np.ndarray, w: np.ndarray) -> float:
            mean = (w * t).sum() / w.sum()
            return float(1 - (w * (t - pred) ** 2).sum() / max((w * (t - mean) ** 2).sum(), 1e-300))
        return r2
    if pred is None:
        return lambda idx, w: 0.5
    if len(labels) == 2:
        per_class = [(truth == labels[1], pred[:, 1])]
    else:
        p = pred / np.maximum(pred.sum(1, keepdims=True), 1e-12)  # as `_score` when every class is drawn
        per_class = [(truth == lab, p[:, i]) for i, lab in enumerate(labels)]
    grouped = [(y.astype(float), *np.unique(score, return_inverse=True)) for y, score in per_class]

    def auc(idx: np.ndarray, w: np.ndarray) -> float:
        aucs = []
        for y, values, inv in grouped:
            pos = np.bincount(inv, weights=w * y, minlength=len(values))  # drawn positives per distinct score (ascending)
            neg = np.bincount(inv, weights=w * (1 - y), minlength=len(values))
            if pos.sum() == 0 or neg.sum() == 0:
                return _score(metric, truth[idx], pred[idx], labels)
            aucs.append((pos * (np.cumsum(neg) - neg / 2)).sum() / (pos.sum() * neg.sum()))  # P(pos > neg) + P(tie) / 2
        return float(np.mean(aucs))
    return auc


def utility_difference(metric: str, truth: np.ndarray, a: dict[str, np.ndarray | None], b: dict[str, np.ndarray | None],
                       rounds: int = 1000, seed: int = 0) -> dict[str, float]:
    """Utility of predictions `a` minus that of `b` (the mean over models, as `utility`) on the same test rows,
    with a 90 % interval from a paired bootstrap over those rows (Efron & Tibshirani 1993): how much of a
    difference the test set's size alone can produce. Training seeds add their own spread on top."""
    labels = sorted(set(truth)) if metric == "auc" else []

    def mean_score(preds: dict[str, np.ndarray | None]) -> float:
        return float(np.mean([_score(metric, truth, p, labels) for p in preds.values()]))

    scorers = [[_resample_scorer(metric, truth, p, labels) for p in preds.values()] for preds in (a, b)]
    rng = np.random.default_rng(seed)
    diffs = []
    for _ in range(rounds):
        idx = rng.integers(0, len(truth), len(truth))
        w = np.bincount(idx, minlength=len(truth)).astype(float)
        sa, sb = (float(np.mean([score(idx, w) for score in side])) for side in scorers)
        diffs.append(sa - sb)
    low, high = np.quantile(diffs, [0.05, 0.95])
    return {"difference": mean_score(a) - mean_score(b), "low": float(low), "high": float(high)}


def privacy(train: pd.DataFrame, holdout: pd.DataFrame, syn: pd.DataFrame, columns: list, seed: int = 0) -> dict[str, float]:
    """Exact copies, DCR (synthetic -> train against holdout -> train) and the membership-inference AUC."""
    from sklearn.metrics import roc_auc_score
    from sklearn.neighbors import NearestNeighbors

    key = lambda df: pd.concat([_text(df[c.name]) for c in columns], axis=1).agg("|".join, axis=1)  # noqa: E731
    copies = int(key(syn).isin(set(key(train))).sum())
    enc = Encoder(train, columns)
    tr, ho, sy = enc(train), enc(holdout), enc(syn)
    nn_train = NearestNeighbors(n_neighbors=1).fit(tr)
    dcr_syn, dcr_hold = nn_train.kneighbors(sy)[0][:, 0], nn_train.kneighbors(ho)[0][:, 0]
    # Membership inference: members are training rows, non-members the holdout, as many of each;
    # the attacker scores a row by how close the nearest synthetic row is (closer: "it was trained on").
    members = tr[np.random.default_rng(seed).choice(len(tr), size=min(len(ho), len(tr)), replace=False)]
    d = NearestNeighbors(n_neighbors=1).fit(sy).kneighbors(np.concatenate([members, ho]))[0][:, 0]
    auc = roc_auc_score(np.r_[np.ones(len(members)), np.zeros(len(ho))], -d)
    return {"exact_copies": copies, "exact_copy_rate": copies / len(syn),
            "dcr_synthetic_median": float(np.median(dcr_syn)), "dcr_holdout_median": float(np.median(dcr_hold)),
            # share of synthetic rows closer to the training set than the closest 5 % of real unseen rows
            "closer_than_holdout_p5": float((dcr_syn < np.quantile(dcr_hold, 0.05)).mean()),
            "mia_auc": float(auc)}
