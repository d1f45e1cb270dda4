"""Lesson 09's exercise checks: GANs (the alternating steps, the two generator losses, mode collapse).

Every check runs the learner's function on inputs the learner never sees and
compares it with the kit (:mod:`kit.models.adversarial`): the discriminator's
loss, the generator's two losses, and one alternating step on a fresh, seeded
pair of tiny networks. Typical slips (swapped targets, swapped kinds, a wrong
sign, an unstable logarithm, the steps in the wrong order, a missing
``.detach()`` or ``zero_grad()``) get a hint of their own; none prints a formula.
"""

from __future__ import annotations

import types

import torch
import torch.nn.functional as F
from torch import nn

from ..models.adversarial import GENERATOR_LOSSES, discriminator_loss, generator_loss
from . import as_function as _function
from . import exercise

STABILITY = "F.logsigmoid or F.binary_cross_entropy_with_logits"


def _kit_names(function, names: set[str]) -> set[str]:
    """The names in ``names`` that ``function``'s code (nested code included) refers to."""
    code = getattr(function, "__code__", None)
    if code is None:
        return set()
    found, stack = set(), [code]
    while stack:
        code = stack.pop()
        found |= names & set(code.co_names)
        stack.extend(c for c in code.co_consts if isinstance(c, types.CodeType))
    return found


def _own_work(function, names: set[str], what: str) -> None:
    """An AssertionError if ``function`` is, or calls, the kit's own ``names``."""
    if getattr(function, "__module__", None) == "kit.models.adversarial":
        raise AssertionError(f"that is the kit's own function; write {what} yourself (the check compares "
                             "it with the kit's).")
    used = _kit_names(function, names)
    if used:
        raise AssertionError(f"your function calls the kit's {', '.join(sorted(used))}; write {what} from "
                             "torch functions (the check compares it with the kit's).")


def _scalar(value, what: str) -> torch.Tensor:
    """``value`` as a 0-d tensor, or a hint about what came back instead."""
    if value is None:
        raise AssertionError(f"{what} returned None: does your function `return` the loss?")
    if not torch.is_tensor(value):
        raise AssertionError(f"{what} should return a torch tensor (so that .backward() works), "
                             f"not {type(value).__name__}.")
    if value.numel() != 1:
        raise AssertionError(f"{what} should return a single number, the loss averaged over the batch; "
                             f"yours has shape {tuple(value.shape)}.")
    return value.reshape(())


def _close(a: torch.Tensor | float, b: torch.Tensor | float, tolerance: float = 1e-4) -> bool:
    a, b = torch.as_tensor(a, dtype=torch.float64), torch.as_tensor(b, dtype=torch.float64)
    return bool(torch.isfinite(a).all()) and torch.allclose(a, b, rtol=tolerance, atol=tolerance * 1e-2)


def _logits(seed: int, n: int = 16, shift: float = 0.0) -> torch.Tensor:
    generator = torch.Generator().manual_seed(seed)
    return 2.0 * torch.randn(n, generator=generator) + shift


#: Logits of a discriminator that is very sure (right or wrong): a naive log(sigmoid(x)) overflows here.
SURE_REAL = torch.tensor([40.0, -40.0, 120.0, -120.0, 3.0, -3.0])
SURE_FAKE = torch.tensor([-40.0, 40.0, -120.0, 120.0, -3.0, 3.0])


# ---------------------------------------------------------------------------------------------
# Exercise 1: the discriminator's loss

def _bce(logits: torch.Tensor, target: float) -> torch.Tensor:
    return F.binary_cross_entropy_with_logits(logits, torch.full_like(logits, target))


@exercise("09.discriminator_loss")
def discriminator_loss_check(answer) -> None:
    """``my_discriminator_loss(real_logits, fake_logits)`` equals the kit's on hidden logits, stably."""
    function = _function(answer, "my_discriminator_loss")
    _own_work(function, {"discriminator_loss"}, "the discriminator's loss")
    real, fake = _logits(91, shift=1.0), _logits(92, shift=-1.0)
    real_in, fake_in = real.clone().requires_grad_(True), fake.clone().requires_grad_(True)
    try:
        value = function(real_in, fake_in)
    except RuntimeError as error:
        if "between 0 and 1" in str(error):
            raise AssertionError("the inputs are logits (any real number), not probabilities: either turn "
                                 "them into probabilities first, or use a loss made for logits.") from None
        raise
    if value is not None and torch.is_tensor(value) and value.shape == real.shape:
        raise AssertionError("you return one number per image; return a single number: each term averaged "
                             "over its batch.")
    value = _scalar(value, "my_discriminator_loss(real_logits, fake_logits)")
    expected = discriminator_loss(real, fake)
    if not _close(value.detach(), expected):
        got = float(value.detach())
        real_term, fake_term = _bce(real, 1.0), _bce(fake, 0.0)
        hints = [
            (discriminator_loss(fake, real), "real and fake are swapped: the discriminator should call the "
             "real images 1 (real) and the generated ones 0 (fake)."),
            (-expected, "right size, wrong sign: you return the value V that the discriminator "
             "*maximises*; a loss for an optimiser to minimise is its negative."),
            (expected / 2, "half the kit's value: the kit adds the two terms (each averaged over its own "
             "batch); one cross-entropy over both batches put together averages them instead."),
            (real_term, "only the real images' term: add the term for the generated images."),
            (fake_term, "only the generated images' term: add the term for the real images."),
            (real_term + _bce(fake, 1.0), "the generated images' target should be 0 (fake), not 1."),
            (_bce(real, 0.0) + fake_term, "the real images' target should be 1 (real), not 0."),
            (expected * len(real), "you summed over the batch; average each term over its images."),
            (discriminator_loss(torch.sigmoid(real), torch.sigmoid(fake)),
             "you turned the logits into probabilities twice: a loss 'with logits' applies the sigmoid "
             "itself."),
        ]
        for variant, hint in hints:
            if _close(got, variant):
                raise AssertionError(hint)
        raise AssertionError(f"for the hidden test logits your loss is {got:.4f}; the kit's is "
                             f"{float(expected):.4f}. Per image: real ones should be called real, "
                             "generated ones fake.")
    if not value.requires_grad:
        raise AssertionError("the right value, but it carries no gradient (.item(), numpy or no_grad?): the "
                             "training step must call .backward() on it.")
    value.backward()
    reference_real, reference_fake = real.clone().requires_grad_(True), fake.clone().requires_grad_(True)
    discriminator_loss(reference_real, reference_fake).backward()
    if not (_close(real_in.grad, reference_real.grad) and _close(fake_in.grad, reference_fake.grad)):
        raise AssertionError("the right value, but its gradient differs from the kit's: is part of it "
                             "detached, or a constant added in?")
    sure = torch.as_tensor(function(SURE_REAL.clone(), SURE_FAKE.clone())).detach().reshape(-1)[0]
    if not _close(sure, discriminator_loss(SURE_REAL, SURE_FAKE), 1e-3):
        raise AssertionError("right for everyday logits, but not when the discriminator is very sure "
                             "(logits of +-40 or +-120): there log(sigmoid(x)) or log(1 - sigmoid(x)) "
                             "rounds to log(0), and clamping changes the value. Compute the logarithms "
                             f"from the logits directly: {STABILITY}.")


# ---------------------------------------------------------------------------------------------
# Exercise 2: the generator's two losses

SWAPPED = ("your two kinds are swapped. 'minimax' is the generator's term of the game itself, the "
           "very expression the discriminator maximises, which the generator minimises; "
           "'non-saturating' is the replacement that keeps a strong gradient while the discriminator "
           "rejects the fakes (D(G(z)) near 0). Section 2's plot shows which curve is which.")


@exercise("09.generator_loss")
def generator_loss_check(answer) -> None:
    """``my_generator_loss(fake_logits, kind)`` equals the kit's for both kinds on hidden logits."""
    function = _function(answer, "my_generator_loss")
    _own_work(function, {"generator_loss"}, "the generator's losses")
    fake = _logits(93, shift=-1.5)
    got = {}
    for kind in GENERATOR_LOSSES:
        try:
            value = function(fake.clone(), kind)
        except (ValueError, KeyError, NotImplementedError) as error:
            raise AssertionError(f"my_generator_loss(fake_logits, {kind!r}) raised {type(error).__name__}: "
                                 f"it should handle both kinds, {' and '.join(map(repr, GENERATOR_LOSSES))}."
                                 ) from None
        if value is not None and torch.is_tensor(value) and value.shape == fake.shape:
            raise AssertionError(f"kind={kind!r}: you return one number per image; return a single number, "
                                 "the loss averaged over the batch.")
        got[kind] = float(_scalar(value, f"my_generator_loss(fake_logits, {kind!r})").detach())
    expected = {kind: generator_loss(fake, kind) for kind in GENERATOR_LOSSES}
    right = {kind: _close(got[kind], expected[kind]) for kind in GENERATOR_LOSSES}
    if not all(right.values()):
        if _close(got["non-saturating"], expected["minimax"]) and _close(got["minimax"],
                                                                          expected["non-saturating"]):
            raise AssertionError(SWAPPED)
        if _close(got["non-saturating"], got["minimax"]):
            raise AssertionError("your function returns the same loss for both kinds; the two differ "
                                 "(look at section 2's plot).")
        for kind in GENERATOR_LOSSES:
            if right[kind]:
                continue
            other = "minimax" if kind == "non-saturating" else "non-saturating"
            if _close(got[kind], -expected[kind]) or _close(got[kind], -expected[other]):
                raise AssertionError(f"kind={kind!r}: wrong sign. Minimising your loss would push D(G(z)) "
                                     "*down*, i.e. help the discriminator; the generator wants the "
                                     "discriminator to call its images real.")
            if _close(got[kind], expected[other]):
                raise AssertionError(f"kind={kind!r}: that is the {other} loss. " + SWAPPED.split(". ", 1)[1])
            if _close(got[kind], expected[kind] * len(fake)):
                raise AssertionError(f"kind={kind!r}: you summed over the batch; average over the images.")
            raise AssertionError(f"kind={kind!r}: for the hidden test logits your loss is {got[kind]:.4f}, "
                                 f"the kit's {float(expected[kind]):.4f}.")
    for kind in GENERATOR_LOSSES:
        logits = fake.clone().requires_grad_(True)
        value = _scalar(function(logits, kind), f"my_generator_loss(fake_logits, {kind!r})")
        if not value.requires_grad:
            raise AssertionError(f"kind={kind!r}: the right value, but it carries no gradient (.item(), "
                                 "numpy or no_grad?): the generator learns through it.")
        value.backward()
        reference = fake.clone().requires_grad_(True)
        generator_loss(reference, kind).backward()
        if not _close(logits.grad, reference.grad):
            raise AssertionError(f"kind={kind!r}: the right value, but its gradient differs from the kit's.")
        sure = torch.as_tensor(function(SURE_FAKE.clone(), kind)).detach().reshape(-1)[0]
        if not _close(sure, generator_loss(SURE_FAKE, kind), 1e-3):
            raise AssertionError(f"kind={kind!r}: right for everyday logits, but not when the discriminator "
                                 "is very sure (logits of +-40 or +-120), where log(sigmoid(x)) or "
                                 "log(1 - sigmoid(x)) rounds to log(0), and clamping changes the value. "
                                 f"Compute the logarithms from the logits directly: {STABILITY}.")


# ---------------------------------------------------------------------------------------------
# Exercise 3: one alternating step

STEP_NOISE, STEP_BATCH, STEP_LR, STEP_CALLS = 8, 16, 0.05, 3


def tiny_pair(seed: int = 9) -> tuple[nn.Module, nn.Module]:
    """A tiny generator (noise (n, 8) -> images (n, 28, 28) in [0, 1]) and discriminator (-> logits (n,))."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        generator = nn.Sequential(nn.Linear(STEP_NOISE, 32), nn.LeakyReLU(0.2), nn.Linear(32, 784),
                                  nn.Sigmoid(), nn.Unflatten(1, (28, 28)))
        discriminator = nn.Sequential(nn.Flatten(), nn.Linear(784, 16), nn.LeakyReLU(0.2), nn.Linear(16, 1),
                                      nn.Flatten(0))
    return generator, discriminator


def step_inputs(seed: int = 9) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """``(real, noise)`` for each of the check's steps: hidden images in [0, 1] and noise vectors."""
    generator = torch.Generator().manual_seed(seed)
    inputs = []
    for _ in range(STEP_CALLS):
        real = torch.zeros(STEP_BATCH, 28, 28)
        rows = torch.randint(4, 24, (STEP_BATCH,), generator=generator)
        real[torch.arange(STEP_BATCH), rows, 4:24] = 1.0  # a bright stroke per image
        real += 0.2 * torch.rand(STEP_BATCH, 28, 28, generator=generator)
        inputs.append((real.clamp(0, 1), torch.randn(STEP_BATCH, STEP_NOISE, generator=generator)))
    return inputs


class _Logged(torch.optim.SGD):
    """Plain SGD that writes its name into ``log`` at every step (to see the order of the two updates)."""

    def __init__(self, parameters, name: str, log: list[str]) -> None:
        super().__init__(parameters, lr=STEP_LR)
        self.name, self.log = name, log

    def step(self, closure=None):
        self.log.append(self.name)
        return super().step(closure)


def _flat(network: nn.Module) -> torch.Tensor:
    return torch.cat([p.detach().reshape(-1) for p in network.parameters()]).double()


def reference_step(generator, discriminator, real, g_opt, d_opt, noise, *, d_loss=discriminator_loss,
                   kind: str = "non-saturating") -> tuple[float, float]:
    """The kit's alternating step (``Adversarial.training_step``) for a separate generator and critic."""
    fake = generator(noise)
    loss_d = d_loss(discriminator(real), discriminator(fake.detach()))
    d_opt.zero_grad()
    loss_d.backward()
    d_opt.step()
    loss_g = generator_loss(discriminator(fake), kind)
    g_opt.zero_grad()
    loss_g.backward()
    g_opt.step()
    return loss_d.item(), loss_g.item()


def _run(step, calls: int, seed: int | None = None):
    """``step`` on a fresh tiny pair, ``calls`` times: the pair, returns, order, G's backward count."""
    generator, discriminator = tiny_pair()
    log: list[str] = []
    g_opt = _Logged(generator.parameters(), "g", log)
    d_opt = _Logged(discriminator.parameters(), "d", log)
    reached = []
    first = next(generator.parameters())
    first.register_hook(lambda grad: reached.append(len(log)) or grad)
    returns, orders, backwards = [], [], []
    with torch.random.fork_rng(devices=[]):
        if seed is not None:
            torch.manual_seed(seed)
        for real, noise in step_inputs()[:calls]:
            log.clear()
            reached.clear()
            returns.append(step(generator, discriminator, real.clone(), g_opt, d_opt, noise.clone()))
            orders.append(list(log))
            backwards.append(len(reached))
    return generator, discriminator, returns, orders, backwards


def _variant_pair(order: str, **options):
    """The tiny pair after one step of a *wrong* variant of the step (for the hints)."""
    generator, discriminator = tiny_pair()
    g_opt = torch.optim.SGD(generator.parameters(), lr=STEP_LR)
    d_opt = torch.optim.SGD(discriminator.parameters(), lr=STEP_LR)
    real, noise = step_inputs()[0]
    if order == "d-first":
        reference_step(generator, discriminator, real, g_opt, d_opt, noise, **options)
    elif order == "no-detach":  # all gradients zeroed once, the fakes not detached: D's loss reaches G
        g_opt.zero_grad()
        d_opt.zero_grad()
        fake = generator(noise)
        discriminator_loss(discriminator(real), discriminator(fake)).backward(retain_graph=True)
        d_opt.step()
        generator_loss(discriminator(fake)).backward()
        g_opt.step()
    return generator, discriminator


def _step_error(error: Exception) -> AssertionError:
    message = str(error)
    if "backward through the graph a second time" in message:
        return AssertionError("PyTorch refused a second backward through the generator: the discriminator's "
                              "backward already went through it. In the discriminator step, give D the "
                              "generated images *detached* from the generator (.detach()): that step must "
                              "not touch G.")
    if "modified by an inplace operation" in message:
        return AssertionError("the generator's loss was computed through the discriminator *before* "
                              "d_opt.step() changed it. Run the generated images through the discriminator "
                              "again after its update, then take the generator's step.")
    if "does not require grad" in message:
        return AssertionError("the generator's loss has no path back to the generator: detach the generated "
                              "images only for the discriminator step, not for the generator step.")
    return AssertionError(f"your step raised {type(error).__name__}: {message}")


@exercise("09.training_step")
def training_step_check(answer) -> None:
    """``my_training_step(generator, discriminator, real, g_opt, d_opt, noise)`` moves both like the kit."""
    function = _function(answer, "my_training_step")
    _own_work(function, {"training_step"}, "the step")
    try:
        generator, discriminator, returns, orders, backwards = _run(function, 1, seed=1)
    except RuntimeError as error:
        raise _step_error(error) from None
    order = orders[0]
    if not order:
        raise AssertionError("neither network changed: each step ends with its optimiser's .step() "
                             "(d_opt for the discriminator, g_opt for the generator).")
    if order.count("d") != 1 or order.count("g") != 1:
        counts = f"d_opt.step() {order.count('d')} time(s), g_opt.step() {order.count('g')} time(s)"
        raise AssertionError(f"one call should update each network exactly once; yours called {counts}. The "
                             "discriminator's step uses d_opt, the generator's g_opt.")
    if order == ["g", "d"]:
        raise AssertionError("the two updates are in the wrong order: the kit first updates the "
                             "discriminator (on real and generated images), then the generator against the "
                             "*updated* discriminator.")
    if backwards[0] > 1:
        raise AssertionError("gradients reached the generator twice in one step: the discriminator's loss "
                             "flowed back into G. Give the discriminator the generated images .detach()-ed "
                             "in its step: only the generator's own loss should reach G.")
    reference = _run(reference_step, 1)
    same_d = _close(_flat(discriminator), _flat(reference[1]), 1e-3)
    same_g = _close(_flat(generator), _flat(reference[0]), 1e-3)
    again = _run(function, 1, seed=2)
    if not (_close(_flat(again[0]), _flat(generator), 1e-6) and _close(_flat(again[1]), _flat(discriminator),
                                                                          1e-6)):
        raise AssertionError("two calls with the same inputs gave different results: does your step draw "
                             "new random numbers? Use the `noise` it is given for the generated images.")
    if not same_d:
        swapped = _variant_pair("d-first", d_loss=lambda r, f: discriminator_loss(f, r))[1]
        halved = _variant_pair("d-first", d_loss=lambda r, f: discriminator_loss(r, f) / 2)[1]
        if _close(_flat(discriminator), _flat(swapped), 1e-3):
            raise AssertionError("the discriminator learned the opposite: it should call the real images "
                                 "real (1) and the generated ones fake (0).")
        if _close(_flat(discriminator), _flat(halved), 1e-3):
            raise AssertionError("your discriminator moved half as far as the kit's: the kit *adds* the real "
                                 "and the fake term, each averaged over its own batch.")
        raise AssertionError("the generator's step looks fine, but the discriminator's update differs from "
                             "the kit's: D's loss is the cross-entropy on the real images (target 1) plus "
                             "that on the detached generated images (target 0)." if same_g else
                             "both updates differ from the kit's; start with the discriminator's: its loss "
                             "on the real images (target 1) plus that on the detached generated images "
                             "(target 0), then d_opt.step().")
    if not same_g:
        if _close(_flat(generator), _flat(_variant_pair("d-first", kind="minimax")[0]), 1e-3):
            raise AssertionError("the generator took the *minimax* step; this step (like the kit's DCGAN by "
                                 "default) uses the non-saturating loss.")
        if _close(_flat(generator), _flat(_variant_pair("no-detach")[0]), 1e-3):
            raise AssertionError("the generator's update also holds the discriminator's gradients: detach "
                                 "the generated images in the discriminator step, and zero G's gradients "
                                 "before its own backward.")
        raise AssertionError("the discriminator's update matches the kit's, but the generator's does not: "
                             "its loss is the non-saturating one, on the discriminator's logits for the "
                             "(not detached) generated images, computed *after* d_opt.step().")
    try:
        generator, discriminator, returns, _, _ = _run(function, STEP_CALLS, seed=1)
    except RuntimeError as error:
        raise _step_error(error) from None
    reference = _run(reference_step, STEP_CALLS)
    if not (_close(_flat(generator), _flat(reference[0]), 1e-3)
            and _close(_flat(discriminator), _flat(reference[1]), 1e-3)):
        raise AssertionError("the first step matches the kit's, the later ones do not: PyTorch *adds* new "
                             "gradients to the old ones in .grad. Call d_opt.zero_grad() before the "
                             "discriminator's backward and g_opt.zero_grad() before the generator's.")
    for got, (d_loss, g_loss) in zip(returns, reference[2], strict=True):
        if got is None or not isinstance(got, tuple | list) or len(got) != 2:
            raise AssertionError("both networks move like the kit's! Last thing: return the two losses, "
                                 "`return d_loss.item(), g_loss.item()`, so that training can be watched.")
        try:
            values = [float(v.detach()) if torch.is_tensor(v) else float(v) for v in got]
        except (TypeError, ValueError):
            raise AssertionError("return the two losses as numbers: `return d_loss.item(), g_loss.item()`."
                                 ) from None
        if _close(values[0], g_loss) and _close(values[1], d_loss) and not _close(d_loss, g_loss):
            raise AssertionError("both networks move like the kit's, but the two losses come back swapped: "
                                 "return (d_loss, g_loss) in that order.")
        if not (_close(values[0], d_loss, 1e-3) and _close(values[1], g_loss, 1e-3)):
            raise AssertionError("both networks move like the kit's, but the losses you return are not the "
                                 "ones you stepped on: return the discriminator's loss and the generator's "
                                 "loss of this step.")
