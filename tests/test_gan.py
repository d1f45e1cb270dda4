"""GANs: the two losses, the Table-2 model, the alternating step, the guards and the collapse watch."""

from __future__ import annotations

import warnings

import pytest
import torch

from kit.models import AIVAEGAN, DCGAN, MODELS, FastAIVAEGAN
from kit.models.adversarial import discriminator_loss, generator_loss, relative_spread
from kit.runs import RunConfig, train_run
from kit.train import CollapseWatch, Run, Trainer, TrainingDiverged, load_checkpoint
from tests.conftest import require, toy_batches


def test_table_2_has_the_slides_parameter_count_and_no_fully_connected_layer():
    model = AIVAEGAN()
    assert sum(p.numel() for p in model.parameters()) == 7_909_382  # seed 002, "VAE-GAN Training"
    assert not any(isinstance(m, torch.nn.Linear) for m in model.modules())
    mu, logvar = model.eval().encode(torch.randn(3, 48, 48))
    assert mu.shape == logvar.shape == (3, 64)
    assert model.decode(mu).shape == (3, 28, 28)
    assert model.discriminator(torch.rand(3, 28, 28)).shape == (3,)


def test_the_minimax_loss_saturates_where_the_non_saturating_one_does_not():
    losing = torch.full((8,), -6.0, requires_grad=True)  # D(G(z)) = sigmoid(-6): the generator is losing
    gradients = {}
    for kind in ("minimax", "non-saturating"):
        (gradient,) = torch.autograd.grad(generator_loss(losing, kind), losing)
        gradients[kind] = gradient.abs().mean().item()
    assert gradients["minimax"] < 0.01 * gradients["non-saturating"]
    with pytest.raises(ValueError, match="minimax"):
        generator_loss(losing, "wasserstein")


def test_label_smoothing_keeps_the_discriminator_from_certainty():
    logits = torch.linspace(-10, 10, 2001)
    plain = [discriminator_loss(torch.tensor([x]), torch.tensor([-10.0])).item() for x in logits]
    smooth = [discriminator_loss(torch.tensor([x]), torch.tensor([-10.0]), 0.1).item() for x in logits]
    assert logits[torch.tensor(plain).argmin()] > 9  # plain: the surer the better
    best = logits[torch.tensor(smooth).argmin()]
    assert abs(torch.sigmoid(best) - 0.9) < 0.01  # smoothed: the best belief is 0.9, not 1


def test_the_alternating_step_moves_each_network_with_its_own_optimiser():
    model = DCGAN(width=8)
    optimizers = model.configure_optimizers(2e-4)
    assert [len(o.param_groups[0]["params"]) for o in optimizers] == [
        len(list(model.discriminator.parameters())),
        len(list(model.generator.parameters())),
    ]
    before = {name: p.detach().clone() for name, p in model.named_parameters()}
    terms = model.training_step(next(iter(toy_batches(128))), optimizers, step=1)
    assert {"loss", "d_loss", "d_real", "d_fake", "d_wins", "batch_diversity"} <= set(terms)
    for name, parameter in model.named_parameters():
        assert not torch.equal(before[name], parameter), f"{name} did not move"


def test_relative_spread_is_one_for_real_data_and_zero_for_one_repeated_image():
    real = torch.rand(16, 28, 28)
    assert relative_spread(real, real).item() == pytest.approx(1.0)
    assert relative_spread(real[:1].repeat(16, 1, 1), real).item() == pytest.approx(0.0, abs=1e-6)


def test_a_nan_in_a_gan_stops_training_naming_the_step_and_the_last_good_checkpoint_survives(tmp_path):
    class Poisoned(DCGAN):
        def training_step(self, batch, optimizers, step):
            terms = super().training_step(batch, optimizers, step)
            if step == 7:
                terms["d_loss"] = terms["d_loss"] * float("nan")
            return terms

    run = Run.create("poisoned", {"model": "dcgan"}, root=tmp_path)
    trainer = Trainer(3, lr=2e-4, run=run, progress=False)
    with pytest.raises(TrainingDiverged, match=r"step 7: the loss term 'd_loss' is nan") as caught:
        trainer.fit(Poisoned(width=8), toy_batches(128))  # 4 steps per epoch: step 7 is in epoch 2
    assert caught.value.step == 7
    saved = load_checkpoint(run.checkpoint_path)
    assert saved["epoch"] == 1 and len(saved["optimizers"]) == 2
    assert all(torch.isfinite(t).all() for t in saved["model"].values() if t.is_floating_point())
    assert run.status["status"] == "diverged"


def test_the_collapse_watch_reports_and_then_stops():
    watch, trainer = CollapseWatch(patience=2), Trainer(10)
    blob = {"epoch": 1, "train_d_wins": 0.1, "train_batch_diversity": 0.05}  # every GAN starts here
    watch.on_epoch_end(trainer, None, blob)
    healthy = {"epoch": 2, "train_d_wins": 0.1, "train_batch_diversity": 0.8}
    watch.on_epoch_end(trainer, None, healthy)
    assert "collapse" not in blob and "collapse" not in healthy and trainer.stop_reason is None
    won = {"epoch": 3, "train_d_wins": 0.97, "train_batch_diversity": 0.8}
    with pytest.warns(UserWarning, match="discriminator collapse"):
        watch.on_epoch_end(trainer, None, won)
    assert "97 %" in won["collapse"] and trainer.stop_reason is None
    same = {"epoch": 4, "train_d_wins": 0.2, "train_batch_diversity": 0.03}
    with pytest.warns(UserWarning, match="mode collapse"):
        watch.on_epoch_end(trainer, None, same)
    assert "they did 0.80x" in same["collapse"]
    assert trainer.stop_reason.startswith("mode collapse") and "2 epochs in a row" in trainer.stop_reason
    reporter, patient = CollapseWatch(), Trainer(10)  # the default reports and never stops
    for record in (dict(healthy), dict(same), dict(same), dict(same)):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reporter.on_epoch_end(patient, None, record)
    assert patient.stop_reason is None and reporter.in_a_row == 3


def test_gan_options_are_checked_and_the_stabilisers_switch_on():
    with pytest.raises(ValueError, match="non-saturating"):
        DCGAN(generator_loss="saturating")
    normalised = FastAIVAEGAN(spectral_norm=True)
    assert any("parametrizations" in name for name, _ in normalised.discriminator.named_parameters())
    assert {"dcgan", "aivaegan", "fast-aivaegan"} <= set(MODELS)


def test_a_dcgan_run_is_judged_by_lenet_without_labels(runs):
    run = train_run(RunConfig("dcgan", options={"width": 8}, epochs=1, quick=True, lr=2e-4), progress=False)
    metrics = run.metrics
    assert "accuracy" not in metrics  # nobody asked for a digit
    assert sum(metrics["read_as"]) == metrics["count"] > 0
    assert all(0 <= metrics[key] <= 1 for key in ("precision", "recall", "coverage"))
    assert metrics["density"] >= 0
    assert run.samples_path.exists()


def test_a_quick_fast_aivaegan_draws_the_spoken_digit_well_above_chance(runs):
    require("fsdd")
    config = RunConfig("fast-aivaegan", options={"alpha": 2}, epochs=6, quick=True, lr=2e-4)
    run = train_run(config, progress=False)
    assert run.metrics["accuracy"] > 0.6  # chance: 0.1; LeNet reads the digit that was spoken
    assert run.metrics["precision"] > 0.5  # the drawings look like real digits to LeNet


def test_with_label_smoothing_a_winning_discriminator_still_counts_as_winning():
    model = DCGAN(width=8, label_smoothing=0.1)
    sure = torch.logit(torch.tensor([0.9]))  # D's best belief in a real image when its target is 0.9
    best = discriminator_loss(sure, torch.tensor([-30.0]), label_smoothing=0.1).item()
    assert model._lowest_d_loss() == pytest.approx(best, abs=1e-4)  # the floor smoothing puts under D's loss
