"""The kit's command line: ``python -m kit info|download|synth|zoo|train|sweep|evaluate|reproduce``.

The light commands (``info``, ``download``) never import the training stack;
the others import what they need when they run.
"""

from __future__ import annotations

import argparse
import json
import sys

from . import config, data
from .io import CheckpointError


def _info(_args) -> int:
    print(config.describe())
    for name, found in data.inventory().items():
        source = data.SOURCES[name]
        where = source.locate() if found else f"missing - python -m kit download {name}"
        print(f"  {name:16s} {source.title}: {where}")
    return 0


def _download(args) -> int:
    names = list(data.SOURCES) if args.name == "all" else [args.name]
    for name in names:
        print(f"{name}: {data.download(name, force=args.force)}")
    return 0


def _synth(_args) -> int:
    print(data.load_espeak_digits().describe())
    return 0


def _zoo(args) -> int:
    from . import zoo

    if args.action == "list":
        print(zoo.describe())
        return 0
    from .zoo.recipes import RECIPES, build, measure

    if not args.name:
        raise ValueError(f"zoo {args.action} needs a recipe name: {', '.join(RECIPES)} or all")
    for name in RECIPES if args.name == "all" else [args.name]:
        record = build(name, epochs=args.epochs) if args.action == "build" else measure(name)
        print(
            f"{name}: {record['bytes'] / 1e6:.1f} MB, "
            + json.dumps({k: v for k, v in record["metrics"].items() if isinstance(v, float)})
        )
    return 0


def _run_config(args):
    """The :class:`~kit.runs.RunConfig` of ``train`` and ``sweep``'s flags."""
    from .runs import RunConfig, parse_options

    keys = (
        "data", "split", "pairing", "features", "epochs", "batch_size", "lr", "lr_schedule", "precision",
        "seed", "augment", "augmentation", "target",
    )
    return RunConfig(
        args.model,
        options=parse_options(args.option),
        track=args.track,
        quick=args.quick or config.quick_mode(),
        **{key: getattr(args, key) for key in keys if getattr(args, key) is not None},
    )


def _train(args) -> int:
    from .runs import train_run

    run = train_run(_run_config(args), args.name, resume=args.resume, overwrite=args.overwrite)
    print(f"{run.path}: " + ", ".join(f"{k} {v:.4g}" for k, v in run.metrics.items() if isinstance(v, float)))
    return 0


def _sweep(args) -> int:
    from .runs.sweep import grid, parse_grid, sweep

    configs = grid(_run_config(args), parse_grid(args.grid))
    outcomes = sweep(configs, engine=args.engine, address=args.address)
    for name, outcome in outcomes.items():
        print(f"{outcome:12s} {name}")
    return 1 if any(outcome.startswith("failed") for outcome in outcomes.values()) else 0


def _evaluate(args) -> int:
    from pathlib import Path

    from .runs import Run, evaluate_run

    path = Path(args.run) if Path(args.run).is_dir() else config.runs_dir() / args.run
    if not (path / "config.json").is_file():
        raise FileNotFoundError(f"{path} is not a run folder (it has no config.json)")
    metrics = evaluate_run(Run(path))
    print(f"{path}: " + ", ".join(f"{k} {v:.4g}" for k, v in metrics.items() if isinstance(v, float)))
    return 0


def _reproduce(args) -> int:
    import tempfile
    from pathlib import Path

    from . import reproduce

    unknown = set(args.rows) - set(reproduce.ROWS)
    if unknown:
        raise ValueError(f"no reproduction row {', '.join(sorted(unknown))}; --list shows them")
    rows = reproduce.with_needs([reproduce.ROWS[row_id] for row_id in args.rows or reproduce.ROWS])
    if args.list:
        for row in rows:
            done = reproduce.load_result(row.id)
            state = "failed" if "error" in done else "done" if done else "missing"
            print(f"{row.id:20s} {state:8s} {row.source}: {row.label}")
        return 0
    if args.render_only:
        changed = reproduce.render_documents(reproduce.TABLES)
        print("rendered: " + (", ".join(p.name for p in changed) or "nothing changed"))
        return 0
    if args.quick:  # every row on a tiny subset, into a scratch folder: the committed results stay
        scratch = Path(tempfile.mkdtemp(prefix="reproduce-quick-"))
        outcomes = reproduce.reproduce(rows, quick=True, results=scratch)
        for path in reproduce.engine.DOCUMENTS:
            reproduce.engine.render_text(path.read_text(), reproduce.TABLES, reproduce.ROWS, scratch)
    else:
        outcomes = reproduce.reproduce(rows, tables=reproduce.TABLES)
    for row_id, outcome in outcomes.items():
        print(f"{row_id:20s} {outcome}")
    return 1 if any(outcome.startswith("failed") for outcome in outcomes.values()) else 0


def _add_run_flags(command: argparse.ArgumentParser) -> None:
    """The flags of one run configuration (``train`` and ``sweep``)."""
    command.add_argument(
        "model",
        help="a model of kit.models.MODELS, e.g. conv-vae, fast-aivae, audionet-cnn (a wrong name lists all)",
    )
    command.add_argument("--data", help="default: the task's (mnist, mnist-fsdd, ...)")
    command.add_argument("--split", help="random, official, speaker, voices (audio-to-image)")
    command.add_argument("--pairing", help="many-to-one, one-to-one, resampled (audio-to-image)")
    command.add_argument("--features", help="audio features (default: the task's)")
    command.add_argument("--epochs", type=int)
    command.add_argument("--batch-size", type=int)
    command.add_argument("--lr", type=float)
    command.add_argument("--lr-schedule", choices=["constant", "onecycle", "plateau"])
    command.add_argument("--precision", choices=["auto", "float32", "bfloat16"])
    command.add_argument("--seed", type=int)
    command.add_argument("--augment", type=int, help="augmented copies of every training clip")
    command.add_argument("--augmentation", help="the steps that make them, e.g. speed+tilt+room+pad+noise")
    command.add_argument("--target", type=float, help="stop once the tracked test metric reaches this")
    command.add_argument("--track", action="store_true", help="measure the test metric after every epoch")
    command.add_argument("--quick", action="store_true", help="the task's small subsets (as KIT_QUICK=1)")
    command.add_argument(
        "--option",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a model option, repeatable: --option latent_dim=2 --option init_logvar=-5",
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m kit", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("info", help="where data and caches are, which data sets were found")
    download = commands.add_parser(
        "download", help="download a data set into $KIT_DATA_DIR (needs the network)"
    )
    download.add_argument("name", choices=[*data.SOURCES, "all"])
    download.add_argument("--force", action="store_true", help="download again even if present")
    commands.add_parser("synth", help="synthesize the embedded eSpeak NG spoken-digit corpus")
    zoo = commands.add_parser("zoo", help="list the zoo (default), or train a recipe and publish it")
    zoo.add_argument("action", nargs="?", choices=["list", "build", "measure"], default="list",
                     help="build: train a recipe and publish it; measure: measure a published model again "
                     "with today's code (features, judges), without training")
    zoo.add_argument("name", nargs="?", help="a recipe (see kit/zoo/recipes.py) or all")
    zoo.add_argument("--epochs", type=int, help="default: the recipe's")
    train = commands.add_parser("train", help="train a model into runs/NAME, then evaluate it")
    _add_run_flags(train)
    train.add_argument("--name", help="run folder name (default: from the settings)")
    train.add_argument("--resume", action="store_true", help="continue an interrupted run")
    train.add_argument("--overwrite", action="store_true", help="replace an existing run")
    sweep = commands.add_parser(
        "sweep", help="train a grid of configurations (resumable; --engine ray for a cluster)"
    )
    _add_run_flags(sweep)
    sweep.add_argument(
        "--grid", action="append", default=[], metavar="KEY=V1,V2", required=True,
        help="an axis of the grid, repeatable: --grid alpha=0.2,0.5,1,2 --grid pairing=one-to-one",
    )
    sweep.add_argument("--engine", choices=["local", "ray"], default="local")
    sweep.add_argument("--address", help="with --engine ray: a running cluster (default: a local Ray)")
    evaluate = commands.add_parser("evaluate", help="measure a trained run again (writes metrics.json)")
    evaluate.add_argument("run", help="run name under runs/ or a path")
    reproduce = commands.add_parser(
        "reproduce", help="run missing reproduction rows, render docs/reproduction.md"
    )
    reproduce.add_argument("rows", nargs="*", help="row ids (default: all; --list shows them)")
    reproduce.add_argument("--list", action="store_true", help="list the rows and whether they have a result")
    reproduce.add_argument(
        "--quick", action="store_true", help="every row on a tiny subset (documents untouched)"
    )
    reproduce.add_argument(
        "--render-only", action="store_true", help="rebuild the documents from docs/results"
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    handler = {
        "info": _info,
        "download": _download,
        "synth": _synth,
        "zoo": _zoo,
        "train": _train,
        "sweep": _sweep,
        "evaluate": _evaluate,
        "reproduce": _reproduce,
    }[args.command]
    try:
        return handler(args)
    except (
        data.DataNotFoundError,
        data.ChecksumError,
        CheckpointError,
        ConnectionError,
        OSError,
        ValueError,
        KeyError,
    ) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
