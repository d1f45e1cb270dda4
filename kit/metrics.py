"""How good are generated digits? The paper's measure and three more (lessons 4, 7 and 16).

All of them look at samples through a trained *judge*: LeNet-5 for images
(:mod:`kit.evaluator`), or any network with ``embed`` and ``classifier``
(:mod:`kit.judges`). Where the intended digit is unknown (an unconditional
generator), the judge's reading groups the samples instead:

* **accuracy** and **macro-F1**: does LeNet read the digit that was spoken?
  (the paper's Table 4 is this accuracy);
* **confusion**: which digits are drawn as which;
* **diversity**: how different the drawings of one digit are from each
  other, as the mean pairwise distance of their LeNet features divided by the
  same for real MNIST digits of that class: about 1 = as varied as
  handwriting, near 0 = one archetype per digit (the paper's "archetypes vs
  diversity", as a number);
* **Fréchet distance** between the LeNet features of generated and of real
  images (FID's recipe with LeNet instead of Inception): lower = closer;
* **precision, recall, density, coverage** (Naeem et al. 2020, the ``prdc``
  package) on the same features: precision and density ask "does each
  drawing look like some real digit?" (fidelity), recall and coverage ask
  "is every kind of real digit drawn by someone?" (diversity). Fréchet folds
  both into one number; these four pull them apart (lesson 11).

For generated *sound* (lesson 16) the judge is an audio classifier and the
intended digit is often unknown (a sample from the prior):

* **Inception Score** (Salimans et al. 2016; WaveGAN and SpecGAN report it
  for spoken digits with a digit classifier as judge):
  ``exp E_x[KL(p(y|x) || p(y))]``, between 1 (every sample read the same, or
  every reading a shrug) and 10 (each sample read confidently, all ten digits
  equally often); real clips of balanced digits score near 10 under a good judge;
* **confident share**: the share of samples the judge reads with a
  probability above 0.5 (a sample between two digits scores low on both);
* **region labels**: the digit of the nearest known codes (k nearest
  neighbours) at any point of a latent space, so that a decoded point can be
  checked against the digit whose region of the map it lies in.
"""

from __future__ import annotations

import contextlib
import io
import warnings

import numpy as np
import torch
from prdc import compute_prdc
from prdc.prdc import compute_nearest_neighbour_distances, compute_pairwise_distance
from scipy import linalg
from sklearn.metrics import confusion_matrix, f1_score
from sklearn.neighbors import KNeighborsClassifier


@torch.no_grad()
def lenet_outputs(evaluator, images, batch_size: int = 2000) -> tuple[np.ndarray, np.ndarray]:
    """``(probabilities (n, 10), features (n, 84))`` of images in [0, 1] (any judge: its own sizes)."""
    evaluator.eval()
    images = torch.as_tensor(np.asarray(images, dtype=np.float32))
    probabilities, features = [], []
    for start in range(0, len(images), batch_size):
        embedded = evaluator.embed(images[start : start + batch_size])
        features.append(embedded.numpy())
        probabilities.append(torch.softmax(evaluator.classifier(embedded), dim=1).numpy())
    return np.concatenate(probabilities), np.concatenate(features)


def mean_pairwise_distance(features: np.ndarray, max_items: int = 1000, seed: int = 0) -> float:
    """Average Euclidean distance between two different items (a random subset above ``max_items``)."""
    if len(features) < 2:
        return float("nan")
    if len(features) > max_items:
        features = features[np.random.default_rng(seed).choice(len(features), max_items, replace=False)]
    squares = (features**2).sum(1)
    distances = np.sqrt(np.maximum(squares[:, None] + squares[None, :] - 2 * features @ features.T, 0))
    n = len(features)
    return float(distances.sum() / (n * (n - 1)))


def diversity(features, labels, reference_features, reference_labels) -> float:
    """Mean over digits of (pairwise spread of generated) / (pairwise spread of real); 1 = as varied."""
    ratios = [
        mean_pairwise_distance(features[labels == d])
        / mean_pairwise_distance(reference_features[reference_labels == d])
        for d in np.unique(labels)
    ]
    return float(np.nanmean(ratios))


def frechet_distance(features_a: np.ndarray, features_b: np.ndarray) -> float:
    """``|mu_a - mu_b|^2 + Tr(S_a + S_b - 2 (S_a S_b)^(1/2))`` between two feature clouds."""
    mu_a, mu_b = features_a.mean(0), features_b.mean(0)
    cov_a, cov_b = np.cov(features_a, rowvar=False), np.cov(features_b, rowvar=False)
    # A tiny ridge keeps the square root defined when a generator draws (nearly) identical images.
    ridge = 1e-6 * np.eye(len(cov_a))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", linalg.LinAlgWarning)
        root = linalg.sqrtm((cov_a + ridge) @ (cov_b + ridge))
    return float(((mu_a - mu_b) ** 2).sum() + np.trace(cov_a + cov_b - 2 * np.real(root)))


def precision_recall_density_coverage(
    features: np.ndarray, reference_features: np.ndarray, nearest_k: int = 5, max_items: int = 2000,
    seed: int = 0,
) -> dict[str, float]:
    """prdc's four numbers for generated ``features`` against real ones (subsets above ``max_items``).

    Each real point's neighbourhood is the ball to its ``nearest_k``-th nearest
    real neighbour: precision = share of generated points inside some real
    ball, recall = share of real points inside some generated ball, density =
    how many real balls hold a generated point on average (/ k), coverage =
    share of real balls holding at least one generated point. Repeated
    drawings count once.
    """
    rng = np.random.default_rng(seed)

    def subset(points: np.ndarray) -> np.ndarray:
        if len(points) <= max_items:
            return points
        return points[rng.choice(len(points), max_items, replace=False)]

    # A drawing repeated (one per test pair of the same clip) is one drawing: its copies would be
    # each other's nearest neighbours and shrink the generated balls to nothing.
    real, fake = subset(reference_features), subset(np.unique(features, axis=0))
    if len(fake) > nearest_k:
        with contextlib.redirect_stdout(io.StringIO()):  # prdc prints the two sizes
            scores = compute_prdc(real_features=real, fake_features=fake, nearest_k=nearest_k)
        return {name: float(value) for name, value in scores.items()}
    # A handful of distinct drawings (a collapsed generator) has no k-th neighbour: it recalls nothing.
    radii = compute_nearest_neighbour_distances(real, nearest_k)
    inside = compute_pairwise_distance(real, fake) < radii[:, None]
    return {
        "precision": float(inside.any(axis=0).mean()),
        "recall": 0.0,
        "density": float(inside.sum(axis=0).mean() / nearest_k),
        "coverage": float(inside.any(axis=1).mean()),
    }


def evaluate_images(images, labels, evaluator, reference_images, reference_labels) -> dict:
    """All the measures above for generated ``images`` meant to show digits ``labels``.

    ``labels=None`` (nobody asked for a digit): no accuracy, macro-F1 or confusion;
    diversity groups the images by the digit the judge reads.
    """
    reference_labels = np.asarray(reference_labels)
    probabilities, features = lenet_outputs(evaluator, images)
    _, reference_features = lenet_outputs(evaluator, reference_images)
    predicted = probabilities.argmax(1)
    if labels is None:
        return {
            "diversity": diversity(features, predicted, reference_features, reference_labels),
            "frechet": frechet_distance(features, reference_features),
            **precision_recall_density_coverage(features, reference_features),
            "read_as": np.bincount(predicted, minlength=10).tolist(),
            "count": int(len(predicted)),
        }
    labels = np.asarray(labels)
    return {
        "accuracy": float((predicted == labels).mean()),
        "macro_f1": float(
            f1_score(labels, predicted, average="macro", labels=np.arange(10), zero_division=0)
        ),
        "confusion": confusion_matrix(labels, predicted, labels=np.arange(10)).tolist(),
        "diversity": diversity(features, labels, reference_features, reference_labels),
        "frechet": frechet_distance(features, reference_features),
        **precision_recall_density_coverage(features, reference_features),
        "count": int(len(labels)),
    }


def _probabilities(probabilities) -> np.ndarray:
    p = np.asarray(probabilities, dtype=np.float64)
    if p.ndim != 2 or len(p) == 0:
        raise ValueError(f"expected judge probabilities of shape (samples, classes), got {p.shape}")
    if (p < 0).any() or not np.allclose(p.sum(1), 1, atol=1e-3):
        raise ValueError("each row of probabilities must be non-negative and sum to 1 (softmax outputs)")
    return p


def inception_score(probabilities) -> float:
    """``exp(mean over samples of KL(p(y|x) || p(y)))`` of a judge's ``(n, classes)`` probabilities.

    ``p(y)`` is the samples' mean reading. 1 when every row is the same, the
    number of classes when each row is one-hot and the classes equally often.
    """
    p = _probabilities(probabilities)
    marginal = p.mean(0, keepdims=True)
    terms = np.where(p > 0, p * (np.log(np.maximum(p, 1e-300)) - np.log(np.maximum(marginal, 1e-300))), 0.0)
    return float(np.exp(terms.sum(1).mean()))


def confident_share(probabilities, threshold: float = 0.5) -> float:
    """The share of samples whose most likely class has a probability above ``threshold``."""
    return float((_probabilities(probabilities).max(1) > threshold).mean())


def region_labels(codes, labels, points, k: int = 15) -> np.ndarray:
    """The digit whose region ``points`` ``(m, d)`` lie in: the vote of the ``k`` nearest ``codes`` ``(n, d)``
    (whose digits are ``labels``)."""
    codes, points = np.asarray(codes, dtype=np.float64), np.asarray(points, dtype=np.float64)
    if codes.ndim != 2 or points.ndim != 2 or codes.shape[1] != points.shape[1]:
        raise ValueError(f"codes {codes.shape} and points {points.shape} must be (n, d) with the same d")
    vote = KNeighborsClassifier(n_neighbors=min(k, len(codes))).fit(codes, np.asarray(labels))
    return vote.predict(points)
