"""Benchmark: how fast the latent explorer (apps/latent_explorer.py) answers, through gradio_client.

Three measurements:
  cold start   - ``python apps/latent_explorer.py`` in a fresh process, from process start to the
                 first answer of the "draw" endpoint (imports, zoo, server start, one request);
  latency      - the app launched in this process; ``--calls`` sequential "draw" requests with a
                 bundled example clip (upload, features, AIVAE, LeNet, three PNGs), p50/p95;
                 the handler alone (no HTTP) is timed too, to show what the app itself costs;
  concurrency  - ``--clients`` threads, each with its own Client, ``--calls-each`` requests each,
                 cycling through the 20 bundled clips (a classroom clicking examples at once):
                 errors, p50/p95 per request, throughput.

With ``--download`` every client also fetches the three pictures of each answer, as a browser
and gradio_client's default ``Client`` do; this is what a shared output file would break.
``--only concurrency`` skips the cold start and the sequential calls.

Usage:  .venv/bin/python bench/app_latency.py [--calls 200] [--clients 20] [--calls-each 10] [--cold-runs 3]
                                              [--download] [--only concurrency] [--lean-only]
Results go in bench/README.md by hand, with the machine and date.
"""

from __future__ import annotations

import argparse
import datetime
import itertools
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # for tests.explorer_app, the launcher the tests use
os.environ["GRADIO_TEMP_DIR"] = tempfile.mkdtemp(prefix="gradio-bench-")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from gradio_client import Client, handle_file  # noqa: E402

from kit.explorer import example_clips  # noqa: E402
from tests.explorer_app import APP, free_port, serving  # noqa: E402

CLIP = APP.parent / "examples" / "7_seven_en-029-f4.wav"
CLIPS = example_clips(APP.parent / "examples")


def milliseconds(seconds: list[float]) -> str:
    p50, p95 = np.percentile(np.array(seconds) * 1000, [50, 95])
    return f"p50 {p50:.0f} ms, p95 {p95:.0f} ms"


def connect(url: str, deadline: float) -> Client:
    """A client for ``url``, retrying while the server is still starting."""
    while True:
        try:
            return Client(url, verbose=False, download_files=False)
        except Exception:  # noqa: BLE001 - connection refused until the server listens
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def cold_start() -> float:
    """Seconds from starting ``python apps/latent_explorer.py`` to its first "draw" answer."""
    port = free_port()
    env = dict(os.environ, GRADIO_SERVER_PORT=str(port))
    start = time.monotonic()
    server = subprocess.Popen(
        [sys.executable, str(APP)],
        env=env,
        cwd=ROOT,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        client = connect(f"http://127.0.0.1:{port}/", start + 120)
        client.predict(handle_file(str(CLIP)), api_name="/draw")
        return time.monotonic() - start
    finally:
        os.killpg(server.pid, 15)
        server.wait()


def timed_calls(
    client: Client, clips: list[Path], expected: dict[Path, str], failures: list[str]
) -> list[float]:
    """Seconds per "draw" request, one per clip; failed requests and unexpected answers go to ``failures``.

    ``expected`` maps a clip to the digit the app drew for it when called alone.
    """
    times = []
    for clip in clips:
        start = time.perf_counter()
        try:
            *pictures, label, status, speech = client.predict(handle_file(str(clip)), api_name="/draw")
            if label["label"] != expected[clip] or not speech["speech_like"]:
                failures.append(f"{clip.name}: drew {label['label']}, alone {expected[clip]}: {status}")
            if client.download_files and not all(Path(p).stat().st_size for p in pictures):
                failures.append(f"{clip.name}: an empty picture")
        except Exception as error:  # noqa: BLE001 - counted and reported
            failures.append(f"{clip.name}: {error!r}")
        times.append(time.perf_counter() - start)
    return times


def new_client(url: str, verify: bool, download: bool) -> Client:
    """A gradio_client for ``url``; ``verify=False`` (``ssl_verify``) skips loading the CA bundle.

    gradio_client opens a fresh httpx connection for each of the three requests a call makes
    (upload, join the queue, stream the result), and by default each loads the CA certificates
    (15-30 ms on this machine) even for ``http://``. A browser pays nothing of the kind.
    ``download`` fetches the output pictures into a folder of this client's own.
    """
    folder = tempfile.mkdtemp(prefix="downloads-", dir=os.environ["GRADIO_TEMP_DIR"]) if download else False
    return Client(url, verbose=False, download_files=folder, ssl_verify=verify)


def concurrent(
    url: str, verify: bool, download: bool, clients: int, calls_each: int, expected: dict[Path, str]
) -> tuple[list[float], list[str], float]:
    """``clients`` threads with a Client each, per-request seconds, failures, total."""
    failures: list[str] = []
    results: list[list[float]] = [[] for _ in range(clients)]
    connected = [new_client(url, verify, download) for _ in range(clients)]

    def work(i: int) -> None:
        clips = list(itertools.islice(itertools.cycle(CLIPS), i, i + calls_each))
        results[i] = timed_calls(connected[i], clips, expected, failures)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(clients)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return [t for times in results for t in times], failures, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--calls-each", type=int, default=10)
    parser.add_argument("--cold-runs", type=int, default=3)
    parser.add_argument("--download", action="store_true", help="clients fetch the output pictures too")
    parser.add_argument("--only", choices=["concurrency"], help="run only this measurement")
    parser.add_argument("--lean-only", action="store_true", help="only Client(ssl_verify=False)")
    args = parser.parse_args()
    load = os.getloadavg()[0]
    print(
        f"{datetime.date.today()}, {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, load average {load:.2f}, nice {os.nice(0)}"
    )

    if args.only is None:
        colds = [cold_start() for _ in range(args.cold_runs)]
        print(f"cold start (process start to first answer): {', '.join(f'{c:.1f} s' for c in colds)}")

    with serving(Path(os.environ["GRADIO_TEMP_DIR"])) as app:
        expected = {clip: app.draw(str(clip))[3] for clip in CLIPS}
        expected = {clip: max(label, key=label.get) for clip, label in expected.items()}
        if args.only is None:
            handler = []
            for _ in range(args.calls):
                start = time.perf_counter()
                app.draw(str(CLIP))
                handler.append(time.perf_counter() - start)
            print(f"draw handler alone, {args.calls} calls: {milliseconds(handler)}")

        kinds = ((False, "Client without CA loading"),) if args.lean_only else (
            (True, "default Client"), (False, "Client without CA loading"))
        downloads = ", downloading the pictures" if args.download else ""
        for verify, kind in kinds:
            if args.only is None:
                client = new_client(app.demo.local_url, verify, args.download)
                failures: list[str] = []
                timed_calls(client, [CLIP] * 5, expected, failures)  # warm-up
                sequential = timed_calls(client, [CLIP] * args.calls, expected, failures)
                print(
                    f"draw, {kind}{downloads}, {args.calls} sequential calls: {milliseconds(sequential)}, "
                    f"{len(failures)} errors"
                )
            times, failures, total = concurrent(
                app.demo.local_url, verify, args.download, args.clients, args.calls_each, expected
            )
            print(
                f"draw, {kind}{downloads}, {args.clients} concurrent clients x {args.calls_each} calls: "
                f"{len(failures)} errors in {len(times)}, {milliseconds(times)}, "
                f"{len(times) / total:.1f} requests/s"
            )
            for failure in failures[:5]:
                print("  error:", failure)


if __name__ == "__main__":
    try:
        main()
    finally:
        shutil.rmtree(os.environ["GRADIO_TEMP_DIR"], ignore_errors=True)  # uploads, pictures, downloads
