"""synthetic-records from Python: train on a table, draw rows (also conditionally), score them.

    OMP_NUM_THREADS=1 python examples/synthetic_records_api.py [--data patients.csv --target outcome] [--steps 2000]

The same as `gansuite train synthetic-records --set data=...`, `gansuite synthesize RUN --rows N
--out synth.csv --where sex=2` and `gansuite evaluate RUN`.
"""
from __future__ import annotations

import argparse
from pathlib import Path

import torch

from gansuite_core import load_run, train_app
from gansuite_synthetic_records.evaluation import synthesize


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default="diabetes", help="diabetes or gbsg2 (embedded; gbsg2 needs scikit-survival) or a .csv / .parquet file")
    ap.add_argument("--target", default="", help="the column evaluate predicts ('' = the last one)")
    ap.add_argument("--steps", type=int, default=2000)
    ap.add_argument("--out", type=Path, default=Path("runs/records-api"))
    a = ap.parse_args()
    torch.set_num_threads(1)

    train_app("synthetic-records", a.out, steps=a.steps, data=a.data, target=a.target, device="cpu")
    run = load_run(a.out, app="synthetic-records")

    rows = synthesize(run, 1000, seed=0)  # a pandas DataFrame with the input's columns, dtypes and spellings
    rows.to_csv(a.out / "synthetic.csv", index=False)
    print(rows.head())
    if a.data == "diabetes":
        women = synthesize(run, 200, seed=1, where="sex=2")  # conditional sampling on a discrete column
        print(f"sex=2 only: {(women['sex'] == 2).all()}, mean bmi {women['bmi'].mean():.1f} vs all {rows['bmi'].mean():.1f}")

    report = run.app.evaluate(run, torch.device("cpu"))  # GAN and both baselines, scored on the held-out rows
    for name in ("gan", "gaussian_copula", "independent"):
        r = report[name]
        print(f"{name:16s} quality {r['quality']:.3f}  TSTR {r['tstr']:.3f} (TRTR {report['trtr']:.3f})  "
              f"exact copies {r['exact_copies']}  MIA AUC {r['mia_auc']:.3f}")
    print("pictures:", run.dir / "marginals.png", run.dir / "correlations.png")


if __name__ == "__main__":
    main()
