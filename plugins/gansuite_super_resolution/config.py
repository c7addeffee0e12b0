"""The options of `gansuite train super-resolution` (each field's comment is its --help line)."""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Literal

DEGRADATIONS = ("bicubic", "kernels", "mixed", "realistic", "antialiased")
# One named downscaler only (data.DOWNSCALERS; MATLAB's is `bicubic`): a specialist for pictures that all come from one tool.
SINGLE_DOWNSCALERS = ("opencv_cubic", "opencv_linear", "opencv_area", "opencv_nearest", "pil_bicubic", "pil_lanczos")

# The degradations that name their resizer per crop, so a routed run's router can label its crops (data.needs_aliased).
ROUTED_DEGRADATIONS = ("kernels", "mixed")
# The data.DOWNSCALERS that widen their kernel when shrinking: what a routed run's antialiased specialist may train on.
ANTIALIASED_RESIZERS = ("matlab_bicubic", "opencv_area", "pil_bicubic", "pil_lanczos")


@dataclass(frozen=True)
class SRConfig:
    scale: int = 4  # upscaling factor: 2, 3 or 4
    model: Literal["fast", "srresnet", "rrdb"] = "srresnet"  # generator: fast (ESPCN/FSRCNN class), srresnet (SRGAN) or rrdb (lighter ESRGAN)
    features: int = 64  # generator width in channels
    blocks: int = 8  # residual blocks (srresnet) or RRDBs (rrdb); the papers use 16 and 23; unused by fast
    batchnorm: bool = True  # srresnet: BatchNorm in the residual blocks (SRGAN); false: none (EDSR)
    bicubic_skip: bool = True  # learn a residual over bicubic upscaling (VDSR); the untrained model equals bicubic
    d_features: int = 16  # discriminator width of its first stage (doubling over four stages); D costs about as much as an 8-block G
    data: str = ""  # folder of high-resolution training images; empty: the embedded photographs (13 of scikit-image's, and package_photos)
    package_photos: bool = True  # with data empty: also train on the three natural photographs scikit-learn and matplotlib ship (china, flower, grace_hopper; x4, 3 seeds: +0.04 to +0.06 dB on MATLAB bicubic and area, OpenCV cubic -0.06 to 0.00; docs/super-resolution.md); false: the 13 alone, as runs before stop 43
    eval_data: str = ""  # folder of high-resolution held-out images for evaluate; empty: the embedded held-out set
    eval_crop: int = 0  # evaluate on the central crop of this many HR pixels square (a quicker check); 0: whole pictures
    patch: int = 16  # low-resolution crop size in pixels; high-resolution crops are patch * scale
    batch: int = 16  # crops per batch
    degradation: Literal["bicubic", "kernels", "mixed", "realistic", "antialiased", "opencv_cubic", "opencv_linear", "opencv_area", "opencv_nearest", "pil_bicubic", "pil_lanczos"] = "mixed"  # LR inputs: bicubic (MATLAB only, the papers'), kernels (7 downscalers drawn per crop), mixed (kernels + sometimes blur/noise/JPEG), realistic (always blur+noise+JPEG), antialiased (one of antialiased_inputs per crop: the bundled x4's antialiased specialist), or one named downscaler only (a specialist for one tool's pictures)
    routed: Literal["auto", "yes", "no"] = "auto"  # yes: two generators, one trained on antialiased pictures (antialiased_inputs), one on pictures shrunk by OpenCV INTER_CUBIC (aliased), and a router trained on crops made as `degradation` says that weighs them per picture, as the bundled x2/x4 (about 2.3x one generator's step); auto: yes for kernels and mixed; no: one generator trained on `degradation` (docs/super-resolution.md)
    antialiased_inputs: str = "auto"  # routed runs and degradation=antialiased: the antialiased specialist's resizers, one drawn per crop (ANTIALIASED_RESIZERS, comma-separated); auto: opencv_area at x2, matlab_bicubic,opencv_area at x3/x4 (x4, 3 seeds: MATLAB and PIL bicubic +0.11 to +0.18 dB over area alone; x2: OpenCV cubic -0.19, so area alone; docs/super-resolution.md)
    router_edges: Literal["auto", "yes", "no"] = "auto"  # routed runs: yes: the router's loss weighs each crop's logits by edge strength, where aliasing shows; no: a plain mean, as runs before stop 44; auto: yes at x3/x4 (x4, 3 seeds, with router_scale: worst clean +0.05 to +0.09 dB), no at x2 (OpenCV cubic -0.06 dB; docs/super-resolution.md)
    router_scale: str = "auto"  # routed runs: P(aliased) = sigmoid(router_scale x the picture's mean logit), a number > 0: a router trained on 32-pixel crops is too timid over a whole picture (3.26 to 3.66 fitted on the x4 training photographs, 3 seeds); auto: 3.4 at x3/x4, 1 at x2 (3.4 there: OpenCV cubic -0.3 dB); 1: as the bundled routers and runs before stop 44
    router_slope: float = 0.2  # routed runs: the router's LeakyReLU slope (0: ReLU, as the bundled routers and the routed runs of 2026-12-05 before it: one such router lost a layer and learnt nothing)
    rgb_permute: bool = False  # each training crop's colour channels in a random order (Yoo et al. 2020): more kinds of detail from few photographs; at x4 -0.03 dB at the default 3,000 steps, +0.03 to +0.15 dB at 10,000 bf16 steps except -0.01 on OpenCV-cubic input (seed 1) (docs/super-resolution.md)
    pixel_loss: Literal["l1", "mse", "charbonnier"] = "l1"  # stage-1 distance: l1 (EDSR, ESRGAN), mse (SRResNet; what PSNR measures) or charbonnier (LapSRN)
    init: str = ""  # start G from weights: x2 or x4 (bundled pairs, for routed runs), x4-mixed (one generator), a run directory (its EMA G) or a .safetensors file; empty: random (bicubic)
    pretrain_steps: int = 4500  # PSNR-oriented L1 steps before the adversarial stage (3,000 until the routed default of 2026-12-05)
    lr: float = 5e-4  # generator's Adam learning rate in pretraining (cosine-decayed to lr_final_fraction * lr over it)
    lr_final_fraction: float = 0.1  # where the pretraining cosine ends, as a fraction of lr
    gan_lr: float = 5e-5  # learning rate of G and D in the adversarial stage
    pixel_weight: float = 1e-2  # L1 weight in the adversarial stage (ESRGAN)
    feature_weight: float = 1.0  # perceptual (feature) loss weight (ESRGAN)
    gan_weight: float = 5e-3  # relativistic adversarial loss weight (ESRGAN)
    vgg_weights: str = ""  # torchvision VGG19 weights (.pth or .safetensors) for the perceptual loss; empty: the discriminator's features
    ema_half_life: float = 5000.0  # images after which an old weight's share in the generator's average halves (stylegan2-ada's 10,000 at batch 32, scaled to batch 16)
    crops_per_image: int = 64  # crops drawn per image per data epoch (sets how often the shuffle repeats)

    def __post_init__(self) -> None:
        for key in ("data", "eval_data"):  # folders are stored absolute, so evaluate works from any directory
            if getattr(self, key):
                object.__setattr__(self, key, os.path.abspath(os.path.expanduser(getattr(self, key))))
        if self.scale not in (2, 3, 4):
            raise ValueError(f"scale={self.scale}: expected 2, 3 or 4")
        if self.patch < 4 or self.batch < 1 or self.features < 4 or self.d_features < 4 or self.blocks < 1:
            raise ValueError("patch >= 4, batch >= 1, features >= 4, d_features >= 4 and blocks >= 1 are needed")
        if self.eval_crop < 0 or 0 < self.eval_crop < 8 * self.scale:
            raise ValueError(f"eval_crop={self.eval_crop}: expected 0 (whole pictures) or at least {8 * self.scale} pixels")
        if self.pretrain_steps < 0 or self.crops_per_image < 1:
            raise ValueError("pretrain_steps must be >= 0 and crops_per_image >= 1")
        if self.ema_half_life <= 0:
            raise ValueError(f"ema_half_life={self.ema_half_life}: expected a number of images > 0")
        if self.pixel_loss not in ("l1", "mse", "charbonnier"):
            raise ValueError(f"pixel_loss={self.pixel_loss}: expected l1, mse or charbonnier")
        if self.degradation not in DEGRADATIONS + SINGLE_DOWNSCALERS:
            raise ValueError(f"degradation={self.degradation}: expected one of {', '.join(DEGRADATIONS + SINGLE_DOWNSCALERS)}")
        if self.routed not in ("auto", "yes", "no"):
            raise ValueError(f"routed={self.routed}: expected auto, yes or no")
        if self.routed == "yes" and self.degradation not in ROUTED_DEGRADATIONS:
            raise ValueError(f"routed=yes needs degradation {' or '.join(ROUTED_DEGRADATIONS)} (its router learns from crops "
                             f"labelled by their resizer), not {self.degradation}")
        names = self.antialiased_input_list
        if not names or any(n not in ANTIALIASED_RESIZERS for n in names) or len(set(names)) < len(names):
            raise ValueError(f"antialiased_inputs={self.antialiased_inputs}: expected auto or distinct names from "
                             f"{', '.join(ANTIALIASED_RESIZERS)}, separated by commas")
        if self.router_edges not in ("auto", "yes", "no"):
            raise ValueError(f"router_edges={self.router_edges}: expected auto, yes or no")
        try:
            self.router_blend_scale
        except ValueError:
            raise ValueError(f"router_scale={self.router_scale}: expected auto or a number > 0") from None
        if not 0 <= self.router_slope < 1:
            raise ValueError(f"router_slope={self.router_slope}: expected a slope in [0, 1)")
        if not 0 <= self.lr_final_fraction <= 1:
            raise ValueError(f"lr_final_fraction={self.lr_final_fraction}: expected a fraction in [0, 1]")
        if min(self.lr, self.gan_lr) <= 0 or min(self.pixel_weight, self.feature_weight, self.gan_weight) < 0:
            raise ValueError("learning rates must be > 0 and loss weights >= 0")

    @property
    def antialiased_input_list(self) -> tuple[str, ...]:
        """The resizers `antialiased_inputs` names; auto: area alone at x2, where the MATLAB-bicubic share made the
        specialist worse on OpenCV-cubic input (told the wrong way −0.36 against +0.01) and the blind run 0.19 dB lower
        there, and MATLAB bicubic or area at x3/x4 (x3, one seed: MATLAB and PIL +0.11, the rest level)."""
        if self.antialiased_inputs.strip() == "auto":
            return ("opencv_area",) if self.scale == 2 else ("matlab_bicubic", "opencv_area")
        return tuple(n.strip() for n in self.antialiased_inputs.split(",") if n.strip())

    @property
    def router_edge_weighted(self) -> bool:
        """`router_edges`; auto: at x3 and x4, where it and router_scale gained on every clean condition (stop 44),
        not at x2, where the edge-weighted router read OpenCV cubic as aliased less often (P 0.34 against 0.39)."""
        return self.router_edges == "yes" or (self.router_edges == "auto" and self.scale != 2)

    @property
    def router_blend_scale(self) -> float:
        """`router_scale` as a number (ValueError unless auto or > 0); auto: 3.4 at x3 and x4, 1 at x2."""
        if str(self.router_scale).strip() == "auto":
            return 1.0 if self.scale == 2 else 3.4
        value = float(self.router_scale)
        if not value > 0:
            raise ValueError(value)
        return value

    @property
    def is_routed(self) -> bool:
        """Whether this run trains two specialists and a router (models.RoutedPair) rather than one generator."""
        return self.routed == "yes" or (self.routed == "auto" and self.degradation in ROUTED_DEGRADATIONS)
