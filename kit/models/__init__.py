"""The course's networks: the LeNet-5 evaluator, image AEs and VAEs, AIVAE, GANs, AIVAEGAN, classifiers,
audio-visual correspondence, audio VAEs that speak.

Every model has the same small contract, used by :class:`kit.train.Trainer`:
``loss(batch) -> dict`` of scalar tensors with the key ``"loss"`` (what is
minimised) plus anything worth logging. Generators also have
``generate(inputs) -> images in [0, 1]``. GANs add the Trainer's optional
hooks (two optimisers, a model-owned alternating step): see
:mod:`kit.models.adversarial`.
"""

from .aivae import AIVAE, FastAIVAE
from .aivaegan import AIVAEGAN, FastAIVAEGAN
from .audio_vae import AudioVaeCnn, AudioVaeMlp
from .autoencoders import ConvAE, ConvVAE, MlpAE, MlpVAE
from .classifiers import AudioNetCNN, AudioNetLSTM, HybridNetCNN, HybridNetCNNLSTM, ImageNetCNN
from .correspondence import AVCDistance, AVCInfoNCE, AVCNet
from .gan import DCGAN
from .iavae import IAVAE
from .lenet import LeNet5
from .mfcc_vae import MfccVAE
from .vae import elbo, kl_divergence, reparametrize

MODELS = {
    "lenet5": LeNet5,
    "mlp-ae": MlpAE,
    "conv-ae": ConvAE,
    "mlp-vae": MlpVAE,
    "conv-vae": ConvVAE,
    "aivae": AIVAE,
    "fast-aivae": FastAIVAE,
    "dcgan": DCGAN,
    "aivaegan": AIVAEGAN,
    "fast-aivaegan": FastAIVAEGAN,
    "mfcc-vae": MfccVAE,
    "imagenet-cnn": ImageNetCNN,
    "audionet-cnn": AudioNetCNN,
    "audionet-lstm": AudioNetLSTM,
    "hybridnet-cnn": HybridNetCNN,
    "hybridnet-cnn-lstm": HybridNetCNNLSTM,
    "avc-net": AVCNet,
    "avc-distance": AVCDistance,
    "avc-infonce": AVCInfoNCE,
    "iavae": IAVAE,
    "audio-vae-mlp": AudioVaeMlp,
    "audio-vae-cnn": AudioVaeCnn,
}

__all__ = [
    "AIVAE", "AIVAEGAN", "AVCDistance", "AVCInfoNCE", "AVCNet", "DCGAN", "MODELS",
    "AudioNetCNN", "AudioNetLSTM", "AudioVaeCnn", "AudioVaeMlp", "ConvAE", "ConvVAE", "FastAIVAE",
    "FastAIVAEGAN", "HybridNetCNN", "IAVAE", "HybridNetCNNLSTM", "ImageNetCNN", "LeNet5", "MfccVAE", "MlpAE",
    "MlpVAE",
    "elbo", "kl_divergence", "reparametrize",
]
