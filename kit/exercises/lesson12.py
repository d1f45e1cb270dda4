"""Lesson 12's exercise checks: audio classification (standardisation, the LSTM classifier, a training step).

Every check runs the learner's function on inputs the learner never sees and
compares it with the kit: ``my_standardise`` with
:class:`~kit.models.classifiers.AudioInput` fitted on hidden MFCC-like frames,
``my_lstm_forward`` with a seeded :class:`~kit.models.classifiers.AudioNetLSTM`
whose own layers are handed to the learner's function (Table 3 of seed 003),
and ``my_training_step`` with :func:`reference_step`, the step the kit's
:class:`~kit.train.Trainer` takes for a classifier, on a fresh tiny network.
Typical slips (statistics from the wrong clips or over the wrong axes, the
first time step, the bottom layer, the cell state, pooling over time, a
missing ReLU, probabilities instead of logits, time and clips swapped, a
softmax before the cross-entropy, a missing ``zero_grad()``) get a hint of
their own; none prints the answer.
"""

from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from ..models.classifiers import AudioInput, AudioNetLSTM
from . import as_array, exercise, own_work
from . import as_function as _function

FRAMES, COEFFICIENTS = 39, 13  # kit.features.MFCC_FRAMES: 39 frames x (log-energy + MFCC 1-12)


# ---------------------------------------------------------------------------------------------
# Exercise 1: standardise every coefficient with the training clips' statistics

#: Typical centres and spreads of the 13 numbers of a frame (log-energy in dB, then MFCC 1-12).
CENTRES = np.array([-8.0, 95.0, -20.0, 14.0, -6.0, 9.0, -3.0, 4.0, -2.0, 3.0, -1.0, 1.5, -0.5])
SPREADS = np.array([22.0, 40.0, 18.0, 12.0, 10.0, 8.0, 7.0, 6.0, 5.0, 4.5, 4.0, 3.5, 3.0])


def mfcc_like(n: int, seed: int, shift: float = 0.0) -> np.ndarray:
    """``n`` clips of MFCC-like frames ``(n, 39, 13)`` float32: each coefficient on its own scale,
    louder in the middle of the window (the word) than at its edges, every clip a little different.
    ``shift`` moves every coefficient by that many of its spreads (test clips unlike the training ones)."""
    rng = np.random.default_rng(seed)
    word = np.sin(np.linspace(0, np.pi, FRAMES))[:, None] * rng.normal(0, 1, COEFFICIENTS)
    clip = rng.normal(0, 0.6, (n, 1, COEFFICIENTS))
    frame = rng.normal(0, 0.8, (n, FRAMES, COEFFICIENTS))
    frames = CENTRES + SPREADS * (shift + word + clip + frame)
    return frames.astype(np.float32)


#: (training clips, clips to standardise): hidden, with the second set unlike the first.
STANDARDISE_CASES = ((mfcc_like(300, 121), mfcc_like(25, 122, shift=0.6)),
                     (mfcc_like(180, 123), mfcc_like(9, 124, shift=-0.4)))


def kit_standardise(train_frames: np.ndarray, frames: np.ndarray) -> np.ndarray:
    """``frames`` standardised as the kit's audio models do: :class:`AudioInput` fitted on ``train_frames``,
    back in the frames' own layout ``(n, 39, 13)``."""
    scaler = AudioInput("mfcc39x13")
    scaler.fit(torch.as_tensor(np.asarray(train_frames, dtype=np.float32)))
    with torch.no_grad():
        return scaler(torch.as_tensor(np.asarray(frames, dtype=np.float32))).transpose(1, 2).numpy()


def _standardise_slips(train: np.ndarray, frames: np.ndarray) -> list[tuple[np.ndarray, str]]:
    """What typical slips return, each with its hint."""
    train, frames = train.astype(np.float64), frames.astype(np.float64)
    mean, std = train.mean(axis=(0, 1)), train.std(axis=(0, 1))
    both = np.concatenate([train, frames])
    low, high = train.min(axis=(0, 1)), train.max(axis=(0, 1))
    return [
        ((frames - frames.mean(axis=(0, 1))) / frames.std(axis=(0, 1)),
         "you standardised the clips with their *own* statistics. Take the means and spreads from the "
         "training clips only (the first argument) and apply them to the new clips: a model meets test clips "
         "one at a time, with numbers fixed in training, and test statistics would leak into the model."),
        ((frames - both.mean(axis=(0, 1))) / both.std(axis=(0, 1)),
         "you took the statistics of the training and the new clips together; take them from the training "
         "clips only (the first argument)."),
        ((frames - train.mean()) / train.std(),
         "one mean and one spread for all 13 numbers leaves their scales as unequal as before (the "
         "log-energy and MFCC 1 still dwarf MFCC 12). Standardise each coefficient on its own."),
        ((frames - frames.mean(axis=2, keepdims=True)) / frames.std(axis=2, keepdims=True),
         "you standardised each frame across its 13 numbers. Standardise each *coefficient* instead: its "
         "mean and spread over all training clips and all their frames."),
        ((frames - frames.mean(axis=1, keepdims=True)) / frames.std(axis=1, keepdims=True),
         "you standardised every clip with its own statistics. Here each coefficient gets one mean and one "
         "spread, computed over all training clips and all their frames."),
        ((frames - train.mean(axis=0)) / train.std(axis=0),
         "you computed a mean and a spread for every frame position and coefficient (39 x 13 of them). "
         "Each coefficient gets one mean and one spread, over all training clips *and* all their frames."),
        ((frames - mean) / std ** 2,
         "you divided by the variance; divide by the standard deviation (its square root)."),
        (frames - mean, "the frames are centred, but not divided by each coefficient's spread."),
        (frames / std, "divided by each coefficient's spread, but not centred: subtract its mean first."),
        ((frames - low) / (high - low),
         "that is min-max scaling into [0, 1]; standardising gives every coefficient mean 0 and spread 1."),
    ]


@exercise("12.standardise")
def standardise_check(answer) -> None:
    """``my_standardise(train_frames, frames)`` equals the kit's AudioInput on hidden frames."""
    function = _function(answer, "my_standardise")
    own_work(function, {"AudioInput", "fit_input_scaling", "kit_standardise"}, "the standardisation")
    for train, frames in STANDARDISE_CASES:
        what = f"my_standardise(train_frames {train.shape}, frames {frames.shape})"
        train_in, frames_in = train.copy(), frames.copy()
        try:
            value = function(train_in, frames_in)
        except Exception as error:
            raise AssertionError(f"{what} raised {type(error).__name__}: {error}. Both arguments are NumPy "
                                 "arrays of shape (clips, 39 frames, 13 coefficients).") from None
        got = as_array(value, what, "the standardised frames")
        expected = kit_standardise(train, frames)
        if got.shape == expected.transpose(0, 2, 1).shape and got.shape != expected.shape:
            if np.allclose(got.transpose(0, 2, 1), expected, atol=2e-3, rtol=1e-3):
                raise AssertionError("the right numbers, transposed: return the frames in the layout they "
                                     "came in, (clips, 39 frames, 13 coefficients).")
        if got.shape != expected.shape:
            raise AssertionError(f"{what} returned shape {got.shape}; it should keep the shape of `frames`, "
                                 f"{expected.shape}.")
        if not (np.array_equal(train_in, train) and np.array_equal(frames_in, frames)):
            raise AssertionError("your function changes its arguments in place (`-=`, `/=` on them); "
                                 "compute new arrays so that the training frames stay as they were.")
        if np.allclose(got, expected, atol=2e-3, rtol=1e-3):  # a spread with n or n - 1: both fine
            continue
        if not np.isfinite(got).all():
            raise AssertionError("your result holds NaN or infinity: is a spread zero, or a mean taken "
                                 "over an empty axis?")
        for slip, hint in _standardise_slips(train, frames):
            if slip.shape == got.shape and np.allclose(got, slip, atol=2e-3, rtol=1e-3):
                raise AssertionError(hint)
        raise AssertionError(f"for hidden frames your result differs from the kit's (largest difference "
                             f"{np.abs(got - expected).max():.3g}). Each coefficient: subtract its mean over "
                             "all training clips and frames, divide by its spread over the same.")


# ---------------------------------------------------------------------------------------------
# Exercise 2: the LSTM classifier's forward pass (Table 3)


def hidden_lstm(seed: int = 12) -> AudioNetLSTM:
    """A seeded AudioNetLSTM (without touching the global generator); its input scaling is the identity."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = AudioNetLSTM()
    return model.eval()


def lstm_layers(model: AudioNetLSTM) -> tuple[nn.LSTM, nn.Linear, nn.Linear]:
    """The three layers of an AudioNetLSTM the learner's forward pass receives: lstm, hidden, out."""
    return model.audio_encoder[0].lstm, model.audio_encoder[1], model.classifier


def hidden_frames(n: int, seed: int) -> torch.Tensor:
    """Standardised-looking frames ``(n, 39, 13)``."""
    return torch.randn(n, FRAMES, COEFFICIENTS, generator=torch.Generator().manual_seed(seed))


def _lstm_slips(frames, lstm, hidden, out) -> list[tuple[torch.Tensor, str]]:
    def head(state):
        return out(torch.relu(hidden(state)))

    output, (h, c) = lstm(frames)
    swapped, _ = lstm(frames.transpose(0, 1))
    logits = head(h[-1])
    return [
        (head(output[:, 0]), "you read the state after the *first* frame, when the LSTM has heard the first "
         "26 ms of the window (mostly silence: the word sits in the middle). The summary of the whole clip "
         "is its state after the *last* frame."),
        (head(h[0]), "that is the last state of the first (bottom) layer; the classifier reads the top "
         "layer's, the one that reads the bottom layer's outputs."),
        (head(c[-1]), "that is the cell state c, the LSTM's inner memory; the classifier reads the hidden "
         "state h (the LSTM's output)."),
        (head(output.mean(1)), "you averaged the outputs over the 39 frames (mean pooling): a reasonable "
         "design, but not Table 3's, which reads the top layer's state after the last frame."),
        (head(output.amax(1)), "you took the largest output over the 39 frames (max pooling): not Table 3's "
         "design, which reads the top layer's state after the last frame."),
        (head(swapped[-1]), "time and clips are swapped. With batch_first=True the LSTM reads (clips, "
         "frames, 13), which is the order the frames already come in: do not transpose them."),
        (out(hidden(h[-1])), "the ReLU between the two Linear layers is missing."),
        (torch.relu(logits), "a ReLU after the last layer too: logits may be negative, the last layer's "
         "output goes out as it is."),
        (out(torch.relu(h[-1])), "the Linear(64, 64) layer `hidden` is skipped."),
        (out(h[-1]), "the Linear(64, 64) layer `hidden` and its ReLU are skipped."),
        (torch.softmax(logits, 1), "those are probabilities (a softmax); return the logits, the raw scores: "
         "F.cross_entropy applies the softmax itself."),
        (torch.log_softmax(logits, 1), "those are log-probabilities (a log-softmax); return the raw logits "
         "of the last layer, as the kit's models do."),
    ]


LSTM_ERRORS = (
    ("input.size(-1) must be equal to input_size", "the LSTM reads frames of 13 numbers: give it the frames "
     "as they come, (clips, 39 frames, 13), without transposing them."),
    ("shapes cannot be multiplied", "a Linear layer got numbers of the wrong size. `hidden` takes the 64 "
     "numbers of the LSTM's state for each clip (not the 13 MFCCs, not all 39 outputs)."),
    ("cannot unpack", "nn.LSTM returns two things: `output, (h_n, c_n) = lstm(frames)`."),
    ("too many values to unpack", "nn.LSTM returns two things: `output, (h_n, c_n) = lstm(frames)`."),
    ("not enough values to unpack", "nn.LSTM returns two things: `output, (h_n, c_n) = lstm(frames)`."),
    ("must be Tensor, not tuple", "nn.LSTM returns two things: `output, (h_n, c_n) = lstm(frames)`."),
)


def _lstm_shape_hint(shape: tuple, n: int) -> str:
    if shape == (FRAMES, 10):
        return ("39 rows of logits: one per frame instead of one per clip. Time and clips are swapped: keep "
                "the frames as they come, (clips, 39, 13).")
    if shape == (2, n, 10):
        return ("one row of logits per LSTM layer: h_n holds the last state of each of the two layers; take "
                "the top layer's.")
    if shape == (n, FRAMES, 10):
        return ("logits for every frame: the classifier reads the top layer's state after the last frame "
                "only.")
    if shape == (n, 64):
        return "that is a 64-number summary per clip; the classifier goes on: hidden, ReLU, out."
    return f"the logits should have shape (clips, 10) = ({n}, 10), not {shape}."


@exercise("12.lstm_forward")
def lstm_forward_check(answer) -> None:
    """``my_lstm_forward(frames, lstm, hidden, out)`` equals the kit's AudioNetLSTM with the same layers."""
    function = _function(answer, "my_lstm_forward")
    own_work(function, {"AudioNetLSTM", "LastState", "audio_encoder", "hidden_lstm"},
              "the forward pass")
    model = hidden_lstm()
    lstm, hidden, out = lstm_layers(model)
    for n, seed in ((7, 1201), (4, 1202)):
        frames = hidden_frames(n, seed)
        try:
            value = function(frames.clone(), lstm, hidden, out)
        except Exception as error:
            message = str(error)
            for fragment, hint in LSTM_ERRORS:
                if fragment in message:
                    raise AssertionError(hint) from None
            raise AssertionError(f"my_lstm_forward(frames {tuple(frames.shape)}, lstm, hidden, out) raised "
                                 f"{type(error).__name__}: {message}") from None
        if value is None:
            raise AssertionError("my_lstm_forward returned None: does your function `return` the logits?")
        if not torch.is_tensor(value):
            raise AssertionError(f"my_lstm_forward should return a torch tensor of logits, not "
                                 f"{type(value).__name__} (training needs its gradient).")
        if tuple(value.shape) != (n, 10):
            raise AssertionError(_lstm_shape_hint(tuple(value.shape), n))
        with torch.no_grad():
            expected = model(frames)
            got = value.detach()
            if not torch.allclose(got, expected, rtol=1e-4, atol=1e-5):
                if not torch.isfinite(got).all():
                    raise AssertionError("your logits hold NaN or infinity.")
                for slip, hint in _lstm_slips(frames, lstm, hidden, out):
                    if slip.shape == got.shape and torch.allclose(got, slip, rtol=1e-4, atol=1e-5):
                        raise AssertionError(hint)
                raise AssertionError(
                    "for hidden frames your logits differ from those of the kit's AudioNetLSTM with the "
                    f"same layers (largest difference {float((got - expected).abs().max()):.3g}). Use the "
                    "layers you are given: lstm on the frames as they come, the top layer's state after the "
                    "last frame, hidden, a ReLU, out. (A dropout, or layers of your own, also do this.)")
        if not value.requires_grad:
            raise AssertionError("the right logits, but they carry no gradient (torch.no_grad, .detach(), "
                                 "NumPy?): training needs to backpropagate through them.")
        weights = torch.linspace(-1, 1, value.numel()).reshape(value.shape)
        parameters = [lstm.weight_ih_l0, lstm.weight_hh_l1, hidden.weight, out.bias]
        mine = torch.autograd.grad((value * weights).sum(), parameters, allow_unused=True)
        theirs = torch.autograd.grad((model(frames) * weights).sum(), parameters)
        for name, a, b in zip(("lstm", "lstm", "hidden", "out"), mine, theirs, strict=True):
            if a is None or not torch.allclose(a, b, rtol=1e-3, atol=1e-6):
                raise AssertionError(f"the right logits, but the gradient that reaches `{name}` differs from "
                                     "the kit's: is part of the computation detached?")


# ---------------------------------------------------------------------------------------------
# Exercise 3: one training step

STEP_LR, STEP_BATCH, STEP_CALLS = 0.5, 16, 3


class TinyClassifier(nn.Module):
    """A small LSTM classifier of frames ``(n, 39, 13)`` for the step check (fast, same kind of model)."""

    def __init__(self) -> None:
        super().__init__()
        self.lstm = nn.LSTM(COEFFICIENTS, 8, batch_first=True)
        self.out = nn.Linear(8, 10)

    def forward(self, frames: torch.Tensor) -> torch.Tensor:
        return self.out(self.lstm(frames)[0][:, -1])


def tiny_classifier(seed: int = 12) -> TinyClassifier:
    """A fresh, seeded :class:`TinyClassifier` (without touching the global generator)."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return TinyClassifier()


def step_batches(seed: int = 12) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """``(frames, labels)`` for each call of the step check."""
    generator = torch.Generator().manual_seed(seed)
    return [(torch.randn(STEP_BATCH, FRAMES, COEFFICIENTS, generator=generator),
             torch.randint(0, 10, (STEP_BATCH,), generator=generator)) for _ in range(STEP_CALLS)]


def reference_step(model, optimizer, frames, labels) -> float:
    """The step the kit's Trainer takes for a classifier (``DigitClassifier.loss``): the mean cross-entropy
    of the logits, then ``zero_grad``, ``backward``, ``step``; returns the loss before the step."""
    loss = F.cross_entropy(model(frames), labels)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return loss.item()


def _with_loss(loss_of):
    def step(model, optimizer, frames, labels):
        loss = loss_of(model(frames), labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        return loss.item()
    return step


STEP_SLIPS = (
    (_with_loss(lambda logits, labels: F.cross_entropy(torch.softmax(logits, 1), labels)),
     "a softmax before the cross-entropy: F.cross_entropy takes the logits themselves and applies the "
     "(log-)softmax inside."),
    (_with_loss(lambda logits, labels: F.nll_loss(logits, labels)),
     "F.nll_loss expects log-probabilities; on logits it is not the cross-entropy. F.cross_entropy takes "
     "the logits."),
    (_with_loss(lambda logits, labels: F.cross_entropy(logits, labels, reduction="sum")),
     "you summed the loss over the batch; the kit's loss is the mean over the clips."),
    (_with_loss(lambda logits, labels: F.mse_loss(logits, F.one_hot(labels, 10).float())),
     "a squared error against one-hot labels; a classifier's loss is the cross-entropy of its logits."),
    (_with_loss(lambda logits, labels: -F.cross_entropy(logits, labels)),
     "wrong sign: the step should make the loss smaller."),
)


def _double_step(model, optimizer, frames, labels) -> float:
    loss = F.cross_entropy(model(frames), labels)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    optimizer.step()
    return loss.item()


def _weights(model: nn.Module) -> torch.Tensor:
    return torch.cat([p.detach().reshape(-1) for p in model.parameters()]).double()


def _same(a: torch.Tensor, b: torch.Tensor) -> bool:
    return bool(torch.allclose(a, b, rtol=1e-4, atol=1e-6))


def _run_steps(step, calls: int) -> tuple[list[torch.Tensor], list]:
    """Weights after each of ``calls`` steps of ``step`` on a fresh tiny model, and what each returned."""
    model = tiny_classifier()
    optimizer = torch.optim.SGD(model.parameters(), lr=STEP_LR)
    weights, returned = [], []
    for frames, labels in step_batches()[:calls]:
        returned.append(step(model, optimizer, frames.clone(), labels.clone()))
        weights.append(_weights(model))
    return weights, returned


@exercise("12.training_step")
def training_step_check(answer) -> None:
    """``my_training_step(model, optimizer, frames, labels)`` moves a fresh model as the kit's step does."""
    function = _function(answer, "my_training_step")
    own_work(function, {"reference_step", "Trainer", "fit"}, "the training step")
    model = tiny_classifier()
    optimizer = torch.optim.SGD(model.parameters(), lr=STEP_LR)
    expected_weights, expected_losses = _run_steps(reference_step, STEP_CALLS)
    for call, (frames, labels) in enumerate(step_batches()):
        before = _weights(model)
        try:
            returned = function(model, optimizer, frames.clone(), labels.clone())
        except Exception as error:
            raise AssertionError(f"my_training_step(model, optimizer, frames, labels) raised "
                                 f"{type(error).__name__}: {error}. `model(frames)` gives the logits "
                                 "(clips, 10); `labels` are the digits (clips,).") from None
        after = _weights(model)
        if _same(after, before):
            raise AssertionError("the weights did not move. A step needs the loss's gradients (backward) "
                                 "and then the optimiser's step, with nothing wiping the gradients in "
                                 "between.")
        if not _same(after, expected_weights[call]):
            if call == 0:
                for slip, hint in STEP_SLIPS:
                    if _same(after, _run_steps(slip, 1)[0][0]):
                        raise AssertionError(hint)
                if _same(after, _run_steps(_double_step, 1)[0][0]):
                    raise AssertionError("your function takes two optimiser steps; one call, one step.")
                raise AssertionError("after one step your weights differ from the kit's step's: the mean "
                                     "cross-entropy of the logits against the labels, zero_grad, backward, "
                                     "step.")
            raise AssertionError("the first step matches the kit's, the later ones do not: PyTorch *adds* "
                                 "new gradients to the old ones in .grad. Call optimizer.zero_grad() before "
                                 "loss.backward().")
        if returned is None:
            raise AssertionError("the model moves like the kit's! Last thing: return the loss, "
                                 "`return loss.item()`, so that training can be watched.")
        if torch.is_tensor(returned) and returned.requires_grad:
            raise AssertionError("the model moves like the kit's, but you return the loss tensor with its "
                                 "whole computation graph attached (kept alive in a list of losses, that "
                                 "fills the memory): return the number, loss.item().")
        try:
            number = float(returned)
        except (TypeError, ValueError):
            raise AssertionError("return the loss as a number: `return loss.item()`.") from None
        if not math.isclose(number, expected_losses[call], rel_tol=1e-4, abs_tol=1e-6):
            raise AssertionError("the model moves like the kit's, but the number you return is not the loss "
                                 "of this step: return the loss computed before the step (loss.item()).")
