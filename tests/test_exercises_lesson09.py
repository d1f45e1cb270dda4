"""Lesson 09's exercise checks accept the worked solutions and reject typical mistakes with a hint."""

import pytest
import torch
import torch.nn.functional as F

from kit.exercises import verdict
from kit.exercises.lesson09 import reference_step, step_inputs, tiny_pair
from kit.models import DCGAN
from kit.models.adversarial import discriminator_loss, generator_loss

KEYS = ("09.discriminator_loss", "09.generator_loss", "09.training_step")


def _bce(logits, target):
    return F.binary_cross_entropy_with_logits(logits, torch.full_like(logits, target))


@pytest.mark.parametrize("key", KEYS)
def test_not_answered_and_nonsense(key):
    assert verdict(key, ...)[0] == "todo"
    for nonsense in (object(), "not a function", None, 3.0):
        assert verdict(key, nonsense)[0] == "wrong"


# ---------------------------------------------------------------------------------------------
# Exercise 1: the discriminator's loss

def my_discriminator_loss(real_logits, fake_logits):
    """The lesson's solution."""
    real = F.binary_cross_entropy_with_logits(real_logits, torch.ones_like(real_logits))
    fake = F.binary_cross_entropy_with_logits(fake_logits, torch.zeros_like(fake_logits))
    return real + fake


def logsigmoid_version(real_logits, fake_logits):
    """Goodfellow's -V: -(E log D(x) + E log(1 - D(G(z)))), with log(1 - sigmoid(l)) = logsigmoid(-l)."""
    return -(F.logsigmoid(real_logits).mean() + F.logsigmoid(-fake_logits).mean())


@pytest.mark.parametrize("solution", [my_discriminator_loss, logsigmoid_version])
def test_discriminator_loss_accepts_the_solutions(solution):
    status, message = verdict("09.discriminator_loss", solution)
    assert status == "correct", message


@pytest.mark.parametrize("wrong, hint", [
    (lambda r, f: my_discriminator_loss(f, r), "swapped"),
    (lambda r, f: -my_discriminator_loss(r, f), "wrong sign"),
    (lambda r, f: F.binary_cross_entropy_with_logits(
        torch.cat([r, f]), torch.cat([torch.ones_like(r), torch.zeros_like(f)])), "adds the two terms"),
    (lambda r, f: _bce(r, 1.0), "add the term for the generated"),
    (lambda r, f: _bce(f, 0.0), "add the term for the real"),
    (lambda r, f: my_discriminator_loss(r, f) - F.binary_cross_entropy_with_logits(f, torch.zeros_like(f))
     + F.binary_cross_entropy_with_logits(f, torch.ones_like(f)), "should be 0"),
    (lambda r, f: F.binary_cross_entropy_with_logits(r, torch.ones_like(r), reduction="sum")
     + F.binary_cross_entropy_with_logits(f, torch.zeros_like(f), reduction="sum"), "summed"),
    (lambda r, f: my_discriminator_loss(torch.sigmoid(r), torch.sigmoid(f)), "twice"),
    (lambda r, f: F.binary_cross_entropy(r, torch.ones_like(r)) + F.binary_cross_entropy(f, 0 * f),
     "not probabilities"),
    (lambda r, f: -(torch.log(torch.sigmoid(r)).mean() + torch.log(1 - torch.sigmoid(f)).mean()),
     "very sure"),
    (lambda r, f: -(torch.log(torch.sigmoid(r).clamp(1e-7, 1 - 1e-7)).mean()
                    + torch.log((1 - torch.sigmoid(f)).clamp(1e-7, 1)).mean()), "clamping"),
    (lambda r, f: torch.tensor(my_discriminator_loss(r, f).item()), "no gradient"),
    (lambda r, f: my_discriminator_loss(r, f).item(), "torch tensor"),
    (lambda r, f: r, "one number per image"),
    (lambda r, f: torch.tensor(1.4), "the kit's is"),
    (lambda r, f: None, "returned None"),
    (discriminator_loss, "kit's own"),
    (lambda r, f: discriminator_loss(r, f), "calls the kit's discriminator_loss"),
])
def test_discriminator_loss_rejects(wrong, hint):
    status, message = verdict("09.discriminator_loss", wrong)
    assert status == "wrong" and hint in message, message


# ---------------------------------------------------------------------------------------------
# Exercise 2: the generator's two losses

def my_generator_loss(fake_logits, kind="non-saturating"):
    """The lesson's solution."""
    if kind == "non-saturating":
        return -F.logsigmoid(fake_logits).mean()  # -log D(G(z))
    if kind == "minimax":
        return F.logsigmoid(-fake_logits).mean()  # log(1 - D(G(z)))
    raise ValueError(kind)


def test_generator_loss_accepts_the_solution():
    status, message = verdict("09.generator_loss", my_generator_loss)
    assert status == "correct", message


def _swapped(f, kind="non-saturating"):
    return my_generator_loss(f, "minimax" if kind == "non-saturating" else "non-saturating")


@pytest.mark.parametrize("wrong, hint", [
    (_swapped, "swapped"),
    (lambda f, kind="non-saturating": my_generator_loss(f, "non-saturating"), "same loss for both"),
    (lambda f, kind="non-saturating": -my_generator_loss(f, kind), "wrong sign"),
    (lambda f, kind="non-saturating": (-my_generator_loss(f, kind) if kind == "minimax"
                                       else my_generator_loss(f, kind)), "kind='minimax': wrong sign"),
    (lambda f, kind="non-saturating": _bce(f, 0.0) if kind == "non-saturating" else _bce(f, 0.0).neg(),
     "wrong sign"),
    (lambda f, kind="non-saturating": my_generator_loss(f, kind) * len(f), "summed"),
    (lambda f, kind="non-saturating": (torch.log(1 - torch.sigmoid(f)).mean() if kind == "minimax"
                                       else -torch.log(torch.sigmoid(f)).mean()), "very sure"),
    (lambda f, kind="non-saturating": my_generator_loss(f, "non-saturating") if kind == "non-saturating"
     else my_generator_loss(f, "non-saturating") + 1.0, "your loss is"),
    (lambda f, kind="non-saturating": my_generator_loss(f, kind).detach(), "no gradient"),
    (lambda f, kind="non-saturating": -F.logsigmoid(f), "one number per image"),
    (lambda f, kind="non-saturating": f, "one number per image"),
    (lambda f, kind="non-saturating": torch.tensor(0.7), "same loss for both"),
    (lambda f: my_generator_loss(f), "takes 1 positional argument"),
    (lambda f, kind="non-saturating": my_generator_loss(f, kind) if kind == "non-saturating"
     else (_ for _ in ()).throw(ValueError(kind)), "handle both kinds"),
    (generator_loss, "kit's own"),
    (lambda f, kind="non-saturating": generator_loss(f, kind), "calls the kit's generator_loss"),
])
def test_generator_loss_rejects(wrong, hint):
    status, message = verdict("09.generator_loss", wrong)
    assert status == "wrong" and hint in message, message


def test_the_swap_hint_names_no_formula():
    message = verdict("09.generator_loss", _swapped)[1]
    assert "log" not in message and "BCE" not in message


# ---------------------------------------------------------------------------------------------
# Exercise 3: one alternating step

def my_training_step(generator, discriminator, real, g_opt, d_opt, noise):
    """The lesson's solution."""
    fake = generator(noise)
    d_loss = my_discriminator_loss(discriminator(real), discriminator(fake.detach()))
    d_opt.zero_grad()
    d_loss.backward()
    d_opt.step()
    g_loss = my_generator_loss(discriminator(fake))
    g_opt.zero_grad()
    g_loss.backward()
    g_opt.step()
    return d_loss.item(), g_loss.item()


def test_training_step_accepts_the_solution_and_the_kit_agrees():
    status, message = verdict("09.training_step", my_training_step)
    assert status == "correct", message
    assert verdict("09.training_step", lambda *args: (reference_step(*args)))[0] == "correct"


def test_the_reference_step_is_the_kits_dcgan_step():
    """reference_step on a DCGAN's parts moves them exactly as DCGAN.training_step does."""
    model = DCGAN(width=4, latent_dim=8)
    twin = DCGAN(width=4, latent_dim=8)
    twin.load_state_dict(model.state_dict())
    real = step_inputs()[0][0]
    noise = torch.randn(len(real), 8)
    model.sample_noise = lambda n: noise
    model.train()
    model.training_step((real,), model.configure_optimizers(1e-3), step=1)
    d_opt, g_opt = twin.configure_optimizers(1e-3)
    twin.train()
    reference_step(twin.decode, twin.discriminator, real, g_opt, d_opt, noise)
    for mine, theirs in zip(model.parameters(), twin.parameters(), strict=True):
        assert torch.allclose(mine, theirs, atol=1e-6)


def test_tiny_pair_is_fresh_and_seeded_without_touching_the_global_generator():
    torch.manual_seed(0)
    before = torch.rand(1)
    torch.manual_seed(0)
    (g1, d1), (g2, _) = tiny_pair(), tiny_pair()
    assert torch.equal(torch.rand(1), before)
    assert all(torch.equal(a, b) for a, b in zip(g1.parameters(), g2.parameters(), strict=True))
    assert d1(g1(torch.randn(3, 8))).shape == (3,)


def _with(d_target=(1.0, 0.0), detach=True, kind="non-saturating", zero=True, order="dg", noise_from=None,
          returns="losses", d_scale=1.0, regenerate=False):
    """A configurable (mostly wrong) step."""
    def step(generator, discriminator, real, g_opt, d_opt, noise):
        z = torch.randn_like(noise) if noise_from == "fresh" else noise
        fake = generator(z)

        def d_part():
            shown = fake.detach() if detach else fake
            real_logits, fake_logits = discriminator(real), discriminator(shown)
            loss = d_scale * (_bce(real_logits, d_target[0]) + _bce(fake_logits, d_target[1]))
            if zero:
                d_opt.zero_grad()
            loss.backward()
            d_opt.step()
            return loss

        def g_part():
            shown = generator(z) if regenerate else fake
            loss = my_generator_loss(discriminator(shown), kind)
            if zero:
                g_opt.zero_grad()
            loss.backward()
            g_opt.step()
            return loss

        if order == "dg":
            d_loss, g_loss = d_part(), g_part()
        else:
            g_loss, d_loss = g_part(), d_part()
        if returns == "losses":
            return d_loss.item(), g_loss.item()
        if returns == "swapped":
            return g_loss.item(), d_loss.item()
        return None
    return step


def no_detach_zero_once(generator, discriminator, real, g_opt, d_opt, noise):
    d_opt.zero_grad()
    g_opt.zero_grad()
    fake = generator(noise)
    d_loss = my_discriminator_loss(discriminator(real), discriminator(fake))
    d_loss.backward()
    d_opt.step()
    g_loss = my_generator_loss(discriminator(generator(noise)))
    g_loss.backward()
    g_opt.step()
    return d_loss.item(), g_loss.item()


def stale_discriminator(generator, discriminator, real, g_opt, d_opt, noise):
    fake = generator(noise)
    fake_logits = discriminator(fake)
    d_loss = my_discriminator_loss(discriminator(real), discriminator(fake.detach()))
    d_opt.zero_grad()
    d_loss.backward()
    d_opt.step()
    g_loss = my_generator_loss(fake_logits)
    g_opt.zero_grad()
    g_loss.backward()
    g_opt.step()
    return d_loss.item(), g_loss.item()


def wrong_optimizer(generator, discriminator, real, g_opt, d_opt, noise):
    fake = generator(noise)
    d_loss = my_discriminator_loss(discriminator(real), discriminator(fake.detach()))
    d_opt.zero_grad()
    d_loss.backward()
    d_opt.step()
    g_loss = my_generator_loss(discriminator(fake))
    d_opt.zero_grad()
    g_loss.backward()
    d_opt.step()
    return d_loss.item(), g_loss.item()


def uses_the_kit(generator, discriminator, real, g_opt, d_opt, noise):
    model = DCGAN()
    return model.training_step((real,), [d_opt, g_opt], 1)


@pytest.mark.parametrize("wrong, hint", [
    (_with(order="gd"), "wrong order"),
    (_with(order="gd", regenerate=True), "wrong order"),
    (_with(detach=False), "second backward"),
    (no_detach_zero_once, "reached the generator twice"),
    (_with(detach=False, regenerate=True), "reached the generator twice"),
    (stale_discriminator, "before"),
    (_with(kind="minimax"), "minimax"),
    (_with(d_target=(0.0, 1.0)), "opposite"),
    (_with(d_scale=0.5), "half as far"),
    (_with(d_target=(1.0, 1.0)), "(target 0)"),
    (_with(zero=False), "later ones"),
    (_with(noise_from="fresh"), "noise"),
    (_with(returns=None), "return the two losses"),
    (_with(returns="swapped"), "swapped"),
    (wrong_optimizer, "exactly once"),
    (lambda g, d, real, g_opt, d_opt, noise: None, "neither network changed"),
    (lambda g, d, real, g_opt, d_opt, noise: (real.mean().item(), noise.mean().item()), "neither network"),
    (lambda g, d, real, g_opt, d_opt, noise: (g(noise).sum() * 0).backward(), "neither network changed"),
    (uses_the_kit, "calls the kit's training_step"),
])
def test_training_step_rejects(wrong, hint):
    status, message = verdict("09.training_step", wrong)
    assert status == "wrong" and hint in message, message
