"""Audio-visual correspondence and cross-modal retrieval: data, measures, analyses (lesson 15).

:func:`correspondence_data` is the paper's cross-modal data
(:func:`kit.experiments.cross_modal_data`: 48x48 log-mel of the spoken
digits, MNIST images, the same splits) served as positive and negative pairs
(:class:`kit.pairing.CorrespondenceBatches`). Everything else takes the test
side as it is, every test clip and every test image once:

* :func:`embed` - all clips and all images through a model's two subnetworks;
* :func:`held_out_pairs` - a fixed set of held-out pairs, every test image once
  with a clip of its digit and once with a clip of another, for the
  correspondence accuracy (models that decide) and the area under the ROC
  curve (all models: 0.5 is chance, 1 a perfect ranking of matches above
  mismatches);
* :func:`evaluate_correspondence` - that, and retrieval both ways
  (:mod:`kit.retrieval`): every test clip queries the test images, every test
  image queries the test clips; the Speech Commands and AudioMNIST samples,
  voices no model here trained on, query the test images too;
* :func:`aivae_retrieval` - the same retrieval through an audio-to-image
  generator: the clip is drawn, and drawings and digits are compared in
  LeNet's feature space (the AIVAE baseline);
* :func:`joint_map` and :func:`speaker_probe` - what the embedding learnt:
  both modalities on one PCA and t-SNE map, and whether a linear probe can
  read the speaker from the audio embedding.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression
from sklearn.manifold import TSNE
from sklearn.metrics import roc_auc_score

from . import features
from .data import DataNotFoundError, SpokenDigits, load_audiomnist, load_speech_commands
from .experiments import CrossModalData, cross_modal_data, generate
from .metrics import lenet_outputs
from .pairing import CorrespondenceBatches, many_to_one, mismatched
from .retrieval import retrieval_metrics


@dataclass
class CorrespondenceData:
    """Training batches of matching and mismatching pairs, and the test side (clips, images, pairs)."""

    train: CorrespondenceBatches
    cross_modal: CrossModalData  # the same split as the audio-to-image task: clips, images, corpora

    @property
    def description(self) -> str:
        return self.cross_modal.description.replace(" pairing:", " pairing (+ as many mismatched pairs):")

    @property
    def test_audio(self) -> torch.Tensor:
        """Features of every test clip, in the order of ``test_clips``."""
        return self.cross_modal.test.audio

    @property
    def test_audio_labels(self) -> np.ndarray:
        return self.cross_modal.test.audio_labels

    @property
    def test_images(self) -> torch.Tensor:
        return self.cross_modal.test.images

    @property
    def test_image_labels(self) -> np.ndarray:
        return self.cross_modal.test.image_labels


def correspondence_data(
    dataset: str = "mnist-fsdd",
    split: str = "random",
    pairing: str = "resampled",
    seed: int = 0,
    batch_size: int = 128,
    quick: bool | None = None,
    augment_copies: int = 0,
) -> CorrespondenceData:
    """The paper's clips and images (see :func:`kit.experiments.cross_modal_data`) as correspondence pairs."""
    data = cross_modal_data(dataset, split, pairing, seed, batch_size, quick, augment_copies, "mel48")
    train = data.train
    batches = CorrespondenceBatches(train.audio, train.audio_labels, train.images, train.image_labels,
                                    pairing, batch_size=batch_size, seed=seed, shuffle=True)
    return CorrespondenceData(batches, data)


@torch.no_grad()
def embed(model, audio: torch.Tensor | None = None, images: torch.Tensor | None = None,
          batch_size: int = 1000) -> tuple[torch.Tensor | None, torch.Tensor | None]:
    """``(audio embeddings, image embeddings)`` of ``model`` in evaluation mode (None where not given)."""
    model.eval()

    def run(function, inputs):
        if inputs is None:
            return None
        return torch.cat([function(part) for part in torch.as_tensor(inputs).split(batch_size)])

    return run(model.embed_audio, audio), run(model.embed_image, images)


def held_out_pairs(audio_labels, image_labels, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(clip index, image index, match)``: every image once with a clip of its digit, once with another."""
    clips, images = many_to_one(audio_labels, image_labels, seed)
    others = mismatched(np.asarray(image_labels)[images], audio_labels, seed + 1)
    return (np.concatenate([clips, others]), np.concatenate([images, images]),
            np.concatenate([np.ones(len(images)), np.zeros(len(images))]))


@torch.no_grad()
def correspondence_scores(model, audio_embedded, image_embedded, audio_labels, image_labels) -> dict:
    """Accuracy of the match decision (models that decide) and ROC AUC on :func:`held_out_pairs`."""
    clips, images, match = held_out_pairs(audio_labels, image_labels)
    scores = model.pair_scores(audio_embedded[torch.from_numpy(clips)],
                               image_embedded[torch.from_numpy(images)]).numpy()
    result = {"correspondence_auc": float(roc_auc_score(match, scores)), "test_pairs": len(match)}
    if model.decides:
        result["correspondence_accuracy"] = float(((scores > 0) == (match > 0.5)).mean())
    return result


def _prefixed(prefix: str, metrics: dict[str, float]) -> dict[str, float]:
    return {f"{prefix}_{key}": round(value, 4) for key, value in metrics.items()}


def unseen_clips() -> SpokenDigits | None:
    """The Speech Commands and AudioMNIST samples together (None when neither is on disk)."""
    found = []
    for loader in (load_speech_commands, load_audiomnist):
        try:
            found.append(loader())
        except DataNotFoundError:
            continue
    if not found:
        return None
    return found[0] if len(found) == 1 else found[0] + found[1]


@torch.no_grad()
def evaluate_correspondence(model, data: CorrespondenceData, unseen: bool = True) -> dict:
    """Correspondence on held-out pairs, retrieval both ways, and unseen voices as queries (see above)."""
    audio_embedded, image_embedded = embed(model, data.test_audio, data.test_images)
    audio_labels, image_labels = data.test_audio_labels, data.test_image_labels
    similarity = model.similarity(audio_embedded, image_embedded).numpy()
    metrics = correspondence_scores(model, audio_embedded, image_embedded, audio_labels, image_labels)
    metrics |= _prefixed("audio_to_image", retrieval_metrics(similarity, audio_labels, image_labels))
    metrics |= _prefixed("image_to_audio", retrieval_metrics(similarity.T, image_labels, audio_labels))
    metrics |= {"test_clips": len(audio_labels), "test_images": len(image_labels)}
    corpus = unseen_clips() if unseen else None
    if corpus is not None:
        clips = torch.from_numpy(features.extract(corpus, features.MEL_IMAGE, progress=False))
        heard = embed(model, clips)[0]
        unseen_similarity = model.similarity(heard, image_embedded).numpy()
        metrics |= _prefixed("unseen_audio_to_image",
                             retrieval_metrics(unseen_similarity, corpus.digits, image_labels))
        metrics["unseen_clips"] = len(corpus)
    return metrics


def lenet_distances(queries: np.ndarray, gallery: np.ndarray) -> np.ndarray:
    """Minus the Euclidean distance between every query and every gallery item (``(n, d)`` features)."""
    squares = (queries**2).sum(1)[:, None] + (gallery**2).sum(1)[None] - 2 * queries @ gallery.T
    return -np.sqrt(np.maximum(squares, 0))


def aivae_retrieval(aivae, lenet, data: CorrespondenceData, unseen: bool = True) -> dict:
    """Retrieval through generation: each clip's drawing and each digit compared by their LeNet features."""
    drawn = lenet_outputs(lenet, generate(aivae, data.test_audio))[1]
    written = lenet_outputs(lenet, data.test_images.numpy())[1]
    audio_labels, image_labels = data.test_audio_labels, data.test_image_labels
    similarity = lenet_distances(drawn, written)
    metrics = _prefixed("audio_to_image", retrieval_metrics(similarity, audio_labels, image_labels))
    metrics |= _prefixed("image_to_audio", retrieval_metrics(similarity.T, image_labels, audio_labels))
    corpus = unseen_clips() if unseen else None
    if corpus is not None:
        heard = torch.from_numpy(features.extract(corpus, features.MEL_IMAGE, progress=False))
        unseen_drawn = lenet_outputs(lenet, generate(aivae, heard))[1]
        unseen_similarity = lenet_distances(unseen_drawn, written)
        metrics |= _prefixed("unseen_audio_to_image",
                             retrieval_metrics(unseen_similarity, corpus.digits, image_labels))
        metrics["unseen_clips"] = len(corpus)
    return metrics | {"test_clips": len(audio_labels), "test_images": len(image_labels)}


def joint_map(audio_embedded: np.ndarray, image_embedded: np.ndarray, method: str = "pca",
              seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Clips and images on one 2-D map (``"pca"`` or ``"tsne"``, fitted on both together): two arrays."""
    both = np.concatenate([audio_embedded, image_embedded])
    if method == "pca":
        points = PCA(n_components=2, random_state=seed).fit_transform(both)
    elif method == "tsne":
        reduced = PCA(n_components=min(50, both.shape[1], len(both)), random_state=seed).fit_transform(both)
        points = TSNE(n_components=2, init="pca", perplexity=min(30.0, (len(both) - 1) / 3),
                      random_state=seed).fit_transform(reduced)
    else:
        raise ValueError(f"method must be 'pca' or 'tsne', not {method!r}")
    return points[: len(audio_embedded)], points[len(audio_embedded):]


def speaker_probe(train_features: np.ndarray, train_speakers, test_features: np.ndarray, test_speakers,
                  seed: int = 0) -> float:
    """Test accuracy of a logistic regression that reads the speaker from ``features`` (a linear probe)."""
    train_features, test_features = np.asarray(train_features), np.asarray(test_features)
    mean, spread = train_features.mean(0), train_features.std(0) + 1e-6
    probe = LogisticRegression(max_iter=2000, random_state=seed)
    probe.fit((train_features - mean) / spread, np.asarray(train_speakers))
    return float((probe.predict((test_features - mean) / spread) == np.asarray(test_speakers)).mean())
