"""The `super-resolution` application: SRResNet / RRDB / fast generators, trained in two stages.

    steps < pretrain_steps   phase "G_pixel": L1 only (PSNR-oriented, as SRResNet and RRDB-PSNR)
    steps >= pretrain_steps  phases "D" and "G": relativistic average GAN + feature + L1 (ESRGAN)

Both stages are Phase windows of one run, so one `gansuite train super-resolution` does both,
and `--resume` with a larger --steps continues a PSNR-only run into the adversarial stage.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import torch
from torch import nn

from gansuite_core import Application, DemoRequest, DemoResult, Game, IndexedStream, Phase, Player, UserError, hookimpl
from gansuite_core.pictures import save_png, side_by_side

from .data import TRAIN_IMAGES, CropSource, downscale, embedded_image, scan_folder, to_tensor
from .losses import VGGFeatures, judge_accuracy, make_adversarial_losses, pixel_loss
from .metrics import evaluate
from .models import Discriminator, build_generator
from .upscale import bicubic, to_uint8


@dataclass(frozen=True)
class SRConfig:
    scale: int = 4  # upscaling factor: 2, 3 or 4
    model: Literal["fast", "srresnet", "rrdb"] = "srresnet"  # generator: fast (ESPCN/FSRCNN class), srresnet (SRGAN) or rrdb (lighter ESRGAN)
    features: int = 64  # generator width in channels
    blocks: int = 8  # residual blocks (srresnet) or RRDBs (rrdb); the papers use 16 and 23; unused by fast
    bicubic_skip: bool = True  # learn a residual over bicubic upscaling (VDSR); the untrained model equals bicubic
    d_features: int = 16  # discriminator width of its first stage (doubling over four stages); D costs about as much as an 8-block G
    data: str = ""  # folder of high-resolution training images; empty: the scikit-image photographs
    eval_data: str = ""  # folder of high-resolution held-out images for evaluate; empty: the embedded held-out set
    patch: int = 16  # low-resolution crop size in pixels; high-resolution crops are patch * scale
    batch: int = 16  # crops per batch
    degradation: Literal["bicubic", "realistic"] = "bicubic"  # LR inputs: MATLAB-style bicubic, or Real-ESRGAN-like blur+noise+JPEG
    pretrain_steps: int = 3500  # PSNR-oriented L1 steps before the adversarial stage (3500: +0.97 dB at x4, 1000: +0.71)
    lr: float = 2e-4  # generator's Adam learning rate in pretraining (cosine-decayed to 10% over it)
    gan_lr: float = 5e-5  # learning rate of G and D in the adversarial stage
    pixel_weight: float = 1e-2  # L1 weight in the adversarial stage (ESRGAN)
    feature_weight: float = 1.0  # perceptual (feature) loss weight (ESRGAN)
    gan_weight: float = 5e-3  # relativistic adversarial loss weight (ESRGAN)
    vgg_weights: str = ""  # torchvision VGG19 weights (.pth or .safetensors) for the perceptual loss; empty: the discriminator's features
    ema: float = 0.995  # decay of the generator's moving average, used for samples, evaluation and upscaling
    crops_per_image: int = 64  # crops drawn per image per data epoch (sets how often the shuffle repeats)

    def __post_init__(self) -> None:
        if self.scale not in (2, 3, 4):
            raise ValueError(f"scale={self.scale}: expected 2, 3 or 4")
        if self.patch < 4 or self.batch < 1 or self.features < 4 or self.d_features < 4 or self.blocks < 1:
            raise ValueError("patch >= 4, batch >= 1, features >= 4, d_features >= 4 and blocks >= 1 are needed")
        if self.pretrain_steps < 0 or self.crops_per_image < 1:
            raise ValueError("pretrain_steps must be >= 0 and crops_per_image >= 1")
        if not 0.0 <= self.ema < 1.0:
            raise ValueError(f"ema={self.ema}: expected a decay in [0, 1)")
        if min(self.lr, self.gan_lr) <= 0 or min(self.pixel_weight, self.feature_weight, self.gan_weight) < 0:
            raise ValueError("learning rates must be > 0 and loss weights >= 0")


def networks(cfg: SRConfig) -> dict[str, nn.Module]:
    """G: the generator (SRGAN / ESRGAN / ESPCN family, see models.py); D: ESRGAN's VGG-style discriminator."""
    return {"G": build_generator(cfg.model, cfg.scale, cfg.features, cfg.blocks, cfg.bicubic_skip),
            "D": Discriminator(cfg.d_features)}


def training_images(cfg: SRConfig) -> list:
    if cfg.data:
        return scan_folder(Path(cfg.data), cfg.patch * cfg.scale)
    return [embedded_image(n) for n in TRAIN_IMAGES]


def game(cfg: SRConfig, nets: dict[str, nn.Module], ctx) -> Game:
    source = CropSource(training_images(cfg), cfg.patch * cfg.scale, cfg.scale, cfg.degradation, cfg.crops_per_image)
    data = IndexedStream(source, cfg.batch, seed=ctx.seed, rank=ctx.rank, world=ctx.world, workers=ctx.workers)
    vgg = VGGFeatures(Path(cfg.vgg_weights)).to(ctx.device) if cfg.vgg_weights else None
    g_adv, d_adv = make_adversarial_losses(cfg.pixel_weight, cfg.feature_weight, cfg.gan_weight, vgg)
    p = cfg.pretrain_steps

    def g_schedule(step: int) -> float:
        """Cosine from lr to lr/10 over pretraining (better PSNR for short runs), then gan_lr."""
        if step < p:
            return 0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * step / p))
        return cfg.gan_lr / cfg.lr

    adam_g = lambda params: torch.optim.Adam(params, lr=cfg.lr, betas=(0.9, 0.99))  # noqa: E731 -- ESRGAN's betas
    adam_d = lambda params: torch.optim.Adam(params, lr=cfg.gan_lr, betas=(0.9, 0.99))  # noqa: E731
    preview = preview_batch(cfg.scale)

    def snapshot(eval_nets, stem: Path) -> list[Path]:
        """Held-out crops: bicubic | model | ground truth."""
        sr = eval_nets["G"](preview["lr"].to(next(eval_nets["G"].parameters()).device)).cpu()
        panels, titles = [], []
        for i in range(sr.shape[0]):
            lr = to_uint8(preview["lr"][i])
            panels += [bicubic(lr, cfg.scale), to_uint8(sr[i]), to_uint8(preview["hr"][i])]
            titles += ["bicubic", "model", "ground truth"]
        path = stem.with_suffix(".png")
        return [save_png(side_by_side(panels, titles), path)]

    return Game(
        players=[Player("G", ["G"], adam_g, scheduler=lambda o: torch.optim.lr_scheduler.LambdaLR(o, g_schedule)),
                 Player("D", ["D"], adam_d)],
        phases=[Phase("G_pixel", "G", pixel_loss, stop=p),
                Phase("D", "D", d_adv, start=p),
                Phase("G", "G", g_adv, start=p)],
        data=data, ema={"G": cfg.ema}, judge="D", judge_accuracy=judge_accuracy, snapshot=snapshot)


def preview_batch(scale: int, size: int = 48) -> dict[str, torch.Tensor]:
    """Two fixed held-out crops, `size` LR pixels square: chelsea's face and camera's man."""
    c = size * scale  # at most 192 pixels, which fits both pictures at these corners
    crops = [embedded_image("chelsea")[60:60 + c, 160:160 + c], embedded_image("camera")[60:60 + c, 180:180 + c]]
    return {"lr": torch.stack([to_tensor(downscale(hr, scale)) for hr in crops]),  # (2, 3, size, size)
            "hr": torch.stack([to_tensor(hr) for hr in crops])}  # (2, 3, c, c)


def demo(req: DemoRequest) -> DemoResult:
    """Two minutes: the fast model at x4, L1 then a short adversarial stage, evaluated on the held-out photos."""
    from gansuite_core.config import resolve
    from gansuite_core.engine import train
    from gansuite_core.runs import load_run

    app = APP
    overrides = {"model": "fast", "steps": 600, "pretrain_steps": 500, "batch": 16, "sample_every": 0, "log_every": 50,
                 "checkpoint_every": 0, "device": str(req.device)}
    config = resolve(app.name, SRConfig, app_defaults=app.core_defaults, overrides=overrides)
    run_dir = req.out / "run"
    train(app, config, run_dir, quiet=req.quiet)
    run = load_run(run_dir, device=req.device)
    report = evaluate(run, req.device)
    pictures = sorted((run_dir / "eval").glob("*.png"))
    if not pictures:
        raise UserError(f"demo: no pictures were written in {run_dir / 'eval'}")
    return DemoResult(
        title="Super-resolution x4 (fast model, L1 then relativistic GAN)",
        text=(f"600 steps on crops of {len(TRAIN_IMAGES)} scikit-image photographs (500 L1, 100 adversarial with "
              "the discriminator's features as perceptual loss); scored on 4 held-out photographs."),
        pictures=pictures,
        numbers={"PSNR-Y model (dB)": report["model"]["psnr_y"], "PSNR-Y bicubic (dB)": report["bicubic"]["psnr_y"],
                 "gain over bicubic (dB)": report["gain_over_bicubic"]["psnr_y_db"],
                 "sharpness model / bicubic / truth": f"{report['model']['sharpness']:.0f} / {report['bicubic']['sharpness']:.0f} / {report['hr_sharpness']:.0f}"})


APP = Application(
    name="super-resolution",
    summary="Single-image super-resolution x2/x3/x4: SRResNet, RRDB or a fast model; L1 then relativistic GAN",
    config=SRConfig, networks=networks, game=game, evaluate=evaluate, demo=demo,
    core_defaults={"steps": 3800, "sample_every": 500, "checkpoint_every": 500, "log_every": 50},
    quick={"model": "fast", "features": 8, "d_features": 4, "batch": 2, "patch": 8, "steps": 6, "pretrain_steps": 3,
           "sample_every": 3, "checkpoint_every": 3, "log_every": 1},
)


@hookimpl
def gansuite_register_apps(register) -> None:
    register(APP)


@hookimpl
def gansuite_register_commands(cli) -> None:
    from .commands import upscale_command

    cli.add_command(upscale_command)
