"""kit.models: shapes, the paper's parameter count, the ELBO's terms."""

from __future__ import annotations

import pytest
import torch

from kit.features import FEATURES
from kit.models import AIVAE, MODELS, FastAIVAE, LeNet5, elbo, kl_divergence


def count(model: torch.nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def test_aivae_has_the_slides_parameter_count():
    assert count(AIVAE()) == 20_950_529


def test_lenet5_is_the_classic_size():
    assert count(LeNet5()) == 61_706


def example_batch(model: torch.nn.Module) -> tuple[torch.Tensor, ...]:
    """Four random examples in the layout of the model's task, with the audio features it hears."""
    images, labels = torch.rand(4, 28, 28), torch.randint(0, 10, (4,))
    heard = model.audio_input.feature if hasattr(model, "audio_input") else getattr(model, "hears", "mel48")
    audio = torch.rand(4, *FEATURES[heard].shape)
    return {
        "audio-to-image": (audio, images),
        "digit-classification": (images, audio, labels),
        "audio-visual-correspondence": (audio, images, torch.tensor([1.0, 1.0, 0.0, 0.0])),
        "image-to-audio": (torch.rand(4, *FEATURES["logstft"].shape) * 100 - 100, images),
        "audio-generation": (torch.rand(4, *FEATURES["logstft"].shape) * 100 - 100, labels),
    }.get(model.task, (images, labels))


@pytest.mark.parametrize("name", sorted(MODELS))
def test_every_model_takes_its_inputs_and_returns_a_loss(name):
    model = MODELS[name]()
    batch = example_batch(model)
    terms = model.loss(batch)
    assert terms["loss"].ndim == 0 and torch.isfinite(terms["loss"])
    terms["loss"].backward()
    if model.task in ("audio-to-image", "image-reconstruction", "image-generation"):  # GANs draw from noise
        generated = model.eval().sample(4) if hasattr(model, "sample") else model.generate(batch[0])
        assert generated.shape == (4, 28, 28) and 0 <= generated.min() and generated.max() <= 1


def test_kl_is_zero_for_the_prior_and_positive_otherwise():
    zeros = torch.zeros(3, 8)
    assert torch.allclose(kl_divergence(zeros, zeros), torch.zeros(3))
    assert (kl_divergence(torch.ones(3, 8), zeros) > 0).all()
    # closed form for one dimension: KL(N(1, e^1) || N(0,1)) = 0.5 (1 + e - 1 - 1)
    assert kl_divergence(torch.ones(1, 1), torch.ones(1, 1)).item() == pytest.approx(0.5 * (torch.e - 1))


def test_elbo_weights_the_kl_term():
    logits, images = torch.zeros(2, 28, 28), torch.full((2, 28, 28), 0.5)
    mu, logvar = torch.ones(2, 4), torch.zeros(2, 4)
    plain, weighted = elbo(logits, images, mu, logvar, 1.0), elbo(logits, images, mu, logvar, 0.5)
    log2 = torch.log(torch.tensor(2.0)).item()
    assert plain["reconstruction"].item() == pytest.approx(784 * log2, rel=1e-5)
    assert plain["loss"] - weighted["loss"] == pytest.approx(0.5 * plain["kl"].item())


def test_kl_warmup_rises_linearly_with_the_trainers_step():
    model = FastAIVAE(kl_warmup_steps=4)
    assert [model.current_kl_weight(step) for step in range(1, 7)] == [0.0, 0.25, 0.5, 0.75, 1.0, 1.0]
    assert model.current_kl_weight() == 1.0  # outside training (no step): the full weight
    batch = (torch.rand(2, 48, 48), torch.rand(2, 28, 28))
    torch.manual_seed(0)
    early = model.loss(batch, step=1)
    torch.manual_seed(0)
    late = model.loss(batch, step=5)
    assert early["loss"].item() == pytest.approx(early["reconstruction"].item())  # weight 0: no KL
    assert late["loss"].item() == pytest.approx((late["reconstruction"] + late["kl"]).item())


def test_input_standardisation_is_fitted_and_saved():
    model = FastAIVAE()
    audio = torch.rand(10, 48, 48) * 3 + 2
    model.fit_input_scaling(audio)
    restored = FastAIVAE()
    restored.load_state_dict(model.state_dict())
    standardized = restored.encoder[0](audio)
    assert standardized.mean().abs() < 1e-4 and (standardized.std() - 1).abs() < 1e-4


def test_lenet_refuses_images_of_the_wrong_size():
    with pytest.raises(ValueError, match="28x28"):
        LeNet5()(torch.rand(2, 56, 56))
