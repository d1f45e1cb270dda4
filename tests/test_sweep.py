"""Sweeps: a grid of run configurations, resumable, on this machine or on a (local) Ray cluster."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from kit.runs import RunConfig
from kit.runs.sweep import grid, parse_grid, sweep
from kit.train import Run, Trainer


def test_a_grid_crosses_run_settings_and_model_options():
    axes = parse_grid(["alpha=0.2,2", "pairing=many-to-one,one-to-one"])
    assert axes == {"alpha": [0.2, 2], "pairing": ["many-to-one", "one-to-one"]}
    configs = grid(RunConfig("fast-aivaegan", lr=2e-4, epochs=3), axes)
    assert [(c.options["alpha"], c.pairing) for c in configs] == [
        (0.2, "many-to-one"), (0.2, "one-to-one"), (2, "many-to-one"), (2, "one-to-one")
    ]
    assert all(c.lr == 2e-4 and c.epochs == 3 for c in configs)
    assert len({c.name for c in configs}) == 4
    for bad in ("alpha", "alpha=", "=1,2"):
        with pytest.raises(ValueError, match="KEY=VALUE"):
            parse_grid([bad])
    with pytest.raises(ValueError, match="no option depth"):
        from kit.runs import build

        build(grid(RunConfig("dcgan"), {"depth": [3]})[0])


def tiny(seed: int) -> RunConfig:
    return RunConfig("lenet5", epochs=2, quick=True, seed=seed)


def test_a_sweep_skips_finished_runs_and_resumes_an_interrupted_one(tmp_path, monkeypatch):
    configs = [tiny(0), tiny(1)]
    save = Trainer._save
    calls = []

    def crash_after_the_first_epoch_of_the_second_run(self, model, optimizers, schedulers, epoch):
        save(self, model, optimizers, schedulers, epoch)
        calls.append(epoch)
        if self.run.path.name == configs[1].name and epoch == 1:
            raise KeyboardInterrupt  # the laptop's lid closes

    monkeypatch.setattr(Trainer, "_save", crash_after_the_first_epoch_of_the_second_run)
    with pytest.raises(KeyboardInterrupt):
        sweep(configs, root=tmp_path, progress=False)
    first, second = (Run(tmp_path / c.name) for c in configs)
    assert first.status["status"] == "finished" and second.status["status"] == "running"
    seconds_of_epoch_1 = second.history()[0]["seconds"]

    monkeypatch.setattr(Trainer, "_save", save)
    outcomes = sweep(configs, root=tmp_path, progress=False)
    assert outcomes == {configs[0].name: "done before", configs[1].name: "resumed"}
    assert len(second.history()) == 2 and second.history()[0]["seconds"] == seconds_of_epoch_1
    assert second.metrics["test_accuracy"] > 0.5
    again = sweep(configs, root=tmp_path, progress=False)
    assert again == dict.fromkeys([c.name for c in configs], "done before")


def test_a_failing_configuration_is_reported_and_the_others_still_train(tmp_path):
    configs = [RunConfig("lenet5", options={"depth": 3}, epochs=1, quick=True), tiny(0).replace(epochs=1)]
    outcomes = sweep(configs, root=tmp_path, progress=False)
    assert outcomes[configs[0].name] == "failed: ValueError: lenet5 has no option depth; its options: "
    assert outcomes[configs[1].name] == "trained"


def test_the_ray_engine_runs_a_two_configuration_sweep_on_a_local_ray(tmp_path):
    if os.environ.get("CI") != "true":
        pytest.importorskip("ray", reason="Ray is an optional extra (.ci/run installs it)")
    configs = [tiny(0).replace(epochs=1), tiny(1).replace(epochs=1)]
    outcomes = sweep(configs, engine="ray", root=tmp_path, progress=False)
    assert outcomes == dict.fromkeys([c.name for c in configs], "trained")
    for config in configs:
        assert Run(tmp_path / config.name).metrics["test_accuracy"] > 0.5


def test_the_sweep_command(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "kit", "sweep", "lenet5", "--quick", "--epochs", "1", "--grid", "seed=0,1"],
        capture_output=True, text=True, env=os.environ | {"KIT_RUNS_DIR": str(tmp_path)},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("trained") == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        c.name for c in grid(RunConfig("lenet5", epochs=1, quick=True), {"seed": [0, 1]})
    )
