"""The latent explorer: latent sliders, interpolation, the audio-to-image playground (lessons 6-7),
"find the match" (lesson 15) and "from a drawing to a voice" (lesson 17).

Run it with ``gradio apps/latent_explorer.py`` (reloads on edits) or
``python apps/latent_explorer.py``; it serves on http://127.0.0.1:7860, offline.
The logic lives in :mod:`kit.explorer`, :mod:`kit.playground`, :mod:`kit.matching` and
:mod:`kit.speaker`; this file only lays it out.
Every handler has an ``api_name``, so ``gradio_client`` can call it (the tests do).
"""

from __future__ import annotations

import os
import threading

# Before gradio is imported: no analytics, no version check, no hub calls.
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from pathlib import Path  # noqa: E402

import gradio as gr  # noqa: E402
import numpy as np  # noqa: E402
from gradio.utils import get_upload_folder  # noqa: E402

from kit.audio import AudioError, load_audio  # noqa: E402
from kit.explorer import (  # noqa: E402
    EXPLORER_MODELS,
    IMAGE_MODELS,
    MAX_SLIDERS,
    SLIDER_RANGE,
    LatentExplorer,
    digit_example,
    example_clips,
    random_positions,
)
from kit.matching import Matcher, digit_from_drawing  # noqa: E402
from kit.playground import (  # noqa: E402
    PLAYGROUND_SECONDS,
    Drawing,
    picture,
    save_bytes,
    save_png,
    wav_bytes,
    waveform_picture,
)
from kit.speaker import Speaker, Utterance  # noqa: E402

#: Largest upload the app accepts (passed to ``launch``); a 10-minute 8 kHz WAV is just under it.
UPLOAD_LIMIT_MB = 10
MAX_FILE_SIZE = f"{UPLOAD_LIMIT_MB}mb"
EXAMPLES = Path(__file__).resolve().parent / "examples"
EXPLORER = LatentExplorer()
MATCHER = Matcher()
SPEAKER = Speaker()
# The galleries are embedded in the background while the page loads (Python 3.11's cached_property
# locks: a request that comes first waits for them rather than embedding them twice).
threading.Thread(target=MATCHER.prepare, daemon=True).start()
FIRST_MODEL = "conv-vae-2d"  # the sliders' model when the page opens
#: Where the output pictures go: inside Gradio's cache folder, so that Gradio serves them as they are.
PICTURES = Path(get_upload_folder()) / "latent-explorer"

UPLOADS = f"Uploads: WAV, FLAC, OGG or MP3, at most {UPLOAD_LIMIT_MB} MB and {PLAYGROUND_SECONDS:.0f} s."
INTRO = f"""
# Latent explorer

What the course's generators have learned, in five tabs. All models come from the zoo (`kit/zoo/`):
nothing is trained here, and nothing leaves this machine.

* **Latent sliders** (lesson 6, VAEs): each slider moves the code along one axis of the latent space,
  in standard deviations; all sliders at 0 is the centre. A 2-D VAE has two sliders, its coordinates;
  larger latents get the 8 directions along which real codes spread most.
* **Interpolation** (lessons 6 and 7): encode two handwritten digits (conv VAE) or two spoken clips
  (AIVAE), then decode evenly spaced points on the straight line between their codes.
* **Audio to image playground** (lesson 7, cross-modal AIVAE): say or upload a digit and see the
  waveform, the 48x48 log-mel the model hears, the digit it draws and what LeNet reads in it.
  The model draws a digit for any sound; the status line says when the clip does not sound like speech.
  {UPLOADS}
* **Find the match** (lesson 15, audio-visual correspondence): a spoken digit finds the nine nearest
  handwritten digits of the MNIST test set in a space shared by sounds and pictures; a drawn or picked
  digit finds the three nearest spoken clips. Nothing is drawn: the model only knows what goes together.
* **From a drawing to a voice** (lesson 17, the image-to-audio VAE): draw a digit with the mouse or pick
  one of MNIST's, and hear what the model says for it: its spectrogram, made audible with Griffin-Lim,
  and what the audio judge (seed 003's AudioNet_CNN) hears in it.
"""


def digit_picture(image: np.ndarray) -> np.ndarray:
    """A 28x28 digit in [0, 1] as a 224x224 grey picture."""
    return picture(image, cmap="gray", scale=8)


def served(rgb: np.ndarray, name: str) -> str:
    """The path of a PNG of ``rgb`` that Gradio can serve while other requests run (:func:`save_png`).

    Handlers return paths, never arrays: Gradio 6.31 would write an array's PNG to a path named by
    its content on every request, rewriting a file that another request's client may be downloading.
    """
    return str(save_png(rgb, PICTURES, name))


def digit_file(image: np.ndarray) -> str:
    """A 28x28 digit in [0, 1] as a served 224x224 grey PNG."""
    return served(digit_picture(image), "digit")


# --- latent sliders ----------------------------------------------------------------------------------


def decode(model: str, *positions: float) -> str:
    """The digit at the sliders' positions."""
    return digit_file(EXPLORER.decode(model, positions))


def reset(model: str) -> list:
    """All sliders back to 0 (the centre) and its digit."""
    return [0.0] * MAX_SLIDERS + [decode(model, *[0.0] * MAX_SLIDERS)]


def randomise(model: str, seed: float | None) -> list:
    """Slider positions drawn for ``seed`` (the same seed gives the same digit) and their digit."""
    positions = random_positions(int(seed or 0))
    return positions + [decode(model, *positions)]


def slider_settings(model: str) -> list[dict]:
    """Label and visibility of each of the :data:`MAX_SLIDERS` sliders: one shown per axis of ``model``."""
    labels = EXPLORER.axis_labels(model)
    return [
        {"label": labels[i] if i < len(labels) else f"axis {i + 1}", "visible": i < len(labels)}
        for i in range(MAX_SLIDERS)
    ]


def choose_model(model: str) -> list:
    """Show one slider per axis of ``model`` (labelled), hide the rest, start at the centre."""
    sliders = [gr.Slider(value=0.0, **settings) for settings in slider_settings(model)]
    return sliders + [decode(model, *[0.0] * MAX_SLIDERS)]


# --- interpolation -----------------------------------------------------------------------------------


def strip(images: np.ndarray) -> list[tuple[str, str]]:
    """Gallery items: each decoded digit with its place on the line (0 = start, 1 = end)."""
    weights = np.linspace(0, 1, len(images))
    return [(digit_file(image), f"{weight:.2f}") for image, weight in zip(images, weights, strict=True)]


def interpolate_digits(
    model: str, first: float, which_first: float, last: float, which_last: float, steps: float
) -> tuple[list, str]:
    """The strip between two MNIST test digits, encoded by an image VAE."""
    start, start_index = digit_example(int(first), int(which_first or 0))
    end, end_index = digit_example(int(last), int(which_last or 0))
    images = EXPLORER.interpolate_digits(model, start, end, int(steps))
    return strip(images), (
        f"From MNIST test image #{start_index} (a {int(first)}) to #{end_index} "
        f"(a {int(last)}). The ends are the model's reconstructions, not the originals."
    )


def interpolate_clips(first: str | None, last: str | None, steps: float) -> tuple[list, str]:
    """The strip between two spoken clips, encoded by the AIVAE; a message instead if a clip is unusable."""
    if not first or not last:
        return [], "Give two clips: record, upload, or pick a pair of examples."
    try:
        images = EXPLORER.interpolate_clips(first, last, int(steps))
    except AudioError as error:
        gr.Warning(str(error))
        return [], f"Cannot use this clip: {error}"
    return strip(images), f"From {Path(first).name} to {Path(last).name}."


# --- audio to image playground -----------------------------------------------------------------------


def status_line(drawing: Drawing) -> str:
    """What LeNet reads, whether the clip sounds like speech, and what was done to the input."""
    status = f"LeNet reads the drawing as the digit {drawing.digit} ({drawing.probabilities.max():.0%} sure)."
    if not drawing.speech_like:
        status = (f"This does not sound like speech: {drawing.speech_reason}. The model draws a digit "
                  f"for any sound, so this one means little. {status}")
    if drawing.notes:
        status += " Input " + "; ".join(drawing.notes) + "."
    return status


def speech_summary(drawing: Drawing) -> dict:
    """The speech check as the API and the page show it: the verdict, why, and the three measures."""
    check = drawing.speech
    return {
        "speech_like": check.speech_like,
        "reason": check.reason,
        "frame_flatness": round(check.frame_flatness, 8),
        "average_flatness": round(check.average_flatness, 6),
        "loudness_spread_db": round(check.loudness_spread_db, 2),
    }


def draw(path: str | None) -> tuple:
    """Waveform, log-mel, drawn digit, LeNet's probabilities, status line and speech check of one clip."""
    if not path:
        return None, None, None, None, "Record or upload a spoken digit, or pick an example.", None
    try:
        drawing = EXPLORER.playground.draw_file(path)
    except AudioError as error:
        gr.Warning(str(error))
        return None, None, None, None, f"Cannot use this clip: {error}", None
    probabilities = {str(digit): float(p) for digit, p in enumerate(drawing.probabilities)}
    return (
        served(waveform_picture(drawing.waveform), "waveform"),
        served(picture(drawing.mel, flip=True, scale=6), "mel"),
        digit_file(drawing.image),
        probabilities,
        status_line(drawing),
        speech_summary(drawing),
    )


# --- find the match ----------------------------------------------------------------------------------

DISTANCES = "Distances between unit-length embeddings: 0 is the same direction, 2 the opposite."


def match_clip(path: str | None) -> tuple[list, str]:
    """The nine handwritten digits nearest to a spoken clip, captioned with their distances."""
    if not path:
        return [], "Record or upload a spoken digit, or pick an example."
    try:
        found = MATCHER.digits_for_file(path, 9)
    except AudioError as error:
        gr.Warning(str(error))
        return [], f"Cannot use this clip: {error}"
    digits = ", ".join(str(match.digit) for match in found)
    return ([(digit_file(match.image), f"{match.distance:.2f}") for match in found],
            f"The nine nearest of {len(MATCHER.images):,} handwritten digits show: {digits}. {DISTANCES}")


def served_clip(path: Path) -> str:
    """A gallery clip as a WAV that Gradio serves (the recordings themselves may live anywhere)."""
    return str(save_bytes(wav_bytes(load_audio(path)), PICTURES, f"{Path(path).stem}.wav"))


def match_image(image: np.ndarray) -> tuple:
    """The digit as the model sees it, the three nearest clips and a status line."""
    found = MATCHER.clips_for_image(image, 3)
    status = "The three nearest clips: " + "; ".join(
        f"{match.speaker} says {match.digit} (distance {match.distance:.2f})" for match in found
    ) + f". {DISTANCES}"
    return (digit_file(image), *[served_clip(match.path) for match in found], status)


def match_drawing(sketch: dict | None) -> tuple:
    """The three clips nearest to a drawing; a message instead when there is nothing drawn."""
    composite = (sketch or {}).get("composite")
    try:
        if composite is None:
            raise ValueError("the drawing is empty: draw a digit first")
        image = digit_from_drawing(np.asarray(composite))
    except ValueError as error:
        return None, None, None, None, f"Cannot use this drawing: {error}."
    return match_image(image)


def match_digit(digit: float | None, which: float | None) -> tuple:
    """The three clips nearest to an MNIST test digit."""
    if digit is None:
        return None, None, None, None, "Pick a digit."
    return match_image(digit_example(int(digit), int(which or 0))[0])


# --- from a drawing to a voice ----------------------------------------------------------------------


def voice_status(utterance: Utterance) -> str:
    """What the audio judge hears, and whether the picture looks like a digit at all."""
    status = f"The audio judge hears a {utterance.digit} ({utterance.probabilities.max():.0%} sure)."
    if not utterance.check.digit_like:
        status = (f"This does not look like a digit: {utterance.check.reason}. The model says something "
                  f"for any picture, so this means little. {status}")
    return status


def say(utterance: Utterance) -> tuple:
    """The digit as the model sees it, the sound, its spectrogram, the judge's probabilities, a status."""
    probabilities = {str(digit): float(p) for digit, p in enumerate(utterance.probabilities)}
    return (
        digit_file(utterance.image),
        str(save_bytes(wav_bytes(utterance.waveform), PICTURES, "spoken.wav")),
        served(picture(np.repeat(utterance.scaled, 3, axis=1), flip=True, scale=2), "spectrogram"),  # 256x336
        probabilities,
        voice_status(utterance),
    )


def say_drawing(sketch: dict | None) -> tuple:
    """What the model says for a drawing; a message instead when there is nothing (usable) drawn."""
    try:
        return say(SPEAKER.say_drawing((sketch or {}).get("composite")))
    except ValueError as error:
        return None, None, None, None, f"Cannot use this drawing: {error}."


def say_digit(digit: float | None, which: float | None) -> tuple:
    """What the model says for an MNIST test digit."""
    if digit is None:
        return None, None, None, None, "Pick a digit."
    return say(SPEAKER.say_digit(digit_example(int(digit), int(which or 0))[0]))


# --- layout ------------------------------------------------------------------------------------------


def image(label: str, elem_id: str, value: str | None = None) -> gr.Image:
    """An output picture (PNG, so that pixels arrive exactly as computed)."""
    return gr.Image(
        value=value, label=label, elem_id=elem_id, format="png", interactive=False, buttons=["download"]
    )


def audio_input(label: str, elem_id: str | None = None) -> gr.Audio:
    """A clip from the microphone or a file, passed on as the file itself (no conversion)."""
    return gr.Audio(
        sources=["microphone", "upload"],
        type="filepath",
        format=None,
        label=label,
        buttons=["download"],
        elem_id=elem_id,
    )


def gallery(label: str, elem_id: str) -> gr.Gallery:
    """An output strip of digits, in one row."""
    return gr.Gallery(
        label=label,
        show_label=False,  # the section's heading says what the strip is
        elem_id=elem_id,
        format="png",
        columns=16,  # fewer images spread over the width: one row up to the slider's maximum
        height=190,
        object_fit="contain",
        allow_preview=False,
        interactive=False,
    )


with gr.Blocks(title="Latent explorer") as demo:
    gr.Markdown(INTRO)

    with gr.Tab("Latent sliders"):
        with gr.Row():
            with gr.Column():
                model = gr.Dropdown(
                    [(f"{name}: {words}", name) for name, words in EXPLORER_MODELS.items()],
                    value=FIRST_MODEL,
                    label="model",
                    elem_id="model",
                )
                sliders = [
                    gr.Slider(
                        -SLIDER_RANGE,
                        SLIDER_RANGE,
                        value=0.0,
                        step=0.1,
                        elem_id=f"slider-{i + 1}",
                        **settings,
                    )
                    for i, settings in enumerate(slider_settings(FIRST_MODEL))
                ]
                with gr.Row():
                    reset_button = gr.Button("Reset to the centre")
                    seed = gr.Number(0, precision=0, label="seed", minimum=0, elem_id="seed")
                    randomise_button = gr.Button("Randomise", variant="primary")
            slider_digit = image("decoded digit", "slider-digit", decode(FIRST_MODEL, *[0.0] * MAX_SLIDERS))
        gr.on([s.release for s in sliders], decode, [model, *sliders], slider_digit, api_name="decode")
        reset_button.click(reset, model, [*sliders, slider_digit], api_name="reset")
        gr.on(
            [randomise_button.click, seed.submit],
            randomise,
            [model, seed],
            [*sliders, slider_digit],
            api_name="randomise",
        )
        model.change(choose_model, model, [*sliders, slider_digit], api_name="choose_model")

    with gr.Tab("Interpolation"):
        steps = gr.Slider(3, 16, value=8, step=1, label="images in the strip")
        gr.Markdown("### Between two handwritten digits (conv VAE, lesson 6)")
        with gr.Row():
            image_model = gr.Dropdown(list(IMAGE_MODELS), value="conv-vae-16d", label="model")
            first_digit = gr.Dropdown(list(range(10)), value=3, label="from digit")
            which_first = gr.Number(0, precision=0, minimum=0, label="which one (MNIST test)")
            last_digit = gr.Dropdown(list(range(10)), value=8, label="to digit")
            which_last = gr.Number(0, precision=0, minimum=0, label="which one (MNIST test)")
        digits_button = gr.Button("Interpolate digits", variant="primary")
        digits_strip = gallery("from the first digit to the second", "digits-strip")
        digits_status = gr.Textbox(label="status", interactive=False)
        digits_button.click(
            interpolate_digits,
            [image_model, first_digit, which_first, last_digit, which_last, steps],
            [digits_strip, digits_status],
            api_name="interpolate_digits",
        )

        gr.Markdown("### Between two spoken clips (AIVAE, lesson 7)")
        with gr.Row():
            first_clip, last_clip = audio_input("from this clip"), audio_input("to this clip")
        clips = example_clips(EXAMPLES)  # two per digit, in digit order
        gr.Examples(
            [[str(clips[2 * a]), str(clips[2 * b + 1])] for a, b in ((1, 7), (3, 8), (0, 6), (4, 9))],
            [first_clip, last_clip],
            label="pairs of bundled clips (an unseen eSpeak accent)",
            elem_id="clip-pairs",
        )
        clips_button = gr.Button("Interpolate clips", variant="primary")
        clips_strip = gallery("from the first clip's digit to the second's", "clips-strip")
        clips_status = gr.Textbox(label="status", interactive=False)
        clips_button.click(
            interpolate_clips,
            [first_clip, last_clip, steps],
            [clips_strip, clips_status],
            api_name="interpolate_clips",
        )

    with gr.Tab("Audio to image playground"):
        with gr.Row():
            with gr.Column():
                clip = audio_input("a spoken digit: record or upload", "playground-clip")
                gr.Markdown(UPLOADS)
                status = gr.Textbox(label="status", interactive=False, elem_id="playground-status")
                gr.Examples(
                    [[str(path)] for path in clips],
                    clip,
                    examples_per_page=20,
                    elem_id="playground-examples",
                    label="bundled clips: the ten digits in two voices of an eSpeak accent "
                    "(en-029) that no model was trained on",
                )
            with gr.Column():
                waveform = image("waveform (8 kHz)", "playground-waveform")
                mel = image(
                    "what the model hears: 48x48 log-mel (low frequencies at the bottom)", "playground-mel"
                )
            with gr.Column():
                drawn = image("the digit the AIVAE draws", "playground-digit")
                probabilities = gr.Label(
                    num_top_classes=10, label="what LeNet reads", elem_id="playground-probabilities"
                )
                with gr.Accordion("does it sound like speech? (the measures)", open=False):
                    speech = gr.JSON(label="speech check", elem_id="playground-speech")
        clip.change(draw, clip, [waveform, mel, drawn, probabilities, status, speech], api_name="draw")

    with gr.Tab("Find the match"):
        gr.Markdown("### A spoken digit finds handwritten ones")
        with gr.Row():
            with gr.Column(scale=1):
                query_clip = audio_input("a spoken digit: record or upload", "match-clip")
                gr.Examples([[str(path)] for path in clips], query_clip, examples_per_page=20,
                            elem_id="match-examples", label="bundled clips (an eSpeak accent no model heard)")
            with gr.Column(scale=2):
                found_digits = gr.Gallery(label="the nine nearest handwritten digits (distance)",
                                          elem_id="match-digits", format="png", columns=9, height=190,
                                          object_fit="contain", allow_preview=False, interactive=False)
                clip_status = gr.Textbox(label="status", interactive=False, elem_id="match-clip-status")
        query_clip.change(match_clip, query_clip, [found_digits, clip_status], api_name="match_clip")

        gr.Markdown("### A handwritten digit finds spoken ones")
        with gr.Row():
            with gr.Column():
                sketch = gr.Sketchpad(label="draw a digit", type="numpy", image_mode="RGBA",
                                      canvas_size=(280, 280), elem_id="match-sketch")
                sketch_button = gr.Button("Find clips for the drawing", variant="primary")
                with gr.Row():
                    pick_digit = gr.Dropdown(list(range(10)), value=4, label="or an MNIST test digit")
                    pick_which = gr.Number(0, precision=0, minimum=0, label="which one")
                pick_button = gr.Button("Find clips for this digit")
            with gr.Column():
                seen_digit = image("the digit as the model sees it (28x28)", "match-seen")
                heard = [gr.Audio(type="filepath", label=f"nearest clip {i + 1}", interactive=False,
                                  elem_id=f"match-heard-{i + 1}") for i in range(3)]
                image_status = gr.Textbox(label="status", interactive=False, elem_id="match-image-status")
        sketch_button.click(match_drawing, sketch, [seen_digit, *heard, image_status],
                            api_name="match_drawing")
        pick_button.click(match_digit, [pick_digit, pick_which], [seen_digit, *heard, image_status],
                          api_name="match_digit")

    with gr.Tab("From a drawing to a voice"):
        with gr.Row():
            with gr.Column():
                voice_sketch = gr.Sketchpad(label="draw a digit", type="numpy", image_mode="RGBA",
                                            canvas_size=(280, 280), elem_id="voice-sketch")
                voice_button = gr.Button("Say it", variant="primary", elem_id="voice-say")
                with gr.Row():
                    voice_digit = gr.Dropdown(list(range(10)), value=3, label="or an MNIST test digit")
                    voice_which = gr.Number(0, precision=0, minimum=0, label="which one")
                voice_pick = gr.Button("Say this digit", elem_id="voice-pick")
            with gr.Column():
                voice_seen = image("the digit as the model sees it (28x28)", "voice-seen")
                voice_audio = gr.Audio(type="filepath", label="what the model says (Griffin-Lim)",
                                       interactive=False, elem_id="voice-audio")
                voice_picture = image("its spectrogram: log-STFT, 128 bins up to 4 kHz by 56 frames of "
                                      "16 ms (low frequencies at the bottom)", "voice-spectrogram")
            with gr.Column():
                voice_probabilities = gr.Label(num_top_classes=10, label="what the audio judge hears",
                                               elem_id="voice-probabilities")
                voice_status_box = gr.Textbox(label="status", interactive=False, elem_id="voice-status")
        voice_outputs = [voice_seen, voice_audio, voice_picture, voice_probabilities, voice_status_box]
        voice_button.click(say_drawing, voice_sketch, voice_outputs, api_name="say_drawing")
        voice_pick.click(say_digit, [voice_digit, voice_which], voice_outputs, api_name="say_digit")

# The handlers only read the models, so two requests (one per core) may run at once.
demo.queue(default_concurrency_limit=2)

if __name__ == "__main__":
    demo.launch(max_file_size=MAX_FILE_SIZE)
