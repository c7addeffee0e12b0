"""The options of `gansuite train image-generation` (set with `--set key=value`) and of `gansuite generate`.

The training defaults are the benchmarked configuration on `flowers` (docs/image-generation.md).
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Literal

from .models import FASTGAN_SIZES, SIZES

AUGMENTS = ("color", "translation", "cutout")
NAMED_DATA = ("flowers", "faces", "mnist", "fashion-mnist", "cifar10", "celeba", "flowers102")  # data sets by name; anything else is a folder


@dataclass(frozen=True)
class ImageGenConfig:
    data: str = "flowers"  # flowers | faces | mnist | fashion-mnist | cifar10 | celeba | flowers102 | /path/to/folder
    size: int = 32  # image size in pixels: 28 (MNIST-like), 32 or 64; with model=fastgan 64, 128 or 256
    fit: Literal["crop", "pad"] = "crop"  # non-square folder images: crop the centre square, or pad to a square (edge colour)
    grayscale: bool = False  # train on 1-channel images (faces, mnist and fashion-mnist always are)
    model: Literal["dcgan", "resnet", "fastgan"] = "dcgan"  # DCGAN (Radford 2016), ResNet with spectral norm (Miyato 2018) or FastGAN (Liu 2021)
    conditional: bool = False  # class-conditional G and projection D (needs labels: flowers modes, mnist, cifar10, subfolders)
    z_dim: int = 64  # latent dimension
    g_width: int = 16  # generator base width (channels at the last level)
    d_width: int = 0  # discriminator base width (channels at the first level); 0: the model's own, dcgan 32 (flowers, 10,000 steps, 5 seeds: reverse KL 0.17 vs 0.33 at width 16, for 1.5x the CPU), resnet and fastgan 16
    mbstd: bool = False  # minibatch standard-deviation feature in D's last block (Karras et al. 2018, ProGAN), against mode collapse
    codes: int = 0  # K > 0: the last entry of z picks one of K learned centres, G reads centre + code_noise * the rest of z (mixture-of-Gaussians latent, DeLiGAN, Gurumurthy et al. 2017; 0: off). Flowers seed 0, 2,000 steps, K 72 learned prior: reverse KL 0.48-0.57 vs 0.44 without (D width 16; docs/image-generation.md)
    code_noise: float = 0.2  # with codes: the scale of z around each code's centre (DeLiGAN's initial sigma); flowers: 0.2 covered 21 modes, 1.0 30 (seed 0, 2,000 steps)
    prior: Literal["uniform", "learned"] = "uniform"  # with codes: their probabilities, uniform or learned towards codes whose images D scores as real (after Khayatkhoei et al. 2018); on flowers learned concentrated on well-drawn modes (reverse KL up)
    prior_lr: float = 2e-3  # with prior=learned: Adam learning rate of the prior's logits (G's 2e-4 would move them at most 2 in 10,000 steps); every measured codes run used 2e-3
    contrastive: float = 0.0  # weight of a SimCLR loss on D's features of two augmented views of each real image (after ContraD, Jeong & Shin 2021; 0: off), so D learns shape beside colour; flowers, 10,000 steps, 5 seeds, 1.0 (with d_width 16): reverse KL 0.30 vs 0.33 without, at 1.4x the CPU; 100 faces, 3 seeds: common KID worse (1.04 vs 0.75)
    contrastive_hue: bool = False  # contrastive views also get SimCLR's colour distortion (channels shuffled, grey with p 0.2), so colour alone cannot pair them; flowers as above: reverse KL 0.27, 34.6 modes (33.0 without; D width 16); at the default width 32, seeds 0/1: 0.181/0.205 vs 0.182/0.135 without, at 1.6x the CPU
    contrastive_temp: float = 0.1  # the contrastive loss's temperature (SimCLR / ContraD: 0.1)
    pack: int = 1  # PacGAN (Lin et al. 2018): D judges packs of this many images stacked along channels (1: plain D; dcgan/resnet, unconditional); flowers seed 0, 2,000 steps, pack 2: 32 modes but reverse KL 0.52, high quality 0.45 (without: 30, 0.44, 0.63; D width 16)
    loss: Literal["ns", "hinge", "wgan-gp", "lsgan"] = "ns"  # non-saturating, hinge, WGAN-GP or least squares
    n_critic: int = 1  # discriminator updates per generator update (5 is usual for wgan-gp)
    gp_weight: float = 10.0  # WGAN-GP gradient penalty weight (loss=wgan-gp only)
    r1_gamma: float = 0.0  # R1 penalty weight gamma on real images (0: off)
    r1_every: int = 16  # lazy R1: apply every N steps (the engine scales it and corrects Adam, Karras et al. 2020)
    diffaugment: str = "translation"  # DiffAugment policy on real and fake: comma-separated color, translation, cutout; empty: off
    ada: bool = False  # adaptive discriminator augmentation (Karras et al. 2020): p tuned so E[sign(D(real))] -> ada_target
    ada_target: float = 0.6  # ADA's target for the overfitting heuristic r_t = E[sign(D(real))]
    ada_kimg: float = 100.0  # ADA: thousands of images over which p can move from 0 to 1 (stylegan2-ada: 500)
    batch: int = 32  # batch size (real images per phase run)
    lr_g: float = 2e-4  # generator Adam learning rate
    lr_d: float = 2e-4  # discriminator Adam learning rate
    beta1: float = 0.5  # Adam beta1 (0.0 for wgan-gp and hinge is common)
    beta2: float = 0.999  # Adam beta2
    lr_tail: float = 0.0  # both learning rates fall linearly to 0 over this last share of the run's --steps (CycleGAN's tail decay, Zhu et al. 2017; 0: constant); flowers seed 0, 2,000 steps, 0.25: reverse KL 0.53 vs 0.44 (D width 16)
    ema_half_life: float = 10000.0  # images after which an old weight's share in the EMA generator halves (stylegan2-ada: 10,000)
    ema_rampup: float = 0.05  # the EMA half-life is at most this x images seen, so short runs are not stuck near the init (0: off)
    flowers_n: int = 5040  # size of the drawn flowers training set (a multiple of 36 keeps modes balanced)
    data_root: str = ""  # cache folder of torchvision data sets (default ~/.cache/gansuite/torchvision)
    eval_samples: int = 2000  # samples drawn by `gansuite evaluate` (and as many real images when available)
    extractor: str = ""  # features for FID/KID: '' = Inception if available, else trained on the real data; 'trained' forces that; or an extractor's name
    probe_every: int = 0  # every N steps log flowers mode coverage of 720 EMA samples (0: off)

    def __post_init__(self) -> None:
        if self.data not in NAMED_DATA:  # a folder: stored absolute, so evaluate and generate work from any directory
            object.__setattr__(self, "data", os.path.abspath(os.path.expanduser(self.data)))
        if self.data_root:
            object.__setattr__(self, "data_root", os.path.abspath(os.path.expanduser(self.data_root)))
        if self.d_width == 0:  # stored resolved, so a run's config.toml names the width it built even if a default moves
            object.__setattr__(self, "d_width", self.model_d_width())
        if self.size not in SIZES:
            raise ValueError(f"size must be one of {', '.join(map(str, SIZES))}, got {self.size}")
        for name, allowed in (("fit", ("crop", "pad")), ("model", ("dcgan", "resnet", "fastgan")), ("loss", ("ns", "hinge", "wgan-gp", "lsgan"))):
            if getattr(self, name) not in allowed:
                raise ValueError(f"{name} must be one of {', '.join(allowed)}, got {getattr(self, name)!r}")
        if self.model == "fastgan":
            if self.size not in FASTGAN_SIZES:
                raise ValueError(f"size {self.size}: model=fastgan makes {', '.join(map(str, FASTGAN_SIZES))}-pixel images")
            if self.conditional or self.mbstd or self.loss == "wgan-gp":
                raise ValueError("model=fastgan is unconditional, without mbstd, and uses its BatchNorm D (not loss=wgan-gp)")
        elif self.size > 64:
            raise ValueError(f"size {self.size}: model={self.model} makes 28, 32 or 64-pixel images; use model=fastgan for 128 or 256")
        bad = [p for p in self.augment_policy() if p not in AUGMENTS]
        if bad:
            raise ValueError(f"diffaugment: unknown operation {bad[0]!r}; use a comma-separated subset of {', '.join(AUGMENTS)}")
        if self.codes < 0 or self.code_noise <= 0 or self.prior not in ("uniform", "learned"):
            raise ValueError(f"codes must be >= 0 (0: off), code_noise > 0 and prior uniform or learned, got {self.codes}, {self.code_noise}, {self.prior!r}")
        if self.prior_lr <= 0:
            raise ValueError(f"prior_lr={self.prior_lr}: expected a learning rate > 0")
        if self.codes and self.z_dim < 2:
            raise ValueError(f"codes={self.codes} takes the last entry of z to pick a code: z_dim must be at least 2, got {self.z_dim}")
        if self.contrastive < 0 or self.contrastive_temp <= 0:
            raise ValueError(f"contrastive={self.contrastive} must be >= 0 and contrastive_temp={self.contrastive_temp} > 0")
        if self.contrastive and (self.model != "dcgan" or self.pack > 1):
            raise ValueError("contrastive: needs model=dcgan with pack=1 (it reads D's features)")
        if self.pack < 1 or self.batch % self.pack:
            raise ValueError(f"pack={self.pack}: expected a whole number >= 1 that divides batch={self.batch}")
        if self.pack > 1 and (self.model == "fastgan" or self.conditional):
            raise ValueError(f"pack={self.pack} packs D's inputs of the unconditional dcgan or resnet, not model={self.model} conditional={str(self.conditional).lower()}")
        if not 0 <= self.lr_tail <= 1:
            raise ValueError(f"lr_tail={self.lr_tail}: expected a share of the run in [0, 1] (0: constant learning rates)")
        if self.data == "flowers" and self.grayscale:
            raise ValueError("grayscale=true would hide the flowers' colour modes; use another data set or keep RGB")
        if self.d_width < 0:
            raise ValueError(f"d_width must be at least 1 (or 0: the model's own), got {self.d_width}")
        for name in ("z_dim", "g_width", "n_critic", "r1_every", "batch", "flowers_n", "eval_samples"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, got {getattr(self, name)}")
        if min(self.lr_g, self.lr_d) <= 0 or not (0 <= self.beta1 < 1 and 0 <= self.beta2 < 1):
            raise ValueError("learning rates must be > 0 and Adam betas in [0, 1)")
        if self.ema_half_life <= 0 or self.ema_rampup < 0:
            raise ValueError(f"ema_half_life must be > 0 and ema_rampup >= 0, got {self.ema_half_life} and {self.ema_rampup}")
        if not 0 < self.ada_target < 1 or self.ada_kimg <= 0:
            raise ValueError(f"ada_target must be in (0, 1) and ada_kimg > 0, got {self.ada_target} and {self.ada_kimg}")
        if self.r1_gamma < 0 or self.gp_weight < 0 or self.probe_every < 0:
            raise ValueError("r1_gamma, gp_weight and probe_every must not be negative")
        if self.probe_every and self.data != "flowers":
            raise ValueError("probe_every measures flowers modes; it needs data=flowers")

    def model_d_width(self) -> int:
        """D's width when `d_width=0`: 32 for DCGAN, 16 for ResNet-SN and FastGAN.

        DCGAN's D at width 16 hardly tells petal counts apart (a linear probe on its features); twice as
        wide it reads them better and covers the 36 flower modes more evenly, and on faces it is better at
        2,000 steps and level at 8,000 (docs/benchmarks.md). ResNet-SN and FastGAN were not measured wider,
        so they keep 16.
        """
        return 32 if self.model == "dcgan" else 16

    def augment_policy(self) -> list[str]:
        return [p.strip() for p in self.diffaugment.split(",") if p.strip()]


@dataclass(frozen=True)
class GenerateOptions:
    """`gansuite generate RUN --out F --set key=value` options of image generation."""

    truncation: float = 1.0  # scale z by this (< 1: typical, less varied samples; 1: none)
    labels: str = ""  # conditional runs: comma-separated class ids to cycle through, e.g. 0,5,35 (empty: all classes in turn)
    interpolate: int = 0  # with --out F.gif: frames of a latent walk, each cell from one z to another (0: off; at least 2)

    def __post_init__(self) -> None:
        if self.truncation <= 0:
            raise ValueError(f"truncation={self.truncation}: expected a number > 0 (1 = no truncation)")
        if self.interpolate < 0 or self.interpolate == 1:
            raise ValueError(f"interpolate={self.interpolate}: expected 0 (off) or at least 2 frames")
        try:
            self.label_list()
        except ValueError:
            raise ValueError(f"labels={self.labels!r}: expected comma-separated class ids, e.g. 0,5,35") from None

    def label_list(self) -> list[int]:
        return [int(s) for s in self.labels.split(",") if s.strip()]
