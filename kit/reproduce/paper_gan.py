"""The paper's second half (seed 001, section 4.2; seed 002, the VAE-GAN pages): Tables 2 and 5, Figure 8.

* Table 5: the fast AIVAEGAN at each alpha of the paper, with many-to-one
  pairing (MNIST-FSDD) and one-to-one pairing (FSDD one-to-one stands in for
  MNIST-SCD: the full Speech Commands is not on these machines), judged by
  LeNet's accuracy, diversity, Fréchet distance and precision / recall /
  density / coverage; one alpha below the paper's range shows where the
  curve is heading, and one run with per-pixel means shows why the
  reduction of the loss matters.
* Table 2: the paper's own AIVAEGAN, as many epochs as a CPU allows, labelled.
* Figure 8: the latent-zeroing ablation of the AIVAE for both pairings.
"""

from __future__ import annotations

from pathlib import Path

from ..runs import RunConfig
from .engine import Row, Table, load_result
from .paper import ROWS as TABLE4_ROWS
from .paper import command, epochs, label, number, pairing, percent, published, time_taken

PAPER_ALPHAS = (0.2, 0.5, 1, 2)
LOW_ALPHAS = (0.05,)  # below the paper's range: where the audio's information is squeezed out
PUBLISHED = {  # seed 001, Table 5
    "many-to-one": {0.2: "81.0 %", 0.5: "80.5 %", 1: "93.0 %", 2: "94.3 %"},
    "one-to-one": {0.2: "66.9 % (SCD)", 0.5: "76.2 % (SCD)", 1: "81.7 % (SCD)", 2: "81.5 % (SCD)"},
}
#: About 1,400 steps either way (about 5 minutes on 2 cores): 3 epochs of 469 batches, or 60 of 22.
EPOCHS = {"many-to-one": 3, "one-to-one": 60}
ALPHAS = (*LOW_ALPHAS, *PAPER_ALPHAS)
#: Every Table-5 run, (pairing, alpha): the rows of the two tables, the points of the curves.
TABLE5_RUNS = tuple((pairing_name, alpha) for pairing_name in EPOCHS for alpha in ALPHAS)


def vaegan(alpha: float, pairing: str, model: str = "fast-aivaegan", **options) -> RunConfig:
    """A Table-5 run: Adam at 2e-4 for both networks, batch 128, beta 0.5 (the paper's settings)."""
    return RunConfig(model, options={"alpha": alpha, **options}, pairing=pairing, lr=2e-4,
                     epochs=EPOCHS[pairing])


def _short(pairing: str) -> str:
    return {"many-to-one": "m2o", "one-to-one": "o2o"}[pairing]


def table5_id(alpha: float, pairing: str) -> str:
    return f"table5-{_short(pairing)}-alpha{alpha:g}"


def _table5_rows() -> list[Row]:
    rows = []
    for pairing_name, alpha in TABLE5_RUNS:
        paper = PUBLISHED[pairing_name].get(alpha)
        rows.append(Row(
            table5_id(alpha, pairing_name),
            "seed 001, Table 5" if paper else "not in the paper: alpha below its range",
            f"fast AIVAEGAN, {pairing_name}, alpha = {alpha:g}",
            {"accuracy": paper} if paper else {},
            vaegan(alpha, pairing_name),
        ))
    return rows


def latent_ablation_result(quick: bool, progress: bool, results: Path) -> dict:
    """Figure 8 for the fast AIVAE of Table 4 (many-to-one) and of the one-to-one row, reusing their runs."""
    from ..experiments import latent_ablation
    from ..judges import load_judge
    from ..runs import load_run_model, train_run

    curves, configs = {}, {}
    for pairing_name, row_id in (("many-to-one", "table4-random"), ("one-to-one", "pairing-one-to-one")):
        config = next(row for row in TABLE4_ROWS if row.id == row_id).config
        if quick:
            config = config.replace(quick=True, epochs=1)
        run = train_run(config, resume=True, progress=progress)  # a finished run is reused as it is
        model, data = load_run_model(run)
        ks = range(0, 65, 16) if quick else range(65)
        draws = 2 if quick else 10
        curves[pairing_name] = latent_ablation(model, data.test, load_judge("image"), ks, draws=draws)
        configs[pairing_name] = config.as_dict()
    return {
        "config": configs,
        "metrics": {"curves": curves},
        "run": {"command": "python -m kit reproduce figure8"},
    }


def latent_ablation_figure(result: dict):
    import matplotlib.pyplot as plt

    figure, ax = plt.subplots(figsize=(6, 3.4), layout="constrained")
    for name, curve in result["metrics"]["curves"].items():
        line = ax.plot(curve["k"], [100 * v for v in curve["mean"]], label=name)[0]
        ax.fill_between(curve["k"], [100 * v for v in curve["low"]], [100 * v for v in curve["high"]],
                        color=line.get_color(), alpha=0.25)
    ax.set(xlabel="latent elements set to 0 (k of 64)", ylabel="LeNet accuracy (%)",
           title="Figure 8 again: the fast AIVAE (band: lowest to highest of the draws)")
    ax.axhline(10, color="grey", lw=0.8, ls=":")
    ax.legend()
    return figure


def _at(k: int):
    def cell(row: Row, result: dict) -> str:
        curves = result["metrics"]["curves"]
        values = []
        for name in ("many-to-one", "one-to-one"):
            curve = curves.get(name, {"k": []})
            values.append(f"{100 * curve['mean'][curve['k'].index(k)]:.1f}" if k in curve["k"] else "-")
        return " / ".join(values) + " %"

    return cell


def trade_off_result(quick: bool, progress: bool, results: Path) -> dict:
    """The Table-5 rows gathered into curves over alpha (no training: the row ``needs`` them run first)."""
    curves: dict[str, list[dict]] = {pairing_name: [] for pairing_name in EPOCHS}
    for pairing_name, alpha in TABLE5_RUNS:
        result = load_result(table5_id(alpha, pairing_name), results)
        if not result or "error" in result:
            raise ValueError(f"run {table5_id(alpha, pairing_name)} first (python -m kit reproduce)")
        metrics = result["metrics"]
        curves[pairing_name].append({"alpha": alpha, **{key: metrics.get(key) for key in (
            "accuracy", "diversity", "frechet", "precision", "recall", "density", "coverage")}})
    return {"config": {}, "metrics": {"curves": curves, "published": PUBLISHED_NUMBERS},
            "run": {"command": "python -m kit reproduce table5-curves"}}


PUBLISHED_NUMBERS = {
    pairing_name: {f"{alpha:g}": float(text.split()[0]) / 100 for alpha, text in values.items()}
    for pairing_name, values in PUBLISHED.items()
}


def trade_off_figure(result: dict):
    import matplotlib.pyplot as plt

    figure, (left, right) = plt.subplots(1, 2, figsize=(9, 3.4), layout="constrained")
    for name, points in result["metrics"]["curves"].items():
        alphas = [p["alpha"] for p in points]
        line = left.plot(alphas, [100 * p["accuracy"] for p in points], marker="o", label=f"kit, {name}")[0]
        paper = result["metrics"]["published"][name]
        left.plot([float(a) for a in paper], [100 * v for v in paper.values()], marker="x", ls="--",
                  color=line.get_color(), label=f"paper, {name}" + (" (SCD)" if name == "one-to-one" else ""))
        right.plot(alphas, [p["diversity"] for p in points], marker="o", label=name)
    left.set(xscale="log", xlabel="alpha", ylabel="LeNet accuracy (%)", title="consistency")
    right.set(xscale="log", xlabel="alpha", ylabel="diversity (1 = as varied as MNIST)", title="diversity")
    left.legend(fontsize=7)
    right.legend(fontsize=7)
    return figure


ROWS = (
    *_table5_rows(),
    Row(
        "table5-mean-reduction",
        "seed 001, Table 5, alpha = 1, loss terms averaged over pixels",
        "fast AIVAEGAN, many-to-one, alpha = 1, per-pixel means",
        {"accuracy": "93.0 %"},
        vaegan(1, "many-to-one", reduction="mean"),
    ),
    Row(
        "table2-aivaegan",
        "seed 001, Table 2 and Table 5; seed 002 (7,909,382 parameters, Adam 2e-4)",
        "the Table-2 AIVAEGAN itself, many-to-one, alpha = 1 (1 epoch of the paper's 100)",
        {"accuracy": "93.0 %"},
        vaegan(1, "many-to-one", model="aivaegan").replace(epochs=1),
    ),
    Row(
        "table5-curves",
        "seed 001, Table 5 as curves",
        "accuracy and diversity against alpha",
        analysis=trade_off_result,
        figure=trade_off_figure,
        needs=tuple(table5_id(alpha, pairing_name) for pairing_name, alpha in TABLE5_RUNS),
    ),
    Row(
        "figure8",
        "seed 001, Figure 8",
        "latent elements set to zero",
        analysis=latent_ablation_result,
        figure=latent_ablation_figure,
    ),
)


def _model(row: Row, result: dict) -> str:
    return {"fast-aivaegan": "fast (2.2 M)", "aivaegan": "Table 2 (7.9 M)"}[result["config"]["model"]]


def _alpha(row: Row, result: dict) -> str:
    options = result["config"]["options"]
    return f"{options['alpha']:g}" + (" (means)" if options.get("reduction") == "mean" else "")


def _d_wins(row: Row, result: dict) -> str:
    """How often the discriminator won outright in the last epoch (CollapseWatch's measure)."""
    history = result.get("history") or [{}]
    share = history[-1].get("train_d_wins")
    return "-" if share is None else f"{100 * share:.0f} %"


GENERATOR_COLUMNS = (
    ("paper", published("accuracy")),
    ("kit accuracy", percent("accuracy")),
    ("diversity", number("diversity")),
    ("Fréchet", number("frechet", 0)),
    ("precision", number("precision")),
    ("recall", number("recall")),
    ("density", number("density")),
    ("coverage", number("coverage")),
    ("D wins", _d_wins),
    ("epochs", epochs),
    ("time", time_taken),
    ("command", command),
)


def _table5(pairing_name: str) -> Table:
    ids = tuple(table5_id(alpha, pairing_name) for alpha in ALPHAS)
    return Table(ids, (("alpha", _alpha), ("model", _model), *GENERATOR_COLUMNS))


TABLES = {
    "table5-many-to-one": _table5("many-to-one"),
    "table5-one-to-one": _table5("one-to-one"),
    "table5-models": Table(
        ("table5-m2o-alpha1", "table5-mean-reduction", "table2-aivaegan"),
        (("run", label), ("pairing", pairing), *GENERATOR_COLUMNS),
    ),
    "figure8": Table(
        ("figure8",),
        (
            ("", label), ("k = 0", _at(0)), ("k = 16", _at(16)), ("k = 32", _at(32)), ("k = 48", _at(48)),
            ("k = 64", _at(64)), ("time", time_taken), ("command", command),
        ),
    ),
}
