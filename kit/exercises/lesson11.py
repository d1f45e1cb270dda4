"""Lesson 11's exercise checks: evaluating generators (Fréchet distance, precision and coverage, gaming).

The first two are builds checked against the kit on point clouds the learner
does not see: ``my_frechet_distance`` against :func:`kit.metrics.frechet_distance`
and ``my_precision_and_coverage`` against ``prdc.compute_prdc`` (the package the
kit's :func:`kit.metrics.precision_recall_density_coverage` calls). The third is
checked by the metrics themselves: a generator made of real training digits
that LeNet reads right and whose drawings look real, while it draws only a
handful of kinds of each digit.
"""

from __future__ import annotations

import contextlib
import io
import math

import numpy as np
import torch
from prdc import compute_prdc
from scipy import linalg

from . import as_function as _function
from . import exercise

# ---------------------------------------------------------------------------------------------
# Exercise 1: the Fréchet distance


def gaussian_cloud(n: int, dim: int, shift: float, seed: int) -> np.ndarray:
    """``n`` points of a correlated Gaussian in ``dim`` dimensions, its mean moved by ``shift``."""
    rng = np.random.default_rng(seed)
    mixing = rng.normal(size=(dim, dim)) * rng.uniform(0.3, 2.0, size=dim)  # unequal, correlated spreads
    return (rng.normal(size=(n, dim)) @ mixing + shift * rng.normal(size=dim)).astype(np.float64)


#: The hidden clouds (points a, points b), of different sizes on purpose: rows are points.
FRECHET_CASES = (
    (gaussian_cloud(400, 5, 0.0, 1), gaussian_cloud(300, 5, 1.5, 2)),
    (gaussian_cloud(250, 8, 1.0, 3), gaussian_cloud(350, 8, 0.0, 4)),
)


def _frechet_parts(a: np.ndarray, b: np.ndarray) -> dict[str, float]:
    """The right value and what typical slips give instead, for the hints."""
    mu_a, mu_b = a.mean(0), b.mean(0)
    cov_a, cov_b = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    mean_term = float(((mu_a - mu_b) ** 2).sum())
    root = np.real(linalg.sqrtm(cov_a @ cov_b))
    trace_term = float(np.trace(cov_a + cov_b - 2 * root))
    both = float(np.trace(cov_a + cov_b))
    roots = np.real(linalg.sqrtm(cov_a)) @ np.real(linalg.sqrtm(cov_b))
    diagonal_roots = float(np.sqrt(np.abs(np.diag(cov_a @ cov_b))).sum())
    return {
        "right": mean_term + trace_term,
        "no mean term": trace_term,
        "no 2x": mean_term + both - float(np.trace(root)),
        "entrywise sqrt of the product": mean_term + both - 2 * diagonal_roots,
        "entrywise sqrt": mean_term + both - 2 * float(np.sqrt(np.abs(cov_a * cov_b)).trace()),
        "product of roots": mean_term + both - 2 * float(np.trace(roots)),
        "square root taken": math.sqrt(max(mean_term + trace_term, 0.0)),
        "mean distance not squared": math.sqrt(mean_term) + trace_term,
    }


def _one_number(value, what: str) -> float:
    if value is None:
        raise AssertionError(f"{what} returned None: does your function `return` its result?")
    if torch.is_tensor(value):
        value = value.detach().cpu().numpy()
    array = np.asarray(value)
    if array.dtype == object or array.size != 1:
        raise AssertionError(f"{what} should return one number; it returned "
                             f"{type(value).__name__} of shape {array.shape}.")
    if np.iscomplexobj(array):
        raise AssertionError(f"{what} returned a complex number ({complex(array.item()):.4g}): the matrix "
                             "square root of a product of covariances may come back with tiny imaginary "
                             "parts; keep only the real part (np.real).")
    number = float(array.item())
    if not math.isfinite(number):
        raise AssertionError(f"{what} returned {number}. NaN often means a square root of negative numbers: "
                             "np.sqrt works entry by entry, but the formula needs the *matrix* square root.")
    return number


@exercise("11.frechet")
def frechet(answer) -> None:
    """``my_frechet_distance(a, b)`` equals ``kit.metrics.frechet_distance`` on hidden Gaussian clouds."""
    function = _function(answer, "my_frechet_distance")
    for a, b in FRECHET_CASES:
        what = f"my_frechet_distance on clouds of {len(a)} and {len(b)} points with {a.shape[1]} features"
        try:
            got = function(a.copy(), b.copy())
        except Exception as error:  # the typical cause: covariances or means over the wrong axis
            raise AssertionError(
                f"{what} raised {type(error).__name__}: {error}. Rows are points and columns are "
                "features: the mean is over axis 0 and the covariance is d x d (np.cov(x, rowvar=False), "
                "or x_centred.T @ x_centred / (n - 1)).") from None
        value = _one_number(got, what)
        parts = _frechet_parts(a, b)

        def near(name: str, parts: dict = parts, value: float = value) -> bool:
            return math.isclose(value, parts[name], rel_tol=1e-2)  # 1/n or 1/(n-1): both fine

        if near("right"):
            continue
        if near("no mean term"):
            raise AssertionError("your value misses the mean term: two clouds of the same shape in different "
                                 "places must be far apart. Add |mu_a - mu_b|^2.")
        if near("no 2x"):
            raise AssertionError("the cross term counts twice: Tr(S_a + S_b - 2 (S_a S_b)^(1/2)). (In one "
                                 "dimension it is s_a^2 + s_b^2 - 2 s_a s_b = (s_a - s_b)^2.)")
        if near("entrywise sqrt of the product") or near("entrywise sqrt"):
            raise AssertionError("np.sqrt takes the square root of each entry (which amounts to comparing "
                                 "the features one by one and ignoring their correlations); the formula "
                                 "needs the matrix square root: a matrix R with R @ R = S_a @ S_b "
                                 "(scipy.linalg.sqrtm).")
        if near("product of roots"):
            raise AssertionError("(S_a S_b)^(1/2) is the square root of the *product*, which is not the "
                                 "product of the two square roots (the matrices do not commute).")
        if near("square root taken"):
            raise AssertionError("no square root at the end: the Fréchet distance of FID is the *squared* "
                                 "distance between the two Gaussians.")
        if near("mean distance not squared"):
            raise AssertionError("the mean term is the *squared* distance between the means: "
                                 "|mu_a - mu_b|^2.")
        if value < -1e-6:
            raise AssertionError(f"{value:.3f} is negative; a (squared) distance never is.")
        raise AssertionError(f"for one hidden pair of clouds your value is {value:.3f}, not what the formula "
                             "gives. Check the two terms apart: |mu_a - mu_b|^2 (means over the points), "
                             "then Tr(S_a + S_b - 2 (S_a S_b)^(1/2)) with d x d covariances.")


# ---------------------------------------------------------------------------------------------
# Exercise 2: precision and coverage with k-nearest-neighbour balls

#: The hidden point sets (real, fake, k): the fakes are moved, squeezed or spread relative to the reals.
PRDC_CASES = (
    (gaussian_cloud(300, 4, 0.0, 11), 0.5 * gaussian_cloud(250, 4, 0.0, 11) + 0.8, 5),
    (gaussian_cloud(200, 3, 0.0, 12), 1.8 * gaussian_cloud(300, 3, 0.5, 13), 3),
)


def reference_prdc(real: np.ndarray, fake: np.ndarray, k: int) -> dict[str, float]:
    """``prdc.compute_prdc`` without its print."""
    with contextlib.redirect_stdout(io.StringIO()):
        scores = compute_prdc(real_features=real, fake_features=fake, nearest_k=k)
    return {key: float(value) for key, value in scores.items()}


def prdc_with_radius(real: np.ndarray, fake: np.ndarray, position: int) -> tuple[float, float]:
    """Precision and coverage when each real ball's radius is its ``position``-th smallest distance.

    Position 0 is the point itself (distance 0), so ``position = k`` is prdc's
    k-th nearest *other* real point; ``k - 1`` is the classic off-by-one.
    """
    within = np.linalg.norm(real[:, None] - real[None], axis=2)
    radii = np.sort(within, axis=1)[:, position]
    cross = np.linalg.norm(real[:, None] - fake[None], axis=2)  # (real, fake)
    return float((cross < radii[:, None]).any(0).mean()), float((cross.min(1) < radii).mean())


def _as_float(value) -> float:
    return float(np.asarray(value.detach().cpu() if torch.is_tensor(value) else value))


def _two_numbers(value, what: str) -> tuple[float, float]:
    if value is None:
        raise AssertionError(f"{what} returned None: does your function `return precision, coverage`?")
    if isinstance(value, dict):
        if not {"precision", "coverage"} <= set(value):
            raise AssertionError(f"{what} returned a dict without 'precision' and 'coverage'; return the "
                                 "two numbers: return precision, coverage.")
        value = (value["precision"], value["coverage"])
    if torch.is_tensor(value):
        value = value.detach().cpu().numpy()
    try:
        numbers = [_as_float(v) for v in value]
    except (TypeError, ValueError):
        raise AssertionError(f"{what} should return two numbers, precision and coverage "
                             f"(return precision, coverage); it returned {type(value).__name__}.") from None
    if len(numbers) != 2:
        raise AssertionError(f"{what} should return two numbers, precision and coverage; it returned "
                             f"{len(numbers)}.")
    return numbers[0], numbers[1]


@exercise("11.precision_coverage")
def precision_coverage(answer) -> None:
    """``my_precision_and_coverage(real, fake, k)`` -> ``(precision, coverage)`` equal to prdc's."""
    function = _function(answer, "my_precision_and_coverage")
    for real, fake, k in PRDC_CASES:
        what = f"my_precision_and_coverage on {len(real)} real and {len(fake)} fake points, k = {k}"
        try:
            got = function(real.copy(), fake.copy(), k)
        except Exception as error:
            raise AssertionError(f"{what} raised {type(error).__name__}: {error}. Rows are points; the real "
                                 "and fake sets may have different sizes.") from None
        precision, coverage = _two_numbers(got, what)
        expected = reference_prdc(real, fake, k)
        # One point either way is allowed: float32 arithmetic may move a point across a ball's edge.
        slack = 1.01 / min(len(real), len(fake))

        def close(x: float, y: float, slack: float = slack) -> bool:
            return abs(x - y) <= slack

        if close(precision, expected["precision"]) and close(coverage, expected["coverage"]):
            continue
        if close(precision, expected["coverage"]) and close(coverage, expected["precision"]):
            raise AssertionError("the two numbers come back swapped: return precision first, then coverage.")
        own = prdc_with_radius(real, fake, k - 1)
        if close(precision, own[0]) or close(coverage, own[1]):
            raise AssertionError("each ball's radius is the distance to the k-th nearest *other* real point. "
                                 "Sorting a point's distances puts the point itself first (distance 0), so "
                                 "the k-th neighbour is at position k, not k - 1.")
        swapped = reference_prdc(fake, real, k)  # its precision is the recall of (real, fake)
        if (close(precision, swapped["precision"]) or close(coverage, swapped["coverage"])
                or close(coverage, expected["recall"])):
            raise AssertionError("you measured the other direction (real points inside balls around the "
                                 "fakes: that is recall). The balls belong to the *real* points (radius: the "
                                 "distance to the k-th nearest real neighbour); precision is the share of "
                                 "*fake* points inside at least one of them.")
        if close(precision, expected["density"]):
            raise AssertionError("that is density (how many real balls hold each fake, / k); precision only "
                                 "asks whether a fake point is inside *at least one* real ball.")
        if close(precision, expected["coverage"]):
            raise AssertionError("your precision is the coverage: precision averages over the *fake* points "
                                 "(is this fake inside some real ball?), coverage over the *real* points "
                                 "(does this real ball hold some fake?).")
        if not (0 <= precision <= 1 and 0 <= coverage <= 1):
            raise AssertionError(f"precision {precision:.3f} and coverage {coverage:.3f}: both are shares, "
                                 "between 0 and 1.")
        wrong = [name for name, ok in (("precision", close(precision, expected["precision"])),
                                       ("coverage", close(coverage, expected["coverage"]))) if not ok]
        raise AssertionError(f"on one hidden pair of point sets your {' and '.join(wrong)} "
                             f"{'differs' if len(wrong) == 1 else 'differ'} from prdc's (yours: "
                             f"{precision:.3f}, {coverage:.3f}). Euclidean distances, and a strict '<' "
                             "against each real point's radius.")


# ---------------------------------------------------------------------------------------------
# Exercise 3: game the metrics

CHEAT_COUNT = 500  # digits the check asks for
CHEAT_ACCURACY, CHEAT_PRECISION, CHEAT_COVERAGE = 0.98, 0.8, 0.2


def cheat_reference(count: int = CHEAT_COUNT, seed: int = 11) -> tuple[np.ndarray, np.ndarray]:
    """Real test digits (the reference the check measures against) and their labels."""
    from ..data import load_digit_images

    test = load_digit_images("test")
    chosen = np.random.default_rng(seed).choice(len(test), min(count, len(test)), replace=False)
    return test.as_float()[chosen], test.labels[chosen]


def _training_digit_keys() -> set[bytes]:
    """Every training digit's pixels as bytes, to recognise real training digits among the answers."""
    from ..data import load_digit_images

    return {image.tobytes() for image in load_digit_images("train").images}


def _as_images(value, n: int) -> np.ndarray:
    if value is None:
        raise AssertionError("your generator returned None: does it `return` the images?")
    if torch.is_tensor(value):
        value = value.detach().cpu().numpy()
    try:
        images = np.asarray(value, dtype=np.float32)
    except (TypeError, ValueError):
        raise AssertionError("your generator should return an array of images, not "
                             f"{type(value).__name__}.") from None
    if images.size != n * 28 * 28:
        raise AssertionError(f"asked for {n} digits, your generator returned an array of shape "
                             f"{images.shape}; expected ({n}, 28, 28): one 28x28 image per asked digit.")
    images = images.reshape(n, 28, 28)
    if not np.all(np.isfinite(images)) or images.min() < -1e-3 or images.max() > 1 + 1e-3:
        raise AssertionError("the images should hold pixel values in [0, 1] (0 = paper, 1 = ink), like "
                             "MNIST's .as_float().")
    return images


@exercise("11.game_the_metrics")
def game_the_metrics(answer) -> None:
    """``cheat(labels)`` -> training digits: LeNet accuracy >= 98 %, precision >= 0.8, coverage <= 0.2."""
    from ..judges import load_judge
    from ..metrics import lenet_outputs, precision_recall_density_coverage

    function = _function(answer, "cheat")
    judge = load_judge("image")
    reference, _ = cheat_reference()
    labels = np.random.default_rng(2026).integers(0, 10, len(reference))  # the digits asked for: hidden
    try:
        produced = function(labels.copy())
    except Exception as error:
        raise AssertionError(f"cheat(labels) raised {type(error).__name__}: {error}. It receives a numpy "
                             "array of digits (0-9) and returns one image per digit.") from None
    images = _as_images(produced, len(labels))
    pixels = np.rint(images * 255).astype(np.uint8)
    keys = _training_digit_keys()
    foreign = sum(image.tobytes() not in keys for image in pixels)
    if foreign:
        raise AssertionError(f"{foreign} of your {len(images)} images are not digits of the training set "
                             "(averages, blurred or noisy images are not): this cheat may only use real "
                             "handwriting, images of `train` exactly as they are.")
    probabilities, features = lenet_outputs(judge, images)
    _, reference_features = lenet_outputs(judge, reference)
    accuracy = float((probabilities.argmax(1) == labels).mean())
    scores = precision_recall_density_coverage(features, reference_features)
    measured = (f"accuracy {accuracy:.1%}, precision {scores['precision']:.2f}, "
                f"coverage {scores['coverage']:.2f}")
    if accuracy < CHEAT_ACCURACY:
        raise AssertionError(f"LeNet reads only {accuracy:.1%} of your images as the digit asked for "
                             f"({measured}); a good cheat wins the paper's measure: at least "
                             f"{CHEAT_ACCURACY:.0%}. Does the image you return depend on the asked label?")
    if scores["coverage"] > CHEAT_COVERAGE:
        raise AssertionError(f"{measured}: that is an honest generator, or a memorising one: its drawings "
                             "cover most kinds of real handwriting. The cheat should win accuracy and "
                             "precision with only a handful of different drawings (coverage at most "
                             f"{CHEAT_COVERAGE}).")
    if scores["precision"] < CHEAT_PRECISION:
        raise AssertionError(f"{measured}: LeNet reads your digits right, but their features lie outside "
                             f"the real digits' neighbourhoods (precision below {CHEAT_PRECISION}). Pick "
                             "typical digits of each class, ones LeNet is sure about.")
