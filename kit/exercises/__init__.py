"""Exercise checks for the lessons: ``check("01.nyquist", answer)`` in a notebook cell.

Each lesson's checks live in a module of their own (``lesson01.py`` ...),
registered with :func:`exercise`. A check prints one line: not answered yet
(the answer is still ``...``), correct, or a hint that says what is off. It
never raises, so a lesson always runs from top to bottom.
"""

from __future__ import annotations

import math
import types
from collections.abc import Callable
from typing import Any

import numpy as np
import torch

CHECKS: dict[str, Callable[[Any], None]] = {}


def exercise(key: str) -> Callable[[Callable[[Any], None]], Callable[[Any], None]]:
    """Register a check: a function that raises ``AssertionError(hint)`` for a wrong answer."""

    def register(function: Callable[[Any], None]) -> Callable[[Any], None]:
        if key in CHECKS:
            raise ValueError(f"exercise {key!r} is registered twice")
        CHECKS[key] = function
        return function

    return register


def verdict(key: str, answer: Any) -> tuple[str, str]:
    """``("todo" | "correct" | "wrong", message)`` for ``answer`` to exercise ``key``."""
    if key not in CHECKS:
        raise KeyError(f"no exercise {key!r}; known: {', '.join(sorted(CHECKS))}")
    if answer is Ellipsis:
        return "todo", f"{key}: not answered yet - replace the ... with your answer and run the cell again."
    try:
        CHECKS[key](answer)
    except AssertionError as hint:
        return "wrong", f"{key}: not yet. {hint}"
    except Exception as error:  # a learner's answer of the wrong type, for instance
        return "wrong", f"{key}: your answer could not be checked ({type(error).__name__}: {error})."
    return "correct", f"{key}: correct!"


def check(key: str, answer: Any) -> None:
    """Print whether ``answer`` solves exercise ``key`` (see :func:`verdict` for the outcome as data)."""
    status, message = verdict(key, answer)
    print({"todo": "[ ]", "correct": "[x]", "wrong": "[!]"}[status], message)


def as_number(answer: Any, what: str) -> float:
    """``answer`` as a finite float, or an AssertionError saying a single number was expected."""
    kind = type(answer).__name__
    if isinstance(answer, bool | str | bytes) or answer is None or callable(answer):
        raise AssertionError(f"the answer should be a single number ({what}), not {kind}.")
    try:
        value = float(answer)
    except (TypeError, ValueError):
        raise AssertionError(f"the answer should be a single number ({what}), not {kind}.") from None
    if not math.isfinite(value):
        raise AssertionError(f"the answer is {value}; {what} is a finite number.")
    return value


def as_array(value: Any, what: str, returns: str = "its result") -> np.ndarray:
    """What a learner's function returned, as a float64 array (tensors too), or an AssertionError
    saying it returned nothing (``returns`` names what it should return) or no numbers."""
    if value is None:
        raise AssertionError(f"{what} returned None: does your function `return` {returns}?")
    if torch.is_tensor(value):
        value = value.detach().cpu().numpy()
    array = np.asarray(value)
    if array.dtype == object or not np.issubdtype(array.dtype, np.number):
        raise AssertionError(f"{what} should return an array of numbers, not {type(value).__name__}.")
    return array.astype(np.float64)


def as_function(answer: Any, name: str) -> Callable:
    """``answer`` if it is callable, or an AssertionError saying to pass the function itself."""
    if not callable(answer):
        raise AssertionError(f"the answer should be your function itself: answer = {name} (no brackets).")
    return answer


def kit_names(function: Any, names: set[str]) -> set[str]:
    """The names in ``names`` that ``function``'s code (nested code included) refers to."""
    code = getattr(function, "__code__", None)
    if code is None:
        return set()
    found, stack = set(), [code]
    while stack:
        code = stack.pop()
        found |= names & set(code.co_names)
        stack.extend(c for c in code.co_consts if isinstance(c, types.CodeType))
    return found


def own_work(function: Any, names: set[str], what: str) -> None:
    """An AssertionError if ``function`` is, or calls, the kit's own ``names`` (a build is the learner's)."""
    if (getattr(function, "__module__", None) or "").startswith("kit."):
        raise AssertionError(f"that is the kit's own code; write {what} yourself (the check compares it "
                             "with the kit's).")
    used = kit_names(function, names)
    if used:
        raise AssertionError(f"your function uses the kit's {', '.join(sorted(used))}; write {what} "
                             "yourself (the check compares it with the kit's).")


from . import (  # noqa: E402,F401  (registers the checks)
    lesson01,
    lesson02,
    lesson03,
    lesson04,
    lesson05,
    lesson06,
    lesson07,
    lesson08,
    lesson09,
    lesson10,
    lesson11,
    lesson12,
    lesson13,
    lesson14,
    lesson15,
    lesson16,
    lesson17,
)
