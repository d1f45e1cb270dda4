"""Training: the one :class:`Trainer`, batches, run folders, devices and checkpoints (lessons 4-11).

``trainer``   the Trainer and its contract (``loss``; optional ``configure_optimizers``, ``training_step``)
``callbacks`` EarlyStopping, StopAtTarget, CollapseWatch
``batches``   in-memory mini-batches; the one path from MNIST to batches
``folder``    the run folder's format
``device``    device choice, seeds, bfloat16 autocast
"""

from ..io import CheckpointError, load_checkpoint, save_checkpoint
from .batches import Batches, digit_subset, image_batches
from .callbacks import CollapseWatch, EarlyStopping, StopAtTarget
from .device import autocast, pick_device, seed_everything
from .folder import Run
from .trainer import Trainer, TrainingDiverged

__all__ = [
    "Batches",
    "CheckpointError",
    "CollapseWatch",
    "EarlyStopping",
    "Run",
    "StopAtTarget",
    "Trainer",
    "TrainingDiverged",
    "autocast",
    "digit_subset",
    "image_batches",
    "load_checkpoint",
    "pick_device",
    "save_checkpoint",
    "seed_everything",
]
