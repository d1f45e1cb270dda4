"""kit.train: run folders, atomic and safe checkpoints, resume; a real LeNet and a real AIVAE learn."""

from __future__ import annotations

import pickle

import pytest
import torch

from kit import evaluator, experiments
from kit.models import LeNet5
from kit.train import Batches, CheckpointError, Run, Trainer, load_checkpoint, save_checkpoint
from tests.conftest import require


@pytest.fixture
def runs(tmp_path, monkeypatch):
    monkeypatch.setenv("KIT_RUNS_DIR", str(tmp_path / "runs"))
    return tmp_path / "runs"


def toy_batches(n=256, seed=0):
    generator = torch.Generator().manual_seed(seed)
    labels = torch.randint(0, 10, (n,), generator=generator)
    images = torch.zeros(n, 28, 28)
    images[torch.arange(n), 2 + 2 * labels, 4:24] = 1  # digit d = a bright row at height 2 + 2d
    return Batches(images, labels, batch_size=32, seed=seed)


def test_checkpoint_round_trip_and_refusals(tmp_path):
    model = LeNet5()
    save_checkpoint(tmp_path / "good.pt", {"model": model.state_dict(), "epoch": 3})
    state = load_checkpoint(tmp_path / "good.pt")
    restored = LeNet5()
    restored.load_state_dict(state["model"])
    assert all(torch.equal(a, b) for a, b in zip(model.state_dict().values(), restored.state_dict().values(),
                                                  strict=True))
    (tmp_path / "truncated.pt").write_bytes((tmp_path / "good.pt").read_bytes()[:500])
    (tmp_path / "text.pt").write_text("not a checkpoint")
    (tmp_path / "code.pt").write_bytes(pickle.dumps(print))  # a pickle that would run code
    torch.save({"epoch": 1}, tmp_path / "empty.pt")
    for name, message in [("truncated", "not a usable"), ("text", "not a usable"), ("code", "not a usable"),
                          ("empty", "no model weights"), ("missing", "no such checkpoint")]:
        with pytest.raises(CheckpointError, match=message):
            load_checkpoint(tmp_path / f"{name}.pt")


def test_runs_are_never_overwritten_silently(runs):
    Run.create("first", {"model": "lenet5"}).config_path.exists()
    (runs / "first" / "history.csv").write_text("epoch\n1\n")
    with pytest.raises(FileExistsError, match="resume=True"):
        Run.create("first", {"model": "lenet5"})
    assert Run.create("first", {}, resume=True).config == {"model": "lenet5"}  # resume keeps the config
    assert not (Run.create("first", {"model": "x"}, overwrite=True).path / "history.csv").exists()


def test_trainer_learns_writes_the_run_and_resumes(runs):
    run = Run.create("toy", {"model": "lenet5"})
    model = LeNet5()
    history = Trainer(2, lr=3e-3, run=run, progress=False).fit(model, toy_batches(), toy_batches(seed=1))
    assert [row["epoch"] for row in history] == [1, 2]
    assert history[-1]["val_accuracy"] > 0.5 and history[-1]["train_loss"] < history[0]["train_loss"]
    assert [row["epoch"] for row in run.history()] == [1.0, 2.0]
    assert load_checkpoint(run.checkpoint_path)["epoch"] == 2
    resumed_model = LeNet5()
    resumed = Trainer(3, lr=3e-3, run=run, progress=False).fit(resumed_model, toy_batches(), resume=True)
    assert [row["epoch"] for row in resumed] == [1, 2, 3]  # epochs 1-2 from the checkpoint, 3 trained now


def test_zoo_lenet_reaches_the_papers_accuracy():
    require("mnist")
    images, labels = evaluator.digit_tensors("test")
    assert evaluator.accuracy(evaluator.load_lenet(), images, labels) >= 0.987


def test_quick_aivae_draws_the_spoken_digit_well_above_chance(runs):
    require("fsdd")
    require("mnist")
    config = experiments.default_config("fast-aivae", epochs=3, batch_size=64, quick=True)
    run = experiments.train_run(config, "quick-aivae", progress=False)
    assert run.metrics["accuracy"] > 0.5  # chance is 0.1
    assert 0 < run.metrics["diversity"] < 1 and run.samples_path.exists()
    assert experiments.evaluate_run(Run(run.path))["accuracy"] == pytest.approx(run.metrics["accuracy"])
