"""Benchmark: how fast "find the match" answers (the latent explorer's tab, lesson 15).

The gallery is the whole MNIST test set (10,000 digits; the embedded 5,000 without MNIST) and the
clip gallery the spoken-digit corpus (FSDD's 3,000 clips). Three measurements:
  setup        - loading the zoo's model and embedding both galleries (once per app process);
  handler      - ``--calls`` calls of :meth:`kit.matching.Matcher.digits_for_file` on the 20 bundled
                 clips (read the file, 48x48 log-mel, embed, distances to every digit, the nine nearest)
                 and of :meth:`~kit.matching.Matcher.clips_for_image` on MNIST test digits: p50/p95;
  endpoint     - the app launched in this process, ``--calls`` sequential "/match_clip" requests through
                 gradio_client (upload, the handler, nine PNGs): p50/p95.

Usage:  .venv/bin/python bench/match_latency.py [--calls 200]
Results go in bench/README.md by hand, with the machine and date.
"""

from __future__ import annotations

import argparse
import datetime
import itertools
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # bench.app_latency, tests.explorer_app

from gradio_client import Client, handle_file  # noqa: E402

from bench.app_latency import CLIPS, milliseconds  # noqa: E402
from kit.matching import Matcher  # noqa: E402
from tests.explorer_app import serving  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=200)
    args = parser.parse_args()
    print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')}, {datetime.date.today()}")

    start = time.perf_counter()
    matcher = Matcher()
    _ = matcher.image_embeddings, matcher.clip_embeddings
    print(f"setup: {time.perf_counter() - start:.1f} s for {len(matcher.images):,} digits and "
          f"{len(matcher.clips):,} clips")

    clips = list(itertools.islice(itertools.cycle(CLIPS), args.calls))
    times = []
    for path in clips:
        begin = time.perf_counter()
        matcher.digits_for_file(path, 9)
        times.append(time.perf_counter() - begin)
    print(f"handler, clip -> 9 of {len(matcher.images):,} digits: {milliseconds(times)}")
    digits = matcher.images.as_float()
    times = []
    for index in range(args.calls):
        begin = time.perf_counter()
        matcher.clips_for_image(digits[index % len(digits)], 3)
        times.append(time.perf_counter() - begin)
    print(f"handler, digit -> 3 of {len(matcher.clips):,} clips: {milliseconds(times)}")

    with serving(tempfile.mkdtemp(prefix="gradio-match-")) as app:
        client = Client(app.demo.local_url, verbose=False, download_files=False, ssl_verify=False)
        client.predict(handle_file(str(CLIPS[0])), api_name="/match_clip")  # galleries embedded here
        times = []
        for path in clips:
            begin = time.perf_counter()
            client.predict(handle_file(str(path)), api_name="/match_clip")
            times.append(time.perf_counter() - begin)
        print(f"endpoint /match_clip through gradio_client: {milliseconds(times)}")
    sys.exit(0)


if __name__ == "__main__":
    main()
