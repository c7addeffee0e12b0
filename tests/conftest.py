from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
import torch

sys.path.insert(0, str(Path(__file__).parent))
torch.set_num_threads(1)  # two xdist workers on two cores


@pytest.fixture
def toy_registry():
    """A registry with the in-process toy plugins only (no entry points), installed process-wide."""
    from toyapps import toy_plugin

    from gansuite_core.plugins import build_registry, new_manager, set_registry

    pm = new_manager()
    pm.register(toy_plugin, name="toy")
    reg = build_registry(pm, entry_points=False)
    set_registry(reg)
    yield reg
    set_registry(None)
