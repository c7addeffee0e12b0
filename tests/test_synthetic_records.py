"""synthetic-records: types, the reversible transformer, training-by-sampling, the scores and the baselines."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

from gansuite_core import UserError
from gansuite_synthetic_records.baselines import gaussian_copula, independent
from gansuite_synthetic_records.config import RecordsConfig
from gansuite_synthetic_records.data import infer_columns, load_table, read_table, training_batch
from gansuite_synthetic_records.losses import cond_loss, feature_moment_loss, moment_loss, soft_values, value_moments
from gansuite_synthetic_records.metrics import predictions, privacy, quality, utility, utility_difference
from gansuite_synthetic_records.survival import concordance, fit_cox, kaplan_meier, km_gap, survival_utility
from gansuite_synthetic_records.transform import TableTransformer


def mixed_table(n: int = 300, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    age = rng.integers(20, 90, n)
    stage = rng.choice(["I", "II", "III"], n, p=[0.5, 0.3, 0.2])
    dose = np.round(np.where(rng.random(n) < 0.5, rng.normal(2, 0.3, n), rng.normal(8, 0.5, n)), 2)  # two modes
    marker = np.round(age * 0.1 + rng.normal(0, 0.5, n), 1)  # correlated with age
    smoker = rng.random(n) < 0.3
    df = pd.DataFrame({"age": age, "stage": stage, "dose": dose, "marker": marker, "smoker": smoker})
    df.loc[rng.random(n) < 0.1, "marker"] = np.nan  # missing values are a state of their own
    df.loc[rng.random(n) < 0.1, "stage"] = np.nan
    return df


def test_types_inferred_and_overridden(tmp_path):
    df = mixed_table()
    _, cols = infer_columns(df, RecordsConfig(), "t")
    assert {c.name: c.kind for c in cols} == {"age": "integer", "stage": "categorical", "dose": "continuous",
                                              "marker": "continuous", "smoker": "boolean"}
    assert next(c for c in cols if c.name == "dose").decimals == 2
    _, cols = infer_columns(df, RecordsConfig(discrete="age"), "t")
    assert cols[0].kind == "categorical"


def test_bad_tables_are_one_line_errors(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(UserError, match="empty"):
        read_table(str(empty))
    df = mixed_table()
    df["site"] = "A"
    with pytest.raises(UserError, match="'site' has the single value 'A'"):
        infer_columns(df, RecordsConfig(), "t")
    df = mixed_table().astype({"dose": object})
    df.loc[7, "dose"] = "2,5"
    with pytest.raises(UserError, match=r"'dose': cannot parse '2,5' as a number \(row 9"):
        infer_columns(df, RecordsConfig(), "t")
    with pytest.raises(UserError, match="discrete=nope: no such column"):
        infer_columns(mixed_table(), RecordsConfig(discrete="nope"), "t")
    path = tmp_path / "t.csv"
    mixed_table().to_csv(path, index=False)
    with pytest.raises(UserError, match="target=outcome: no such column"):
        load_table(RecordsConfig(data=str(path), target="outcome"))
    df = mixed_table()
    df["name"] = [f"patient {i}" for i in range(len(df))]  # an identifier would be copied into every synthetic row
    with pytest.raises(UserError, match=r"'name' has 300 different values in 300 rows \(an identifier or free text\?\)"):
        infer_columns(df, RecordsConfig(), "t")
    df = mixed_table()
    df["visit"] = pd.date_range("2024-01-01", periods=len(df)).strftime("%Y-%m-%d")
    with pytest.raises(UserError, match=r"'visit' has 300 different values in 300 rows \(dates\).*turn them into numbers"):
        infer_columns(df, RecordsConfig(), "t")
    df = mixed_table()
    df["site"] = np.resize(["north", "south", "east"], len(df))  # a few categories stay categories
    assert infer_columns(df, RecordsConfig(), "t")[1][-1].kind == "categorical"


@pytest.mark.parametrize("sep", [";", "\t", "|"])
def test_semicolon_tab_and_pipe_files_are_read_as_tables(tmp_path, sep):
    path = tmp_path / "t.csv"
    mixed_table().to_csv(path, index=False, sep=sep)  # what a European spreadsheet (;) or a database export writes
    df = read_table(str(path))
    assert list(df.columns) == list(mixed_table().columns) and len(df) == 300


def test_gbsg2_is_read_with_its_types_and_censoring():
    pytest.importorskip("sksurv")
    df = read_table("gbsg2")
    assert df.shape == (686, 10) and list(df.columns[-2:]) == ["time", "event"]
    _, cols = infer_columns(df, RecordsConfig(), "gbsg2")
    kinds = {c.name: c.kind for c in cols}
    assert kinds["tgrade"] == kinds["horTh"] == "categorical" and kinds["event"] == "boolean" and kinds["time"] == "integer"
    assert set(df["tgrade"]) == {"I", "II", "III"} and 0.4 < df["event"].mean() < 0.5  # 299 of 686 recurrences observed
    table = load_table(RecordsConfig(data="gbsg2"))
    assert table.target == "event" and len(table.holdout) == 137 and table.survival == ("time", "event")


def test_evaluate_compares_survival_curves_on_a_survival_table(tmp_path):
    pytest.importorskip("sksurv")
    from gansuite_core import load_run, train_app
    train_app("synthetic-records", tmp_path / "run", quiet=True, steps=20, data="gbsg2", g_dims="16", d_dims="16", noise=8,
              batch=50, utility_trees=5, device="cpu")
    run = load_run(tmp_path / "run", app="synthetic-records")
    report = run.app.evaluate(run, torch.device("cpu"))
    assert 0 < report["km_gap_real_train_vs_holdout"] < 0.2  # two real samples: close curves
    assert all(0 <= report[k]["km_gap"] <= 1 for k in ("gan", "gaussian_copula", "independent"))
    assert 0.6 < report["trtr_cindex"] < 0.8  # a Cox model on the real rows orders most held-out patients
    assert all(0 <= report[k]["tstr_cindex"] <= 1 for k in ("gan", "gaussian_copula", "independent"))
    assert (run.dir / "survival.png").is_file()


def test_gbsg2_without_scikit_survival_is_one_line(monkeypatch):
    import sys
    monkeypatch.setitem(sys.modules, "sksurv.datasets", None)  # import -> ImportError
    with pytest.raises(UserError, match=r"data=gbsg2: .*scikit-survival"):
        read_table("gbsg2")


def test_kaplan_meier_and_the_gap_between_curves():
    t, e = np.array([1, 2, 2, 3, 4, 5.0]), np.array([1, 1, 0, 1, 0, 1])
    times, s = kaplan_meier(t, e)  # by hand: 5/6 at 1, x 4/5 at 2 (5 at risk), x 2/3 at 3 (3 at risk), 0 at 5
    assert times.tolist() == [1, 2, 3, 5] and np.allclose(s, [5 / 6, 2 / 3, 4 / 9, 0])
    rng = np.random.default_rng(0)
    real = pd.DataFrame({"time": rng.exponential(10, 400).round(1), "event": rng.random(400) < 0.7})
    same = pd.DataFrame({"time": rng.exponential(10, 400).round(1), "event": rng.random(400) < 0.7})
    longer = same.assign(time=same["time"] * 3)  # three times the survival: a far curve
    assert km_gap(real, real, "time", "event") == 0.0
    assert km_gap(real, same, "time", "event") < 0.12 < 0.3 < km_gap(real, longer, "time", "event")


def test_concordance_by_hand_and_against_scikit_survival():
    t, e = np.array([1, 2, 2, 3, 4.0]), np.array([1, 1, 0, 0, 1])
    # comparable pairs, by row (events at rows 1, 2, 5): (1,2) (1,3) (1,4) (1,5); (2,3) tied time with row 3 censored,
    # (2,4) (2,5); row 5 has no later row: 7 pairs. Risk orders (1,2) (1,3) (1,4) (2,3); (1,5) is a tie: 4.5 / 7
    risk = np.array([5, 4, 3, 4.5, 5.0])
    assert concordance(t, e, risk) == pytest.approx(4.5 / 7)
    assert concordance(t, e, -t + 0.1 * e) == 1.0 and concordance(t, np.zeros(5), risk) == 0.5  # events first at a tied time
    sksurv = pytest.importorskip("sksurv.metrics")
    rng = np.random.default_rng(1)
    t, e, r = rng.integers(1, 30, 300).astype(float), rng.random(300) < 0.6, rng.integers(0, 10, 300).astype(float)  # ties
    assert concordance(t, e, r) == pytest.approx(sksurv.concordance_index_censored(e, t, r)[0])


def censored_patients(n: int, rng: np.random.Generator) -> pd.DataFrame:
    """Hazard exp(1.5 * marker - 1.0 * treated); censoring at a uniform time."""
    marker, treated = rng.normal(0, 1, n), rng.random(n) < 0.5
    t = rng.exponential(1 / np.exp(1.5 * marker - 1.0 * treated))
    c = rng.uniform(0, 2, n)
    return pd.DataFrame({"marker": marker, "treated": treated, "time": np.minimum(t, c), "event": t <= c})


def test_cox_model_finds_the_hazard_and_orders_unseen_rows():
    rng = np.random.default_rng(0)
    train, test = censored_patients(600, rng), censored_patients(400, rng)
    _, columns = infer_columns(train, RecordsConfig(), "x")
    x = np.c_[train["marker"], train["treated"]]
    beta = fit_cox(x, train["time"].to_numpy(), train["event"].to_numpy(), l2=0.0)
    assert beta[0] > 0.8 and beta[1] < -0.6  # the log-hazards' signs and sizes (this sample's estimate: 1.22, -1.02)
    real = survival_utility(train, test, columns, "time", "event")
    assert 0.7 < real < 0.85
    order = rng.permutation(len(train))  # outcomes (time and event together) no longer follow the covariates
    shuffled = train.assign(time=train["time"].to_numpy()[order], event=train["event"].to_numpy()[order])
    assert abs(survival_utility(shuffled, test, columns, "time", "event") - 0.5) < 0.08 < real - 0.5
    assert survival_utility(train.assign(time=np.nan), test, columns, "time", "event") == 0.5  # no usable row: chance


def test_cox_model_matches_scikit_survival():
    pytest.importorskip("sksurv")
    from sksurv.linear_model import CoxPHSurvivalAnalysis
    from sksurv.util import Surv
    train = censored_patients(600, np.random.default_rng(0))
    x = np.c_[train["marker"], train["treated"]]
    beta = fit_cox(x, train["time"].to_numpy(), train["event"].to_numpy(), l2=0.0)
    ref = CoxPHSurvivalAnalysis(ties="breslow").fit(x, Surv.from_arrays(train["event"], train["time"])).coef_
    assert np.allclose(beta, ref, atol=1e-4)  # the same estimate as scikit-survival's Cox model with Breslow's ties


def test_survival_columns_are_checked_in_one_line(tmp_path):
    path = tmp_path / "t.csv"
    mixed_table().to_csv(path, index=False)
    assert load_table(RecordsConfig(data=str(path), survival="age,smoker")).survival == ("age", "smoker")
    assert load_table(RecordsConfig(data=str(path))).survival is None
    for bad, msg in (("age", "expected two columns"), ("age,alive", "no column 'alive'"), ("stage,smoker", "time column 'stage' is categorical"),
                     ("age,dose", "event column 'dose' must be boolean or 0/1")):
        with pytest.raises(UserError, match=msg):
            load_table(RecordsConfig(data=str(path), survival=bad))


def test_transformer_round_trip_keeps_values_types_and_missing():
    df = mixed_table()
    df, cols = infer_columns(df, RecordsConfig(), "t")
    tf = TableTransformer(cols, modes=10, seed=0).fit(df)
    m = tf.transform(df, np.random.default_rng(0))
    assert m.shape == (len(df), tf.dim)
    dose = next(i for c, i in zip(cols, tf.info) if c.name == "dose")
    assert len(dose["mu"]) >= 2  # the variational mixture keeps both modes of the bimodal column
    back = tf.inverse(m)
    assert list(back.columns) == list(df.columns) and (back.dtypes == df.dtypes).all()
    assert back["stage"].isna().sum() == df["stage"].isna().sum() and back["marker"].isna().sum() == df["marker"].isna().sum()
    pd.testing.assert_series_equal(back["stage"], df["stage"], check_dtype=False)
    assert (back["smoker"] == df["smoker"]).all() and (back["age"] == df["age"]).all()
    ok = df["marker"].notna()
    assert np.abs(back.loc[ok, "marker"] - df.loc[ok, "marker"]).max() < 0.051  # written with the input's one decimal


def test_training_by_sampling_draws_rows_of_the_asked_category():
    cfg = RecordsConfig()
    table = load_table(cfg)
    b = training_batch(table, 400, torch.Generator().manual_seed(0))
    tf = table.transformer
    sex_at = tf.discrete_starts()[0]
    assert b["cond"].shape == (400, tf.cond_dim) and (b["cond"].sum(1) == 1).all()
    assert torch.equal(b["real"][:, sex_at:sex_at + 2], b["cond"][:, :2])  # the row has the conditioned sex
    assert (b["cond"][torch.arange(400), table.sampler["offsets"][b["col"]] + b["cat"]] == 1).all()  # col, cat name it


def test_cond_loss_is_low_only_for_the_asked_category():
    raw = torch.full((2, 7), -5.0)
    raw[0, 2] = raw[1, 5] = 5.0  # column 0 at 1..3 (3 cats), column 1 at 4..5 (2 cats)
    starts = torch.tensor([1, 4])
    counts = torch.tensor([3, 2])
    good = cond_loss(raw, starts, counts, 3, torch.tensor([0, 1]), torch.tensor([1, 1]))
    bad = cond_loss(raw, starts, counts, 3, torch.tensor([0, 1]), torch.tensor([0, 0]))
    assert good < 0.01 < 5 < bad


def test_scores_and_baselines_tell_apart_what_they_should():
    df, cols = infer_columns(mixed_table(600), RecordsConfig(), "t")
    train, hold = df.iloc[:450].reset_index(drop=True), df.iloc[450:].reset_index(drop=True)
    assert quality(train, train, cols)["quality"] == pytest.approx(1.0)
    shifted = train.assign(dose=train["dose"] + 3)
    assert quality(hold, shifted, cols)["worst_column"] == "dose"
    copula, indep = gaussian_copula(train, cols, 450, 0), independent(train, cols, 450, 0)
    assert list(copula.columns) == list(train.columns) and set(copula["stage"].dropna()) <= {"I", "II", "III"}
    r_copula, r_indep = (t[["age", "marker"]].corr().iloc[0, 1] for t in (copula, indep))
    assert r_copula > 0.8 and abs(r_indep) < 0.2  # the copula keeps the relation, independent columns lose it
    q = [quality(hold, t, cols)["column_pair_trends"] for t in (copula, indep)]
    assert q[0] > q[1]
    u_copula, u_indep = (utility(t, hold, cols, "marker")["mean"] for t in (copula, indep))
    assert u_copula > 0.5 > u_indep
    leak, fair = privacy(train, hold, train, cols), privacy(train, hold, copula, cols)
    assert leak["exact_copies"] == 450 and leak["mia_auc"] > 0.95 and leak["dcr_synthetic_median"] == 0
    assert fair["mia_auc"] < 0.65
    # The paired bootstrap: a lead far outside the holdout's noise is resolved, a table against itself is not.
    pc, pi = (predictions(t, hold, cols, "marker") for t in (copula, indep))
    lead = utility_difference(pc[0], pc[1], pc[2], pi[2], rounds=200)
    assert lead["difference"] == pytest.approx(u_copula - u_indep) and 0 < lead["low"] < lead["difference"] < lead["high"]
    same = utility_difference(pc[0], pc[1], pc[2], pc[2], rounds=50)
    assert same == {"difference": 0.0, "low": 0.0, "high": 0.0}
    pa = predictions(train, hold, cols, "stage")  # a categorical target: AUC, resamples that lack a class included
    assert pa[0] == "auc" and -1 < utility_difference(*pa, predictions(indep, hold, cols, "stage")[2], rounds=50)["difference"] < 1


@pytest.mark.parametrize("metric,classes,n", [("r2", 0, 200), ("auc", 2, 200), ("auc", 3, 200), ("auc", 3, 12)])
def test_the_bootstrap_scores_resamples_as_sklearn_does(metric, classes, n):
    """utility_difference's O(N) resample scores give the interval of scoring each resample with _score (sklearn)."""
    from gansuite_synthetic_records.metrics import _score

    rng = np.random.default_rng(1)
    if metric == "r2":
        truth = rng.normal(size=n)
        a, b = ({"linear": truth + rng.normal(size=n) * s, "forest": truth + rng.normal(size=n)} for s in (0.5, 1.0))
    else:
        truth = np.array(["no", "yes", "maybe"][:classes], dtype=object)[rng.integers(0, classes, n)]
        def probs(zero_col: bool) -> np.ndarray:  # rounded: tied scores; a zero column: a class the training rows lacked
            p = rng.random((n, classes)).round(1) + 0.01
            p[:, -1] *= 0 if zero_col else 1
            return p / p.sum(1, keepdims=True)
        a, b = {"linear": probs(False), "forest": probs(True)}, {"linear": probs(False), "forest": None}
    labels = sorted(set(truth)) if metric == "auc" else []
    mean = lambda idx, preds: np.mean([_score(metric, truth[idx], None if p is None else p[idx], labels) for p in preds.values()])  # noqa: E731
    draws = np.random.default_rng(0)
    diffs = [mean(i, a) - mean(i, b) for i in (draws.integers(0, n, n) for _ in range(60))]
    got = utility_difference(metric, truth, a, b, rounds=60, seed=0)
    assert [got["low"], got["high"]] == pytest.approx(list(np.quantile(diffs, [0.05, 0.95])), abs=1e-12)
    assert got["difference"] == pytest.approx(mean(np.arange(n), a) - mean(np.arange(n), b), abs=1e-12)


@pytest.mark.parametrize("dp,extra", [(False, {}), (True, {}), (False, {"moment_loss": 1.0}), (False, {"info_loss": 1.0})])
def test_the_game_reads_nothing_on_the_host(monkeypatch, dp, extra):
    """The critic and generator losses and the batch stream make no .item()/bool()/float() reads (a GPU would stall)."""
    if dp:
        pytest.importorskip("opacus")
    import sys
    from pathlib import Path

    import gansuite_synthetic_records
    from gansuite_core import Context
    from gansuite_synthetic_records.game import make_game
    from gansuite_synthetic_records.models import make_networks

    here = str(Path(gansuite_synthetic_records.__file__).parent)
    reads = []

    def counting(name, original):
        def wrapper(self, *a, **k):
            caller = sys._getframe(1).f_code
            if caller.co_filename.startswith(here):
                reads.append(f"{name} in {Path(caller.co_filename).name}:{caller.co_name}")
            return original(self, *a, **k)
        return wrapper

    cfg = RecordsConfig(g_dims="32", d_dims="32", noise=8, batch=50, dp=dp, **extra)
    nets = make_networks(cfg)
    game = make_game(cfg, nets, Context(torch.device("cpu"), 0, 0, 1, 0, None))
    for name in ("item", "__bool__", "__float__", "__int__", "tolist"):
        monkeypatch.setattr(torch.Tensor, name, counting(name, getattr(torch.Tensor, name)))
    d_phase, g_phase = game.phases
    d, d_logs = d_phase.loss(nets, next(game.data), 0)
    assert g_phase.data == ("info_loss" in extra)  # only the information loss needs real rows in the generator's phase
    g, g_logs = g_phase.loss(nets, next(game.data) if g_phase.data else None, 0)
    (d + g).backward()
    assert reads == [] and all(v.ndim == 0 for v in {**d_logs, **g_logs}.values())
    assert all({"moment_loss": "moment", "info_loss": "info"}[k] in g_logs for k in extra)


def test_ema_half_life_is_an_option_in_batches():
    from gansuite_core import Context
    from gansuite_synthetic_records.game import make_game
    from gansuite_synthetic_records.models import make_networks

    cfg = RecordsConfig(g_dims="32", d_dims="32", noise=8, batch=50, ema_half_life=80)
    game = make_game(cfg, make_networks(cfg), Context(torch.device("cpu"), 0, 0, 1, 0, None))
    assert game.ema["G"].half_life == 80 * 50  # rows: 80 batches of 50
    with pytest.raises(ValueError, match="ema_half_life = 0: expected a positive"):
        RecordsConfig(ema_half_life=0)


def test_soft_values_decode_the_training_rows_and_moment_loss_sees_lost_correlations():
    table = load_table(RecordsConfig())
    layout = {k: torch.as_tensor(v) for k, v in table.transformer.value_layout().items()}
    values = soft_values(table.matrix, layout)
    numeric = [c.name for c in table.columns if c.kind != "categorical"]
    assert values.shape == (354, len(numeric) + 1)  # sex: one one-hot entry of its two
    assert np.allclose(values[:, :len(numeric)].numpy(), table.train[numeric].to_numpy(float), atol=1e-3)  # the real values
    target = value_moments(values)
    assert target[2][3, 4] > 0.85  # s1-s2
    assert moment_loss(values, *target) < 1e-4
    shuffled = torch.stack([c[torch.randperm(len(c), generator=torch.Generator().manual_seed(i))]
                            for i, c in enumerate(values.T)], 1)  # same marginals, no relations (independent columns)
    assert moment_loss(shuffled, *target) > 0.1
    assert moment_loss(values * 1.5, *target) > 0.1  # wrong means and spreads


def test_information_loss_compares_critic_features():
    from gansuite_synthetic_records.models import Critic

    critic = Critic(6, [16, 8], pac=2, dropout=0.0)
    x = torch.randn(40, 6, generator=torch.Generator().manual_seed(0))
    assert critic.features(x).shape == (20, 8) and critic(x).shape == (20,)
    assert feature_moment_loss(critic.features(x), critic.features(x)) < 1e-6
    assert feature_moment_loss(critic.features(x), critic.features(x + 2)) > 0.01


def test_moment_and_information_losses_are_weights_and_off_under_dp():
    assert RecordsConfig(moment_loss=2.0).moment_loss == 2.0
    with pytest.raises(ValueError, match="moment_loss = -1.0: expected a weight >= 0"):
        RecordsConfig(moment_loss=-1.0)
    with pytest.raises(ValueError, match="info_loss = 1.0: .* and 0 with dp=true"):
        RecordsConfig(info_loss=1.0, dp=True)


def test_mode_choice_argmax_gives_each_value_its_most_probable_mode():
    df, cols = infer_columns(mixed_table(), RecordsConfig(), "t")
    sampled = TableTransformer(cols, modes=10, seed=0).fit(df)
    argmax = TableTransformer(cols, modes=10, seed=0, mode_choice="argmax").fit(df)
    at = sum(i["width"] for i in argmax.info[:2])  # age, stage, then dose's alpha and modes
    dose = argmax.info[2]
    p = dose["gm"].predict_proba((df["dose"].to_numpy(float) / dose["scale"])[:, None])[:, dose["keep"]]
    for seed in (0, 1):  # argmax does not depend on the random draw; both round-trip
        m = argmax.transform(df, np.random.default_rng(seed))
        assert (m[:, at + 1:at + 1 + len(dose["mu"])].argmax(1) == p.argmax(1)).all()
        assert (argmax.inverse(m)["age"] == df["age"]).all()
    s0, s1 = (sampled.transform(df, np.random.default_rng(s)) for s in (0, 1))
    assert not np.array_equal(s0, s1)  # CTGAN's choice draws the mode, so two draws differ
    with pytest.raises(ValueError, match="mode_choice = 'max': expected sample or argmax"):
        RecordsConfig(mode_choice="max")


def test_the_other_model_check_scores_rows_that_lack_categories():
    """examples/records_other_model.py: gradient boosting on rows that never drew a category still scores the holdout."""
    import importlib.util
    from pathlib import Path
    spec = importlib.util.spec_from_file_location("records_other_model", Path(__file__).parents[1] / "examples" / "records_other_model.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    df = mixed_table(400)
    _, cols = infer_columns(df, RecordsConfig(), "t")
    train, holdout = df.iloc[:300], df.iloc[300:]
    assert mod.score(train, holdout, cols, "marker", 0) > 0.5  # marker = age / 10 + noise: R² well above 0
    no_iii = train[train["stage"] != "III"]  # synthetic rows that never drew stage III
    assert 0.4 < mod.score(no_iii, holdout, cols, "smoker", 0) < 0.6  # smoker is independent of the rest: chance AUC


def test_the_classifier_attacker_finds_copied_rows_and_not_fresh_ones():
    """examples/records_other_model.py's second attacker: synthetic rows that copy the training rows give members away."""
    import importlib.util
    from pathlib import Path
    spec = importlib.util.spec_from_file_location("records_other_model", Path(__file__).parents[1] / "examples" / "records_other_model.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    train, holdout = mixed_table(300, seed=1), mixed_table(200, seed=2)
    _, cols = infer_columns(train, RecordsConfig(), "t")
    assert mod.classifier_attack(train, holdout, train, cols, 0) > 0.7  # copies: members look synthetic (0.78 here)
    assert 0.35 < mod.classifier_attack(train, holdout, mixed_table(300, seed=3), cols, 0) < 0.65  # fresh rows: chance
