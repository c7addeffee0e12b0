"""Utility and privacy against models `evaluate` does not use: gradient boosting, and a classifier attacker.

`gansuite evaluate` scores utility with a ridge/logistic model and a random forest. A user may fit something
else on the synthetic rows; this script re-draws each benchmark run's synthetic rows (the GAN's and both
baselines', the same seeds as `evaluate`) and scores a HistGradientBoosting model trained on them on the run's
held-out rows, beside the same model trained on the real training rows. It also runs a membership-inference
attacker of another kind than `evaluate`'s (`classifier_attack`) on the GAN's and the copula's rows.

    OMP_NUM_THREADS=2 python examples/records_other_model.py runs/s36/records-gbsg2-km runs/s36/records-gbsg2-split1-km

Each argument is a folder written by examples/bench_synthetic_records.py (seed-S run folders inside).
Scored as `evaluate` scores its own models (the same encoding, AUC or R², missing values handled alike).
"""
from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor

from gansuite_core import load_run
from gansuite_synthetic_records.baselines import BASELINES
from gansuite_synthetic_records.data import load_table
from gansuite_synthetic_records.evaluation import synthesize
from gansuite_synthetic_records.metrics import Encoder, predictions, utility_scores


def score(train: pd.DataFrame, holdout: pd.DataFrame, columns: list, target: str, seed: int) -> float:
    """Gradient boosting trained on `train`, scored on `holdout` the way `evaluate` scores its own models."""
    boosting = {"boosting": (HistGradientBoostingRegressor(random_state=seed), HistGradientBoostingClassifier(random_state=seed))}
    return utility_scores(*predictions(train, holdout, columns, target, seed, models=boosting))["boosting"]


def classifier_attack(train: pd.DataFrame, holdout: pd.DataFrame, syn: pd.DataFrame, columns: list, seed: int) -> float:
    """Membership inference by another kind of attacker than `evaluate`'s nearest-row distance: a random forest
    taught to tell the synthetic rows from half of the held-out rows (a black-box attack in the manner of LOGAN,
    Hayes et al. 2019) scores members (training rows) and the other half of the held-out rows (non-members)
    by how synthetic they look; its AUC (0.5: no leak)."""
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.metrics import roc_auc_score

    rng = np.random.default_rng(seed)
    order = rng.permutation(len(holdout))
    reference, outside = holdout.iloc[order[: len(order) // 2]], holdout.iloc[order[len(order) // 2:]]
    members = train.iloc[rng.choice(len(train), len(outside), replace=False)]
    enc = Encoder(train, columns)
    forest = RandomForestClassifier(200, random_state=seed, n_jobs=1)  # fully grown trees: leaves can single out a copied row
    forest.fit(np.concatenate([enc(syn), enc(reference)]), np.r_[np.ones(len(syn)), np.zeros(len(reference))])
    p = forest.predict_proba(np.concatenate([enc(members), enc(outside)]))[:, 1]
    return float(roc_auc_score(np.r_[np.ones(len(members)), np.zeros(len(outside))], p))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("folders", nargs="+", type=Path)
    a = ap.parse_args()
    for folder in a.folders:
        res: dict[str, list[float]] = {"real": [], "gan": [], **{b: [] for b in BASELINES}}
        attack: dict[str, list[float]] = {"gan": [], "gaussian_copula": []}
        runs = sorted(folder.glob("seed-*/"))
        if not runs:
            raise SystemExit(f"{folder}: no seed-S run folders (expected the --out of examples/bench_synthetic_records.py)")
        for run_dir in runs:
            run = load_run(run_dir, app="synthetic-records")
            cfg, seed = run.config.options, run.config.core.seed
            table = load_table(cfg)
            n = len(table.train)
            tables = {"real": table.train, "gan": synthesize(run, n, cfg.eval_seed)}
            tables.update({b: f(table.train, table.columns, n, cfg.eval_seed) for b, f in BASELINES.items()})
            for name, rows in tables.items():
                res[name].append(score(rows, table.holdout, table.columns, table.target, seed))
            attack["gan"].append(classifier_attack(table.train, table.holdout, tables["gan"], table.columns, seed))
            attack["gaussian_copula"].append(classifier_attack(table.train, table.holdout, tables["gaussian_copula"], table.columns, seed))
        print(folder)
        for title, table_of in (("TSTR, gradient boosting", res), ("membership inference AUC, classifier attacker", attack)):
            print(f" {title}")
            for name, vals in table_of.items():
                print(f"  {name:16s} {' / '.join(f'{v:.3f}' for v in vals)}   mean {np.mean(vals):.3f} ± {np.std(vals, ddof=1) if len(vals) > 1 else 0:.3f}")


if __name__ == "__main__":
    main()
