"""Rows of seed 004 (VAEs that generate spoken digits): its four models, judged by two judges (lesson 16).

Seed 004 trained an MLP VAE (50 and 100 epochs, and 100 epochs with 30 %
dropout) and a CNN VAE (50 epochs, and with L2 and dropout) with a 2-D latent
on AudioMNIST's log-STFT, and showed loss curves, training times and the
latent maps; it judged its sound by ear, from clips it had encoded (its
per-file scale could not decode a sample from the prior). The kit trains the
same families (:mod:`kit.models.audio_vae`) on FSDD and the eSpeak voices
(the ``voices`` split: a whole FSDD speaker and an eSpeak accent never
trained on, which the audio judge never trained on either), with one global
scale, and lets the judges of :mod:`kit.speaking` listen: to reconstructions,
to prior samples and to the decoded latent map. The fourth row is the seed's
first proposal for future work, a larger latent. Epochs are far fewer than
the seed's (they fit a shared 2-core CPU); the tables say how many. Three
rows go beyond the seed: an MLP with a 16-D latent trained 200 epochs, and
the digit-guided maps with their digit priors (options ``guide`` and
``digit_prior`` of :mod:`kit.models.audio_vae`) of the MLP and of the CNN
(the zoo's ``audio-vae-guided-2d``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..features import LOG_STFT
from ..models.audio_vae import GUIDED_MAP
from ..runs import RunConfig
from .engine import Row, Table
from .paper import command, epochs, percent, time_taken

MLP_EPOCHS, CNN_EPOCHS = 30, 12
LONG_EPOCHS, GUIDED_EPOCHS = 200, 60
MAP_CLIPS = 600  # test clips drawn on each map
GRID_STEPS = 12
#: The guided MLP's KL weight, chosen by the map heard on the validation clips (training voices):
#: 82 % at 1, 75 % at 300 (the CNN's: 75 % at 1, 70 % at 30, 83 % at 300, so GUIDED_MAP keeps 300).
MLP_GUIDED_KL = {"kl_weight": 1}
CURVES = ("epoch", "train_loss", "val_loss", "seconds")  # what the maps' figure draws of each history


def _config(model: str, latent_dim: int, epochs: int, lr_schedule: str = "constant", **options) -> RunConfig:
    return RunConfig(model, options={"latent_dim": latent_dim, **options}, data="fsdd+espeak", epochs=epochs,
                     lr_schedule=lr_schedule)


#: row id: (source, label, the seed's epochs, config or zoo entry)
SEED_ROWS = {
    "seed004-mlp-2d": ("seed 004, 4.1.1-4.1.2 (VAE-MLP)", "MLP, 2-D latent", "50 / 100",
                       _config("audio-vae-mlp", 2, MLP_EPOCHS)),
    "seed004-mlp-2d-dropout": ("seed 004, 4.1.3 (regularised VAE-MLP)", "MLP, 2-D latent, dropout 0.3", "100",
                               _config("audio-vae-mlp", 2, MLP_EPOCHS, dropout=0.3)),
    "seed004-cnn-2d": ("seed 004, 4.2.1 (VAE-CNN); the zoo's audio-vae-cnn-2d", "CNN, 2-D latent", "50",
                       "audio-vae-cnn-2d"),
    "seed004-cnn-16d": ("seed 004, 5.1 (future work: a larger latent)", "CNN, 16-D latent", "-",
                        _config("audio-vae-cnn", 16, CNN_EPOCHS)),
    "seed004-mlp-16d-long": ("seed 004, 5.1 (a larger latent), trained long", "MLP, 16-D latent, one-cycle",
                             "-", _config("audio-vae-mlp", 16, LONG_EPOCHS, "onecycle")),
    "seed004-mlp-2d-guided": ("beyond seed 004: the digit-guided map",
                              "MLP, 2-D latent, digit-guided, digit prior", "-",
                              _config("audio-vae-mlp", 2, GUIDED_EPOCHS, "onecycle",
                                      **GUIDED_MAP | MLP_GUIDED_KL)),
    "seed004-cnn-2d-guided": ("beyond seed 004: the digit-guided map; the zoo's audio-vae-guided-2d",
                              "CNN, 2-D latent, digit-guided, digit prior", "-", "audio-vae-guided-2d"),
}
TRAINED_ROWS = tuple(
    Row(row_id, source, label, {"epochs": seed_epochs},
        **({"zoo": made} if isinstance(made, str) else {"config": made}))
    for row_id, (source, label, seed_epochs, made) in SEED_ROWS.items()
)


def _trained(row_id: str, quick: bool, progress: bool):
    """The run, model and data of a trained row (a measured run reused as it is, an unfinished one trained
    and measured; quick: as the engine trains it)."""
    from ..config import runs_dir
    from ..runs import load_run_model, train_run
    from ..train import Run

    config = next(row for row in TRAINED_ROWS if row.id == row_id).run_config()
    if quick:
        config = config.replace(quick=True, epochs=1)
    made = SEED_ROWS[row_id][3]
    name = f"zoo-{made}" if isinstance(made, str) and not quick else config.name
    run = Run(runs_dir() / name)
    if not run.metrics_path.is_file():
        run = train_run(config, name, resume=True, progress=progress)
    return (run, *load_run_model(run))


def maps_analysis(quick: bool, progress: bool, results: Path) -> dict:
    """Each row's loss curves and seconds per epoch, its latent map (2-D, or the first two principal
    axes), and for 2-D latents the grid of the map decoded to sound and heard (the seed could not)."""
    from sklearn.decomposition import PCA

    from ..judges import hear
    from ..metrics import region_labels
    from ..speaking import REGION_NEIGHBOURS, latent_codes, map_grid, speak, word_frames

    maps = {}
    for row in TRAINED_ROWS:
        run, model, task_data = _trained(row.id, quick, progress)
        data = task_data.test
        codes = latent_codes(model, data.test)
        chosen = np.sort(np.random.default_rng(0).permutation(len(codes))[:MAP_CLIPS])
        drawn = codes if codes.shape[1] == 2 else PCA(2, random_state=0).fit_transform(codes)
        found = {"label": row.label, "latent_dim": int(codes.shape[1]),
                 "codes": np.round(drawn[chosen], 3).tolist(), "digits": data.test_digits[chosen].tolist(),
                 "frames": word_frames(data.test[chosen].numpy()).tolist(),
                 "history": [{key: round(record[key], 2) for key in CURVES} for record in run.history()]}
        if codes.shape[1] == 2:
            points, on_map = map_grid(codes, GRID_STEPS)
            found |= {"grid": np.round(points[on_map], 3).tolist(),
                      "heard": hear(speak(model, points[on_map])).argmax(1).tolist(),
                      "regions": region_labels(codes, data.test_digits, points[on_map],
                                               REGION_NEIGHBOURS).tolist()}
        maps[row.id] = found
    return {"config": {"rows": [row.id for row in TRAINED_ROWS]}, "metrics": {"maps": maps},
            "run": {"command": "python -m kit reproduce seed004-maps"}}


def maps_figure(result: dict):
    """One row per model: its loss curves (training and validation), its latent map by digit and by the
    length of the word, and for 2-D latents the map decoded to sound, each grid point marked with the digit
    the judge heard."""
    import matplotlib.pyplot as plt

    from .. import plot

    maps = result["metrics"]["maps"]
    figure, axes = plt.subplots(len(maps), 4, figsize=(21, 4.3 * len(maps)), layout="constrained",
                                squeeze=False)
    for (curves, latent, length, heard), found in zip(axes, maps.values(), strict=True):
        history = found["history"]
        if history:
            plot.loss_curves(history, keys=("train_loss", "val_loss"), ax=curves,
                             title=f"{found['label']}: loss (nats per clip), "
                                   f"{np.mean([r['seconds'] for r in history]):.0f} s per epoch")
        else:
            curves.set_axis_off()
        codes = np.array(found["codes"])
        axis = "" if found["latent_dim"] == 2 else " (first two principal axes)"
        plot.latent_map(codes, found["digits"], ax=latent, title=f"test clips' codes{axis}")
        dots = length.scatter(codes[:, 0], codes[:, 1], c=np.array(found["frames"]) * LOG_STFT.hop_length
                              / LOG_STFT.sr, cmap="viridis", s=4)
        figure.colorbar(dots, ax=length, label="word length (s)")
        length.set(title="the same codes, coloured by the word's length", xlabel="$z_1$", ylabel="$z_2$")
        if "grid" in found:
            plot.heard_map(codes, found["digits"], found["grid"], found["heard"], found["regions"], ax=heard)
        else:
            heard.set_axis_off()
            heard.text(0.5, 0.5, f"{found['latent_dim']}-D: no grid to draw", ha="center", va="center",
                       transform=heard.transAxes)
    return figure


MAPS_ROW = Row("seed004-maps", "seed 004, Figures 16-25 (loss curves, latent maps), and the map heard",
               "loss curves, latent maps, the 2-D maps decoded to sound", analysis=maps_analysis,
               figure=maps_figure)
ROWS = (*TRAINED_ROWS, MAPS_ROW)


def _pair(first: str, second: str, digits: int = 0):
    def cell(row: Row, result: dict) -> str:
        metrics = result["metrics"]
        if first not in metrics:
            return "-"
        scale = 1 if "inception" in first else 100
        unit = "" if "inception" in first else " %"
        return f"{scale * metrics[first]:.{digits}f}{unit} ({scale * metrics[second]:.{digits}f}{unit})"

    return cell


def _both_judges(metric: str):
    """``metric`` as AudioNet / PocketSphinx (``sphinx_`` + metric) measured it; "-" where it is not."""
    def cell(row: Row, result: dict) -> str:
        if metric not in result["metrics"]:
            return "-"
        return f"{percent(metric, 0)(row, result)} / {percent('sphinx_' + metric, 0)(row, result)}"

    return cell


def _seconds_per_epoch(row: Row, result: dict) -> str:
    history = result.get("history", [])
    return f"{np.mean([r['seconds'] for r in history]):.0f} s" if history else "-"


def _epochs_both(row: Row, result: dict) -> str:
    return f"{epochs(row, result)} ({row.published['epochs']})"


def _map(row: Row, result: dict) -> str:
    metrics = result["metrics"]
    if "map_accuracy" not in metrics:
        return "-"
    return (f"{100 * metrics['map_accuracy']:.0f} % / {100 * metrics['sphinx_map_accuracy']:.0f} % "
            f"of {metrics['map_points']}")


TABLES = {
    "seed004": Table(
        tuple(row.id for row in TRAINED_ROWS),
        (
            ("model", lambda row, result: row.label),
            ("(a) reconstructions heard as their digit: AudioNet (real clips)",
             _pair("reconstruction_accuracy", "real_accuracy")),
            ("PocketSphinx (real clips)", _pair("sphinx_reconstruction_accuracy", "sphinx_real_accuracy")),
            ("real spectrograms resynthesised: AudioNet / PocketSphinx",
             _both_judges("resynthesis_accuracy")),
            ("(b) prior samples: Inception Score (real clips)",
             _pair("sample_inception_score", "real_inception_score", 2)),
            ("heard with confidence > 0.5 (real clips)",
             _pair("sample_confident_share", "real_confident_share")),
            ("PocketSphinx agrees with AudioNet (real clips)",
             _pair("sphinx_sample_agreement", "sphinx_real_agreement")),
            ("digit prior: heard as the digit asked for, AudioNet / PocketSphinx",
             _both_judges("sample_digit_accuracy")),
            ("(c) map points heard as their region: AudioNet / PocketSphinx", _map),
            ("prior samples heard as their region", percent("prior_region_accuracy", 0)),
            ("epochs (seed's)", _epochs_both),
            ("per epoch", _seconds_per_epoch),
            ("time", time_taken),
            ("command", command),
        ),
    ),
}
