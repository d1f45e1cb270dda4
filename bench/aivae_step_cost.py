"""Benchmark: what one AIVAE or AIVAEGAN training step costs, and which knob changes it (lessons 7, 10).

Times forward + backward + Adam on random inputs of the right shapes (data
loading is measured separately by ``aivae_speed.py``), for one model under
one setting at a time, and prints milliseconds per step and per example.
With ``--layers`` it also prints where the time of one step goes, layer by
layer, from torch's profiler.

    .venv/bin/python bench/aivae_step_cost.py aivae                       # the defaults
    .venv/bin/python bench/aivae_step_cost.py aivae --batch-size 256 --threads 1
    .venv/bin/python bench/aivae_step_cost.py aivae --channels-last
    .venv/bin/python bench/aivae_step_cost.py aivae --compile
    .venv/bin/python bench/aivae_step_cost.py aivae --fused-adam
    .venv/bin/python bench/aivae_step_cost.py aivae --fused-adam --bf16
    .venv/bin/python bench/aivae_step_cost.py aivae --layers
    .venv/bin/python bench/aivae_step_cost.py aivaegan --steps 5 --bf16     # Table 2: both networks' steps

GANs (``aivaegan``, ``fast-aivaegan``) take their own alternating step with
their own two optimisers, so ``--fused-adam`` does not apply to them.
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch

from kit.models import MODELS


def training_step(model, optimizers, audio, images, bf16=False):
    with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
        if hasattr(model, "training_step"):  # a GAN: one discriminator and one generator step
            model.training_step((audio, images), optimizers, 1)
            return
        loss = model.loss((audio, images))["loss"]
    optimizers[0].zero_grad(set_to_none=True)
    loss.backward()
    optimizers[0].step()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("model", choices=["fast-aivae", "aivae", "fast-aivaegan", "aivaegan"])
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--threads", type=int, default=torch.get_num_threads())
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--channels-last", action="store_true", help="NHWC layout for the convolutions")
    parser.add_argument("--compile", action="store_true", help="torch.compile the model")
    parser.add_argument("--fused-adam", action="store_true", help="Adam's fused kernel instead of for-each")
    parser.add_argument("--bf16", action="store_true", help="bfloat16 autocast for forward and loss")
    parser.add_argument("--layers", action="store_true", help="profile one step layer by layer")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    model = MODELS[args.model]()
    audio, images = torch.randn(args.batch_size, 48, 48), torch.rand(args.batch_size, 28, 28)
    if args.channels_last:
        model = model.to(memory_format=torch.channels_last)
        audio = audio.reshape(-1, 1, 48, 48).contiguous(memory_format=torch.channels_last)
    if hasattr(model, "training_step"):
        optimizers = model.configure_optimizers(2e-4)
    else:
        optimizers = [torch.optim.Adam(model.parameters(), lr=1e-3, fused=args.fused_adam or None)]
    step_model = torch.compile(model) if args.compile else model
    for _ in range(3):  # warm-up (and compilation)
        training_step(step_model, optimizers, audio, images, args.bf16)
    times = []
    for _ in range(args.steps):
        start = time.perf_counter()
        training_step(step_model, optimizers, audio, images, args.bf16)
        times.append(time.perf_counter() - start)
    ms = 1000 * statistics.median(times)
    setting = ", ".join(
        [f"batch {args.batch_size}", f"{args.threads} threads"]
        + (["channels-last"] if args.channels_last else [])
        + (["compiled"] if args.compile else [])
        + (["fused Adam"] if args.fused_adam else [])
        + (["bfloat16 autocast"] if args.bf16 else [])
    )
    print(f"{args.model} ({setting}): {ms:.1f} ms/step (median of {args.steps}), "
          f"{ms / args.batch_size:.3f} ms/example, "
          f"{60000 / args.batch_size * ms / 1000:.0f} s/epoch of 60,000")
    if args.layers:
        with torch.profiler.profile(record_shapes=True) as profile:
            training_step(step_model, optimizers, audio, images, args.bf16)
        table = profile.key_averages(group_by_input_shape=True).table(sort_by="self_cpu_time_total",
                                                                      row_limit=12)
        print(table)


if __name__ == "__main__":
    main()
