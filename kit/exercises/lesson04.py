"""Checks for the exercises of lesson 04 (the evaluator: LeNet-5 and classifier-based evaluation)."""

from __future__ import annotations

import math

import numpy as np

from . import exercise


def _numbers(answer, count: int, what: str) -> list[float]:
    """``answer`` as ``count`` finite floats, or an AssertionError that says what was expected."""
    if isinstance(answer, str | bytes | dict) or not hasattr(answer, "__len__"):
        raise AssertionError(f"the answer should be a list of {count} numbers ({what}), "
                             f"not {type(answer).__name__}.")
    values = list(np.asarray(answer, dtype=object).ravel())
    if len(values) != count:
        raise AssertionError(f"the answer should hold {count} numbers ({what}); yours holds {len(values)}.")
    numbers = []
    for value in values:
        if isinstance(value, bool | str | bytes):
            raise AssertionError(f"every entry should be a number ({what}), not {type(value).__name__}.")
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise AssertionError(f"every entry should be a number ({what}), "
                                 f"not {type(value).__name__}.") from None
        if not math.isfinite(number):
            raise AssertionError(f"{number} is not a finite number.")
        numbers.append(number)
    return numbers


# ---------------------------------------------------------------------------------------------
# Exercise 1: side lengths through LeNet-5 for a 48x48 input (the size of the paper's mel images)

LAYERS = ("conv1 (5x5)", "pool1 (2x2)", "conv2 (5x5)", "pool2 (2x2)", "conv3 (5x5)")


def lenet_sides(side: int) -> list[int]:
    """Side length after conv1, pool1, conv2, pool2, conv3 of LeNet-5 for a square ``side`` input."""
    sides = []
    for layer in LAYERS:
        side = side - 4 if layer.startswith("conv") else side // 2
        sides.append(side)
    return sides


@exercise("04.lenet_sides")
def lenet_sides_48(answer) -> None:
    """Five side lengths for a 48x48 input: [44, 22, 18, 9, 5]."""
    got = _numbers(answer, 5, "the side length after conv1, pool1, conv2, pool2, conv3")
    expected = lenet_sides(48)
    if got == expected:
        return
    if got == lenet_sides(32):
        raise AssertionError("those are the sizes for LeNet's usual 32x32 input; redo them for 48x48.")
    if got == lenet_sides(52):
        raise AssertionError("start from 48x48 as it is: this exercise feeds the image without any padding.")
    if got[0] == 48:
        raise AssertionError("a 5x5 convolution without padding (stride 1) cannot keep the size: "
                             "it fits 48 - 5 + 1 = 44 positions in each direction.")
    if got[0] in (43, 45):
        raise AssertionError(f"conv1: {got[0]} is off by one. A 5x5 kernel fits n - 5 + 1 = n - 4 times "
                             "along a side of n pixels.")
    for position, (mine, right) in enumerate(zip(got, expected, strict=True)):
        if mine != right:
            raise AssertionError(
                f"the first wrong number is after {LAYERS[position]}: you have {mine:g}. "
                "A 5x5 convolution (stride 1, no padding) gives n - 4; a 2x2 max-pool with stride 2 "
                "gives floor(n / 2).")


# ---------------------------------------------------------------------------------------------
# Exercise 2: accuracy and macro-F1 from a small confusion matrix

CONFUSION = np.array([[48, 1, 1],      # true 0
                      [2, 46, 2],      # true 1
                      [0, 12, 8]])     # true 7: the generator often draws its 7s as 1s


def confusion_scores(matrix: np.ndarray) -> dict[str, float]:
    """Accuracy, macro-/weighted-F1 and macro precision/recall of a confusion matrix (rows: true)."""
    matrix = np.asarray(matrix, dtype=float)
    correct = np.diag(matrix)
    support, predicted = matrix.sum(1), matrix.sum(0)
    precision, recall = correct / predicted, correct / support
    f1 = 2 * correct / (support + predicted)
    return {"accuracy": correct.sum() / matrix.sum(), "macro_f1": f1.mean(),
            "weighted_f1": (f1 * support).sum() / support.sum(), "precision": precision.mean(),
            "recall": recall.mean()}


@exercise("04.accuracy_f1")
def accuracy_f1(answer) -> None:
    """``(accuracy, macro_f1)`` of :data:`CONFUSION`: (0.85, 0.7735)."""
    accuracy, f1 = _numbers(answer, 2, "accuracy and macro-F1, as fractions")
    scores = confusion_scores(CONFUSION)
    if accuracy > 1.5 or f1 > 1.5:
        raise AssertionError("give both as fractions between 0 and 1, not percentages.")
    tolerance = 0.002
    if abs(accuracy - scores["accuracy"]) > tolerance:
        if abs(accuracy - scores["recall"]) <= tolerance:
            raise AssertionError("your first number is the mean of the per-class recalls (balanced "
                                 "accuracy). Accuracy is the diagonal's sum over the total count.")
        raise AssertionError(f"accuracy {accuracy:.4f} is off: add the diagonal (the correct answers) "
                             "and divide by the number of all images in the matrix.")
    if abs(f1 - scores["macro_f1"]) <= tolerance:
        return
    if abs(f1 - scores["accuracy"]) <= tolerance:
        raise AssertionError("F1 equal to the accuracy is micro-F1 (pooled over all images). Macro-F1 "
                             "computes one F1 per digit and averages them, each digit weighing the same.")
    if abs(f1 - scores["weighted_f1"]) <= tolerance:
        raise AssertionError("that is the F1 weighted by each digit's count. Macro-F1 is the plain "
                             "mean of the three per-digit F1 scores: the rare digit 7 counts fully.")
    if abs(f1 - scores["precision"]) <= tolerance or abs(f1 - scores["recall"]) <= tolerance:
        raise AssertionError("that is the mean precision or the mean recall. Per digit, "
                             "F1 = 2 P R / (P + R); then average the three F1 values.")
    raise AssertionError(f"macro-F1 {f1:.4f} is off. Per digit k: precision = M[k,k] / column sum, "
                         "recall = M[k,k] / row sum, F1 = 2 P R / (P + R); then average over the digits.")


# ---------------------------------------------------------------------------------------------
# Exercise 3: does diversity go up, down or stay the same?

DIVERSITY_CHANGES = {
    "blur": ("down", "blurring makes every drawing of a digit more like the others: the fine, personal "
                     "details that separate two handwritten 3s are washed out, so their LeNet features "
                     "move closer together."),
    "noise": ("up", "the archetype generator draws identical images, so its diversity is exactly 0. "
                    "Independent noise makes every copy a little different: the spread can only grow "
                    "(even though this is not the kind of variety handwriting has)."),
    "copies": ("same", "random real training digits of the right class vary exactly as much as real "
                       "handwriting does, so the ratio stays near 1. (A copying generator scores "
                       "perfectly here, a limit of these measures.)"),
    "shuffle": ("up", "diversity is measured within each *label*. With shuffled labels the images "
                      "filed under '3' are all kinds of digits, far more spread out than real 3s: "
                      "diversity rises above 1 while accuracy falls to chance."),
}
WORDS = {"up": "up", "higher": "up", "increase": "up", "increases": "up", "more": "up",
         "down": "down", "lower": "down", "decrease": "down", "decreases": "down", "less": "down",
         "same": "same", "unchanged": "same", "equal": "same"}


@exercise("04.diversity_direction")
def diversity_direction(answer) -> None:
    """A dict: for each change in :data:`DIVERSITY_CHANGES`, "up", "down" or "same"."""
    if not isinstance(answer, dict):
        raise AssertionError('the answer should be a dict like {"blur": "down", "noise": ..., '
                             '"copies": ..., "shuffle": ...}.')
    missing = [key for key in DIVERSITY_CHANGES if key not in answer]
    if missing:
        raise AssertionError(f"the dict needs an entry for each change; missing: {', '.join(missing)}.")
    wrong = []
    for key, (expected, why) in DIVERSITY_CHANGES.items():
        word = answer[key]
        if not isinstance(word, str) or word.strip().lower() not in WORDS:
            raise AssertionError(f'answer[{key!r}] should be one of "up", "down" or "same", not {word!r}.')
        if WORDS[word.strip().lower()] != expected:
            wrong.append(f"{key}: {why}")
    if wrong:
        raise AssertionError(f"{len(wrong)} of 4 not yet right. " + " ".join(wrong[:1])
                             + (" (Try the others with metrics.evaluate_images.)" if len(wrong) > 1 else ""))
