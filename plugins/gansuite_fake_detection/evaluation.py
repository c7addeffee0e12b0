"""`gansuite evaluate RUN`: three detectors, per fake source, clean and degraded.

- cnn: this run's detector (Wang et al. 2020 recipe, trained from scratch);
- spectrum: Durall et al. (CVPR 2020): the azimuthally averaged log power spectrum of the
  grey image, standardised, into a logistic regression, fitted here on the run's training split;
- gan_discriminator: each image-generation forger's own trained D used as a detector (the seeds'
  claim that a GAN's discriminator is a fake detector), p_fake = sigmoid(-(D(x) - threshold)).
Scores: average precision (threshold-free, Wang et al.'s headline number) and accuracy at
p_fake = 0.5, per source, then the means over seen sources and over held-out ones. Every
degradation of `eval_conditions` is applied to real and fake test images alike.
"""
from __future__ import annotations

from typing import Any

import cv2
import numpy as np
import torch

from gansuite_core import Run, load_run

from . import data, sources
from .config import FakeDetectionConfig


@torch.no_grad()
def p_fake(net: nn.Module, images: np.ndarray, batch: int = 256) -> np.ndarray:
    """The detector's fake probability of (N, H, W, 3) uint8 images, (N,) float."""
    device = next(net.parameters()).device
    out = [torch.sigmoid(net(data.to_tensor(images[k:k + batch]).to(device))).cpu() for k in range(0, len(images), batch)]
    return torch.cat(out).numpy() if out else np.zeros(0)


def spectrum(images: np.ndarray) -> np.ndarray:
    """(N, H, W, 3) uint8 -> (N, R) azimuthal means of the log power spectrum (Durall et al. 2020)."""
    g = images.astype(np.float32).mean(3)  # (N, H, W) grey
    f = np.fft.fftshift(np.fft.fft2(g), axes=(1, 2))
    power = np.log(np.abs(f) ** 2 + 1e-8)
    h, w = g.shape[1:]
    yy, xx = np.mgrid[:h, :w]
    r = np.hypot(yy - h // 2, xx - w // 2).round().astype(int).ravel()  # (H*W,) ring of each frequency
    counts = np.bincount(r)
    return np.stack([np.bincount(r, p.ravel()) / counts for p in power])


class SpectrumBaseline:
    """Logistic regression on the 1-D spectrum; fitted on up to `limit` images a class."""

    def __init__(self, real: np.ndarray, fake: np.ndarray, limit: int = 3000, seed: int = 0) -> None:
        rng = np.random.default_rng(seed)
        real = real[rng.permutation(len(real))[:limit]]
        fake = fake[rng.permutation(len(fake))[:limit]]
        x = np.concatenate([spectrum(real), spectrum(fake)])
        y = np.r_[np.zeros(len(real)), np.ones(len(fake))]
        # scikit-learn is imported here, not at the top: the CLI imports every plugin's commands at start-up, and
        # scikit-learn's import (~2 CPU-s) would slow every `gansuite` command, other applications' included.
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        self.model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000, class_weight="balanced")).fit(x, y)

    def __call__(self, images: np.ndarray) -> np.ndarray:
        return self.model.predict_proba(spectrum(images))[:, 1]


class GanDiscriminator:
    """An image-generation run's D as a detector; images are brought to the run's size and channels."""

    def __init__(self, run: Run) -> None:
        self.D, self.cfg = run.net("D").eval(), run.config.options
        self.threshold = 0.5 if self.cfg.loss == "lsgan" else 0.0  # the output separating real from fake in its loss

    @torch.no_grad()
    def __call__(self, images: np.ndarray) -> np.ndarray:
        s = self.cfg.size
        x = np.stack([cv2.resize(a, (s, s), interpolation=cv2.INTER_AREA) if a.shape[0] != s else a for a in images])
        t = data.to_tensor(x)
        if getattr(self.cfg, "grayscale", False) or self.cfg.data in ("faces", "mnist", "fashion-mnist"):
            t = t.mean(1, keepdim=True)
        out = torch.cat([self.D(t[k:k + 256]).reshape(-1) for k in range(0, len(t), 256)])
        return torch.sigmoid(-(out - self.threshold)).numpy()


def scores(p_real: np.ndarray, p_fake_: np.ndarray) -> dict[str, float]:
    from sklearn.metrics import average_precision_score  # imported late, as in SpectrumBaseline

    y = np.r_[np.zeros(len(p_real)), np.ones(len(p_fake_))]
    p = np.r_[p_real, p_fake_]
    return {"ap": round(float(average_precision_score(y, p)), 4), "acc": round(float(((p >= 0.5) == y).mean()), 4)}


def _summary(per_source: dict[str, dict[str, float]], held: set[str]) -> dict[str, Any]:
    seen = [v["ap"] for k, v in per_source.items() if k not in held]
    unseen = [v["ap"] for k, v in per_source.items() if k in held]
    return {"seen_ap": round(float(np.mean(seen)), 4) if seen else None,
            "heldout_ap": round(float(np.mean(unseen)), 4) if unseen else None,
            "acc": round(float(np.mean([v["acc"] for v in per_source.values()])), 4), "per_source": per_source}


def evaluate(run: Run, device: torch.device) -> dict[str, Any]:
    cfg: FakeDetectionConfig = run.config.options
    real, real_desc, srcs, fakes = sources.load_all(cfg, run.dir, run.registry)
    real_tr, real_te, f_tr, f_te = data.splits(cfg.test_fraction, real, srcs, fakes)
    held = {s.name for s in srcs if s.heldout}
    net = run.net("C").to(device).eval()
    detectors = {"cnn": lambda x: p_fake(net, x), "spectrum": SpectrumBaseline(real_tr, np.concatenate(list(f_tr.values())))}
    gan_runs = {s.name: load_run(s.path, registry=run.registry, device="cpu") for s in srcs if s.kind in ("own", "image-generation")}
    # A class-conditional D needs a label per image; real test images have none, so those runs are left out.
    gans = {k: GanDiscriminator(r) for k, r in gan_runs.items() if not getattr(r.config.options, "conditional", False)}
    report: dict[str, Any] = {"real": real_desc, "sources": sources.describe(srcs),
                              "test_images": {"real": len(real_te), **{k: len(v) for k, v in f_te.items()}},
                              "cnn": {}, "spectrum": {}, "gan_discriminator": {g: {} for g in gans}}
    for kind, value in [("clean", 0.0), *cfg.conditions()]:
        name = "clean" if kind == "clean" else f"{kind}:{value:g}"
        deg = (lambda x: x) if kind == "clean" else (lambda x: data.degrade(x, kind, value))
        r, fk = deg(real_te), {k: deg(v) for k, v in f_te.items()}
        for det, fn in detectors.items():
            pr = fn(r)
            report[det][name] = _summary({k: scores(pr, fn(v)) for k, v in fk.items()}, held)
        if kind == "clean" or name in ("jpeg:50", "blur:1"):
            for g, fn in gans.items():  # its own generator's fakes, and the others'
                pr = fn(r)
                per = {k: scores(pr, fn(v)) for k, v in fk.items()}
                others = [v["ap"] for k, v in per.items() if k != g]
                report["gan_discriminator"][g][name] = {"own_fakes": per[g], "other_sources_ap": round(float(np.mean(others)), 4) if others else None}
    report["goals"] = goals(report["cnn"])
    return report


def goals(cnn: dict[str, Any]) -> dict[str, Any]:
    """Issue 15's goals for the CNN: AP >= 0.99 seen, >= 0.90 held out, >= 0.85 under JPEG 50 and blur 1 (all sources)."""
    def all_ap(name: str) -> float | None:
        if name not in cnn:
            return None
        return round(float(np.mean([v["ap"] for v in cnn[name]["per_source"].values()])), 4)

    out: dict[str, Any] = {"seen_ap": cnn["clean"]["seen_ap"], "heldout_ap": cnn["clean"]["heldout_ap"],
                           "jpeg50_ap": all_ap("jpeg:50"), "blur1_ap": all_ap("blur:1")}
    bars = {"seen_ap": 0.99, "heldout_ap": 0.90, "jpeg50_ap": 0.85, "blur1_ap": 0.85}
    out["met"] = {k: (None if out[k] is None else out[k] >= bars[k]) for k in bars}
    return out
