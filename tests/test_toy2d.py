"""The example third-party plugin toy2d, installed into the environment like any user would.

The install is done once, under a file lock, so that pytest-xdist workers never run two
pip installs at the same time; an up-to-date editable install is left in place.
"""
from __future__ import annotations

import fcntl
import importlib
import json
import math
import site
import subprocess
import sys
import sysconfig
from importlib import metadata
from pathlib import Path

import numpy as np
import pytest
import torch
from conftest import fails, gansuite, quick, sets

ROOT = Path(__file__).resolve().parents[1]
PKG = ROOT / "examples" / "plugins" / "gansuite-toy2d"


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


@pytest.fixture
def toy2d(only_plugin):
    """The registry with only the toy2d entry point loaded, process-wide for this test."""
    return only_plugin("toy2d")


def test_listed_by_gansuite_plugins(toy2d, capsys):
    capsys.readouterr()
    assert gansuite("plugins", "--json") == 0
    row = {r["name"]: r for r in json.loads(capsys.readouterr().out)}["toy2d"]
    assert row["error"] is None and row["version"] == "0.1.0" and row["apps"] == ["toy2d"]
    assert row["hooks"] == ["gansuite_register_apps", "gansuite_register_commands"]


def test_mixtures_and_the_pacgan_protocol():
    from gansuite_toy2d.data import mixture
    from gansuite_toy2d.evaluation import mode_report

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
        assert abs(r["mode_width"] - 1.0) < 0.02
    assert abs(mode_report(grid.modes[:1] + 0.5 * grid.sigma * torch.randn(20000, 2, generator=g), grid)["mode_width"] - 0.5) < 0.02
    collapsed = grid.modes[:1].repeat(100, 1) + 0.01
    r = mode_report(collapsed, grid)
    assert (r["modes"], r["high_quality"]) == (1, 1.0) and abs(r["reverse_kl"] - math.log(25)) < 1e-9
    half = torch.cat([grid.modes[:5].repeat(30, 1), grid.modes[5:10].repeat(10, 1)])  # 5 modes x 30, 5 x 10
    expected = 5 * 0.15 * math.log(0.15 * 25) + 5 * 0.05 * math.log(0.05 * 25)
    assert abs(mode_report(half, grid)["reverse_kl"] - expected) < 1e-9
    between = grid.modes[:5] + 1.0  # halfway between modes: nothing counts
    assert mode_report(between, grid)["high_quality"] == 0 and mode_report(between, grid)["modes"] == 0
    assert mode_report(between, grid)["mode_width"] is None  # nothing within 6 sigma of a mode


def test_packed_discriminator_and_losses():
    from gansuite_toy2d.config import Toy2DConfig
    from gansuite_toy2d.losses import accuracy, d_loss, g_loss, r1_penalty
    from gansuite_toy2d.models import networks

    nets = networks(Toy2DConfig(pack=3, g_hidden=8, d_hidden=8, latent=5))
    real = torch.randn(4, 3, 2)
    fake = nets["G"](torch.randn(12, nets["G"].latent)).reshape(4, 3, 2)
    assert nets["D"](real).shape == (4,) and fake.shape == (4, 3, 2)
    # A pack is judged as a whole: changing one member changes the pack's logit, and no other pack's.
    moved = real.clone()
    moved[0, 2] += 1.0
    changed = nets["D"](moved) != nets["D"](real)
    assert changed.tolist() == [True, False, False, False]
    loss, logs = d_loss(nets["D"](real), nets["D"](fake.detach()))
    assert loss.ndim == 0 and set(logs) == {"real", "fake"} and all(isinstance(v, torch.Tensor) for v in logs.values())
    g_loss(nets["D"](fake)).backward()
    assert nets["G"].body[0].weight.grad is not None
    assert r1_penalty(nets["D"], real, 10.0) > 0 and r1_penalty(nets["D"], real, 0.0) == 0
    acc = accuracy(torch.tensor([1.0, -1.0]), torch.tensor([-1.0, -1.0]))
    assert isinstance(acc, torch.Tensor) and acc.ndim == 0 and acc == 0.75


def test_train_resume_evaluate_generate(toy2d, tmp_path, capsys):
    run = tmp_path / "run"
    options = quick("toy2d", data="ring", pack=2)
    assert gansuite("train", "toy2d", "--out", run, "--quiet", *sets(options)) == 0
    metrics = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]
    assert metrics[-1]["step"] == options["steps"] and "probe/modes" in metrics[-1] and "D/loss" in metrics[-1]
    assert gansuite("train", "toy2d", "--out", run, "--quiet", "--resume", "--steps", options["steps"] + 2) == 0

    capsys.readouterr()
    assert gansuite("evaluate", run, "--json") == 0
    report = json.loads(capsys.readouterr().out)
    assert report["step"] == options["steps"] + 2 and report["data"] == "ring" and report["of_modes"] == 8
    assert report["samples"] == options["eval_samples"]
    assert 0 <= report["modes"] <= 8 and 0 <= report["high_quality"] <= 1 and report["reverse_kl"] >= 0
    assert (run / "eval.png").is_file()

    assert gansuite("generate", run, "--num", 300, "--out", tmp_path / "pts.npy") == 0
    pts = np.load(tmp_path / "pts.npy")
    assert pts.shape == (300, 2) and np.isfinite(pts).all()
    assert (tmp_path / "pts.png").stat().st_size > 1000
    assert gansuite("generate", run, "--num", 50, "--out", tmp_path / "only.png") == 0
    assert (tmp_path / "only.png").is_file() and not (tmp_path / "only.npy").exists()
    assert ".npy" in fails(capsys, "generate", run, "--num", 5, "--out", tmp_path / "pts.txt")

    capsys.readouterr()
    assert gansuite("toy2d-score", tmp_path / "pts.npy", "--data", "ring") == 0
    assert json.loads(capsys.readouterr().out)["samples"] == 300


def test_same_seed_same_run(toy2d, tmp_path):
    from gansuite_core import load_run, train_app

    for name in ("a", "b"):
        train_app("toy2d", tmp_path / name, quiet=True, registry=toy2d, **quick("toy2d", probe_every=0))
    a, b = (load_run(tmp_path / n, app="toy2d", registry=toy2d).net("G") for n in ("a", "b"))
    for pa, pb in zip(a.parameters(), b.parameters()):
        assert torch.equal(pa, pb)


@pytest.mark.parametrize("args, expected", [
    (["train", "toy2d", "--set", "data=moon"], "moon"),
    (["train", "toy2d", "--set", "pack=0"], "pack=0"),
    (["train", "toy2d", "--steps", "12000", "--out", "r"], "decay_end=6000: the learning rates reach 0 there, before --steps 12000"),
    (["toy2d-score", "missing.npy"], "missing.npy"),
])
def test_mistakes_are_one_line(toy2d, tmp_path, capsys, monkeypatch, args, expected):
    monkeypatch.chdir(tmp_path)
    assert expected in fails(capsys, *args)


def test_score_refuses_what_is_not_a_npy_array(toy2d, tmp_path, capsys):
    (tmp_path / "pts.txt").write_text("1,2\n3,4\n")
    np.savez(tmp_path / "pts.npz", a=np.zeros((3, 2)))
    for name in ("pts.txt", "pts.npz"):  # numpy's own errors: a hint to unpickle, or an NpzFile with no shape
        assert f"{name}: not a .npy file" in fails(capsys, "toy2d-score", tmp_path / name)


def test_learned_prior_trains_and_resumes_exactly(toy2d, tmp_path):
    """Resumed mid-way through the doubled D phase and the tail (code noise and the lr-following EMA at work)."""
    from gansuite_core import load_run, train_app

    options = quick("toy2d", codes=4, prior="learned", probe_every=0, steps=8, d_repeat_until=3, decay_start=4, decay_end=8)
    train_app("toy2d", tmp_path / "whole", quiet=True, registry=toy2d, **options)
    train_app("toy2d", tmp_path / "part", quiet=True, registry=toy2d, **{**options, "steps": 5})
    train_app("toy2d", tmp_path / "part", quiet=True, resume=True, registry=toy2d, steps=8)
    for ema in (True, False):
        whole, part = (load_run(tmp_path / n, app="toy2d", registry=toy2d).net("G", ema=ema) for n in ("whole", "part"))
        assert not torch.equal(whole.prior, torch.zeros(4))  # G's phase moved the codes' probabilities
        for (name, a), (_, b) in zip(whole.state_dict().items(), part.state_dict().items()):
            assert torch.equal(a, b), (ema, name)


def test_tail_options_reach_the_saved_run(toy2d, tmp_path):
    """tail_code_noise: the saved G samples with the noise of the step it last trained at, and with the end value once trained."""
    from gansuite_core import load_run, train_app
    options = quick("toy2d", codes=4, decay_start=4, decay_end=8, tail_code_noise=0.05, probe_every=0, steps=6)
    train_app("toy2d", tmp_path / "run", quiet=True, registry=toy2d, **options)  # stopped halfway through the tail
    G = load_run(tmp_path / "run", app="toy2d", registry=toy2d).net("G")
    assert int(G.trained) == 5 and float(G.noise_scale()) == pytest.approx(0.2 - 0.15 * 1 / 4)  # the EMA G took step 5's noise
    train_app("toy2d", tmp_path / "run", quiet=True, resume=True, registry=toy2d, steps=8)
    assert float(load_run(tmp_path / "run", app="toy2d", registry=toy2d).net("G").noise_scale()) == pytest.approx(0.05 + 0.15 / 4)
    # A run saved before the option existed (no key in its config) trained with a fixed code_noise: it loads as it was.
    train_app("toy2d", tmp_path / "old", quiet=True, registry=toy2d, **{**options, "tail_code_noise": 0.0, "steps": 2})
    config = tmp_path / "old" / "config.toml"
    config.write_text("".join(line for line in config.read_text().splitlines(keepends=True) if not line.startswith("tail_code_noise")))
    assert load_run(tmp_path / "old", app="toy2d", registry=toy2d).net("G").noise_scale() == 0.2
