"""video-prediction: losses, data sources, rollout, baselines with known answers."""
from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
import torch
from torch import nn

from gansuite_core import UserError
from gansuite_video_prediction import data as vd
from gansuite_video_prediction.losses import d_inputs, d_loss_bce, g_loss_adv, gdl_loss, lp_loss, prediction_losses
from gansuite_video_prediction.config import VideoConfig
from gansuite_video_prediction.evaluation import copy_last, flow_extrapolate, frame_scores, predict_all, score
from gansuite_video_prediction.game import make_game
from gansuite_video_prediction.models import (MultiScaleDiscriminator, MultiScaleGenerator, ShiftKernelGenerator, SimVPGenerator,
                                              make_networks, rollout, shifted, warp)


# --------------------------------------------------------------------------- losses


def test_lp_loss_values():
    a, b = torch.zeros(1, 1, 2, 2), torch.full((1, 1, 2, 2), 0.5)
    assert lp_loss(a, a, 2) == 0
    assert lp_loss(a, b, 1).item() == pytest.approx(0.5)
    assert lp_loss(a, b, 2).item() == pytest.approx(0.25)


def test_gdl_penalises_blur_not_brightness_offset():
    sharp = torch.zeros(1, 1, 16, 16)
    sharp[..., 4:12, 4:12] = 1.0
    blurred = torch.nn.functional.avg_pool2d(sharp, 5, 1, 2)
    assert gdl_loss(sharp, sharp) == 0
    assert gdl_loss(sharp + 0.3, sharp) == pytest.approx(0.0, abs=1e-6)  # a constant offset has the same gradients
    assert gdl_loss(blurred, sharp) > 0.05


def test_prediction_losses_switch_terms_off():
    y = [torch.rand(2, 1, 8, 8), torch.rand(2, 1, 16, 16)]
    target = torch.rand(2, 1, 16, 16)
    both, logs = prediction_losses(y, target, p=2, lam_lp=1.0, lam_gdl=1.0, alpha=1.0)
    lp_only, logs_lp = prediction_losses(y, target, p=2, lam_lp=1.0, lam_gdl=0.0, alpha=1.0)
    assert set(logs) == {"lp", "gdl"} and set(logs_lp) == {"lp"}
    assert both.item() == pytest.approx((logs["lp"] + logs["gdl"]).item())
    assert lp_only.item() == pytest.approx(logs["lp"].item())


def test_adversarial_terms():
    hi, lo = torch.full((4, 2), 5.0), torch.full((4, 2), -5.0)
    assert g_loss_adv(hi) < 0.01 < g_loss_adv(lo)  # G wants D to call its frames real
    assert d_loss_bce(hi, lo) < 0.02 < d_loss_bce(lo, hi)
    seq = torch.arange(5.0).view(1, 5, 1, 1, 1).expand(2, 5, 1, 2, 2)
    w = d_inputs(seq, 2)  # frames 2, 3, 4 each with two predecessors
    assert w.shape == (6, 3, 1, 2, 2) and w[0, :, 0, 0, 0].tolist() == [0, 1, 2] and w[-1, :, 0, 0, 0].tolist() == [2, 3, 4]


def test_ablation_config_has_no_discriminator():
    cfg = VideoConfig(lam_adv=0.0, lam_gdl=0.0)
    nets = make_networks(cfg)
    assert set(nets) == {"G"}
    from gansuite_core import Context

    game = make_game(cfg, nets, Context(torch.device("cpu"), 0, 0, 1, 0, None))
    assert [p.name for p in game.phases] == ["G"] and game.judge is None
    assert set(make_networks(VideoConfig())) == {"G", "D"}
    with pytest.raises(ValueError, match="not all 0"):
        VideoConfig(lam_lp=0, lam_gdl=0, lam_adv=0)
    with pytest.raises(ValueError, match="data="):
        VideoConfig(data="/no/such/folder")
    with pytest.raises(ValueError, match="shift_window=4: expected an odd"):
        VideoConfig(shift_window=4)


# --------------------------------------------------------------------------- models and rollout


class _PlusOne(nn.Module):
    """A 'generator' whose prediction is the last frame + 1 (one scale), to check what rollout feeds back."""

    def __init__(self) -> None:
        super().__init__()
        self.scale = nn.Parameter(torch.ones(()))

    def forward(self, ctx: torch.Tensor) -> list[torch.Tensor]:
        self.seen = ctx
        return [ctx[:, -1] + self.scale]


def test_rollout_feeds_predictions_back_with_gradients():
    g = _PlusOne()
    ctx = torch.zeros(1, 3, 1, 2, 2)
    out = rollout(g, ctx, 4)
    assert [float(f.detach().mean()) for f in out] == [1.0, 2.0, 3.0, 4.0]
    assert g.seen[0, :, 0, 0, 0].tolist() == [1.0, 2.0, 3.0]  # the last call saw only its own predictions (K = 3)
    out[-1].sum().backward()
    assert g.scale.grad.item() == pytest.approx(4 * 4)  # d/d(scale) of 4 stacked +scale steps, 4 pixels


def test_warp_moves_content_by_the_flow():
    img = torch.zeros(1, 1, 16, 16)
    img[..., 6:10, 6:10] = 1
    flow = torch.zeros(1, 2, 16, 16)
    flow[:, 0] = -2.0  # sample from 2 px to the left: the square moves 2 px right
    moved = warp(img, flow)
    assert torch.allclose(moved[..., 6:10, 8:12], torch.ones(1, 1, 4, 4), atol=1e-5) and moved[..., 6:10, 6:8].abs().max() < 1e-5
    assert torch.allclose(warp(img, torch.zeros(1, 2, 16, 16)), img, atol=1e-5)


@pytest.mark.parametrize("use_warp", [False, True])
def test_untrained_generators_copy_the_last_frame(use_warp):
    ctx = torch.rand(2, 4, 3, 32, 32) * 2 - 1
    for G in (MultiScaleGenerator(4, 3, 32, 3, 4, use_warp), SimVPGenerator(4, 3, 4, use_warp)):
        assert torch.allclose(G(ctx)[-1], ctx[:, -1], atol=1e-5)
        G(ctx)[-1].sum().backward()  # and it can learn: the last layer gets a gradient
        assert any(p.grad is not None and p.grad.abs().sum() > 0 for p in G.parameters())


def test_shifted_moves_content_by_d():
    x = torch.zeros(1, 1, 9, 9)
    x[..., 4, 4] = 1
    s = shifted(x, 1)  # (1, 1, 9, 9, 9): index (dy + 1) * 3 + (dx + 1) is x(p - d)
    for i, (dy, dx) in enumerate((dy, dx) for dy in (-1, 0, 1) for dx in (-1, 0, 1)):
        assert s[0, 0, i, 4 + dy, 4 + dx] == 1 and s[0, 0, i].sum() == 1
    assert torch.equal(shifted(x, 1, 2)[0, 0, 8, 6, 6], torch.tensor(1.0))  # stride 2: d = (1, 1) moves it 2 px


def _moving_square(vy: int, vx: int, frames: int = 4, size: int = 40) -> torch.Tensor:
    clip = -torch.ones(1, frames, 1, size, size)
    for t in range(frames):  # inside the frame for |v| <= 4 px and 5 frames
        y, x = 17 + vy * t, 17 + vx * t
        clip[0, t, 0, y: y + 6, x: x + 4] = 1
        clip[0, t, 0, y + 2, x + 1] = -1  # a hole, so the square has texture of its own
    return clip


@pytest.mark.parametrize("v", [(2, 3), (-3, 1), (0, -4)])
def test_untrained_shift_generator_extrapolates_constant_velocity(v):
    G = ShiftKernelGenerator(1, width=4, radius=4)
    clip = _moving_square(*v, frames=5)
    pred = G(clip[:, :4])[0]
    assert (pred - clip[:, 4]).abs().max() < 0.05  # an exact integer shift: the square keeps its edges and its hole
    assert (clip[:, 3] - clip[:, 4]).abs().max() > 1.9  # while copy-last is wrong by the full contrast
    pred.sum().backward()
    assert G.beta.grad is not None and G.net[-1].weight.grad.abs().sum() > 0  # and it can learn


def test_kernel_temperature_divides_every_logit():
    torch.manual_seed(0)
    clip = _moving_square(2, 3, frames=3) + 0.6 * torch.randn(1, 3, 1, 40, 40)  # noisy: the kernel is a real mixture
    warm = ShiftKernelGenerator(1, width=4, radius=4, window=5, correction=False)
    torch.nn.init.normal_(warm.net[-1].weight, std=0.1)  # a trained-looking net, so its logits are divided too
    cold = ShiftKernelGenerator(1, width=4, radius=4, window=5, correction=False, temperature=0.5)
    cold.load_state_dict(warm.state_dict())
    with torch.no_grad():
        a, b = warm(clip[:, :2])[0], cold(clip[:, :2])[0]
        assert (a - b).abs().max() > 0.1  # the temperature changes the prediction
        warm.alpha.mul_(2)
        warm.net[-1].weight.mul_(2)
        warm.net[-1].bias.mul_(2)
        assert torch.allclose(warm(clip[:, :2])[0], b, atol=1e-5)  # exactly the logits doubled
    with pytest.raises(ValueError):
        VideoConfig(shift_temperature=0.0)


def test_prediction_support_truncates_the_kernel_in_eval_mode_only():
    torch.manual_seed(0)
    clip = _moving_square(2, 3, frames=3) + 0.6 * torch.randn(1, 3, 1, 40, 40)  # noisy: the kernel is a real mixture
    G = ShiftKernelGenerator(1, width=4, radius=4, window=5, correction=False)
    torch.nn.init.normal_(G.net[-1].weight, std=0.1)
    with torch.no_grad():
        full = G(clip[:, :2])[0]
        G.predict_support = 1
        assert torch.equal(G(clip[:, :2])[0], full)  # training mode: every shift
        G.eval()
        kernel = torch.softmax(torch.randn(2, 81, 5, 5), 1)
        cut = G._truncated(kernel)
        assert torch.allclose(cut.sum(1), torch.ones(2, 5, 5))
        best = kernel.argmax(1)  # (2, 5, 5)
        kept = (cut > 0).sum(1)
        by, bx = best // 9, best % 9
        expect = (torch.minimum(by + 1, torch.full_like(by, 8)) - torch.clamp(by - 1, min=0) + 1) * \
                 (torch.minimum(bx + 1, torch.full_like(bx, 8)) - torch.clamp(bx - 1, min=0) + 1)
        assert torch.equal(kept, expect)  # the 3x3 shifts around the best one (fewer at the radius)
        assert torch.equal(cut.argmax(1), best)
        assert (G(clip[:, :2])[0] - full).abs().max() > 0.01  # eval mode: the truncated kernel
        G.predict_support = 0
        assert torch.allclose(G(clip[:, :2])[0], full, atol=1e-6)  # 0: every shift, as before
    assert make_networks(VideoConfig(shift_predict_support=2))["G"].predict_support == 2
    with pytest.raises(ValueError):
        VideoConfig(shift_predict_support=-1)


@pytest.mark.parametrize("v", [(2, 3), (-3, 1), (0, -4)])
def test_a_wide_cost_window_moves_a_flat_object_whole(v):
    clip = -torch.ones(1, 5, 1, 48, 48)
    for t in range(5):  # a uniform 12-px square: its inside matches every velocity, only its edges tell
        clip[0, t, 0, 18 + v[0] * t: 30 + v[0] * t, 18 + v[1] * t: 30 + v[1] * t] = 1
    with torch.no_grad():
        torn = ShiftKernelGenerator(1, width=4, radius=4, window=5)(clip[:, :4])[0]
        whole = ShiftKernelGenerator(1, width=4, radius=4, window=13)(clip[:, :4])[0]
    assert (torn - clip[:, 4]).abs().max() > 1.0  # a 5-px window leaves the inside behind
    assert (whole - clip[:, 4]).abs().max() < 0.2  # a 13-px window sees the edges from the inside


@pytest.mark.parametrize("window", [1, 5, 13])
def test_cost_box_is_the_window_mean_with_repeated_borders(window):
    cost = torch.rand(2, 3, 17, 19)
    box = ShiftKernelGenerator(1, width=4, radius=1, window=window)._box(cost)
    padded = torch.nn.functional.pad(cost, (window // 2,) * 4, mode="replicate")
    assert torch.allclose(box, torch.nn.functional.avg_pool2d(padded, window, 1), atol=1e-5)


def _square_frames(positions: list[tuple[int, int]], size: int = 32) -> torch.Tensor:
    """(T, 1, size, size): a 6x4 square with a hole at each top-left corner (y, x)."""
    c = -torch.ones(len(positions), 1, size, size)
    for t, (y, x) in enumerate(positions):
        c[t, 0, y: y + 6, x: x + 4] = 1
        c[t, 0, y + 2, x + 1] = -1
    return c


def test_reflection_gate_starts_as_today_and_reflects_exactly():
    # up and right, then reflected at the top wall: its box touches the wall, the square keeps a 3-px margin as glyphs do
    clip = _square_frames([(6, 10), (3, 12), (6, 14)])
    plain = ShiftKernelGenerator(1, width=4, radius=4, window=13)
    gated = ShiftKernelGenerator(1, width=4, radius=4, window=13, reflect=True)
    gated.load_state_dict(plain.state_dict(), strict=False)
    with torch.no_grad():
        today = plain(clip[None, :2])[0]
        assert (gated.train()(clip[None, :2])[0] - today).abs().max() < 0.02  # training: soft gates ~0.0025
        assert torch.equal(gated.eval()(clip[None, :2])[0], today)  # eval mode commits them: shut, exactly today's G
        assert (today - clip[2]).abs().max() > 1.9  # today's G carries the square into the wall
        gated.gate.net[-1].bias.copy_(torch.tensor([1.0, -1.0]))  # gate y open, gate x shut
        assert (gated(clip[None, :2])[0] - clip[2]).abs().max() < 0.05  # the y-reflection is an exact shift


def test_reflection_gate_learns_where_the_wall_is():
    torch.manual_seed(0)
    # the same velocity (-3, 2) twice: at the top wall the square bounces, in the middle it moves on
    bounce = _square_frames([(6, 10), (3, 12), (6, 14)])
    free = _square_frames([(20, 10), (17, 12), (14, 14)])
    clips = torch.stack([bounce, free])  # (2, 3, 1, 32, 32)
    G = ShiftKernelGenerator(1, width=4, radius=4, window=13, reflect=True)
    opt = torch.optim.Adam(G.gate.parameters(), lr=1e-2)  # the gate alone: the rest stays today's block matcher
    with torch.no_grad():
        before = (G(clips[:, :2])[0] - clips[:, 2]).pow(2).mean((1, 2, 3))
    for _ in range(40):
        loss = (G(clips[:, :2])[0] - clips[:, 2]).pow(2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    with torch.no_grad():
        after = (G.eval()(clips[:, :2])[0] - clips[:, 2]).pow(2).mean((1, 2, 3))  # gates committed
    assert after[0] < 0.2 * before[0]  # it reflects at the wall
    assert after[1] < 1e-3 and before[1] < 1e-3  # and not in the middle


def test_generator_and_discriminator_shapes():
    G, D = MultiScaleGenerator(4, 3, 32, 3, 4), MultiScaleDiscriminator(3, 32, 3, 4)
    ys = G(torch.rand(2, 4, 3, 32, 32) * 2 - 1)
    assert [y.shape[-1] for y in ys] == [8, 16, 32] and ys[-1].shape == (2, 3, 32, 32)
    assert D(torch.rand(5, 3, 3, 32, 32)).shape == (5, 3)
    assert len(rollout(G, torch.zeros(2, 4, 3, 32, 32), 3, all_scales=True)[0]) == 3


# --------------------------------------------------------------------------- data sources


def test_moving_digits_clips():
    a = vd.moving_digits(np.random.default_rng(3), 20)
    b = vd.moving_digits(np.random.default_rng(3), 20)
    assert a.shape == (20, 1, 64, 64) and a.min() >= 0 and a.max() <= 1
    np.testing.assert_array_equal(a, b)  # a pure function of the rng
    assert 0.02 < (a > 0.5).mean() < 0.3  # two glyphs, not empty, not a blob
    assert not np.array_equal(a[0], a[1])  # they move
    path = vd.bounce_path(np.random.default_rng(0), 200, 36, 3.6)
    assert path.min() >= 0 and path.max() <= 36  # reflected at the walls
    steps = np.abs(np.diff(path, axis=0)).max(1)
    assert steps.max() <= 4  # 3.6 px/frame, rounded
    test1 = vd.Procedural("moving-digits", 20, 64).test_set(3)
    test2 = vd.Procedural("moving-digits", 20, 64).test_set(3)
    assert torch.equal(test1, test2) and test1.shape == (3, 20, 1, 64, 64)


def test_bouncing_shapes_are_coloured():
    clip = vd.bouncing_shapes(np.random.default_rng(1), 8)
    assert clip.shape == (8, 3, 64, 64) and clip.max() > 0.3
    assert np.abs(clip[:, 0] - clip[:, 1]).max() > 0.05 or np.abs(clip[:, 1] - clip[:, 2]).max() > 0.05


def test_skimage_gif_is_a_real_clip():
    frames = vd.read_frames(vd.skimage_gif())
    assert frames.dtype == np.uint8 and frames.shape[0] >= 20 and frames.shape[-1] == 3
    vids = vd.real_videos("skimage-gif", 20, 32, 1, 0)
    assert vids[0].shape[1:] == (1, 32, 32) and vids[0].min() >= -1 and vids[0].max() <= 1


def _write_video(path: Path, frames: int, size=(40, 30)) -> None:
    w = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 10, size)
    for t in range(frames):
        img = np.zeros((size[1], size[0], 3), np.uint8)
        cv2.rectangle(img, (2 + t, 5), (10 + t, 13), (0, 200, 255), -1)
        w.write(img)
    w.release()


def test_folder_of_videos_skips_short_and_unreadable(tmp_path, capsys):
    _write_video(tmp_path / "long.avi", 12)
    _write_video(tmp_path / "short.avi", 4)
    (tmp_path / "notes.mp4").write_text("this is not a video")
    frames_dir = tmp_path / "frames"
    frames_dir.mkdir()
    for t in range(10):
        cv2.imwrite(str(frames_dir / f"{t:03d}.png"), np.full((16, 16, 3), 20 * t, np.uint8))
    vids = vd.scan_folder(tmp_path, 8, 16, 3, 0)
    err = capsys.readouterr().err
    assert len(vids) == 2 and all(v.shape[1:] == (3, 16, 16) for v in vids)
    assert "1 unreadable" in err and "notes.mp4" in err and "short.avi (4)" in err
    with pytest.raises(UserError, match="no video with at least 30"):
        vd.scan_folder(tmp_path, 30, 16, 3, 0, quiet=True)
    with pytest.raises(UserError, match="OpenCV reads no frames"):
        vd.read_frames(tmp_path / "notes.mp4")
    src = vd.Windows(vids, 8)
    assert len(src) == (12 - 7) + (10 - 7)


def test_windows_flip_half_the_time_from_the_rng():
    clip = torch.arange(2 * 1 * 2 * 3.0).view(2, 1, 2, 3)  # not symmetric: a flip changes it
    src = vd.Windows([clip], 2)
    flips = [bool(torch.equal(src.load(0, np.random.default_rng(s)), clip.flip(-1))) for s in range(64)]
    same = [bool(torch.equal(src.load(0, np.random.default_rng(s)), clip)) for s in range(64)]
    assert all(a != b for a, b in zip(flips, same))  # each load is the clip or its mirror, nothing else
    assert 20 < sum(flips) < 44  # both outcomes occur, about half each
    assert flips == [bool(torch.equal(src.load(0, np.random.default_rng(s)), clip.flip(-1))) for s in range(64)]  # rng decides


def test_camera_clips_pan_and_keep_photos_apart():
    assert not set(vd.CAMERA_TRAIN) & set(vd.CAMERA_TEST)
    train = vd.Procedural("camera", 12, 64, objects=0)
    clip = train.clip(np.random.default_rng(5)).numpy()
    assert clip.shape == (12, 3, 64, 64) and -1 <= clip.min() and clip.max() <= 1
    assert np.abs(np.diff(clip, axis=0)).mean() > 0.005  # the camera moves
    again = train.clip(np.random.default_rng(5)).numpy()
    np.testing.assert_array_equal(clip, again)
    seen = []
    real = vd.photo
    try:
        vd.photo = lambda name: (seen.append(name), real(name))[1]
        vd.Procedural("camera", 4, 32, test=True).test_set(6)
    finally:
        vd.photo = real
    assert seen and set(seen) <= set(vd.CAMERA_TEST)
    grey = vd.Procedural("camera", 4, 32, channels=1).clip(np.random.default_rng(0))
    assert grey.shape == (4, 1, 32, 32)


# --------------------------------------------------------------------------- baselines and metrics


def test_mse_follows_openstl_convention():
    mse, psnr, ssim, _ = frame_scores(np.zeros((16, 16, 1), np.uint8), np.full((16, 16, 1), 255, np.uint8))
    assert mse == pytest.approx(256.0)  # sum over 256 pixels of (1 - 0)^2
    assert frame_scores(np.full((16, 16, 1), 9, np.uint8), np.full((16, 16, 1), 9, np.uint8))[0] == 0


def test_baselines_on_a_static_clip_are_exact():
    rng = np.random.default_rng(0)
    frame = cv2.GaussianBlur(rng.integers(0, 255, (32, 32, 3)).astype(np.uint8), (5, 5), 0)
    clip = np.repeat(frame[None], 8, 0)[None]  # (1, 8, 32, 32, 3): nothing moves
    for fn in (copy_last, flow_extrapolate):
        s = score(predict_all(fn, clip, 4, 4), clip, 4)
        assert max(s["mse"]) == pytest.approx(0.0, abs=1e-9)


def test_flow_extrapolates_a_constant_velocity_square():
    def frame(t):
        img = np.zeros((64, 64, 1), np.uint8)
        img[24:36, 8 + 2 * t: 20 + 2 * t] = 220  # a 12-px square, 2 px/frame to the right
        return img

    clip = np.stack([frame(t) for t in range(10)])[None]  # (1, 10, 64, 64, 1)
    flow = score(predict_all(flow_extrapolate, clip, 6, 4), clip, 6)
    last = score(predict_all(copy_last, clip, 6, 4), clip, 6)
    assert all(f < 0.35 * c for f, c in zip(flow["mse"], last["mse"]))  # flow knows where it goes
    assert last["mse"][0] < last["mse"][-1]  # copy-last gets worse with the horizon
    assert flow["ssim"][-1] > last["ssim"][-1]


# --------------------------------------------------------------------------- reference weighting (issue 18.7)


def test_sum_reduction_is_the_reference_codes_per_clip_sums():
    from gansuite_video_prediction.losses import d_inputs_per_scale

    a, b = torch.zeros(2, 1, 4, 4), torch.full((2, 1, 4, 4), 0.5)
    assert lp_loss(a, b, 2, "sum").item() == pytest.approx(16 * 0.25)  # summed over 16 pixels, mean over the 2 clips
    y = [torch.rand(2, 1, 8, 8), torch.rand(2, 1, 16, 16)]
    target = torch.rand(2, 1, 16, 16)
    mean, _ = prediction_losses(y, target, p=2, lam_lp=1.0, lam_gdl=0.0, alpha=1.0)
    summed, _ = prediction_losses(y, target, p=2, lam_lp=1.0, lam_gdl=0.0, alpha=1.0, reduction="sum")
    per_scale = [lp_loss(s, torch.nn.functional.adaptive_avg_pool2d(target, s.shape[-1]), 2) for s in y]
    assert mean.item() == pytest.approx(sum(per_scale).item() / 2)
    assert summed.item() == pytest.approx((per_scale[0] * 64 + per_scale[1] * 256).item(), rel=1e-5)
    logits = torch.tensor([[0.0, 10.0], [0.0, 10.0]])
    assert g_loss_adv(logits, "sum").item() == pytest.approx(2 * g_loss_adv(logits).item())
    seq = torch.rand(2, 4, 1, 16, 16)  # two context frames, two predictions
    cands = [[torch.zeros(2, 1, 8, 8), seq[:, 2]], [torch.ones(2, 1, 8, 8), seq[:, 3]]]
    per = d_inputs_per_scale(seq, cands, [8, 16])
    assert per[0].shape == (4, 3, 1, 8, 8) and per[0][:2, 2].abs().max() == 0 and (per[0][2:, 2] == 1).all()  # D sees G's own scale
    assert torch.equal(per[1], d_inputs(seq, 2))


@pytest.mark.parametrize("opts", [dict(reduction="sum", lam_adv=0.05, d_scales="each"), dict(generator="simvp", d_scales="each"),
                                  dict(generator="shift", shift_radius=2), dict(generator="shift", shift_correction=False),
                                  dict(generator="shift", shift_window=9), dict(generator="shift", shift_reflect=True),
                                  dict(generator="shift", shift_temperature=0.5)])
def test_variants_train_a_step(opts):
    from gansuite_core import Context

    cfg = VideoConfig(size=32, scales=2, width=4, d_width=4, context=3, train_horizon=2, batch=2, adv_start=0, **opts)
    nets = make_networks(cfg)
    game = make_game(cfg, nets, Context(torch.device("cpu"), 0, 0, 1, 0, None))
    clip = next(game.data)
    for phase in game.phases:
        loss, logs = phase.loss(nets, clip, 1)
        loss.backward()
        assert torch.isfinite(loss) and all(v.ndim == 0 for v in logs.values())
    assert game.judge_accuracy(nets, clip).ndim == 0

