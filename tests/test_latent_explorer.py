"""The latent explorer app (apps/latent_explorer.py), driven through gradio_client like a remote user.

The app is launched once in this process on a free port; every test talks to it over HTTP.
It needs the zoo's generators (committed with the kit): without them these tests fail.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
import numpy as np
import pytest
import soundfile as sf
import soxr
from PIL import Image

from kit import explorer
from tests.explorer_app import APP

EXAMPLES = APP.parent / "examples"
# gradio 6.31's queue calls pandas in ways pandas 3 deprecates; not ours to fix
pytestmark = pytest.mark.filterwarnings("ignore::pandas.errors.Pandas4Warning")


@pytest.fixture(scope="module")
def client(app, tmp_path_factory):
    from gradio_client import Client

    return Client(app.demo.local_url, verbose=False, download_files=str(tmp_path_factory.mktemp("downloads")))


def pixels(path: str) -> np.ndarray:
    return np.asarray(Image.open(path).convert("L"), dtype=np.float32)


def decode(client, model: str, *positions: float) -> np.ndarray:
    positions = list(positions) + [0.0] * (explorer.MAX_SLIDERS - len(positions))
    return pixels(client.predict(model, *positions, api_name="/decode"))


def draw(client, path: Path) -> tuple:
    from gradio_client import handle_file

    return client.predict(handle_file(str(path)), api_name="/draw")


def clip(digit: int, voice: int = 0) -> Path:
    """A bundled example clip of ``digit`` (two voices each)."""
    return [p for p in explorer.example_clips(EXAMPLES) if explorer.spoken_digit(p) == digit][voice]


# --- latent sliders ----------------------------------------------------------------------------------


@pytest.mark.parametrize("model", list(explorer.EXPLORER_MODELS))
def test_each_slider_changes_the_digit(client, model):
    centre = decode(client, model)
    assert centre.shape == (224, 224)
    for axis in range(2):  # the first two axes of every model
        moved = decode(client, model, *([0.0] * axis + [2.5]))
        assert np.abs(moved - centre).mean() > 5, f"{model}: moving axis {axis + 1} left the digit unchanged"


def test_choose_model_shows_one_slider_per_axis(app, client):
    for model, visible in (("conv-vae-2d", 2), ("conv-vae-16d", 8), ("fast-aivae", 8)):
        *sliders, image = client.predict(model, api_name="/choose_model")
        hidden = explorer.MAX_SLIDERS - visible
        assert [s["visible"] for s in sliders] == [True] * visible + [False] * hidden
        assert all(s["value"] == 0 for s in sliders)
        assert np.array_equal(pixels(image), decode(client, model))
    assert app.EXPLORER.axis_labels("conv-vae-2d") == ["z1", "z2"]
    assert app.EXPLORER.axis_labels("fast-aivae")[0] == "principal axis 1"


def test_reset_returns_to_the_centre(client):
    *positions, randomised = client.predict("conv-vae-16d", 7, api_name="/randomise")
    *positions, reset = client.predict("conv-vae-16d", api_name="/reset")
    assert positions == [0.0] * explorer.MAX_SLIDERS
    assert np.array_equal(pixels(reset), decode(client, "conv-vae-16d"))
    assert not np.array_equal(pixels(reset), pixels(randomised))


def test_the_same_seed_gives_the_same_digit(client):
    *first, image = client.predict("fast-aivae", 3, api_name="/randomise")
    *again, image_again = client.predict("fast-aivae", 3, api_name="/randomise")
    *other, other_image = client.predict("fast-aivae", 4, api_name="/randomise")
    assert first == again and first != other
    assert all(-explorer.SLIDER_RANGE <= p <= explorer.SLIDER_RANGE for p in first)
    assert np.array_equal(pixels(image), pixels(image_again))
    assert np.abs(pixels(image) - pixels(other_image)).mean() > 1
    assert np.array_equal(pixels(image), decode(client, "fast-aivae", *first))


# --- interpolation -----------------------------------------------------------------------------------


def strip_pixels(gallery: list[dict]) -> list[np.ndarray]:
    return [pixels(item["image"]) for item in gallery]


@pytest.mark.parametrize("steps", [3, 8])
def test_interpolating_two_digits(client, steps):
    gallery, status = client.predict("conv-vae-16d", 3, 0, 8, 0, steps, api_name="/interpolate_digits")
    images = strip_pixels(gallery)
    assert len(images) == steps
    assert np.abs(images[0] - images[-1]).mean() > 5
    assert [item["caption"] for item in gallery][0 :: steps - 1] == ["0.00", "1.00"]
    assert "(a 3)" in status and "(a 8)" in status


def test_which_test_image_is_used(client):
    first = client.predict("conv-vae-2d", 5, 0, 5, 0, 3, api_name="/interpolate_digits")
    second = client.predict("conv-vae-2d", 5, 1, 5, 1, 3, api_name="/interpolate_digits")
    assert first[1] != second[1]  # the status names other test images
    assert not np.array_equal(strip_pixels(first[0])[0], strip_pixels(second[0])[0])


def test_interpolating_two_spoken_clips(client):
    from gradio_client import handle_file

    gallery, status = client.predict(
        handle_file(str(clip(1))), handle_file(str(clip(8))), 6, api_name="/interpolate_clips"
    )
    images = strip_pixels(gallery)
    assert len(images) == 6
    assert np.abs(images[0] - images[-1]).mean() > 5
    assert clip(1).name in status


def test_interpolating_an_unusable_clip_says_why(client, tmp_path):
    from gradio_client import handle_file

    silent = tmp_path / "quiet.wav"
    sf.write(silent, np.zeros(8000, np.float32), 8000)
    gallery, status = client.predict(
        handle_file(str(clip(1))), handle_file(str(silent)), 4, api_name="/interpolate_clips"
    )
    assert gallery == [] and "silent" in status


# --- the playground ----------------------------------------------------------------------------------


def test_the_bundled_examples_are_reproducible(tmp_path):
    """A fresh process makes the same files (eSpeak keeps state between calls, so not any process)."""
    subprocess.run([sys.executable, "-c", "import sys; from kit import explorer; "
                    "explorer.make_example_clips(sys.argv[1])", str(tmp_path)], check=True, timeout=120)
    made = explorer.example_clips(tmp_path)
    bundled = explorer.example_clips(EXAMPLES)
    assert [p.name for p in made] and sorted(p.name for p in made) == [p.name for p in bundled]
    for path in made:
        assert path.read_bytes() == (EXAMPLES / path.name).read_bytes(), path.name
        info = sf.info(path)
        assert (info.samplerate, info.channels, info.subtype) == (8000, 1, "PCM_16")


def confidences(label: dict) -> dict[str, float]:
    return {item["label"]: item["confidence"] for item in label["confidences"]}


def test_the_bundled_examples_are_drawn_as_their_digits(client):
    right = []
    for path in explorer.example_clips(EXAMPLES):
        waveform, mel, digit, label, status = draw(client, path)
        assert pixels(waveform).shape == (120, 480) and pixels(mel).shape == (288, 288)
        assert pixels(digit).shape == (224, 224)
        probabilities = confidences(label)
        assert sorted(probabilities) == [str(d) for d in range(10)]
        assert sum(probabilities.values()) == pytest.approx(1, abs=1e-4)
        assert label["label"] == max(probabilities, key=probabilities.get)
        assert f"as a {label['label']}" in status
        right.append(label["label"] == str(explorer.spoken_digit(path)))
    assert len(right) == 20
    assert sum(right) >= 18, f"only {sum(right)} of {len(right)} examples drawn as the spoken digit"


def test_stereo_44k_and_mp3_simply_work(client, tmp_path):
    y, sr = sf.read(clip(7), dtype="float32")
    stereo = tmp_path / "stereo.wav"
    y44 = soxr.resample(y, sr, 44100)
    sf.write(stereo, np.stack([y44, 0.5 * y44], axis=1), 44100)
    *_, label, status = draw(client, stereo)
    assert "resampled from 44,100 Hz" in status and "2 channels mixed down" in status
    assert label["label"] == "7"

    mp3 = tmp_path / "seven.mp3"
    sf.write(mp3, y44, 44100, format="MP3")
    *_, label, status = draw(client, mp3)
    assert label["label"] == "7" and "resampled from 44,100 Hz" in status


def bad_inputs(folder: Path) -> dict[str, tuple[Path, str]]:
    """Files a learner might give the playground, each with the words its message must contain."""
    text = folder / "notes.wav"
    text.write_text("This is a shopping list, not a recording.\n")
    silence = folder / "silence.wav"
    sf.write(silence, np.zeros(8000, np.float32), 8000)
    long = folder / "ten_minutes.wav"
    t = np.arange(600 * 8000) / 8000
    sf.write(long, (0.3 * np.sin(2 * np.pi * 220 * t)).astype(np.float32), 8000, subtype="PCM_16")
    return {
        "not audio": (text, "not a readable audio file"),
        "silence": (silence, "silent"),
        "ten minutes": (long, "600.0 s long"),
    }


@pytest.mark.parametrize("case", ["not audio", "silence", "ten minutes"])
def test_bad_input_gets_a_clear_message_and_the_app_keeps_working(client, tmp_path, case):
    path, words = bad_inputs(tmp_path)[case]
    waveform, mel, digit, label, status = draw(client, path)
    assert words in status and status.startswith("Cannot use this clip:")
    assert "Traceback" not in status and str(tmp_path) not in status
    assert waveform is None and digit is None
    *_, label, status = draw(client, clip(4))  # a good request right after
    assert label["label"] and status.startswith("LeNet reads")


def test_no_clip_asks_for_one(client):
    *images, label, status = client.predict(None, api_name="/draw")
    assert images == [None, None, None] and "Record or upload" in status


def test_uploads_over_the_limit_are_refused(app, client, tmp_path):
    from gradio_client import handle_file

    big = tmp_path / "big.wav"
    sf.write(big, np.full(44100 * 130, 0.1, np.float32), 44100, subtype="PCM_16")  # 11.5 MB
    assert big.stat().st_size > 10 * 1024 * 1024
    with pytest.raises(ValueError, match="exceeds the maximum file size"):
        client.predict(handle_file(str(big)), api_name="/draw")
    with big.open("rb") as stream:  # the server refuses it too, not only the client
        response = httpx.post(app.demo.local_url + "gradio_api/upload", files={"files": stream}, timeout=60)
    assert response.status_code == 413
    assert "10 MB" in app.INTRO
