"""kit.runs: run folders and zoo entries as records, broken ones included; the comparison plots."""

from __future__ import annotations

import math
import os

import matplotlib.pyplot as plt
import numpy as np
import pytest

from kit import plot, runs
from kit.io import read_json, write_json_atomic
from kit.train import Run

HISTORY = [
    {"epoch": 1, "train_loss": 210.0, "train_reconstruction": 200.0, "train_kl": 10.0, "seconds": 1.5},
    {"epoch": 2, "train_loss": 190.0, "train_reconstruction": 183.0, "train_kl": 7.0, "seconds": 1.4},
]


def make_run(root, name, *, pairing="many-to-one", accuracy=0.9, diversity=0.2, history=HISTORY, mtime=0):
    """A run folder as ``python -m kit train`` leaves it: config, history, metrics and a samples picture."""
    run = Run.create(
        name,
        {
            "model": "fast-aivae",
            "options": {},
            "data": "mnist-fsdd",
            "split": "random",
            "pairing": pairing,
            "epochs": len(history),
        },
        root=root,
    )
    run.write_history(history)
    run.write_metrics(
        {
            "accuracy": accuracy,
            "macro_f1": accuracy - 0.01,
            "confusion": np.eye(10).tolist(),
            "diversity": diversity,
            "frechet": 300.0,
            "count": 300,
        }
    )
    figure = plot.image_grid(np.random.default_rng(0).random((10, 28, 28)), labels=range(10))
    figure.savefig(run.samples_path, dpi=30)
    plt.close(figure)
    for path in [run.path, *run.path.iterdir()]:
        os.utime(path, (1_700_000_000 + mtime, 1_700_000_000 + mtime))
    return run


def test_runs_are_listed_newest_first_with_config_history_metrics_and_samples(tmp_path):
    make_run(tmp_path, "old", mtime=0)
    make_run(tmp_path, "new", pairing="one-to-one", accuracy=0.8, diversity=0.6, mtime=100)
    records = runs.list_runs(tmp_path)
    assert [r.name for r in records] == ["new", "old"]
    new = records[0]
    assert new.source == "run" and new.problem is None
    assert new.config["pairing"] == "one-to-one" and new.epochs == 2
    assert new.history[1]["train_loss"] == 190.0
    assert (
        new.metric("accuracy") == 0.8 and new.metric("diversity") == 0.6 and math.isnan(new.metric("nothing"))
    )
    assert new.samples == tmp_path / "new" / "samples.png"


def test_a_missing_or_empty_root_has_no_runs(tmp_path):
    assert runs.list_runs(tmp_path / "absent") == []
    assert runs.list_runs(tmp_path) == []


@pytest.mark.parametrize(
    ("damage", "problem"),
    [
        (lambda path: (path / "config.json").unlink(), "no config.json"),
        (lambda path: (path / "config.json").write_text("{not json"), "config.json cannot be read"),
        (lambda path: (path / "config.json").write_text("[1, 2]"), "config.json holds no settings"),
        (
            lambda path: (path / "history.csv").write_text("epoch,train_loss\n1,lots\n"),
            "history.csv cannot be read",
        ),
        (lambda path: (path / "history.csv").write_bytes(b"epoch\n\xff\xfe\n"), "history.csv cannot be read"),
        (lambda path: (path / "metrics.json").unlink(), "not evaluated yet: python -m kit evaluate broken"),
        (lambda path: (path / "metrics.json").write_text(""), "metrics.json cannot be read"),
    ],
)
def test_a_broken_run_folder_is_listed_with_its_problem(tmp_path, damage, problem):
    make_run(tmp_path, "fine")
    damage(make_run(tmp_path, "broken").path)
    records = {r.name: r for r in runs.list_runs(tmp_path)}
    assert records["fine"].problem is None
    assert problem in records["broken"].problem
    assert runs.table(list(records.values()))["problem"].notna().sum() == 1


def test_an_empty_folder_is_a_run_that_never_started(tmp_path):
    (tmp_path / "started").mkdir()
    (record,) = runs.list_runs(tmp_path)
    assert "no config.json" in record.problem and "not evaluated yet" in record.problem
    assert record.history == [] and record.samples is None and record.epochs is None


def test_zoo_entries_with_and_without_history_and_samples(tmp_path):
    (tmp_path / "a.pt").write_bytes(b"weights")
    (tmp_path / "a.png").write_bytes(b"png")
    entries = {
        "a": {
            "file": "a.pt",
            "model": "conv-vae",
            "data": "mnist",
            "metrics": {"test_accuracy": 0.98, "epochs": 3},
            "history": [{"epoch": 1, "train_loss": 5}],
            "samples": "a.png",
        },
        "b": {"file": "b.pt", "model": "lenet5", "metrics": {"epochs": 10}, "samples": "b.png"},
        "c": {"file": "a.pt", "model": "lenet5", "history": "not a list"},
    }
    a, b, c = runs.list_zoo(entries, tmp_path)
    assert (a.name, a.source, a.problem, a.samples) == ("zoo/a", "zoo", None, tmp_path / "a.png")
    assert a.history == [{"epoch": 1.0, "train_loss": 5.0}] and a.epochs == 1
    assert a.metric("test_accuracy") == 0.98
    assert math.isnan(a.metric("accuracy"))  # a classifier's own accuracy is not a judge's reading
    assert b.history == [] and b.samples is None and b.epochs == 10
    assert "weights file b.pt is missing" in b.problem and "samples picture b.png is missing" in b.problem
    assert "history is not a list" in c.problem


def test_the_real_zoo_is_listed():
    records = runs.list_zoo()
    assert "zoo/lenet5" in [r.name for r in records]
    assert all(r.problem is None for r in records), [r.problem for r in records]


def test_the_table_has_one_row_per_record_with_the_main_metrics(tmp_path):
    make_run(tmp_path, "one", accuracy=0.75, diversity=0.5)
    (tmp_path / "two").mkdir()
    frame = runs.table(runs.list_runs(tmp_path) + runs.list_zoo({"z": {"model": "lenet5"}}, tmp_path))
    assert list(frame.columns) == list(runs.TABLE_COLUMNS)
    assert list(frame["name"]) == ["two", "one", "zoo/z"]  # "two" was made now, "one" dated 2023
    one = frame.set_index("name").loc["one"]
    assert (one["model"], one["pairing"], one["epochs"]) == ("fast-aivae", "many-to-one", 2)
    assert one["accuracy"] == 0.75 and one["diversity"] == 0.5 and one["frechet"] == 300.0
    assert math.isnan(frame.set_index("name").loc["two", "accuracy"])


def test_curve_keys_and_trade_off_points(tmp_path):
    make_run(tmp_path, "a", accuracy=0.9, diversity=0.1)
    make_run(tmp_path, "b", history=[{"epoch": 1, "val_loss": 3.0}])
    (tmp_path / "c").mkdir()
    records = runs.list_runs(tmp_path)
    assert set(runs.curve_keys([r.history for r in records])) == {*HISTORY[0], "val_loss"} - {"epoch"}
    assert runs.trade_off_points(records) == {"a": (0.1, 0.9), "b": (0.2, 0.9)}


def test_compare_curves_draws_one_line_per_history_that_has_the_key():
    figure = plot.compare_curves({"a": HISTORY, "b": HISTORY[:1], "c": [{"epoch": 1, "val_loss": 1.0}]})
    lines = figure.axes[0].get_lines()
    assert [line.get_label() for line in lines] == ["a", "b"]
    assert list(lines[0].get_ydata()) == [210.0, 190.0]
    figure = plot.compare_curves({"c": [{"epoch": 1, "val_loss": 1.0}]}, key="train_kl")
    assert (
        not figure.axes[0].get_lines() and "no history has 'train_kl'" in figure.axes[0].texts[0].get_text()
    )
    plt.close("all")


def test_trade_off_labels_every_point():
    figure = plot.trade_off({"many-to-one": (0.12, 0.99), "one-to-one": (0.56, 0.84)})
    ax = figure.axes[0]
    assert [text.get_text() for text in ax.texts] == ["many-to-one", "one-to-one"]
    assert np.allclose(
        np.concatenate([c.get_offsets() for c in ax.collections]), [[0.12, 0.99], [0.56, 0.84]]
    )
    assert ax.get_xlim()[0] == 0 and ax.get_xlim()[1] > 1
    plt.close(figure)


def test_json_records_keep_their_values_with_each_list_of_numbers_on_one_line(tmp_path):
    value = {"curve": [0.5, -1e-05, 3], "images": [[0.1, 0.2], [0.3]], "text": "a [1,  2] list", "empty": []}
    write_json_atomic(tmp_path / "record.json", value)
    text = (tmp_path / "record.json").read_text()
    assert read_json(tmp_path / "record.json") == value
    assert '"curve": [0.5, -1e-05, 3]' in text and "[0.1, 0.2]" in text and '"a [1,  2] list"' in text
    assert not list(tmp_path.glob("*.partial"))

