"""The super-resolution plugin: models at every scale, resizing, metrics, tiling, picture modes, data."""
from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from PIL import Image

from gansuite_core import UserError
from gansuite_core.metrics.image import psnr, ssim
from gansuite_super_resolution.bundled import load_bundled, save_bundled, train_estimator
from gansuite_super_resolution.config import SINGLE_DOWNSCALERS, SRConfig
from gansuite_super_resolution.data import (ALIASED, DOWNSCALERS, ROUTER_CROPS, aliased, CropSource, degrade, degrade_named, downscale, embedded_image,
                                            matlab_resize, mod_crop, needs_aliased, scan_folder)
from gansuite_super_resolution.evaluation import baselines
from gansuite_super_resolution.losses import VGGFeatures, distance, judge_accuracy, relativistic_d_loss, relativistic_g_loss
from gansuite_super_resolution.models import (DegradationEstimator, Discriminator, FastSR, RoutedPair, RRDBNet, SelfEnsemble, SRResNet,
                                              build_generator, for_picture)
from gansuite_super_resolution.upscale import upscale_any, upscale_rgb

SMALL = {"fast": dict(features=8), "srresnet": dict(features=8, blocks=2), "rrdb": dict(features=8, blocks=1)}


def randomise_tail(net: torch.nn.Module) -> torch.nn.Module:
    """Undo the zero start of the residual branch so the network does more than bicubic."""
    torch.manual_seed(0)
    torch.nn.init.normal_(net.tail[0].weight, std=0.05)
    return net.eval()


@pytest.mark.parametrize("model", ["fast", "srresnet", "rrdb"])
@pytest.mark.parametrize("scale", [2, 3, 4])
def test_every_generator_and_scale_starts_as_bicubic(model, scale):
    g = build_generator(model, scale, bicubic_skip=True, **{"blocks": 1, **SMALL[model]}).eval()
    x = torch.rand(2, 3, 7, 9)
    y = g(x)
    assert y.shape == (2, 3, 7 * scale, 9 * scale)
    torch.testing.assert_close(y, F.interpolate(x, scale_factor=scale, mode="bicubic", align_corners=False))
    plain = build_generator(model, scale, bicubic_skip=False, **{"blocks": 1, **SMALL[model]}).eval()
    assert plain(x).shape == y.shape and not torch.allclose(plain(x), y)


def test_srresnet_without_batchnorm_is_edsrs_block_and_still_starts_as_bicubic():
    plain = build_generator("srresnet", 4, 8, 2, True, batchnorm=False).eval()
    assert not any(isinstance(m, torch.nn.BatchNorm2d) for m in plain.modules())
    assert any(isinstance(m, torch.nn.BatchNorm2d) for m in build_generator("srresnet", 4, 8, 2, True).modules())
    x = torch.rand(1, 3, 6, 6)
    torch.testing.assert_close(plain(x), F.interpolate(x, scale_factor=4, mode="bicubic", align_corners=False))


def test_pixel_distances():
    sr, hr = torch.zeros(2, 3, 4, 4), torch.full((2, 3, 4, 4), 0.5)
    assert distance("l1")(sr, hr).item() == pytest.approx(0.5)
    assert distance("mse")(sr, hr).item() == pytest.approx(0.25)
    assert distance("charbonnier")(sr, hr).item() == pytest.approx(0.5, abs=1e-5)  # L1 away from zero
    assert distance("charbonnier")(hr, hr).item() == pytest.approx(1e-3)  # its smooth floor, eps


def test_model_sizes_match_their_class():
    count = lambda m: sum(p.numel() for p in m.parameters())  # noqa: E731
    assert 10_000 < count(FastSR(4)) < 100_000  # ESPCN/FSRCNN class: tens of thousands
    assert count(SRResNet(4, 64, 16)) > 1_000_000  # the paper's 16 x 64 SRResNet
    assert count(RRDBNet(4, 32, 4, 16)) < count(RRDBNet(4, 64, 23, 32)) / 10  # the lighter RRDB
    d = Discriminator(8)
    score, feats = d(torch.rand(3, 3, 40, 40), features=True)
    assert score.shape == (3, 1) and len(feats) == 4 and feats[-1].shape[1] == 64
    assert d(torch.rand(2, 3, 64, 48)).shape == (2, 1)  # any crop size


def test_matlab_downscale_reproduces_known_values():
    flat = np.full((32, 40, 3), 77, np.uint8)
    assert (downscale(flat, 4) == 77).all()
    # Keys' cubic reproduces linear functions: away from the borders a ramp stays the ramp at the pixel centres.
    ramp = np.tile(np.arange(64, dtype=np.float64) * 3, (16, 1)).astype(np.uint8)
    small = downscale(ramp, 2)
    assert small.shape == (8, 32)
    centres = (np.arange(32) * 2 + 0.5) * 3
    assert np.abs(small[:, 3:-3] - np.round(centres[3:-3])).max() <= 1
    assert mod_crop(np.zeros((31, 30)), 4).shape == (28, 28)


def test_matlab_bicubic_baseline_is_keys_a_minus_half_not_opencvs():
    """Issue 18.6: the papers' baseline enlarges with a = -0.5 (as PIL's BICUBIC), OpenCV's with a = -0.75."""
    small = downscale(embedded_image("chelsea")[:120, :160], 4)  # (30, 40, 3)
    up = baselines(small, 4)
    pil = np.asarray(Image.fromarray(small).resize((160, 120), Image.BICUBIC)).astype(int)
    assert np.abs(up["matlab_bicubic"].astype(int) - pil)[8:-8, 8:-8].max() <= 1
    assert np.abs(up["bicubic"].astype(int) - up["matlab_bicubic"]).max() > 5
    assert matlab_resize(np.full((5, 7), 9, np.uint8), 3).shape == (15, 21)


def test_each_downscaler_is_a_different_tool_and_degradations_are_drawn_per_item():
    img = embedded_image("astronaut")[:96, :96]
    outs = {k: f(img, 4) for k, f in DOWNSCALERS.items()}
    assert all(o.shape == (24, 24, 3) and o.dtype == np.uint8 for o in outs.values())
    names = list(outs)
    assert all(not np.array_equal(outs[a], outs[b]) for i, a in enumerate(names) for b in names[i + 1:])
    assert np.array_equal(outs["opencv_nearest"], img[::4, ::4]) or np.array_equal(outs["opencv_nearest"], img[1::4, 1::4]) \
        or np.array_equal(outs["opencv_nearest"], img[2::4, 2::4])
    drawn = {degrade(img, 4, "kernels", np.random.default_rng(i)).tobytes() for i in range(40)}
    assert len(drawn) == len(DOWNSCALERS)  # every kernel, nothing else
    mixed = {degrade(img, 4, "mixed", np.random.default_rng(i)).tobytes() for i in range(40)}
    assert len(mixed) > len(DOWNSCALERS)  # blur, noise and JPEG add variants
    assert np.array_equal(degrade(img, 4, "bicubic", np.random.default_rng(0)), downscale(img, 4))


def test_a_specialist_trains_on_one_named_downscaler_only():
    img = embedded_image("astronaut")[:96, :96]
    assert set(SINGLE_DOWNSCALERS) | {"matlab_bicubic"} == set(DOWNSCALERS)  # MATLAB's is degradation=bicubic
    for name in SINGLE_DOWNSCALERS:
        assert SRConfig(degradation=name).degradation == name
        drawn = {degrade(img, 4, name, np.random.default_rng(i)).tobytes() for i in range(5)}
        assert drawn == {DOWNSCALERS[name](img, 4).tobytes()}  # that tool, every time
    with pytest.raises(ValueError, match="degradation=cubic: expected one of bicubic, kernels, .*opencv_cubic"):
        SRConfig(degradation="cubic")


def test_psnr_and_ssim_known_values():
    a = np.full((40, 40, 3), 100, np.uint8)
    b = a + 10
    # Y = 16 + 219 * v/255 for grey pixels: a difference of 10 is 10 * 219/255 on Y.
    assert psnr(a, b, crop=4, y_channel=True) == pytest.approx(20 * np.log10(255 / (10 * 219 / 255)), abs=1e-9)
    assert psnr(a, b) == pytest.approx(20 * np.log10(255 / 10), abs=1e-9)
    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, (48, 48)).astype(np.uint8)
    assert ssim(x, x) == pytest.approx(1.0)
    from skimage.metrics import structural_similarity

    y = np.clip(x.astype(int) + rng.integers(-30, 31, x.shape), 0, 255).astype(np.uint8)
    ref = structural_similarity(x.astype(np.float64), y.astype(np.float64), gaussian_weights=True, sigma=1.5,
                                use_sample_covariance=False, data_range=255)
    assert ssim(x, y) == pytest.approx(ref, abs=0.02)


@pytest.mark.parametrize("model", ["fast", "srresnet"])
def test_tiled_output_equals_untiled(model):
    net = randomise_tail(build_generator(model, 3, bicubic_skip=True, **{"blocks": 1, **SMALL[model]}))
    img = (np.random.default_rng(1).random((37, 45, 3)) * 255).astype(np.uint8)
    whole = upscale_rgb(net, img, 3, tile=64, overlap=0)  # fits in one tile
    tiled = upscale_rgb(net, img, 3, tile=16, overlap=12)  # 9 tiles, context beyond the receptive field
    assert np.abs(whole.astype(int) - tiled.astype(int)).max() <= 1  # float rounding at most
    seams = upscale_rgb(net, img, 3, tile=16, overlap=0)
    assert np.abs(whole.astype(int) - seams.astype(int)).max() > 1  # without context the tiles do differ


def test_self_ensemble_averages_the_eight_orientations_and_is_itself_symmetric():
    net = randomise_tail(build_generator("srresnet", 2, bicubic_skip=True, **SMALL["srresnet"]))
    x = torch.rand(1, 3, 6, 10)  # not square: quarter turns must be undone exactly
    ens = SelfEnsemble(net)(x)
    assert ens.shape == (1, 3, 12, 20)
    by_hand = sum(torch.rot90(net(torch.rot90(x, k, (2, 3))), -k, (2, 3)) + torch.rot90(net(torch.rot90(x.flip(3), k, (2, 3))), -k, (2, 3)).flip(3)
                  for k in range(4)) / 8
    torch.testing.assert_close(ens, by_hand)
    assert not torch.allclose(ens, net(x), atol=1e-4)  # the trained-looking net is not symmetric, so averaging changes it
    for turned, back in ((x.flip(3), lambda y: y.flip(3)), (x.flip(2), lambda y: y.flip(2)), (torch.rot90(x, 1, (2, 3)), lambda y: torch.rot90(y, -1, (2, 3)))):
        torch.testing.assert_close(back(SelfEnsemble(net)(turned)), ens, atol=1e-5, rtol=1e-5)  # the ensemble is equivariant
    untrained = build_generator("srresnet", 2, bicubic_skip=True, **SMALL["srresnet"]).eval()  # = bicubic, already symmetric
    torch.testing.assert_close(SelfEnsemble(untrained)(x), untrained(x), atol=1e-5, rtol=1e-5)


def test_grayscale_and_rgba_keep_their_mode():
    net = randomise_tail(FastSR(2, 8))
    rng = np.random.default_rng(2)
    gray = rng.integers(0, 256, (20, 24)).astype(np.uint8)
    out = upscale_any(net, gray, 2, tile=8, overlap=6)
    assert out.shape == (40, 48) and out.dtype == np.uint8
    rgba = rng.integers(0, 256, (20, 24, 4)).astype(np.uint8)
    out = upscale_any(net, rgba, 2)
    assert out.shape == (40, 48, 4)
    import cv2

    assert (out[..., 3] == cv2.resize(rgba[..., 3], (48, 40), interpolation=cv2.INTER_CUBIC)).all()
    assert (out[..., :3] == upscale_rgb(net, np.ascontiguousarray(rgba[..., :3]), 2)).all()
    la = upscale_any(net, rgba[..., [0, 3]], 2)
    assert la.shape == (40, 48, 2)


def test_crops_are_reproducible_and_paired():
    img = embedded_image("astronaut")
    src = CropSource([img], 48, 4, "bicubic")
    a, b = src.load(0, np.random.default_rng(5)), src.load(0, np.random.default_rng(5))
    assert torch.equal(a["hr"], b["hr"]) and a["lr"].shape == (3, 12, 12) and a["hr"].shape == (3, 48, 48)
    hr = (a["hr"].permute(1, 2, 0) * 255).round().byte().numpy()
    assert torch.equal(torch.from_numpy(downscale(hr, 4)).permute(2, 0, 1).float() / 255, a["lr"])
    real = CropSource([img], 48, 4, "realistic").load(0, np.random.default_rng(5))
    assert real["lr"].shape == (3, 12, 12) and not torch.equal(real["lr"], a["lr"])
    flat = np.empty((64, 64, 3), np.uint8)
    flat[:] = (10, 100, 200)  # one colour: a permuted crop shows its channels' order
    perm = CropSource([flat], 48, 4, "bicubic", rgb_permute=True)
    orders = set()
    for seed in range(12):
        crop = perm.load(0, np.random.default_rng(seed))
        hr, lr = ((crop[k] * 255).round().int() for k in ("hr", "lr"))
        order = tuple(hr[:, 0, 0].tolist())
        assert sorted(order) == [10, 100, 200] and (hr == hr[:, :1, :1]).all() and (lr == hr[:, :1, :1]).all()
        orders.add(order)
    assert len(orders) > 2


def test_folder_scan_reports_small_and_unreadable_once(tmp_path, capsys):
    Image.fromarray(np.zeros((80, 90, 3), np.uint8)).save(tmp_path / "big.png")
    Image.fromarray(np.zeros((30, 90), np.uint8)).save(tmp_path / "small.png")
    (tmp_path / "broken.jpg").write_bytes(b"not a picture")
    assert [p.name for p in scan_folder(tmp_path, 64)] == ["big.png"]
    err = capsys.readouterr().err
    assert "1 unreadable" in err and "1 image(s) smaller than the 64-pixel crop" in err
    with pytest.raises(UserError, match="no readable image"):
        scan_folder(tmp_path, 128)
    with pytest.raises(UserError, match="no such folder"):
        scan_folder(tmp_path / "nope", 64)


def test_relativistic_losses_reward_the_right_side():
    real, fake = torch.full((4, 1), 3.0), torch.full((4, 1), -3.0)
    assert relativistic_d_loss(real, fake) < relativistic_d_loss(fake, real)
    assert relativistic_g_loss(real, fake) > relativistic_g_loss(fake, real)


def test_config_validation():
    with pytest.raises(ValueError, match="scale=5"):
        SRConfig(scale=5)
    with pytest.raises(ValueError, match="ema_half_life"):
        SRConfig(ema_half_life=0)
    with pytest.raises(ValueError, match="degradation=blurry"):
        SRConfig(degradation="blurry")
    with pytest.raises(ValueError, match="pixel_loss=l3"):
        SRConfig(pixel_loss="l3")
    with pytest.raises(ValueError, match="lr_final_fraction"):
        SRConfig(lr_final_fraction=2)
    with pytest.raises(ValueError, match="routed=yes needs degradation kernels or mixed .*not bicubic"):
        SRConfig(routed="yes", degradation="bicubic")
    with pytest.raises(ValueError, match="routed=maybe: expected auto, yes or no"):
        SRConfig(routed="maybe")
    with pytest.raises(ValueError, match="antialiased_inputs=opencv_cubic: expected auto or distinct names from matlab_bicubic, opencv_area"):
        SRConfig(antialiased_inputs="opencv_cubic")  # an aliased resizer for the antialiased specialist
    assert SRConfig(antialiased_inputs=" opencv_area ,pil_lanczos").antialiased_input_list == ("opencv_area", "pil_lanczos")
    assert SRConfig().is_routed and SRConfig(degradation="kernels").is_routed and not SRConfig(routed="no").is_routed
    assert not SRConfig(degradation="bicubic").is_routed and not SRConfig(degradation="opencv_cubic").is_routed


def test_a_routed_batch_sends_each_twin_to_its_own_specialist_and_labels_the_router():
    """generate(): the antialiased specialist enlarges "lr", the aliased one "lr_aliased" (HR twice); router_loss is
    the BCE of the crops' mean logits against router_aliased, and its accuracy counts the right side of zero."""
    from gansuite_super_resolution.losses import generate, router_loss

    torch.manual_seed(0)
    pair = RoutedPair(randomise_tail(FastSR(2, 8)), randomise_tail(FastSR(2, 8)), DegradationEstimator(8))
    torch.nn.init.normal_(pair.aliased.tail[0].weight, std=0.2)  # the two specialists differ
    batch = {"lr": torch.rand(3, 3, 8, 8), "lr_aliased": torch.rand(3, 3, 8, 8), "hr": torch.rand(3, 3, 16, 16),
             "router": torch.rand(3, 1, 3, 16, 16), "router_aliased": torch.tensor([[1.0], [0.0], [1.0]])}
    with torch.no_grad():
        sr, hr = generate({"G": pair}, batch)
        assert sr.shape == hr.shape == (6, 3, 16, 16) and torch.equal(hr, torch.cat([batch["hr"], batch["hr"]]))
        torch.testing.assert_close(sr[:3], pair.antialiased(batch["lr"]))
        torch.testing.assert_close(sr[3:], pair.aliased(batch["lr_aliased"]))
        assert not torch.allclose(sr[3:], pair.antialiased(batch["lr_aliased"]))
        loss, accuracy = router_loss({"G": pair}, batch)
        logit = pair.estimator(batch["router"][:, 0]).mean((1, 2, 3))
        y = batch["router_aliased"][:, 0]
        torch.testing.assert_close(loss, F.binary_cross_entropy_with_logits(logit, y))
        assert accuracy.dim() == 0 and float(accuracy) == float(((logit > 0).float() == y).float().mean())


def test_an_antialiased_specialist_draws_one_of_its_tools_per_crop():
    """degradation=antialiased (the bundled x4's antialiased specialist): one generator, each crop shrunk by one of
    antialiased_inputs drawn per crop; with one tool it is that tool's specialist, crop for crop."""
    cfg = SRConfig(degradation="antialiased")
    assert not cfg.is_routed and cfg.antialiased_input_list == ("matlab_bicubic", "opencv_area")
    img = embedded_image("astronaut")
    src = CropSource([img], 64, 4, "antialiased", antialiased=cfg.antialiased_input_list)
    used = set()
    for seed in range(12):
        item = src.load(0, np.random.default_rng(seed))
        assert set(item) == {"lr", "hr"}
        hr, lr = ((item[k].permute(1, 2, 0) * 255).round().byte().numpy() for k in ("hr", "lr"))
        used |= {t for t in cfg.antialiased_input_list if np.array_equal(lr, DOWNSCALERS[t](hr, 4))}
    assert used == {"matlab_bicubic", "opencv_area"}
    with pytest.raises(ValueError, match="degradation=antialiased draws from config.antialiased_inputs"):
        degrade(img, 4, "antialiased", np.random.default_rng(0))  # not silently `kernels`
    one = CropSource([img], 64, 4, "antialiased", antialiased=("opencv_area",))
    area = CropSource([img], 64, 4, "opencv_area")
    for seed in range(3):
        a, b = one.load(0, np.random.default_rng(seed)), area.load(0, np.random.default_rng(seed))
        assert all(torch.equal(a[k], b[k]) for k in ("lr", "hr"))


def test_a_routed_crop_has_each_specialists_twin_and_labelled_router_crops():
    """A routed run's item: the HR crop shrunk by one of the antialiased tools, drawn per crop ("lr"), and by OpenCV
    cubic ("lr_aliased"), and router crops of twice the side shrunk as `degradation` draws, labelled by needs_aliased
    (checked against each resizer's output); a picture smaller than a router crop is mirrored out to it; the same
    seed gives the same item."""
    img = embedded_image("astronaut")
    for scale, tools in ((4, ("matlab_bicubic", "opencv_area")), (2, ("opencv_area",))):
        src = CropSource([img], 16 * scale, scale, "kernels", routed=True, antialiased=tools)
        labels, used = [], set()
        for seed in range(16):
            item = src.load(0, np.random.default_rng(seed))
            assert set(item) == {"lr", "lr_aliased", "hr", "router", "router_aliased"}
            hr = (item["hr"].permute(1, 2, 0) * 255).round().byte().numpy()
            as_made = {key: (item[key].permute(1, 2, 0) * 255).round().byte().numpy() for key in ("lr", "lr_aliased")}
            assert np.array_equal(as_made["lr_aliased"], DOWNSCALERS["opencv_cubic"](hr, scale))
            matches = [t for t in tools if np.array_equal(as_made["lr"], DOWNSCALERS[t](hr, scale))]
            assert len(matches) == 1, matches
            used.add(matches[0])
            assert item["router"].shape == (ROUTER_CROPS, 3, 32, 32) and item["router_aliased"].shape == (ROUTER_CROPS,)
            labels += item["router_aliased"].tolist()
        assert used == set(tools)  # every antialiased tool is drawn
        assert 0 < sum(labels) < len(labels)  # both kinds among the router's crops
    small = CropSource([img[:100, :90]], 64, 4, "mixed", routed=True)  # router crops are 128 pixels
    a, b = small.load(3, np.random.default_rng(1)), small.load(3, np.random.default_rng(1))
    assert a["router"].shape == (ROUTER_CROPS, 3, 32, 32) and all(torch.equal(a[k], b[k]) for k in a)


def test_judge_accuracy_stays_a_tensor():
    nets = {"G": FastSR(2, 8).eval(), "D": Discriminator(4).eval()}
    acc = judge_accuracy(nets, {"lr": torch.rand(2, 3, 8, 8), "hr": torch.rand(2, 3, 16, 16)})
    assert isinstance(acc, torch.Tensor) and acc.dim() == 0 and 0 <= acc <= 1


def test_bundled_weights_round_trip_through_safetensors_only(tmp_path):
    net = randomise_tail(SRResNet(2, 8, 1))
    arch = {"model": "srresnet", "scale": 2, "features": 8, "blocks": 1, "bicubic_skip": True, "batchnorm": True}
    save_bundled(net, arch, {"note": "test"}, "x2", tmp_path)
    back, card = load_bundled("x2", tmp_path)
    assert card["note"] == "test"
    x = torch.rand(1, 3, 9, 9)
    torch.testing.assert_close(back(x), net(x))
    (tmp_path / "sr-x2.safetensors").write_bytes(b"\x80\x04pickled")  # not safetensors: refused, never unpickled
    with pytest.raises(UserError, match="cannot load"):
        load_bundled("x2", tmp_path)
    with pytest.raises(UserError, match="missing"):
        load_bundled("x4", tmp_path)
    with pytest.raises(UserError, match="expected one of x2, x4, x4-mixed"):
        load_bundled("x3", tmp_path)


def small_pair() -> RoutedPair:
    """Two different small specialists and an estimator with random weights."""
    aa, al = randomise_tail(SRResNet(2, 8, 1)), randomise_tail(SRResNet(2, 8, 1))
    with torch.no_grad():
        al.tail[0].weight.neg_()
    torch.manual_seed(1)
    return RoutedPair(aa, al, DegradationEstimator(8)).eval()


def test_routed_pair_blends_by_one_weight_per_picture_whatever_the_tiling(tmp_path):
    pair = small_pair()
    x = torch.rand(2, 3, 23, 30)
    p = pair.weight(x)  # (2,)
    whole = torch.sigmoid(pair.estimator(x).mean((1, 2, 3)))  # the whole picture in one pass
    torch.testing.assert_close(pair.weight(x, tile=7), whole)  # tiles overlapping by the receptive radius: the same mean
    torch.testing.assert_close(p, whole)
    w = p.view(-1, 1, 1, 1)
    torch.testing.assert_close(pair(x), w * pair.aliased(x) + (1 - w) * pair.antialiased(x))
    assert not torch.allclose(pair.aliased(x), pair.antialiased(x))
    assert pair.weight(torch.rand(1, 3, 5, 3)).shape == (1,)  # smaller than the estimator's view: still a weight
    img = (np.random.default_rng(0).random((30, 41, 3)) * 255).astype(np.uint8)
    whole_img = upscale_rgb(pair, img, 2, tile=64, overlap=0)
    tiled = upscale_rgb(pair, img, 2, tile=12, overlap=10)  # per-tile weights would differ: the picture's is used
    assert np.abs(whole_img.astype(int) - tiled.astype(int)).max() <= 1
    ens = for_picture(SelfEnsemble(pair), torch.rand(1, 3, 12, 12))  # inside the self-ensemble too
    assert isinstance(ens, SelfEnsemble) and not isinstance(ens.net, RoutedPair)
    plain = SelfEnsemble(pair.aliased)
    assert for_picture(plain, x) is plain
    save_bundled(pair, {"model": "srresnet", "scale": 2, "features": 8, "blocks": 1, "bicubic_skip": True, "batchnorm": True},
                 {"note": "pair"}, "x4", tmp_path, dtype=torch.float16)
    back, card = load_bundled("x4", tmp_path)
    assert card["architecture"]["router"] == {"estimator_width": 8} and card["dtype"] == "float16"
    assert isinstance(back, RoutedPair) and back.aliased.tail[0].weight.dtype == torch.float32
    torch.testing.assert_close(back(x), pair(x), atol=2e-3, rtol=0)  # float16 storage: a rounding, not a change


def test_degrade_names_its_downscaler_and_the_estimator_trains_deterministically():
    hr = embedded_image("astronaut")[:64, :64]
    for kind in ("kernels", "mixed", "opencv_cubic", "bicubic"):
        a, b = np.random.default_rng(5), np.random.default_rng(5)
        lr, name = degrade_named(hr, 4, kind, a)
        assert (lr == degrade(hr, 4, kind, b)).all() and name in DOWNSCALERS  # the same draws as degrade
        assert a.random() == b.random()
    assert degrade_named(hr, 4, "opencv_cubic", np.random.default_rng(0))[1] in ALIASED
    assert aliased(4) == ALIASED
    assert (DOWNSCALERS["opencv_linear"](hr, 2) == DOWNSCALERS["opencv_area"](hr, 2)).all()  # why aliased(2) leaves it out
    assert "opencv_linear" not in aliased(2) and "opencv_cubic" in aliased(2)
    # sharpened crops: named so, labelled for the aliased specialist whatever shrank them, and sharper than unsharpened
    plain, name0 = degrade_named(hr, 4, "kernels", np.random.default_rng(7), sharpen=0.0)
    sharp, name1 = degrade_named(hr, 4, "kernels", np.random.default_rng(7), sharpen=1.0)
    assert name1 == name0 + "+sharpened" and needs_aliased(name1, 4) and needs_aliased(name1, 2)
    assert needs_aliased("opencv_cubic", 4) and not needs_aliased("opencv_area", 4) and not needs_aliased("opencv_linear", 2)
    lap = lambda im: np.abs(np.diff(im.astype(float), axis=1)).mean()  # noqa: E731 -- mean horizontal gradient
    assert plain.shape == sharp.shape and lap(sharp) > lap(plain)
    one, acc = train_estimator(3, seed=2, width=4, patch=12, batch=2, progress=False)
    two, _ = train_estimator(3, seed=2, width=4, patch=12, batch=2, progress=False)
    assert 0 <= acc <= 1 and all(torch.equal(v, two.state_dict()[k]) for k, v in one.state_dict().items())
    kernels, _ = train_estimator(3, seed=2, width=4, patch=12, batch=2, progress=False, degradation="kernels")
    assert not all(torch.equal(v, kernels.state_dict()[k]) for k, v in one.state_dict().items())  # other crops (the x2's)
    sharpened, _ = train_estimator(3, seed=2, width=4, patch=12, batch=2, progress=False, sharpen=0.5)
    with pytest.raises(ValueError, match="needs degradation kernels or mixed"):
        train_estimator(3, seed=2, width=4, patch=12, batch=2, progress=False, degradation="opencv_area", sharpen=0.5)
    assert not all(torch.equal(v, sharpened.state_dict()[k]) for k, v in one.state_dict().items())


def test_vgg_weights_from_a_local_file(tmp_path):
    from safetensors.torch import save_file
    from torchvision.models.vgg import cfgs, make_layers

    layers = make_layers(cfgs["E"])  # torchvision's VGG19 layout: keys "features.N.weight"
    state = {f"features.{k}": v for k, v in layers.state_dict().items()}
    torch.save({k: v for k, v in state.items() if k < "features.3"}, tmp_path / "partial.pth")
    with pytest.raises(UserError, match="not torchvision VGG19 weights"):
        VGGFeatures(tmp_path / "partial.pth")
    save_file(state, str(tmp_path / "vgg19.safetensors"))
    net = VGGFeatures(tmp_path / "vgg19.safetensors")
    torch.testing.assert_close(net.features[0].weight, layers[0].weight)
    assert net(torch.rand(1, 3, 32, 32)).shape == (1, 512, 2, 2)
    (tmp_path / "bad.pth").write_bytes(b"junk")
    with pytest.raises(UserError, match="bad.pth"):
        VGGFeatures(tmp_path / "bad.pth")
    with pytest.raises(UserError, match="no such file"):
        VGGFeatures(tmp_path / "missing.safetensors")


def test_init_starts_g_and_its_average_from_the_named_weights(tmp_path):
    """--set init=x4-mixed|RUN|FILE.safetensors: G starts from those weights (checked against the file), a different
    architecture or a missing file is a one-line error naming init, and a resumed run keeps its checkpoint."""
    from safetensors.torch import save_file

    from gansuite_core import Context
    from gansuite_super_resolution.game import make_game, networks

    def built(cfg: SRConfig, run_dir=None) -> dict:
        torch.manual_seed(0)
        nets = networks(cfg)
        make_game(cfg, nets, Context(torch.device("cpu"), 0, 0, 1, 0, run_dir))
        return nets["G"].state_dict()

    shipped, _ = load_bundled("x4-mixed")
    for k, v in built(SRConfig(init="x4-mixed", pretrain_steps=0, routed="no")).items():
        torch.testing.assert_close(v, shipped.state_dict()[k])
    pair, _ = load_bundled("x4")  # a routed run (the default with `mixed`) starts from a bundled pair, router included
    got = built(SRConfig(init="x4"))
    assert got.keys() == pair.state_dict().keys() and all(torch.equal(v, pair.state_dict()[k]) for k, v in got.items())
    small = SRConfig(scale=2, model="fast", features=8, routed="no")
    net = randomise_tail(build_generator("fast", 2, 8, 1, True))
    save_file(net.state_dict(), str(tmp_path / "g.safetensors"))
    got = built(SRConfig(scale=2, model="fast", features=8, routed="no", init=str(tmp_path / "g.safetensors")))
    assert all(torch.equal(v, net.state_dict()[k]) for k, v in got.items())
    (tmp_path / "run" / "checkpoints").mkdir(parents=True)  # resuming: the checkpoint, not init, has the weights
    (tmp_path / "run" / "checkpoints" / "step-00000002.safetensors").write_bytes(b"")
    fresh = built(small, tmp_path / "run")
    assert all(torch.equal(v, built(SRConfig(scale=2, model="fast", features=8, routed="no", init=str(tmp_path / "g.safetensors")),
                                      tmp_path / "run")[k]) for k, v in fresh.items())
    with pytest.raises(UserError, match=r"init=x4-mixed: .*scale 4 \(this run: 2\)"):
        built(SRConfig(scale=2, init="x4-mixed", routed="no"))
    with pytest.raises(UserError, match=r"init=x4: it is two specialists and a router, this run one generator \(routed=yes matches it\)"):
        built(SRConfig(init="x4", routed="no"))
    with pytest.raises(UserError, match=r"init=x4-mixed: it is one generator, this run two specialists and a router \(routed=no"):
        built(SRConfig(init="x4-mixed"))
    with pytest.raises(UserError, match=r"init=nowhere: expected a bundled model \(x2, x4, x4-mixed\), a run directory or a .safetensors file"):
        built(SRConfig(init="nowhere"))
    with pytest.raises(UserError, match="init=.*g.safetensors: not this run's generator"):
        built(SRConfig(scale=2, model="fast", features=16, routed="no", init=str(tmp_path / "g.safetensors")))
    with pytest.raises(UserError, match="init=.*g.safetensors: not this run's generator"):  # a pair from one generator's file
        built(SRConfig(scale=2, model="fast", features=8, init=str(tmp_path / "g.safetensors")))


def test_detail_measures_energy_and_agreement_above_the_lr_nyquist_limit():
    from gansuite_super_resolution.evaluation import detail, high_band

    hr = mod_crop(embedded_image("camera"), 4)
    truth = high_band(hr, 4)
    assert detail(truth, truth) == pytest.approx((1.0, 1.0))
    assert detail(2 * truth, truth) == pytest.approx((4.0, 1.0))
    assert detail(-truth, truth)[1] == pytest.approx(-1.0)
    bic = baselines(downscale(hr, 4), 4)["bicubic"]
    energy, corr = detail(high_band(bic, 4), truth)
    assert energy < 0.2 and 0 < corr < 1  # bicubic invents little, and what it has is partly aliasing
    noisy = np.clip(hr + np.random.default_rng(0).normal(0, 20, hr.shape), 0, 255).astype(np.uint8)
    energy, corr = detail(high_band(noisy, 4), truth)
    assert energy > 1.2 and corr < 0.9  # noise adds energy that does not line up with the truth


def test_generator_average_restarts_its_ramp_up_at_the_adversarial_stage():
    from gansuite_core import EMA
    from gansuite_super_resolution.game import StageEMA

    plain, staged = EMA(half_life=5000, batch=16), StageEMA(half_life=5000, batch=16, restart=3000)
    assert all(staged.beta(s * 16, 16) == plain.beta(s * 16, 16) for s in (0, 1, 100, 2999))  # the L1 stage: unchanged
    assert staged.beta(3000 * 16, 16) == 0.0  # the first adversarial step: the average becomes G
    assert staged.beta(3100 * 16, 16) == plain.beta(100 * 16, 16)  # then it ramps up as a new run's would
    assert plain.beta(3100 * 16, 16) > 0.99 > staged.beta(3100 * 16, 16)
    assert StageEMA(half_life=5000, batch=16).beta(3100 * 16, 16) == plain.beta(3100 * 16, 16)  # restart=0: never


def test_runs_saved_before_the_routed_options_load_as_they_were_trained(tmp_path):
    """A run saved before 2026-12-05 trained one generator; a routed run of that day, an area-only antialiased
    specialist (its config lacks `antialiased_inputs`); a run saved today names its own."""
    from gansuite_core.runs import read_config
    from gansuite_super_resolution.plugin import APP

    def options(app_options: str):
        (tmp_path / "config.toml").write_text(f'app = "super-resolution"\n\n[app_options]\nscale = 4\n{app_options}')
        return read_config(tmp_path, app=APP)[1].options

    assert not options("").is_routed
    stop41 = options('routed = "auto"\n')
    assert stop41.is_routed and stop41.antialiased_input_list == ("opencv_area",) and stop41.router_slope == 0.0
    today = options('routed = "auto"\nantialiased_inputs = "matlab_bicubic,opencv_area"\nrouter_slope = 0.2\n')
    assert today.antialiased_input_list == ("matlab_bicubic", "opencv_area") and today.router_slope == 0.2
    assert not stop41.package_photos and not today.package_photos  # stop 42's runs trained on the 13 alone
    assert options('routed = "auto"\npackage_photos = true\n').package_photos and SRConfig().package_photos
    assert SRConfig().antialiased_input_list == ("matlab_bicubic", "opencv_area") and SRConfig().router_slope == 0.2
    assert SRConfig(scale=2).antialiased_input_list == ("opencv_area",)  # auto: area alone at x2
    assert (today.router_edge_weighted, today.router_blend_scale) == (False, 1.0)  # stop 43's runs: plain means, scale 1
    assert (SRConfig().router_edge_weighted, SRConfig().router_blend_scale) == (True, 3.4)
    assert (SRConfig(scale=3).router_edge_weighted, SRConfig(scale=3).router_blend_scale) == (True, 3.4)
    assert (SRConfig(scale=2).router_edge_weighted, SRConfig(scale=2).router_blend_scale) == (False, 1.0)  # auto at x2
    assert (SRConfig(scale=2, router_edges="yes", router_scale="2").router_edge_weighted,
            SRConfig(scale=2, router_edges="yes", router_scale="2").router_blend_scale) == (True, 2.0)


def test_an_edge_weighted_router_loss_and_a_scaled_blend():
    """router_edges: a crop's logit is its logit map's mean weighted by edge strength (a flat crop's is its plain
    mean); router_scale multiplies the picture's mean logit before the sigmoid, in training's networks too."""
    from gansuite_super_resolution.game import networks
    from gansuite_super_resolution.losses import edge_strength, estimator_loss

    torch.manual_seed(0)
    est = DegradationEstimator(8, 0.2)
    x = torch.rand(3, 3, 20, 20)
    x[2] = 0.5  # flat: every weight is the floor, so the weighted mean is the plain one
    y = torch.tensor([1.0, 0.0, 1.0])
    m = est(x)  # (3, 1, 12, 12)
    e = edge_strength(x, est.radius)
    assert e.shape == m.shape and bool((e >= 0.01).all()) and torch.allclose(e[2], torch.full_like(e[2], 0.01))
    weighted = (m * e).sum((1, 2, 3)) / e.sum((1, 2, 3))
    assert torch.allclose(estimator_loss(est, x, y, edges=True)[0], F.binary_cross_entropy_with_logits(weighted, y))
    assert torch.allclose(estimator_loss(est, x, y)[0], F.binary_cross_entropy_with_logits(m.mean((1, 2, 3)), y))
    assert torch.allclose(weighted[2], m[2].mean()) and not torch.allclose(weighted[:2], m[:2].mean((1, 2, 3)))
    pair = small_pair()
    lr = torch.rand(1, 3, 24, 24)
    with torch.no_grad():
        mean_logit = pair.estimator(lr).mean()
        pair.logit_scale = 3.4
        assert torch.allclose(pair.weight(lr), torch.sigmoid(3.4 * mean_logit).view(1), atol=1e-6)
    assert networks(SRConfig(router_scale="2.5"))["G"].logit_scale == 2.5
    for bad in ("0", "-1", "big"):
        with pytest.raises(ValueError, match=f"router_scale={bad}: expected auto or a number > 0"):
            SRConfig(router_scale=bad)
    with pytest.raises(ValueError, match="router_edges=maybe: expected auto, yes or no"):
        SRConfig(router_edges="maybe")


def test_a_leaky_router_still_tells_pictures_apart_where_a_relu_one_went_dead():
    """The failure a ReLU router met in one routed run: a layer whose units are all below zero gives every picture
    the same P. With router_slope > 0 the same weights still give different pictures different logits."""
    torch.manual_seed(0)
    x = torch.rand(4, 3, 20, 20)
    for slope, constant in ((0.0, True), (0.2, False)):
        est = DegradationEstimator(8, slope)
        with torch.no_grad():
            est.body[4].bias.fill_(-100.0)  # the third convolution's units never fire
        logits = est(x).mean((1, 2, 3))  # (4,)
        assert bool(torch.allclose(logits, logits[0].expand(4))) == constant, (slope, logits)
    with pytest.raises(ValueError, match=r"router_slope=1.5: expected a slope in \[0, 1\)"):
        SRConfig(router_slope=1.5)


def test_evaluate_says_when_a_router_gives_every_picture_the_same_weight():
    from gansuite_super_resolution.evaluation import router_warning, score

    hr = (np.random.default_rng(0).random((48, 40, 3)) * 255).astype(np.uint8)
    pair = small_pair()
    with torch.no_grad():
        pair.estimator.body[-1].weight.mul_(100)  # a random router that does tell these two pictures apart
    assert "router_warning" not in score(pair, [("noise", hr), ("flat", hr // 4 + 100)], 2, torch.device("cpu"))
    with torch.no_grad():
        pair.estimator.body[-1].weight.zero_()  # the last layer ignores its input: one P for everything
    report = score(pair, [("noise", hr), ("flat", hr // 4 + 100)], 2, torch.device("cpu"))
    assert report["router_warning"].startswith("the router gives every picture P(aliased) 0.")
    assert router_warning({"a": [0.2, 0.2]}) and not router_warning({"a": [0.2], "b": [0.25]}) and not router_warning({})


def test_the_package_photos_are_natural_colour_pictures_apart_from_the_held_out_ones():
    """package_photos adds scikit-learn's and matplotlib's sample photographs, read from the installed packages;
    they are new pictures (not a held-out one under another name) and large enough for the router's crops."""
    from gansuite_super_resolution.data import EVAL_IMAGES, PACKAGE_PHOTOS, TRAIN_IMAGES
    from gansuite_super_resolution.game import training_images

    held_out = [embedded_image(n) for n in EVAL_IMAGES]
    for name in PACKAGE_PHOTOS:
        img = embedded_image(name)
        assert img.dtype == np.uint8 and img.ndim == 3 and img.shape[2] == 3 and min(img.shape[:2]) >= 2 * 16 * 4
        assert img.std(axis=2).mean() > 5  # colour, not grey repeated
        assert all(img.shape != h.shape or not np.array_equal(img, h) for h in held_out)
    assert len(training_images(SRConfig())) == len(TRAIN_IMAGES) + len(PACKAGE_PHOTOS)
    assert len(training_images(SRConfig(package_photos=False))) == len(TRAIN_IMAGES)
