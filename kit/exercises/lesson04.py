"""Checks for the exercises of lesson 04 (the evaluator): LeNet's sides, accuracy and F1, Fréchet distance.

``my_frechet`` is compared with :func:`kit.metrics.frechet_distance` on
feature clouds the learner never sees; typical slips (the means only, an
element-wise root, the factor 2, the product of roots) get a hint of their
own, and no hint prints the answer.
"""

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
# Exercise 3: the Fréchet distance between two clouds of features

def hidden_clouds(seed: int, n: int = 300, dims: int = 6) -> tuple[np.ndarray, np.ndarray]:
    """Two correlated Gaussian clouds of features with different means and covariances."""
    rng = np.random.default_rng(seed)
    mix_a, mix_b = rng.normal(size=(dims, dims)), rng.normal(size=(dims, dims)) * 0.7
    a = rng.normal(size=(n, dims)) @ mix_a + rng.normal(size=dims)
    b = rng.normal(size=(n + 37, dims)) @ mix_b + rng.normal(size=dims)
    return a, b


def _frechet_slips(a: np.ndarray, b: np.ndarray) -> list[tuple[float, str]]:
    from scipy import linalg

    mu_a, mu_b = a.mean(0), b.mean(0)
    cov_a, cov_b = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    means = float(((mu_a - mu_b) ** 2).sum())
    root = np.real(linalg.sqrtm(cov_a @ cov_b))
    roots = np.real(linalg.sqrtm(cov_a)) @ np.real(linalg.sqrtm(cov_b))
    return [
        (means, "that is only the distance of the means; the clouds' shapes (covariances) count too."),
        (float(np.trace(cov_a + cov_b - 2 * root)), "that is only the covariance part; add the squared "
                                                     "distance of the means."),
        (float(np.sqrt(means)) + float(np.trace(cov_a + cov_b - 2 * root)),
         "the distance of the means enters *squared*."),
        (means + float(np.trace(cov_a + cov_b - 2 * np.sqrt(np.abs(cov_a @ cov_b)))),
         "np.sqrt takes the root of every entry; the formula needs the *matrix* square root, "
         "scipy.linalg.sqrtm."),
        (means + float(np.trace(cov_a + cov_b - root)), "mind the factor 2 in front of the matrix root."),
        (means + float(np.trace(cov_a + cov_b - 2 * roots)),
         "the root is of the *product* of the two covariances, not the product of their roots (the two "
         "differ unless the matrices commute)."),
    ]


@exercise("04.frechet")
def frechet(answer) -> None:
    """``my_frechet(features_a, features_b)`` -> the Fréchet distance, as ``kit.metrics.frechet_distance``."""
    from ..metrics import frechet_distance

    if not callable(answer):
        raise AssertionError("the answer should be your function itself: answer = my_frechet (no brackets).")
    for seed in (4, 5):
        a, b = hidden_clouds(seed)
        got = answer(a.copy(), b.copy())
        if got is None:
            raise AssertionError("my_frechet returned None: does your function `return` the distance?")
        if np.ndim(got) != 0:
            raise AssertionError(f"return one number, the distance between the two clouds; yours has shape "
                                 f"{np.shape(got)}.")
        got = float(np.real(got))
        expected = frechet_distance(a, b)
        if math.isclose(got, expected, rel_tol=1e-3):
            continue
        for slip, hint in _frechet_slips(a, b):
            if math.isclose(got, slip, rel_tol=1e-3):
                raise AssertionError(hint)
        same = answer(a.copy(), a.copy())
        if same is not None and np.ndim(same) == 0 and abs(float(np.real(same))) > 1e-3 * abs(expected):
            raise AssertionError("a cloud should be at distance 0 from itself; yours is not. Compare each "
                                 "term of your formula with the one in section 4.")
        raise AssertionError(f"not the Fréchet distance of two of the check's clouds yet (yours {got:.2f}). "
                             "Per cloud: the mean over the rows and the covariance of the columns "
                             "(np.cov(..., rowvar=False)); then the formula of section 4.")
