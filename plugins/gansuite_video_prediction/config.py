"""The options of `video-prediction` (`--set key=value`); each field's comment is its --help line."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

SOURCES = ("moving-digits", "camera", "bouncing-shapes", "skimage-gif")
GENERATORS = ("multiscale", "simvp", "shift")


@dataclass(frozen=True)
class VideoConfig:
    data: str = "moving-digits"  # moving-digits | camera | bouncing-shapes | skimage-gif | a FOLDER of videos (files OpenCV reads, or sub-folders of frames)
    objects: int = 1  # data=camera: up to this many moving objects (discs, squares) in front of the photograph (0: none)
    context: int = 10  # K: frames the generator sees before predicting
    horizon: int = 10  # H: frames rolled out at evaluation, in snapshots and by `gansuite predict`
    train_horizon: int = 6  # frames rolled out per training clip, gradients flowing through the fed-back predictions (6: digits MSE 300 against 334 at 2, measured)
    size: int = 64  # the model's square frame size; videos of another size are resized to it
    channels: int = 0  # 1 (grey) or 3 (RGB); 0: 1 for moving-digits, 3 for the other sources
    generator: str = "shift"  # shift (cost volume of the last two frames -> per-pixel shift kernels on the last frame, after FlowNet and DNA) | multiscale (Mathieu et al. 2016) | simvp (encoder-translator-decoder, Gao et al. 2022)
    shift_radius: int = 4  # generator=shift: largest motion in px per frame it can represent (kernels of (2r+1)^2 shifts)
    shift_correction: bool = False  # generator=shift: add a learned pixel correction to the shifted frame (hazes the background by 300 steps on digits: measured)
    shift_window: int = 13  # generator=shift: side of the square over which a velocity's matching cost is averaged (13: flat objects move whole; 5 tore them, SSIM 0.63 against 0.67 on digits)
    shift_reflect: bool = False  # generator=shift: per-pixel gates (a 1/4-resolution branch that sees the wall distances) mix in hypotheses for the velocity reflected at a wall, (vy, vx) -> (-vy, vx), (vy, -vx), for objects that bounce (digits: sharper, SSIM 0.684 against 0.681, MSE 317 against 308; camera: MSE above flow's at h=10; 2.2x G's CPU: measured)
    shift_temperature: float = 1.0  # generator=shift: softmax temperature of the shift kernel, in training and prediction (256 clips, 0.75: sharpness at h=10 35 % / 45 % of the truth's on digits / camera against 21 % / 32 %, MSE still below flow's at every horizon, on camera at h=10 by 0.1; seed 1: digits 27 %, camera tied with flow at h=10; 0.5: digits 48 % but MSE above flow's from h=5; measured)
    shift_predict_support: int = 2  # generator=shift: in eval mode (evaluate, predict, snapshots) keep only the kernel's shifts within this many px (per axis) of its largest weight, renormalised; training unchanged (0: every shift). 2, chosen on validation clips (256 test clips, seeds 0 / 1): sharpness at h=10 49 % / 55 % of the truth's on digits, 35 % / 35 % on camera, against 21 % / 25 % and 32 % / 33 % with 0; MSE and SSIM still beat copy-last and flow at every horizon, by >= 4.8 / 3.5 MSE on digits / camera and >= 0.002 SSIM (digits, h=1-2); digits mean MSE 318 against 301; measured
    warp: bool = False  # G outputs a flow field that warps the last frame plus a masked correction, instead of pixels alone
    scales: int = 4  # pyramid levels of the multiscale G and of D (paper: 4); size must be divisible by 2^(scales-1)
    width: int = 8  # G's base width w: multiscale [w, 2w, w] and [w, 2w, 2w, w]; simvp hidden channels 2w
    d_width: int = 8  # D's base width per scale (paper: 64-128 channels, FC 1024-512)
    batch: int = 4  # clips per batch
    lr: float = 5e-4  # Adam learning rate of G
    d_lr: float = 2e-4  # Adam learning rate of D
    p: int = 2  # the image distance: 1 (L1) or 2 (L2)
    lam_lp: float = 1.0  # weight of the Lp term (0 switches it off)
    lam_gdl: float = 1.0  # weight of the gradient difference loss (0 switches it off)
    gdl_alpha: float = 1.0  # GDL exponent alpha (paper: 1)
    lam_adv: float = 0.04  # weight of the adversarial term (0: no D at all, the ablation); relative to `reduction`; 0.04: sharper digits than 0.01 for MSE 308 against 300; 0.1 lost MSE to flow (measured)
    reduction: str = "mean"  # mean: Lp/GDL per-pixel means | sum: per-clip sums over pixels, as the reference code (then lam_adv=0.05)
    d_scales: str = "finest"  # finest: D sees G's finest frame downsampled | each: D's scale k sees G's own scale-k output (reference code)
    adv_start: int = 150  # steps of prediction-loss-only training before D and the adversarial term start
    ema_images: float = 300.0  # half-life of G's weight average in training clips, ramped up over the first 20x (0: no EMA copy)
    test_clips: int = 256  # clips in the fixed test set used by evaluate (procedural and camera: seeded; folders: held-out videos)
    max_frames: int = 2000  # frames read per user video (0: all)

    def __post_init__(self) -> None:
        if self.data not in SOURCES and not Path(self.data).expanduser().is_dir():
            raise ValueError(f"data={self.data!r}: expected one of {', '.join(SOURCES)} or an existing folder of videos")
        if self.data not in SOURCES:  # a folder: stored absolute, so evaluate and predict work from any directory
            object.__setattr__(self, "data", os.path.abspath(os.path.expanduser(self.data)))
        if self.context < 2:
            raise ValueError(f"context={self.context}: need at least 2 frames (the discriminator and optical flow use two)")
        if self.horizon < 1 or self.train_horizon < 1:
            raise ValueError("horizon and train_horizon must be at least 1")
        if self.channels not in (0, 1, 3):
            raise ValueError(f"channels={self.channels}: expected 0 (automatic), 1 or 3")
        if self.generator not in GENERATORS:
            raise ValueError(f"generator={self.generator!r}: expected one of {', '.join(GENERATORS)}")
        if self.scales < 1 or self.size % 2 ** (self.scales - 1) or self.size // 2 ** (self.scales - 1) < 4:
            raise ValueError(f"size={self.size}, scales={self.scales}: size must be divisible by 2^(scales-1) with a coarsest scale of at least 4 px")
        if self.generator == "simvp" and self.size % 4:
            raise ValueError(f"size={self.size}: generator=simvp needs a size divisible by 4")
        if self.shift_window < 1 or self.shift_window % 2 == 0:
            raise ValueError(f"shift_window={self.shift_window}: expected an odd number of pixels >= 1")
        if self.shift_temperature <= 0:
            raise ValueError(f"shift_temperature={self.shift_temperature}: expected > 0")
        if self.shift_predict_support < 0:
            raise ValueError(f"shift_predict_support={self.shift_predict_support}: expected >= 0 px (0: keep every shift)")
        if self.shift_radius < 1:
            raise ValueError(f"shift_radius={self.shift_radius}: expected at least 1 px")
        if self.p not in (1, 2):
            raise ValueError(f"p={self.p}: expected 1 (L1) or 2 (L2)")
        if min(self.lam_lp, self.lam_gdl, self.lam_adv) < 0 or self.lam_lp + self.lam_gdl + self.lam_adv == 0:
            raise ValueError("lam_lp, lam_gdl, lam_adv must be >= 0 and not all 0")
        if self.reduction not in ("mean", "sum"):
            raise ValueError(f"reduction={self.reduction!r}: expected mean or sum")
        if self.d_scales not in ("finest", "each"):
            raise ValueError(f"d_scales={self.d_scales!r}: expected finest or each")
        if self.width < 1 or self.d_width < 1 or self.batch < 1 or self.test_clips < 1 or self.objects < 0:
            raise ValueError("width, d_width, batch and test_clips must be positive, objects >= 0")
        if self.ema_images < 0 or self.adv_start < 0:
            raise ValueError("ema_images and adv_start must be >= 0")

    @property
    def image_channels(self) -> int:
        return self.channels or (1 if self.data == "moving-digits" else 3)
