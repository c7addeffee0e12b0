"""Configuration: typed parsing, suggestions, TOML round trip, field docs."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pytest

from gansuite_core import UserError
from gansuite_core.config import CoreConfig, coerce, field_docs, resolve


@dataclass(frozen=True)
class Opts:
    size: int = 32  # image size
    rate: float = 1e-3  # learning rate
    flag: bool = False  # a switch
    mode: Literal["a", "b"] = "a"  # a or b
    widths: tuple[int, ...] = (1, 2)  # channel widths
    path: str | None = None  # optional file


def test_coerce_types():
    assert coerce("k", int, "1_000") == 1000
    assert coerce("k", float, "2e-4") == 2e-4
    assert coerce("k", bool, "yes") is True and coerce("k", bool, "off") is False
    assert coerce("k", tuple[int, ...], "3, 4,5") == (3, 4, 5)
    assert coerce("k", str | None, "none") is None and coerce("k", str | None, "x") == "x"
    assert coerce("k", Literal["a", "b"], "b") == "b"
    for tp, bad in ((int, "1.5"), (bool, "maybe"), (Literal["a", "b"], "c"), (float, True)):
        with pytest.raises(UserError, match="option 'k'"):
            coerce("k", tp, bad)


def test_toml_round_trip_and_precedence():
    cfg = resolve("x", Opts, app_defaults={"steps": 50}, overrides={"size": "64", "widths": "8,16", "path": "f.png", "seed": "3"})
    assert cfg.core.steps == 50 and cfg.core.seed == 3 and cfg.options.widths == (8, 16)
    import tomllib

    back = resolve("x", Opts, file=tomllib.loads(cfg.to_toml()))
    assert back == cfg
    cfg2 = resolve("x", Opts)
    assert resolve("x", Opts, file=tomllib.loads(cfg2.to_toml())).options.path is None


def test_unknown_keys_suggest_the_closest():
    with pytest.raises(UserError, match="did you mean 'size'"):
        resolve("x", Opts, overrides={"sise": "3"})
    with pytest.raises(UserError, match="did you mean 'checkpoint_every'"):
        resolve("x", Opts, overrides={"checkpoint_evry": "3"})
    with pytest.raises(UserError, match="unknown table or key 'extra'"):
        resolve("x", Opts, file={"app": "x", "extra": {}})


def test_a_plain_value_where_a_table_belongs_is_named():
    # app_options = 3 at the top of a file (a missing [app_options] header) parses as TOML but is no table.
    with pytest.raises(UserError, match=r"my\.toml: 'app_options' must be a table"):
        resolve("x", Opts, file={"app": "x", "app_options": 3}, file_name="my.toml")
    with pytest.raises(UserError, match=r"my\.toml: 'core' must be a table"):
        resolve("x", Opts, file={"app": "x", "core": "fast"}, file_name="my.toml")
    with pytest.raises(UserError, match=r"my\.toml: option 'steps': expected int"):  # a bad value names its file too
        resolve("x", Opts, file={"app": "x", "core": {"steps": "many"}}, file_name="my.toml")


def test_every_core_field_is_documented():
    docs = field_docs(CoreConfig)
    import dataclasses

    assert {f.name for f in dataclasses.fields(CoreConfig)} <= set(docs)
    assert field_docs(Opts)["widths"] == "channel widths"


@pytest.mark.parametrize("app, key", [("image-generation", "data"), ("video-prediction", "data"), ("super-resolution", "data"),
                                      ("super-resolution", "eval_data"), ("fake-detection", "real"), ("synthetic-records", "data")])
def test_a_relative_data_folder_is_stored_absolute(app, key, tmp_path, monkeypatch):
    """A run trained on `--set data=photos` must evaluate from another directory: the saved config holds the absolute path."""
    from gansuite_core.plugins import build_registry

    (tmp_path / "photos").mkdir()
    monkeypatch.chdir(tmp_path)
    cfg = build_registry().app(app).config(**{key: "photos"})
    assert getattr(cfg, key) == str(tmp_path / "photos")
