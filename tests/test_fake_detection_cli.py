"""fake-detection from the command line: train on folders, evaluate, detect, and one-line errors."""
from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from conftest import fails, gansuite, quick, sets
from gansuite_fake_detection import data


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("fdcli")
    more, _ = data.real_images("flowers", 32, 120)
    fakes = root / "fakes"
    fakes.mkdir()
    for i, a in enumerate(more[80:]):  # blocky 2x up-sampled flowers
        small = cv2.resize(a, (16, 16), interpolation=cv2.INTER_AREA)
        Image.fromarray(cv2.resize(small, (32, 32), interpolation=cv2.INTER_NEAREST)).save(fakes / f"{i}.png")
    sr = root / "sr"  # a (seconds-long) super-resolution run: its upscaled real images are a held-out source
    assert gansuite("train", "super-resolution", "--out", sr, "--quiet", *sets(quick("super-resolution"))) == 0
    out = root / "run"
    assert gansuite("train", "fake-detection", "--out", out, "--quiet", *sets(quick("fake-detection", fakes=fakes, holdout=sr))) == 0
    return out


def test_evaluate_writes_the_report(run_dir, capsys):
    capsys.readouterr()
    assert gansuite("evaluate", run_dir, "--json") == 0
    report = json.loads(capsys.readouterr().out)
    assert report["app"] == "fake-detection" and {"fakes", "sr"} == set(report["cnn"]["clean"]["per_source"])
    assert report["sources"]["sr"] == {"kind": "super-resolution", "path": str(run_dir.parent / "sr"), "heldout": True}
    assert report["cnn"]["clean"]["heldout_ap"] == report["cnn"]["clean"]["per_source"]["sr"]["ap"]
    assert (run_dir / "eval.json").is_file()


def test_detect_prints_json_and_names_unreadable_files(run_dir, tmp_path, capsys):
    img, _ = data.real_images("flowers", 48, 2)
    Image.fromarray(img[0]).save(tmp_path / "a.png")
    Image.fromarray(img[1]).convert("L").save(tmp_path / "b.jpg")  # another size, mode and format: same path
    (tmp_path / "broken.png").write_bytes(b"\x89PNG not really")
    capsys.readouterr()
    code = gansuite("detect", run_dir, tmp_path, "--json")
    captured = capsys.readouterr()
    assert code == 1  # something was skipped
    out = json.loads(captured.out)
    assert [Path(r["path"]).name for r in out] == ["a.png", "b.jpg"]
    assert all(0 <= r["p_fake"] <= 1 for r in out)
    assert "broken.png" in captured.err and "Traceback" not in captured.err


def test_detect_plain_output_uses_the_threshold(run_dir, tmp_path, capsys):
    img, _ = data.real_images("flowers", 32, 1)
    Image.fromarray(img[0]).save(tmp_path / "a.png")
    capsys.readouterr()
    assert gansuite("detect", run_dir, tmp_path / "a.png", "--threshold", "0") == 0
    assert capsys.readouterr().out.split()[1] == "fake"  # p >= 0 always
    assert gansuite("detect", run_dir, tmp_path / "a.png", "--threshold", "1") == 0
    assert capsys.readouterr().out.split()[1] == "real"


def test_user_errors_are_one_line(run_dir, tmp_path, capsys):
    fails(capsys, "detect", run_dir, tmp_path / "nothing-here.png")
    fails(capsys, "detect", run_dir, tmp_path, "--threshold", "2")
    fails(capsys, "detect", tmp_path, tmp_path)  # not a run
    fails(capsys, "train", "fake-detection", "--quiet", "--out", tmp_path / "r", "--set", f"fakes={tmp_path / 'missing'}")
    fails(capsys, "train", "fake-detection", "--quiet", "--out", tmp_path / "r2", "--set", "forgers=dcgan:ns,gan:ns")
    fails(capsys, "train", "fake-detection", "--quiet", "--out", tmp_path / "r3", "--set", "eval_conditions=jpeg:500")
