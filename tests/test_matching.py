"""kit.matching: drawings become MNIST-like digits; the zoo's shared space finds digits for clips and back."""

from __future__ import annotations

import numpy as np
import pytest
import soundfile as sf
import torch
from PIL import Image

from kit import explorer, zoo
from kit.audio import AudioError
from kit.data import load_digit_images
from kit.matching import Matcher, digit_from_drawing
from tests.explorer_app import APP

EXAMPLES = APP.parent / "examples"


def canvas(digit: np.ndarray, kind: str, size: int = 280, margin: int = 60) -> np.ndarray:
    """An MNIST digit drawn large and off-centre on a sketchpad-like canvas of ``kind``."""
    ink = np.asarray(Image.fromarray((digit * 255).astype(np.uint8)).resize((150, 150)), np.float32) / 255
    full = np.zeros((size, size), np.float32)
    full[margin : margin + 150, margin + 30 : margin + 180] = ink
    if kind == "dark on white":
        return np.repeat(((1 - full) * 255)[..., None], 3, axis=2).astype(np.uint8)
    if kind == "transparent":  # black strokes, opaque where drawn
        return np.dstack([np.zeros((size, size, 3)), full * 255]).astype(np.uint8)
    return (full * 255).astype(np.uint8)  # light on dark, grey


@pytest.fixture(scope="module")
def digits():
    images = load_digit_images("test")
    first = [int(np.flatnonzero(images.labels == d)[0]) for d in range(10)]
    return images.images[first].astype(np.float32) / 255, images.labels[first]


@pytest.mark.parametrize("kind", ["dark on white", "transparent", "light on dark"])
def test_a_large_drawing_becomes_a_digit_lenet_reads(digits, kind):
    lenet = zoo.load("lenet5")
    images, labels = digits
    made = np.stack([digit_from_drawing(canvas(image, kind)) for image in images])
    assert made.shape == (10, 28, 28) and made.min() >= 0 and made.max() == pytest.approx(1)
    rows, columns = np.nonzero(made[0] > 0.1)
    assert rows.max() - rows.min() <= 21 and columns.max() - columns.min() <= 21  # scaled into 20x20 ...
    assert min(rows.min(), columns.min()) >= 1 and max(rows.max(), columns.max()) <= 26  # ... and inside
    assert (lenet(torch.from_numpy(made)).argmax(1).numpy() == labels).sum() >= 9


def test_every_canvas_gives_the_same_digit(digits):
    image = digits[0][3]
    kinds = ("dark on white", "transparent", "light on dark")
    made = [digit_from_drawing(canvas(image, kind)) for kind in kinds]
    assert np.abs(made[0] - made[1]).max() < 0.05 and np.abs(made[0] - made[2]).max() < 0.05


def test_bad_drawings_are_refused_with_a_reason():
    with pytest.raises(ValueError, match="empty"):
        digit_from_drawing(np.full((100, 100, 3), 255, np.uint8))
    with pytest.raises(ValueError, match="empty"):
        digit_from_drawing(np.zeros((100, 100, 4), np.uint8))
    with pytest.raises(ValueError, match="grey, RGB or RGBA"):
        digit_from_drawing(np.zeros((4, 4, 2)))


@pytest.fixture(scope="module")
def matcher():
    return Matcher()


def test_a_spoken_digit_finds_handwritten_ones_of_its_digit(matcher):
    found = [matcher.digits_for_file(path) for path in explorer.example_clips(EXAMPLES)]
    right = [match.digit == explorer.spoken_digit(path) for path, matches in
             zip(explorer.example_clips(EXAMPLES), found, strict=True) for match in matches]
    assert len(right) == 180 and np.mean(right) >= 0.8  # chance: 10 %
    distances = [match.distance for match in found[0]]
    assert distances == sorted(distances) and 0 <= distances[0] <= 2


def test_a_handwritten_digit_finds_clips_of_its_digit(matcher, digits):
    images, labels = digits
    found = [matcher.clips_for_image(image) for image in images]
    right = [match.digit == label for matches, label in zip(found, labels, strict=True) for match in matches]
    assert len(right) == 30 and np.mean(right) >= 0.8
    assert all(match.path.is_file() for match in found[0])


def test_the_matcher_refuses_what_it_cannot_use(matcher, tmp_path):
    with pytest.raises(ValueError, match="28x28"):
        matcher.clips_for_image(np.zeros((32, 32)))
    with pytest.raises(ValueError, match="between 1 and"):
        matcher.clips_for_image(np.zeros((28, 28)), k=0)
    silent = tmp_path / "silence.wav"
    sf.write(silent, np.zeros(8000, np.float32), 8000)
    with pytest.raises(AudioError):
        matcher.digits_for_file(silent)
    with pytest.raises(ValueError, match="no shared space"):
        Matcher("fast-aivae")
