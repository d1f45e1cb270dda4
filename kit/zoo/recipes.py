"""How every zoo model is made: a run configuration, trained and published (``python -m kit zoo build NAME``).

Each recipe is a :class:`~kit.runs.RunConfig` trained through the same path
as any run (:func:`kit.runs.train_run`, into ``runs/zoo-NAME``), measured
again on the stored float16 weights and published with
:func:`kit.zoo.publish`, so zoo metrics have the same names as run metrics.
Entries:

``lenet5``
    the judge of every evaluation (lesson 4), 10 epochs on MNIST.
``fast-aivae``
    the playground's audio-to-image model (lesson 8): :class:`~kit.models.FastAIVAE`
    trained on five FSDD speakers plus 40 eSpeak voices and 60 more eSpeak
    women's voices (the ``voices`` split keeps FSDD's ``yweweler`` and the
    eSpeak accent ``en-029`` out, to validate on), each clip also in four
    augmented versions, some in simulated rooms (:mod:`kit.augment`'s
    ``speed+tilt+room+pad+noise``), re-paired with fresh MNIST images every
    epoch: of the variants of ``docs/reproduction.md``, the one the
    validation voices chose by its written rule. It is also scored on the
    Speech Commands and AudioMNIST samples, voices no model here trained on
    (evaluation only).
``conv-vae-2d`` / ``conv-vae-16d``
    image VAEs for the latent sliders (lessons 5-6), trained on MNIST.
``dcgan``
    the GAN lesson's digit generator (lessons 9 and 11): :class:`~kit.models.DCGAN`,
    non-saturating loss, Adam at 2e-4 (DCGAN's), 5 epochs on MNIST.
``avc-infonce``
    the latent explorer's "find the match" model (lesson 15): the contrastive
    :class:`~kit.models.AVCInfoNCE`, on five FSDD speakers and 40 eSpeak
    voices (the ``voices`` split holding ``yweweler``
    and ``en-029`` out, each clip also in two augmented versions), judged by
    retrieval both ways and with the unseen samples as queries.
``audionet-cnn``
    the judge of generated sound (lessons 12, 16 and 17): seed 003's
    AudioNet_CNN on the 48x48 log-mel, trained on FSDD and the 40 eSpeak
    voices (the ``voices`` split) with four augmented copies of every clip made by
    the default chain of :mod:`kit.augment`, scored on every validation
    voice set and on the unseen samples.
``iavae``
    the latent explorer's "from a drawing to a voice" model (lesson 17): the
    image-to-audio :class:`~kit.models.IAVAE` on MNIST paired many-to-one with
    FSDD's and eSpeak's voices (the ``voices`` split's training side), so that
    each digit gets one archetypal voice; judged by the audio judge and
    PocketSphinx on MNIST test images, and by the round trip.
``audio-vae-cnn-2d``
    lesson 16's VAE that speaks: seed 004's CNN VAE (strided, see
    :mod:`kit.models.audio_vae`) with a 2-D latent on the log-STFT of the
    clips of FSDD and eSpeak (the ``voices`` split), one global scale stored with
    it, judged by the audio judge and PocketSphinx (:mod:`kit.speaking`).
``audio-vae-guided-2d``
    lesson 16's map that speaks its digits: the same CNN with the digit-guided
    map and a prior of one Gaussian per digit (``guide``, ``digit_prior``,
    :mod:`kit.models.audio_vae`), trained five times longer with a one-cycle
    schedule; its regions are heard as their digits, and its prior says the
    digit asked for.
"""

from __future__ import annotations

import torch

from .. import zoo
from ..augment import DEFAULT_STEPS
from ..latent import LatentAxes, principal_axes, prior_axes
from ..models.audio_vae import GUIDED_MAP
from ..runs import RunConfig, load_run_model, train_run
from ..tasks import TASKS, TaskData

RECIPES: dict[str, RunConfig] = {
    "lenet5": RunConfig("lenet5", epochs=10),
    "fast-aivae": RunConfig("fast-aivae", data="mnist-fsdd+espeak-more", split="voices", pairing="resampled",
                            augment=4, augmentation="speed+tilt+room+pad+noise", lr_schedule="onecycle",
                            epochs=24),
    "conv-vae-2d": RunConfig("conv-vae", options={"latent_dim": 2}, epochs=10),
    "conv-vae-16d": RunConfig("conv-vae", options={"latent_dim": 16}, epochs=10),
    "dcgan": RunConfig("dcgan", lr=2e-4, epochs=5),
    "avc-infonce": RunConfig("avc-infonce", data="mnist-fsdd+espeak", split="voices", augment=2,
                             lr_schedule="onecycle", epochs=12),
    "iavae": RunConfig("iavae", data="mnist-fsdd+espeak", split="voices", pairing="many-to-one", lr=3e-3,
                       lr_schedule="onecycle", epochs=3),
    "audionet-cnn": RunConfig("audionet-cnn", data="mnist-fsdd+espeak", split="voices", features="mel48",
                              augment=4, augmentation=DEFAULT_STEPS, batch_size=64, lr_schedule="onecycle",
                              epochs=6),
    "audio-vae-cnn-2d": RunConfig("audio-vae-cnn", options={"latent_dim": 2}, data="fsdd+espeak", epochs=12),
    "audio-vae-guided-2d": RunConfig("audio-vae-cnn", options={"latent_dim": 2, **GUIDED_MAP},
                                     data="fsdd+espeak", lr_schedule="onecycle", epochs=60),
}
SLIDERS = 8  # principal axes stored for latents larger than this


def slider_axes(model: torch.nn.Module, data: TaskData) -> LatentAxes | None:
    """The latent explorer's slider axes: the prior's for small latents, else principal axes of the codes."""
    if not hasattr(model, "encode") or not hasattr(model, "decode") or hasattr(model, "speaks"):
        return None  # a model that speaks decodes a point into a sound: no digit to slide through
    if model.task == "audio-to-image":
        inputs = data.test.train.audio[: len(data.test.train_clips)]  # the clean clips, not their copies
    else:
        inputs = data.train.tensors[0]
    with torch.no_grad():
        codes = model.encode(inputs)[0]
    return prior_axes(codes.shape[1]) if codes.shape[1] <= SLIDERS else principal_axes(codes, SLIDERS)


def build(name: str, epochs: int | None = None, progress: bool = True, resume: bool = True) -> dict:
    """Train the recipe ``name`` (finished runs reused, interrupted ones resumed), then publish it."""
    if name not in RECIPES:
        raise ValueError(f"the zoo has no recipe {name!r}; recipes: {', '.join(RECIPES)}")
    config = RECIPES[name] if epochs is None else RECIPES[name].replace(epochs=epochs)
    run = train_run(config, f"zoo-{name}", resume=resume, progress=progress)
    model, data = load_run_model(run)
    zoo.publish(name, model, config=config.as_dict(), data=data.description, metrics={},
                history=run.history(), trained=run.status, axes=slider_axes(model, data))
    return _measure(name, config, data)


def measure(name: str) -> dict:
    """Measure the published ``name`` again with today's code (features, judges), without training.

    Its data are made again from the recipe it was built with; the manifest's
    metrics are replaced by the new figures.
    """
    if name not in zoo.manifest():
        raise ValueError(f"the zoo has no published {name!r}; build it first: python -m kit zoo build {name}")
    config = RunConfig.from_dict(zoo.entry(name)["config"])
    return _measure(name, config, TASKS[config.task].data(config))


def _measure(name: str, config: RunConfig, data: TaskData) -> dict:
    """Measure the stored model ``name`` (what users get) on ``data`` and record it in the manifest."""
    stored = zoo.load(name)
    zoo.update_metrics(name, TASKS[config.task].evaluate(stored, data))
    return zoo.entry(name)
