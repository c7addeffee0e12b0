"""CTGAN's reversible column transformer: table rows <-> the vectors the networks see.

Mode-specific normalisation (Xu et al. NeurIPS 2019, Sec. 4.2): a variational (Dirichlet-process)
Gaussian mixture is fitted to each continuous column; a value becomes a one-hot of a mode, drawn from
its posterior, and a scalar alpha = (x - mu_k) / (4 sigma_k) in (-1, 1). Categorical and boolean
columns are one-hot. A missing value is a state of its own: an extra mode or an extra category.
"""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

MIN_WEIGHT = 0.005  # modes lighter than this are dropped (CTGAN's weight_threshold)


def _key(v):
    """A category key: missing values (None, NaN, NA) all become None."""
    return None if pd.isna(v) else v


class TableTransformer:
    def __init__(self, columns: list, modes: int = 10, seed: int = 0, mode_choice: str = "sample") -> None:
        self.columns, self.modes, self.seed, self.mode_choice = columns, modes, seed, mode_choice
        self.info: list[dict] = []  # per column: kind, width, and its fitted parameters

    def fit(self, df: pd.DataFrame) -> "TableTransformer":
        # Imported here: the CLI imports every plugin at start-up, and scikit-learn costs ~2 CPU-s to import.
        from sklearn.exceptions import ConvergenceWarning
        from sklearn.mixture import BayesianGaussianMixture

        for col in self.columns:
            s = df[col.name]
            if col.kind in ("continuous", "integer"):
                x = s.dropna().to_numpy(dtype=float)
                scale = max(float(x.std()), 1e-6)
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", ConvergenceWarning)
                    gm = BayesianGaussianMixture(n_components=min(self.modes, len(np.unique(x))), weight_concentration_prior_type="dirichlet_process",
                                                 weight_concentration_prior=0.001, max_iter=100, n_init=1, random_state=self.seed)
                    gm.fit((x / scale)[:, None])  # fitted in units of the column's spread, so tiny ranges do not collapse
                keep = gm.weights_ > MIN_WEIGHT
                self.info.append({"kind": "numeric", "gm": gm, "keep": keep, "scale": scale,
                                  "mu": gm.means_[keep, 0] * scale, "sigma": np.sqrt(gm.covariances_[keep, 0, 0]) * scale,
                                  "missing": bool(s.isna().any()), "lo": float(x.min()), "hi": float(x.max())})
                self.info[-1]["width"] = 1 + int(keep.sum()) + self.info[-1]["missing"]
            else:
                cats = list(dict.fromkeys(sorted((_key(v) for v in s), key=lambda v: (v is None, str(v)))))
                col.categories = cats
                self.info.append({"kind": "discrete", "cats": cats, "index": {c: i for i, c in enumerate(cats)}, "width": len(cats)})
        return self

    @property
    def dim(self) -> int:
        return sum(i["width"] for i in self.info)

    @property
    def spans(self) -> list[tuple[str, int]]:
        """The output layout for the generator's head: ("tanh", 1) for alpha, ("softmax", k) for one-hots."""
        out = []
        for i in self.info:
            out += [("tanh", 1), ("softmax", i["width"] - 1)] if i["kind"] == "numeric" else [("softmax", i["width"])]
        return out

    @property
    def category_counts(self) -> list[int]:
        return [len(i["cats"]) for i in self.info if i["kind"] == "discrete"]

    @property
    def cond_dim(self) -> int:
        return sum(self.category_counts)

    def discrete_starts(self) -> list[int]:
        """Where each discrete column's one-hot starts in a transformed row."""
        starts, at = [], 0
        for i in self.info:
            if i["kind"] == "discrete":
                starts.append(at)
            at += i["width"]
        return starts

    def value_layout(self) -> dict[str, np.ndarray]:
        """Where each column's value sits in a transformed row, for moment matching (losses.soft_values).

        A numeric column's value is sum_k onehot_k (4 sigma_k alpha + mu_k): `alpha` (Jn,) indexes its
        scalar, `modes` (Jn, K) its mode one-hot (padded with mu = sigma = 0; the missing mode, if any,
        adds nothing), `mu` and `four_sigma` (Jn, K). A discrete column with k categories contributes its
        first k - 1 one-hot entries (`onehot`; the last category is implied by the others).
        """
        num = [(at, i) for at, i in zip(np.cumsum([0] + [i["width"] for i in self.info])[:-1], self.info) if i["kind"] == "numeric"]
        k = max((len(i["mu"]) for _, i in num), default=1)
        alpha = np.array([at for at, _ in num], np.int64)
        modes = np.array([[at + 1 + min(m, len(i["mu"]) - 1) for m in range(k)] for at, i in num], np.int64).reshape(len(num), k)
        mu, four_sigma = np.zeros((len(num), k), np.float32), np.zeros((len(num), k), np.float32)
        for r, (_, i) in enumerate(num):
            mu[r, :len(i["mu"])], four_sigma[r, :len(i["mu"])] = i["mu"], 4 * i["sigma"]
        onehot = [at + c for at, i in zip(np.cumsum([0] + [i["width"] for i in self.info])[:-1], self.info)
                  if i["kind"] == "discrete" for c in range(i["width"] - 1)]
        return {"alpha": alpha, "modes": modes, "mu": mu, "four_sigma": four_sigma, "onehot": np.array(onehot, np.int64)}

    def codes(self, df: pd.DataFrame) -> np.ndarray:
        """(N, J) category index of each row in each discrete column (unseen categories: -1)."""
        cols = [(c, i) for c, i in zip(self.columns, self.info) if i["kind"] == "discrete"]
        return np.array([[i["index"].get(_key(v), -1) for v in df[c.name]] for c, i in cols], dtype=np.int64).T.reshape(len(df), len(cols))

    def transform(self, df: pd.DataFrame, rng: np.random.Generator) -> np.ndarray:
        parts = []
        for col, i in zip(self.columns, self.info):
            s = df[col.name]
            out = np.zeros((len(df), i["width"]), dtype=np.float32)
            if i["kind"] == "numeric":
                present = s.notna().to_numpy()
                x = s.to_numpy(dtype=float)[present]
                p = i["gm"].predict_proba((x / i["scale"])[:, None])[:, i["keep"]] + 1e-6  # (n, K)
                p /= p.sum(1, keepdims=True)
                if self.mode_choice == "argmax":  # the most probable mode: the row's mode is a function of its value
                    k = p.argmax(1)
                else:  # a mode drawn from the posterior (CTGAN)
                    k = (p.cumsum(1) > rng.random((len(x), 1))).argmax(1)
                rows = np.flatnonzero(present)
                out[rows, 0] = np.clip((x - i["mu"][k]) / (4 * i["sigma"][k]), -0.99, 0.99)
                out[rows, 1 + k] = 1.0
                if i["missing"]:
                    out[~present, -1] = 1.0
            else:
                idx = np.array([i["index"][_key(v)] for v in s])
                out[np.arange(len(df)), idx] = 1.0
            parts.append(out)
        return np.concatenate(parts, 1)

    def inverse(self, m: np.ndarray) -> pd.DataFrame:
        """Transformed rows (N, D) back to a table with the input's columns, dtypes and category spellings."""
        data, at = {}, 0
        for col, i in zip(self.columns, self.info):
            block = m[:, at:at + i["width"]]
            at += i["width"]
            if i["kind"] == "numeric":
                k = block[:, 1:].argmax(1)
                missing = k == len(i["mu"])  # the extra "missing" mode
                k = np.minimum(k, len(i["mu"]) - 1)
                x = np.clip(np.clip(block[:, 0], -1, 1) * 4 * i["sigma"][k] + i["mu"][k], i["lo"], i["hi"])  # within the seen range
                x = np.round(x, col.decimals) if col.kind == "continuous" else np.round(x)
                s = pd.Series(np.where(missing, np.nan, x))
                if col.kind == "integer":
                    s = s.astype("Int64") if missing.any() or pd.api.types.is_extension_array_dtype(col.dtype) else s.astype(col.dtype)
                else:
                    s = s.astype(col.dtype)
            else:
                vals = [i["cats"][j] for j in block.argmax(1)]
                s = pd.Series(vals, dtype=object)
                try:  # the input's dtype (a missing value in an integer column leaves it object, as pandas would make it float)
                    s = s.astype(col.dtype)
                except (TypeError, ValueError):
                    pass
            data[col.name] = s
        return pd.DataFrame(data)
