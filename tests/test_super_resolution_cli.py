"""End to end through the command line: train both stages on a user folder, evaluate, upscale pictures."""
from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image

from gansuite_core.cli import main

QUICK = ["--set", "model=fast", "--set", "features=8", "--set", "d_features=4", "--set", "batch=2", "--set", "patch=8",
         "--set", "log_every=1", "--set", "scale=2", "--quiet", "--sample-every", "2", "--checkpoint-every", "2"]


def gansuite(*args: str) -> None:
    main([str(a) for a in args])


def fails(capsys, *args: str) -> str:
    """Run a command that must fail as a user error: exit code 2 and one line on stderr."""
    with pytest.raises(SystemExit) as e:
        gansuite(*args)
    assert e.value.code == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("gansuite: error:") and "\n" not in err and "Traceback" not in err
    return err


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """Four steps on a folder of pictures: two L1 steps, then two adversarial ones."""
    root = tmp_path_factory.mktemp("sr")
    photos = root / "photos"
    photos.mkdir()
    rng = np.random.default_rng(0)
    for i in range(2):
        Image.fromarray(rng.integers(0, 256, (40, 48, 3)).astype(np.uint8)).save(photos / f"p{i}.png")
    Image.fromarray(np.zeros((10, 10, 3), np.uint8)).save(photos / "tiny.png")
    gansuite("train", "super-resolution", "--out", root / "run", "--steps", "4", "--set", "pretrain_steps=2",
             "--set", f"data={photos}", *QUICK)
    return root / "run"


def test_both_stages_run_in_one_command(run):
    rows = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]
    by_step = {r["step"]: r for r in rows}
    assert "G_pixel/l1" in by_step[2] and "D/loss" not in by_step[2]
    assert "D/loss" in by_step[4] and "G/adv" in by_step[4] and "G_pixel/l1" not in by_step[4]
    assert (run / "samples" / "step-00000004.png").is_file()


def test_evaluate_reports_psnr_ssim_against_bicubic_and_lanczos(run, capsys):
    gansuite("evaluate", run, "--json")
    report = json.loads(capsys.readouterr().out)
    for method in ("model", "bicubic", "lanczos"):
        assert 15 < report[method]["psnr_y"] < 50 and 0 < report[method]["ssim_y"] <= 1
    assert report["gain_over_bicubic"]["psnr_y_db"] == pytest.approx(report["model"]["psnr_y"] - report["bicubic"]["psnr_y"])
    assert report["feature_network"].startswith("the discriminator's own features")
    assert set(report["psnr_y_per_image"]) == {"chelsea", "rocket", "camera", "coins"}
    assert report["model"]["sharpness"] > 0 and report["hr_sharpness"] > report["bicubic"]["sharpness"]
    assert len(list((run / "eval").glob("*.png"))) == 4


def test_upscale_keeps_names_modes_and_writes_comparisons(run, tmp_path, capsys):
    rng = np.random.default_rng(1)
    inputs = tmp_path / "in"
    inputs.mkdir()
    Image.fromarray(rng.integers(0, 256, (13, 17)).astype(np.uint8), "L").save(inputs / "grey.png")
    Image.fromarray(rng.integers(0, 256, (13, 17, 4)).astype(np.uint8), "RGBA").save(inputs / "logo.png")
    big = rng.integers(0, 256, (26, 34, 3)).astype(np.uint8)
    Image.fromarray(big).save(tmp_path / "truth.png")
    Image.fromarray(big[::2, ::2]).save(inputs / "photo.jpg")
    out = tmp_path / "out"
    gansuite("upscale", run, inputs, "--out", out, "--compare", "--tile", "8", "--overlap", "6")
    grey, logo, photo = (Image.open(out / f"{n}.png") for n in ("grey", "logo", "photo"))
    assert (grey.mode, grey.size) == ("L", (34, 26))
    assert (logo.mode, logo.size) == ("RGBA", (34, 26))
    assert (photo.mode, photo.size) == ("RGB", (34, 26))
    assert all((out / f"{n}-compare.png").is_file() for n in ("grey", "logo", "photo"))
    capsys.readouterr()
    gansuite("upscale", run, inputs / "photo.jpg", "--out", out / "ref", "--compare", "--reference", tmp_path / "truth.png")
    assert "PSNR-Y vs reference: bicubic" in capsys.readouterr().out
    compare = Image.open(out / "ref" / "photo-compare.png")
    assert compare.size[0] > 3 * 34  # three panels: bicubic | model | reference


def test_user_mistakes_are_one_line_errors(run, tmp_path, capsys):
    assert "no such file" in fails(capsys, "upscale", run, tmp_path / "missing.png", "--out", tmp_path / "o")
    (tmp_path / "junk.png").write_bytes(b"junk")
    assert "no input could be read" in fails(capsys, "upscale", run, tmp_path / "junk.png", "--out", tmp_path / "o")
    assert "scale=5" in fails(capsys, "train", "super-resolution", "--out", tmp_path / "r", "--set", "scale=5")
    assert "no such folder" in fails(capsys, "train", "super-resolution", "--out", tmp_path / "r2", "--set", f"data={tmp_path / 'nope'}", *QUICK)
    assert "vgg_weights" in fails(capsys, "train", "super-resolution", "--out", tmp_path / "r3", "--set", "vgg_weights=/no/vgg.pth", *QUICK)
