"""From a drawing to a voice (lesson 17): the IAVAE, kit.voicing and kit.speaker.

The zoo's ``iavae`` and the audio judge ``audionet-cnn`` come with the kit; the quick-mode bar
trains a small model from scratch in a private runs folder.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
from PIL import Image, ImageDraw

from kit import judges, voicing, zoo
from kit.data import load_digit_images
from kit.features import LOG_STFT
from kit.models import IAVAE
from kit.models.iavae import gaussian_reconstruction
from kit.speaker import MAX_INK, MIN_CONFIDENCE, Speaker


@pytest.fixture(scope="module")
def speaker() -> Speaker:
    return Speaker()


@pytest.fixture(scope="module")
def test_digits() -> tuple[np.ndarray, np.ndarray]:
    """The first MNIST test image of every digit (or of the embedded digits)."""
    images = load_digit_images("test")
    first = [int(np.flatnonzero(images.labels == digit)[0]) for digit in range(10)]
    return images.as_float()[first], np.arange(10)


def canvas(draw) -> np.ndarray:
    """A 280x280 white RGB canvas with black strokes made by ``draw(ImageDraw)``."""
    picture = Image.new("RGB", (280, 280), "white")
    draw(ImageDraw.Draw(picture))
    return np.asarray(picture)


def seven(pen: ImageDraw.ImageDraw) -> None:
    pen.line([(70, 70), (210, 70), (120, 240)], fill="black", width=18)


# --- the model -----------------------------------------------------------------------------------------


def test_shapes_and_parameter_count():
    model = IAVAE()
    assert sum(p.numel() for p in model.parameters()) == 1_253_536  # 2.5 MB in float16: within 3 MB
    images = torch.rand(3, 28, 28)
    mu, logvar = model.encode(images)
    assert mu.shape == logvar.shape == (3, 16)
    scaled = model.generate(images)
    assert scaled.shape == (3, *LOG_STFT.shape) and 0 <= scaled.min() and scaled.max() <= 1
    assert model.speak(images).shape == (3, 128, 56)


def test_the_output_scale_is_fitted_and_travels_with_the_weights():
    model = IAVAE()
    model.fit_output_scaling(torch.tensor([[-80.0, 20.0]]))
    restored = IAVAE()
    restored.load_state_dict(model.state_dict())
    assert restored.scale.low.item() == -80 and restored.scale.high.item() == 20
    assert restored.scale.denormalise(torch.ones(1)).item() == pytest.approx(20.0)


def test_the_loss_is_the_gaussian_term_plus_the_weighted_kl():
    model = IAVAE(kl_warmup_steps=0, kl_weight=0.5, noise=0.2).eval()
    spectrograms, images = torch.rand(4, 128, 56) * 100 - 100, torch.rand(4, 28, 28)
    terms = model.loss((spectrograms, images))
    expected = terms["reconstruction"] + 0.5 * terms["kl"]
    assert terms["loss"].item() == pytest.approx(expected.item(), rel=1e-5)
    same = torch.full((2, 128, 56), 0.3)
    assert torch.equal(gaussian_reconstruction(same, same, 0.1), torch.zeros(2))
    one_off = gaussian_reconstruction(same + 0.1, same, 0.1)
    assert one_off == pytest.approx(torch.full((2,), 0.5 * 128 * 56), rel=1e-4)  # 1/2 per bin, one sigma off


def test_archetypes_are_the_per_digit_means():
    spectrograms = np.arange(20, dtype=np.float32).reshape(20, 1, 1).repeat(2, axis=1)
    digits = np.tile(np.arange(10), 2)
    expected = (np.arange(10) + np.arange(10, 20)) / 2
    assert np.allclose(voicing.archetypes(spectrograms, digits)[:, 0, 0], expected)


# --- the zoo's model: what it says ---------------------------------------------------------------------


def test_the_zoo_model_is_small_and_its_sound_is_finite_loud_enough_and_full_length(test_digits):
    assert zoo.entry("iavae")["bytes"] <= 3_000_000
    model = zoo.load("iavae")
    sound = voicing.voices(model, test_digits[0])
    assert sound.shape == (10, LOG_STFT.samples) and np.isfinite(sound).all()
    rms = np.sqrt((sound**2).mean(axis=1))
    assert (np.abs(sound).max(axis=1) > 0.05).all() and (rms > 0.005).all()  # not silence
    assert (np.abs(sound).max(axis=1) <= 1).all()


def test_the_audio_judge_hears_the_digit_drawn(test_digits):
    heard = judges.hear(voicing.voices(zoo.load("iavae"), test_digits[0])).argmax(axis=1)
    assert (heard == test_digits[1]).sum() >= 8  # of 10; chance is 1


# --- the sketchpad's logic -----------------------------------------------------------------------------


def test_a_drawn_seven_is_said_as_seven(speaker):
    said = speaker.say_drawing(canvas(seven))
    assert said.image.shape == (28, 28) and said.spectrogram.shape == (128, 56)
    assert said.waveform.shape == (LOG_STFT.samples,) and np.abs(said.waveform).max() > 0.05
    assert said.check.digit_like and said.check.digit == 7
    assert said.digit == 7 and said.probabilities.sum() == pytest.approx(1, abs=1e-4)


def test_an_mnist_digit_is_said(speaker, test_digits):
    heard = [speaker.say_digit(image).digit for image in test_digits[0]]
    assert sum(h == d for h, d in zip(heard, test_digits[1], strict=True)) >= 8


@pytest.mark.parametrize(
    ("drawing", "words"),
    [
        (None, "empty"),
        (np.full((280, 280, 3), 255, np.uint8), "empty"),  # a blank canvas
        (np.zeros((280, 280, 4), np.uint8), "empty"),  # a transparent one
        (np.zeros((5, 5, 7)), "grey, RGB or RGBA"),
        (np.zeros(10), "grey, RGB or RGBA"),
    ],
)
def test_bad_drawings_get_a_clear_message(speaker, drawing, words):
    with pytest.raises(ValueError, match=words):
        speaker.say_drawing(drawing)


@pytest.mark.parametrize(
    ("image", "words"),
    [(np.zeros((27, 28)), "28x28"), (np.full((28, 28), np.nan), "NaN"), (np.zeros((28, 28)), "empty")],
)
def test_bad_digits_get_a_clear_message(speaker, image, words):
    with pytest.raises(ValueError, match=words):
        speaker.say_digit(image)


def test_a_blot_is_said_but_flagged(speaker):
    said = speaker.say_drawing(canvas(lambda pen: pen.rectangle([90, 90, 190, 190], fill="black")))
    assert not said.check.digit_like and said.check.ink_share > MAX_INK
    assert "ink covers" in said.check.reason
    assert np.isfinite(said.waveform).all()  # the model still says something


def test_a_scribble_is_flagged():
    rng = np.random.default_rng(0)
    points = [tuple(int(v) for v in rng.integers(20, 260, 2)) for _ in range(12)]
    said = Speaker().say_drawing(canvas(lambda pen: pen.line(points, fill="black", width=12)))
    assert said.check.confidence < MIN_CONFIDENCE and "LeNet is only" in said.check.reason


# --- the quick-mode bar ----------------------------------------------------------------------------------


STEPS = 400  # about 8 s of a laptop core


def test_a_model_trained_for_a_few_hundred_steps_is_heard_well_above_chance():
    """The zoo's data in quick mode (FSDD and eSpeak voices; eSpeak alone without data), many-to-one,
    STEPS steps by hand."""
    from kit.data import SOURCES
    from kit.experiments import cross_modal_data
    from kit.train import seed_everything

    with warnings.catch_warnings():  # without data: the embedded digits and voices, as the kit says
        warnings.simplefilter("ignore", UserWarning)
        pairs = cross_modal_data("mnist-fsdd+espeak" if SOURCES["fsdd"].available() else "mnist-fsdd",
                                 "voices", "many-to-one", feature="logstft", quick=True)
    seed_everything(0)
    model = IAVAE()
    model.fit_output_scaling(pairs.train.audio)
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    step = 0
    while step < STEPS:
        for batch in pairs.train:
            step += 1
            loss = model.loss(batch, step)["loss"]
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            if step == STEPS:
                break
    images = pairs.test_images
    heard = judges.hear(voicing.voices(model.eval(), images.as_float()[:200])).argmax(axis=1)
    assert (heard == images.labels[:200]).mean() > 0.3  # chance is 0.1; measured 0.39 with FSDD


def test_diversity_is_low_for_one_voice_and_one_for_the_real_voices(test_digits):
    from kit.data.default import load_spoken_digits

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        corpus = load_spoken_digits()
    clips = voicing.random_subset(corpus.subset(np.flatnonzero(corpus.digits < 2)), 40)
    real = voicing.resynthesise(clips.waveforms(progress=False))
    assert voicing.heard(real, clips.digits, real, clips.digits)["diversity"] == pytest.approx(1.0)
    copies = voicing.voices(zoo.load("iavae"), np.repeat(test_digits[0][:2], 5, axis=0))  # a 0, a 1: 5 each
    judged = voicing.heard(copies, np.repeat([0, 1], 5), real, clips.digits)
    # not 0: Griffin-Lim starts every clip from its own random phase (0.14 for one spectrogram per digit
    # said 20 times, against the training voices)
    assert judged["diversity"] < 0.35 and judged["accuracy"] == 1.0
