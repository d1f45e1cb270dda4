"""apps/compare_models.py in AppTest: the table, choosing runs, curves, empty and broken folders."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from kit import zoo

from .test_runs import make_run

APP = Path(__file__).resolve().parents[1] / "apps" / "compare_models.py"


@pytest.fixture
def runs_root(tmp_path, monkeypatch):
    """An empty runs folder in $KIT_RUNS_DIR and a zoo of one LeNet (no history, no samples)."""
    root = tmp_path / "runs"
    root.mkdir()
    monkeypatch.setenv("KIT_RUNS_DIR", str(root))
    (tmp_path / "lenet5.pt").write_bytes(b"weights")
    manifest = tmp_path / "manifest.json"
    manifest.write_text(
        json.dumps({"lenet5": {"file": "lenet5.pt", "model": "lenet5", "metrics": {"test_accuracy": 0.99}}})
    )
    monkeypatch.setattr(zoo, "FOLDER", tmp_path)
    monkeypatch.setattr(zoo, "MANIFEST", manifest)
    return root


def start() -> AppTest:
    app = AppTest.from_file(str(APP), default_timeout=60).run()
    assert not app.exception, app.exception
    return app


def sample_captions(app: AppTest) -> list[str]:
    return [caption for image in app.image for caption in image.captions if caption]


def test_the_table_lists_runs_and_zoo_models(runs_root):
    make_run(runs_root, "m2o", accuracy=0.991, diversity=0.12, mtime=0)
    make_run(runs_root, "o2o", pairing="one-to-one", accuracy=0.837, diversity=0.56, mtime=10)
    app = start()
    assert app.text_input(key="folder").value == str(runs_root)
    frame = app.dataframe[0].value.set_index("name")
    assert list(frame.index) == ["o2o", "m2o", "zoo/lenet5"]
    assert frame.loc["o2o", "pairing"] == "one-to-one" and frame.loc["o2o", "accuracy"] == pytest.approx(
        0.837
    )
    assert (
        frame.loc["m2o", "diversity"] == pytest.approx(0.12)
        and frame.loc["zoo/lenet5", "test_accuracy"] == 0.99
    )
    assert not app.warning and not app.info


def test_a_runs_folder_below_the_working_folder_is_shown_relative(runs_root, monkeypatch):
    monkeypatch.chdir(runs_root.parent)  # a screenshot never shows the machine's own folders
    assert start().text_input(key="folder").value == "runs"


def test_the_courses_zoo_shows_its_metrics(tmp_path, monkeypatch):
    monkeypatch.setenv("KIT_RUNS_DIR", str(tmp_path))
    frame = start().dataframe[0].value.set_index("name")
    for name, entry in zoo.manifest().items():
        for column in ("accuracy", "test_accuracy", "diversity"):
            if column in entry["metrics"]:
                assert frame.loc[f"zoo/{name}", column] == pytest.approx(entry["metrics"][column])
    assert frame.loc["zoo/fast-aivae", "accuracy"] > 0.9


def test_choosing_runs_changes_what_is_drawn(runs_root):
    for age, name in enumerate(["a", "b", "c", "d"]):
        make_run(runs_root, name, accuracy=0.5 + age / 10, mtime=age)
    app = start()
    assert app.multiselect(key="runs").value == ["d", "c", "b"]  # the three newest
    assert sample_captions(app) == ["d", "c", "b"]
    assert len(app.image) == 2 + 3  # curves, trade-off, one samples grid per run
    app.multiselect(key="runs").set_value(["a"]).run()
    assert not app.exception and sample_captions(app) == ["a"] and len(app.image) == 2 + 1
    app.multiselect(key="runs").set_value([]).run()
    assert not app.image and any("Choose runs" in caption.value for caption in app.caption)


def test_the_curve_selectbox_offers_the_history_columns_and_redraws(runs_root):
    make_run(runs_root, "a")
    make_run(runs_root, "b", history=[{"epoch": 1, "train_loss": 5.0, "val_loss": 6.0}])
    app = start()
    curve = app.selectbox(key="curve")
    assert curve.value == "train_loss"
    assert set(curve.options) == {"train_loss", "train_reconstruction", "train_kl", "seconds", "val_loss"}
    before = app.image[0].value
    curve.set_value("val_loss").run()
    assert not app.exception and app.selectbox(key="curve").value == "val_loss"
    assert app.image[0].value != before
    app.multiselect(key="runs").set_value(["a"]).run()  # a has no val_loss: back to the default curve
    assert not app.exception and app.selectbox(key="curve").value == "train_loss"
    assert "val_loss" not in app.selectbox(key="curve").options


def test_an_empty_runs_folder_explains_how_to_make_a_run(runs_root):
    app = start()
    assert len(app.info) == 1 and "python -m kit train fast-aivae --epochs 2" in app.info[0].value
    assert "python -m kit train conv-vae" in app.info[0].value
    assert list(app.dataframe[0].value["name"]) == ["zoo/lenet5"]
    assert not app.image


def test_another_folder_can_be_typed_in(runs_root, tmp_path):
    make_run(tmp_path / "elsewhere", "far")
    app = start()
    assert app.info
    app.text_input(key="folder").set_value(str(tmp_path / "elsewhere")).run()
    assert not app.exception and not app.info
    assert list(app.dataframe[0].value["name"]) == ["far", "zoo/lenet5"]
    assert app.multiselect(key="runs").value == ["far"] and sample_captions(app) == ["far"]
    app.text_input(key="folder").set_value(str(tmp_path / "nowhere")).run()
    assert not app.exception and "is not a folder" in app.warning[0].value and app.info


def test_a_broken_folder_is_warned_about_and_the_rest_still_works(runs_root):
    make_run(runs_root, "good")
    (make_run(runs_root, "bad").path / "history.csv").write_text("epoch,train_loss\n1,lots\n")
    (runs_root / "empty").mkdir()
    app = start()
    warnings = [warning.value for warning in app.warning]
    assert len(warnings) == 2
    assert any("bad" in w and "history.csv cannot be read" in w for w in warnings)
    assert any("empty" in w and "no config.json" in w for w in warnings)
    assert set(app.dataframe[0].value["name"]) == {"good", "bad", "empty", "zoo/lenet5"}
    assert app.multiselect(key="runs").value == ["good"]  # only runs with a history are chosen by default
    app.multiselect(key="runs").set_value(["bad", "empty", "good"]).run()
    assert not app.exception and sample_captions(app) == ["bad", "good"]
