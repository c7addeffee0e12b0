"""Tables in, tables out: reading a CSV/Parquet file or the embedded table, column types, the split,
and the training stream (CTGAN's training-by-sampling).

Column kinds: continuous (floats, written back with the input's decimals), integer, categorical and
boolean. A missing value is a state of its own: a category for discrete columns, a "missing" mode
for numeric ones (transform.py). Every bad input is one line naming the file or the column.
"""
from __future__ import annotations

import warnings

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch

from gansuite_core import UserError

from .config import RecordsConfig
from .transform import TableTransformer

EMBEDDED = {"diabetes": "scikit-learn's diabetes table (Efron et al. 2004): 442 patients, 10 baseline variables, progression after one year",
            "gbsg2": "the German Breast Cancer Study Group 2 trial (Schumacher et al. 1994, as scikit-survival ships it): 686 patients, "
                     "8 covariates, recurrence-free survival in days with censoring"}
SURVIVAL = {"gbsg2": ("time", "event")}  # embedded survival tables: (time, event) columns
MAX_IDENTIFIER_SHARE = 0.5  # a text column with more distinct values than this share of its rows is refused (identifiers)
MAX_CATEGORIES = 5  # a numeric column with at most this many distinct values is taken as categorical (sex in {1, 2})


@dataclass
class Column:
    name: str
    kind: str  # continuous | integer | categorical | boolean
    dtype: Any  # the input's pandas dtype, restored on output
    decimals: int = 0  # digits after the point in the input (continuous)
    categories: list[Any] = field(default_factory=list)  # discrete: the values seen in training, missing as None


def read_table(source: str) -> pd.DataFrame:
    """The raw table: the embedded one by name, or a .csv / .parquet file."""
    if source == "diabetes":
        from sklearn.datasets import load_diabetes
        frame = load_diabetes(scaled=False, as_frame=True).frame  # original units; sex in {1, 2}
        for name in frame.columns:  # the table's whole numbers (age, sex, s1, s6, progression) as integers
            if np.allclose(frame[name], np.round(frame[name])):
                frame[name] = frame[name].round().astype(int)
        return frame.rename(columns={"target": "progression"})
    if source == "gbsg2":
        return _gbsg2()
    path = Path(source)
    if not path.is_file():
        raise UserError(f"data={source}: no such file (expected a .csv or .parquet table, or one of {', '.join(EMBEDDED)})")
    try:
        if path.suffix.lower() == ".parquet":
            df = pd.read_parquet(path)
        else:
            df = pd.read_csv(path, skipinitialspace=True)
            seps = [c for c in ";\t|" if c in str(df.columns[0])]
            if df.shape[1] == 1 and seps:
                # one column whose name holds a separator: a semicolon (European spreadsheets), tab or pipe file;
                # the separator is the one of these that the header holds most often
                df = pd.read_csv(path, sep=max(seps, key=str(df.columns[0]).count), skipinitialspace=True)
    except pd.errors.EmptyDataError:
        raise UserError(f"data={source}: the file is empty") from None
    except Exception as e:  # noqa: BLE001 -- a parser's message, shortened to one line
        raise UserError(f"data={source}: cannot read it as a table ({str(e).splitlines()[0][:120]})") from None
    if len(df) < 20 or df.shape[1] < 2:
        raise UserError(f"data={source}: {len(df)} rows x {df.shape[1]} columns; need at least 20 rows and 2 columns")
    return df


def _gbsg2() -> pd.DataFrame:
    """GBSG2 with its whole numbers as integers, `time` (days) and `event` (recurrence or death observed; False: censored) last."""
    try:
        from sksurv.datasets import load_gbsg2
    except ImportError:
        raise UserError("data=gbsg2: the table ships with scikit-survival, which is not installed (pip install scikit-survival)") from None
    x, y = load_gbsg2()
    frame = x[["age", "menostat", "tsize", "tgrade", "pnodes", "progrec", "estrec", "horTh"]].copy()
    for name in ("age", "tsize", "pnodes", "progrec", "estrec"):
        frame[name] = frame[name].round().astype(int)
    for name in ("menostat", "tgrade", "horTh"):
        frame[name] = frame[name].astype(str)
    frame["time"] = y["time"].round().astype(int)
    frame["event"] = y["cens"].astype(bool)  # scikit-survival's "cens" is the event indicator (TH.data's coding)
    return frame


def _decimals(values: pd.Series) -> int:
    """Digits after the point needed to write the values back as they were (at most 6)."""
    v = values.dropna().to_numpy(dtype=float)
    for d in range(7):
        if np.allclose(v, np.round(v, d), rtol=0, atol=1e-9):
            return d
    return 6


def infer_columns(df: pd.DataFrame, cfg: RecordsConfig, where: str) -> tuple[pd.DataFrame, list[Column]]:
    """Each column's kind (inferred, or forced by discrete=/continuous=); numbers parsed; bad columns named."""
    forced_d, forced_c = cfg.names("discrete"), cfg.names("continuous")
    for name in forced_d + forced_c:
        if name not in df.columns:
            raise UserError(f"{'discrete' if name in forced_d else 'continuous'}={name}: no such column in {where} "
                            f"(columns: {', '.join(map(str, df.columns))})")
    df = df.copy()
    columns = []
    for name in df.columns:
        s = df[name]
        values = s.dropna()
        if values.nunique() < 2:
            shown = "only missing values" if values.empty else f"the single value {values.iloc[0]!r}"
            raise UserError(f"{where}: column {name!r} has {shown}: nothing to learn (drop the column)")
        if name in forced_d:
            columns.append(Column(name, "categorical", s.dtype))
            continue
        if s.dtype == bool:
            columns.append(Column(name, "boolean", s.dtype))
            continue
        numeric = pd.to_numeric(values, errors="coerce")
        bad = values[numeric.isna()]
        if len(bad) and (name in forced_c or len(bad) <= 0.05 * len(values)):  # mostly numbers: a typo, not a category
            raise UserError(f"{where}: column {name!r}: cannot parse {bad.iloc[0]!r} as a number (row {bad.index[0] + 2} of the file)")
        if len(bad):
            if values.nunique() > max(MAX_IDENTIFIER_SHARE * len(values), MAX_CATEGORIES):
                # Names, record numbers, free text: as categories, every synthetic row would carry a real
                # patient's value verbatim (a privacy leak), and there is no distribution to learn.
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")  # pandas warns when it has to guess a date format
                    dates = pd.to_datetime(values, errors="coerce").notna().mean() > 0.95
                what, fix = (("dates", "turn them into numbers (days since a date you choose) or drop the column") if dates else
                             ("an identifier or free text?", "drop the column"))
                raise UserError(f"{where}: column {name!r} has {values.nunique()} different values in {len(values)} rows "
                                f"({what}): synthetic rows would copy them; {fix}")
            columns.append(Column(name, "categorical", s.dtype))
            continue
        df[name] = pd.to_numeric(s)
        whole = np.allclose(numeric, np.round(numeric))
        if numeric.nunique() <= MAX_CATEGORIES and name not in forced_c:
            columns.append(Column(name, "categorical", df[name].dtype))
        elif whole:
            columns.append(Column(name, "integer", df[name].dtype))
        else:
            columns.append(Column(name, "continuous", df[name].dtype, decimals=_decimals(numeric)))
    return df, columns


@dataclass
class Table:
    """A table ready for training: its columns, the split, the fitted transformer and the sampler's indices."""

    name: str
    columns: list[Column]
    train: pd.DataFrame
    holdout: pd.DataFrame
    target: str
    survival: tuple[str, str] | None  # (time, event) columns of a survival table, or None
    transformer: TableTransformer
    matrix: torch.Tensor  # (N_train, D) the transformed training rows
    sampler: dict[str, torch.Tensor]  # training-by-sampling indices (see make_sampler)


def make_sampler(codes: np.ndarray, counts: list[int]) -> dict[str, torch.Tensor]:
    """Indices for CTGAN's training-by-sampling, as tensors, so a batch is drawn without a host read.

    codes: (N, J) category index of each row in each discrete column. A batch picks a discrete
    column uniformly, a category with probability proportional to log(1 + frequency), and a real row
    with that category (Xu et al. 2019, Sec. 4.3).
    """
    n, j = codes.shape
    k = max(counts) if counts else 1
    freq = np.zeros((j, k))
    for c in range(j):
        freq[c, :counts[c]] = np.bincount(codes[:, c], minlength=counts[c])
    logf = np.where(freq > 0, np.log1p(freq), 0.0)
    order = np.stack([np.argsort(codes[:, c], kind="stable") for c in range(j)]) if j else np.zeros((0, n), int)  # (J, N)
    start = np.concatenate([np.zeros((j, 1)), np.cumsum(freq, 1)[:, :-1]], 1)  # (J, K)
    offsets = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64) if j else np.zeros(0, np.int64)
    return {"log_probs": torch.tensor(logf / np.maximum(logf.sum(1, keepdims=True), 1e-12), dtype=torch.float32),
            "probs": torch.tensor(freq / np.maximum(freq.sum(1, keepdims=True), 1e-12), dtype=torch.float32),
            "order": torch.tensor(order, dtype=torch.long), "start": torch.tensor(start, dtype=torch.long),
            "count": torch.tensor(freq, dtype=torch.long), "offsets": torch.tensor(offsets, dtype=torch.long),
            "codes": torch.tensor(codes.reshape(n, j), dtype=torch.long)}


def sample_cond(s: dict[str, torch.Tensor], n: int, cond_dim: int, generator: torch.Generator | None = None,
                key: str = "log_probs") -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(cond (n, C), column (n,), category (n,)): a discrete column per row and one of its categories."""
    j = s["offsets"].numel()
    dev = s["offsets"].device
    col = torch.randint(j, (n,), generator=generator, device=dev)
    cat = torch.multinomial(s[key][col], 1, generator=generator).squeeze(1)
    cond = torch.zeros(n, cond_dim, device=dev)
    cond[torch.arange(n, device=dev), s["offsets"][col] + cat] = 1.0
    return cond, col, cat


def training_batch(table: Table, batch: int, g: torch.Generator, dp: bool = False) -> dict[str, torch.Tensor]:
    """Real rows drawn to match a conditional vector (training-by-sampling); no conditions: uniform rows.

    Returns real (B, D) and cond (B, C); with training-by-sampling also col and cat (B,), the condition's
    discrete column and category, which the generator's cross-entropy needs when it shares the batch
    (info_loss).

    dp: distinct rows drawn uniformly without replacement (each row in at most one pack, the unit DP-SGD
    clips), each conditioned on its own category of a random discrete column; the generator's
    conditions then follow the table's frequencies instead of log-frequencies.
    """
    s = table.sampler
    if dp:
        rows = torch.randperm(len(table.matrix), generator=g)[:batch]
        cond = torch.zeros(batch, table.transformer.cond_dim)
        j = s["offsets"].numel()
        if j:
            col = torch.randint(j, (batch,), generator=g)
            cond[torch.arange(batch), s["offsets"][col] + s["codes"][rows, col]] = 1.0
        return {"real": table.matrix[rows], "cond": cond}
    if s["offsets"].numel() == 0:
        rows = torch.randint(len(table.matrix), (batch,), generator=g)
        return {"real": table.matrix[rows], "cond": torch.zeros(batch, 0)}
    cond, col, cat = sample_cond(s, batch, table.transformer.cond_dim, g)
    pick = (torch.rand(batch, generator=g) * s["count"][col, cat]).long()  # a uniform row among those with the category
    rows = s["order"][col, s["start"][col, cat] + pick]
    return {"real": table.matrix[rows], "cond": cond, "col": col, "cat": cat}


@lru_cache(maxsize=4)
def _load(cfg: RecordsConfig) -> Table:
    df, columns = infer_columns(read_table(cfg.data), cfg, f"data={cfg.data}")
    target = cfg.target or str(df.columns[-1])
    if target not in df.columns:
        raise UserError(f"target={target}: no such column in data={cfg.data} (columns: {', '.join(map(str, df.columns))})")
    order = np.random.default_rng(cfg.split_seed).permutation(len(df))
    cut = int(round(len(df) * cfg.holdout))
    holdout, train = df.iloc[order[:cut]].reset_index(drop=True), df.iloc[order[cut:]].reset_index(drop=True)
    tf = TableTransformer(columns, modes=cfg.modes, seed=cfg.split_seed, mode_choice=cfg.mode_choice).fit(train)
    matrix = torch.tensor(tf.transform(train, np.random.default_rng(cfg.split_seed)), dtype=torch.float32)
    sampler = make_sampler(tf.codes(train), tf.category_counts)
    name = cfg.data if cfg.data in EMBEDDED else Path(cfg.data).name
    return Table(name, columns, train, holdout, target, survival_columns(cfg, columns), tf, matrix, sampler)


def survival_columns(cfg: RecordsConfig, columns: list[Column]) -> tuple[str, str] | None:
    """The (time, event) pair of `survival=` (or of an embedded survival table), checked against the columns."""
    names = cfg.names("survival") or list(SURVIVAL.get(cfg.data, ()))
    if not names:
        return None
    kinds = {c.name: c for c in columns}
    if len(names) != 2:
        raise UserError(f"survival={cfg.survival}: expected two columns, TIME,EVENT")
    time, event = names
    for name in names:
        if name not in kinds:
            raise UserError(f"survival={cfg.survival}: no column {name!r} in data={cfg.data}")
    if kinds[time].kind not in ("continuous", "integer"):
        raise UserError(f"survival={cfg.survival}: the time column {time!r} is {kinds[time].kind}; expected numbers")
    if kinds[event].kind != "boolean" and sorted(map(str, kinds[event].categories)) != ["0", "1"]:
        raise UserError(f"survival={cfg.survival}: the event column {event!r} must be boolean or 0/1")
    return time, event


def load_table(cfg: RecordsConfig) -> Table:
    """The run's table (cached: networks, game, evaluate and generate all ask for it)."""
    return _load(cfg)
