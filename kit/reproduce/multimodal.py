"""Rows of seed 003 (multimodal digit classification) and seed 000 (the MFCC-40 VAE).

Seed 003's five classifiers are trained with the report's learning rates and
batch sizes (section 2.3), Adam with weight decay 1e-5, the learning rate
divided on a plateau and early stopping on the validation accuracy, on
MNIST-FSDD pairs split the report's way (recordings split 14:3:3 at random)
and with a speaker held out, which the report does not measure. The epochs
are the report's where this CPU allows and fewer where it does not; the
tables say how many each run trained. Seed 000's model is judged by the plain
LeNet of lesson 4 (the report fine-tuned its evaluator on 100 hand-labelled
drawings to reach 82.29 %).
"""

from __future__ import annotations

from ..runs import RunConfig
from .engine import Row, Table
from .paper import JUDGED_COLUMNS, command, epochs, percent, time_taken

#: model: (report's name, learning rate, the report's epochs, batch size, epochs trained here, accuracy, F1)
CLASSIFIERS = {
    "imagenet-cnn": ("ImageNet_CNN", 1e-3, 10, 32, 3, "99.13 %", "0.991"),
    "audionet-cnn": ("AudioNet_CNN", 1e-4, 100, 64, 10, "97.75 %", "0.978"),
    "audionet-lstm": ("AudioNet_LSTM", 5e-4, 50, 64, 15, "97.18 %", "0.972"),
    "hybridnet-cnn": ("HybridNet_CNN", 1e-3, 20, 32, 3, "99.74 %", "0.997"),
    "hybridnet-cnn-lstm": ("HybridNet_CNN_LSTM", 1e-4, 30, 64, 5, "99.36 %", "0.994"),
}
SPLITS = {"random": "recordings 14:3:3 at random (the report's)", "speaker": "a speaker held out"}


def classifier_id(model: str, split: str) -> str:
    return f"seed003-{model}-{split}"


def classifier_config(model: str, split: str) -> RunConfig:
    _name, lr, _report_epochs, batch_size, budget, _accuracy, _f1 = CLASSIFIERS[model]
    return RunConfig(model, split=split, lr=lr, batch_size=batch_size, epochs=budget, lr_schedule="plateau")


CLASSIFIER_ROWS = tuple(
    Row(
        classifier_id(model, split),
        "seed 003, Table 7" if split == "random" else "not in seed 003: a speaker held out",
        f"{report_name}, {SPLITS[split]}",
        {"test_accuracy": accuracy, "test_macro_f1": f1} if split == "random" else {},
        classifier_config(model, split),
    )
    for split in SPLITS
    for model, (report_name, _lr, _epochs, _batch, _budget, accuracy, f1) in CLASSIFIERS.items()
)


def _report_value(metric: str):
    return lambda row, result: row.published.get(metric, "-")


def _name(row: Row, result: dict) -> str:
    return CLASSIFIERS[result["config"]["model"]][0]


def _report_epochs(row: Row, result: dict) -> str:
    return str(CLASSIFIERS[result["config"]["model"]][2])


def _epochs_both(row: Row, result: dict) -> str:
    return f"{epochs(row, result)} ({_report_epochs(row, result)})"


def _reads(row: Row, result: dict) -> str:
    return {"imagenet-cnn": "image", "audionet-cnn": "audio", "audionet-lstm": "audio"}.get(
        result["config"]["model"], "image + audio"
    )


def _classifier_table(split: str) -> Table:
    return Table(
        tuple(classifier_id(model, split) for model in CLASSIFIERS),
        (
            ("model", _name),
            ("reads", _reads),
            ("report accuracy", _report_value("test_accuracy")),
            ("kit accuracy", percent("test_accuracy", 2)),
            ("report F1", _report_value("test_macro_f1")),
            ("kit macro-F1", lambda row, result: f"{result['metrics']['test_macro_f1']:.3f}"),
            ("unseen speakers", percent("unseen_accuracy")),
            ("epochs (report's)", _epochs_both),
            ("time", time_taken),
            ("command", command),
        ),
    )


MFCC_ROWS = (
    Row(
        "seed000-mfcc40",
        "seed 000 (82.29 % with an evaluator fine-tuned on 100 hand-labelled drawings)",
        "MFCC-40 VAE: 40 MFCCs averaged over time, MLP encoder",
        {"accuracy": "82.29 % (fine-tuned judge)"},
        RunConfig("mfcc-vae", pairing="resampled", epochs=60),
    ),
)


def _features(row: Row, result: dict) -> str:
    return {"mel48": "48x48 log-mel", "mfcc40mean": "40 MFCCs, time-averaged"}[result["config"]["features"]]


def _unseen(row: Row, result: dict) -> str:
    value = result["metrics"].get("unseen_accuracy")
    return "-" if value is None else f"{100 * value:.1f} %"


ROWS = (*CLASSIFIER_ROWS, *MFCC_ROWS)

TABLES = {
    "seed003-random": _classifier_table("random"),
    "seed003-speaker": _classifier_table("speaker"),
    "seed000": Table(
        ("pairing-resampled", "seed000-mfcc40"),
        (("row", lambda row, result: row.label), ("hears", _features), *JUDGED_COLUMNS[:5],
         ("unseen speakers", _unseen), *JUDGED_COLUMNS[5:]),
    ),
}
