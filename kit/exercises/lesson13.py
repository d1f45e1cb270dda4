"""Lesson 13's exercise checks: multimodal fusion (the hybrid's fused classifier, the rescued digits).

The first check runs the learner's fusion on embeddings of hidden images and
recordings, through the classifier of a seeded :class:`~kit.models.classifiers.HybridNetCNN`
whose batch-norm statistics are not the trivial ones, and compares the logits
with the kit's, at prediction time and in training mode (same random numbers
for dropout). The second compares the learner's "rescued digits" with
:func:`kit.multimodal.ambiguous_images` on hidden predictions. Typical slips
(halves swapped, the batch axis, adding instead of concatenating, batch norm
skipped or with the batch's statistics at prediction time, dropout at
prediction time; image errors the hybrid also gets wrong, a hybrid that
changed its mind but is still wrong) get a hint of their own; none prints the
answer.
"""

from __future__ import annotations

import copy
import re

import numpy as np
import torch
import torch.nn.functional as F

from ..models.classifiers import HybridNetCNN
from ..multimodal import ambiguous_images
from . import as_function as _function
from . import exercise, kit_names

N_PAIRS = 24  # hidden pairs per call of the fusion check


def _close(a, b, tolerance: float = 1e-4) -> bool:
    a, b = torch.as_tensor(a, dtype=torch.float64), torch.as_tensor(b, dtype=torch.float64)
    return (a.shape == b.shape and bool(torch.isfinite(a).all())
            and torch.allclose(a, b, rtol=tolerance, atol=tolerance))


# ---------------------------------------------------------------------------------------------
# Exercise 1: the fusion

def hidden_hybrid(seed: int = 13) -> HybridNetCNN:
    """A seeded HybridNetCNN in eval mode whose batch norm has running statistics and an affine part
    far from the defaults (so that skipping it, or using the batch's statistics, shows)."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = HybridNetCNN()
        norm = model.classifier[1]
        with torch.no_grad():
            norm.running_mean.copy_(0.5 * torch.randn(128))
            norm.running_var.copy_(0.3 + torch.rand(128))
            norm.weight.copy_(1 + 0.4 * torch.randn(128))
            norm.bias.copy_(0.4 * torch.randn(128))
    return model.eval()


def hidden_embeddings(model: HybridNetCNN, seed: int, n: int = N_PAIRS) -> tuple[torch.Tensor, torch.Tensor]:
    """The two 128-d embeddings of ``n`` hidden image-recording pairs (the model's encoders, eval mode)."""
    generator = torch.Generator().manual_seed(seed)
    images = torch.rand(n, 28, 28, generator=generator)
    audio = torch.randn(n, 39, 13, generator=generator)
    mode = model.training
    model.eval()
    with torch.no_grad():
        embedded = model.embed_image(images), model.embed_audio(audio)
    model.train(mode)
    return embedded


def _layers(classifier):
    return classifier[0], classifier[1], classifier[4]


def _norm_eval(norm, u, affine: bool = True):
    scaled = (u - norm.running_mean) / torch.sqrt(norm.running_var + norm.eps)
    return scaled * norm.weight + norm.bias if affine else scaled


def _norm_batch(norm, u):
    return F.batch_norm(u, None, None, norm.weight, norm.bias, training=True, eps=norm.eps)


def _eval_variants(classifier, image, audio) -> list[tuple[torch.Tensor, str]]:
    """Logits of typical wrong fusions (eval mode) with their hints."""
    first, norm, last = _layers(classifier)
    z = torch.cat([image, audio], dim=1)
    right = classifier(z)
    hidden = F.relu(_norm_eval(norm, first(z)))
    return [
        (classifier(torch.cat([audio, image], dim=1)),
         "the two halves are swapped. The kit (Table 4) puts the image embedding first: the first layer's "
         "weights were trained for that order, so the order is part of the model."),
        (last(F.relu(first(z))), "batch normalisation (classifier[1]) is missing between the first layer "
                                 "and the ReLU."),
        (last(F.relu(_norm_batch(norm, first(z)))),
         "your batch norm uses the mean and variance of the batch in front of it: that is training mode. "
         "At prediction time batch norm uses the running statistics gathered during training. The layer "
         "classifier[1] itself knows which mode it is in."),
        (last(F.relu(_norm_eval(norm, first(z), affine=False))),
         "you normalise with the running statistics but leave out batch norm's learned scale and shift "
         "(its weight and bias)."),
        (last(_norm_eval(norm, first(z))), "the ReLU after batch norm is missing."),
        (last(_norm_eval(norm, F.relu(first(z)))), "ReLU and batch norm are in the wrong order: Table 6 "
                                                   "is FC, then batch norm, then ReLU."),
        (last(0.75 * hidden), "at prediction time dropout passes the values through unchanged: PyTorch's "
                              "(inverted) dropout already scales them up during training."),
        (torch.softmax(right, 1), "you return probabilities: return the logits (the cross-entropy loss "
                                  "applies the softmax itself, and argmax is the same)."),
        (torch.log_softmax(right, 1), "you return log-probabilities: return the logits themselves."),
        (classifier(torch.cat([image, image], dim=1)), "the audio embedding is not used: the classifier "
                                                       "reads both, image first."),
        (classifier(torch.cat([audio, audio], dim=1)), "the image embedding is not used: the classifier "
                                                       "reads both, image first."),
    ]


def _call(function, image, audio, classifier):
    """The learner's logits, or an AssertionError with a hint for the usual shape errors."""
    n = len(image)
    try:
        value = function(image, audio, classifier)
    except RuntimeError as error:
        shapes = re.search(r"\((\d+)x(\d+) and (\d+)x(\d+)\)", str(error))
        if shapes:
            rows, columns = int(shapes.group(1)), int(shapes.group(2))
            if rows == 2 * n and columns == 128:
                raise AssertionError("your tensor reached the first layer with twice as many rows and 128 "
                                     "columns: the two embeddings were joined along the batch axis (or "
                                     "stacked). Put them side by side: one row per pair, 256 numbers each."
                                     ) from None
            if rows == n and columns == 128:
                raise AssertionError("the first layer expects 256 numbers per pair (128 + 128) and got "
                                     "128: did you add or average the two embeddings, or use only one? "
                                     "Concatenate them.") from None
            if rows == n and columns == 256:
                raise AssertionError("a layer got 256 numbers per pair where it expects 128: after the "
                                     "first layer (256 -> 128) come batch norm, ReLU, dropout and the "
                                     "last layer (128 -> 10), in that order.") from None
        raise
    if value is None:
        raise AssertionError("my_fusion returned None: does your function `return` the logits?")
    if not torch.is_tensor(value):
        raise AssertionError(f"my_fusion should return a torch tensor (the logits), not "
                             f"{type(value).__name__}.")
    if value.shape == (n, 128):
        raise AssertionError("you return 128 numbers per pair: the last layer, classifier[4] "
                             "(128 -> 10), is missing.")
    if value.shape != (n, 10):
        raise AssertionError(f"my_fusion should return logits of shape (n, 10) = ({n}, 10) for {n} pairs; "
                             f"yours has shape {tuple(value.shape)}.")
    return value


@exercise("13.fusion")
def fusion_check(answer) -> None:
    """``my_fusion(image_embedding, audio_embedding, classifier)`` equals the kit's HybridNetCNN's logits."""
    function = _function(answer, "my_fusion")
    used = kit_names(function, {"HybridNetCNN", "HybridNet", "HybridNetCNNLSTM"})
    if used:
        raise AssertionError(f"your function uses the kit's {', '.join(sorted(used))}: write the fusion "
                             "from the two embeddings and the classifier's layers.")
    model = hidden_hybrid()
    image, audio = hidden_embeddings(model, seed=131)

    # prediction time (eval mode): deterministic and equal to the kit's
    kit_classifier = copy.deepcopy(model.classifier).eval()
    with torch.no_grad():
        expected = kit_classifier(torch.cat([image, audio], dim=1))
        variants = _eval_variants(kit_classifier, image, audio)
        got = _call(function, image.clone(), audio.clone(), copy.deepcopy(model.classifier).eval()).detach()
        again = _call(function, image.clone(), audio.clone(), copy.deepcopy(model.classifier).eval()).detach()
    if not _close(got, again, 1e-6):
        raise AssertionError("at prediction time (eval mode) your logits change from one call to the next: "
                             "dropout is still on. The functional dropout drops by default (training=True); "
                             "the layer classifier[3] follows the mode it is in.")
    if not _close(got, expected):
        for variant, hint in variants:
            if _close(got, variant):
                raise AssertionError(hint)
        raise AssertionError("at prediction time your logits differ from the kit's for the hidden pairs "
                             f"(largest difference {float((got - expected).abs().max()):.3g}). The steps: "
                             "concatenate (image first), first layer, batch norm, ReLU, dropout, last layer.")

    # training mode: the same random numbers for dropout, batch norm on the batch's statistics
    image2, audio2 = hidden_embeddings(model, seed=132)
    kit_classifier, mine = copy.deepcopy(model.classifier).train(), copy.deepcopy(model.classifier).train()
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(1313)
        expected = kit_classifier(torch.cat([image2, audio2], dim=1))
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(1313)
        got = _call(function, image2.clone(), audio2.clone(), mine)
    if not _close(got.detach(), expected.detach()):
        first, norm, last = _layers(copy.deepcopy(model.classifier))
        z = torch.cat([image2, audio2], dim=1)
        with torch.no_grad(), torch.random.fork_rng(devices=[]):
            torch.manual_seed(1313)
            kept_running = last(F.dropout(F.relu(_norm_eval(norm, first(z))), 0.25, training=True))
            no_dropout = last(F.relu(_norm_batch(norm, first(z))))
        if _close(got.detach(), no_dropout):
            raise AssertionError("right at prediction time; in training mode, though, dropout is missing: "
                                 "Table 6 drops a quarter of the 128 values after the ReLU while training. "
                                 "Use the layer classifier[3], which is active in training mode only.")
        if _close(got.detach(), kept_running):
            raise AssertionError("right at prediction time; in training mode, though, your batch norm still "
                                 "uses the running statistics. While training it normalises with the "
                                 "batch's own mean and variance (and updates the running ones): call the "
                                 "layer classifier[1], which does the right thing in both modes.")
        raise AssertionError("right at prediction time, but in training mode your logits differ from the "
                             "kit's (the check gives both the same random numbers). If you wrote batch norm "
                             "or dropout yourself, use the layers classifier[1] and classifier[3]: they "
                             "behave correctly in both modes, which the training steps need.")
    if not got.requires_grad:
        raise AssertionError("the right logits, but they carry no gradient (torch.no_grad, .detach() or "
                             "numpy?): the training steps call .backward() on the loss of these logits.")
    if not torch.allclose(mine[1].running_mean, kit_classifier[1].running_mean, atol=1e-5):
        raise AssertionError("the right logits, but batch norm's running statistics were not updated in "
                             "training mode: call the layer classifier[1] so that it keeps them up to date "
                             "for prediction time.")


# ---------------------------------------------------------------------------------------------
# Exercise 2: the digits the sound rescues

def hidden_predictions(seed: int = 7, n: int = 400) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(labels, image_predicted, hybrid_predicted)`` for ``n`` hidden pairs, with every kind of case:
    image wrong and hybrid right, both wrong (same or different answers), hybrid wrong only."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 10, n)
    image = labels.copy()
    hybrid = labels.copy()
    order = rng.permutation(n)
    image_wrong, both_same, both_other, hybrid_only = order[:40], order[:4], order[4:8], order[40:49]

    def wrong(positions, avoid):
        return (avoid[positions] + rng.integers(1, 10, len(positions))) % 10

    image[image_wrong] = wrong(image_wrong, labels)
    hybrid[both_same] = image[both_same]
    for i in both_other:  # a wrong answer of its own, different from the image model's
        hybrid[i] = next(d for d in rng.permutation(10) if d not in (labels[i], image[i]))
    hybrid[hybrid_only] = wrong(hybrid_only, labels)
    return labels, image, hybrid


def _as_positions(value, n: int) -> np.ndarray:
    if value is None:
        raise AssertionError("my_rescued returned None: does your function `return` the positions?")
    if isinstance(value, set | frozenset):
        value = sorted(value)
    if torch.is_tensor(value):
        value = value.detach().numpy()
    array = np.asarray(value)
    if array.dtype == bool:
        if array.shape == (n,):
            raise AssertionError("you return a True/False mask with one entry per pair; return the positions "
                                 "(indices) of the pairs where it is True instead (np.flatnonzero).")
        raise AssertionError(f"a True/False array of shape {array.shape}: return the positions of the pairs.")
    if array.ndim != 1:
        raise AssertionError(f"return a flat list (or 1-D array) of pair positions, not an array of shape "
                             f"{array.shape}.")
    if array.size and not np.issubdtype(array.dtype, np.integer):
        if np.issubdtype(array.dtype, np.floating) and np.all(array == np.round(array)):
            array = array.astype(np.int64)
        else:
            raise AssertionError("return whole-number positions of pairs (0, 1, 2 ...).")
    if array.size and (array.min() < 0 or array.max() >= n):
        raise AssertionError(f"positions must lie between 0 and n - 1 = {n - 1}.")
    return array.astype(np.int64)


@exercise("13.rescued")
def rescued_check(answer) -> None:
    """``my_rescued(labels, image_predicted, hybrid_predicted)`` gives the kit's ambiguous_images."""
    function = _function(answer, "my_rescued")
    if getattr(function, "__module__", None) == "kit.multimodal":
        raise AssertionError("that is the kit's own function; write the set logic yourself (the check "
                             "compares it with the kit's).")
    used = kit_names(function, {"ambiguous_images", "error_sets"})
    if used:
        raise AssertionError(f"your function calls the kit's {', '.join(sorted(used))}; compare the "
                             "predictions with the labels yourself.")
    labels, image, hybrid = hidden_predictions()
    got = _as_positions(function(labels.copy(), image.copy(), hybrid.copy()), len(labels))
    image_wrong = set(np.flatnonzero(image != labels).tolist())
    hybrid_wrong = set(np.flatnonzero(hybrid != labels).tolist())
    expected = set(ambiguous_images(image_wrong, hybrid_wrong))
    if len(got) == len(expected) and sorted(got.tolist()) == sorted(labels[sorted(expected)].tolist()):
        raise AssertionError("you return the digits of those pairs; return their positions (indices).")
    if len(set(got.tolist())) != len(got):
        raise AssertionError("some positions appear twice: return each pair once.")
    mine = set(got.tolist())
    if mine == expected:
        return
    changed_mind = {i for i in image_wrong if hybrid[i] != image[i]}
    hints = [
        (image_wrong, "those are all the pairs the image model gets wrong; keep only the ones the hybrid "
                      "gets right."),
        (hybrid_wrong - image_wrong, "the other way round: those are the pairs the hybrid gets wrong and the "
                                     "image model right."),
        (image_wrong & hybrid_wrong, "those are the pairs both models get wrong; we want the image model "
                                     "wrong and the hybrid right."),
        (image_wrong ^ hybrid_wrong, "those are the pairs exactly one of the two models gets wrong; keep "
                                     "only the ones where that model is the image model."),
        (changed_mind, "the hybrid may disagree with the image model and still be wrong: 'gets it right' "
                       "means its answer equals the true digit."),
        (set(range(len(labels))) - hybrid_wrong, "those are all the pairs the hybrid gets right; keep only "
                                                 "the ones the image model gets wrong."),
        (set(np.flatnonzero(image == labels).tolist()) - hybrid_wrong, "those are the pairs *both* get "
                                                                       "right; the image model should be "
                                                                       "wrong."),
    ]
    for variant, hint in hints:
        if mine == variant:
            raise AssertionError(hint)
    if not mine:
        raise AssertionError(f"you return no positions; the hidden predictions have {len(expected)} pairs "
                             "the image model gets wrong and the hybrid right.")
    missing, extra = len(expected - mine), len(mine - expected)
    raise AssertionError(f"{len(mine & expected)} of your {len(mine)} positions are right; {missing} are "
                         f"missing and {extra} should not be there. A pair counts when the image model's "
                         "answer differs from the label and the hybrid's equals it.")
