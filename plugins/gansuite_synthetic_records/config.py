"""The options of synthetic-records (`gansuite train synthetic-records --set KEY=VALUE`).

Model defaults follow CTGAN (Xu et al. NeurIPS 2019, and its reference code): 10 modes per
continuous column, Gumbel-softmax at tau 0.2, WGAN-GP with lambda 10, Adam 2e-4 (0.5, 0.9).
Three differ, each measured on the embedded table (docs/synthetic-records.md, Benchmark): the critic
has no dropout and judges single rows (CTGAN: dropout 0.5, pac 10), and the generator is sampled
through an EMA of its weights. The batch is smaller than CTGAN's 500 because the tables are small.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class RecordsConfig:
    data: str = "diabetes"  # the table: diabetes (scikit-learn's 442 patients, embedded), gbsg2 (686 breast-cancer patients with censored survival; needs scikit-survival) or PATH to a .csv / .parquet file
    discrete: str = ""  # columns to treat as categorical, comma-separated (overrides the inferred type), e.g. sex,stage
    continuous: str = ""  # columns to treat as numbers, comma-separated (overrides the inferred type)
    target: str = ""  # the column `evaluate` predicts for utility ("" = the last column)
    survival: str = ""  # TIME,EVENT: a survival table's follow-up time and event-observed columns; evaluate then compares Kaplan-Meier curves ("" = none, or the embedded table's own: gbsg2 time,event)
    holdout: float = 0.2  # share of rows held out from training, for evaluation only
    split_seed: int = 0  # seed of the train/holdout split (the same split for every training seed)
    modes: int = 10  # most Gaussian modes per continuous column (variational mixture; CTGAN: 10)
    mode_choice: Literal["sample", "argmax"] = "sample"  # a value's mode in the row: sample (its posterior, CTGAN) or argmax (2026-12-03, seed 0: s1-s2 rho 0.84 not 0.72, but TSTR 0.413 not 0.445)
    noise: int = 128  # noise dimensions of the generator (CTGAN: 128)
    g_dims: str = "256,256"  # the generator's residual layer widths, comma-separated (CTGAN: 256,256)
    d_dims: str = "256,256"  # the critic's layer widths, comma-separated (CTGAN: 256,256)
    dropout: float = 0.0  # dropout after each critic layer (CTGAN: 0.5; 0 measured better on small tables)
    pac: int = 1  # PacGAN: the critic judges this many rows at once (Lin et al. 2018; CTGAN: 10; 1 measured better on small tables)
    batch: int = 200  # rows per batch, a multiple of pac
    lr: float = 0.0002  # Adam learning rate of both players (CTGAN: 2e-4)
    weight_decay: float = 0.000001  # L2 weight decay of both players' Adam (CTGAN: 1e-6)
    gp: float = 10.0  # WGAN-GP gradient penalty weight (Gulrajani et al. 2017)
    tau: float = 0.2  # Gumbel-softmax temperature of discrete outputs (CTGAN: 0.2)
    critic_repeat: int = 1  # critic updates per generator update (CTGAN: 1)
    dp: bool = False  # differential privacy: DP-SGD on the critic, non-saturating loss instead of WGAN-GP (needs opacus)
    noise_multiplier: float = 1.0  # dp: Gaussian noise std per critic step, in units of dp_clip
    dp_clip: float = 1.0  # dp: each example's (pack's) critic gradient is clipped to this norm
    epsilon: float = 0.0  # dp: privacy budget at delta 1e-5; training stops before it is exceeded (0 = run all steps, report epsilon)
    moment_loss: float = 0.0  # G term: batch column means, stds, correlations vs the training table's (0 = off; 1: TSTR 0.479 +- 0.019, 5 seeds, 2026-12-03)
    info_loss: float = 0.0  # G term: table-GAN's information loss on critic features (Park et al. 2018; 0 = off; 1: TSTR 0.419, seed 0, 2026-12-03)
    ema: bool = True  # sample with an EMA of the generator (half-life `ema_half_life` batches of rows); false: the last weights
    ema_half_life: float = 20.0  # ema: batches after which an old weight's share in the average has halved
    utility_trees: int = 100  # trees of the random forest that `evaluate` trains for utility (beside a ridge/logistic model)
    eval_seed: int = 0  # seed of the synthetic rows and models that `evaluate` draws and trains

    def __post_init__(self) -> None:
        if self.data not in ("diabetes", "gbsg2"):  # the embedded tables (data.EMBEDDED)
            object.__setattr__(self, "data", os.path.abspath(os.path.expanduser(self.data)))  # evaluate may run elsewhere
        if not 0.05 <= self.holdout <= 0.5:
            raise ValueError(f"holdout = {self.holdout}: expected a share between 0.05 and 0.5")
        for name in ("modes", "noise", "pac", "batch", "critic_repeat", "utility_trees"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} = {getattr(self, name)}: expected an integer >= 1")
        if self.mode_choice not in ("sample", "argmax"):
            raise ValueError(f"mode_choice = {self.mode_choice!r}: expected sample or argmax")
        if self.ema_half_life <= 0:
            raise ValueError(f"ema_half_life = {self.ema_half_life}: expected a positive number of batches")
        if self.batch % self.pac:
            raise ValueError(f"batch = {self.batch} must be a multiple of pac = {self.pac}")
        for name in ("moment_loss", "info_loss"):
            if getattr(self, name) < 0 or (getattr(self, name) and self.dp):
                raise ValueError(f"{name} = {getattr(self, name)}: expected a weight >= 0, and 0 with dp=true "
                                 "(it reads real rows outside DP-SGD's accounting)")
        if self.noise_multiplier <= 0 or self.dp_clip <= 0 or self.epsilon < 0:
            raise ValueError("noise_multiplier and dp_clip must be > 0, epsilon >= 0")
        if not 0 <= self.dropout < 1:
            raise ValueError(f"dropout = {self.dropout}: expected a rate in [0, 1)")
        if not 0 < self.lr < 1 or self.weight_decay < 0 or self.gp < 0 or self.tau <= 0:
            raise ValueError("lr must be in (0, 1), weight_decay and gp >= 0, tau > 0")
        self.dims("g_dims"), self.dims("d_dims")

    def dims(self, name: str) -> list[int]:
        """g_dims or d_dims as a list of widths."""
        try:
            out = [int(x) for x in getattr(self, name).split(",") if x.strip()]
        except ValueError:
            out = []
        if not out or min(out) < 1:
            raise ValueError(f"{name} = {getattr(self, name)!r}: expected widths like 256,256")
        return out

    def names(self, name: str) -> list[str]:
        """discrete or continuous as a list of column names."""
        return [x.strip() for x in getattr(self, name).split(",") if x.strip()]


@dataclass(frozen=True)
class GenerateOptions:
    """`gansuite generate RUN --out F.csv --num N --set where=COLUMN=VALUE`."""

    where: str = ""  # conditional sampling: COLUMN=VALUE for a discrete column, e.g. sex=2 (empty: the table's own mix)
