"""Lesson 12's exercise checks accept the worked solutions (several forms) and reject typical mistakes."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from kit.exercises import verdict
from kit.exercises.lesson12 import (
    hidden_frames,
    hidden_lstm,
    kit_standardise,
    lstm_layers,
    mfcc_like,
    reference_step,
    step_batches,
    tiny_classifier,
)
from kit.models.classifiers import AudioInput, AudioNetLSTM
from kit.train import Batches, Trainer

KEYS = ("12.standardise", "12.lstm_forward", "12.training_step")


@pytest.mark.parametrize("key", KEYS)
def test_not_answered_and_nonsense(key):
    assert verdict(key, ...)[0] == "todo"
    for nonsense in (object(), "not a function", None, 3.0, np.zeros((3, 39, 13))):
        assert verdict(key, nonsense)[0] == "wrong"


# ---------------------------------------------------------------------------------------------
# Exercise 1: standardise every coefficient with the training clips' statistics

def my_standardise(train_frames, frames):
    """The lesson's solution."""
    mean = train_frames.mean(axis=(0, 1))
    std = train_frames.std(axis=(0, 1))
    return (frames - mean) / std


def reshaped(train_frames, frames):
    """Statistics over the frames of all clips flattened to (clips * 39, 13), unbiased spread."""
    flat = train_frames.reshape(-1, train_frames.shape[-1])
    return (frames - flat.mean(0)) / flat.std(0, ddof=1)


def in_torch(train_frames, frames):
    train, x = torch.as_tensor(train_frames), torch.as_tensor(frames)
    return (x - train.mean(dim=(0, 1))) / train.std(dim=(0, 1))


@pytest.mark.parametrize("solution", [my_standardise, reshaped, in_torch, kit_standardise])
def test_standardise_accepts_the_solutions(solution):
    status, message = verdict("12.standardise", solution)
    if solution is kit_standardise:  # the check's own reference is the kit's: refused as not the learner's
        assert status == "wrong" and "yourself" in message, message
    else:
        assert status == "correct", message


def test_standardise_matches_audio_input_on_real_looking_frames():
    train, test = mfcc_like(50, 1), mfcc_like(5, 2)
    scaler = AudioInput("mfcc39x13")
    scaler.fit(torch.from_numpy(train))
    expected = scaler(torch.from_numpy(test)).transpose(1, 2).numpy()
    assert np.allclose(my_standardise(train, test), expected, atol=2e-3)


def _in_place(train_frames, frames):
    frames -= train_frames.mean(axis=(0, 1))
    frames /= train_frames.std(axis=(0, 1))
    return frames


def _uses_the_kit(train_frames, frames):
    scaler = AudioInput("mfcc39x13")
    scaler.fit(torch.from_numpy(train_frames))
    return scaler(torch.from_numpy(frames)).transpose(1, 2)


@pytest.mark.parametrize("wrong, hint", [
    (lambda t, f: my_standardise(f, f), "*own* statistics"),
    (lambda t, f: my_standardise(np.concatenate([t, f]), f), "together"),
    (lambda t, f: (f - t.mean()) / t.std(), "one mean and one spread for all 13"),
    (lambda t, f: (f - f.mean(2, keepdims=True)) / f.std(2, keepdims=True), "each frame across its 13"),
    (lambda t, f: (f - f.mean(1, keepdims=True)) / f.std(1, keepdims=True), "every clip with its own"),
    (lambda t, f: (f - t.mean(0)) / t.std(0), "every frame position"),
    (lambda t, f: (f - t.mean((0, 1))) / t.var((0, 1)), "variance"),
    (lambda t, f: f - t.mean((0, 1)), "not divided"),
    (lambda t, f: f / t.std((0, 1)), "not centred"),
    (lambda t, f: (f - t.min((0, 1))) / (t.max((0, 1)) - t.min((0, 1))), "min-max"),
    (lambda t, f: my_standardise(t, f).transpose(0, 2, 1), "transposed"),
    (lambda t, f: my_standardise(t, f)[:, :20], "keep the shape"),
    (lambda t, f: np.zeros_like(f), "differs from the kit's"),
    (lambda t, f: None, "returned None"),
    (lambda t, f: "standardised", "array of numbers"),
    (lambda t, f: torch.as_tensor(f).mean(dim=(0, 1)).std(), "keep the shape"),
    (lambda t, f: np.full_like(f, np.nan), "NaN or infinity"),
    (lambda t, f: t.undefined_attribute, "raised AttributeError"),
    (_in_place, "in place"),
    (_uses_the_kit, "uses the kit's AudioInput"),
])
def test_standardise_rejects(wrong, hint):
    status, message = verdict("12.standardise", wrong)
    assert status == "wrong" and hint in message, message


# ---------------------------------------------------------------------------------------------
# Exercise 2: the LSTM classifier's forward pass

def my_lstm_forward(frames, lstm, hidden, out):
    """The lesson's solution."""
    _, (h_n, _) = lstm(frames)
    return out(F.relu(hidden(h_n[-1])))


def with_output(frames, lstm, hidden, out):
    output, _ = lstm(frames)
    return out(torch.relu(hidden(output[:, -1, :])))


def with_modules(frames, lstm, hidden, out):
    output, _ = lstm(frames)
    return nn.Sequential(hidden, nn.ReLU(), out)(output[:, -1])


def frame_by_frame(frames, lstm, hidden, out):
    """The frames one at a time, carrying the state along: the same computation."""
    state = None
    for t in range(frames.shape[1]):
        output, state = lstm(frames[:, t : t + 1], state)
    return out(hidden(state[0][1]).clamp(min=0))


def explicit_zero_state(frames, lstm, hidden, out):
    zeros = torch.zeros(lstm.num_layers, len(frames), lstm.hidden_size)
    _, (h_n, _) = lstm(frames, (zeros, zeros.clone()))
    return out(F.relu(hidden(h_n[lstm.num_layers - 1])))


@pytest.mark.parametrize("solution", [my_lstm_forward, with_output, with_modules, frame_by_frame,
                                      explicit_zero_state])
def test_lstm_forward_accepts_the_solutions(solution):
    status, message = verdict("12.lstm_forward", solution)
    assert status == "correct", message


def test_the_check_compares_with_the_kits_audionet_lstm():
    """The layers the check hands out are an AudioNetLSTM's, whose forward is Table 3's."""
    model = hidden_lstm()
    assert isinstance(model, AudioNetLSTM)
    frames = hidden_frames(3, 5)
    assert torch.allclose(my_lstm_forward(frames, *lstm_layers(model)), model(frames), atol=1e-6)
    raw = frames * 3 + 1  # and with its input scaling fitted, the kit's model standardises first
    model.fit_input_scaling(raw)
    assert torch.allclose(model(raw), my_lstm_forward(model.audio_input(raw).transpose(1, 2),
                                                      *lstm_layers(model)), atol=1e-5)


def _head(out, hidden, state):
    return out(F.relu(hidden(state)))


def _fresh_layers(frames, lstm, hidden, out):
    return my_lstm_forward(frames, nn.LSTM(13, 64, 2, batch_first=True), hidden, out)


def _uses_the_kit(frames, lstm, hidden, out):
    model = AudioNetLSTM()
    model.audio_encoder[0].lstm = lstm
    return model.classifier(model.audio_encoder(frames))


@pytest.mark.parametrize("wrong, hint", [
    (lambda x, lstm, hid, out: _head(out, hid, lstm(x)[0][:, 0]), "*first* frame"),
    (lambda x, lstm, hid, out: _head(out, hid, lstm(x)[1][0][0]), "bottom"),
    (lambda x, lstm, hid, out: _head(out, hid, lstm(x)[1][1][-1]), "cell state"),
    (lambda x, lstm, hid, out: _head(out, hid, lstm(x)[0].mean(1)), "mean pooling"),
    (lambda x, lstm, hid, out: _head(out, hid, lstm(x)[0].max(1).values), "max pooling"),
    (lambda x, lstm, hid, out: _head(out, hid, lstm(x.transpose(0, 1))[0][-1]), "swapped"),
    (lambda x, lstm, hid, out: _head(out, hid, lstm(x.transpose(0, 1))[0][:, -1]), "39 rows"),
    (lambda x, lstm, hid, out: _head(out, hid, lstm(x.transpose(0, 1))[1][0][-1]), "39 rows"),
    (lambda x, lstm, hid, out: _head(out, hid, lstm(x.transpose(1, 2))[0][:, -1]), "without transposing"),
    (lambda x, lstm, hid, out: out(hid(lstm(x)[1][0][-1])), "ReLU between"),
    (lambda x, lstm, hid, out: F.relu(my_lstm_forward(x, lstm, hid, out)), "after the last layer"),
    (lambda x, lstm, hid, out: out(F.relu(lstm(x)[1][0][-1])), "skipped"),
    (lambda x, lstm, hid, out: out(lstm(x)[1][0][-1]), "skipped"),
    (lambda x, lstm, hid, out: my_lstm_forward(x, lstm, hid, out).softmax(1), "probabilities"),
    (lambda x, lstm, hid, out: my_lstm_forward(x, lstm, hid, out).log_softmax(1), "log-probabilities"),
    (lambda x, lstm, hid, out: _head(out, hid, lstm(x)[1][0]), "one row of logits per LSTM layer"),
    (lambda x, lstm, hid, out: _head(out, hid, lstm(x)[0]), "every frame"),
    (lambda x, lstm, hid, out: lstm(x)[1][0][-1], "64-number summary"),
    (lambda x, lstm, hid, out: hid(x[:, -1]), "wrong size"),
    (lambda x, lstm, hid, out: _head(out, hid, lstm(x)[1][-1]), "per LSTM layer"),
    (lambda x, lstm, hid, out: out(F.relu(hid(lstm(x)))), "returns two things"),
    (lambda x, lstm, hid, out: my_lstm_forward(x, lstm, hid, out).detach(), "no gradient"),
    (lambda x, lstm, hid, out: torch.zeros(len(x), 10), "differ from those of the kit's"),
    (lambda x, lstm, hid, out: F.dropout(my_lstm_forward(x, lstm, hid, out), 0.5), "differ"),
    (lambda x, lstm, hid, out: my_lstm_forward(x, lstm, hid, out).tolist(), "torch tensor"),
    (lambda x, lstm, hid, out: None, "returned None"),
    (_fresh_layers, "layers you are given"),
    (_uses_the_kit, "uses the kit's AudioNetLSTM"),
])
def test_lstm_forward_rejects(wrong, hint):
    status, message = verdict("12.lstm_forward", wrong)
    assert status == "wrong" and hint in message, message


def test_the_lstm_hints_name_no_code_answer():
    for wrong in (lambda x, lstm, hid, out: _head(out, hid, lstm(x)[0][:, 0]),
                  lambda x, lstm, hid, out: _head(out, hid, lstm(x)[1][0][0])):
        message = verdict("12.lstm_forward", wrong)[1]
        assert "[-1]" not in message and "[:, -1]" not in message


# ---------------------------------------------------------------------------------------------
# Exercise 3: one training step

def my_training_step(model, optimizer, frames, labels):
    """The lesson's solution."""
    logits = model(frames)
    loss = F.cross_entropy(logits, labels)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return loss.item()


def with_log_softmax(model, optimizer, frames, labels):
    model.zero_grad()
    loss = F.nll_loss(F.log_softmax(model(frames), dim=1), labels)
    loss.backward()
    optimizer.step()
    return float(loss.detach())


def returns_a_detached_tensor(model, optimizer, frames, labels):
    optimizer.zero_grad()
    loss = nn.CrossEntropyLoss()(model(frames), labels)
    loss.backward()
    optimizer.step()
    return loss.detach()


@pytest.mark.parametrize("solution", [my_training_step, with_log_softmax, returns_a_detached_tensor])
def test_training_step_accepts_the_solutions(solution):
    status, message = verdict("12.training_step", solution)
    assert status == "correct", message


def test_the_reference_step_is_the_trainers_step():
    """reference_step moves an AudioNetLSTM exactly as the kit's Trainer does on the same batch."""
    torch.manual_seed(0)
    model, twin = AudioNetLSTM(), AudioNetLSTM()
    twin.load_state_dict(model.state_dict())
    frames, labels = hidden_frames(8, 3), torch.arange(8) % 10
    batch = Batches(torch.zeros(8, 28, 28), frames, labels, batch_size=8, shuffle=False)
    Trainer(1, lr=1e-3, progress=False, live_plot=False).fit(model, batch)
    reference_step(twin, twin.configure_optimizers(1e-3)[0], frames, labels)
    for mine, theirs in zip(model.parameters(), twin.parameters(), strict=True):
        assert torch.allclose(mine, theirs, atol=1e-6)


def test_the_tiny_model_and_batches_are_seeded_without_touching_the_global_generator():
    torch.manual_seed(0)
    before = torch.rand(1)
    torch.manual_seed(0)
    a, b = tiny_classifier(), tiny_classifier()
    step_batches()
    assert torch.equal(torch.rand(1), before)
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters(), strict=True))
    frames, labels = step_batches()[0]
    assert a(frames).shape == (len(labels), 10)


def _step(loss_of=F.cross_entropy, zero=True, order="zbs", returns="item", steps=1):
    def step(model, optimizer, frames, labels):
        loss = loss_of(model(frames), labels)
        for action in order:
            if action == "z" and zero:
                optimizer.zero_grad()
            elif action == "b":
                loss.backward()
            elif action == "s":
                for _ in range(steps):
                    optimizer.step()
        if returns == "item":
            return loss.item()
        if returns == "tensor":
            return loss
        if returns == "after":
            return F.cross_entropy(model(frames), labels).item()
        if returns == "text":
            return "done"
        return None
    return step


def _uses_the_trainer(model, optimizer, frames, labels):
    return Trainer(1).fit(model, [(frames, labels)])


@pytest.mark.parametrize("wrong, hint", [
    (_step(zero=False), "later ones"),
    (_step(order="bzs"), "did not move"),
    (_step(order="zb"), "did not move"),
    (_step(order="zs"), "did not move"),
    (_step(lambda logits, y: F.cross_entropy(logits.softmax(1), y)), "softmax before"),
    (_step(lambda logits, y: F.nll_loss(logits, y)), "nll_loss"),
    (_step(lambda logits, y: F.cross_entropy(logits, y, reduction="sum")), "summed"),
    (_step(lambda logits, y: F.mse_loss(logits, F.one_hot(y, 10).float())), "squared error"),
    (_step(lambda logits, y: -F.cross_entropy(logits, y)), "wrong sign"),
    (_step(lambda logits, y: F.cross_entropy(logits, (y + 1) % 10)), "differ from the kit's"),
    (_step(steps=2), "two optimiser steps"),
    (_step(returns=None), "return the loss"),
    (_step(returns="tensor"), "graph"),
    (_step(returns="after"), "before the step"),
    (_step(returns="text"), "as a number"),
    (lambda model, optimizer, frames, labels: None, "did not move"),
    (lambda model, optimizer, frames, labels: model(frames.transpose(1, 2)), "raised"),
    (_uses_the_trainer, "uses the kit's Trainer"),
    (reference_step, "the kit's own"),
])
def test_training_step_rejects(wrong, hint):
    status, message = verdict("12.training_step", wrong)
    assert status == "wrong" and hint in message, message
