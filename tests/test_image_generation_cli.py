"""image-generation end to end: train, resume, generate (png/npy/gif/labels/truncation) and evaluate."""
from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from gansuite_core import load_run
from gansuite_core.cli import main
from gansuite_core.plugins import build_registry, set_registry

QUICK = {"steps": 6, "batch": 8, "g_width": 8, "d_width": 8, "z_dim": 8, "flowers_n": 72, "eval_samples": 36,
         "log_every": 2, "sample_every": 3, "checkpoint_every": 3}


@pytest.fixture(scope="module", autouse=True)
def only_this_plugin():
    mp = pytest.MonkeyPatch()
    mp.setenv("GANSUITE_LOAD_PLUGINS", "image-generation")
    set_registry(build_registry())
    yield
    set_registry(None)
    mp.undo()


def cli(*args: str) -> int:
    with pytest.raises(SystemExit) as e:
        main(list(args))
        raise SystemExit(0)
    return e.value.code


def train(out, **options) -> None:
    sets = [a for k, v in {**QUICK, **options}.items() for a in ("--set", f"{k}={v}")]
    assert cli("train", "image-generation", "--out", str(out), "--quiet", *sets) == 0


@pytest.fixture(scope="module")
def flower_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("runs") / "flowers"
    train(out)
    return out


def test_training_writes_samples_and_resumes_exactly(flower_run, tmp_path):
    assert (flower_run / "samples" / "step-00000006.png").is_file()
    straight = tmp_path / "straight"
    train(straight, steps=9)
    assert cli("train", "image-generation", "--out", str(flower_run), "--resume", "--steps", "9", "--quiet") == 0
    a, b = load_run(flower_run), load_run(straight)
    assert a.step == b.step == 9
    for k, v in a.net("G").state_dict().items():  # the EMA generator, bit for bit
        assert torch.equal(v, b.net("G").state_dict()[k]), k


def test_generate_png_npy_gif(flower_run, tmp_path):
    assert cli("generate", str(flower_run), "--num", "10", "--out", str(tmp_path / "g.png")) == 0
    assert (tmp_path / "g.png").stat().st_size > 0
    assert cli("generate", str(flower_run), "--num", "10", "--out", str(tmp_path / "g.npy"), "--seed", "3") == 0
    x = np.load(tmp_path / "g.npy")
    assert x.shape == (10, 3, 32, 32) and x.dtype == np.float32 and x.min() >= -1 and x.max() <= 1
    assert cli("generate", str(flower_run), "--num", "10", "--out", str(tmp_path / "h.npy"), "--seed", "3") == 0
    assert np.array_equal(x, np.load(tmp_path / "h.npy"))  # same seed, same samples
    assert cli("generate", str(flower_run), "--num", "4", "--out", str(tmp_path / "w.gif"), "--interpolate", "3") == 0
    from PIL import Image

    assert Image.open(tmp_path / "w.gif").n_frames == 4  # there and back: 0 1 2 1
    assert cli("generate", str(flower_run), "--num", "10", "--out", str(tmp_path / "t.npy"), "--seed", "3", "--truncation", "0.3") == 0
    assert not np.array_equal(x, np.load(tmp_path / "t.npy"))


def test_generate_mistakes_are_user_errors(flower_run, tmp_path, capsys):
    for args, message in ((["--out", str(tmp_path / "g.jpg")], ".png (grid) or .npy"),
                          (["--out", str(tmp_path / "g.png"), "--labels", "1,2"], "unconditional"),
                          (["--out", str(tmp_path / "g.png"), "--interpolate", "4"], "name the file .gif"),
                          (["--out", str(tmp_path / "g.png"), "--truncation", "0"], "--truncation")):
        assert cli("generate", str(flower_run), *args) == 2
        err = capsys.readouterr().err
        assert message in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_bad_options_are_one_line_errors(tmp_path, capsys):
    assert cli("train", "image-generation", "--out", str(tmp_path / "r"), "--set", "size=48") == 2
    assert "size must be one of" in capsys.readouterr().err
    assert cli("train", "image-generation", "--out", str(tmp_path / "r"), "--set", f"data={tmp_path / 'nowhere'}") == 2
    assert "no such folder" in capsys.readouterr().err


def test_conditional_run_takes_labels(tmp_path, capsys):
    out = tmp_path / "cond"
    train(out, conditional="true", model="resnet", steps=2, checkpoint_every=2)
    assert cli("generate", str(out), "--num", "6", "--labels", "0,35", "--out", str(tmp_path / "c.npy")) == 0
    assert np.load(tmp_path / "c.npy").shape == (6, 3, 32, 32)
    assert cli("generate", str(out), "--labels", "36", "--out", str(tmp_path / "c.png")) == 2
    assert "out of range" in capsys.readouterr().err


def test_evaluate_reports_references_and_flower_modes(tmp_path, capsys):
    out = tmp_path / "ev"
    train(out, steps=2, checkpoint_every=2, flowers_n=1440, eval_samples=720)
    assert cli("evaluate", str(out), "--json") == 0
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
