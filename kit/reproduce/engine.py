"""Rows, results and rendering for :mod:`kit.reproduce`."""

from __future__ import annotations

import re
import shutil
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tqdm.auto import tqdm

from ..config import REPO_ROOT, runs_dir
from ..io import read_json, write_json_atomic, write_text_atomic
from ..runs import RunConfig, train_run
from ..train.folder import code_version, machine, now

RESULTS = REPO_ROOT / "docs" / "results"
DOCUMENTS = (REPO_ROOT / "docs" / "reproduction.md", REPO_ROOT / "README.md")
MARKER = re.compile(r"(<!-- reproduce:(?P<name>[\w-]+) -->\n)(?P<body>.*?)(<!-- /reproduce -->)", re.S)


@dataclass(frozen=True)
class Row:
    """One reproduced figure: where it is published, what it was, how the kit reproduces it."""

    id: str
    source: str  # "seed 001, Table 4"
    label: str  # how the tables name it
    published: dict[str, str] = field(default_factory=dict)  # metric -> the published value, as printed
    config: RunConfig | None = None  # a run that reproduces it ...
    zoo: str | None = None  # ... or the zoo entry that publishes it (its recipe is the run) ...
    analysis: Callable[[bool, bool, Path], dict] | None = None  # ... or a measurement of trained runs:
    # (quick, progress, results folder) -> result
    figure: Callable[[dict], object] | None = None  # the row's picture from its result (docs/results/ROW.png)
    needs: tuple[str, ...] = ()  # rows whose results the measurement gathers: reproduce them first

    def run_config(self) -> RunConfig | None:
        """The run that reproduces the row (None for a measurement of other rows' runs)."""
        if self.analysis is not None:
            return None
        if self.config is not None:
            return self.config
        from ..zoo.recipes import RECIPES

        return RECIPES[self.zoo]


@dataclass(frozen=True)
class Table:
    """A table of a document: its rows and columns (header, a function of the row and its result)."""

    rows: tuple[str, ...]
    columns: tuple[tuple[str, Callable[[Row, dict], str]], ...]


def result_path(row_id: str, folder: Path = RESULTS) -> Path:
    return folder / f"{row_id}.json"


def load_result(row_id: str, folder: Path = RESULTS) -> dict:
    """A row's committed result (empty when it has none yet)."""
    path = result_path(row_id, folder)
    return read_json(path) if path.is_file() else {}


def figure_path(row_id: str, folder: Path = RESULTS) -> Path:
    return folder / f"{row_id}.png"


def draw_figure(row: Row, result: dict, folder: Path = RESULTS) -> Path | None:
    """Save the row's picture next to its result: its figure, or else its run's samples (if at hand)."""
    if not result or "error" in result:
        return None
    path = figure_path(row.id, folder)
    if row.figure is None:
        if row.zoo is not None or "model" not in result.get("config", {}):
            return None
        samples = runs_dir() / RunConfig.from_dict(result["config"]).name / "samples.png"
        if not samples.is_file():
            return None
        shutil.copyfile(samples, path)
        return path
    import matplotlib.pyplot as plt

    figure = row.figure(result)
    figure.savefig(path, dpi=90)
    plt.close(figure)
    return path


def _run_row(row: Row, quick: bool, progress: bool, results: Path) -> dict:
    """Train (or resume, or reuse) the row's run, or make its measurement; its result record."""
    if row.analysis is not None:
        start = time.perf_counter()
        record = row.analysis(quick, progress, results)
        record["run"] = {
            "seconds": round(time.perf_counter() - start, 1), "machine": machine(), "device": "cpu",
            "finished": now(), "code": code_version(), **record.get("run", {}),
        }
        return {"row": row.id, "source": row.source, **record}
    config = row.run_config()
    if quick:
        config = config.replace(quick=True, epochs=1, augment=min(config.augment, 1), target=None)
    if row.zoo is not None and not quick:
        from .. import zoo
        from ..zoo.recipes import build

        if row.zoo not in zoo.manifest():
            build(row.zoo, progress=progress)
        entry = zoo.entry(row.zoo)
        return {
            "row": row.id,
            "source": row.source,
            "config": entry.get("config", config.as_dict()),
            "metrics": entry["metrics"],
            "history": entry.get("history", []),
            "run": entry.get("trained", {}) | {"command": entry["command"]},
        }
    run = train_run(config, resume=True, progress=progress)
    metrics = {key: value for key, value in run.metrics.items() if key != "confusion"}
    return {
        "row": row.id,
        "source": row.source,
        "config": config.as_dict(),
        "metrics": metrics,
        "history": run.history(),
        "run": run.status | {"command": config.command},
    }


def reproduce(
    rows: list[Row],
    *,
    quick: bool = False,
    results: Path = RESULTS,
    progress: bool = True,
    tables: dict[str, Table] | None = None,
    documents: tuple[Path, ...] = DOCUMENTS,
) -> dict[str, str]:
    """Run each row whose result is missing in ``results`` and render the documents; ``{row: outcome}``."""
    results.mkdir(parents=True, exist_ok=True)
    outcomes = {}
    for row in tqdm(rows, desc="reproduce", disable=not progress):
        existing = load_result(row.id, results)
        if existing and "error" not in existing:
            outcomes[row.id] = "kept"
            continue
        try:
            record = _run_row(row, quick, progress, results)
            outcomes[row.id] = "done"
        except Exception as error:  # one failing row must not stop the others: its reason is recorded
            record = {
                "row": row.id,
                "source": row.source,
                "error": f"{type(error).__name__}: {error}",
                "traceback": traceback.format_exc(limit=3),
                "run": {"finished": now()},
            }
            outcomes[row.id] = f"failed: {record['error']}"
        write_json_atomic(result_path(row.id, results), record)
        draw_figure(row, record, results)
    if tables is not None:
        render_documents(tables, results, documents)
    return outcomes


def render_table(table: Table, rows: dict[str, Row], results: Path = RESULTS) -> str:
    """The markdown of ``table`` from the results of its rows."""
    lines = [
        "| " + " | ".join(header for header, _ in table.columns) + " |",
        "|" + "---|" * len(table.columns),
    ]
    for row_id in table.rows:
        row, result = rows[row_id], load_result(row_id, results)
        if not result:
            cells = (
                [row.label]
                + ["not run yet: `python -m kit reproduce " + row.id + "`"]
                + [""] * (len(table.columns) - 2)
            )
        elif "error" in result:
            cells = [row.label, f"failed: {result['error'][:200]}"] + [""] * (len(table.columns) - 2)
        else:
            cells = [cell(row, result) for _, cell in table.columns]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def render_text(text: str, tables: dict[str, Table], rows: dict[str, Row], results: Path = RESULTS) -> str:
    """``text`` with every ``<!-- reproduce:NAME -->`` block replaced by table NAME."""

    def replace(match: re.Match) -> str:
        name = match["name"]
        if name not in tables:
            raise KeyError(f"the document asks for table {name!r}, which kit.reproduce does not define")
        return match[1] + render_table(tables[name], rows, results) + match[4]

    return MARKER.sub(replace, text)


def render_documents(
    tables: dict[str, Table], results: Path = RESULTS, documents: tuple[Path, ...] = DOCUMENTS
) -> list[Path]:
    """Redraw the figures and rewrite the marked tables of ``documents`` from ``results``; what changed."""
    from . import ROWS

    for row in ROWS.values():
        draw_figure(row, load_result(row.id, results), results)
    changed = []
    for path in documents:
        text = path.read_text()
        rendered = render_text(text, tables, ROWS, results)
        if rendered != text:
            write_text_atomic(path, rendered)
            changed.append(path)
    return changed
