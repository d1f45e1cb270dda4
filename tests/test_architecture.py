"""The kit's layout shows its architecture: every import points down a layer, never up.

Layers, lowest first. A module may import from its own layer or below; the
apps, lessons and command line sit above everything.
"""

from __future__ import annotations

import ast
from pathlib import Path

KIT = Path(__file__).resolve().parents[1] / "kit"
LAYERS = [
    ["kit", "kit.config", "kit.io"],
    [
        "kit.audio",
        "kit.features",
        "kit.sound",
        "kit.data",
        "kit.pairing",
        "kit.augment",
        "kit.latent",
        "kit.metrics",
        "kit.retrieval",
        "kit.plot",
        "kit.models",
    ],
    ["kit.zoo"],  # the store: load and publish trained models
    ["kit.train"],
    ["kit.evaluator", "kit.judges"],
    ["kit.experiments", "kit.multimodal", "kit.correspondence", "kit.speaking", "kit.voicing", "kit.tasks"],
    ["kit.runs"],
    [
        "kit.zoo.recipes", "kit.reproduce", "kit.playground", "kit.matching", "kit.speaker", "kit.explorer",
        "kit.exercises",
    ],
    ["kit.__main__"],
]


def layer_of(module: str) -> int:
    """The layer of ``module``: its longest listed prefix decides (kit.zoo.recipes is not kit.zoo)."""
    best, depth = None, -1
    for index, names in enumerate(LAYERS):
        for name in names:
            if (module == name or module.startswith(name + ".")) and name.count(".") > depth:
                best, depth = index, name.count(".")
    assert best is not None, f"{module} is in no layer of tests/test_architecture.py"
    return best


def module_name(path: Path) -> str:
    parts = path.relative_to(KIT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def kit_imports(path: Path) -> set[str]:
    """The kit modules ``path`` imports (at any depth of the file, lazy imports too)."""
    package = module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                stem = ".".join(base + ([node.module] if node.module else []))
            else:
                stem = node.module or ""
            if stem == "kit" or stem.startswith("kit."):
                found |= {f"{stem}.{alias.name}" if not node.module else stem for alias in node.names}
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.startswith("kit")}
    return found


def test_every_import_points_down():
    upward = []
    for path in sorted(KIT.rglob("*.py")):
        here = module_name(path)
        for target in kit_imports(path):
            if layer_of(target) > layer_of(here):
                upward.append(f"{here} (layer {layer_of(here)}) imports {target} (layer {layer_of(target)})")
    assert not upward, "\n".join(upward)


def test_the_check_itself_sees_an_upward_import(tmp_path):
    assert (
        layer_of("kit.train.trainer") == 3 and layer_of("kit.zoo.recipes") == 7 and layer_of("kit.zoo") == 2
    )
    assert layer_of("kit.runs") > layer_of("kit.train")
