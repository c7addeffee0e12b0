"""examples/sr_outside_downscalers.py: its nine resizers are really outside the plugin's trained ones."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from gansuite_super_resolution.data import DOWNSCALERS, embedded_image

SCRIPT = Path(__file__).resolve().parents[1] / "examples" / "sr_outside_downscalers.py"


@pytest.fixture(scope="module")
def script():
    spec = importlib.util.spec_from_file_location("sr_outside_downscalers", SCRIPT)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.parametrize("scale", [2, 4])
def test_outside_resizers_give_the_plugins_size_but_not_its_pictures(script, scale):
    hr = embedded_image("chelsea")[:96, :128]  # (96, 128, 3), a multiple of both scales
    trained = [f(hr, scale).astype(np.int16) for f in DOWNSCALERS.values()]
    for name, shrink in script.shrinkers(scale).items():
        lr = shrink(hr)
        assert lr.shape == (96 // scale, 128 // scale, 3) and lr.dtype == np.uint8, name
        nearest = min(np.abs(lr.astype(np.int16) - t).mean() for t in trained)  # grey levels
        if name == "torchvision Resize":  # another implementation of MATLAB's kernel: the page says so
            assert nearest < 0.25
        elif name == "OpenCV Lanczos4":  # an aliased kernel is nearly OpenCV cubic's (0.47 grey levels at both scales)
            assert nearest > 0.3
        elif name != "skimage rescale":  # close to MATLAB's at x2 (0.5 grey levels), further at x4
            assert nearest > 0.75, name
