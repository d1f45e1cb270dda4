"""Rows of the slides' "Audio-visual correspondence" and "Cross-modal retrieval" pages (seed 002; lesson 15).

After Arandjelović and Zisserman (2017, 2018), on MNIST-FSDD: the three
models of :mod:`kit.models.correspondence` learn whether a clip and a digit
belong together, on the random 90/10 split and with a speaker held out; each
is measured on held-out pairs and by retrieval both ways (:mod:`kit.correspondence`).
The slides show the papers' figures and publish no number for this data, so
the only published value is the issue's target: audio-to-image mAP of at
least 0.9 with a speaker held out. Two measurements complete the picture:
the AIVAE's drawings used for the same retrieval (the zoo's playground model,
which never heard the held-out speaker either), and what the embeddings
learnt (both senses on one map; a linear probe for the speaker).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..runs import RunConfig
from .engine import Row, Table
from .paper import command, epochs, number, percent, time_taken

MODEL_NAMES = {
    "avc-net": "AVC-net (2017: fused, FC 128, FC 1)",
    "avc-distance": "AVE-Net (2018: distance, FC 1)",
    "avc-infonce": "InfoNCE, learned temperature",
}
SPLIT_NAMES = {"random": "random 90/10", "speaker": "speaker held out"}
TARGET = "audio-to-image mAP >= 0.9 with a speaker held out (issue 12)"


def correspondence_config(model: str, split: str) -> RunConfig:
    """The two binary models take small batches (a yes/no per pair is a weak signal: they need steps)."""
    batch_size = 128 if model == "avc-infonce" else 32
    return RunConfig(model, split=split, batch_size=batch_size, epochs=30, track=True)


def row_id(model: str, split: str) -> str:
    return f"{model}-{split}"


TRAINED_ROWS = tuple(
    Row(row_id(model, split), "seed 002, Audio-visual correspondence (Arandjelović and Zisserman 2017, 2018)",
        f"{MODEL_NAMES[model]}, {SPLIT_NAMES[split]}",
        {"audio_to_image_mAP": ">= 0.9 (target)"} if split == "speaker" else {},
        correspondence_config(model, split))
    for split in SPLIT_NAMES
    for model in MODEL_NAMES
) + (
    Row("avc-infonce-speaker-augmented",
        "seed 002, Cross-modal retrieval; augmentation as the zoo's (lesson 8)",
        f"{MODEL_NAMES['avc-infonce']}, speaker held out, 4 augmented copies of every clip, one-cycle",
        {"audio_to_image_mAP": ">= 0.9 (target)"},
        RunConfig("avc-infonce", split="speaker", augment=4, epochs=20, lr_schedule="onecycle", track=True)),
)


def _trained(row: str, quick: bool, progress: bool):
    """The model and data of a trained row (a finished run reused, an interrupted one resumed; quick: as
    the engine trains it)."""
    from ..runs import load_run_model, train_run

    config = next(r for r in TRAINED_ROWS if r.id == row).config
    if quick:
        config = config.replace(quick=True, epochs=1, augment=min(config.augment, 1), target=None)
    return load_run_model(train_run(config, resume=True, progress=progress))


def aivae_baseline(quick: bool, progress: bool, results: Path) -> dict:
    """Retrieval through the zoo's FastAIVAE: each clip drawn, drawings and digits compared by LeNet."""
    from .. import zoo
    from ..correspondence import aivae_retrieval, correspondence_data
    from ..judges import load_judge

    metrics = {}
    for split in SPLIT_NAMES:
        data = correspondence_data(split=split, quick=quick)
        found = aivae_retrieval(zoo.load("fast-aivae"), load_judge("image"), data, unseen=split == "speaker")
        metrics[split] = found | {"data": data.description}
    return {"config": {"zoo": "fast-aivae", "judge": "lenet5"}, "metrics": metrics,
            "run": {"command": "python -m kit reproduce avc-aivae-baseline"}}


MAP_MODELS = ("avc-net", "avc-distance", "avc-infonce")
MAP_CLIPS, MAP_IMAGES = 500, 500  # points per sense on the maps


def embedding_analysis(quick: bool, progress: bool, results: Path) -> dict:
    """Both senses on one PCA and one t-SNE map (speaker held out), and linear probes of the speaker and
    the digit on the audio embeddings (random split: every speaker on both sides)."""
    from ..correspondence import embed, joint_map, speaker_probe

    maps, probes = {}, {}
    for model_name in MAP_MODELS:
        model, task_data = _trained(row_id(model_name, "speaker"), quick, progress)
        data = task_data.test
        rng = np.random.default_rng(0)
        clips = np.sort(rng.permutation(len(data.test_audio_labels))[:MAP_CLIPS])
        images = np.sort(rng.permutation(len(data.test_image_labels))[:MAP_IMAGES])
        heard, seen = (e.numpy() for e in embed(model, data.test_audio[clips], data.test_images[images]))
        maps[model_name] = {
            "audio_labels": data.test_audio_labels[clips].tolist(),
            "image_labels": data.test_image_labels[images].tolist(),
            **{method: [np.round(p, 3).tolist() for p in joint_map(heard, seen, method)]
               for method in ("pca", "tsne")},
        }
        model, task_data = _trained(row_id(model_name, "random"), quick, progress)
        cross = task_data.test.cross_modal
        train_audio = cross.train.audio[: len(cross.train_clips)]  # the clean clips, not augmented copies
        sides = {"train": (train_audio, cross.train_clips), "test": (cross.test.audio, cross.test_clips)}
        embedded = {side: embed(model, audio)[0].numpy() for side, (audio, _) in sides.items()}
        raw = {side: audio.reshape(len(audio), -1).numpy() for side, (audio, _) in sides.items()}
        speakers = {side: [u.speaker for u in clips.utterances] for side, (_, clips) in sides.items()}
        digits = {side: clips.digits for side, (_, clips) in sides.items()}
        probes[model_name] = {
            "speaker_from_embedding": speaker_probe(embedded["train"], speakers["train"], embedded["test"],
                                                    speakers["test"]),
            "speaker_from_log_mel": speaker_probe(raw["train"], speakers["train"], raw["test"],
                                                  speakers["test"]),
            "digit_from_embedding": speaker_probe(embedded["train"], digits["train"], embedded["test"],
                                                  digits["test"]),
            "speakers": len(set(speakers["train"])),
        }
    return {"config": {"rows": [row_id(m, s) for m in MAP_MODELS for s in SPLIT_NAMES]},
            "metrics": {"maps": maps, "probes": probes},
            "run": {"command": "python -m kit reproduce avc-embedding"}}


def embedding_figure(result: dict):
    """One row per model: its PCA and t-SNE maps, clips as triangles and digits as dots, coloured by digit."""
    import matplotlib.pyplot as plt

    from .. import plot

    maps = result["metrics"]["maps"]
    figure, axes = plt.subplots(len(maps), 2, figsize=(11, 4.6 * len(maps)), layout="constrained",
                                squeeze=False)
    for (pca_ax, tsne_ax), (name, found) in zip(axes, maps.items(), strict=True):
        for ax, method in ((pca_ax, "pca"), (tsne_ax, "tsne")):
            heard, seen = (np.array(p) for p in found[method])
            plot.joint_embedding(heard, found["audio_labels"], seen, found["image_labels"], ax=ax,
                                 title=f"{MODEL_NAMES[name]}: {method.upper()}")
    return figure


ANALYSIS_ROWS = (
    Row("avc-aivae-baseline", "seed 001's AIVAE (the zoo's fast-aivae) used for seed 002's retrieval",
        "AIVAE drawing + LeNet features (zoo fast-aivae)", analysis=aivae_baseline),
    Row("avc-embedding", "seed 002, Cross-modal retrieval (what the shared space holds)",
        "PCA and t-SNE of both senses; speaker and digit probes", analysis=embedding_analysis,
        figure=embedding_figure),
)

ROWS = (*TRAINED_ROWS, *ANALYSIS_ROWS)


def _model(row: Row, result: dict) -> str:
    return row.label


def _metric(key: str, split: str | None = None):
    """A number from a trained row's metrics, or from the baseline's metrics for ``split``."""

    def cell(row: Row, result: dict) -> str:
        metrics = result["metrics"].get(split, {}) if row.id == "avc-aivae-baseline" else result["metrics"]
        value = metrics.get(key)
        return "-" if value is None else f"{value:.3f}"

    return cell


def _retrieval_table(split: str, rows: tuple[str, ...]) -> Table:
    columns = [("model", _model)]
    for direction, name in (("audio_to_image", "clip → digits"), ("image_to_audio", "digit → clips")):
        columns += [(f"{name} R@{k}", _metric(f"{direction}_recall@{k}", split)) for k in (1, 5, 10)]
        columns.append((f"{name} mAP", _metric(f"{direction}_mAP", split)))
    columns += [("unseen voices → digits R@1", _metric("unseen_audio_to_image_recall@1", split)),
                ("unseen mAP", _metric("unseen_audio_to_image_mAP", split))]
    return Table(rows, tuple(columns))


def _probe(key: str):
    def cell(row: Row, result: dict) -> str:
        return "<br>".join(f"{name}: {100 * found[key]:.1f} %"
                           for name, found in result["metrics"]["probes"].items())

    return cell


def _chance(row: Row, result: dict) -> str:
    speakers = next(iter(result["metrics"]["probes"].values()))["speakers"]
    return f"speaker 1/{speakers} = {100 / speakers:.1f} %, digit 10 %"


TRAINED_IDS = {split: tuple(row_id(model, split) for model in MODEL_NAMES) for split in SPLIT_NAMES}

TABLES = {
    "correspondence": Table(
        TRAINED_IDS["random"] + TRAINED_IDS["speaker"] + ("avc-infonce-speaker-augmented",),
        (
            ("model", _model),
            ("match accuracy (chance 50 %)", percent("correspondence_accuracy")),
            ("ROC AUC (chance 0.5)", number("correspondence_auc", 3)),
            ("test pairs", lambda row, result: f"{result['metrics']['test_pairs']:,}"),
            ("epochs", epochs),
            ("time", time_taken),
            ("command", command),
        ),
    ),
    "retrieval-random": _retrieval_table("random", TRAINED_IDS["random"] + ("avc-aivae-baseline",)),
    "retrieval-speaker": _retrieval_table(
        "speaker", TRAINED_IDS["speaker"] + ("avc-infonce-speaker-augmented", "avc-aivae-baseline")
    ),
    "avc-embedding": Table(
        ("avc-embedding",),
        (
            ("speaker from the audio embedding", _probe("speaker_from_embedding")),
            ("speaker from the log-mel itself", _probe("speaker_from_log_mel")),
            ("digit from the audio embedding", _probe("digit_from_embedding")),
            ("chance", _chance),
            ("time", time_taken),
        ),
    ),
}

