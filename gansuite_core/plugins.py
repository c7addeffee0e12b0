"""The plugin manager: one front door for bundled and third-party plugins alike.

Entry points of the group `gansuite` are loaded one at a time, so one plugin that fails to
import or register is reported (name and error, on stderr and in `gansuite plugins`) and
skipped, and every other command keeps working. Environment switches:

    GANSUITE_LOAD_PLUGINS=a,b   load only these entry points (empty: none)
    GANSUITE_STRICT_PLUGINS=1   a broken plugin is fatal: one line, exit code 2 (for plugin authors)
    GANSUITE_NO_ENTRY_POINTS=1  load no entry point (in-process test registries)

Lifecycle hooks (`gansuite_run_start`, ...) are called in one place, `call_hook`, through pluggy's
own hook caller, so hook wrappers and tryfirst/trylast ordering work. Each plain implementation is
guarded when the registry is built: one that raises is reported once and muted for the process,
and the others still run.

Only the CLI and the package's front door (`gansuite_core/__init__.py`) use the process-wide
registry (`registry()`); everything below them receives it as an argument.
"""
from __future__ import annotations

import os
import sys
import traceback
from dataclasses import dataclass, field
from importlib import metadata
from typing import Any, Callable

import pluggy

from . import hookspecs
from .app import Application
from .config import check_app_config, undocumented
from .errors import UserError

hookimpl = pluggy.HookimplMarker("gansuite")
GROUP = "gansuite"


@dataclass
class PluginFailure:
    plugin: str  # entry-point or registration name
    stage: str  # "import", "register", "hook"
    error: str  # one line


@dataclass
class Registry:
    """Everything the loaded plugins added."""

    pm: pluggy.PluginManager
    apps: dict[str, Application] = field(default_factory=dict)
    extractors: dict[str, tuple[str, Callable[[], Any]]] = field(default_factory=dict)  # name -> (plugin, factory)
    failures: list[PluginFailure] = field(default_factory=list)
    versions: dict[str, str] = field(default_factory=dict)  # plugin name -> distribution version
    muted: set[str] = field(default_factory=set)  # plugins whose lifecycle hooks failed once (off for this process)

    def app(self, name: str) -> Application:
        if name not in self.apps:
            known = ", ".join(sorted(self.apps)) or "none (is gansuite installed with its plugins?)"
            raise UserError(f"unknown application {name!r}; installed: {known}")
        return self.apps[name]

    def plugin_names(self) -> list[str]:
        return [n for n, _ in self.pm.list_name_plugin() if n is not None]


def _one_line(e: BaseException) -> str:
    text = str(e).strip().splitlines()
    return f"{type(e).__name__}: {text[0] if text else ''}".rstrip(": ")


def _strict() -> bool:
    return os.environ.get("GANSUITE_STRICT_PLUGINS", "") not in ("", "0", "false")


def _fail(reg: Registry, plugin: str, stage: str, e: BaseException) -> None:
    if _strict():
        raise UserError(f"plugin {plugin!r} failed to {stage} (GANSUITE_STRICT_PLUGINS is set): {_one_line(e)}") from e
    reg.failures.append(PluginFailure(plugin, stage, _one_line(e)))
    print(f"gansuite: warning: plugin {plugin!r} failed to {stage} and was skipped: {_one_line(e)}", file=sys.stderr)
    if os.environ.get("GANSUITE_TRACE_PLUGINS"):
        traceback.print_exception(e, file=sys.stderr)


def new_manager() -> pluggy.PluginManager:
    pm = pluggy.PluginManager("gansuite")
    pm.add_hookspecs(hookspecs)
    return pm


def _load_entry_points(pm: pluggy.PluginManager, reg: Registry) -> None:
    allow = os.environ.get("GANSUITE_LOAD_PLUGINS")
    wanted = None if allow is None else {n.strip() for n in allow.split(",") if n.strip()}
    seen: dict[str, str] = {}
    for ep in sorted(metadata.entry_points(group=GROUP), key=lambda e: e.name):
        if wanted is not None and ep.name not in wanted:
            continue
        where = f"{ep.dist.name if ep.dist else '?'} ({ep.value})"
        if ep.name in seen:
            if seen[ep.name] != where:
                print(f"gansuite: warning: entry point {ep.name!r} is declared by two installed packages, {seen[ep.name]} and {where}; "
                      "the first is used", file=sys.stderr)
            continue
        seen[ep.name] = where
        if pm.has_plugin(ep.name):
            continue
        try:
            module = ep.load()
            pm.register(module, name=ep.name)
            pm.check_pending()  # a misspelt gansuite_* hook is this plugin's error, not a silent no-op
        except Exception as e:  # noqa: BLE001 -- any failure of a plugin is reported, not fatal
            if pm.has_plugin(ep.name):
                pm.unregister(name=ep.name)
            _fail(reg, ep.name, "import", e)
            continue
        if ep.dist is not None:
            reg.versions[ep.name] = ep.dist.version


def each_impl(reg: Registry, hook: str, **kwargs: Any) -> None:
    """Call every implementation of registration hook `hook` separately; a failing one is reported and skipped."""
    caller = getattr(reg.pm.hook, hook)
    for impl in reversed(caller.get_hookimpls()):
        try:
            impl.function(**{k: v for k, v in kwargs.items() if k in impl.argnames})
        except Exception as e:  # noqa: BLE001
            _fail(reg, impl.plugin_name, "register", e)


LIFECYCLE = ("gansuite_run_start", "gansuite_step_end", "gansuite_checkpoint_written", "gansuite_run_end")


def _guard(reg: Registry, hook: str, impl: Any) -> None:
    """Wrap one lifecycle implementation so that its exception is reported once and the plugin muted."""
    inner = impl.function
    if getattr(inner, "_gansuite_guarded", False):
        return

    def guarded(*args: Any) -> Any:  # pluggy calls implementations positionally, in argnames order
        if impl.plugin_name in reg.muted:
            return None
        try:
            return inner(*args)
        except Exception as e:  # noqa: BLE001 -- a logger plugin must not kill training
            reg.muted.add(impl.plugin_name)
            print(f"gansuite: warning: plugin {impl.plugin_name!r} failed in {hook} ({_one_line(e)}); its hooks are off for this process",
                  file=sys.stderr)
            return None

    guarded._gansuite_guarded = True  # type: ignore[attr-defined]
    impl.function = guarded


def call_hook(reg: Registry | None, hook: str, **kwargs: Any) -> None:
    """Call lifecycle hook `hook` through the plugin manager (wrappers and ordering apply); see the module doc."""
    if reg is None:
        return
    for impl in getattr(reg.pm.hook, hook).get_hookimpls():
        if not (impl.hookwrapper or impl.wrapper):
            _guard(reg, hook, impl)
    getattr(reg.pm.hook, hook)(**kwargs)


def build_registry(pm: pluggy.PluginManager | None = None, *, entry_points: bool = True) -> Registry:
    """Load plugins and collect what they register. Tests pass their own `pm` with in-process plugins."""
    pm = pm or new_manager()
    reg = Registry(pm)
    while True:  # plugins registered in-process: a misspelt gansuite_* hook is refused as it is for an entry point
        try:
            pm.check_pending()
            break
        except pluggy.PluginValidationError as e:
            name = pm.get_name(e.plugin) or repr(e.plugin)
            pm.unregister(e.plugin)
            _fail(reg, name, "import", e)
    if entry_points and os.environ.get("GANSUITE_NO_ENTRY_POINTS") is None:
        _load_entry_points(pm, reg)

    for impl in reversed(pm.hook.gansuite_register_apps.get_hookimpls()):
        added: list[Application] = []

        def register(app: Application, _added: list = added) -> None:
            if not isinstance(app, Application):
                raise TypeError(f"register() takes an Application, got {type(app).__name__}")
            check_app_config(app.name, app.config)
            for cls, what in ((app.config, "config"), (app.generate_options, "generate options")):
                missing = undocumented(cls) if cls is not None else []
                if missing:
                    print(f"gansuite: warning: application {app.name!r}: {what} field(s) {', '.join(missing)} have no '# comment'; "
                          "`--help` will say nothing of them", file=sys.stderr)
            _added.append(app)

        try:
            impl.function(register=register)
        except Exception as e:  # noqa: BLE001
            _fail(reg, impl.plugin_name, "register", e)
            continue
        for app in added:
            if app.name in reg.apps:
                _fail(reg, impl.plugin_name, "register", ValueError(f"application {app.name!r} is already registered by {reg.apps[app.name].plugin!r}"))
                continue
            from dataclasses import replace

            reg.apps[app.name] = replace(app, plugin=impl.plugin_name)

    def register_extractor(name: str, factory: Callable[[], Any]) -> None:
        reg.extractors[name] = (current[0], factory)

    current = [""]
    for impl in reversed(pm.hook.gansuite_register_feature_extractors.get_hookimpls()):
        current[0] = impl.plugin_name
        try:
            impl.function(register=register_extractor)
        except Exception as e:  # noqa: BLE001
            _fail(reg, impl.plugin_name, "register", e)
    return reg


_REGISTRY: Registry | None = None


def registry() -> Registry:
    """The process-wide registry, built on first use."""
    global _REGISTRY
    if _REGISTRY is None:
        _REGISTRY = build_registry()
    return _REGISTRY


def set_registry(reg: Registry | None) -> None:
    """Replace the process-wide registry (tests; embedding applications)."""
    global _REGISTRY
    _REGISTRY = reg


def describe(reg: Registry) -> list[dict[str, Any]]:
    """One record per plugin for `gansuite plugins`: name, version, hooks, applications, error."""
    rows = []
    for name, plugin in reg.pm.list_name_plugin():
        hooks = sorted(h.name for h in reg.pm.get_hookcallers(plugin) or [])
        apps = sorted(a.name for a in reg.apps.values() if a.plugin == name)
        errors = [f"{f.stage}: {f.error}" for f in reg.failures if f.plugin == name]
        rows.append({"name": name, "version": reg.versions.get(name, ""), "hooks": hooks, "apps": apps, "error": errors[0] if errors else None})
    for f in reg.failures:
        if not any(r["name"] == f.plugin for r in rows):
            rows.append({"name": f.plugin, "version": "", "hooks": [], "apps": [], "error": f"{f.stage}: {f.error}"})
    return sorted(rows, key=lambda r: r["name"])
