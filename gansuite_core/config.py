"""Configuration: frozen dataclasses, TOML files and `--set key=value` overrides.

A run's configuration is two dataclasses: the core's `CoreConfig` (steps, seed, device, ...) and
the application's own. Both are flat, so `--set loss=hinge` and `--set steps=2000` read alike;
the application's keys may not shadow the core's. Every field carries a trailing `# comment`,
which `field_docs` reads back so that `gansuite train APP --help` documents every option.
"""
from __future__ import annotations

import ast
import dataclasses
import difflib
import inspect
import io
import textwrap
import tokenize
import tomllib
import types
import typing
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from .errors import UserError


@dataclass(frozen=True)
class CoreConfig:
    steps: int = 1000  # training steps; one step runs every phase that is due once
    seed: int = 0  # seeds torch, numpy and Python; the same seed and config give the same run on the same CPU model (other CPUs run other float kernels)
    device: str = "auto"  # auto | cpu | cuda | cuda:N | mps; auto picks CUDA, then MPS, then CPU
    precision: Literal["fp32", "bf16", "fp16", "auto"] = "fp32"  # autocast dtype; fp16 adds a GradScaler per optimizer; auto: bf16 on GPUs and CPUs that compute it natively, fp16 on older GPUs and MPS, else fp32
    channels_last: bool = False  # store 4-D networks and batches channels-last (faster convolutions on some hardware)
    compile: bool = False  # wrap every network in torch.compile
    workers: int = 0  # data-loading worker processes (0 loads in the training process)
    checkpoint_every: int = 500  # steps between checkpoints (a last one is always written at the end)
    keep_checkpoints: int = 2  # how many recent checkpoints to keep on disk
    sample_every: int = 500  # steps between sample pictures in samples/ (0: only at the end)
    log_every: int = 10  # steps between lines of metrics.jsonl (values are averaged over them)
    warmup_steps: int = 0  # discriminator warm-up: only the judge's phases run for the first N steps
    schedule: Literal["alternate", "loser"] = "alternate"  # alternate: every due phase runs; loser: only the side that lost the last batch updates
    max_nonfinite: int = 10  # consecutive skipped (NaN/inf) updates before the run stops with an error
    tensorboard: bool = True  # also log to TensorBoard when the tensorboard package is installed

    def __post_init__(self) -> None:
        for key, low in (("steps", 0), ("workers", 0), ("checkpoint_every", 0), ("sample_every", 0), ("warmup_steps", 0),
                         ("keep_checkpoints", 1), ("log_every", 1), ("max_nonfinite", 1)):
            if getattr(self, key) < low:
                raise ValueError(f"{key} = {getattr(self, key)}: expected an integer >= {low}")


# --------------------------------------------------------------------------- field docs


@lru_cache(maxsize=None)
def field_docs(cls: type) -> dict[str, str]:
    """The trailing `# comment` of every field of dataclass `cls`, by field name."""
    docs: dict[str, str] = {}
    for klass in reversed(cls.__mro__):
        if not dataclasses.is_dataclass(klass):
            continue
        try:
            source = textwrap.dedent(inspect.getsource(klass))
        except (OSError, TypeError):
            continue
        comments = {}
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            if tok.type == tokenize.COMMENT:
                comments[tok.start[0]] = tok.string.lstrip("#").strip()
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                if node.lineno in comments:
                    docs[node.target.id] = comments[node.lineno]
    return docs


# --------------------------------------------------------------------------- parsing values


def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _describe(tp: Any) -> str:
    origin = typing.get_origin(tp)
    if origin is Literal:
        return " | ".join(str(a) for a in typing.get_args(tp))
    if origin in (typing.Union, types.UnionType):
        return " or ".join(_describe(a) for a in typing.get_args(tp))
    if origin is tuple:
        return f"comma-separated {typing.get_args(tp)[0].__name__}s"
    return getattr(tp, "__name__", str(tp))


def coerce(key: str, tp: Any, value: Any) -> Any:
    """Convert `value` (a string from the command line, or a TOML value) to type `tp`.

    Raises UserError naming the key and what was expected.
    """
    origin = typing.get_origin(tp)
    expected = _describe(tp)
    bad = UserError(f"option '{key}': expected {expected}, got {value!r}")
    if origin in (typing.Union, types.UnionType):
        args = typing.get_args(tp)
        if type(None) in args and (value is None or (isinstance(value, str) and value.lower() in ("none", ""))):
            return None
        for arg in args:
            if arg is type(None):
                continue
            try:
                return coerce(key, arg, value)
            except UserError:
                continue
        raise bad
    if origin is Literal:
        choices = typing.get_args(tp)
        for choice in choices:
            if value == choice or (isinstance(value, str) and str(choice) == value):
                return choice
        raise bad
    if origin is tuple:
        (item,) = typing.get_args(tp)[:1]
        if isinstance(value, str):
            parts = [p.strip() for p in value.split(",") if p.strip()]
        elif isinstance(value, (list, tuple)):
            parts = list(value)
        else:
            raise bad
        return tuple(coerce(key, item, p) for p in parts)
    if tp is bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "1", "yes", "on"):
            return True
        if isinstance(value, str) and value.lower() in ("false", "0", "no", "off"):
            return False
        raise bad
    if tp is int:
        if isinstance(value, bool):
            raise bad
        if isinstance(value, int):
            return value
        try:
            return int(str(value).replace("_", ""))
        except ValueError:
            raise bad from None
    if tp is float:
        if isinstance(value, bool):
            raise bad
        try:
            return float(value)
        except (TypeError, ValueError):
            raise bad from None
    if tp is str:
        if isinstance(value, str):
            return value
        raise bad
    raise UserError(f"option '{key}' has a type the config loader does not know: {tp}")


def suggest(key: str, known: list[str]) -> str:
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.5)
    return f"; did you mean '{close[0]}'?" if close else f"; known keys: {', '.join(sorted(known))}"


# --------------------------------------------------------------------------- resolving a config


@dataclass(frozen=True)
class RunConfig:
    """The resolved configuration of one run: which application, the core's and the application's options."""

    app: str
    core: CoreConfig
    options: Any  # the application's frozen config dataclass

    def to_toml(self) -> str:
        import tomli_w

        def table(cfg: Any) -> dict[str, Any]:
            out = {}
            for f in dataclasses.fields(cfg):
                v = getattr(cfg, f.name)
                out[f.name] = "none" if v is None else (list(v) if isinstance(v, tuple) else v)
            return out

        return tomli_w.dumps({"app": self.app, "core": table(self.core), "app_options": table(self.options)})


def _apply(cls: type, base: Any, values: dict[str, Any], where: str) -> Any:
    """`base` with `values` (strings or TOML values) coerced and checked; base=None builds a fresh `cls` from them."""
    hints = _hints(cls)
    names = [f.name for f in dataclasses.fields(cls)]
    changes = {}
    for key, value in values.items():
        if key not in hints:
            raise UserError(f"{where}: unknown key '{key}'{suggest(key, names)}")
        try:
            changes[key] = coerce(key, hints[key], value)
        except UserError as e:  # name where the bad value came from: a config file, --set, a run's saved config
            raise UserError(f"{where}: {e}") from None
    try:
        return cls(**changes) if base is None else dataclasses.replace(base, **changes)
    except (TypeError, ValueError) as e:  # __post_init__ validation of the application's config
        raise UserError(f"{where}: {e}") from None


def split_overrides(pairs: list[str]) -> dict[str, str]:
    """['a=1', 'b=x'] -> {'a': '1', 'b': 'x'}; a pair without '=' is a one-line error."""
    out = {}
    for pair in pairs:
        if "=" not in pair:
            raise UserError(f"--set {pair!r}: expected key=value")
        k, v = pair.split("=", 1)
        out[k.strip()] = v.strip()
    return out


def read_toml(path: Path) -> dict[str, Any]:
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise UserError(f"config file {path}: not found") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise UserError(f"config file {path}: not valid TOML ({e})") from None


def _table(file: dict[str, Any], key: str, file_name: str) -> dict[str, Any]:
    """Pop `[key]` from a parsed config file; a one-line error when it is a plain value, not a table."""
    value = file.pop(key, {})
    if not isinstance(value, dict):
        raise UserError(f"{file_name}: '{key}' must be a table ([{key}] with key = value lines), not {type(value).__name__} {value!r}")
    return value


def resolve(
    app: str,
    app_config: type,
    *,
    app_defaults: dict[str, Any] | None = None,
    file: dict[str, Any] | None = None,
    file_name: str = "config",
    overrides: dict[str, Any] | None = None,
) -> RunConfig:
    """Defaults < the application's core defaults < a TOML file < --set overrides."""
    core = _apply(CoreConfig, CoreConfig(), app_defaults or {}, f"application '{app}' defaults")
    file_options: dict[str, Any] = {}
    if file:
        file = dict(file)
        file_app = file.pop("app", app)
        if file_app != app:
            raise UserError(f"{file_name} is a config for application '{file_app}', not '{app}'")
        core = _apply(CoreConfig, core, _table(file, "core", file_name), file_name)
        file_options = _table(file, "app_options", file_name)
        _apply(app_config, None, file_options, file_name)  # the file's own mistakes are named by the file
        if file:
            raise UserError(f"{file_name}: unknown table or key '{next(iter(file))}' (expected app, [core], [app_options])")
    core_keys = set(_hints(CoreConfig))
    app_keys = set(_hints(app_config))
    core_set = {k: v for k, v in (overrides or {}).items() if k in core_keys}
    app_set = {k: v for k, v in (overrides or {}).items() if k not in core_keys}
    core = _apply(CoreConfig, core, core_set, "--set")
    for key in app_set:
        if key not in app_keys:
            raise UserError(f"--set: unknown key '{key}' for '{app}'{suggest(key, sorted(core_keys | app_keys))}")
    # Built once from every layer, not layer on layer: a default that depends on another option (image-generation's
    # d_width=0 on `model`) is resolved from the final values, never inherited from an earlier layer's resolution.
    options = _apply(app_config, None, {**file_options, **app_set}, "--set" if app_set else file_name)
    return RunConfig(app, core, options)


def resolve_options(cls: type, overrides: dict[str, Any], where: str = "--set") -> Any:
    """An instance of the frozen dataclass `cls` (say, an application's generate options) from `--set` strings."""
    return _apply(cls, None, overrides, where)


def undocumented(cls: type) -> list[str]:
    """Fields of dataclass `cls` without a trailing `# comment` (so `--help` would say nothing of them)."""
    docs = field_docs(cls)
    return [f.name for f in dataclasses.fields(cls) if not docs.get(f.name)]


def check_app_config(app: str, app_config: type) -> None:
    """An application's config must be a frozen dataclass whose keys do not shadow the core's."""
    if not (dataclasses.is_dataclass(app_config) and app_config.__dataclass_params__.frozen):
        raise TypeError(f"application '{app}': config must be a frozen dataclass")
    clash = set(_hints(app_config)) & set(_hints(CoreConfig))
    if clash:
        raise TypeError(f"application '{app}': config keys {sorted(clash)} shadow core options")
    for f in dataclasses.fields(app_config):
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            raise TypeError(f"application '{app}': config field '{f.name}' needs a default")
