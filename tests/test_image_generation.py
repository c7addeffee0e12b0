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
from gansuite_image_generation.game import make_game, networks
from gansuite_image_generation.losses import d_loss as d_losses
from gansuite_image_generation.losses import g_loss as g_loss_of
from gansuite_image_generation.models import build

CTX = Context(torch.device("cpu"), seed=0, rank=0, world=1, workers=0, run_dir=None)


@pytest.mark.parametrize("model", ["dcgan", "resnet"])
@pytest.mark.parametrize("size,channels", [(28, 1), (32, 3), (64, 3), (32, 1)])
@pytest.mark.parametrize("classes,mbstd", [(0, False), (5, True)])
def test_each_model_at_each_size(model, size, channels, classes, mbstd):
    torch.manual_seed(0)
    nets = build(model, 8, channels, size, 8, 8, classes, d_batchnorm=True, mbstd=mbstd)
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
    assert phases["D_r1"].every == cfg.r1_every and phases["D_r1"].lazy  # the engine scales R1, not the loss
    assert not phases["G"].data  # G's phase needs only noise: no real batch is loaded for it
    batch = next(game.data)
    assert batch["x"].shape == (4, 3, 32, 32)
    for name, owner in (("D", "D"), ("G", "G"), ("D_r1", "D")):
        for m in nets.values():
            m.zero_grad(set_to_none=True)
        nets["G"].requires_grad_(owner == "G")
        nets["D"].requires_grad_(owner == "D")
        out = phases[name].loss(nets, None if name == "G" else batch, 0)
        value, logs = out if isinstance(out, tuple) else (out, {})
        assert torch.isfinite(value)
        value.backward()
        grads = [p.grad for p in nets[owner].parameters() if p.grad is not None]
        assert grads and all(torch.isfinite(g).all() for g in grads)
        if name == "D" and loss == "wgan-gp":
            assert "gp" in logs
        assert all(isinstance(v, torch.Tensor) and v.ndim == 0 for v in logs.values())  # logged values stay tensors
    acc = game.judge_accuracy(nets, batch)
    assert isinstance(acc, torch.Tensor) and acc.ndim == 0 and 0.0 <= float(acc) <= 1.0 and game.judge == "D"


def test_wgan_critic_has_no_batchnorm():
    cfg = ImageGenConfig(loss="wgan-gp", **TINY)
    assert not any(isinstance(m, torch.nn.BatchNorm2d) for m in networks(cfg)["D"].modules())
    assert any(isinstance(m, torch.nn.BatchNorm2d) for m in networks(ImageGenConfig(**TINY))["D"].modules())


def test_d_width_zero_is_the_models_own():
    # DCGAN's D is twice as wide by default (flowers measured better); the others were not measured wider.
    # The config stores the resolved width, so a saved run names the width it built.
    assert ImageGenConfig().d_width == 32 and ImageGenConfig(d_width=12).d_width == 12
    assert ImageGenConfig(model="resnet").d_width == 16 and ImageGenConfig(model="fastgan", size=64).d_width == 16
    d = networks(ImageGenConfig(**{**TINY, "d_width": 0}))["D"]
    assert d.features[0].out_channels == 32  # (B, 32, 16, 16) after D's first convolution


def test_d_width_follows_the_model_set_on_the_command_line_or_in_a_file():
    # The config resolves d_width=0 when it is made; options layered by --set or a config file must resolve it from
    # the final model, not inherit DCGAN's 32 from the defaults (the bug of stop 32).
    from gansuite_core.config import resolve

    assert resolve("image-generation", ImageGenConfig, overrides={"model": "resnet"}).options.d_width == 16
    assert resolve("image-generation", ImageGenConfig, file={"app_options": {"model": "fastgan", "size": 64}}).options.d_width == 16
    saved = {"app_options": {"model": "dcgan", "d_width": 32}}  # a run's config.toml names the width it built
    assert resolve("image-generation", ImageGenConfig, file=saved, overrides={"d_width": 24}).options.d_width == 24
    assert resolve("image-generation", ImageGenConfig, file=saved).options.d_width == 32


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
    for bad in (dict(size=48), dict(diffaugment="blur"), dict(batch=0), dict(grayscale=True), dict(ema_half_life=0),
                dict(ada_target=1.0), dict(d_width=-1)):
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


@pytest.mark.parametrize("case", ["diagonal", "three_petals", "random"])
def test_flowers_reverse_kl_splits_into_petals_colours_and_their_information(monkeypatch, case):
    """KL(p || uniform) = KL(petals || uniform) + KL(colours || uniform) + I(petals; colours): the uniform is a product."""
    modes = {"diagonal": torch.tensor([flowers.mode_of(i, i) for i in range(6)] * 10),  # 3 petals only red, 4 only orange, ...
             "three_petals": torch.tensor([flowers.mode_of(0, c) for c in range(6)] * 10),  # every colour, one petal count
             "random": torch.randint(flowers.MODES, (500,), generator=torch.Generator().manual_seed(0))}[case]
    monkeypatch.setattr(flowers, "predict", lambda net, images: (modes, torch.ones(len(modes), dtype=torch.bool)))
    r = flowers.mode_report(None, torch.zeros(len(modes)))
    assert abs(r["reverse_kl"] - (r["reverse_kl_petals"] + r["reverse_kl_colours"] + r["petal_colour_information"])) < 1e-9
    if case == "diagonal":  # each factor uniform on its own, all the loss is in their dependence
        assert r["reverse_kl_petals"] < 1e-12 and r["reverse_kl_colours"] < 1e-12
        assert abs(r["petal_colour_information"] - math.log(6)) < 1e-9 and r["modes"] == 6
    if case == "three_petals":
        assert abs(r["reverse_kl_petals"] - math.log(6)) < 1e-9 and r["petal_colour_information"] < 1e-12


def test_fit_pads_non_square_images_to_a_square():
    img = np.full((20, 40, 3), 200, np.uint8)
    img[:, :4] = 10  # a dark left edge: cropping would cut it away, padding keeps it
    assert datamod.fit(img, 16, "pad")[:, 0].max() < 50
    assert datamod.fit(img, 16, "crop")[:, 0].min() == 200
    with pytest.raises(ValueError):
        ImageGenConfig(fit="stretch")


def test_folder_pad_mode_and_all_corrupt_folder(tmp_path):
    root = _folder(tmp_path)
    x, _, _ = datamod.load(str(root), 32, False, False, fit_mode="pad")
    assert x.shape == (4, 3, 32, 32)
    (tmp_path / "allbad").mkdir()
    for i in range(3):
        (tmp_path / "allbad" / f"{i}.png").write_bytes(b"not a png")
    with pytest.raises(UserError, match="3 unreadable"):
        datamod.load(str(tmp_path / "allbad"), 32, False, False)


def test_minibatch_stddev_sees_a_collapsed_batch():
    from gansuite_image_generation.models import MinibatchStd

    same = torch.ones(8, 2, 4, 4)
    varied = torch.randn(8, 2, 4, 4)
    assert MinibatchStd()(same)[:, -1].max() < 1e-3  # no spread: a collapsed generator's batch
    assert MinibatchStd()(varied)[:, -1].min() > 0.3
    assert MinibatchStd()(torch.randn(6, 2, 4, 4)).shape == (6, 3, 4, 4)  # a batch not divisible by 4 still works


def test_ada_p_follows_the_overfitting_heuristic():
    from gansuite_image_generation.augment import AdaptiveAugment

    ada = AdaptiveAugment(target=0.6, kimg=1.0, interval=4)
    for step in range(8):  # D sure of every real image: r_t = 1 > 0.6, p rises
        ada.observe(torch.ones(25), 0.0, step)
    assert float(ada.p) == pytest.approx(0.2)  # two adjustments of (4 steps x 25 images) / (1 x 1000)
    for step in range(8, 12):  # mostly right, but r_t = 0.2 < 0.6: p falls
        ada.observe(torch.tensor([1.0] * 15 + [-1.0] * 10), 0.0, step)
    assert float(ada.p) == pytest.approx(0.1)
    for step in range(12, 40):
        ada.observe(-torch.ones(25), 0.0, step)
    assert float(ada.p) == 0.0  # never below 0
    ada.p.fill_(0.0)
    x = torch.rand(8, 3, 16, 16) * 2 - 1
    assert torch.allclose(ada(x), x, atol=1e-5)  # p = 0: every image unchanged
    ada.p.fill_(1.0)
    x.requires_grad_(True)
    y = ada(x)
    assert not torch.allclose(y, x) and y.shape == x.shape
    y.sum().backward()
    assert x.grad.abs().sum() > 0  # differentiable, so G learns through it
    assert torch.equal(ada.eval()(x), x)  # off outside training
    assert "p" in ada.state_dict()  # a buffer: checkpointed with D's player


def test_ema_half_life_in_images_with_ramp_up():
    cfg = ImageGenConfig(**TINY)
    game = make_game(cfg, networks(cfg), CTX)
    ema = game.ema["G"]
    assert ema.half_life == 10_000 and ema.batch == cfg.batch and ema.rampup == 0.05
    assert ema.beta(400 * 4, 4) < 0.97  # early in a short run the EMA follows G closely (ramp-up)


def test_inception_extractor_matches_torchvisions_documented_input_path(tmp_path):
    """Issue 18.2: torchvision's inception_v3 expects ImageNet-normalised input with transform_input=True;
    InceptionExtractor feeds [-1, 1] with transform_input=False, which must give the same features."""
    import torch.nn.functional as F
    import torchvision

    from gansuite_core.metrics.features import InceptionExtractor

    torch.manual_seed(0)
    ref = torchvision.models.inception_v3(weights=None, aux_logits=True, init_weights=True, transform_input=True)
    mean, std = torch.tensor([0.485, 0.456, 0.406])[:, None, None], torch.tensor([0.229, 0.224, 0.225])[:, None, None]
    x = torch.rand(4, 3, 40, 40) * 2 - 1  # images in [-1, 1]
    normalised = ((F.interpolate(x, size=(299, 299), mode="bilinear", align_corners=False) + 1) / 2 - mean) / std
    for m in ref.modules():  # calibrate BatchNorm on these images, so random weights give features of order 1
        if isinstance(m, torch.nn.BatchNorm2d):
            m.momentum = None
    with torch.no_grad():
        ref.train()(normalised)
    ref.eval()
    torch.save(ref.state_dict(), tmp_path / "inception.pth")
    ref.fc = torch.nn.Identity()
    with torch.no_grad():
        expected = ref(normalised)
        got = InceptionExtractor(tmp_path / "inception.pth")(x)
    assert got.shape == (4, 2048) and expected.abs().mean() > 0.01
    assert torch.allclose(got, expected, atol=1e-4, rtol=1e-4)
    with torch.no_grad():  # the old mistake (normalised input without the transform) is far off
        wrong = InceptionExtractor(tmp_path / "inception.pth").net(normalised)
    assert not torch.allclose(wrong, expected, atol=1e-2)


def test_fid_inception_is_pytorch_fids_graph_and_is_chosen_for_its_weights(tmp_path, monkeypatch):
    """Issue 14.5, without the weights: the FID network takes pt_inception-2015-12-05's keys and shapes
    (torchvision's Inception-v3 with 1008 classes, no aux head), its pooling branches are the TF graph's,
    and GANSUITE_INCEPTION with such a file gives the FID extractor, named so in reports."""
    import torch.nn.functional as F
    import torchvision

    from gansuite_core.metrics.features import FIDInceptionExtractor, InceptionExtractor, fid_inception, find_extractor

    torch.manual_seed(0)
    net = fid_inception()
    plain = torchvision.models.inception_v3(weights=None, num_classes=1008, aux_logits=False, init_weights=False)
    assert {k: v.shape for k, v in net.state_dict().items()} == {k: v.shape for k, v in plain.state_dict().items()}
    plain.load_state_dict(net.state_dict())
    net.eval(), plain.eval()
    with torch.no_grad():
        x = torch.randn(1, 2048, 8, 8)
        ref = plain.Mixed_7c.branch_pool(F.max_pool2d(x, 3, 1, 1))  # the TF graph's last block max-pools
        assert torch.allclose(net.Mixed_7c(x)[:, -192:], ref, atol=1e-5)
        assert not torch.allclose(net.Mixed_7c(x), plain.Mixed_7c(x))  # torchvision average-pools there
        y = torch.randn(1, 192, 9, 9)
        ref = plain.Mixed_5b.branch_pool(F.avg_pool2d(y, 3, 1, 1, count_include_pad=False))
        assert torch.allclose(net.Mixed_5b(y)[:, -32:], ref, atol=1e-5)
    fid_file, tv_file = tmp_path / "pt_inception-2015-12-05-6726825d.pth", tmp_path / "inception_v3.pth"
    torch.save(net.state_dict(), fid_file)
    torch.save(torchvision.models.inception_v3(weights=None, aux_logits=True, init_weights=False).state_dict(), tv_file)
    monkeypatch.setenv("GANSUITE_INCEPTION", str(fid_file))
    ex = find_extractor("inception")
    assert isinstance(ex, FIDInceptionExtractor) and "FID Inception" in ex.name and fid_file.name in ex.name
    assert ex(torch.rand(2, 1, 20, 20) * 2 - 1).shape == (2, 2048)  # grayscale repeated, resized to 299
    monkeypatch.setenv("GANSUITE_INCEPTION", str(tv_file))
    assert isinstance(find_extractor(None), InceptionExtractor)


@pytest.mark.parametrize("size", [64, 128, 256])
def test_fastgan_at_each_size_with_excitation_and_decoders(size):
    from gansuite_image_generation.fastgan import reconstruction_loss

    torch.manual_seed(0)
    nets = build("fastgan", 8, 3, size, 4, 4, 0, d_batchnorm=True)
    assert len(nets["G"].sle) == {64: 1, 128: 2, 256: 3}[size]  # skip-layer excitation from r/8 into r >= 64
    x = nets["G"](torch.randn(2, 8))
    assert x.shape == (2, 3, size, size) and x.abs().max() <= 1
    assert nets["D"](x).shape == (2,)
    logits, rec = reconstruction_loss(nets["D"], x.detach(), quarter=3)
    assert logits.shape == (2,) and rec > 0
    rec.backward()
    assert nets["D"].decode_part.net[1][1].weight.grad.abs().sum() > 0  # the decoders learn from the real image


def test_fastgan_game_and_sizes_only_where_supported():
    cfg = ImageGenConfig(model="fastgan", size=64, **{**TINY, "batch": 2})
    nets = networks(cfg)
    game = make_game(cfg, nets, CTX)
    loss, logs = game.phases[0].loss(nets, next(game.data), 0)
    assert torch.isfinite(loss) and "reconstruction" in logs
    for bad, message in ((dict(model="dcgan", size=128), "use model=fastgan"), (dict(model="fastgan", size=32), "64, 128, 256"),
                         (dict(model="fastgan", size=64, conditional=True), "unconditional")):
        with pytest.raises(ValueError, match=message):
            ImageGenConfig(**bad)


def test_evaluating_a_128px_run_trains_the_rotation_extractor_at_64px(monkeypatch):
    """At 128 px the rotation CNN's 300 training steps cost more than a FastGAN run (7 CPU-s a step):
    above 64 px the core's extractor is trained on, and fed, area-downsampled images, and its name says so."""
    import functools

    from gansuite_core.metrics import features
    from gansuite_image_generation import evaluation

    seen = []
    forward = features._RotNet.forward
    monkeypatch.setattr(features._RotNet, "forward", lambda self, x: seen.append(tuple(x.shape[-2:])) or forward(self, x))
    monkeypatch.setattr(evaluation, "RotationExtractor", functools.partial(features.RotationExtractor, steps=2, batch=4))
    cfg = ImageGenConfig(data="/some/folder", model="fastgan", size=128)
    real = torch.rand(4, 3, 128, 128) * 2 - 1
    ex = evaluation.choose_extractor(cfg, real, torch.device("cpu"), "folder")
    assert ex(real).shape == (4, ex.dim) and set(seen) == {(64, 64)}
    assert "downsampled to 64 px" in ex.name
    assert torch.allclose(ex(real), ex.net.features(real.reshape(4, 3, 64, 2, 64, 2).mean((3, 5))), atol=1e-5)  # area = 2x2 means
    seen.clear()
    small = evaluation.choose_extractor(ImageGenConfig(data="/some/folder", size=64), real[..., :64, :64], torch.device("cpu"), "folder")
    assert set(seen) == {(64, 64)} and "downsampled" not in small.name  # 64 px and below: as before


def test_example_photo_folder_loads_with_its_odd_files(tmp_path, capsys):
    """examples/make_photo_folder.py (the 128-px benchmark's folder): mixed JPEG/PNG crops, a subfolder,
    a grayscale and an RGBA file all load at 128 px; its truncated JPEG is skipped and counted."""
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "examples" / "make_photo_folder.py"
    spec = importlib.util.spec_from_file_location("make_photo_folder", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    counts = module.make_folder(tmp_path / "photos", n=7, seed=0)
    assert counts["jpeg"] + counts["png"] == 7 and any((tmp_path / "photos" / "holiday").iterdir())
    x, labels, description = datamod.load(str(tmp_path / "photos"), 128, False, False)
    assert x.shape == (9, 3, 128, 128) and labels is None and "9 images" in description
    assert "skipped 1 unreadable image file(s) of 10" in capsys.readouterr().err


# --------------------------------------------------------------------------- codes, learned prior, packing, tail decay


def test_codes_pick_centres_from_the_last_entry_of_z_by_the_prior():
    from gansuite_image_generation.models import CodedGenerator

    cfg = ImageGenConfig(codes=4, prior="learned", **TINY)
    G = networks(cfg)["G"]
    assert isinstance(G, CodedGenerator) and G.centres.shape == (4, cfg.z_dim - 1) and G.prior.requires_grad
    u = torch.randn(20000)
    counts = torch.bincount(G.code(u), minlength=4).float() / len(u)
    assert torch.allclose(counts, torch.full((4,), 0.25), atol=0.02)  # zero logits: uniform codes
    with torch.no_grad():
        G.prior.copy_(torch.tensor([0.0, 0.0, 0.0, math.log(3.0)]))
    counts = torch.bincount(G.code(u), minlength=4).float() / len(u)
    assert torch.allclose(counts, torch.tensor([1 / 6, 1 / 6, 1 / 6, 1 / 2]), atol=0.02)  # softmax(prior)
    G.eval()
    z = torch.randn(6, cfg.z_dim)
    z2 = z.clone()
    z2[:, -1] = z[:, -1]  # same code, other continuous noise: another image
    z2[:, :-1] += 1.0
    assert G(z).shape == (6, 3, 32, 32) and not torch.allclose(G(z), G(z2))
    assert not networks(ImageGenConfig(codes=4, **TINY))["G"].prior.requires_grad  # uniform: a buffer, not trained


def test_learned_prior_moves_towards_codes_that_d_scores_as_real():
    from gansuite_core import code_prior_loss as prior_loss

    p = torch.full((3,), 1 / 3, requires_grad=True)
    codes = torch.tensor([[0], [0], [1], [1]])  # code 2 absent from the batch
    logit = torch.tensor([2.0, 2.0, -2.0, -2.0])  # D finds code 0's images real, code 1's fake
    prior_loss(p, codes, logit).backward()
    assert p.grad[0] < 0 < p.grad[1] and p.grad[2] == 0  # descent raises code 0, lowers code 1, leaves code 2
    cfg = ImageGenConfig(codes=3, prior="learned", prior_lr=0.01, **TINY)
    nets = networks(cfg)
    game = make_game(cfg, nets, CTX)
    out = {p.name: p for p in game.phases}["G"].loss(nets, None, 0)
    assert isinstance(out, tuple) and float(out[1]["codes"]) == pytest.approx(3.0)  # perplexity of a uniform prior
    opt = game.players[0].optimizer(list(nets["G"].parameters()))
    assert sorted(g["lr"] for g in opt.param_groups) == [cfg.lr_g, 0.01]  # the prior has its own learning rate


def test_packed_discriminator_judges_consecutive_images_together():
    cfg = ImageGenConfig(pack=2, **TINY)
    nets = networks(cfg)
    D = nets["D"].eval()
    x = torch.rand(4, 3, 32, 32) * 2 - 1
    assert D(x).shape == (2,)  # one logit per pack of 2
    swapped = x.clone()
    swapped[1] = x[2]
    swapped[2] = x[1]
    assert not torch.allclose(D(swapped), D(x))  # the packs changed members
    game = make_game(cfg, nets, CTX)
    for phase in game.phases:
        out = phase.loss(nets, None if phase.name == "G" else next(game.data), 0)
        assert torch.isfinite(out[0] if isinstance(out, tuple) else out)


def test_lr_tail_falls_linearly_to_zero_over_the_last_share():
    from gansuite_image_generation.game import lr_factor

    cfg = ImageGenConfig(lr_tail=0.25, **TINY)
    assert [lr_factor(cfg, 1000, s) for s in (0, 749, 750, 875, 1000)] == [1.0, 1.0, 1.0, 0.5, 0.0]
    ctx = Context(torch.device("cpu"), seed=0, rank=0, world=1, workers=0, run_dir=None, steps=1000)
    nets = networks(cfg)
    game = make_game(cfg, nets, ctx)
    for player in game.players:
        opt = player.optimizer(list(nets[player.networks[0]].parameters()))
        sched = player.scheduler(opt)
        for _ in range(875):
            opt.step()
            sched.step()
        assert opt.param_groups[0]["lr"] == pytest.approx(0.5 * 2e-4)
    assert all(p.scheduler is None for p in make_game(ImageGenConfig(**TINY), networks(ImageGenConfig(**TINY)), ctx).players)


def test_new_options_reject_bad_values_in_one_line():
    for bad, message in ((dict(codes=-1), "codes must be"), (dict(code_noise=0.0), "code_noise"), (dict(prior="flat"), "prior"),
                         (dict(codes=4, z_dim=1), "z_dim must be at least 2"), (dict(prior_lr=0.0), "prior_lr"),
                         (dict(pack=0), "pack=0"), (dict(pack=3, batch=32), "divides batch=32"),
                         (dict(pack=2, conditional=True), "unconditional"), (dict(lr_tail=1.5), "lr_tail=1.5")):
        with pytest.raises(ValueError, match=message) as err:
            ImageGenConfig(**bad)
        assert "\n" not in str(err.value)


# --------------------------------------------------------------------------- contrastive discriminator features


def test_nt_xent_is_low_for_matching_views_and_log_2b_minus_1_for_unrelated_ones():
    from gansuite_image_generation.losses import nt_xent

    a = torch.eye(8) * 5  # 8 orthogonal projections
    assert float(nt_xent(a, a.clone(), 0.1)) < 1e-3  # each view's partner is the only similar one
    b = torch.ones(8, 8)  # every projection alike: the partner is one of 2B - 1 equal candidates
    assert float(nt_xent(b, b.clone(), 0.1)) == pytest.approx(math.log(15), abs=1e-5)
    x = torch.randn(6, 4, requires_grad=True)
    nt_xent(x, torch.randn(6, 4), 0.1).backward()
    assert torch.isfinite(x.grad).all() and x.grad.abs().sum() > 0


def test_dihedral_turns_and_flips_each_image_by_its_own_symmetry():
    from gansuite_image_generation.augment import dihedral

    torch.manual_seed(0)
    x = torch.rand(64, 3, 8, 8)
    y = dihedral(x)
    seen = set()
    for xi, yi in zip(x, y):
        syms = [torch.rot90(xi, r, (1, 2)) for r in range(4)]
        syms += [s.flip(2) for s in syms]
        matches = [k for k, s in enumerate(syms) if torch.equal(s, yi)]
        assert matches  # one of the square's 8 symmetries
        seen.add(matches[0])
    assert len(seen) == 8  # all of them occur over 64 images


def test_contrastive_option_adds_a_projection_head_to_ds_player_and_a_logged_term():
    cfg = ImageGenConfig(contrastive=0.5, **TINY)
    nets = networks(cfg)
    assert nets["proj"][0].in_features == nets["D"].out.in_features
    game = make_game(cfg, nets, CTX)
    assert {p.name: p for p in game.players}["D"].networks == ["D", "proj"]  # checkpointed and updated with D
    loss, logs = {p.name: p for p in game.phases}["D"].loss(nets, next(game.data), 0)
    assert torch.isfinite(loss) and float(logs["contrastive"]) > 0
    loss.backward()
    assert nets["proj"][0].weight.grad is not None and nets["D"].features[0].weight.grad.abs().sum() > 0
    assert "proj" not in networks(ImageGenConfig(**TINY))  # off by default: no extra network
    for bad, message in ((dict(contrastive=-1.0), "contrastive=-1.0"), (dict(contrastive_temp=0.0), "contrastive_temp"),
                         (dict(contrastive=1.0, model="resnet"), "model=dcgan"), (dict(contrastive=1.0, pack=2), "pack=1")):
        with pytest.raises(ValueError, match=message) as err:
            ImageGenConfig(**bad)
        assert "\n" not in str(err.value)


def test_hue_shuffle_reorders_each_images_channels_or_greys_it():
    from gansuite_image_generation.augment import hue_shuffle

    torch.manual_seed(0)
    x = torch.rand(200, 3, 4, 4)
    y = hue_shuffle(x, gray=0.2)
    grey = [torch.allclose(yi, xi.mean(0, keepdim=True).expand_as(xi)) for xi, yi in zip(x, y)]
    orders = [next((o for o in ((0, 1, 2), (0, 2, 1), (1, 0, 2), (1, 2, 0), (2, 0, 1), (2, 1, 0)) if torch.equal(yi, xi[list(o)])), None)
              for xi, yi in zip(x, y)]
    assert all(g or o is not None for g, o in zip(grey, orders))  # every image: a channel order, or grey
    assert 0.1 < sum(grey) / len(x) < 0.3 and len({o for o in orders if o is not None}) == 6
    assert torch.equal(hue_shuffle(x[:, :1]), x[:, :1])  # one channel: nothing to shuffle
