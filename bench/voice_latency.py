"""Benchmark: from a drawing to sound, how fast (the explorer's "From a drawing to a voice" tab, lesson 17).

Drawings: 280x280 RGBA canvases as the sketchpad sends them, dark strokes on a transparent background,
each a seven with its corners moved at random (seeded). Three measurements:
  setup     - loading the zoo's iavae, LeNet and the audio judge (once per app process);
  handler   - ``--calls`` calls of :meth:`kit.speaker.Speaker.say_drawing`: the ink cropped, scaled
              and centred to 28x28, LeNet's check, encode, decode, Griffin-Lim (64 iterations), the audio
              judge's features and probabilities: p50/p95;
  endpoint  - the app launched in this process, ``--calls`` sequential "/say_drawing" requests through
              gradio_client (upload of the canvas PNG, the handler, the WAV, the digit and spectrogram
              PNGs): p50/p95.

Usage:  .venv/bin/python bench/voice_latency.py [--calls 200]
Results go in bench/README.md by hand, with the machine, the date and the load.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # bench.app_latency, tests.explorer_app

from gradio_client import Client, handle_file  # noqa: E402

from bench.app_latency import milliseconds  # noqa: E402
from kit.speaker import Speaker  # noqa: E402
from tests.explorer_app import serving  # noqa: E402


def sevens(count: int, seed: int = 0) -> list[np.ndarray]:
    """``count`` RGBA canvases, each a seven drawn with jittered corners, dark ink on transparency."""
    rng = np.random.default_rng(seed)
    canvases = []
    for _ in range(count):
        corners = np.array([(70, 70), (210, 70), (120, 240)]) + rng.integers(-25, 26, (3, 2))
        picture = Image.new("RGBA", (280, 280), (0, 0, 0, 0))
        ImageDraw.Draw(picture).line([tuple(int(v) for v in c) for c in corners], fill=(0, 0, 0, 255),
                                     width=int(rng.integers(10, 22)))
        canvases.append(np.asarray(picture))
    return canvases


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=200)
    args = parser.parse_args()
    load = os.getloadavg()
    print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')}, {datetime.date.today()}, "
          f"load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")

    start = time.perf_counter()
    speaker = Speaker()
    speaker.say_drawing(sevens(1, seed=99)[0])  # the judge is loaded on first use
    print(f"setup: {time.perf_counter() - start:.1f} s")

    canvases = sevens(args.calls)
    times, heard = [], 0
    for canvas in canvases:
        begin = time.perf_counter()
        heard += speaker.say_drawing(canvas).digit == 7
        times.append(time.perf_counter() - begin)
    print(f"handler, canvas -> sound and the judge's reading: {milliseconds(times)}; "
          f"heard as a seven: {heard} of {len(canvases)}")

    folder = Path(tempfile.mkdtemp(prefix="gradio-voice-"))
    paths = []
    for index, canvas in enumerate(canvases):
        paths.append(folder / f"seven-{index}.png")
        Image.fromarray(canvas).save(paths[-1])
    with serving(folder / "gradio") as app:
        client = Client(app.demo.local_url, verbose=False, download_files=False, ssl_verify=False)

        def sketch(path: Path) -> dict:
            return {"background": None, "layers": [], "composite": handle_file(str(path))}

        client.predict(sketch(paths[0]), api_name="/say_drawing")  # warm
        times = []
        for path in paths:
            begin = time.perf_counter()
            client.predict(sketch(path), api_name="/say_drawing")
            times.append(time.perf_counter() - begin)
        print(f"endpoint /say_drawing through gradio_client: {milliseconds(times)}")
    load = os.getloadavg()
    print(f"load average afterwards {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")
    sys.exit(0)


if __name__ == "__main__":
    main()
