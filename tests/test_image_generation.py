"""image-generation: models at every size, each loss, DiffAugment, and every data source."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from PIL import Image

from gansuite_core import Context, UserError
from gansuite_image_generation import data as datamod
from gansuite_image_generation import flowers
from gansuite_image_generation.augment import diff_augment
from gansuite_image_generation.config import ImageGenConfig
from gansuite_image_generation.game import d_losses, g_loss_of, make_game, networks
from gansuite_image_generation.models import build

CTX = Context(torch.device("cpu"), seed=0, rank=0, world=1, workers=0, run_dir=None)


@pytest.mark.parametrize("model", ["dcgan", "resnet"])
@pytest.mark.parametrize("size,channels", [(28, 1), (32, 3), (64, 3), (32, 1)])
@pytest.mark.parametrize("classes", [0, 5])
def test_each_model_at_each_size(model, size, channels, classes):
    torch.manual_seed(0)
    nets = build(model, 8, channels, size, 8, 8, classes, d_batchnorm=True)
    y = torch.tensor([0, 4]) if classes else None
    x = nets["G"](torch.randn(2, 8), y)
    assert x.shape == (2, channels, size, size)
    assert x.abs().max() <= 1.0  # tanh output, the data's range
    logits = nets["D"](x, y)
    assert logits.shape == (2,) and torch.isfinite(logits).all()


def test_projection_discriminator_uses_the_label():
    torch.manual_seed(0)
    nets = build("resnet", 8, 3, 32, 8, 8, 3, d_batchnorm=True)
    x = torch.randn(1, 3, 32, 32)
    assert not torch.allclose(nets["D"](x, torch.tensor([0])), nets["D"](x, torch.tensor([2])))


def test_loss_values_at_known_logits():
    zero, one = torch.zeros(4), torch.ones(4)
    assert float(d_losses("ns", zero, zero)) == pytest.approx(2 * math.log(2))
    assert float(d_losses("hinge", one, -one)) == 0.0  # both margins met
    assert float(d_losses("lsgan", one, zero)) == 0.0
    assert float(d_losses("wgan-gp", one, 3 * one)) == pytest.approx(2.0)
    assert float(g_loss_of("ns", zero)) == pytest.approx(math.log(2))
    assert float(g_loss_of("hinge", 2 * one)) == -2.0
    assert float(g_loss_of("lsgan", one)) == 0.0


TINY = dict(batch=4, g_width=8, d_width=8, z_dim=8, flowers_n=72)


@pytest.mark.parametrize("loss", ["ns", "hinge", "wgan-gp", "lsgan"])
def test_each_loss_gives_finite_gradients_to_its_player_only(loss):
    cfg = ImageGenConfig(loss=loss, r1_gamma=1.0, n_critic=2 if loss == "wgan-gp" else 1, diffaugment="color,translation,cutout", **TINY)
    torch.manual_seed(0)
    nets = networks(cfg)
    game = make_game(cfg, nets, CTX)
    phases = {p.name: p for p in game.phases}
    assert set(phases) == {"D", "G", "D_r1"} and phases["D"].repeat == cfg.n_critic
    assert phases["D_r1"].every == cfg.r1_every
    batch = next(game.data)
    assert batch["x"].shape == (4, 3, 32, 32)
    for name, owner in (("D", "D"), ("G", "G"), ("D_r1", "D")):
        for m in nets.values():
            m.zero_grad(set_to_none=True)
        nets["G"].requires_grad_(owner == "G")
        nets["D"].requires_grad_(owner == "D")
        out = phases[name].loss(nets, batch, 0)
        value, logs = out if isinstance(out, tuple) else (out, {})
        assert torch.isfinite(value)
        value.backward()
        grads = [p.grad for p in nets[owner].parameters() if p.grad is not None]
        assert grads and all(torch.isfinite(g).all() for g in grads)
        if name == "D" and loss == "wgan-gp":
            assert "gp" in logs
    acc = game.judge_accuracy(nets, batch)
    assert 0.0 <= acc <= 1.0 and game.judge == "D"


def test_wgan_critic_has_no_batchnorm():
    cfg = ImageGenConfig(loss="wgan-gp", **TINY)
    assert not any(isinstance(m, torch.nn.BatchNorm2d) for m in networks(cfg)["D"].modules())
    assert any(isinstance(m, torch.nn.BatchNorm2d) for m in networks(ImageGenConfig(**TINY))["D"].modules())


def test_diffaugment_operations():
    torch.manual_seed(0)
    x = torch.rand(16, 3, 16, 16) * 2 - 1
    assert torch.equal(diff_augment(x, []), x)
    cut = diff_augment(torch.ones(16, 3, 16, 16), ["cutout"])
    assert (cut == 0).float().mean().item() == pytest.approx(0.25, abs=0.08)  # an 8x8 hole, partly off the edge
    shifted = diff_augment(torch.ones(16, 1, 16, 16), ["translation"])
    assert shifted.shape == (16, 1, 16, 16) and (shifted == 0).any()  # zeros came in from the border
    coloured = diff_augment(x, ["color"])
    assert not torch.allclose(coloured, x)
    x.requires_grad_(True)  # G must get gradients through the augmentations
    diff_augment(x, ["color", "translation", "cutout"]).sum().backward()
    assert x.grad is not None and x.grad.abs().sum() > 0


def test_config_rejects_bad_values():
    for bad in (dict(size=48), dict(diffaugment="blur"), dict(batch=0), dict(grayscale=True), dict(ema=1.0)):
        with pytest.raises(ValueError):
            ImageGenConfig(**bad)


# --------------------------------------------------------------------------- data sources


def _folder(tmp_path):
    root = tmp_path / "imgs"
    (root / "cats" / "deep").mkdir(parents=True)
    (root / "dogs").mkdir()
    rng = np.random.default_rng(0)
    Image.fromarray(rng.integers(0, 255, (40, 60, 3), np.uint8)).save(root / "cats" / "rgb.png")
    Image.fromarray(rng.integers(0, 255, (50, 30), np.uint8), "L").save(root / "cats" / "deep" / "gray.png")
    Image.fromarray(rng.integers(0, 255, (20, 20, 4), np.uint8), "RGBA").save(root / "dogs" / "alpha.png")
    Image.fromarray(rng.integers(0, 255, (33, 33, 3), np.uint8)).convert("P").save(root / "dogs" / "palette.gif")
    (root / "dogs" / "corrupt.jpg").write_bytes(b"\xff\xd8 this is not a jpeg")
    (root / "notes.txt").write_text("not an image")
    return root


def test_folder_of_mixed_images_with_a_corrupt_file(tmp_path, capsys):
    root = _folder(tmp_path)
    x, labels, desc = datamod.load(str(root), 32, False, False)
    assert x.shape == (4, 3, 32, 32) and x.dtype == torch.uint8 and labels is None
    err = capsys.readouterr().err
    assert err.count("skipped 1 unreadable") == 1 and "corrupt.jpg" in err
    gray, _, _ = datamod.load(str(root), 28, True, False)
    assert gray.shape == (4, 1, 28, 28)
    _, labels, _ = datamod.load(str(root), 32, False, True)
    assert sorted(labels.tolist()) == [0, 0, 1, 1]  # subfolders are the classes: cats 2, dogs 2
    assert datamod.classes(str(root), True) == 2


def test_folder_mistakes_are_one_line_user_errors(tmp_path):
    (tmp_path / "empty").mkdir()
    (tmp_path / "text").mkdir()
    (tmp_path / "text" / "a.txt").write_text("x")
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "a.png").write_bytes(b"garbage")
    for name, message in (("empty", "no image files"), ("text", "no image files"), ("bad", "could be read"), ("missing", "no such folder")):
        with pytest.raises(UserError, match=message):
            datamod.load(str(tmp_path / name), 32, False, False)


def test_fit_resizes_and_centre_crops():
    img = np.zeros((40, 80, 3), np.uint8)
    img[:, 20:60] = 255  # the centre square is white
    out = datamod.fit(img, 16)
    assert out.shape == (16, 16, 3) and out.min() == 255


def test_faces_are_the_100_lfw_crops():
    x, labels, _ = datamod.load("faces", 28, False, False)
    assert x.shape == (100, 1, 28, 28) and labels is None
    assert datamod.channels("faces", False) == 1
    with pytest.raises(UserError, match="no class labels"):
        datamod.classes("faces", True)


def test_torchvision_offline_is_a_user_error(tmp_path, monkeypatch):
    monkeypatch.setenv("GANSUITE_OFFLINE", "1")  # no download attempt (its timeouts take ~15 s)
    with pytest.raises(UserError, match="data_root"):
        datamod.load("mnist", 28, False, False, str(tmp_path / "cache"))


def test_flowers_are_deterministic_balanced_and_distinct():
    a, ma = flowers.batch(72, 32, 5)
    b, mb = flowers.batch(72, 32, 5)
    assert torch.equal(a, b) and torch.equal(ma, mb)
    assert torch.bincount(ma, minlength=36).eq(2).all()  # every mode twice
    assert not torch.equal(a[0], a[36])  # same mode, different size/angle/place
    c, _ = flowers.batch(72, 32, 6)
    assert not torch.equal(a, c)
