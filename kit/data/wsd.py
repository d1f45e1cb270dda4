"""The Written and Spoken Digits database (Khacef et al., 2019; zenodo record 3515935), seed 003's data.

MNIST's 70,000 images, each paired with the 39x13 MFCCs (12 coefficients and
the energy of 39 frames of one second) of a Speech Commands recording of the
same digit, as NumPy arrays: ``data_wr_{train,test}.npy`` (images),
``data_sp_{train,test}.npy`` (MFCCs, already standardised) and
``labels_{train,test}.npy``. ``python -m kit download wsd`` reads the record's
file list from Zenodo's API, downloads each file checked against the MD5 that
Zenodo publishes for it, unpacks the arrays and moves them into
``$KIT_DATA_DIR/wsd`` only when all six are there.
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .sources import SOURCES, WSD_API, WSD_RECORD

SIDES = ("train", "test")
ARRAYS = tuple(f"{kind}_{side}.npy" for side in SIDES for kind in ("data_wr", "data_sp", "labels"))
ARRAY_NAME = re.compile(r"^(data_wr|data_sp|labels)_(train|test)\.npy$")

SOURCE = SOURCES["wsd"]


@dataclass
class WrittenSpokenDigits:
    """One side of the database: images ``(n, 28, 28)`` in [0, 1], MFCCs ``(n, 39, 13)``, digits ``(n,)``."""

    images: np.ndarray
    audio: np.ndarray
    labels: np.ndarray
    side: str

    def __len__(self) -> int:
        return len(self.labels)


def load_written_spoken_digits(side: str = "train") -> WrittenSpokenDigits:
    """The ``"train"`` or ``"test"`` side, checked for the published layout."""
    if side not in SIDES:
        raise ValueError(f"side must be one of {SIDES}, not {side!r}")
    folder = SOURCE.locate()
    arrays = {}
    for kind in ("data_wr", "data_sp", "labels"):
        path = folder / f"{kind}_{side}.npy"
        try:
            arrays[kind] = np.load(path, allow_pickle=False)
        except (OSError, ValueError) as error:
            raise ValueError(f"{path} is not a readable NumPy array ({error}); download it again with: "
                             "python -m kit download wsd --force") from error
    images, audio, labels = arrays["data_wr"], arrays["data_sp"], arrays["labels"]
    n = len(labels)
    if len(images) != n or len(audio) != n:
        raise ValueError(f"wsd {side}: {len(images)} images, {len(audio)} MFCCs and {n} labels do not align")
    if images[0].size != 784 or audio[0].size != 507:
        raise ValueError(f"wsd {side}: expected 784 pixels and 39x13 = 507 MFCC values per item, found "
                         f"{images[0].size} and {audio[0].size}")
    labels = np.asarray(labels).reshape(n).astype(np.int64)
    if n and (labels.min() < 0 or labels.max() > 9):
        raise ValueError(f"wsd {side}: labels must be digits 0-9, found {labels.min()}..{labels.max()}")
    images = images.reshape(n, 28, 28).astype(np.float32)
    if n and images.max() > 1.5:  # stored as 0-255
        images /= 255.0
    return WrittenSpokenDigits(images, audio.reshape(n, 39, 13).astype(np.float32), labels, side)


def record_files(metadata: dict) -> list[tuple[str, str, str]]:
    """``(name, url, "md5:...")`` of every file in a Zenodo record's API answer."""
    files = []
    for entry in metadata.get("files", []):
        links = entry.get("links", {})
        url = links.get("content") or links.get("self") or links.get("download")
        if not url or not str(entry.get("checksum", "")).startswith("md5:"):
            raise ValueError(f"Zenodo's answer lists {entry.get('key')!r} without an address or an MD5")
        files.append((entry["key"], url, entry["checksum"]))
    return files


def unpack_arrays(downloads: list[Path], target: Path) -> None:
    """Move the six arrays (plain or inside zip files) from ``downloads`` into ``target``, atomically."""
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        for path in downloads:
            if ARRAY_NAME.match(path.name):
                shutil.copy(path, staging / path.name)
            elif zipfile.is_zipfile(path):
                with zipfile.ZipFile(path) as archive:
                    for member in archive.infolist():
                        name = Path(member.filename).name
                        if not member.is_dir() and ARRAY_NAME.match(name):
                            with archive.open(member) as source, open(staging / name, "wb") as sink:
                                shutil.copyfileobj(source, sink)
        missing = [name for name in ARRAYS if not (staging / name).is_file()]
        if missing:
            raise ValueError(f"the record did not hold {', '.join(missing)}; found "
                             f"{', '.join(p.name for p in downloads) or 'no files'}")
        if target.exists():
            shutil.rmtree(target)
        staging.rename(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def download_wsd(target: Path, fetch) -> None:
    """Download the record into ``target``; ``fetch(url, known_hash, fname) -> Path`` does the transfers."""
    metadata = json.loads(fetch(WSD_API, None, f"zenodo-{WSD_RECORD}.json").read_text())
    files = [fetch(url, md5, name) for name, url, md5 in record_files(metadata)]
    unpack_arrays(files, target)
