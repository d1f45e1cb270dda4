"""Command line of the kit: ``python -m kit info | download | synth | zoo | train | evaluate``."""

from __future__ import annotations

import argparse
import json
import sys

from . import config, data
from .train import CheckpointError
from .zoo.recipes import RECIPES


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
    from .zoo import recipes

    for name in recipes.RECIPES if args.name == "all" else [args.name]:
        record = recipes.build(name, epochs=args.epochs)
        print(f"{name}: {record['bytes'] / 1e6:.1f} MB, " + json.dumps(record["metrics"]))
    return 0


def _train(args) -> int:
    from .experiments import default_config, parse_options, train_run

    options = parse_options(args.option) | ({"latent_dim": args.latent_dim} if args.latent_dim else {})
    config = default_config(args.model, options=options, data=args.data, split=args.split,
                            pairing=args.pairing, epochs=args.epochs, batch_size=args.batch_size, lr=args.lr,
                            seed=args.seed)
    name = args.name or f"{args.model}-{config['data']}-{config['split']}-{config['pairing']}"
    run = train_run(config, name, resume=args.resume, overwrite=args.overwrite)
    print(f"{run.path}: " + ", ".join(f"{k} {v:.4g}" for k, v in run.metrics.items() if isinstance(v, float)))
    return 0


def _evaluate(args) -> int:
    from pathlib import Path

    from .config import runs_dir
    from .experiments import evaluate_run
    from .train import Run

    path = Path(args.run) if Path(args.run).is_dir() else runs_dir() / args.run
    if not (path / "config.json").is_file():
        raise FileNotFoundError(f"{path} is not a run folder (it has no config.json)")
    metrics = evaluate_run(Run(path))
    print(f"{path}: " + ", ".join(f"{k} {v:.4g}" for k, v in metrics.items() if isinstance(v, float)))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kit", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("info", help="where data and caches are, which data sets were found")
    download = commands.add_parser(
        "download", help="download a data set into $KIT_DATA_DIR (needs the network)"
    )
    download.add_argument("name", choices=[*data.SOURCES, "all"])
    download.add_argument("--force", action="store_true", help="download again even if present")
    commands.add_parser("synth", help="synthesize the embedded eSpeak NG spoken-digit corpus")
    build = commands.add_parser("zoo", help="train a model of the zoo and record it in kit/zoo/manifest.json")
    build.add_argument("name", choices=[*RECIPES, "all"])
    build.add_argument("--epochs", type=int, help="default: the recipe's (see kit/zoo/recipes.py)")
    train = commands.add_parser("train", help="train a model into runs/NAME, then evaluate it")
    train.add_argument("model", choices=["lenet5", "mlp-ae", "conv-ae", "mlp-vae", "conv-vae", "aivae",
                                         "fast-aivae"])
    train.add_argument("--data", choices=["mnist-fsdd", "mnist-scd"], help="audio-image pairs (generators)")
    train.add_argument("--split", choices=["random", "official", "speaker"])
    train.add_argument("--pairing", choices=["many-to-one", "one-to-one", "resampled"])
    train.add_argument("--epochs", type=int)
    train.add_argument("--batch-size", type=int)
    train.add_argument("--lr", type=float)
    train.add_argument("--seed", type=int)
    train.add_argument("--latent-dim", type=int)
    train.add_argument("--option", action="append", default=[], metavar="KEY=VALUE",
                       help="a model option, repeatable: --option kl_warmup_steps=400 "
                            "--option init_logvar=-5")
    train.add_argument("--name", help="run folder name (default: from the settings)")
    train.add_argument("--resume", action="store_true", help="continue an interrupted run")
    train.add_argument("--overwrite", action="store_true", help="replace an existing run")
    evaluate = commands.add_parser("evaluate", help="measure a trained run again (writes metrics.json)")
    evaluate.add_argument("run", help="run name under runs/ or a path")
    args = parser.parse_args(argv)
    handler = {"info": _info, "download": _download, "synth": _synth, "zoo": _zoo, "train": _train,
               "evaluate": _evaluate}[args.command]
    try:
        return handler(args)
    except (data.DataNotFoundError, data.ChecksumError, CheckpointError, ConnectionError, OSError,
            ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
