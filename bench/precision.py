"""Benchmark: float32 against bfloat16 autocast, every model of the course in one run (issue 9).

Times one optimisation step (forward, loss, backward, the model's own
optimiser, as the Trainer builds it) on random inputs of the right shapes,
in float32 and under ``torch.autocast("cpu", dtype=torch.bfloat16)``, one
model after the other in the same process, and prints a Markdown table
(median of ``--steps`` steps after 3 warm-up steps). The Trainer's
``precision="auto"`` uses bfloat16 only for models whose ``preferred_precision``
says so (``kit/train/device.py``); this table is the evidence for each choice.

    .venv/bin/python bench/precision.py                 # every model, batch 128, 2 threads
    .venv/bin/python bench/precision.py --models aivae lenet5 --steps 10
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time
from datetime import date

import torch

from kit.models import MODELS
from kit.train.folder import machine

DEFAULT_MODELS = ("aivae", "fast-aivae", "lenet5", "audionet-cnn", "audionet-lstm", "hybridnet-cnn",
                  "mfcc-vae", "fast-aivaegan")


def batch_for(name: str, model: torch.nn.Module, n: int) -> tuple:
    """Random inputs shaped as the model's task feeds them."""
    images, labels = torch.rand(n, 28, 28), torch.randint(0, 10, (n,))
    if model.task == "image-classification":
        return images, labels
    if model.task == "digit-classification":
        return images, torch.randn(n, 39, 13), labels
    audio = torch.randn(n, 40) if getattr(model, "hears", "mel48") == "mfcc40mean" else torch.randn(n, 48, 48)
    return audio, images


def step_cost(name: str, bf16: bool, batch_size: int, steps: int) -> float:
    """Median milliseconds of one training step of model ``name``."""
    torch.manual_seed(0)
    model = MODELS[name]()
    model.train()
    batch = batch_for(name, model, batch_size)
    lr = 2e-4 if hasattr(model, "training_step") else 1e-3
    optimizers = (model.configure_optimizers(lr) if hasattr(model, "configure_optimizers")
                  else [torch.optim.Adam(model.parameters(), lr=lr)])

    def one_step() -> None:
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            if hasattr(model, "training_step"):
                model.training_step(batch, optimizers, 1)
                return
            loss = model.loss(batch)["loss"]
        optimizers[0].zero_grad(set_to_none=True)
        loss.backward()
        optimizers[0].step()

    for _ in range(3):
        one_step()
    times = []
    for _ in range(steps):
        start = time.perf_counter()
        one_step()
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--models", nargs="+", default=list(DEFAULT_MODELS), choices=sorted(MODELS))
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--threads", type=int, default=torch.get_num_threads())
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    print(f"{date.today()}, {machine()}, {platform.processor() or 'cpu'}; batch {args.batch_size}, "
          f"{args.threads} threads, median of {args.steps} steps\n")
    print("| model | float32 | bfloat16 autocast | speed-up | the Trainer's choice |")
    print("|---|---|---|---|---|")
    for name in args.models:
        fp32 = step_cost(name, False, args.batch_size, args.steps)
        bf16 = step_cost(name, True, args.batch_size, args.steps)
        choice = getattr(MODELS[name], "preferred_precision", "float32")
        print(f"| `{name}` | {fp32:.1f} ms | {bf16:.1f} ms | {fp32 / bf16:.2f}x | {choice} |", flush=True)


if __name__ == "__main__":
    main()
