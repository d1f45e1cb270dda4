"""Lesson 04's exercise checks accept the worked solutions and reject typical mistakes with a hint."""

import numpy as np
import pytest
import torch
from sklearn.metrics import accuracy_score, f1_score

from kit.exercises import verdict
from kit.exercises.lesson04 import CONFUSION
from kit.models import LeNet5

KEYS = ("04.lenet_sides", "04.accuracy_f1", "04.frechet")


@pytest.mark.parametrize("key", KEYS)
def test_not_answered_and_nonsense(key):
    assert verdict(key, ...)[0] == "todo"
    for nonsense in (object(), "not a number", None, 3.5):
        assert verdict(key, nonsense)[0] == "wrong"


def test_lenet_sides_matches_the_real_layers():
    x, sides = torch.zeros(1, 1, 48, 48), []
    for layer in LeNet5().features[:8]:  # conv1 .. relu3, before Flatten
        x = layer(x)
        if isinstance(layer, torch.nn.Conv2d | torch.nn.MaxPool2d):
            sides.append(x.shape[-1])
    assert verdict("04.lenet_sides", sides)[0] == "correct"
    assert verdict("04.lenet_sides", np.array(sides))[0] == "correct"
    assert verdict("04.lenet_sides", tuple(sides))[0] == "correct"


@pytest.mark.parametrize("answer, hint", [
    ([28, 14, 10, 5, 1], "32x32"),
    ([48, 24, 20, 10, 6], "without any padding"),
    ([48, 24, 24, 12, 12], "cannot keep the size"),
    ([43, 21, 16, 8, 3], "off by one"),
    ([44, 22, 18, 9, 4], "after conv3"),
    ([44, 22, 18, 9], "5 numbers"),
    ([44, 22, "18", 9, 5], "should be a number"),
])
def test_lenet_sides_wrong(answer, hint):
    status, message = verdict("04.lenet_sides", answer)
    assert status == "wrong" and hint in message, message


def _labels_from_confusion(matrix):
    true, predicted = [], []
    for (row, column), count in np.ndenumerate(matrix):
        true += [row] * count
        predicted += [column] * count
    return np.array(true), np.array(predicted)


def test_accuracy_f1_agrees_with_sklearn():
    true, predicted = _labels_from_confusion(CONFUSION)
    answer = (accuracy_score(true, predicted), f1_score(true, predicted, average="macro"))
    assert verdict("04.accuracy_f1", answer)[0] == "correct"
    assert verdict("04.accuracy_f1", np.round(answer, 3))[0] == "correct"


@pytest.mark.parametrize("average, hint", [
    ("micro", "micro-F1"), ("weighted", "weighted"),
])
def test_accuracy_f1_wrong_averages(average, hint):
    true, predicted = _labels_from_confusion(CONFUSION)
    answer = (accuracy_score(true, predicted), f1_score(true, predicted, average=average))
    status, message = verdict("04.accuracy_f1", answer)
    assert status == "wrong" and hint in message, message


@pytest.mark.parametrize("answer, hint", [
    ((85.0, 77.35), "percentages"),
    ((0.76, 0.7735), "balanced"),
    ((0.85, 0.8), "is off"),
    ((0.7, 0.7735), "accuracy 0.7000 is off"),
    ((0.85,), "2 numbers"),
])
def test_accuracy_f1_wrong(answer, hint):
    status, message = verdict("04.accuracy_f1", answer)
    assert status == "wrong" and hint in message, message


def by_hand_frechet(a, b):
    from scipy import linalg

    cov_a, cov_b = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    root = np.real(linalg.sqrtm(cov_a @ cov_b))
    return ((a.mean(0) - b.mean(0)) ** 2).sum() + np.trace(cov_a + cov_b - 2 * root)


def test_frechet_passes_for_the_kit_and_the_worked_solution():
    from kit.metrics import frechet_distance

    assert verdict("04.frechet", by_hand_frechet)[0] == "correct"
    assert verdict("04.frechet", frechet_distance)[0] == "correct"


@pytest.mark.parametrize("answer, hint", [
    (lambda a, b: 42.0, "distance 0 from itself"),                                  # a constant
    (lambda a, b: a, "one number"),                                                  # a copy of the input
    (lambda a, b: None, "returned None"),
    (lambda a, b: ((a.mean(0) - b.mean(0)) ** 2).sum(), "distance of the means"),
    (lambda a, b: by_hand_frechet(a, b) - ((a.mean(0) - b.mean(0)) ** 2).sum(), "covariance part"),
    (lambda a, b: np.trace(np.cov(a, rowvar=False) + np.cov(b, rowvar=False)
                           - 2 * np.sqrt(np.abs(np.cov(a, rowvar=False) @ np.cov(b, rowvar=False))))
     + ((a.mean(0) - b.mean(0)) ** 2).sum(), "*matrix* square root"),
    (lambda a, b: np.abs(a.mean() - b.mean()), "not the Fréchet distance"),
    ("frechet", "function itself"),
])
def test_frechet_slips(answer, hint):
    status, message = verdict("04.frechet", answer)
    assert status == "wrong" and hint in message, message


def test_diversity_moves_as_lesson_4_says():
    """Blur, noise, copies and shuffled labels move the diversity as lesson 4 says (embedded digits)."""
    from scipy import ndimage

    from kit import evaluator, metrics
    from kit.data import load_embedded_mnist

    lenet = evaluator.load_lenet()
    test, train = load_embedded_mnist("test"), load_embedded_mnist("train")
    x, y = test.as_float(), test.labels
    xt, yt = train.as_float(), train.labels
    rng = np.random.default_rng(0)
    half = rng.permutation(len(y))
    g, r = half[: len(y) // 2], half[len(y) // 2:]

    def diversity(images, labels):
        return metrics.evaluate_images(images, labels, lenet, x[r], y[r])["diversity"]

    real = diversity(x[g], y[g])
    archetypes = np.stack([xt[yt == d].mean(0) for d in range(10)])[y[g]]
    assert diversity(ndimage.gaussian_filter(x[g], (0, 2, 2)), y[g]) < real - 0.3
    assert diversity(archetypes, y[g]) < 1e-3
    noisy = np.clip(archetypes + 0.1 * rng.standard_normal(archetypes.shape), 0, 1).astype(np.float32)
    assert diversity(noisy, y[g]) > 0.05
    copies = np.stack([xt[rng.choice(np.flatnonzero(yt == d))] for d in y[g]])
    assert abs(diversity(copies, y[g]) - real) < 0.1
    assert diversity(x[g], rng.permutation(y[g])) > real + 0.5
