"""video-prediction end to end: train (quick), evaluate, generate, `gansuite predict`, user folders, errors."""
from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest
from conftest import fails, gansuite, quick, sets
from PIL import Image

PLUGIN = "video-prediction"


@pytest.fixture(scope="module")
def only_this_plugin():
    from gansuite_core.plugins import set_registry

    old = os.environ.get("GANSUITE_LOAD_PLUGINS")
    os.environ["GANSUITE_LOAD_PLUGINS"] = PLUGIN
    set_registry(None)
    yield
    set_registry(None)
    if old is None:
        os.environ.pop("GANSUITE_LOAD_PLUGINS")
    else:
        os.environ["GANSUITE_LOAD_PLUGINS"] = old


def _quick_sets(**extra) -> list[str]:
    return sets(quick(PLUGIN, **extra))


def _write_video(path: Path, frames: int, size=(40, 30)) -> Path:
    w = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 10, size)
    for t in range(frames):
        img = np.zeros((size[1], size[0], 3), np.uint8)
        cv2.circle(img, (5 + 2 * t, 15), 5, (255, 180, 0), -1)
        w.write(img)
    w.release()
    return path


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory, only_this_plugin) -> Path:
    out = tmp_path_factory.mktemp("vp") / "run"
    assert gansuite("train", PLUGIN, "--out", out, "--quiet", *_quick_sets()) == 0
    return out


def test_evaluate_reports_every_horizon_and_baseline(run_dir, capsys):
    gansuite(*["evaluate", str(run_dir), "--json", "--device", "cpu"])
    report = json.loads(capsys.readouterr().out)
    h = report["horizon"]
    for method in ("model", "copy_last", "flow"):
        assert set(report[method]) == {"mse", "psnr", "ssim", "sharpness"}
        assert all(len(v) == h for v in report[method].values())
    assert len(report["truth_sharpness"]) == h and report["held_out"] is True
    assert (run_dir / "eval.json").is_file() and (run_dir / "eval-predictions.png").is_file()


def test_generate_npy_png_gif(run_dir, tmp_path, capsys):
    gansuite(*["generate", str(run_dir), "--num", "2", "--out", str(tmp_path / "g.npy"), "--device", "cpu"])
    arr = np.load(tmp_path / "g.npy")
    assert arr.shape == (2, 3, 32, 32, 3) and arr.dtype == np.uint8
    for suffix in ("png", "gif"):
        gansuite(*["generate", str(run_dir), "--num", "2", "--out", str(tmp_path / f"g.{suffix}"), "--device", "cpu"])
        assert (tmp_path / f"g.{suffix}").stat().st_size > 0


def test_predict_outputs(run_dir, tmp_path, capsys):
    video = _write_video(tmp_path / "clip.avi", 10)  # colour video, 40x30, for a grey 32x32 model
    gansuite(*["predict", str(run_dir), str(video), "--horizon", "4", "--out", str(tmp_path / "p.npy"), "--device", "cpu"])
    pred = np.load(tmp_path / "p.npy")
    assert pred.shape == (4, 30, 40, 3) and pred.dtype == np.uint8  # H frames at the video's own size, RGB
    gansuite(*["predict", str(run_dir), str(video), "--out", str(tmp_path / "p.gif"), "--device", "cpu"])
    gif = Image.open(tmp_path / "p.gif")
    assert gif.n_frames == 3 + 3  # context + horizon of the run
    wide = gif.size[0]
    gansuite(*["predict", str(run_dir), str(video), "--out", str(tmp_path / "p.mp4"), "--device", "cpu"])
    cap = cv2.VideoCapture(str(tmp_path / "p.mp4"))
    assert cap.isOpened() and int(cap.get(cv2.CAP_PROP_FRAME_COUNT)) == 6
    short = _write_video(tmp_path / "short.avi", 4)  # enough context, not enough truth: the prediction alone
    gansuite(*["predict", str(run_dir), str(short), "--out", str(tmp_path / "alone.gif"), "--device", "cpu"])
    alone = Image.open(tmp_path / "alone.gif")
    assert alone.n_frames == 6 and alone.size[0] < wide / 2


def test_predict_user_errors(run_dir, tmp_path, capsys):
    tiny = _write_video(tmp_path / "tiny.avi", 2)
    assert "2 frames, fewer than the 3 needed" in fails(capsys, "predict", run_dir, tiny, "--out", tmp_path / "x.gif")
    assert "fewer than the 4 needed" in fails(capsys, "predict", run_dir, tiny, "--score", "--out", tmp_path / "s.csv")
    bogus = tmp_path / "bogus.mp4"
    bogus.write_text("not a video")
    assert "OpenCV reads no frames" in fails(capsys, "predict", run_dir, bogus, "--out", tmp_path / "x.gif")
    assert "expected a .gif, .mp4 or .npy" in fails(capsys, "predict", run_dir, tiny, "--out", tmp_path / "x.txt")
    video = _write_video(tmp_path / "clip.avi", 8)
    assert "expected a .csv" in fails(capsys, "predict", run_dir, video, "--score", "--out", tmp_path / "s.gif")


def test_predict_says_in_one_line_when_it_resizes(run_dir, tmp_path, capsys):
    video = _write_video(tmp_path / "clip.avi", 8)  # 40x30 RGB for a 32x32 grey model
    capsys.readouterr()
    assert gansuite("predict", run_dir, video, "--out", tmp_path / "p.npy", "--device", "cpu") == 0
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "40x30 RGB" in err and "32x32 grey" in err


def test_score_finds_an_inserted_event(run_dir, tmp_path, capsys):
    """A square drifting steadily, and at frame 17 a bright block appears: that frame must score highest."""
    path = tmp_path / "event.avi"
    w = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 10, (32, 32))
    for t in range(30):
        img = np.full((32, 32, 3), 40, np.uint8)
        cv2.rectangle(img, (2 + t % 20, 10), (8 + t % 20, 16), (200, 200, 200), -1)
        if t >= 17:
            cv2.rectangle(img, (20, 20), (30, 30), (255, 255, 255), -1)
        w.write(img)
    w.release()
    out = tmp_path / "scores.csv"
    assert gansuite("predict", run_dir, path, "--score", "--out", out, "--device", "cpu") == 0
    rows = list(csv.DictReader(open(out)))
    assert [int(r["frame"]) for r in rows] == list(range(3, 30))
    top = max(rows, key=lambda r: float(r["surprise"]))
    assert int(top["frame"]) == 17
    assert (tmp_path / "scores.png").stat().st_size > 10_000


def test_surprise_scores_with_the_whole_shift_kernel_and_leaves_the_run_as_it_was(run_dir):
    import torch

    from gansuite_core import load_run
    from gansuite_video_prediction.predict import surprise

    run = load_run(run_dir, app=PLUGIN)
    G = run.net("G")
    frames = (np.random.default_rng(0).random((8, 32, 32, 3)) * 255).astype(np.uint8)
    G.predict_support = 1  # 3x3 of the 9x9 shifts: the one-step prediction of noise does change with it
    ctx = torch.from_numpy(frames[:3].transpose(0, 3, 1, 2)).float().div(127.5).sub(1)[None, :, :1]  # (1, K, 1, 32, 32)
    with torch.no_grad():
        truncated = G(ctx)[0]
        G.predict_support = 0
        assert not torch.allclose(truncated, G(ctx)[0])
    whole, _, _ = surprise(run, frames, torch.device("cpu"))
    G.predict_support = 1
    scored, _, _ = surprise(run, frames, torch.device("cpu"))
    assert G.predict_support == 1  # put back
    np.testing.assert_array_equal(scored, whole)


def test_train_on_a_user_folder(tmp_path, capsys, only_this_plugin):
    folder = tmp_path / "videos"
    folder.mkdir()
    _write_video(folder / "a.avi", 12)
    _write_video(folder / "b.avi", 9)
    _write_video(folder / "short.avi", 3)
    (folder / "readme.mp4").write_text("hello")
    out = tmp_path / "run"
    gansuite(*["train", PLUGIN, "--out", str(out), "--quiet", *_quick_sets(data=str(folder), steps=2)])
    err = capsys.readouterr().err
    assert "skipped 1 unreadable" in err and "shorter than 6 frames: short.avi (3)" in err
    gansuite(*["evaluate", str(out), "--json", "--device", "cpu"])
    report = json.loads(capsys.readouterr().out)
    assert report["held_out"] is True and report["clips"] >= 1  # b.avi (every 10th, or the last) is held out
    empty = tmp_path / "empty"
    empty.mkdir()
    _write_video(empty / "short.avi", 3)
    assert "no video with at least 6 frames" in fails(capsys, "train", PLUGIN, "--out", tmp_path / "r2", "--quiet", *_quick_sets(data=str(empty)))


def test_bad_option_is_one_line_in_a_real_process(tmp_path):
    env = {**os.environ, "GANSUITE_LOAD_PLUGINS": PLUGIN}
    r = subprocess.run([sys.executable, "-m", "gansuite_core", "train", PLUGIN, "--out", str(tmp_path / "r"), "--set", "p=3"],
                       env=env, capture_output=True, text=True)
    assert r.returncode == 2 and r.stderr.strip().count("\n") == 0 and "p=3: expected 1 (L1) or 2 (L2)" in r.stderr


def test_a_run_saved_before_an_option_loads_as_it_was_trained(run_dir, tmp_path):
    import shutil

    from gansuite_core.runs import read_config
    from gansuite_video_prediction.plugin import APP

    assert read_config(run_dir, app=APP)[1].options.shift_window == 13  # saved today: the key is in the file
    old = tmp_path / "old"
    shutil.copytree(run_dir, old)
    text = (old / "config.toml").read_text()
    (old / "config.toml").write_text("\n".join(l for l in text.splitlines() if not l.startswith("shift_window")))
    assert read_config(old, app=APP)[1].options.shift_window == 5  # what it was trained with
    assert read_config(old, app=APP)[1].options.shift_predict_support == 2  # the key is in the file
    (old / "config.toml").write_text("\n".join(l for l in text.splitlines() if not l.startswith("shift_predict_support")))
    assert read_config(old, app=APP)[1].options.shift_predict_support == 0  # saved before it: predicts with every shift
