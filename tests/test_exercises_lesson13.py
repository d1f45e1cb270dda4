"""Lesson 13's exercise checks accept the worked solutions and reject typical mistakes with a hint."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from kit.exercises import verdict
from kit.exercises.lesson13 import hidden_embeddings, hidden_hybrid, hidden_predictions
from kit.models.classifiers import HybridNetCNN
from kit.multimodal import ambiguous_images, error_sets

KEYS = ("13.fusion", "13.rescued")


@pytest.mark.parametrize("key", KEYS)
def test_not_answered_and_nonsense(key):
    assert verdict(key, ...)[0] == "todo"
    for nonsense in (object(), "not a function", None, 3.0):
        assert verdict(key, nonsense)[0] == "wrong"


# ---------------------------------------------------------------------------------------------
# Exercise 1: the fusion

def my_fusion(image_embedding, audio_embedding, classifier):
    """The lesson's solution: the layers one by one."""
    fused = torch.cat([image_embedding, audio_embedding], dim=1)
    hidden = classifier[0](fused)
    hidden = classifier[1](hidden)
    hidden = F.relu(hidden)
    hidden = classifier[3](hidden)
    return classifier[4](hidden)


def whole_classifier(image_embedding, audio_embedding, classifier):
    return classifier(torch.cat((image_embedding, audio_embedding), -1))


def functional(image_embedding, audio_embedding, classifier):
    first, norm, last = classifier[0], classifier[1], classifier[4]
    hidden = F.linear(torch.hstack([image_embedding, audio_embedding]), first.weight, first.bias)
    hidden = F.batch_norm(hidden, norm.running_mean, norm.running_var, norm.weight, norm.bias,
                          training=classifier.training, momentum=norm.momentum, eps=norm.eps)
    hidden = F.dropout(torch.relu(hidden), 0.25, training=classifier.training)
    return hidden @ last.weight.T + last.bias


@pytest.mark.parametrize("solution", [my_fusion, whole_classifier, functional])
def test_fusion_accepts_the_solutions(solution):
    status, message = verdict("13.fusion", solution)
    assert status == "correct", message


def test_the_hidden_hybrid_is_the_kits_model_and_its_forward_is_the_solution():
    model = hidden_hybrid()
    assert isinstance(model, HybridNetCNN) and not model.training
    assert not torch.allclose(model.classifier[1].running_var, torch.ones(128))
    images, audio = torch.rand(5, 28, 28), torch.randn(5, 39, 13)
    with torch.no_grad():
        image, sound = model.embed_image(images), model.embed_audio(audio)
        assert torch.allclose(my_fusion(image, sound, model.classifier), model(images, audio), atol=1e-5)
    first, second = hidden_embeddings(model, 1), hidden_embeddings(model, 1)
    assert first[0].shape == (24, 128) and torch.equal(first[1], second[1])


def _steps(order="ia", dim=1, combine="cat", norm="module", relu="after", dropout="module", last=True,
           output=None):
    """A configurable (mostly wrong) fusion."""
    def fusion(image, audio, classifier):
        a, b = (image, audio) if order == "ia" else (audio, image) if order == "ai" else (image, image)
        if combine == "cat":
            z = torch.cat([a, b], dim=dim)
        elif combine == "stack":
            z = torch.stack([a, b], dim=1)
        elif combine == "sum":
            z = a + b
        else:
            z = (a + b) / 2
        h = classifier[0](z)
        if relu == "before":
            h = F.relu(h)
        layer = classifier[1]
        if norm == "module":
            h = layer(h)
        elif norm == "batch":
            h = F.batch_norm(h, None, None, layer.weight, layer.bias, training=True)
        elif norm == "running":
            h = (h - layer.running_mean) / torch.sqrt(layer.running_var + layer.eps)
            h = h * layer.weight + layer.bias
        elif norm == "no-affine":
            h = (h - layer.running_mean) / torch.sqrt(layer.running_var + layer.eps)
        elif norm == "batch-no-update":
            if classifier.training:
                h = F.batch_norm(h, None, None, layer.weight, layer.bias, training=True)
            else:
                h = layer(h)
        if relu == "after":
            h = F.relu(h)
        if dropout == "module":
            h = classifier[3](h)
        elif dropout == "always":
            h = F.dropout(h, 0.25)
        elif dropout == "scaled":
            h = classifier[3](h) if classifier.training else 0.75 * h
        elif dropout == "by-hand":
            if classifier.training:
                h = h * (torch.rand_like(h) > 0.25) / 0.75
        logits = classifier[4](h) if last else h
        if output == "softmax":
            return torch.softmax(logits, 1)
        if output == "log_softmax":
            return F.log_softmax(logits, 1)
        if output == "detach":
            return logits.detach()
        if output == "numpy":
            return logits.detach().numpy()
        return logits
    return fusion


def uses_the_kit(image, audio, classifier):
    model = HybridNetCNN()
    model.classifier = classifier
    return model.classifier(torch.cat([image, audio], 1))


@pytest.mark.parametrize("wrong, hint", [
    (_steps(order="ai"), "swapped"),
    (_steps(order="ii"), "audio embedding is not used"),
    (_steps(dim=0), "batch axis"),
    (_steps(combine="stack"), "batch axis"),
    (_steps(combine="sum"), "add or average"),
    (_steps(combine="mean"), "add or average"),
    (_steps(norm="none"), "batch normalisation (classifier[1]) is missing"),
    (_steps(norm="batch"), "training mode"),
    (_steps(norm="no-affine"), "scale and shift"),
    (_steps(norm="running"), "still uses the running statistics"),
    (_steps(norm="batch-no-update"), "running statistics were not updated"),
    (_steps(relu="none"), "ReLU after batch norm is missing"),
    (_steps(relu="before"), "wrong order"),
    (_steps(dropout="always"), "dropout is still on"),
    (_steps(dropout="none"), "dropout is missing"),
    (_steps(dropout="scaled"), "passes the values through unchanged"),
    (_steps(dropout="by-hand"), "same random numbers"),
    (_steps(last=False), "classifier[4]"),
    (_steps(output="softmax"), "probabilities"),
    (_steps(output="log_softmax"), "log-probabilities"),
    (_steps(output="detach"), "no gradient"),
    (_steps(output="numpy"), "torch tensor"),
    (lambda image, audio, classifier: torch.zeros(len(image), 10), "differ from the kit's"),
    (lambda image, audio, classifier: None, "returned None"),
    (lambda image, audio, classifier: torch.zeros(3), "shape (n, 10)"),
    (uses_the_kit, "uses the kit's HybridNetCNN"),
])
def test_fusion_rejects(wrong, hint):
    status, message = verdict("13.fusion", wrong)
    assert status == "wrong" and hint in message, message


def test_the_fusion_hints_print_no_answer():
    for wrong in (_steps(order="ai"), _steps(norm="batch"), _steps(dim=0), _steps(combine="sum")):
        message = verdict("13.fusion", wrong)[1]
        assert "torch.cat" not in message and "dim=1" not in message


# ---------------------------------------------------------------------------------------------
# Exercise 2: the rescued digits

def my_rescued(labels, image_predicted, hybrid_predicted):
    """The lesson's solution."""
    return np.flatnonzero((image_predicted != labels) & (hybrid_predicted == labels))


def with_sets(labels, image_predicted, hybrid_predicted):
    image_wrong = {i for i, (y, p) in enumerate(zip(labels, image_predicted, strict=True)) if y != p}
    hybrid_wrong = {i for i, (y, p) in enumerate(zip(labels, hybrid_predicted, strict=True)) if y != p}
    return image_wrong - hybrid_wrong


def as_list_of_floats(labels, image_predicted, hybrid_predicted):
    return [float(i) for i in reversed(my_rescued(labels, image_predicted, hybrid_predicted))]


def with_torch(labels, image_predicted, hybrid_predicted):
    wrong_then_right = (image_predicted != labels) & (hybrid_predicted == labels)
    return torch.nonzero(torch.as_tensor(wrong_then_right))[:, 0]


@pytest.mark.parametrize("solution", [my_rescued, with_sets, as_list_of_floats, with_torch])
def test_rescued_accepts_the_solutions(solution):
    status, message = verdict("13.rescued", solution)
    assert status == "correct", message


def test_the_hidden_predictions_have_every_case():
    labels, image, hybrid = hidden_predictions()
    errors = error_sets({"image": image, "hybrid": hybrid}, labels)
    rescued = ambiguous_images(errors["image"], errors["hybrid"])
    both = errors["image"] & errors["hybrid"]
    assert len(rescued) == 32 and len(errors["hybrid"] - errors["image"]) == 9
    assert {int((image == hybrid)[i]) for i in both} == {0, 1}  # both wrong: the same and different answers
    assert set(my_rescued(labels, image, hybrid).tolist()) == set(rescued)


@pytest.mark.parametrize("wrong, hint", [
    (lambda y, i, h: np.flatnonzero(i != y), "keep only the ones the hybrid"),
    (lambda y, i, h: np.flatnonzero((h != y) & (i == y)), "other way round"),
    (lambda y, i, h: np.flatnonzero((h != y) & (i != y)), "both models get wrong"),
    (lambda y, i, h: np.flatnonzero((h != y) ^ (i != y)), "exactly one"),
    (lambda y, i, h: np.flatnonzero((i != y) & (h != i)), "still be wrong"),
    (lambda y, i, h: np.flatnonzero(h == y), "keep only the ones the image model gets wrong"),
    (lambda y, i, h: np.flatnonzero((h == y) & (i == y)), "*both* get right"),
    (lambda y, i, h: (i != y) & (h == y), "mask"),
    (lambda y, i, h: y[my_rescued(y, i, h)], "digits"),
    (lambda y, i, h: [], "no positions"),
    (lambda y, i, h: None, "returned None"),
    (lambda y, i, h: np.concatenate([my_rescued(y, i, h)] * 2), "twice"),
    (lambda y, i, h: my_rescued(y, i, h)[:-3], "missing"),
    (lambda y, i, h: my_rescued(y, i, h)[None], "flat list"),
    (lambda y, i, h: ambiguous_images(set(np.flatnonzero(i != y)), set(np.flatnonzero(h != y))),
     "calls the kit's ambiguous_images"),
    (ambiguous_images, "kit's own"),
])
def test_rescued_rejects(wrong, hint):
    status, message = verdict("13.rescued", wrong)
    assert status == "wrong" and hint in message, message
