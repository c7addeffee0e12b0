"""fake-detection: the one image path, degradations, sources, the baselines and a quick run end to end."""
from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
import torch
from PIL import Image

from conftest import quick
from gansuite_core import UserError, load_run, train_app
from gansuite_fake_detection import data, sources
from gansuite_fake_detection.commands import detect_files
from gansuite_fake_detection.config import FakeDetectionConfig
from gansuite_fake_detection.evaluation import SpectrumBaseline, p_fake, scores, spectrum


def upsampled(images: np.ndarray) -> np.ndarray:
    """A crude forger: 2x nearest-neighbour up-sampling of half-size images (the checkerboard of Odena et al.)."""
    return np.stack([cv2.resize(cv2.resize(a, (16, 16), interpolation=cv2.INTER_AREA), (32, 32), interpolation=cv2.INTER_NEAREST)
                     for a in images])


def write(folder: Path, images: np.ndarray, suffix: str = ".png") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i, a in enumerate(images):
        Image.fromarray(a).save(folder / f"{i:03d}{suffix}")
    return folder


@pytest.fixture(scope="module")
def folders(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("fd")
    more, _ = data.real_images("flowers", 32, 160)
    noisy = np.clip(more[120:].astype(int) + np.random.default_rng(0).integers(-20, 21, more[120:].shape), 0, 255).astype(np.uint8)
    return {"up": write(root / "up", upsampled(more[80:120])), "noisy": write(root / "noisy", noisy), "root": root}


@pytest.fixture(scope="module")
def quick_run(folders) -> Path:
    out = folders["root"] / "run"
    train_app("fake-detection", out, quiet=True, **quick("fake-detection", fakes=str(folders["up"]), holdout=str(folders["noisy"]), steps=150, width=8, batch=16))
    return out


def test_standard_brings_every_mode_to_the_same_rgb_array():
    rng = np.random.default_rng(1)
    for img in (rng.integers(0, 256, (40, 50), dtype=np.uint8), rng.integers(0, 256, (20, 20, 1), dtype=np.uint8),
                rng.integers(0, 256, (64, 32, 4), dtype=np.uint8)):
        out = data.standard(img, 32)
        assert out.shape == (32, 32, 3) and out.dtype == np.uint8
    grey = rng.integers(0, 256, (32, 32), dtype=np.uint8)
    assert np.array_equal(data.standard(grey, 32), np.repeat(grey[..., None], 3, 2))


def test_samples_take_the_same_path_as_saved_files(tmp_path):
    x = torch.rand(5, 3, 32, 32) * 2 - 1  # raw generator output
    direct = data.from_samples(x, 32)
    files = write(tmp_path / "s", direct)
    for f, a in zip(sorted(files.iterdir()), direct):
        assert np.array_equal(data.standard(data.read_image(f), 32), a)
    # lossless formats and an opaque alpha channel do not change what the detector sees
    Image.fromarray(direct[0]).convert("RGBA").save(tmp_path / "a.png")
    Image.fromarray(direct[0]).save(tmp_path / "a.bmp")
    for name in ("a.png", "a.bmp"):
        assert np.array_equal(data.standard(data.read_image(tmp_path / name), 32), direct[0])


def test_degradations_and_augmentation_are_real_and_replayable():
    img, _ = data.real_images("flowers", 32, 1)
    img = img[0]
    assert not np.array_equal(data.jpeg(img, 30), img) and data.jpeg(img, 30).shape == img.shape
    lap = lambda a: np.abs(cv2.Laplacian(a.astype(np.float32), cv2.CV_32F)).mean()  # noqa: E731
    assert lap(data.blur(img, 1)) < 0.7 * lap(img) and lap(data.blur(img, 3)) < lap(data.blur(img, 1))
    assert data.resize(img, 0.5).shape == img.shape and not np.array_equal(data.resize(img, 0.5), img)
    a = data.augment(img, np.random.default_rng([3, 7]), 1.0, 1.0, True)
    b = data.augment(img, np.random.default_rng([3, 7]), 1.0, 1.0, True)
    assert np.array_equal(a, b) and not np.array_equal(a, img)


def test_balanced_stream_is_half_fake():
    real, _ = data.real_images("flowers", 32, 10)
    src = data.Balanced(real, upsampled(real[:3]), 0.5, 0.5, True)
    ys = [float(src.load(i, np.random.default_rng(i))["y"]) for i in range(len(src))]
    assert len(src) == 20 and sum(ys) == 10


def test_spectrum_baseline_spots_upsampling():
    real, _ = data.real_images("flowers", 32, 300)
    assert spectrum(real[:2]).shape[0] == 2
    det = SpectrumBaseline(real[:200], upsampled(real[100:200]))
    s = scores(det(real[200:]), det(upsampled(real[200:])))
    assert s["ap"] > 0.95, s


def test_scores_rank_and_threshold():
    assert scores(np.array([0.1, 0.2]), np.array([0.8, 0.9])) == {"ap": 1.0, "acc": 1.0}
    assert scores(np.array([0.9, 0.8]), np.array([0.1, 0.2]))["acc"] == 0.0


def test_bad_sources_are_one_line_user_errors(folders, tmp_path):
    cfg = FakeDetectionConfig(fakes=str(tmp_path / "missing"))
    with pytest.raises(UserError, match="missing"):
        sources.plan(cfg, tmp_path, None)
    with pytest.raises(UserError, match="every fake source is held out"):
        sources.plan(FakeDetectionConfig(fakes=str(folders["up"]), holdout=str(folders["up"])), tmp_path, None)
    with pytest.raises(UserError, match="not one of this run's own forgers"):
        sources.plan(FakeDetectionConfig(holdout="own-gan-x"), tmp_path, None)
    with pytest.raises(ValueError, match="model:loss"):
        FakeDetectionConfig(forgers="dcgan:ns,stylegan:ns")
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "x.png").write_text("not a png")
    with pytest.raises(UserError, match="readable image"):
        data.read_folder(empty, 32, 10, "fakes")


def test_quick_run_reports_seen_and_heldout_sources(quick_run):
    run = load_run(quick_run, app="fake-detection")
    report = run.app.evaluate(run, torch.device("cpu"))
    assert report["sources"]["noisy"]["heldout"] and not report["sources"]["up"]["heldout"]
    for det in ("cnn", "spectrum"):
        assert set(report[det]) == {"clean", "jpeg:50", "blur:1", "resize:0.5"}
        clean = report[det]["clean"]
        assert set(clean["per_source"]) == {"up", "noisy"} and 0 <= clean["heldout_ap"] <= 1
    assert report["goals"]["seen_ap"] == report["cnn"]["clean"]["seen_ap"]
    assert report["gan_discriminator"] == {}  # folders have no discriminator
    assert (quick_run / "fakes" / "up.npy").is_file()  # cached


def test_reencoding_both_sides_the_same_way_keeps_the_score(quick_run, folders, tmp_path):
    """Real and fake written the same way (PNG, then JPEG 90 for both) and read back score as in memory."""
    run = load_run(quick_run, app="fake-detection")
    net, cfg = run.net("C"), run.config.options
    real, _ = data.real_images(cfg.real, cfg.size, cfg.n_real)
    fake = np.load(quick_run / "fakes" / "up.npy")
    in_memory = scores(p_fake(net, real), p_fake(net, fake))
    for suffix in (".png", ".jpg"):
        r = write(tmp_path / f"real{suffix}", real if suffix == ".png" else data.degrade(real, "jpeg", 90), suffix)
        f = write(tmp_path / f"fake{suffix}", fake if suffix == ".png" else data.degrade(fake, "jpeg", 90), suffix)
        pr, _ = detect_files(quick_run, sorted(r.iterdir()))
        pf, _ = detect_files(quick_run, sorted(f.iterdir()))
        from_files = scores(np.array([x["p_fake"] for x in pr]), np.array([x["p_fake"] for x in pf]))
        if suffix == ".png":  # lossless: identical scores
            assert from_files["ap"] == pytest.approx(in_memory["ap"], abs=1e-3), (from_files, in_memory)
        else:  # both sides JPEG'd alike: the ranking may move a little, never because of the format alone
            assert abs(from_files["ap"] - in_memory["ap"]) < 0.1, (from_files, in_memory)
    assert in_memory["ap"] > 0.9  # a detector that learnt something, so the comparison means something


def test_own_forgers_are_image_generation_runs(tmp_path):
    """No options: the run trains its own image-generation forgers (two steps here) and scores their discriminators."""
    out = tmp_path / "own"
    train_app("fake-detection", out, quiet=True, **quick("fake-detection"))
    names = [p.name for p in sorted((out / "forgers").iterdir()) if p.name != "real"]
    assert names == ["own-dcgan-hinge", "own-dcgan-ns"]
    run = load_run(out, app="fake-detection")
    report = run.app.evaluate(run, torch.device("cpu"))
    assert report["sources"]["own-dcgan-hinge"]["heldout"]  # the last forger is held out by default
    d = report["gan_discriminator"]["own-dcgan-ns"]["clean"]
    assert 0 <= d["own_fakes"]["ap"] <= 1
