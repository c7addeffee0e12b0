"""toy2d from Python: train a short run, reload it, score it and plot its samples.

    pip install -e examples/plugins/gansuite-toy2d
    python examples/toy2d_api.py            # ~1-2 minutes on a laptop CPU

The full benchmarked run is `gansuite train toy2d --set data=grid` (6000 steps); this script
trains 4000 steps on the ring (about 80 CPU-seconds on a 2-core machine; the demo's budget) so that it finishes quickly.
"""
from pathlib import Path

import torch

from gansuite_core import load_run, train_app
from gansuite_toy2d.data import mixture
from gansuite_toy2d.evaluation import mode_report, sample_points
from gansuite_toy2d.pictures import scatter

out = Path("runs/toy2d-api")
# Keyword options are core keys (steps, seed, ...) and toy2d's own (data, pack, ...), as with --set.
# A run directory holds one run: pass resume=True to continue it, or choose a new folder.
if not (out / "checkpoints").exists():
    train_app("toy2d", out, data="ring", pack=2, steps=4000, sample_every=1000, seed=0)

run = load_run(out, app="toy2d")  # networks rebuilt from config.toml, weights from the last checkpoint
G = run.net("G")  # the EMA generator, in eval mode
points = sample_points(G, 2500, seed=0)  # (2500, 2) numpy array
report = mode_report(points, mixture(run.config.options.data))  # the PacGAN protocol
print(f"step {run.step}: {report['modes']}/{report['of_modes']} modes, "
      f"{100 * report['high_quality']:.1f} % high quality, reverse KL {report['reverse_kl']:.3f}")
print("the application's own evaluation:", run.app.evaluate(run, torch.device("cpu")))
print("scatter:", scatter(points, mixture("ring"), out / "api-scatter.png"))
print("training curves:", run.dir / "loss.png", "| snapshots:", sorted(p.name for p in run.samples.glob("*.png")))
