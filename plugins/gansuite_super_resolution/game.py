"""The two training stages as one Game (SRGAN, Ledig et al. 2017; ESRGAN, Wang et al. 2018):

    steps < pretrain_steps   phase "G_pixel": L1 only (PSNR-oriented, as SRResNet and RRDB-PSNR)
    steps >= pretrain_steps  phases "D" and "G": relativistic average GAN + feature + L1 (ESRGAN)

Both stages are Phase windows of one run, so one `gansuite train super-resolution` does both,
and `--resume` with a larger --steps continues a PSNR-only run into the adversarial stage.
Every phase compares SR with HR crops, so every phase loads a batch.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn

from gansuite_core import EMA, Context, Game, IndexedStream, Phase, Player, UserError
from gansuite_core.pictures import save_png, side_by_side

from .bundled import initial_state
from .config import SRConfig
from .data import PACKAGE_PHOTOS, TRAIN_IMAGES, CropSource, downscale, embedded_image, scan_folder, to_tensor
from .losses import VGGFeatures, judge_accuracy, make_adversarial_losses, make_pixel_loss
from .models import DegradationEstimator, Discriminator, RoutedPair, build_generator
from .upscale import bicubic, to_uint8


ESTIMATOR_WIDTH = 48  # a routed run's router: the bundled models' estimator (models.DegradationEstimator)
ESTIMATOR_LR_RATIO = 4.0  # its learning rate over G's: 2e-3 at the default lr, as the bundled routers trained


@dataclass(frozen=True)
class StageEMA(EMA):
    """The EMA with its ramp-up restarted at step `restart`, where the adversarial stage begins.

    ESRGAN and Real-ESRGAN train the GAN as a new run from the PSNR-oriented model, so its average
    starts there. Carried on, the L1 stage's average (half-life 2,400 images at step 3,000) still
    held a quarter of the L1 weights after the default 300 adversarial steps, and that model was
    only 1.2x as sharp as the L1 one (docs/super-resolution.md, Benchmark). Before `restart` this is EMA.
    """

    restart: int = 0  # the step at which the ramp-up starts again (0: never)

    def beta(self, images_seen: int, images_per_step: int) -> float:
        if 0 < self.restart <= images_seen // images_per_step:
            images_seen -= self.restart * images_per_step  # the first adversarial step copies G, then the ramp-up
        return super().beta(images_seen, images_per_step)


def networks(cfg: SRConfig) -> dict[str, nn.Module]:
    """G: the generator (SRGAN / ESRGAN / ESPCN family, see models.py), or in a routed run two of them and a router
    (models.RoutedPair); D: ESRGAN's VGG-style discriminator."""
    def generator() -> nn.Module:
        return build_generator(cfg.model, cfg.scale, cfg.features, cfg.blocks, cfg.bicubic_skip, cfg.batchnorm)

    g = (RoutedPair(generator(), generator(), DegradationEstimator(ESTIMATOR_WIDTH, cfg.router_slope), cfg.router_blend_scale)
         if cfg.is_routed else generator())
    return {"G": g, "D": Discriminator(cfg.d_features)}


def training_images(cfg: SRConfig) -> list:
    if cfg.data:
        return scan_folder(Path(cfg.data), cfg.patch * cfg.scale)
    return [embedded_image(n) for n in TRAIN_IMAGES + (PACKAGE_PHOTOS if cfg.package_photos else ())]


def make_game(cfg: SRConfig, nets: dict[str, nn.Module], ctx: Context) -> Game:
    if cfg.init and not resuming(ctx):  # the engine copies G into its EMA after this, so the average starts there too
        load_generator(nets["G"], cfg, ctx)
    source = CropSource(training_images(cfg), cfg.patch * cfg.scale, cfg.scale, cfg.degradation, cfg.crops_per_image,
                        rgb_permute=cfg.rgb_permute, routed=cfg.is_routed, antialiased=cfg.antialiased_input_list)
    data = IndexedStream(source, cfg.batch, seed=ctx.seed, rank=ctx.rank, world=ctx.world, workers=ctx.workers,
                         pin_memory=ctx.pin_memory)
    vgg = VGGFeatures(Path(cfg.vgg_weights)).to(ctx.device) if cfg.vgg_weights else None
    g_adv, d_adv = make_adversarial_losses(cfg.pixel_weight, cfg.feature_weight, cfg.gan_weight, vgg)
    p = cfg.pretrain_steps

    def g_schedule(step: int) -> float:
        """Cosine from lr to lr * lr_final_fraction over pretraining (better PSNR for short runs), then gan_lr."""
        if step < p:
            f = cfg.lr_final_fraction
            return f + (1 - f) * 0.5 * (1 + math.cos(math.pi * step / p))
        return cfg.gan_lr / cfg.lr

    def adam_g(params: list[nn.Parameter]) -> torch.optim.Optimizer:
        """ESRGAN's betas. A routed run's estimator learns at ESTIMATOR_LR_RATIO x lr (the bundled routers' 2e-3)."""
        if not cfg.is_routed:
            return torch.optim.Adam(params, lr=cfg.lr, betas=(0.9, 0.99))
        router = {id(p) for p in nets["G"].estimator.parameters()}
        return torch.optim.Adam([{"params": [p for p in params if id(p) not in router]},
                                 {"params": [p for p in params if id(p) in router], "lr": cfg.lr * ESTIMATOR_LR_RATIO}],
                                lr=cfg.lr, betas=(0.9, 0.99))

    adam_d = lambda params: torch.optim.Adam(params, lr=cfg.gan_lr, betas=(0.9, 0.99))  # noqa: E731
    preview = preview_batch(cfg.scale)

    def snapshot(eval_nets: dict[str, nn.Module], stem: Path) -> list[Path]:
        """Held-out crops: bicubic | model | ground truth."""
        sr = eval_nets["G"](preview["lr"].to(next(eval_nets["G"].parameters()).device)).cpu()
        panels, titles = [], []
        for i in range(sr.shape[0]):
            lr = to_uint8(preview["lr"][i])
            panels += [bicubic(lr, cfg.scale), to_uint8(sr[i]), to_uint8(preview["hr"][i])]
            titles += ["bicubic", "model", "ground truth"]
        return [save_png(side_by_side(panels, titles), stem.with_suffix(".png"))]

    return Game(
        players=[Player("G", ["G"], adam_g, scheduler=lambda o: torch.optim.lr_scheduler.LambdaLR(o, g_schedule)),
                 Player("D", ["D"], adam_d)],
        phases=[Phase("G_pixel", "G", make_pixel_loss(cfg.pixel_loss, cfg.router_edge_weighted), stop=p),
                Phase("D", "D", d_adv, start=p),
                Phase("G", "G", g_adv, start=p)],
        data=data,
        # stylegan2-ada's EMA: the ramp-up (half-life <= 5 % of images seen) lets short demos use it from the start;
        # the generator's BatchNorm statistics are averaged with its weights by the engine. It restarts at the GAN stage.
        ema={"G": StageEMA(half_life=cfg.ema_half_life, batch=cfg.batch, restart=p)},
        judge="D", judge_accuracy=judge_accuracy, snapshot=snapshot)


def resuming(ctx: Context) -> bool:
    """A new run's directory has no checkpoint yet (the CLI refuses a used --out without --resume)."""
    return ctx.run_dir is not None and any((Path(ctx.run_dir) / "checkpoints").glob("*.safetensors"))


def load_generator(g: nn.Module, cfg: SRConfig, ctx: Context) -> None:
    """G's starting weights from `init` (see bundled.initial_state); a mismatch is the user's to fix, so one line."""
    try:
        g.load_state_dict(initial_state(cfg.init, vars(cfg), ctx.registry, routed=cfg.is_routed))
    except RuntimeError as e:
        raise UserError(f"init={cfg.init}: not this run's generator ({str(e).splitlines()[0]})") from None


def preview_batch(scale: int, size: int = 48) -> dict[str, torch.Tensor]:
    """Two fixed held-out crops, `size` LR pixels square: chelsea's face and camera's man."""
    c = size * scale  # at most 192 pixels, which fits both pictures at these corners
    crops = [embedded_image("chelsea")[60:60 + c, 160:160 + c], embedded_image("camera")[60:60 + c, 180:180 + c]]
    return {"lr": torch.stack([to_tensor(downscale(hr, scale)) for hr in crops]),  # (2, 3, size, size)
            "hr": torch.stack([to_tensor(hr) for hr in crops])}  # (2, 3, c, c)
