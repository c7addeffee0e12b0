"""Run the gansuite CLI with the in-process toy plugins (for subprocess and torchrun tests).

    python tests/run_toy.py train toy-gan --out DIR ...
    GANSUITE_DUMP=DIR torchrun --nproc_per_node 2 tests/run_toy.py train toy-gan ...   # each rank dumps its weights
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import torch  # noqa: E402

torch.set_num_threads(1)

from toyapps import toy_plugin  # noqa: E402

from gansuite_core import engine  # noqa: E402
from gansuite_core.cli import main  # noqa: E402
from gansuite_core.plugins import build_registry, new_manager, set_registry  # noqa: E402

pm = new_manager()
pm.register(toy_plugin, name="toy")
set_registry(build_registry(pm, entry_points=os.environ.get("GANSUITE_TOY_ENTRY_POINTS") == "1"))

dump = os.environ.get("GANSUITE_DUMP")
if dump:  # after fit(), every rank writes the weights it ended with
    from safetensors.torch import save_file

    fit = engine.Trainer.fit

    def fit_and_dump(self):
        out = fit(self)
        tensors = {f"{n}.{k}": v.detach().clone().contiguous() for n, m in self.nets.items() for k, v in m.state_dict().items()}
        save_file(tensors, str(Path(dump) / f"rank{self.dist.rank}.safetensors"))
        return out

    engine.Trainer.fit = fit_and_dump
    average = engine.Trainer._average_gradients

    def average_and_dump(self, player):  # the first all-reduce: each rank's own gradients, then what it got back
        if getattr(self, "_grads_dumped", False):
            return average(self, player)
        before = [q.grad.detach().clone() for q in self.params[player] if q.grad is not None]
        average(self, player)
        after = [q.grad.detach().clone() for q in self.params[player] if q.grad is not None]
        tensors = {**{f"before.{i}": t for i, t in enumerate(before)}, **{f"after.{i}": t for i, t in enumerate(after)}}
        save_file(tensors, str(Path(dump) / f"grads-rank{self.dist.rank}.safetensors"))
        self._grads_dumped = True

    engine.Trainer._average_gradients = average_and_dump

main(sys.argv[1:])
