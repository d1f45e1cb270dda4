"""Seed 003's five digit classifiers: one sense, the other, or both (lessons 12-13).

Tables 1-6 of the multimodal-classification report, to the letter:

==================  =======================================================  ==========
model               reads                                                    parameters
==================  =======================================================  ==========
imagenet-cnn        the 28x28 image: two conv blocks (32, 64), FC 128, 10       421,834
audionet-cnn        the 39x13 MFCCs as a 13x39 picture: same blocks              241,610
audionet-lstm       the 39 MFCC frames in order: 2-layer LSTM 64, FC 64, 10       58,314
hybridnet-cnn       both CNN encoders, concatenated (256), classifier 128, 10    695,306
hybridnet-cnn-lstm  the image CNN and an LSTM audio encoder (FC 128), fused      516,810
==================  =======================================================  ==========

A conv block is 3x3 convolution (padding 1) + batch norm + ReLU, each
followed by 2x2 max pooling; dropouts are the tables' (0.25, 0.5, 0.25).
The report's Table 2 says the audio CNN flattens to "1278" values: 64
channels of 3x9 are 1,728, a transposition of the same digits.

Images are normalised with mean 0.5 and spread 0.5 (the report's
preprocessing); audio features are standardised per frequency row with the
training clips' statistics (:meth:`DigitClassifier.fit_input_scaling`),
which is what the Written and Spoken Digits database ships already done.
Every model reads a batch ``(images, audio, labels)`` and takes what its
``reads`` names, so the five are trained and tested on exactly the same
pairs (:mod:`kit.multimodal`). The audio models hear any 2-D feature shape
of :mod:`kit.features` (``features="mel48"`` for the log-mel picture).
Training follows the report: Adam with weight decay 1e-5 (here), the learning
rate divided on a plateau and early stopping (the run's settings).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from ..augment import mask_bands_and_frames
from ..features import feature_spec

WEIGHT_DECAY = 1e-5  # the report's Adam weight decay


def conv_block(inputs: int, outputs: int) -> list[nn.Module]:
    """3x3 convolution (padding 1), batch norm, ReLU, then 2x2 max pooling (Tables 1, 2, 4, 5)."""
    return [nn.Conv2d(inputs, outputs, 3, padding=1), nn.BatchNorm2d(outputs), nn.ReLU(), nn.MaxPool2d(2)]


def cnn_encoder(height: int, width: int) -> nn.Sequential:
    """Two conv blocks (32, 64), dropout 0.25, FC 128 + ReLU, dropout 0.5: a 128-d embedding."""
    flat = 64 * (height // 4) * (width // 4)
    return nn.Sequential(
        *conv_block(1, 32), *conv_block(32, 64), nn.Dropout(0.25), nn.Flatten(),
        nn.Linear(flat, 128), nn.ReLU(), nn.Dropout(0.5),
    )


class LastState(nn.Module):
    """A unidirectional 2-layer LSTM over the frames; the top layer's last hidden state."""

    def __init__(self, inputs: int, hidden: int = 64, layers: int = 2) -> None:
        super().__init__()
        self.lstm = nn.LSTM(inputs, hidden, layers, batch_first=True)

    def forward(self, frames: torch.Tensor) -> torch.Tensor:
        _, (hidden, _) = self.lstm(frames)
        return hidden[-1]


class AudioInput(nn.Module):
    """Audio features as ``(n, frequency, time)``, each frequency row standardised on the training clips.

    With ``masks`` > 0, training batches (only) also lose that many bands and
    spans of frames each (:func:`kit.augment.mask_bands_and_frames`, SpecAugment).
    """

    def __init__(self, features: str, masks: int = 0) -> None:
        super().__init__()
        spec = feature_spec(features)
        self.feature = features
        self.masks = masks
        if len(spec.shape) != 2:
            raise ValueError(
                f"{features} is one vector per clip; the audio classifiers read frames (mfcc39x13 or mel48)"
            )
        self.time_first = spec.time_axis == 0
        self.frequencies, self.frames = spec.shape[::-1] if self.time_first else spec.shape
        self.register_buffer("mean", torch.zeros(self.frequencies, 1))
        self.register_buffer("std", torch.ones(self.frequencies, 1))

    def layout(self, audio: torch.Tensor) -> torch.Tensor:
        return audio.transpose(1, 2) if self.time_first else audio

    def fit(self, audio: torch.Tensor) -> None:
        audio = self.layout(audio.float())
        self.mean.copy_(audio.mean(dim=(0, 2))[:, None])
        self.std.copy_(audio.std(dim=(0, 2)).clamp_min(1e-6)[:, None])

    def forward(self, audio: torch.Tensor) -> torch.Tensor:
        standardised = (self.layout(audio.float()) - self.mean) / self.std
        if self.training and self.masks:
            return mask_bands_and_frames(standardised, self.masks)
        return standardised


class DigitClassifier(nn.Module):
    """Shared behaviour: pick the inputs named in ``reads``, cross-entropy loss, Adam with weight decay."""

    task = "digit-classification"  # see kit.tasks
    reads: tuple[str, ...] = ()

    def inputs(self, batch) -> list[torch.Tensor]:
        """The tensors of a ``(images, audio, labels)`` batch that this model reads."""
        images, audio = batch[0], batch[1]
        return [images if name == "image" else audio for name in self.reads]

    def embed(self, *inputs: torch.Tensor) -> torch.Tensor:
        """The features before the last layer (128-d, 64-d for the LSTM; the hybrids: the fused 256-d)."""
        raise NotImplementedError

    def forward(self, *inputs: torch.Tensor) -> torch.Tensor:
        """Class logits ``(n, 10)``."""
        return self.classifier(self.embed(*inputs))

    def loss(self, batch) -> dict[str, torch.Tensor]:
        logits = self(*self.inputs(batch))
        labels = batch[2]
        accuracy = (logits.argmax(1) == labels).float().mean()
        return {"loss": F.cross_entropy(logits, labels), "accuracy": accuracy}

    def configure_optimizers(self, lr: float) -> list[torch.optim.Optimizer]:
        return [torch.optim.Adam(self.parameters(), lr=lr, weight_decay=WEIGHT_DECAY)]

    def fit_input_scaling(self, audio: torch.Tensor) -> None:
        """Fit the audio standardisation on the training clips (nothing to do for image-only models)."""
        if hasattr(self, "audio_input"):
            self.audio_input.fit(audio)


def _image_input(images: torch.Tensor) -> torch.Tensor:
    return (images.reshape(-1, 1, 28, 28).float() - 0.5) / 0.5


class ImageNetCNN(DigitClassifier):
    """Table 1: the image alone."""

    reads = ("image",)

    def __init__(self) -> None:
        super().__init__()
        self.image_encoder = cnn_encoder(28, 28)
        self.classifier = nn.Linear(128, 10)

    def embed(self, images):
        return self.image_encoder(_image_input(images))


class AudioNetCNN(DigitClassifier):
    """Table 2: the MFCCs (or any 2-D audio features) read as a one-channel picture."""

    reads = ("audio",)

    def __init__(self, features: str = "mfcc39x13", masks: int = 0) -> None:
        super().__init__()
        self.audio_input = AudioInput(features, masks)
        self.audio_encoder = cnn_encoder(self.audio_input.frequencies, self.audio_input.frames)
        self.classifier = nn.Linear(128, 10)

    def embed(self, audio):
        return self.audio_encoder(self.audio_input(audio)[:, None])


class AudioNetLSTM(DigitClassifier):
    """Table 3: the frames in time order through a 2-layer LSTM, then FC 64 + ReLU."""

    reads = ("audio",)

    def __init__(self, features: str = "mfcc39x13") -> None:
        super().__init__()
        self.audio_input = AudioInput(features)
        self.audio_encoder = nn.Sequential(
            LastState(self.audio_input.frequencies), nn.Linear(64, 64), nn.ReLU()
        )
        self.classifier = nn.Linear(64, 10)

    def embed(self, audio):
        return self.audio_encoder(self.audio_input(audio).transpose(1, 2))


def fusion_classifier() -> nn.Sequential:
    """Table 6: FC 128 with batch norm and ReLU, dropout 0.25, FC 10, on the 256-d concatenation."""
    return nn.Sequential(
        nn.Linear(256, 128), nn.BatchNorm1d(128), nn.ReLU(), nn.Dropout(0.25), nn.Linear(128, 10)
    )


class HybridNet(DigitClassifier):
    """Both senses: each encoder gives 128 numbers, the classifier reads the 256 together."""

    reads = ("image", "audio")

    def embed(self, images, audio):
        return torch.cat([self.embed_image(images), self.embed_audio(audio)], dim=1)

    def embed_image(self, images: torch.Tensor) -> torch.Tensor:
        """The image encoder's 128-d half of the fused features."""
        return self.image_encoder(_image_input(images))

    def embed_audio(self, audio: torch.Tensor) -> torch.Tensor:
        """The audio encoder's 128-d half of the fused features."""
        raise NotImplementedError


class HybridNetCNN(HybridNet):
    """Table 4 + Table 6: the image CNN and the audio CNN, fused."""

    def __init__(self, features: str = "mfcc39x13") -> None:
        super().__init__()
        self.image_encoder = cnn_encoder(28, 28)
        self.audio_input = AudioInput(features)
        self.audio_encoder = cnn_encoder(self.audio_input.frequencies, self.audio_input.frames)
        self.classifier = fusion_classifier()

    def embed_audio(self, audio):
        return self.audio_encoder(self.audio_input(audio)[:, None])


class HybridNetCNNLSTM(HybridNet):
    """Table 5 + Table 6: the image CNN and an LSTM audio encoder (FC 128 + ReLU, dropout 0.25), fused."""

    def __init__(self, features: str = "mfcc39x13") -> None:
        super().__init__()
        self.image_encoder = cnn_encoder(28, 28)
        self.audio_input = AudioInput(features)
        self.audio_encoder = nn.Sequential(
            LastState(self.audio_input.frequencies), nn.Linear(64, 128), nn.ReLU(), nn.Dropout(0.25)
        )
        self.classifier = fusion_classifier()

    def embed_audio(self, audio):
        return self.audio_encoder(self.audio_input(audio).transpose(1, 2))
