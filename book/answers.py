"""Reference answers to the lessons' exercises, for the website only.

The site shows each exercise as the learner sees it (the empty answer cell), followed by what the check
cell prints for a right answer: book/build.py sets ``answer = reference(key)`` in a hidden cell of
the staged copy, just before the check. The lesson files never hold an answer.

The answers are the ones the exercise tests prove right (``tests/test_exercises_lessonNN.py``:
"the worked solution passes"), imported from there so that one copy exists; a number or a short
expression is written here. ``tests/test_book.py`` checks that every registered exercise has one
and that each passes its check.
"""

from __future__ import annotations

import importlib
import math
import warnings
from collections.abc import Callable
from typing import Any


def solution(lesson: str, name: str) -> Callable[[], Any]:
    """The worked solution ``name`` of ``tests/test_exercises_lesson<lesson>.py``."""
    return lambda: getattr(importlib.import_module(f"tests.test_exercises_lesson{lesson}"), name)


def lenet_sides() -> list[int]:
    """The side of the 48x48 input after conv1, pool1, conv2, pool2 and conv3 of the kit's LeNet-5."""
    import torch

    from kit.models import LeNet5

    x, sides = torch.zeros(1, 1, 48, 48), []
    for layer in LeNet5().features[:8]:
        x = layer(x)
        if isinstance(layer, torch.nn.Conv2d | torch.nn.MaxPool2d):
            sides.append(int(x.shape[-1]))
    return sides


def accuracy_and_macro_f1() -> tuple[float, float]:
    """Accuracy and macro-F1 of the lesson's 3x3 confusion matrix (sklearn on the expanded labels)."""
    import numpy as np
    from sklearn.metrics import accuracy_score, f1_score

    from kit.exercises.lesson04 import CONFUSION

    true = np.repeat(np.arange(3), CONFUSION.sum(1))
    predicted = np.concatenate([np.repeat(np.arange(3), row) for row in CONFUSION])
    return accuracy_score(true, predicted), f1_score(true, predicted, average="macro")


def clearest_training_digits() -> Callable:
    """The cheat: for each digit asked for, the training digit LeNet is surest of (among 3,000)."""
    import numpy as np

    from kit import metrics
    from kit.data import load_digit_images
    from kit.judges import load_judge

    with warnings.catch_warnings():  # without MNIST on disk: the embedded digits, with a warning
        warnings.simplefilter("ignore")
        digits = load_digit_images("train")
    images, labels = digits.as_float(), digits.labels
    some = np.random.default_rng(0).choice(len(labels), 3000, replace=False)
    images, labels = images[some], labels[some]
    probabilities, _ = metrics.lenet_outputs(load_judge("image"), images)
    surest = [np.argmax(np.where(labels == digit, probabilities[:, digit], -1)) for digit in range(10)]
    clearest = images[surest]
    return lambda asked: clearest[asked]


#: exercise key -> a function that returns the reference answer (imports happen only when asked).
ANSWERS: dict[str, Callable[[], Any]] = {
    "01.peak_dbfs": lambda: 20 * math.log10(0.25),
    "01.alias": lambda: lambda f, fs: abs(f - fs * round(f / fs)),
    "01.speaker_split": lambda: 2000,
    "02.frames": lambda: (51, 257),
    "02.my_stft": solution("02", "_my_stft"),
    "02.griffin_lim": solution("02", "by_hand_griffin_lim"),
    "03.mel_of_2000hz": lambda: float(importlib.import_module("librosa").hz_to_mel(2000)),
    "03.mel_filterbank": solution("03", "by_hand_filterbank"),
    "04.lenet_sides": lenet_sides,
    "04.accuracy_f1": accuracy_and_macro_f1,
    "04.frechet": solution("04", "by_hand_frechet"),
    "05.bce_sum": solution("05", "right_bce"),
    "05.training_step": solution("05", "by_hand_step"),
    "05.pca_reconstruct": solution("05", "right_pca"),
    "06.kl_between_gaussians": solution("06", "right_kl"),
    "06.reparametrize": solution("06", "right_reparametrize"),
    "07.many_to_one": solution("07", "by_hand_many_to_one"),
    "07.one_to_one": solution("07", "by_hand_one_to_one"),
    "08.kl_warmup": solution("08", "by_hand_kl_weight"),
    "08.active_dimensions": solution("08", "by_hand_active"),
    "08.noise_at_snr": solution("08", "by_hand_mix"),
    "09.discriminator_loss": solution("09", "my_discriminator_loss"),
    "09.generator_loss": solution("09", "my_generator_loss"),
    "09.training_step": solution("09", "my_training_step"),
    "10.generator_loss": solution("10", "my_generator_loss"),
    "10.kl_weight": solution("10", "relative_kl_weight"),
    "10.pick_alpha": solution("10", "pick_alpha"),
    "11.frechet": solution("11", "frechet_numpy"),
    "11.precision_coverage": solution("11", "precision_coverage_numpy"),
    "11.game_the_metrics": clearest_training_digits,
    "12.standardise": solution("12", "my_standardise"),
    "12.lstm_forward": solution("12", "my_lstm_forward"),
    "12.training_step": solution("12", "my_training_step"),
    "13.fusion": solution("13", "my_fusion"),
    "13.rescued": solution("13", "my_rescued"),
    "14.time_average": solution("14", "my_time_average"),
    "14.negative_elbo": solution("14", "my_negative_elbo"),
    "14.reverberate": solution("14", "my_reverberate"),
    "15.info_nce": solution("15", "my_info_nce"),
    "15.recall_at_k": solution("15", "my_recall_at_k"),
    "16.denormalise": solution("16", "my_denormalise"),
    "16.griffin_lim": solution("16", "my_to_sound"),
    "17.reconstruction": solution("17", "by_hand_reconstruction"),
    "17.negative_elbo": solution("17", "by_hand_negative_elbo"),
    "17.archetypes": solution("17", "by_hand_archetypes"),
}


def reference(key: str) -> Any:
    """The reference answer to exercise ``key``."""
    if key not in ANSWERS:
        raise KeyError(f"no reference answer for exercise {key!r} in book/answers.py")
    return ANSWERS[key]()
