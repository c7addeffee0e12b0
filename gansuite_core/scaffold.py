"""`gansuite new-plugin NAME`: write an installable plugin package that works as generated.

    gansuite-NAME/                 the distribution gansuite-NAME (as examples/plugins/gansuite-toy2d)
      pyproject.toml               entry point `NAME = "gansuite_NAME.plugin"` in the `gansuite` group
      README.md                    install, train, evaluate, generate, score, demo, test, publish
      gansuite_NAME/               the plugin layout every gansuite plugin shares (docs/plugins.md):
        config.py models.py losses.py data.py game.py evaluation.py commands.py plugin.py
        pictures.py generate.py demo.py        three more modules, one job each
      tests/test_plugin.py         command-line tests: listed, learns, resumes exactly, errors, command, check-plugin

The application is a GAN on a 1-D mixture of two Gaussians, small enough to learn in seconds on a
CPU, built only on gansuite's public API. NAME is the application's (and entry point's) name;
the module is `gansuite_` + NAME with dashes as underscores.

The templates are files under `gansuite_core/templates/plugin/` (package data), one per file
written, named as its target plus `.tmpl`; the placeholders __NAME__, __DIST__, __MODULE__ and
__CLASS__ are filled in by plain replacement (in paths too), so the templates are ordinary Python
with nothing to escape, readable and diffable as the files they become.
"""
from __future__ import annotations

import importlib.metadata
import importlib.util
import re
from pathlib import Path

from .errors import UserError

_NAME = re.compile(r"^[a-z][a-z0-9]*(?:[-_][a-z0-9]+)*$")

TEMPLATE_DIR = Path(__file__).parent / "templates" / "plugin"


def templates() -> dict[str, str]:
    """Target path (with placeholders) -> template text, for every file the scaffold writes."""
    return {str(p.relative_to(TEMPLATE_DIR))[: -len(".tmpl")]: p.read_text()
            for p in sorted(TEMPLATE_DIR.rglob("*.tmpl"))}


def names(name: str) -> dict[str, str]:
    """The placeholders for plugin `name`: my-gan -> gansuite-my-gan, gansuite_my_gan, MyGan."""
    return {"__NAME__": name, "__DIST__": f"gansuite-{name}", "__MODULE__": "gansuite_" + name.replace("-", "_"),
            "__CLASS__": "".join(part.capitalize() for part in re.split(r"[-_]", name))}


def _fill(text: str, values: dict[str, str]) -> str:
    for key, value in values.items():
        text = text.replace(key, value)
    return text


def write_plugin(name: str, parent: Path) -> Path:
    """Write the plugin package for application `name` into `parent/gansuite-name` and return that folder.

    Raises UserError for a name that is not a lowercase package name, one given with the `gansuite-`
    prefix, one whose module or plugin is already installed, or a target folder that already holds files.
    """
    if not _NAME.match(name) or len(name) > 60:
        raise UserError(f"new-plugin {name!r}: expected a lowercase name of letters, digits and single dashes or "
                        "underscores, starting with a letter (e.g. my-gan)")
    if name == "gansuite" or re.match(r"gansuite[-_]", name):
        raise UserError(f"new-plugin {name!r}: give the application's name without the 'gansuite-' prefix "
                        f"(the package is named gansuite-<name> for you)")
    values = names(name)
    module = values["__MODULE__"]
    if importlib.util.find_spec(module) is not None:
        raise UserError(f"new-plugin {name!r}: a Python module named {module!r} already exists; choose another name")
    if any(ep.name == name for ep in importlib.metadata.entry_points(group="gansuite")):
        raise UserError(f"new-plugin {name!r}: a gansuite plugin named {name!r} is already installed; choose another name")
    folder = Path(parent) / values["__DIST__"]
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise UserError(f"new-plugin: {folder} already exists and is not empty; choose another name or --dir")
    try:
        for rel, template in templates().items():
            path = folder / _fill(rel, values)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(_fill(template, values))
    except OSError as e:
        raise UserError(f"new-plugin: cannot write {folder} ({e.strerror or e})") from None
    return folder
