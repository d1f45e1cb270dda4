"""The command line: clear errors, never a traceback, for the usual mistakes."""

from __future__ import annotations

import json
import os
import subprocess
import sys


def kit(*args, env=None):
    return subprocess.run([sys.executable, "-m", "kit", *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=300)


def test_evaluate_a_missing_or_broken_run_says_so(tmp_path):
    result = kit("evaluate", str(tmp_path / "nothing-here"), env={"KIT_RUNS_DIR": str(tmp_path)})
    assert result.returncode == 1 and "is not a run folder" in result.stderr
    broken = tmp_path / "broken"
    broken.mkdir()
    config = {"model": "lenet5", "options": {}, "data": "mnist", "split": "random", "pairing": "many-to-one",
              "epochs": 1, "batch_size": 128, "lr": 0.001, "seed": 0, "quick": True}
    (broken / "config.json").write_text(json.dumps(config))
    (broken / "checkpoint.pt").write_bytes(b"garbage")
    result = kit("evaluate", str(broken))
    assert result.returncode == 1 and "not a usable checkpoint" in result.stderr
    assert "Traceback" not in result.stderr


def test_train_refuses_to_overwrite_a_run(tmp_path):
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "config.json").write_text("{}")
    result = kit("train", "lenet5", "--name", "taken", env={"KIT_RUNS_DIR": str(tmp_path)})
    assert result.returncode == 1 and "resume=True" in result.stderr


def test_unknown_choices_are_rejected_with_usage():
    result = kit("train", "gpt5")
    assert result.returncode == 1 and "unknown model 'gpt5'; models: lenet5" in result.stderr
    result = kit("train", "lenet5", "--pairing", "one-to-one")
    assert result.returncode == 1 and "image-classification has no pairing setting" in result.stderr
    result = kit("train", "fast-aivae", "--split", "sideways")
    assert result.returncode == 1 and "split 'sideways' is not one of random" in result.stderr
    result = kit("zoo", "polish")
    assert result.returncode == 2 and "invalid choice" in result.stderr


def test_model_options_are_checked_before_a_run_folder_is_made(tmp_path):
    env = {"KIT_RUNS_DIR": str(tmp_path)}
    result = kit("train", "conv-vae", "--option", "latent_dim", env=env)
    assert result.returncode == 1 and "is not KEY=VALUE" in result.stderr
    result = kit("train", "conv-vae", "--option", "depth=3", "--name", "bad", env=env)
    assert result.returncode == 1 and "conv-vae has no option depth" in result.stderr
    assert "latent_dim" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "bad").exists()


def test_parse_options_types_values():
    from kit.runs import parse_options

    assert parse_options(["a=-5", "b=0.5", "c=true", "d=False", "e=relu"]) == {
        "a": -5, "b": 0.5, "c": True, "d": False, "e": "relu"}
