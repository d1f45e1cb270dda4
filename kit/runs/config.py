"""One run configuration for every model: what to train, on what, how; its name and command (lessons 7-11).

A :class:`RunConfig` is all a run needs to be repeated: the model and its
options, the task (from the model: :mod:`kit.tasks`), the data, split, pairing
and features, the optimisation settings and the seed. It gives a unique,
readable name (the run folder's; sweeps make many) and the command line that
reproduces it::

    >>> RunConfig("fast-aivae", epochs=5).name
    'fast-aivae-mnist-fsdd-random-many-to-one_epochs=5'
    >>> RunConfig("fast-aivae", epochs=5).command
    'python -m kit train fast-aivae --epochs 5'
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass, field, fields

#: Settings every run has, with their defaults (the task fills data, split, pairing and features).
DEFAULTS = {
    "epochs": 10,
    "batch_size": 128,
    "lr": 1e-3,
    "lr_schedule": "constant",
    "precision": "auto",
    "seed": 0,
    "augment": 0,
    "augmentation": "speed+tilt+pad+noise",
    "target": None,
    "track": False,
    "quick": False,
}
#: Longest run name before the settings part is replaced by a hash.
MAX_NAME = 120


@dataclass(frozen=True)
class RunConfig:
    """Everything a run needs to be repeated (see the module docstring).

    ``augment``: augmented copies of every training clip (audio tasks), made
    by the chain of steps ``augmentation`` names (:mod:`kit.augment`);
    ``track``: measure the task's main metric on the test side after every
    epoch (a curve in the history); ``target``: stop once that metric
    reaches this value (time-to-accuracy runs); ``quick``: the task's small
    subsets (CI, ``KIT_QUICK=1``).
    """

    model: str
    options: dict = field(default_factory=dict)
    task: str | None = None
    data: str | None = None
    split: str | None = None
    pairing: str | None = None
    features: str | None = None
    epochs: int = 10
    batch_size: int = 128
    lr: float = 1e-3
    lr_schedule: str = "constant"
    precision: str = "auto"
    seed: int = 0
    augment: int = 0
    augmentation: str = "speed+tilt+pad+noise"
    target: float | None = None
    track: bool = False
    quick: bool = False

    def __post_init__(self) -> None:
        from ..tasks import task_of

        task = task_of(self.model)
        if self.task not in (None, task.name):
            raise ValueError(f"{self.model} is a {task.name} model, not {self.task}")
        object.__setattr__(self, "task", task.name)
        from ..models import MODELS

        if self.features is None and hasattr(MODELS[self.model], "hears"):  # a model that hears one thing
            object.__setattr__(self, "features", MODELS[self.model].hears)
        for key, value in task.defaults().items():
            if getattr(self, key) is None:
                object.__setattr__(self, key, value)
        task.check(self)
        from ..augment import parse_steps

        parse_steps(self.augmentation)  # a clear error for an unknown step, before any data is built

    @classmethod
    def from_dict(cls, values: dict) -> RunConfig:
        """A config from ``config.json`` (unknown keys refused; older run folders' configs accepted)."""
        from ..tasks import task_of

        known = {f.name for f in fields(cls)}
        unknown = set(values) - known
        if unknown:
            raise ValueError(f"unknown run settings: {', '.join(sorted(unknown))}")
        task = task_of(values["model"])
        # configs written before the run format gave every model a split and a pairing
        legacy = {key for key in ("split", "pairing") if not getattr(task, key + "s") and key in values}
        return cls(**{key: value for key, value in values.items() if key not in legacy})

    def as_dict(self) -> dict:
        return dataclasses.asdict(self)

    def replace(self, **changes) -> RunConfig:
        return dataclasses.replace(self, **changes)

    def _settings(self) -> list[tuple[str, object]]:
        """``(key, value)`` of every setting that differs from its default, options first."""
        changed = [(key, value) for key, value in sorted(self.options.items())]
        changed += [
            (key, getattr(self, key))
            for key, default in DEFAULTS.items()
            if getattr(self, key) != default and key != "quick"
        ]
        return changed

    @property
    def name(self) -> str:
        """``model-data[-split-pairing]`` then ``_key=value`` for every non-default setting, ``_quick``."""
        base = "-".join(str(part) for part in (self.model, self.data, self.split, self.pairing) if part)
        settings = "_".join(f"{key}={value}" for key, value in self._settings())
        if len(base) + len(settings) > MAX_NAME:
            settings = "h" + hashlib.sha256(settings.encode()).hexdigest()[:10]
        return "_".join(part for part in (base, settings, "quick" if self.quick else "") if part)

    @property
    def command(self) -> str:
        """The command line that trains this run again."""
        from ..tasks import TASKS

        defaults = TASKS[self.task].defaults()
        words = ["python -m kit train", self.model]
        for key in ("data", "split", "pairing", "features"):
            if getattr(self, key) != defaults.get(key):
                words.append(f"--{key} {getattr(self, key)}")
        for key, default in DEFAULTS.items():
            value = getattr(self, key)
            if value != default:
                flag = "--" + key.replace("_", "-")
                words.append(flag if value is True else f"{flag} {value}")
        words += [
            f"--option {key}={json.dumps(value) if isinstance(value, str) else value}"
            for key, value in sorted(self.options.items())
        ]
        return " ".join(words)


def parse_options(pairs: list[str]) -> dict:
    """Model options from ``KEY=VALUE`` strings: ``["init_logvar=-5", "standardize=true"]`` -> a dict.

    Values become booleans (true/false), integers or floats where they look like one.
    """
    options = {}
    for pair in pairs:
        key, sep, text = pair.partition("=")
        if not sep or not key:
            raise ValueError(f"model option {pair!r} is not KEY=VALUE (for example init_logvar=-5)")
        options[key.strip()] = parse_value(text.strip())
    return options


def parse_value(text: str) -> bool | int | float | str:
    """``"true"`` -> True, ``"3"`` -> 3, ``"2e-4"`` -> 0.0002, anything else stays text."""
    if text.lower() in {"true", "false"}:
        return text.lower() == "true"
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text.strip('"')
