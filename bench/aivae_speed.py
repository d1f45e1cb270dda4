"""Benchmark: wall-clock time for an AIVAE to reach the paper's 94.2% on MNIST-FSDD (random 90/10).

Trains from scratch (features already cached) and checks LeNet accuracy on the
10,000 test pairs every ``--check-every`` steps; evaluation time is excluded
from the clock. Stops at the target or after ``--max-minutes``.

    KIT_DATA_DIR=../shared/data .venv/bin/python bench/aivae_speed.py fast-aivae
    KIT_DATA_DIR=../shared/data .venv/bin/python bench/aivae_speed.py aivae --max-minutes 20
    ... --batch-size 256 --lr 2e-3 --threads 2    (the knobs measured in bench/README.md)
"""

from __future__ import annotations

import argparse
import os
import platform
import time

import torch

from kit import evaluator, experiments
from kit.models import MODELS
from kit.runs import parse_options
from kit.train import seed_everything

TARGET = 0.942


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("model", choices=["fast-aivae", "aivae"])
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--threads", type=int, default=torch.get_num_threads())
    parser.add_argument("--fused-adam", action="store_true", help="Adam's fused kernel instead of for-each")
    parser.add_argument("--bf16", action="store_true", help="bfloat16 autocast for forward and loss")
    parser.add_argument("--check-every", type=int, default=50)
    parser.add_argument("--max-minutes", type=float, default=15)
    parser.add_argument("--max-steps", type=int, default=None,
                        help="stop after this many steps (a budget that does not depend on machine load)")
    parser.add_argument("--option", action="append", default=[], metavar="KEY=VALUE",
                        help="model option, e.g. init_logvar=0 or standardize=true")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    seed_everything(0)
    options = parse_options(args.option)
    data = experiments.cross_modal_data("mnist-fsdd", "random", "many-to-one", batch_size=args.batch_size,
                                        quick=False)
    lenet = evaluator.load_lenet()
    model = MODELS[args.model](**options)
    model.fit_input_scaling(data.train.audio)
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr, fused=args.fused_adam or None)
    print(f"{args.model} {options or ''}: {sum(p.numel() for p in model.parameters()):,} parameters, batch "
          f"{args.batch_size}, lr {args.lr}{', fused Adam' if args.fused_adam else ''}"
          f"{', bfloat16 autocast' if args.bf16 else ''}, "
          f"{args.threads} threads; "
          f"{platform.machine()}, {os.cpu_count()} cores")
    trained, step, accuracy = 0.0, 0, 0.0

    def done() -> bool:
        out_of_steps = args.max_steps is not None and step >= args.max_steps
        return accuracy >= TARGET or out_of_steps or trained >= args.max_minutes * 60

    while not done():
        for audio, images in data.train:
            start = time.perf_counter()
            model.train()
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=args.bf16):
                loss = model.loss((audio, images))["loss"]
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            trained += time.perf_counter() - start
            step += 1
            if step % args.check_every == 0:
                accuracy = experiments.evaluate_generator(model, data, lenet)["accuracy"]
                print(f"  step {step:5d} ({step * args.batch_size / 60000:.2f} epochs)  {trained:7.1f} s  "
                      f"accuracy {accuracy:.3f}", flush=True)
                if done():
                    break
    verdict = "reached" if accuracy >= TARGET else "did not reach"
    print(f"{verdict} {TARGET:.1%} after {trained:.0f} s of training ({step} steps): accuracy {accuracy:.3f}")


if __name__ == "__main__":
    main()
