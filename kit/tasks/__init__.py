"""The task registry: what each kind of model learns, on which data, and how it is judged (lessons 4-17).

A task knows its data (train batches, validation batches, test material), how
to measure a trained model (its metrics, each naming its judge), what to show
(a grid of samples) and, optionally, a cheap per-epoch measure for curves.
A model class names its task in a class attribute ``task``; a new model
family is an entry in :data:`kit.models.MODELS` (and, for a new kind of
problem, a :class:`Task` here), not a new branch in the run code.

=====================  ===================================  =====================================
task                   models                               judged by
=====================  ===================================  =====================================
image-classification   lenet5                               its own test accuracy and macro-F1
image-reconstruction   mlp-ae, conv-ae, mlp-vae, conv-vae   LeNet reads the reconstructed digit
image-generation       dcgan                                LeNet groups the drawings: diversity, prdc
audio-to-image         aivae, fast-aivae, aivaegan,         LeNet reads the digit drawn for a clip
                       fast-aivaegan, mfcc-vae
digit-classification   imagenet-cnn, audionet-cnn,          its own test accuracy and macro-F1 on
                       audionet-lstm, hybridnet-cnn,        the same image-clip pairs (seed 003)
                       hybridnet-cnn-lstm
audio-visual-          avc-net, avc-distance, avc-infonce   held-out matching and mismatching
correspondence                                              pairs; retrieval both ways (lesson 15)
audio-generation       audio-vae-mlp, audio-vae-cnn         the audio judge hears reconstructions,
                                                            prior samples and the latent map (16)
image-to-audio         iavae                                the audio judge hears the digit said
                                                            for a test image (lesson 17)
=====================  ===================================  =====================================
"""

from __future__ import annotations

from .audio_to_image import AudioToImage
from .base import Task, TaskData
from .correspondence import AudioVisualCorrespondence
from .digits import DigitClassification
from .image_to_audio import ImageToAudio
from .images import ImageClassification, ImageGeneration, ImageReconstruction
from .speech import AudioGeneration

TASKS: dict[str, Task] = {
    task.name: task
    for task in (
        ImageClassification(), ImageReconstruction(), ImageGeneration(), AudioToImage(),
        DigitClassification(), AudioVisualCorrespondence(), AudioGeneration(), ImageToAudio(),
    )
}


def task_of(model: str) -> Task:
    """The task of the model registered as ``model`` in :data:`kit.models.MODELS`."""
    from ..models import MODELS

    if model not in MODELS:
        raise ValueError(f"unknown model {model!r}; models: {', '.join(MODELS)}")
    return TASKS[MODELS[model].task]


__all__ = [
    "TASKS",
    "AudioGeneration",
    "AudioToImage",
    "AudioVisualCorrespondence",
    "DigitClassification",
    "ImageClassification",
    "ImageGeneration",
    "ImageReconstruction",
    "ImageToAudio",
    "Task",
    "TaskData",
    "task_of",
]
