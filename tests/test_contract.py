"""Contract tests parametrised over every installed application (timm's tests/test_models.py idea).

A new application, bundled or third-party, is tested for free: on its own `quick` settings it
trains, resumes bit-exactly, reloads through `load_run`, evaluates, generates, runs its demo, and
refuses bad options in one line. The checks are `gansuite check-plugin`'s (gansuite_core/check.py),
so a plugin author who passes that command passes these tests.
"""
from __future__ import annotations

import dataclasses

import pytest

from gansuite_core.check import check_app
from gansuite_core.config import CoreConfig, field_docs
from gansuite_core.plugins import build_registry

REGISTRY = build_registry()
APPS = sorted(REGISTRY.apps)
CHECKS = ["train", "resume", "reload", "evaluate", "generate", "demo", "errors"]


def test_bundled_applications_are_installed():
    bundled = {"image-generation", "super-resolution", "video-prediction", "neural-crypto", "fake-detection", "synthetic-records"}
    assert bundled <= set(APPS), REGISTRY.failures


@pytest.mark.parametrize("name", APPS)
def test_config_is_documented(name):
    app = REGISTRY.apps[name]
    for cls in (app.config, app.generate_options):
        if cls is None:
            continue
        docs = field_docs(cls)
        missing = [f.name for f in dataclasses.fields(cls) if not docs.get(f.name)]
        assert not missing, f"{cls.__name__}: fields without a comment: {missing}"
    assert app.summary and len(app.summary) < 120
    assert set(app.core_defaults) <= {f.name for f in dataclasses.fields(CoreConfig)}
    assert app.quick, "an application needs `quick` settings for the contract tests and check-plugin"


@pytest.mark.parametrize("name", APPS)
def test_end_to_end_on_quick_settings(name, tmp_path):
    results = check_app(REGISTRY.apps[name], tmp_path, registry=REGISTRY)
    assert [r.name for r in results] == CHECKS
    failed = [f"{r.name}: {r.detail}" for r in results if not r.ok]
    assert not failed, "; ".join(failed)
    for r in results:  # the promise is that each check actually ran, not that it was skipped
        if r.name in ("evaluate", "generate", "demo"):
            assert "skipped" not in r.detail or getattr(REGISTRY.apps[name], r.name) is None, r
