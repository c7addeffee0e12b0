"""`gansuite evaluate`, `generate`, `synthesize` and `demo` for synthetic-records.

Every score is measured on rows the generator never saw: the holdout part of the real table (20 %
by default, the same split for every training seed). The GAN is compared with the two synthesizers
a user would try first (baselines.py), each drawing as many rows as the training set has.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import torch

from gansuite_core import DemoRequest, DemoResult, GenerateRequest, Run, UserError, train_demo

from .baselines import BASELINES
from .config import GenerateOptions, RecordsConfig
from .data import EMBEDDED, load_table
from .dp import DELTA, Accountant
from .game import sample_rows
from .metrics import predictions, privacy, quality, utility, utility_difference, utility_scores
from .pictures import save_correlations, save_marginals, save_survival
from .survival import km_gap, survival_utility

# Issue 16's goal: quality >= 0.85, TSTR >= 90 % of TRTR and above both baselines, no exact copies, MIA AUC <= 0.6.
GOAL = {"quality": 0.85, "utility_ratio": 0.9, "exact_copies": 0, "mia_auc": 0.6}


def parse_where(table, where: str) -> tuple[str, Any, tuple[int, int]]:
    """COLUMN=VALUE -> (column, the category as the table spells it, (discrete index, category index))."""
    name, sep, value = where.partition("=")
    discrete = [c for c in table.columns if c.kind in ("categorical", "boolean")]
    if not sep or not name.strip():
        raise UserError(f"--where {where!r}: expected COLUMN=VALUE, e.g. {discrete[0].name if discrete else 'sex'}=2")
    name, value = name.strip(), value.strip()
    names = [c.name for c in discrete]
    if name not in names:
        kind = next((c.kind for c in table.columns if c.name == name), None)
        why = f"is {kind}; only discrete columns can be conditioned on" if kind else "is not a column"
        raise UserError(f"--where {name}: {why} (discrete columns: {', '.join(names) or 'none'})")
    col = discrete[names.index(name)]
    spelled = ["" if v is None else str(v) for v in col.categories]
    if value not in spelled:
        raise UserError(f"--where {name}={value}: no such value in the training rows (values: {', '.join(spelled)})")
    k = spelled.index(value)
    return name, col.categories[k], (names.index(name), k)


def synthesize(run: Run, rows: int, seed: int = 0, where: str = "", device: torch.device | str = "cpu") -> pd.DataFrame:
    """`rows` synthetic rows with the input's columns, order, dtypes and category spellings."""
    cfg: RecordsConfig = run.config.options
    table = load_table(cfg)
    G = run.net("G").to(device).eval()
    if not where:
        return table.transformer.inverse(sample_rows(G, cfg, rows, seed, torch.device(device)))
    name, value, cond = parse_where(table, where)
    got, tries = [], 0
    while sum(len(g) for g in got) < rows and tries < 50:  # the condition steers G; keep only rows that honour it
        df = table.transformer.inverse(sample_rows(G, cfg, max(rows, 256), seed + tries, torch.device(device), where=cond))
        spelled = df[name].astype(object).map(lambda v: "" if pd.isna(v) else str(v))
        got.append(df[spelled == ("" if value is None else str(value))])
        tries += 1
    out = pd.concat(got, ignore_index=True).head(rows)
    if len(out) < rows:
        raise UserError(f"--where {where}: the generator gave only {len(out)} of {rows} rows with that value in 50 batches")
    return out


def score(table, syn: pd.DataFrame, seed: int, trees: int) -> tuple[dict[str, Any], tuple]:
    """The scores of one synthetic table, and its utility models' predictions on the holdout (for `utility_difference`)."""
    q = quality(table.holdout, syn, table.columns)
    pred = predictions(syn, table.holdout, table.columns, table.target, seed, trees)
    u = utility_scores(*pred)
    p = privacy(table.train, table.holdout, syn, table.columns, seed)
    return {**q, "tstr": u["mean"], "tstr_linear": u["linear"], "tstr_forest": u["forest"], **p}, pred


def evaluate(run: Run, device: torch.device) -> dict[str, Any]:
    """Fidelity, utility and privacy of the GAN and both baselines against the holdout; pictures in RUN/."""
    cfg: RecordsConfig = run.config.options
    table = load_table(cfg)
    n, seed = len(table.train), cfg.eval_seed
    tables = {"gan": synthesize(run, n, seed, device=device)}
    tables.update({k: f(table.train, table.columns, n, seed) for k, f in BASELINES.items()})
    trtr = utility(table.train, table.holdout, table.columns, table.target, seed, cfg.utility_trees)
    report: dict[str, Any] = {"table": table.name, "rows_train": n, "rows_holdout": len(table.holdout), "target": table.target,
                              "utility_metric": trtr["metric"], "trtr": trtr["mean"], "trtr_linear": trtr["linear"], "trtr_forest": trtr["forest"],
                              # two real samples scored against each other: the best quality this holdout size can show
                              "quality_real_train_vs_holdout": quality(table.holdout, table.train, table.columns)["quality"]}
    preds = {}
    for name, syn in tables.items():
        report[name], preds[name] = score(table, syn, seed, cfg.utility_trees)
        report[name]["utility_ratio"] = report[name]["tstr"] / trtr["mean"] if trtr["mean"] > 0 else float("nan")
    metric, truth, gan_preds = preds["gan"]
    # The GAN's TSTR minus each baseline's, with the 90 % interval that resampling the held-out rows gives:
    # a lead inside it is one this holdout cannot tell from chance.
    report["utility_lead"] = {b: utility_difference(metric, truth, gan_preds, preds[b][2], seed=seed) for b in BASELINES}
    g = report["gan"]
    report["goal"] = {
        "quality": g["quality"] >= GOAL["quality"],
        "utility_ratio": g["utility_ratio"] >= GOAL["utility_ratio"],
        "utility_beats_baselines": all(g["tstr"] > report[b]["tstr"] for b in BASELINES),
        "no_exact_copies": g["exact_copies"] == GOAL["exact_copies"],
        "mia_auc": g["mia_auc"] <= GOAL["mia_auc"],
    }
    report["goal_met"] = all(report["goal"].values())
    if cfg.dp:  # the privacy spent by this run's critic steps (the column metadata is not covered: see docs)
        acc = Accountant(cfg.batch / n, cfg.noise_multiplier)
        report["dp"] = {"epsilon": acc.epsilon(run.step * cfg.critic_repeat), "delta": DELTA, "noise_multiplier": cfg.noise_multiplier,
                        "dp_clip": cfg.dp_clip, "sample_rate": cfg.batch / n, "critic_steps": run.step * cfg.critic_repeat}
    if table.survival:  # a survival table: each synthetic table's Kaplan-Meier curve against the held-out rows'
        time, event = table.survival
        report["km_gap_real_train_vs_holdout"] = km_gap(table.holdout, table.train, time, event)  # what this holdout allows
        # utility that respects censoring: a Cox model's concordance on the held-out rows (TSTR against TRTR)
        report["trtr_cindex"] = survival_utility(table.train, table.holdout, table.columns, time, event)
        for name, syn in tables.items():
            report[name]["km_gap"] = km_gap(table.holdout, syn, time, event)
            report[name]["tstr_cindex"] = survival_utility(syn, table.holdout, table.columns, time, event)
        save_survival(table.holdout, {"GAN": tables["gan"], "Gaussian copula": tables["gaussian_copula"],
                                      "independent columns": tables["independent"]}, time, event, run.dir / "survival.png")
    save_marginals(table.train, tables["gan"], table.columns, run.dir / "marginals.png", "GAN")
    save_correlations(table.train, {"GAN": tables["gan"], "Gaussian copula": tables["gaussian_copula"],
                                    "independent columns": tables["independent"]}, table.columns, run.dir / "correlations.png")
    return report


def generate(run: Run, req: GenerateRequest) -> list[Path]:
    """`gansuite generate RUN --out rows.csv|rows.parquet --num N [--set where=COLUMN=VALUE]`."""
    if req.out.suffix.lower() not in (".csv", ".parquet"):
        raise UserError(f"--out {req.out}: synthetic-records writes .csv or .parquet tables")
    opts = req.options or GenerateOptions()
    return [write_table(synthesize(run, req.num, req.seed, opts.where, req.device), req.out)]


def write_table(df: pd.DataFrame, out: Path) -> Path:
    if out.suffix.lower() == ".parquet":
        try:
            df.to_parquet(out, index=False)
        except ImportError:
            raise UserError(f"--out {out}: writing Parquet needs pyarrow (pip install pyarrow); .csv needs nothing") from None
    else:
        df.to_csv(out, index=False)
    return out


def demo(req: DemoRequest) -> DemoResult:
    """Train on the embedded diabetes table, then score the GAN and both baselines on the held-out patients."""
    run, r = train_demo(req, steps=1500, sample_every=0, checkpoint_every=1500)
    g, c, i = r["gan"], r["gaussian_copula"], r["independent"]
    text = (f"CTGAN-style GAN trained for {run.step} steps ({r['train_seconds']} s) on {r['rows_train']} patients of "
            f"{EMBEDDED.get(run.config.options.data, run.config.options.data)}; scored on {r['rows_holdout']} held-out patients. "
            f"Quality (SDMetrics-style) GAN {g['quality']:.3f}, copula {c['quality']:.3f}, independent {i['quality']:.3f} "
            f"(two real samples: {r['quality_real_train_vs_holdout']:.3f}). Predicting {r['target']} ({r['utility_metric']}): "
            f"train-on-real {r['trtr']:.3f}, train-on-GAN {g['tstr']:.3f}, copula {c['tstr']:.3f}, independent {i['tstr']:.3f}. "
            f"Exact copies {g['exact_copies']}, membership-inference AUC {g['mia_auc']:.3f} (0.5: no leak).")
    return DemoResult(title="synthetic-records: a conditional tabular GAN (CTGAN) on clinical rows", text=text,
                      pictures=[p for p in (run.dir / "marginals.png", run.dir / "correlations.png", run.dir / "loss.png") if p.is_file()],
                      numbers={"quality_gan": g["quality"], "quality_copula": c["quality"], "tstr_gan": g["tstr"], "tstr_copula": c["tstr"],
                               "tstr_independent": i["tstr"], "trtr": r["trtr"], "exact_copies": g["exact_copies"], "mia_auc": g["mia_auc"],
                               "goal_met": r["goal_met"], "train_seconds": r["train_seconds"]})
