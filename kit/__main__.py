"""Command line of the kit: ``python -m kit info | download NAME | synth``."""

from __future__ import annotations

import argparse
import sys

from . import config, data


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
    args = parser.parse_args(argv)
    handler = {"info": _info, "download": _download, "synth": _synth}[args.command]
    try:
        return handler(args)
    except (data.DataNotFoundError, data.ChecksumError, ConnectionError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
