"""Generators and the discriminator: tensors in, tensors out.

Multiscale G (Mathieu, Couprie & LeCun 2016, arXiv 1511.05440), scaled down for CPU: scales
s_1 < ... < s_n (8, 16, 32, 64 px for 64-px frames). Scale k sees the K context frames
area-downsampled to s_k and the upsampled prediction of scale k-1, and predicts a correction:
Y_k = u(Y_{k-1}) + G'_k(X_k, u(Y_{k-1}))  (paper eq. 2). Every Y_k is returned so the losses are
taken at every scale. Our change: every scale corrects the last context frame at its size plus the
upsampled change the coarser scale predicted, Y_k = L_k + u(Y_{k-1} - L_{k-1}) + G'_k(...), and the
last layers start at zero, so an untrained G copies the last frame (a strong baseline) and short CPU
runs start from there.
Paper widths [128, 256, 128] / [128, 256, 512, 256, 128], kernels 3/5/7; here [w, 2w, w] /
[w, 2w, 2w, w], kernels 3 and 5/3/3/3/5: ~0.1 GMAC per 64x64 frame at w = 16 instead of ~10.

SimVP-style G (Gao et al., CVPR 2022): a shared per-frame conv encoder to 1/4 resolution, the K
encodings stacked on channels and mixed by a convolutional translator, a decoder back to full
resolution with a skip from the last frame's first encoder layer. SimVP predicts all future frames
at once; here it predicts one frame and is rolled out like the multiscale G, so both share the
losses, D and evaluation.

Warp heads (`warp=True`, our choice for CPU budgets, after deep voxel flow, Liu et al. ICCV 2017):
instead of pixels alone, a scale outputs a flow field that resamples the last frame, a mask, and a
pixel correction: Y = m * warp(last, flow) + (1 - m) * (base + correction). Moved content keeps its
edges, which pixel regression blurs away within a few hundred CPU steps.

Shift-kernel G (`generator=shift`, our choice for rigid motion on CPU budgets): a correlation cost
volume (FlowNet, Dosovitskiy et al. ICCV 2015) tests every integer velocity d in [-r, r]^2 AT THE
PIXEL BEING PREDICTED: under constant velocity, next(x) = last(x - d) = prev(x - 2d), so
|last(x - d) - prev(x - 2d)|, box-averaged, is small for the true d. A small convnet reads the cost
volume and outputs, per pixel, logits over the (2r+1)^2 shifts plus a pixel correction; the frame is
the softmax-weighted sum of shifted copies of the last frame (DNA, Finn, Goodfellow & Levine, NeurIPS
2016). The logits start as -beta * cost, so before training G is a block-matching extrapolator. A
peaked kernel is an exact integer shift, so moved content keeps its edges over the whole rollout
(bilinear warps blur a little more each fed-back step).
In eval mode the kernel keeps only the shifts within `shift_predict_support` px of its best one
(renormalised): the far weight a trained kernel hedges with compounds over the rollout into fading objects.

Reflection gates (`shift_reflect`, our addition for objects that bounce, as Moving MNIST's digits do):
two per-pixel gates, predicted at 1/4 resolution from the frames, today's expected velocity and the
pixel coordinates, mix the kernel with exact hypothesis families for the velocity reflected in y, in
x, or both (each tested by its own cost at the same source pixel). Soft while training (a gradient
that the saturated kernel softmax does not give), committed to 0 or 1 in eval mode (soft gates
blend a reflected and an unreflected digit into a blur).

Discriminator: one small convnet per scale on (two previous frames, candidate frame), stride-2
convolutions down to 4x4, FC 4w-1 (paper FC 1024-512-1) -> one logit per scale.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from .config import VideoConfig


def down(x: torch.Tensor, size: int) -> torch.Tensor:
    """(..., C, H, W) -> (..., C, size, size) by area averaging (the multi-scale pyramid)."""
    if x.shape[-1] == size:
        return x
    lead = x.shape[:-3]
    y = F.adaptive_avg_pool2d(x.reshape(-1, *x.shape[-3:]), size)
    return y.reshape(*lead, *y.shape[-3:])


def warp(frame: torch.Tensor, flow: torch.Tensor) -> torch.Tensor:
    """frame (B, C, H, W), flow (B, 2, H, W) in pixels (dx, dy) -> frame sampled at (x + dx, y + dy), borders repeated."""
    b, _, h, w = frame.shape
    ys = torch.linspace(-1 + 1 / h, 1 - 1 / h, h, device=frame.device, dtype=frame.dtype)
    xs = torch.linspace(-1 + 1 / w, 1 - 1 / w, w, device=frame.device, dtype=frame.dtype)
    base = torch.stack(torch.meshgrid(xs, ys, indexing="xy"), -1)  # (H, W, 2) as (x, y)
    offset = flow.permute(0, 2, 3, 1) * flow.new_tensor([2 / w, 2 / h])  # pixels -> normalised units
    return F.grid_sample(frame, base + offset, mode="bilinear", padding_mode="border", align_corners=False)


class Head(nn.Module):
    """Raw network output -> (frame, flow). Pixels: base + out. Warp: m * warp(last, flow) + (1 - m) * (base + correction).

    flow = flow_base + the output's flow channels: a finer scale refines the coarser scale's flow
    (doubled, upsampled), so large motions are found where they are a pixel or two (coarse to fine).
    """

    def __init__(self, channels: int, use_warp: bool) -> None:
        super().__init__()
        self.channels, self.use_warp = channels, use_warp

    @property
    def outputs(self) -> int:
        return self.channels + (3 if self.use_warp else 0)

    def forward(self, out: torch.Tensor, last: torch.Tensor, base: torch.Tensor,
                flow_base: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor | None]:
        c = self.channels
        if not self.use_warp:
            return base + out, None
        flow = out[:, c: c + 2] if flow_base is None else flow_base + out[:, c: c + 2]  # (B, 2, H, W) pixels
        mask = torch.sigmoid(out[:, c + 2: c + 3] + 2.0)  # +2: starts near copy-last
        return mask * warp(last, flow) + (1 - mask) * (base + out[:, :c]), flow


def _convs(chans: list[int], kernels: list[int]) -> nn.Sequential:
    layers: list[nn.Module] = []
    for i, k in enumerate(kernels):
        layers.append(nn.Conv2d(chans[i], chans[i + 1], k, padding=k // 2))
        if i < len(kernels) - 1:
            layers.append(nn.ReLU(inplace=True))
    nn.init.zeros_(layers[-1].weight)  # the last layer starts at zero: an untrained G copies the last frame
    nn.init.zeros_(layers[-1].bias)
    return nn.Sequential(*layers)


class MultiScaleGenerator(nn.Module):
    """(B, K, C, H, W) context in [-1, 1] -> list of n predictions (B, C, s_k, s_k), coarse to fine."""

    def __init__(self, context: int, channels: int, size: int = 64, scales: int = 4, width: int = 16, use_warp: bool = False) -> None:
        super().__init__()
        self.sizes = [size // 2 ** (scales - 1 - k) for k in range(scales)]  # e.g. [8, 16, 32, 64]
        self.head, w = Head(channels, use_warp), width
        nets = []
        for k in range(scales):
            cin = context * channels + (channels if k else 0)
            if k < scales - 2:  # coarse scales: small kernels, [w, 2w, w]
                nets.append(_convs([cin, w, 2 * w, w, self.head.outputs], [3, 3, 3, 3]))
            else:  # fine scales: larger receptive field, [w, 2w, 2w, w]
                nets.append(_convs([cin, w, 2 * w, 2 * w, w, self.head.outputs], [5, 3, 3, 3, 5]))
        self.nets = nn.ModuleList(nets)

    def forward(self, context: torch.Tensor) -> list[torch.Tensor]:
        b = context.shape[0]
        outs: list[torch.Tensor] = []
        prev_last, flow = None, None
        for size, net in zip(self.sizes, self.nets):
            x = down(context, size).reshape(b, -1, size, size)  # (B, K*C, s, s)
            last = down(context[:, -1], size)  # (B, C, s, s)
            if not outs:  # coarsest scale: a correction of the last frame (copy-last is where training starts)
                y, flow = self.head(net(x), last, last)
            else:
                up = F.interpolate(outs[-1], size=(size, size), mode="bilinear", align_corners=False)  # (B, C, s, s)
                # base: the last frame at this scale plus the coarser scale's upsampled change to it, so the
                # pyramid's sum stays sharp (u(Y_{k-1}) alone would be a blurred frame at the finest scale)
                change = F.interpolate(outs[-1] - prev_last, size=(size, size), mode="bilinear", align_corners=False)
                flow_base = None if flow is None else 2 * F.interpolate(flow, size=(size, size), mode="bilinear", align_corners=False)
                y, flow = self.head(net(torch.cat([x, up], 1)), last, last + change, flow_base)
            outs.append(y)
            prev_last = last
        return outs


def _block(cin: int, cout: int, stride: int = 1, transpose: bool = False) -> nn.Sequential:
    conv = (nn.ConvTranspose2d(cin, cout, 4, stride, 1) if transpose and stride > 1 else nn.Conv2d(cin, cout, 3, stride, 1))
    return nn.Sequential(conv, nn.GroupNorm(2, cout), nn.SiLU())


class SimVPGenerator(nn.Module):
    """(B, K, C, H, W) -> [(B, C, H, W)]: encoder (per frame, to H/4), translator (K frames mixed), decoder."""

    def __init__(self, context: int, channels: int, width: int = 16, use_warp: bool = False, blocks: int = 4) -> None:
        super().__init__()
        h = 2 * width
        self.head = Head(channels, use_warp)
        self.enc = nn.ModuleList([_block(channels, h), _block(h, h, 2), _block(h, h, 2)])  # (C,H) -> (h,H/4)
        self.mix_in = nn.Conv2d(context * h, 2 * h, 1)
        # Translator: residual 3x3 blocks, two of them dilated so the receptive field at H/4 covers fast motion.
        self.translator = nn.ModuleList([nn.Sequential(nn.Conv2d(2 * h, 2 * h, 3, padding=d, dilation=d), nn.GroupNorm(2, 2 * h), nn.SiLU())
                                         for d in ([1, 2] * blocks)[:blocks]])
        self.mix_out = nn.Conv2d(2 * h, h, 1)
        self.dec = nn.ModuleList([_block(h, h, 2, transpose=True), _block(h, h, 2, transpose=True), _block(2 * h, h)])
        self.out = nn.Conv2d(h, self.head.outputs, 3, padding=1)
        nn.init.zeros_(self.out.weight)  # starts as copy-last
        nn.init.zeros_(self.out.bias)

    def forward(self, context: torch.Tensor) -> list[torch.Tensor]:
        b, k, c, H, W = context.shape
        x = context.reshape(b * k, c, H, W)
        skip = self.enc[0](x)  # (B*K, h, H, W)
        z = self.enc[2](self.enc[1](skip))  # (B*K, h, H/4, W/4)
        z = self.mix_in(z.reshape(b, -1, *z.shape[-2:]))  # (B, 2h, H/4, W/4): time folded into channels
        for block in self.translator:
            z = z + block(z)
        z = self.dec[1](self.dec[0](self.mix_out(z)))  # (B, h, H, W)
        last_skip = skip.reshape(b, k, *skip.shape[1:])[:, -1]
        z = self.dec[2](torch.cat([z, last_skip], 1))
        last = context[:, -1]
        return [self.head(self.out(z), last, last)[0]]


def shifted(x: torch.Tensor, radius: int, stride: int = 1) -> torch.Tensor:
    """(B, C, H, W) -> (B, C, (2r+1)^2, H, W): entry d = (dy, dx) is x(p - stride * d), borders repeated."""
    b, c, h, w = x.shape
    cols = F.unfold(F.pad(x, (radius * stride,) * 4, mode="replicate"), 2 * radius + 1, dilation=stride)  # (B, C*D, H*W)
    return cols.view(b, c, -1, h, w).flip(2)  # unfold's offset i is -d: flip so that index d's shift is +d


class ShiftKernelGenerator(nn.Module):
    """(B, K, C, H, W) -> [(B, C, H, W)]: cost volume of the last two frames -> per-pixel shift kernel on the last frame.

    Velocity evidence lives at the source pixel p of the last frame: q(p, d) = softmax_d(-beta * C(p, d)),
    C(p, d) = |last(p) - prev(p - d)| box-averaged. The pixel x of the next frame takes hypothesis d from
    source x - d with logit alpha * log q(x - d, d): a textured source with a clear velocity (log q ~ 0)
    beats a flat one that matches every velocity (log q = -log D), so moved digits do not fade into the
    background they cross.
    """

    def __init__(self, channels: int, width: int = 8, radius: int = 4, window: int = 5, correction: bool = True,
                 reflect: bool = False, temperature: float = 1.0, predict_support: int = 0) -> None:
        super().__init__()
        self.radius, self.window, self.c = radius, window, channels if correction else 0
        # The kernel's softmax temperature, trained with (not an evaluation-time knob). Each rolled-out step moves
        # the share (1 - max weight) of a pixel's intensity off its best shift, and the fed-back frame compounds it:
        # with max weights ~0.9 per step on digit pixels, 0.9^10 of a digit is left in place at h = 10 (measured).
        self.temperature = temperature
        # In eval mode (evaluation, prediction, snapshots; EMA copies are always in it) the kernel keeps only the shifts
        # within `predict_support` px (per axis) of its largest weight, renormalised (0: all). The weight a trained kernel
        # puts far from its best shift (~0.1 per step on digit pixels) is what the fed-back rollout compounds into a
        # fading digit; neighbouring shifts, the sub-pixel interpolation of a pan, stay. Training is unchanged.
        self.predict_support = predict_support
        n, h = (2 * radius + 1) ** 2, 2 * width
        self.beta = nn.Parameter(torch.tensor(20.0))  # cost -> velocity logit; 20: a cost of 0.25 is e^-5 less likely
        self.alpha = nn.Parameter(torch.tensor(3.0))  # how strongly a confident source wins over flat ones
        self.net = nn.Sequential(
            nn.Conv2d(n + 2 * channels, h, 1), nn.SiLU(),  # 1x1 in and out: the D-channel ends are the costly ones
            nn.Conv2d(h, h, 3, padding=1), nn.SiLU(),
            nn.Conv2d(h, h, 3, padding=2, dilation=2), nn.SiLU(),
            nn.Conv2d(h, h, 3, padding=1), nn.SiLU(),
            nn.Conv2d(h, n + self.c, 1))
        nn.init.zeros_(self.net[-1].weight)  # starts as the block-matching extrapolator
        nn.init.zeros_(self.net[-1].bias)
        self.gate = ReflectionGate(channels, width) if reflect else None
        if reflect:  # for kernel index d = (dy, dx): the index of the displacement whose prev frame a reflected hypothesis compares
            ds = [(dy, dx) for dy in range(-radius, radius + 1) for dx in range(-radius, radius + 1)]
            idx = lambda dy, dx: (dy + radius) * (2 * radius + 1) + dx + radius
            # reflected in y, in x, in both: prev(x - d - R d) = prev(x - 2 (0, dx)), prev(x - 2 (dy, 0)), prev(x)
            self.register_buffer("bounce", torch.tensor([[idx(0, dx), idx(dy, 0), idx(0, 0)] for dy, dx in ds]), persistent=False)
            self.register_buffer("disp", torch.tensor(ds, dtype=torch.float32).T, persistent=False)  # (2, D): (dy, dx) of index d

    def _box(self, cost: torch.Tensor) -> torch.Tensor:
        """(B, D, H, W) -> the mean over a window x window neighbourhood (motion is rigid within it), borders repeated."""
        k = self.window
        y = F.pad(cost, (k // 2 + 1, k // 2, k // 2 + 1, k // 2), mode="replicate")  # one more leading row/column: the zero of the sums
        y = y.cumsum(-1)  # running sums, differenced k apart: 3x faster than k slices, 17x faster than avg_pool2d (measured)
        y = y[..., k:] - y[..., :-k]
        y = y.cumsum(-2)
        return (y[..., k:, :] - y[..., :-k, :]) / (k * k)

    def forward(self, context: torch.Tensor) -> list[torch.Tensor]:
        last, prev = context[:, -1], context[:, -2]  # (B, C, H, W)
        c, r = self.c, self.radius
        cand = shifted(last, r)  # (B, C, D, H, W): last(x - d), the candidate next frames
        with torch.no_grad():  # the costs are measurements: gradients reach G through cand, beta, alpha and the net
            src = self._box((last[:, :, None] - shifted(prev, r)).abs().mean(1))  # (B, D, H, W): C(p, d) at source p
            cost = self._box((cand - shifted(prev, r, 2)).abs().mean(1))  # (B, D, H, W): C(x - d, d)
        norm = torch.logsumexp(-self.beta * src, 1, keepdim=True)  # (B, 1, H, W): log q(p, d) = -beta C(p, d) - norm
        snorm = shifted(norm, r)[:, 0]  # (B, D, H, W): the normaliser at source x - d
        logq = -self.beta * cost - snorm  # (B, D, H, W): log q(x - d, d)
        out = self.net(torch.cat([cost, last, prev], 1))  # (B, c + D, H, W): pixel correction (c = C or 0), kernel logits
        kernel = torch.softmax((self.alpha * logq + out[:, c:]) / self.temperature, 1)  # (B, D, H, W)
        if self.gate is not None:
            kernel = self._reflected(kernel, last, prev, cand, snorm)
        if self.predict_support and not self.training:
            kernel = self._truncated(kernel)
        frame = (kernel[:, None] * cand).sum(2)  # (B, C, H, W)
        return [frame + out[:, :c] if c else frame]

    def _truncated(self, kernel: torch.Tensor) -> torch.Tensor:
        """(B, D, H, W) kernel -> zero outside the (2s+1)^2 shifts around each pixel's largest weight, renormalised."""
        m, s = 2 * self.radius + 1, self.predict_support
        best = kernel.argmax(1, keepdim=True)  # (B, 1, H, W): index (dy + r) * m + dx + r of the best shift
        idx = torch.arange(m * m, device=kernel.device)[None, :, None, None]  # (1, D, 1, 1)
        keep = ((idx // m - best // m).abs() <= s) & ((idx % m - best % m).abs() <= s)  # (B, D, H, W)
        kernel = kernel * keep
        return kernel / kernel.sum(1, keepdim=True)  # the best shift is kept, so the sum is > 0

    def _reflected(self, kernel: torch.Tensor, last: torch.Tensor, prev: torch.Tensor, cand: torch.Tensor,
                   snorm: torch.Tensor) -> torch.Tensor:
        """(B, D, H, W) kernel -> the gate-weighted mixture of it and of its three wall reflections.

        A reflection at a horizontal wall turns a velocity (vy, vx) into (-vy, vx) (Moving MNIST's
        bounce, OpenSTL). Hypothesis d at target x under that reflection moves source p = x - d, whose
        own velocity must then be (-dy, dx): the evidence is |last(x - d) - prev(x - d - (-dy, dx))| =
        |last(x - d) - prev(x - (0, 2 dx))|, the same test at the same source as today's, only for the
        pre-bounce velocity. So each reflection is an exact hypothesis family, not a blurred guess, and
        the rolled-out next step measures the new velocity from the reflected frame by itself.
        """
        r = self.radius
        with torch.no_grad():  # measurements, like the costs in forward
            prev2 = shifted(prev, r, 2)  # (B, C, D, H, W): prev(x - 2d)
            costs = [self._box((cand - prev2[:, :, self.bounce[:, i]]).abs().mean(1)) for i in range(3)]  # y, x, both
            velocity = torch.einsum("bdhw,kd->bkhw", kernel, self.disp) / r  # (B, 2, H, W): today's expected displacement, in radii
        gy, gx = self.gate(last, prev, velocity).unbind(1)  # (B, H, W) each, ~0 at the start
        kernels = [torch.softmax(self.alpha * (-self.beta * cost - snorm) / self.temperature, 1) for cost in costs]  # (B, D, H, W) each
        gy, gx = gy[:, None], gx[:, None]
        return ((1 - gy) * (1 - gx) * kernel + gy * (1 - gx) * kernels[0] + (1 - gy) * gx * kernels[1]
                + gy * gx * kernels[2])


class ReflectionGate(nn.Module):
    """(last, prev (B, C, H, W), velocity (B, 2, H, W)) -> (B, 2, H, W) gates in (0, 1): reflect the velocity in y, in x.

    Whether a digit bounces next frame depends on where its whole 28-px box is (Moving MNIST reflects
    the box, and a glyph need not fill it), farther than the kernel net's ~9-px receptive field sees;
    so this branch works at 1/4 resolution with dilated convolutions (receptive field the whole 64-px
    frame) and sees the pixel coordinates (the wall distances). A gate mixes convexly, so its gradient
    stays alive where the kernel's softmax, saturated by the block-matching prior, gives none towards
    the reflected velocity (measured: `shift_coords` learned nothing in 900 steps).
    """

    def __init__(self, channels: int, width: int = 8, factor: int = 4, start: float = -6.0, gain: float = 10.0) -> None:
        super().__init__()
        h = 2 * width
        self.factor, self.gain = factor, gain  # gain: Adam moves a weight by <= lr per step; the logit must travel ~10
        self.net = nn.Sequential(
            nn.Conv2d(2 * channels + 4, h, 3, padding=1), nn.SiLU(),
            nn.Conv2d(h, h, 3, padding=2, dilation=2), nn.SiLU(),
            nn.Conv2d(h, h, 3, padding=4, dilation=4), nn.SiLU(),
            nn.Conv2d(h, h, 3, padding=2, dilation=2), nn.SiLU(),
            nn.Conv2d(h, 2, 1))
        nn.init.zeros_(self.net[-1].weight)  # every gate starts at sigmoid(start) ~ 0.0025 (shut in eval mode): today's G
        nn.init.constant_(self.net[-1].bias, start / gain)

    def forward(self, last: torch.Tensor, prev: torch.Tensor, velocity: torch.Tensor) -> torch.Tensor:
        b, _, H, W = last.shape
        ys = torch.linspace(-1, 1, H, device=last.device, dtype=last.dtype)[:, None].expand(H, W)
        xs = torch.linspace(-1, 1, W, device=last.device, dtype=last.dtype)[None, :].expand(H, W)
        coords = torch.stack([ys, xs])[None].expand(b, 2, H, W)  # (B, 2, H, W): -1 and 1 at the walls
        x = F.avg_pool2d(torch.cat([last, prev, velocity, coords], 1), self.factor)  # (B, 2C + 4, H/f, W/f)
        z = F.interpolate(self.net(x), size=(H, W), mode="bilinear", align_corners=False)  # (B, 2, H, W)
        soft = torch.sigmoid(self.gain * z)
        # Training mixes softly, so the gate has a gradient; a trained G in eval mode commits to the likelier branch.
        # Used softly, the gates hedge an uncertain bounce by blending the reflected and the unreflected digit (digits,
        # 128 clips: MSE 253 but SSIM 0.551, sharpness at h = 10 768); committed, the same weights score MSE 317,
        # SSIM 0.684, sharpness 8,150 (measured). Hard gates in training too (straight-through) flipped on where
        # reflecting was wrong and raised the training loss (measured), so that is not done.
        return soft if self.training else (soft > 0.5).to(soft.dtype)


class MultiScaleDiscriminator(nn.Module):
    """(N, 3, C, H, W) two previous frames and a candidate, or a list of them per scale -> (N, n) logits (real > 0)."""

    def __init__(self, channels: int, size: int = 64, scales: int = 4, width: int = 16) -> None:
        super().__init__()
        self.sizes = [size // 2 ** (scales - 1 - k) for k in range(scales)]
        w = width
        self.nets = nn.ModuleList()
        for s in self.sizes:
            layers: list[nn.Module] = [nn.Conv2d(3 * channels, w, 3, padding=1), nn.LeakyReLU(0.2)]
            c, r = w, s
            while r > 4:  # stride-2 convolutions down to 4x4
                layers += [nn.Conv2d(c, min(2 * c, 4 * w), 4, stride=2, padding=1), nn.LeakyReLU(0.2)]
                c, r = min(2 * c, 4 * w), r // 2
            layers += [nn.Flatten(), nn.Linear(c * r * r, 4 * w), nn.LeakyReLU(0.2), nn.Linear(4 * w, 1)]
            self.nets.append(nn.Sequential(*layers))

    def forward(self, frames: torch.Tensor | list[torch.Tensor]) -> torch.Tensor:
        per_scale = frames if isinstance(frames, list) else [down(frames, s) for s in self.sizes]
        return torch.cat([net(x.reshape(x.shape[0], -1, s, s)) for x, s, net in zip(per_scale, self.sizes, self.nets)], 1)


def make_networks(cfg: VideoConfig) -> dict[str, nn.Module]:
    """{"G": the chosen generator, "D": the multi-scale discriminator (absent when lam_adv = 0)}."""
    c = cfg.image_channels
    if cfg.generator == "simvp":
        G: nn.Module = SimVPGenerator(cfg.context, c, cfg.width, cfg.warp)
    elif cfg.generator == "shift":
        G = ShiftKernelGenerator(c, cfg.width, cfg.shift_radius, cfg.shift_window, cfg.shift_correction, cfg.shift_reflect,
                                 cfg.shift_temperature, cfg.shift_predict_support)
    else:
        G = MultiScaleGenerator(cfg.context, c, cfg.size, cfg.scales, cfg.width, cfg.warp)
    nets = {"G": G}
    if cfg.lam_adv > 0:
        nets["D"] = MultiScaleDiscriminator(c, cfg.size, cfg.scales, cfg.d_width)
    return nets


def rollout(G: nn.Module, context: torch.Tensor, horizon: int, all_scales: bool = False) -> list:
    """Predict `horizon` frames, each from the K latest frames, predictions fed back (paper §3, recursive).

    context: (B, K, C, H, W). Returns a list of `horizon` finest predictions (B, C, H, W), or with
    `all_scales` a list of per-scale lists. Gradients flow through the fed-back frames.
    """
    frames = list(context.unbind(1))
    k = context.shape[1]
    out = []
    for _ in range(horizon):
        scales = G(torch.stack(frames[-k:], 1))
        frames.append(scales[-1])
        out.append(scales if all_scales else scales[-1])
    return out
