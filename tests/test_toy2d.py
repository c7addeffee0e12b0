"""The example third-party plugin toy2d, installed into the environment like any user would.

The install is done once, under a file lock, so that pytest-xdist workers never run two
pip installs at the same time; an up-to-date editable install is left in place.
"""
from __future__ import annotations

import fcntl
import importlib
import json
import math
import os
import site
import subprocess
import sys
import sysconfig
from importlib import metadata
from pathlib import Path

import numpy as np
import pytest
import torch

ROOT = Path(__file__).resolve().parents[1]
PKG = ROOT / "examples" / "plugins" / "gansuite-toy2d"
ENV = {**os.environ, "GANSUITE_LOAD_PLUGINS": "toy2d"}
QUICK = ["--set", "steps=20", "--set", "batch=16", "--set", "g_hidden=16", "--set", "d_hidden=16",
         "--set", "eval_samples=200", "--set", "probe_every=10", "--set", "log_every=5",
         "--set", "sample_every=0", "--set", "checkpoint_every=10"]


def _installed_here() -> bool:
    try:
        files = metadata.distribution("gansuite-toy2d").read_text("direct_url.json") or ""
    except metadata.PackageNotFoundError:
        return False
    return PKG.as_uri() in files


@pytest.fixture(scope="module", autouse=True)
def toy2d_installed():
    """`pip install -e examples/plugins/gansuite-toy2d` into this environment (once, locked)."""
    with open(Path("/tmp") / "gansuite-toy2d-install.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not _installed_here():
            subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation", "-e", str(PKG)],
                           check=True, capture_output=True)
        fcntl.flock(lock, fcntl.LOCK_UN)
    # Python reads .pth files only at start-up, and this worker started before the install:
    # read site-packages again the way `site` does, so the in-process imports below see the package.
    importlib.invalidate_caches()
    site.addsitedir(sysconfig.get_paths()["purelib"])


def gansuite(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "gansuite_core", *args], capture_output=True, text=True, env=ENV, cwd=cwd)


def test_listed_by_gansuite_plugins():
    out = gansuite("plugins", "--json")
    assert out.returncode == 0, out.stderr
    rows = {r["name"]: r for r in json.loads(out.stdout)}
    row = rows["toy2d"]
    assert row["error"] is None
    assert row["version"] == "0.1.0"
    assert row["apps"] == ["toy2d"]
    assert row["hooks"] == ["gansuite_register_apps", "gansuite_register_commands"]


def test_mixtures_and_the_pacgan_protocol():
    from gansuite_toy2d.data import mixture
    from gansuite_toy2d.metrics import mode_report

    grid, ring = mixture("grid"), mixture("ring")
    assert grid.modes.shape == (25, 2) and grid.modes.min() == -4 and grid.modes.max() == 4
    assert torch.allclose(ring.modes.norm(dim=1), torch.ones(8))
    g = torch.Generator().manual_seed(0)
    for mix in (grid, ring):
        real = mix.sample(20000, g)
        r = mode_report(real, mix)
        # Real data: every mode, P(|x - mu| <= 3 sigma) = 1 - exp(-4.5) = 98.9 % for a 2-D Gaussian, KL ~ 0.
        assert r["modes"] == r["of_modes"]
        assert abs(r["high_quality"] - (1 - math.exp(-4.5))) < 0.005
        assert r["reverse_kl"] < 0.005
    collapsed = grid.modes[:1].repeat(100, 1) + 0.01
    r = mode_report(collapsed, grid)
    assert (r["modes"], r["high_quality"]) == (1, 1.0) and abs(r["reverse_kl"] - math.log(25)) < 1e-9
    between = grid.modes[:5] + 1.0  # halfway between modes: nothing counts
    assert mode_report(between, grid)["high_quality"] == 0 and mode_report(between, grid)["modes"] == 0


def test_packed_discriminator_and_losses():
    from gansuite_toy2d.losses import d_loss, g_loss, r1_loss
    from gansuite_toy2d.plugin import Toy2DConfig, networks

    cfg = Toy2DConfig(pack=3, g_hidden=8, d_hidden=8, latent=5)
    nets = networks(cfg)
    batch = {"real": torch.randn(4, 3, 2), "z": torch.randn(4, 3, 5)}
    assert nets["D"](batch["real"]).shape == (4,)
    assert nets["G"](batch["z"][:, 0]).shape == (4, 2)
    loss, logs = d_loss(nets, batch, 0)
    assert loss.ndim == 0 and set(logs) == {"real", "fake"}
    g_loss(nets, batch, 0).backward()
    assert nets["G"].body[0].weight.grad is not None
    assert r1_loss(10.0)(nets, batch, 0) > 0
    with pytest.raises(ValueError, match="data='moon'"):
        Toy2DConfig(data="moon")
    with pytest.raises(ValueError, match="pack=0"):
        Toy2DConfig(pack=0)


def test_train_resume_evaluate_generate(tmp_path):
    run = tmp_path / "run"
    out = gansuite("train", "toy2d", "--out", str(run), "--quiet", "--set", "data=ring", "--set", "pack=2", *QUICK)
    assert out.returncode == 0, out.stderr
    metrics = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]
    assert metrics[-1]["step"] == 20 and "probe/modes" in metrics[-1] and "D/loss" in metrics[-1]
    assert (run / "samples" / "step-00000020.png").is_file()

    out = gansuite("train", "toy2d", "--out", str(run), "--quiet", "--resume", "--steps", "30")
    assert out.returncode == 0, out.stderr

    out = gansuite("evaluate", str(run), "--json")
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert report["step"] == 30 and report["data"] == "ring" and report["of_modes"] == 8 and report["samples"] == 200
    assert 0 <= report["modes"] <= 8 and 0 <= report["high_quality"] <= 1 and report["reverse_kl"] >= 0
    assert (run / "eval.png").is_file()

    out = gansuite("generate", str(run), "--num", "300", "--out", str(tmp_path / "pts.npy"))
    assert out.returncode == 0, out.stderr
    pts = np.load(tmp_path / "pts.npy")
    assert pts.shape == (300, 2) and np.isfinite(pts).all()
    assert (tmp_path / "pts.png").stat().st_size > 1000
    out = gansuite("generate", str(run), "--num", "50", "--out", str(tmp_path / "only.png"))
    assert out.returncode == 0 and (tmp_path / "only.png").is_file() and not (tmp_path / "only.npy").exists()

    out = gansuite("generate", str(run), "--num", "5", "--out", str(tmp_path / "pts.txt"))
    assert out.returncode == 2 and ".npy" in out.stderr and len(out.stderr.strip().splitlines()) == 1

    out = gansuite("toy2d-score", str(tmp_path / "pts.npy"), "--data", "ring")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["samples"] == 300


def test_same_seed_same_run(tmp_path):
    from gansuite_core import load_run, train_app
    from gansuite_core.plugins import set_registry

    os.environ["GANSUITE_LOAD_PLUGINS"] = "toy2d"
    set_registry(None)
    try:
        quick = {"steps": 15, "batch": 8, "g_hidden": 8, "d_hidden": 8, "probe_every": 0, "sample_every": 0, "checkpoint_every": 15}
        for name in ("a", "b"):
            train_app("toy2d", tmp_path / name, quiet=True, **quick)
        a, b = load_run(tmp_path / "a").net("G"), load_run(tmp_path / "b").net("G")
        for pa, pb in zip(a.parameters(), b.parameters()):
            assert torch.equal(pa, pb)
    finally:
        os.environ.pop("GANSUITE_LOAD_PLUGINS", None)
        set_registry(None)


@pytest.mark.parametrize("args, expected", [
    (["train", "toy2d", "--set", "data=moon"], "moon"),
    (["toy2d-score", "missing.npy"], "missing.npy"),
])
def test_mistakes_are_one_line(tmp_path, args, expected):
    out = gansuite(*args, cwd=tmp_path)
    assert out.returncode == 2, out.stderr
    assert expected in out.stderr and "Traceback" not in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1
