"""The plugin door: entry points loaded one by one, broken plugins reported and skipped."""
from __future__ import annotations

import json
import sys
from importlib import metadata
from pathlib import Path

import pytest

from gansuite_core.cli import main
from gansuite_core.plugins import build_registry, describe, new_manager, set_registry

sys.path.insert(0, str(Path(__file__).parent / "fake_plugins"))

FAKE = {
    "good": "good_plugin",
    "broken-import": "import_error_plugin",
    "broken-register": "register_error_plugin",
    "typo": "typo_hook_plugin",
}


@pytest.fixture
def fake_entry_points(monkeypatch):
    eps = [metadata.EntryPoint(name, module, "gansuite") for name, module in FAKE.items()]
    real = metadata.entry_points

    def entry_points(**kw):
        return eps if kw.get("group") == "gansuite" else real(**kw)

    monkeypatch.setattr(metadata, "entry_points", entry_points)
    monkeypatch.delenv("GANSUITE_LOAD_PLUGINS", raising=False)
    monkeypatch.delenv("GANSUITE_STRICT_PLUGINS", raising=False)
    yield
    set_registry(None)


def test_broken_plugins_are_reported_and_skipped(fake_entry_points, capsys):
    reg = build_registry()
    assert set(reg.apps) == {"good-app"}
    failed = {f.plugin: f for f in reg.failures}
    assert set(failed) == {"broken-import", "broken-register", "typo"}
    assert "a_module_that_does_not_exist" in failed["broken-import"].error
    assert "my registration is broken" in failed["broken-register"].error
    assert "gansuite_register_aps" in failed["typo"].error
    err = capsys.readouterr().err
    assert err.count("warning: plugin") == 3
    rows = {r["name"]: r for r in describe(reg)}
    assert rows["good"]["apps"] == ["good-app"] and "gansuite_register_apps" in rows["good"]["hooks"]
    assert rows["broken-import"]["error"].startswith("import: ") and rows["broken-register"]["error"].startswith("register: ")


def test_cli_keeps_working_and_lists_failures(fake_entry_points, capsys):
    set_registry(None)
    main(["plugins", "--json"])
    rows = {r["name"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows["good"]["error"] is None and rows["broken-import"]["error"].startswith("import")
    set_registry(None)
    main(["hello-good"])
    assert "hello from good" in capsys.readouterr().out


def test_strict_mode_makes_a_broken_plugin_fatal_in_one_line(fake_entry_points, monkeypatch, capsys):
    from conftest import fails

    monkeypatch.setenv("GANSUITE_STRICT_PLUGINS", "1")
    set_registry(None)
    err = fails(capsys, "apps")
    assert "broken-import" in err and "GANSUITE_STRICT_PLUGINS" in err


def test_a_misspelt_hook_is_refused_in_process_too(capsys):
    import typo_hook_plugin
    from toyapps import ToyPlugin

    pm = new_manager()
    pm.register(ToyPlugin(), name="toy")
    pm.register(typo_hook_plugin, name="typo")
    reg = build_registry(pm, entry_points=False)
    assert "toy-gan" in reg.apps and [f.plugin for f in reg.failures] == ["typo"]
    assert "gansuite_register_aps" in reg.failures[0].error and not pm.has_plugin("typo")


def test_two_packages_declaring_one_entry_point_get_a_warning(monkeypatch, capsys):
    class Dist:
        def __init__(self, name):
            self.name, self.version = name, "1.0"

    eps = [metadata.EntryPoint("good", "good_plugin", "gansuite")._for(Dist(d)) for d in ("pkg-a", "pkg-b")]
    real = metadata.entry_points
    monkeypatch.setattr(metadata, "entry_points", lambda **kw: eps if kw.get("group") == "gansuite" else real(**kw))
    monkeypatch.delenv("GANSUITE_LOAD_PLUGINS", raising=False)
    reg = build_registry()
    assert set(reg.apps) == {"good-app"}
    err = capsys.readouterr().err
    assert "declared by two installed packages" in err and "pkg-a" in err and "pkg-b" in err


def test_a_config_field_without_a_comment_gets_a_warning(capsys):
    from dataclasses import dataclass

    from gansuite_core import Application, hookimpl

    @dataclass(frozen=True)
    class Quiet:
        width: int = 3

    class P:
        @hookimpl
        def gansuite_register_apps(self, register):
            register(Application("quiet", "x", Quiet, dict, dict))

    pm = new_manager()
    pm.register(P(), name="p")
    reg = build_registry(pm, entry_points=False)
    assert "quiet" in reg.apps
    assert "field(s) width have no '# comment'" in capsys.readouterr().err


def test_build_cli_returns_a_fresh_group_each_call(toy_registry):
    from gansuite_core.cli import build_cli

    a, b = build_cli(toy_registry), build_cli(toy_registry)
    assert a is not b and a.commands.keys() == b.commands.keys() and "check-plugin" in a.commands


def test_hook_wrappers_and_ordering_apply_and_a_failing_hook_is_muted_once(toy_registry, capsys):
    from gansuite_core import hookimpl
    from gansuite_core.plugins import call_hook

    order = []

    class First:
        @hookimpl(tryfirst=True)
        def gansuite_run_end(self, run, metrics):
            order.append("first")

    class Wrapper:
        @hookimpl(wrapper=True)
        def gansuite_run_end(self, run, metrics):
            order.append("before")
            yield
            order.append("after")

    class Broken:
        @hookimpl(trylast=True)
        def gansuite_run_end(self, run, metrics):
            order.append("broken")
            raise RuntimeError("down")

    for name, plugin in (("broken", Broken()), ("wrapper", Wrapper()), ("first", First())):
        toy_registry.pm.register(plugin, name=name)
    call_hook(toy_registry, "gansuite_run_end", run=None, metrics={})
    call_hook(toy_registry, "gansuite_run_end", run=None, metrics={})
    assert order == ["before", "first", "broken", "after", "before", "first", "after"]
    assert capsys.readouterr().err.count("plugin 'broken' failed in gansuite_run_end") == 1


def test_load_only_the_named_plugins(fake_entry_points, monkeypatch):
    monkeypatch.setenv("GANSUITE_LOAD_PLUGINS", "good")
    reg = build_registry()
    assert set(reg.apps) == {"good-app"} and reg.failures == []
    monkeypatch.setenv("GANSUITE_LOAD_PLUGINS", "")
    assert build_registry().apps == {}


def test_duplicate_application_name_is_reported(capsys):
    from toyapps import ToyPlugin

    pm = new_manager()
    pm.register(ToyPlugin(), name="first")
    pm.register(ToyPlugin(), name="second")
    reg = build_registry(pm, entry_points=False)
    assert {a.plugin for a in reg.apps.values()} == {"second"} or {a.plugin for a in reg.apps.values()} == {"first"}
    assert any("already registered" in f.error for f in reg.failures)


def test_bad_application_config_is_rejected_at_registration():
    from dataclasses import dataclass

    from gansuite_core import Application, hookimpl

    @dataclass(frozen=True)
    class Clash:
        steps: int = 3  # shadows a core option

    class P:
        @hookimpl
        def gansuite_register_apps(self, register):
            register(Application("clash", "x", Clash, dict, dict))

    pm = new_manager()
    pm.register(P(), name="p")
    reg = build_registry(pm, entry_points=False)
    assert not reg.apps and "shadow core options" in reg.failures[0].error
