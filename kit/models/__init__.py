"""The networks of the course: the LeNet-5 evaluator, image autoencoders and VAEs, AIVAE.

Every model has the same small contract, used by :class:`kit.train.Trainer`:
``loss(batch) -> dict`` of scalar tensors with the key ``"loss"`` (what is
minimised) plus anything worth logging. Generators also have
``generate(inputs) -> images in [0, 1]``.
"""

from .aivae import AIVAE, FastAIVAE
from .autoencoders import ConvAE, ConvVAE, MlpAE, MlpVAE
from .lenet import LeNet5
from .vae import elbo, kl_divergence, reparametrize

MODELS = {
    "lenet5": LeNet5,
    "mlp-ae": MlpAE,
    "conv-ae": ConvAE,
    "mlp-vae": MlpVAE,
    "conv-vae": ConvVAE,
    "aivae": AIVAE,
    "fast-aivae": FastAIVAE,
}

__all__ = [
    "AIVAE", "MODELS", "ConvAE", "ConvVAE", "FastAIVAE", "LeNet5", "MlpAE", "MlpVAE",
    "elbo", "kl_divergence", "reparametrize",
]
