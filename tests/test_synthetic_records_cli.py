"""synthetic-records from the command line: train on a user's CSV, synthesize (also conditionally), generate, errors."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import fails, gansuite, quick, sets


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A quick run on a small CSV with every column kind and missing values."""
    tmp = tmp_path_factory.mktemp("records")
    rng = np.random.default_rng(0)
    n = 120
    df = pd.DataFrame({"stage": rng.choice(["I", "II", "IIIa"], n), "age": rng.integers(30, 80, n),
                       "weight": np.round(rng.normal(70, 9, n), 1), "smoker": rng.random(n) < 0.4,
                       "marker": np.round(rng.normal(1, 0.2, n), 3)})
    df.loc[::10, "marker"] = np.nan
    data = tmp / "patients.csv"
    df.to_csv(data, index=False)
    run = tmp / "run"
    assert gansuite("train", "synthetic-records", "--out", run, "--set", f"data={data}", "--set", "target=smoker",
                    *sets(quick("synthetic-records"))) == 0
    return run, data, tmp


def test_synthesize_keeps_columns_types_and_spellings(trained, capsys):
    run, data, tmp = trained
    out = tmp / "synth.csv"
    assert gansuite("synthesize", run, "--rows", 50, "--out", out) == 0
    real, syn = pd.read_csv(data), pd.read_csv(out)
    assert list(syn.columns) == list(real.columns) and len(syn) == 50
    assert (syn.dtypes.drop("marker") == real.dtypes.drop("marker")).all()  # marker may come out all present or all missing
    assert set(syn["stage"]) <= {"I", "II", "IIIa"} and syn["smoker"].dtype == bool
    assert syn["age"].between(30, 79).all() and (syn["weight"] * 10 == (syn["weight"] * 10).round()).all()
    again = tmp / "again.csv"
    assert gansuite("synthesize", run, "--rows", 50, "--out", again) == 0
    pd.testing.assert_frame_equal(syn, pd.read_csv(again))  # the same seed gives the same rows


def test_conditional_sampling_honours_where(trained):
    run, _, tmp = trained
    out = tmp / "iiia.csv"
    assert gansuite("synthesize", run, "--rows", 30, "--out", out, "--where", "stage=IIIa") == 0
    syn = pd.read_csv(out)
    assert len(syn) == 30 and (syn["stage"] == "IIIa").all()
    gen = tmp / "gen.csv"
    assert gansuite("generate", run, "--out", gen, "--num", 20, "--set", "where=smoker=True") == 0
    assert pd.read_csv(gen)["smoker"].all()


def train_fails(capsys, *args) -> str:
    """A bad table is found when the networks are sized, after the core's "device" line: exit 2, one error line, no traceback."""
    capsys.readouterr()
    code = gansuite("train", "synthetic-records", "--device", "cpu", *args)
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and err[-1].startswith("gansuite: error:") and len(err) <= 2 and "Traceback" not in "".join(err), err
    return err[-1]


def test_user_errors_are_one_line(trained, capsys, tmp_path):
    run, data, tmp = trained
    assert "only discrete columns" in fails(capsys, "synthesize", run, "--rows", 5, "--out", tmp / "x.csv", "--where", "age=40")
    assert "no such value" in fails(capsys, "synthesize", run, "--rows", 5, "--out", tmp / "x.csv", "--where", "stage=IV")
    assert "is not a column" in fails(capsys, "synthesize", run, "--rows", 5, "--out", tmp / "x.csv", "--where", "size=3")
    assert "--out" in fails(capsys, "synthesize", run, "--rows", 5, "--out", tmp / "x.txt")
    assert "--out" in fails(capsys, "generate", run, "--out", tmp / "x.png", "--num", 5)
    bad = tmp_path / "bad.csv"
    pd.read_csv(data).assign(site="X").to_csv(bad, index=False)
    assert "'site' has the single value" in train_fails(capsys, "--out", tmp_path / "r", "--set", f"data={bad}")
    assert "target=nope" in train_fails(capsys, "--out", tmp_path / "r", "--set", f"data={data}", "--set", "target=nope")
    assert "no such file" in train_fails(capsys, "--out", tmp_path / "r", "--set", "data=/nonexistent.csv")
    assert "multiple of pac" in train_fails(capsys, "--out", tmp_path / "r", "--set", "batch=55", "--set", "pac=10")
    assert "dropout" in train_fails(capsys, "--out", tmp_path / "r", "--set", "dropout=1.5")
