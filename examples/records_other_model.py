"""Train-on-synthetic utility with a model `evaluate` does not use: scikit-learn's gradient boosting.

`gansuite evaluate` scores utility with a ridge/logistic model and a random forest. A user may fit something
else on the synthetic rows; this script re-draws each benchmark run's synthetic rows (the GAN's and both
baselines', the same seeds as `evaluate`) and scores a HistGradientBoosting model trained on them on the run's
held-out rows, beside the same model trained on the real training rows.

    OMP_NUM_THREADS=2 python examples/records_other_model.py runs/s36/records-gbsg2-km runs/s36/records-gbsg2-split1-km

Each argument is a folder written by examples/bench_synthetic_records.py (seed-S run folders inside).
AUC for a discrete target (one-vs-rest for more than two classes; a missing value is a class), R² for a numeric one.
"""
from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.metrics import r2_score, roc_auc_score

from gansuite_core import load_run
from gansuite_synthetic_records.baselines import BASELINES
from gansuite_synthetic_records.data import load_table
from gansuite_synthetic_records.evaluation import synthesize

NUMERIC = ("continuous", "integer")


def features(df: pd.DataFrame, columns: list, target: str) -> pd.DataFrame:
    """Numbers as they are, every other column one-hot (its values as text)."""
    x = {c.name: (df[c.name].astype(float) if c.kind in NUMERIC else df[c.name].astype(object).map(str))
         for c in columns if c.name != target}
    return pd.get_dummies(pd.DataFrame(x), dtype=float)


def score(train: pd.DataFrame, holdout: pd.DataFrame, columns: list, target: str, seed: int) -> float:
    kind = next(c.kind for c in columns if c.name == target)
    x, xh = features(train, columns, target), features(holdout, columns, target)
    x = x.reindex(columns=xh.columns, fill_value=0.0)  # categories the synthetic rows never drew: all zero
    if kind in NUMERIC:  # as evaluate: a missing training target is the median, a missing held-out one is not scored
        y, yh = train[target].astype(float), holdout[target].astype(float)
        model = HistGradientBoostingRegressor(random_state=seed).fit(x, y.fillna(y.median()))
        ok = yh.notna().to_numpy()
        return float(r2_score(yh[ok], model.predict(xh[ok])))
    y, yh = train[target].astype(object).map(str), holdout[target].astype(object).map(str)
    model = HistGradientBoostingClassifier(random_state=seed).fit(x, y)
    p = model.predict_proba(xh)
    if len(model.classes_) == 2:
        return float(roc_auc_score(yh == model.classes_[1], p[:, 1]))
    return float(roc_auc_score(yh, p, multi_class="ovr", labels=model.classes_))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("folders", nargs="+", type=Path)
    a = ap.parse_args()
    for folder in a.folders:
        res: dict[str, list[float]] = {"real": [], "gan": [], **{b: [] for b in BASELINES}}
        for run_dir in sorted(folder.glob("seed-*/")):
            run = load_run(run_dir, app="synthetic-records")
            cfg, seed = run.config.options, run.config.core.seed
            table = load_table(cfg)
            n = len(table.train)
            tables = {"real": table.train, "gan": synthesize(run, n, cfg.eval_seed)}
            tables.update({b: f(table.train, table.columns, n, cfg.eval_seed) for b, f in BASELINES.items()})
            for name, rows in tables.items():
                res[name].append(score(rows, table.holdout, table.columns, table.target, seed))
        print(folder)
        for name, vals in res.items():
            print(f"  {name:16s} {' / '.join(f'{v:.3f}' for v in vals)}   mean {np.mean(vals):.3f} ± {np.std(vals, ddof=1) if len(vals) > 1 else 0:.3f}")


if __name__ == "__main__":
    main()
