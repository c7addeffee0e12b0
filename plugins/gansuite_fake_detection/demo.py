"""`gansuite demo fake-detection`: own forgers on drawn flowers, the detector, and what it finds hard."""
from __future__ import annotations

import numpy as np

from gansuite_core import DemoRequest, DemoResult, train_demo

from . import data, panels, sources
from .evaluation import p_fake


def demo(req: DemoRequest) -> DemoResult:
    # Two 300-step DCGAN forgers (seen), a 100-step ResNet-SN one (held out), 500 detector steps: about 3 CPU-minutes
    # estimated from the benchmark's per-step costs (not timed as a whole).
    run, report = train_demo(req, steps=500, forgers="dcgan:ns:300,dcgan:lsgan:300,resnet:hinge:100", sample_every=0)
    cfg = run.config.options
    real, _, srcs, fakes = sources.load_all(cfg, run.dir, req.registry)
    _, real_te, _, f_te = data.splits(cfg.test_fraction, real, srcs, fakes)
    net = run.net("C")
    fake = np.concatenate(list(f_te.values()))
    pictures = [panels.confidence_panel(real_te, p_fake(net, real_te), fake, p_fake(net, fake), req.out / "confidence.png")]
    pictures.append(panels.save_png(panels.scored(fake[:: max(1, len(fake) // 18)][:18], p_fake(net, fake[:: max(1, len(fake) // 18)][:18])), req.out / "fakes.png"))
    g = report["goals"]
    held = [s.name for s in srcs if s.heldout]
    return DemoResult(
        title="Fake detection: a small CNN against the suite's own GANs",
        text=f"Forgers: {', '.join(s.name for s in srcs)} (held out: {', '.join(held) or 'none'}), short image-generation runs on "
             f"{report['real']}; the detector trained with blur+JPEG augmentation (Wang et al. 2020). The panel shows the most and "
             f"least confident real and fake test images, with p_fake under each.",
        pictures=pictures,
        numbers={"AP seen": g["seen_ap"], "AP held-out generator": g["heldout_ap"], "AP JPEG 50": g["jpeg50_ap"],
                 "AP blur 1": g["blur1_ap"], "spectrum baseline AP seen": report["spectrum"]["clean"]["seen_ap"]})
