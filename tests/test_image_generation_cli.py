"""image-generation end to end: train, resume (also with ADA's p), generate (png/npy/gif, labels, truncation), evaluate, demo."""
from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from conftest import fails, gansuite, quick, sets

from gansuite_core import GenerateRequest, load_run

APP = "image-generation"


@pytest.fixture(autouse=True)
def only_this_plugin(only_plugin):
    only_plugin(APP)


def train(out, **options) -> None:
    assert gansuite("train", APP, "--out", out, "--quiet", *sets(quick(APP, **options))) == 0


@pytest.fixture(scope="module")
def flower_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("runs") / "flowers"
    mp = pytest.MonkeyPatch()
    mp.setenv("GANSUITE_LOAD_PLUGINS", APP)
    train(out)
    mp.undo()
    return out


@pytest.mark.parametrize("ada", [False, True])
def test_training_writes_samples_and_resumes_exactly(tmp_path, ada):
    steps = quick(APP)["steps"]
    first, straight = tmp_path / "first", tmp_path / "straight"
    train(first, ada=ada, r1_gamma=1.0, r1_every=2, ada_kimg=0.05)  # a fast ADA so p moves within a few steps
    assert (first / "samples" / f"step-{steps:08d}.png").is_file()
    train(straight, ada=ada, r1_gamma=1.0, r1_every=2, ada_kimg=0.05, steps=steps + 3)
    assert gansuite("train", APP, "--out", first, "--resume", "--steps", steps + 3, "--quiet") == 0
    a, b = load_run(first), load_run(straight)
    assert a.step == b.step == steps + 3
    for name in (["G", "D", "ada"] if ada else ["G", "D"]):
        for k, v in a.networks[name].state_dict().items():
            assert torch.equal(v, b.networks[name].state_dict()[k]), (name, k)
    for k, v in a.net("G").state_dict().items():  # the EMA generator, bit for bit
        assert torch.equal(v, b.net("G").state_dict()[k]), k
    if ada:
        assert float(a.networks["ada"].p) > 0  # p moved (D is right about reals at the start) and was saved
        logged = [m for m in a.metrics() if any("ada_p" in k for k in m)]
        assert logged, "ADA's p is not logged"


def test_generate_png_npy_gif(flower_run, tmp_path):
    assert gansuite("generate", flower_run, "--num", 10, "--out", tmp_path / "g.png") == 0
    assert (tmp_path / "g.png").stat().st_size > 0
    assert gansuite("generate", flower_run, "--num", 10, "--out", tmp_path / "g.npy", "--seed", 3) == 0
    x = np.load(tmp_path / "g.npy")
    assert x.shape == (10, 3, 32, 32) and x.dtype == np.float32 and x.min() >= -1 and x.max() <= 1
    assert gansuite("generate", flower_run, "--num", 10, "--out", tmp_path / "h.npy", "--seed", 3) == 0
    assert np.array_equal(x, np.load(tmp_path / "h.npy"))  # same seed, same samples
    assert gansuite("generate", flower_run, "--num", 4, "--out", tmp_path / "w.gif", "--set", "interpolate=3") == 0
    from PIL import Image

    assert Image.open(tmp_path / "w.gif").n_frames == 4  # there and back: 0 1 2 1
    assert gansuite("generate", flower_run, "--num", 10, "--out", tmp_path / "t.npy", "--seed", 3, "--set", "truncation=0.3") == 0
    assert not np.array_equal(x, np.load(tmp_path / "t.npy"))


def test_generate_from_python_with_no_options_writes_raw_samples(flower_run, tmp_path):
    """Other plugins (fake-detection) sample runs this way: options=None means the defaults."""
    run = load_run(flower_run, app=APP)
    out = tmp_path / "x.npy"
    run.app.generate(run, GenerateRequest(5, out, 1, torch.device("cpu"), options=None))
    x = np.load(out)
    assert x.shape == (5, 3, 32, 32) and x.dtype == np.float32 and -1 <= x.min() and x.max() <= 1


def test_generate_mistakes_are_user_errors(flower_run, tmp_path, capsys):
    for args, message in ((["--out", tmp_path / "g.jpg"], ".png (grid), .npy"),
                          (["--out", tmp_path / "g.png", "--set", "labels=1,2"], "unconditional"),
                          (["--out", tmp_path / "g.png", "--set", "labels=a"], "comma-separated"),
                          (["--out", tmp_path / "g.png", "--set", "interpolate=4"], "name the file .gif"),
                          (["--out", tmp_path / "g.gif"], "interpolate=K"),
                          (["--out", tmp_path / "g.png", "--set", "truncation=0"], "truncation")):
        assert message in fails(capsys, "generate", flower_run, *args)


def test_bad_options_are_one_line_errors(tmp_path, capsys):
    assert "size must be one of" in fails(capsys, "train", APP, "--out", tmp_path / "r", "--set", "size=48")
    assert "no such folder" in fails(capsys, "train", APP, "--out", tmp_path / "r", "--quiet", "--set", f"data={tmp_path / 'nowhere'}")
    assert "fit" in fails(capsys, "train", APP, "--out", tmp_path / "r", "--set", "fit=stretch")


def test_conditional_run_takes_labels(tmp_path, capsys):
    out = tmp_path / "cond"
    train(out, conditional="true", model="resnet", mbstd="true", steps=2, checkpoint_every=2)
    assert gansuite("generate", out, "--num", 6, "--set", "labels=0,35", "--out", tmp_path / "c.npy") == 0
    assert np.load(tmp_path / "c.npy").shape == (6, 3, 32, 32)
    assert "out of range" in fails(capsys, "generate", out, "--set", "labels=36", "--out", tmp_path / "c.png")


def test_evaluate_reports_references_and_flower_modes(tmp_path, capsys):
    out = tmp_path / "ev"
    train(out, steps=2, checkpoint_every=2, flowers_n=1440, eval_samples=720)
    capsys.readouterr()
    assert gansuite("evaluate", out, "--json") == 0
    report = json.loads(capsys.readouterr().out)
    assert report["samples_per_side"] == 720
    assert "not Inception" in report["features"]
    modes = report["flowers_modes"]
    assert modes["classifier_accuracy"] > 0.95
    assert modes["real"]["modes"] >= 34 and modes["real"]["reverse_kl"] < 0.1  # real flowers: every mode, near uniform
    assert modes["untrained_generator"]["modes"] < modes["real"]["modes"]
    floor, ceiling = report["real_vs_real"], report["untrained_generator"]
    assert floor["kid"] < ceiling["kid"] and floor["fid"] < ceiling["fid"]
    assert floor["precision"] > ceiling["precision"] and floor["coverage"] > ceiling["coverage"]
    assert (out / "eval.json").is_file() and (out / "eval_samples.png").is_file()
