"""kit.reproduce: rows, results, rendering; the committed documents match their results."""

from __future__ import annotations

import subprocess
import sys

import pytest

from kit import data
from kit.reproduce import ROWS, TABLES, Row, load_result, reproduce, with_needs
from kit.reproduce.engine import DOCUMENTS, MARKER, render_text
from kit.runs import RunConfig


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda path: path.name)
def test_the_committed_documents_are_what_the_results_render(document):
    text = document.read_text()
    assert MARKER.search(text), f"{document.name} has no generated table"
    assert render_text(text, TABLES, ROWS) == text, (
        f"{document.name} differs from its results: run python -m kit reproduce --render-only"
    )


def test_every_table_row_is_a_row_and_every_row_has_its_own_run():
    assert {row_id for table in TABLES.values() for row_id in table.rows} <= set(ROWS)
    names = [row.run_config().name for row in ROWS.values() if row.analysis is None]
    assert len(set(names)) == len(names)
    for row in ROWS.values():  # a committed result belongs to its row and says how it was made
        result = load_result(row.id)
        if result and "error" not in result:
            assert result["row"] == row.id and result["run"]["command"].startswith("python -m kit")
            if row.analysis is None:
                assert RunConfig.from_dict(result["config"]).name  # a config the kit still reads


def test_a_failing_row_records_its_reason_and_the_others_still_run(runs, tmp_path):
    rows = [
        Row(
            "bad",
            "a test",
            "a model with an option it lacks",
            config=RunConfig("conv-vae", options={"depth": 3}, epochs=1),
        ),
        Row(
            "good",
            "a test",
            "LeNet-5, one quick epoch",
            {"test_accuracy": "98.7 %"},
            RunConfig("lenet5", epochs=1),
        ),
    ]
    results = tmp_path / "results"
    outcomes = reproduce(rows, quick=True, results=results, progress=False)
    assert outcomes["bad"].startswith("failed: ValueError: conv-vae has no option depth")
    assert outcomes["good"] == "done"
    good = load_result("good", results)
    assert good["metrics"]["test_accuracy"] > 0.6 and len(good["history"]) == 1
    assert good["run"]["status"] == "finished" and good["run"]["seconds"] > 0
    assert reproduce(rows[1:], quick=True, results=results, progress=False) == {"good": "kept"}


def test_the_command_lists_every_row():
    listing = subprocess.run(
        [sys.executable, "-m", "kit", "reproduce", "--list"], capture_output=True, text=True, check=True
    ).stdout
    assert all(row_id in listing for row_id in ROWS)


def test_a_measurement_asked_for_alone_brings_the_rows_it_gathers_first():
    curves = ROWS["table5-curves"]
    assert len(curves.needs) == 10 and all(need in ROWS for need in curves.needs)
    assert [row.id for row in with_needs([curves])] == [*curves.needs, curves.id]
    one_run = ROWS[curves.needs[3]]  # asked for before the measurement: kept where it is, not repeated
    assert [row.id for row in with_needs([one_run, curves])] == [
        one_run.id, *(need for need in curves.needs if need != one_run.id), curves.id]
    listing = subprocess.run([sys.executable, "-m", "kit", "reproduce", "--list", "table5-curves"],
                             capture_output=True, text=True, check=True).stdout.split("\n")
    assert [line.split()[0] for line in listing if line] == [*curves.needs, curves.id]


def what_it_exercises(row: Row) -> set[tuple]:
    """What a quick reproduction of ``row`` runs: its measurement, or its run's model, its data, split and
    pairing, its model options and string or yes/no settings, its augmentation's steps; and its figure.
    The numbers are left out: rows that differ only in alpha, seed or epochs run the same code."""
    facts = {("figure", row.figure and row.figure.__qualname__)}
    if row.analysis is not None:
        measure = getattr(row.analysis, "func", row.analysis)  # a functools.partial names its function
        return facts | {("measurement", measure.__qualname__, getattr(row.analysis, "args", ()))}
    config = row.run_config()
    settings = [*config.options.items(), *((key, getattr(config, key)) for key in (
        "features", "lr_schedule", "precision", "track"))]
    steps = config.augmentation.split("+") if config.augment else []
    facts |= {("model", config.model), ("data", config.data, config.split, config.pairing)}
    facts |= {("setting", key, value if isinstance(value, str | bool | None) else "a number")
              for key, value in settings}
    return facts | {("augmentation step", step) for step in steps}


def rows_that_cover_every_case() -> list[Row]:
    """The rows, in order, that exercise something no row before them did, and the rows they gather."""
    covered: set[tuple] = set()
    chosen = []
    for row in ROWS.values():
        if not what_it_exercises(row) <= covered:
            covered |= what_it_exercises(row)
            chosen.append(row)
    return with_needs(chosen)


def test_the_covering_rows_exercise_all_that_every_row_does():
    chosen = rows_that_cover_every_case()
    assert set().union(*map(what_it_exercises, chosen)) == set().union(*map(what_it_exercises, ROWS.values()))
    ids = {row.id for row in chosen}
    seeds = {row_id for row_id in ROWS if row_id.startswith("voices-playground-seed")}
    assert len(seeds) > 1 and len(seeds & ids) <= 1  # the first recipe's other seeds add no new case
    assert {row_id for row_id in ROWS if row_id.startswith("table5-")} <= ids  # the curves gather them
    order = [row.id for row in chosen]
    assert len(order) < len(ROWS) and all(order.index(need) < order.index(row.id)
                                          for row in chosen for need in row.needs)
    assert "voices-speed-voice-tilt-pad-noise" in ids  # a chain with a step no row before it has


def test_quick_reproduction_runs_the_covering_rows_on_a_tiny_subset(runs, tmp_path):
    """What CI runs: the covering rows, one quick epoch; rows that need FSDD fail clearly without it.
    (``python -m kit reproduce --quick`` runs every row.)"""
    rows = rows_that_cover_every_case()
    outcomes = reproduce(rows, quick=True, results=tmp_path / "results", progress=False)
    for row_id, outcome in outcomes.items():
        if data.SOURCES["fsdd"].available():
            assert outcome == "done", (row_id, outcome)
            if ROWS[row_id].figure is not None:  # measurements draw their figure from their result
                assert (tmp_path / "results" / f"{row_id}.png").stat().st_size > 10_000, row_id
        else:
            assert outcome == "done" or "not found" in outcome or "DataNotFoundError" in outcome, (
                row_id,
                outcome,
            )
