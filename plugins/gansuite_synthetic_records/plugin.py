"""synthetic-records: synthetic patient tables from a conditional tabular GAN in the manner of CTGAN
(Xu et al. NeurIPS 2019), scored for fidelity, utility and privacy against two baselines.
See docs/synthetic-records.md.
"""
from __future__ import annotations

from gansuite_core import Application, hookimpl

from .commands import synthesize_command
from .config import GenerateOptions, RecordsConfig
from .evaluation import demo, evaluate, generate
from .game import make_game
from .models import make_networks

CORE_DEFAULTS = {"steps": 2000, "log_every": 50, "sample_every": 0, "checkpoint_every": 1000, "keep_checkpoints": 1}
# A seconds-long run (contract tests, check-plugin): small networks, a few steps.
QUICK = {"g_dims": "32", "d_dims": "32", "noise": 16, "batch": 50, "modes": 3, "utility_trees": 10, "steps": 4, "log_every": 2,
         "sample_every": 0, "checkpoint_every": 2}

APP = Application(
    name="synthetic-records",
    summary="Synthetic patient tables from a conditional tabular GAN (CTGAN), scored for fidelity, utility and privacy",
    config=RecordsConfig,
    networks=make_networks,
    game=make_game,
    evaluate=evaluate,
    generate=generate,
    generate_options=GenerateOptions,
    generate_suffixes=(".csv", ".parquet"),
    demo=demo,
    core_defaults=CORE_DEFAULTS,
    quick=QUICK,
)


@hookimpl
def gansuite_register_apps(register) -> None:
    register(APP)


@hookimpl
def gansuite_register_commands(cli) -> None:
    cli.add_command(synthesize_command)
