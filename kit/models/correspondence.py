"""Do they match? Audio-visual correspondence networks and shared embeddings (lesson 15).

After Arandjelović and Zisserman: a network that only learns to say whether
a sound and a picture belong together learns what each is about. Three
models, one pair of subnetworks:

==============  ==========================================================  ======================
model           how it decides "do they match?"                             retrieval score
==============  ==========================================================  ======================
avc-net         2017 (L3-Net): both 128-d embeddings concatenated, FC 128,   the fused logit of
                ReLU, FC 1 (the match logit); binary cross-entropy           every audio-image pair
avc-distance    2018 (AVE-Net): both embeddings L2-normalised, their         minus the distance
                Euclidean distance through FC 1 -> 1 (the match logit)
avc-infonce     CLIP-style: L2-normalised embeddings, cosine times a         the cosine
                learned 1/temperature, symmetric InfoNCE over the batch
==============  ==========================================================  ======================

The image subnetwork reads the 28x28 digit (two conv blocks, 16 and 32
filters, FC 128); the audio subnetwork the 48x48 log-mel (``mel48``, three
conv blocks, 16, 32 and 64 filters, FC 128), each row standardised with the
training clips' statistics. A conv block is :func:`kit.models.classifiers.conv_block`
(3x3 convolution, batch norm, ReLU, 2x2 max pooling). A batch is
``(audio, images, match)``: positive pairs (``match`` 1) and negative ones
(0), made by :class:`kit.pairing.CorrespondenceBatches`; the labels never
reach the model. The InfoNCE model uses only the positives: the other images
of the batch are its negatives (including, one in ten, images of the same
digit: nothing in a pair but the digit can be learnt, so those stay a floor
under its loss).

Every model gives ``embed_audio``, ``embed_image``, ``pair_scores`` (one
score per aligned pair; the match logit for the two that decide) and
``similarity`` (every audio against every image), which is what retrieval
ranks by (:mod:`kit.retrieval`). The 2017 network has no shared space: its
similarity runs the fusion for every pair, cheaply, because the first fused
layer splits into an image part and an audio part (lesson 13).
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from .classifiers import AudioInput, conv_block

EMBEDDING_DIM = 128
MAX_SCALE = 100.0  # CLIP's cap on the learned 1/temperature


def image_subnet(dim: int = EMBEDDING_DIM) -> nn.Sequential:
    """28x28 digit -> ``dim`` numbers: conv blocks 16, 32 (28 -> 14 -> 7), FC + ReLU."""
    return nn.Sequential(*conv_block(1, 16), *conv_block(16, 32), nn.Flatten(), nn.Linear(32 * 7 * 7, dim),
                         nn.ReLU())


def audio_subnet(dim: int = EMBEDDING_DIM) -> nn.Sequential:
    """48x48 log-mel -> ``dim`` numbers: conv blocks 16, 32, 64 (48 -> 24 -> 12 -> 6), FC + ReLU."""
    return nn.Sequential(*conv_block(1, 16), *conv_block(16, 32), *conv_block(32, 64), nn.Flatten(),
                         nn.Linear(64 * 6 * 6, dim), nn.ReLU())


class CorrespondenceNet(nn.Module):
    """Shared behaviour: the two subnetworks, input checks and scaling, the batch layout."""

    task = "audio-visual-correspondence"  # see kit.tasks
    hears = "mel48"
    decides = True  # whether ``pair_scores`` is a match logit (> 0: "they match")

    def __init__(self, dim: int = EMBEDDING_DIM) -> None:
        super().__init__()
        self.audio_input = AudioInput(self.hears)
        self.audio_encoder = audio_subnet(dim)
        self.image_encoder = image_subnet(dim)

    def embed_audio(self, audio: torch.Tensor) -> torch.Tensor:
        """``(n, 48, 48)`` log-mel features -> ``(n, dim)`` embeddings."""
        if audio.ndim != 3 or tuple(audio.shape[1:]) != (48, 48):
            raise ValueError(f"the audio subnetwork hears 48x48 log-mel features (n, 48, 48), not "
                             f"{tuple(audio.shape)}")
        return self.audio_encoder(self.audio_input(audio)[:, None])

    def embed_image(self, images: torch.Tensor) -> torch.Tensor:
        """``(n, 28, 28)`` digits in [0, 1] -> ``(n, dim)`` embeddings."""
        if tuple(images.shape[-2:]) != (28, 28):
            raise ValueError(f"the image subnetwork reads 28x28 digits, not images shaped "
                             f"{tuple(images.shape)}")
        return self.image_encoder((images.reshape(-1, 1, 28, 28).float() - 0.5) / 0.5)

    def pair_scores(self, audio_embedded: torch.Tensor, image_embedded: torch.Tensor) -> torch.Tensor:
        """One score per aligned pair ``(n,)``: higher means more likely a match."""
        raise NotImplementedError

    def similarity(self, audio_embedded: torch.Tensor, image_embedded: torch.Tensor) -> torch.Tensor:
        """Every audio embedding against every image embedding: ``(n_audio, n_images)``."""
        raise NotImplementedError

    def forward(self, audio: torch.Tensor, images: torch.Tensor) -> torch.Tensor:
        """The score of each aligned audio-image pair ``(n,)``."""
        if len(audio) != len(images):
            raise ValueError(f"{len(audio)} clips and {len(images)} images: pairs need one of each")
        return self.pair_scores(self.embed_audio(audio), self.embed_image(images))

    def loss(self, batch) -> dict[str, torch.Tensor]:
        """Binary cross-entropy of the match logit against ``match``, and the accuracy of the decision."""
        audio, images, match = batch
        logits = self(audio, images)
        return {
            "loss": F.binary_cross_entropy_with_logits(logits, match.float()),
            "accuracy": ((logits > 0).float() == match).float().mean(),
        }

    def fit_input_scaling(self, audio: torch.Tensor) -> None:
        """Standardise every mel row with the training clips' mean and spread."""
        self.audio_input.fit(audio)


class AVCNet(CorrespondenceNet):
    """The 2017 paper's correspondence network: concatenate, FC 128, ReLU, FC 1 (the match logit)."""

    def __init__(self, dim: int = EMBEDDING_DIM) -> None:
        super().__init__(dim)
        self.fusion = nn.Sequential(nn.Linear(2 * dim, 128), nn.ReLU(), nn.Linear(128, 1))

    def pair_scores(self, audio_embedded, image_embedded):
        return self.fusion(torch.cat([image_embedded, audio_embedded], dim=1))[:, 0]

    def similarity(self, audio_embedded, image_embedded, chunk_elements: int = 2**24):
        """The fused logit of every pair: the first layer is ``W_image e_image + W_audio e_audio + b``,
        so each side is multiplied once and the sums are formed a block of clips at a time."""
        first, last = self.fusion[0], self.fusion[2]
        dim = image_embedded.shape[1]
        from_images = image_embedded @ first.weight[:, :dim].T + first.bias  # (n_images, 128)
        from_audio = audio_embedded @ first.weight[:, dim:].T  # (n_audio, 128)
        rows = max(1, chunk_elements // max(1, from_images.numel()))
        blocks = [
            torch.relu(part[:, None, :] + from_images[None]) @ last.weight[0] + last.bias
            for part in from_audio.split(rows)
        ]
        return torch.cat(blocks) if blocks else from_audio.new_zeros((0, len(from_images)))


class SharedEmbeddingNet(CorrespondenceNet):
    """Both subnetworks end in one space: a linear projection, then L2 normalisation (unit length)."""

    def __init__(self, dim: int = EMBEDDING_DIM) -> None:
        super().__init__(dim)
        self.audio_projection, self.image_projection = nn.Linear(dim, dim), nn.Linear(dim, dim)

    def embed_audio(self, audio):
        return F.normalize(self.audio_projection(super().embed_audio(audio)), dim=1)

    def embed_image(self, images):
        return F.normalize(self.image_projection(super().embed_image(images)), dim=1)


class AVCDistance(SharedEmbeddingNet):
    """The 2018 paper's AVE-Net: the Euclidean distance of the unit embeddings through FC 1 -> 1."""

    def __init__(self, dim: int = EMBEDDING_DIM) -> None:
        super().__init__(dim)
        self.calibration = nn.Linear(1, 1)
        with torch.no_grad():  # a far pair starts as "no match": random unit vectors lie about sqrt(2) apart
            self.calibration.weight.fill_(-5.0)
            self.calibration.bias.fill_(5.0 * math.sqrt(2))

    def pair_scores(self, audio_embedded, image_embedded):
        distance = (audio_embedded - image_embedded).norm(dim=1, keepdim=True)
        return self.calibration(distance)[:, 0]

    def similarity(self, audio_embedded, image_embedded):
        """Minus the Euclidean distance (retrieval ranks by distance, as the paper)."""
        return -torch.cdist(audio_embedded, image_embedded)


def info_nce(similarity: torch.Tensor) -> torch.Tensor:
    """Symmetric InfoNCE of a square ``(n, n)`` logit matrix whose diagonal holds the true pairs.

    Each row is a classification "which image is my partner?" and each column
    "which clip is mine?", both by cross-entropy; the loss is their mean.
    """
    if similarity.ndim != 2 or similarity.shape[0] != similarity.shape[1]:
        raise ValueError(f"InfoNCE needs a square matrix of pair logits, not one of shape "
                         f"{tuple(similarity.shape)}")
    targets = torch.arange(len(similarity), device=similarity.device)
    return (F.cross_entropy(similarity, targets) + F.cross_entropy(similarity.T, targets)) / 2


class AVCInfoNCE(SharedEmbeddingNet):
    """Contrastive (CLIP-style): cosine similarities times a learned 1/temperature, symmetric InfoNCE."""

    decides = False  # it learns to rank, not to say yes or no

    def __init__(self, dim: int = EMBEDDING_DIM, temperature: float = 0.07) -> None:
        super().__init__(dim)
        self.log_scale = nn.Parameter(torch.tensor(math.log(1 / temperature)))

    @property
    def scale(self) -> torch.Tensor:
        """1/temperature, learned, at most :data:`MAX_SCALE`."""
        return self.log_scale.clamp(max=math.log(MAX_SCALE)).exp()

    def pair_scores(self, audio_embedded, image_embedded):
        return (audio_embedded * image_embedded).sum(dim=1)

    def similarity(self, audio_embedded, image_embedded):
        """The cosine of every pair (the embeddings have unit length)."""
        return audio_embedded @ image_embedded.T

    def loss(self, batch) -> dict[str, torch.Tensor]:
        """InfoNCE over the batch's positive pairs; every other image (clip) in it is a negative."""
        audio, images, match = batch
        positive = match > 0.5
        if int(positive.sum()) < 2:
            raise ValueError("InfoNCE needs at least two positive pairs in a batch")
        embedded = self.embed_audio(audio[positive]), self.embed_image(images[positive])
        logits = self.scale * self.similarity(*embedded)
        targets = torch.arange(len(logits), device=logits.device)
        return {
            "loss": info_nce(logits),
            "accuracy": (logits.argmax(1) == targets).float().mean(),  # the partner itself ranked first
            "temperature": 1 / self.scale.detach(),
        }
