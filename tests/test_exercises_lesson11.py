"""Lesson 11's exercise checks accept the reference solutions and reject typical mistakes with a hint."""

import warnings

import numpy as np
import pytest
import torch
from scipy import linalg
from sklearn.metrics import pairwise_distances

from kit import metrics
from kit.data import load_digit_images
from kit.exercises import lesson11, verdict
from kit.judges import load_judge

KEYS = ("11.frechet", "11.precision_coverage", "11.game_the_metrics")


@pytest.mark.parametrize("key", KEYS)
def test_not_answered_and_nonsense(key):
    assert verdict(key, ...)[0] == "todo"
    for nonsense in (object(), "my_function", None, 3.0):
        status, message = verdict(key, nonsense)
        assert status == "wrong" and "function itself" in message, message


# ---------------------------------------------------------------------------------------------
# Exercise 1: the Fréchet distance


def frechet_numpy(a, b):
    mu_a, mu_b = a.mean(0), b.mean(0)
    cov_a, cov_b = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    root = np.real(linalg.sqrtm(cov_a @ cov_b))
    return ((mu_a - mu_b) ** 2).sum() + np.trace(cov_a + cov_b - 2 * root)


def frechet_torch_biased(a, b):
    """Covariances divided by n (not n - 1), in torch, the root by an eigen-decomposition."""
    a, b = torch.as_tensor(a), torch.as_tensor(b)
    ca, cb = a - a.mean(0), b - b.mean(0)
    cov_a, cov_b = ca.T @ ca / len(a), cb.T @ cb / len(b)
    root_a = linalg.sqrtm(cov_a.numpy())
    inner = np.real(linalg.sqrtm(root_a @ cov_b.numpy() @ root_a))  # Tr sqrt(A B) = Tr sqrt(A^1/2 B A^1/2)
    mean_term = ((a.mean(0) - b.mean(0)) ** 2).sum().item()
    return torch.tensor(mean_term + np.trace(cov_a.numpy() + cov_b.numpy()) - 2 * np.trace(inner))


@pytest.mark.parametrize("answer", [frechet_numpy, metrics.frechet_distance, frechet_torch_biased])
def test_frechet_correct(answer):
    assert verdict("11.frechet", answer)[0] == "correct"


def _pieces(a, b):
    return a.mean(0), b.mean(0), np.cov(a, rowvar=False), np.cov(b, rowvar=False)


def no_mean_term(a, b):
    _, _, sa, sb = _pieces(a, b)
    return np.trace(sa + sb - 2 * np.real(linalg.sqrtm(sa @ sb)))


def no_factor_two(a, b):
    ma, mb, sa, sb = _pieces(a, b)
    return ((ma - mb) ** 2).sum() + np.trace(sa + sb - np.real(linalg.sqrtm(sa @ sb)))


def entrywise_sqrt(a, b):
    ma, mb, sa, sb = _pieces(a, b)
    return ((ma - mb) ** 2).sum() + np.trace(sa + sb - 2 * np.sqrt(np.abs(sa @ sb)))


def entrywise_sqrt_of_each(a, b):
    ma, mb, sa, sb = _pieces(a, b)
    with np.errstate(invalid="ignore"):  # negative covariances: NaN off the diagonal, as a learner's would
        return ((ma - mb) ** 2).sum() + np.trace(sa + sb - 2 * np.sqrt(sa * sb))


def rows_as_variables(a, b):
    ma, mb = a.mean(0), b.mean(0)
    sa, sb = np.cov(a), np.cov(b)  # (n, n): rows taken as the variables
    return ((ma - mb) ** 2).sum() + np.trace(sa + sb - 2 * np.real(linalg.sqrtm(sa @ sb)))


def product_of_roots(a, b):
    ma, mb, sa, sb = _pieces(a, b)
    return ((ma - mb) ** 2).sum() + np.trace(sa + sb - 2 * np.real(linalg.sqrtm(sa) @ linalg.sqrtm(sb)))


@pytest.mark.parametrize("answer, hint", [
    (no_mean_term, "mean term"),
    (no_factor_two, "twice"),
    (entrywise_sqrt, "matrix square root"),
    (entrywise_sqrt_of_each, "matrix square root"),
    (rows_as_variables, "Rows are points"),
    (product_of_roots, "*product*"),
    (lambda a, b: np.sqrt(frechet_numpy(a, b)), "no square root"),
    (lambda a, b: complex(frechet_numpy(a, b), 1e-9), "real part"),
    (lambda a, b: np.nan, "matrix* square root"),
    (lambda a, b: np.sqrt(((a.mean(0) - b.mean(0)) ** 2).sum()) + no_mean_term(a, b), "*squared* distance"),
    (lambda a, b: -frechet_numpy(a, b), "negative"),
    (lambda a, b: 42.0, "not what the formula"),
    (lambda a, b: a, "one number"),
    (lambda a, b: None, "return"),
])
def test_frechet_wrong(answer, hint):
    status, message = verdict("11.frechet", answer)
    assert status == "wrong" and hint in message, message


# ---------------------------------------------------------------------------------------------
# Exercise 2: precision and coverage


def precision_coverage_numpy(real, fake, k):
    radii = np.sort(pairwise_distances(real, real), axis=1)[:, k]  # position 0 is the point itself
    cross = pairwise_distances(real, fake)
    return (cross < radii[:, None]).any(axis=0).mean(), (cross.min(axis=1) < radii).mean()


def precision_coverage_torch(real, fake, k):
    real, fake = torch.as_tensor(real, dtype=torch.float32), torch.as_tensor(fake, dtype=torch.float32)
    radii = torch.cdist(real, real).kthvalue(k + 1, dim=1).values
    cross = torch.cdist(real, fake)
    return {"precision": (cross < radii[:, None]).any(0).float().mean(),
            "coverage": (cross.min(1).values < radii).float().mean()}


def prdc_itself(real, fake, k):
    scores = lesson11.reference_prdc(real, fake, k)
    return scores["precision"], scores["coverage"]


@pytest.mark.parametrize("answer", [precision_coverage_numpy, precision_coverage_torch, prdc_itself])
def test_precision_coverage_correct(answer):
    assert verdict("11.precision_coverage", answer)[0] == "correct"


def _scores(real, fake, k):
    return lesson11.reference_prdc(real, fake, k)


@pytest.mark.parametrize("answer, hint", [
    (lambda r, f, k: lesson11.prdc_with_radius(r, f, k - 1), "position k, not k - 1"),
    (lambda r, f, k: prdc_itself(f, r, k), "belong to the *real* points"),
    (lambda r, f, k: precision_coverage_numpy(r, f, k)[::-1], "swapped"),
    (lambda r, f, k: (_scores(r, f, k)["recall"], _scores(r, f, k)["coverage"]), "that is recall"),
    (lambda r, f, k: (_scores(r, f, k)["precision"], _scores(r, f, k)["recall"]), "that is recall"),
    (lambda r, f, k: (_scores(r, f, k)["density"], _scores(r, f, k)["coverage"]), "that is density"),
    (lambda r, f, k: (_scores(r, f, k)["coverage"],) * 2, "your precision is the coverage"),
    (lambda r, f, k: (_scores(r, f, k)["precision"], 2.0), "between 0 and 1"),
    (lambda r, f, k: (_scores(r, f, k)["precision"], 0.3), "your coverage differs"),
    (lambda r, f, k: (0.5, 0.5), "differ from prdc"),
    (lambda r, f, k: r, "two numbers"),
    (lambda r, f, k: (0.5, 0.5, 0.5), "two numbers"),
    (lambda r, f, k: {"precision": 0.5}, "without 'precision' and 'coverage'"),
    (lambda r, f, k: None, "return"),
    (lambda r, f: (0.5, 0.5), "raised TypeError"),
])
def test_precision_coverage_wrong(answer, hint):
    status, message = verdict("11.precision_coverage", answer)
    assert status == "wrong" and hint in message, message


# ---------------------------------------------------------------------------------------------
# Exercise 3: game the metrics


@pytest.fixture(scope="module")
def training_digits():
    with warnings.catch_warnings():  # without MNIST on disk: the embedded digits, with a warning
        warnings.simplefilter("ignore")
        digits = load_digit_images("train")
    return digits.as_float(), digits.labels


@pytest.fixture(scope="module")
def archetypes(training_digits):
    images, labels = training_digits
    return np.stack([images[labels == d].mean(0) for d in range(10)])


@pytest.fixture(scope="module")
def clearest(training_digits):
    """The training digit of each class LeNet is surest of (among 3,000): the reference cheat."""
    images, labels = training_digits
    some = np.random.default_rng(0).choice(len(labels), 3000, replace=False)
    images, labels = images[some], labels[some]
    probabilities, _ = metrics.lenet_outputs(load_judge("image"), images)
    return np.stack([images[np.argmax(np.where(labels == d, probabilities[:, d], -1))] for d in range(10)])


def test_clearest_training_digits_game_the_metrics(clearest):
    assert verdict("11.game_the_metrics", lambda labels: clearest[labels])[0] == "correct"
    as_tensor = lambda labels: torch.from_numpy(clearest[labels][:, None])  # noqa: E731  (n, 1, 28, 28)
    assert verdict("11.game_the_metrics", as_tensor)[0] == "correct"


def test_archetypes_are_not_real_handwriting(archetypes):
    status, message = verdict("11.game_the_metrics", lambda labels: archetypes[labels])
    assert status == "wrong" and "not digits of the training set" in message, message


def test_honest_and_memorising_generators_are_not_cheats(training_digits):
    images, labels = training_digits
    rng = np.random.default_rng(0)

    def memorise(asked):
        return np.stack([images[rng.choice(np.flatnonzero(labels == d))] for d in asked])

    status, message = verdict("11.game_the_metrics", memorise)
    assert status == "wrong" and "honest generator, or a memorising one" in message, message


def test_cheat_must_be_read_right(training_digits):
    images, labels = training_digits
    first = np.stack([images[np.flatnonzero(labels == d)[0]] for d in range(10)])
    status, message = verdict("11.game_the_metrics", lambda asked: np.repeat(first[:1], len(asked), 0))
    assert status == "wrong" and "at least 98%" in message, message


def test_cheat_must_still_look_real(clearest, monkeypatch):
    monkeypatch.setattr(lesson11, "CHEAT_PRECISION", 1.01)  # nothing reaches it: the precision hint shows
    status, message = verdict("11.game_the_metrics", lambda labels: clearest[labels])
    assert status == "wrong" and "outside the real digits' neighbourhoods" in message, message


@pytest.mark.parametrize("make, hint", [
    (lambda clear: (lambda labels: np.random.default_rng(0).random((len(labels), 28, 28))), "not digits of"),
    (lambda clear: (lambda labels: labels), "expected (500, 28, 28)"),
    (lambda clear: (lambda labels: 255 * clear[labels]), "[0, 1]"),
    (lambda clear: (lambda labels: None), "return"),
    (lambda clear: (lambda labels: clear[labels + 10]), "raised IndexError"),
    (lambda clear: (lambda labels: "images"), "array of images"),
])
def test_cheat_wrong(clearest, make, hint):
    status, message = verdict("11.game_the_metrics", make(clearest))
    assert status == "wrong" and hint in message, message
