"""The source data sets: where they live on disk, where they come from, how they are checked.

Each data set has a :class:`Source`: the folder names it may live under in
``$KIT_DATA_DIR`` (the full set or the course's small sample), its canonical
download address and the checksums that prove a download is the real thing.
Downloads go through pooch (progress bar, checksum, atomic rename), archives
are unpacked into a temporary folder that is renamed into place only when
complete, so an interrupted download never leaves a half data set behind.

Run ``python -m kit download NAME`` (``mnist``, ``fsdd``, ``speech_commands``,
``audiomnist``, ``wsd``: seed 003's Written and Spoken Digits, :mod:`kit.data.wsd`). Lesson 1 shows
which sets were found.
"""

from __future__ import annotations

import hashlib
import shutil
import tarfile
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from ..config import DATA_DIR_VARIABLE, cache_dir, data_dir


class DataNotFoundError(FileNotFoundError):
    """A data set is not on disk; the message says where it was looked for and how to get it."""


class ChecksumError(RuntimeError):
    """Files on disk differ from the published checksums."""


@dataclass(frozen=True)
class Source:
    """Where one data set lives locally and where it comes from."""

    name: str
    title: str
    folders: tuple[str, ...]  # names under $KIT_DATA_DIR, preferred first
    marker: str  # a path inside the folder that proves the set is there
    urls: tuple[str, ...]  # canonical download addresses
    size: str  # human-readable download size
    role: str  # what the course uses it for

    def locate(self) -> Path:
        """The folder of this data set under ``$KIT_DATA_DIR``, or :class:`DataNotFoundError`."""
        root = data_dir()
        for folder in self.folders:
            if (root / folder / self.marker).exists():
                return root / folder
        tried = ", ".join(str(root / f) for f in self.folders)
        raise DataNotFoundError(
            f"{self.title} was not found (looked in {tried}).\n"
            f"Point ${DATA_DIR_VARIABLE} at a folder that holds it, or download it "
            f"({self.size}) with:  python -m kit download {self.name}"
        )

    def available(self) -> bool:
        """True when :meth:`locate` would find the data set."""
        try:
            self.locate()
        except DataNotFoundError:
            return False
        return True


MNIST_MD5 = {
    "train-images-idx3-ubyte.gz": "f68b3c2dcbeaaa9fbdd348bbdeb94873",
    "train-labels-idx1-ubyte.gz": "d53e105ee54ea40749a09fcbcd1e9432",
    "t10k-images-idx3-ubyte.gz": "9fb629c4189551a2d022fa330f9573f3",
    "t10k-labels-idx1-ubyte.gz": "ec29112dd5afa0611ce80d1b7f02629c",
}
SPEECH_COMMANDS_SHA256 = "743935421bb51cccdb6bdd152e04c5c70274e935c82119ad7faeec31780d811d"
WSD_RECORD = "3515935"
WSD_API = f"https://zenodo.org/api/records/{WSD_RECORD}"  # lists the files with Zenodo's MD5 of each
DIGIT_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")

SOURCES: dict[str, Source] = {
    s.name: s
    for s in (
        Source(
            "mnist",
            "MNIST",
            ("mnist",),
            "t10k-labels-idx1-ubyte.gz",
            (
                "https://ossci-datasets.s3.amazonaws.com/mnist/",
                "https://yann.lecun.com/exdb/mnist/",
            ),
            "11 MB",
            "images to draw",
        ),
        Source(
            "fsdd",
            "The Free Spoken Digit Dataset",
            ("fsdd",),
            "recordings/0_george_0.wav",
            ("https://github.com/Jakobovski/free-spoken-digit-dataset/archive/refs/heads/master.tar.gz",),
            "about 20 MB",
            "spoken digits: train and test",
        ),
        Source(
            "speech_commands",
            "Speech Commands v0.01 (digit words)",
            ("speech_commands", "speech_commands_sample"),
            "testing_list.txt",
            ("http://download.tensorflow.org/data/speech_commands_v0.01.tar.gz",),
            "1.4 GB",
            "unseen speakers: evaluation only",
        ),
        Source(
            "audiomnist",
            "AudioMNIST",
            ("audiomnist", "audiomnist_sample"),
            "data/audioMNIST_meta.txt",
            ("https://github.com/soerenab/AudioMNIST/archive/refs/heads/master.tar.gz",),
            "about 1 GB",
            "unseen speakers: evaluation only",
        ),
        Source(
            "wsd",
            "The Written and Spoken Digits database (zenodo.org/records/3515935)",
            ("wsd",),
            "labels_test.npy",
            (WSD_API,),
            "about 300 MB",
            "paired written and spoken digits (seed 003)",
        ),
    )
}


def registry(name: str) -> dict[str, str]:
    """Published sha256 of files of data set ``name`` (relative path -> hex digest)."""
    text = resources.files("kit.data").joinpath("registry", f"{name}.txt").read_text()
    return dict(line.split() for line in text.splitlines() if line.strip())


def sha256(path: Path) -> str:
    """Hex sha256 of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verify(folder: Path, checksums: dict[str, str]) -> None:
    """Raise :class:`ChecksumError` unless every listed file in ``folder`` has its checksum."""
    bad = [
        rel
        for rel, digest in checksums.items()
        if not (folder / rel).is_file() or sha256(folder / rel) != digest
    ]
    if bad:
        listed = ", ".join(bad[:5]) + (f" and {len(bad) - 5} more" if len(bad) > 5 else "")
        raise ChecksumError(
            f"{len(bad)} file(s) in {folder} are missing or differ from the checksums: {listed}"
        )


def download(name: str, force: bool = False) -> Path:
    """Download data set ``name`` into ``$KIT_DATA_DIR`` and return its folder.

    Does nothing when it is already there (unless ``force``). Needs the network.
    """
    if name not in SOURCES:
        raise ValueError(f"unknown data set {name!r}; choose from {', '.join(SOURCES)}")
    source = SOURCES[name]
    if source.available() and not force:
        return source.locate()
    target = data_dir() / source.folders[0]
    target.parent.mkdir(parents=True, exist_ok=True)
    {
        "mnist": _download_mnist,
        "fsdd": _download_fsdd,
        "speech_commands": _download_speech_commands,
        "audiomnist": _download_audiomnist,
        "wsd": _download_wsd,
    }[name](target)
    return target


def _fetch(url: str, known_hash: str | None, fname: str) -> Path:
    import pooch  # imported here: only downloads need it

    return Path(
        pooch.retrieve(url, known_hash=known_hash, fname=fname, path=cache_dir("downloads"), progressbar=True)
    )


def _download_mnist(target: Path) -> None:
    target.mkdir(parents=True, exist_ok=True)
    for filename, md5 in MNIST_MD5.items():
        errors = []
        for base in SOURCES["mnist"].urls:
            try:
                shutil.copy(_fetch(base + filename, f"md5:{md5}", filename), target / filename)
                break
            except Exception as error:  # network or checksum failure: try the next mirror
                errors.append(f"{base}: {error}")
        else:
            raise ConnectionError(f"could not download {filename}:\n" + "\n".join(errors))


def _unpack_into_place(archive: Path, target: Path, select: Callable[[str], str | None]) -> None:
    """Extract the archive members that ``select`` maps to a relative path, atomically.

    ``select`` gets a member's name (without a leading ``./``) and returns where
    it goes below ``target``, or None to skip it. Files land in a staging
    folder that replaces ``target`` only once everything is unpacked.
    """
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        with tarfile.open(archive) as tar:
            for member in tar:
                relative = select(member.name.removeprefix("./")) if member.isfile() else None
                if relative is None or ".." in Path(relative).parts:
                    continue
                destination = staging / relative
                destination.parent.mkdir(parents=True, exist_ok=True)
                with tar.extractfile(member) as source, open(destination, "wb") as sink:
                    shutil.copyfileobj(source, sink)
        if target.exists():
            shutil.rmtree(target)
        staging.rename(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _below(folder: str, keep_folder: bool = False) -> Callable[[str], str | None]:
    """A ``select`` for members under ``<archive top>/<folder>/``."""

    def select(name: str) -> str | None:
        _top, _, inside = name.partition("/")
        if not inside.startswith(folder + "/"):
            return None
        return inside if keep_folder else inside.removeprefix(folder + "/")

    return select


def _download_fsdd(target: Path) -> None:
    # The repository's default branch has no fixed archive hash; every recording
    # is checked against the published per-file sha256 instead.
    archive = _fetch(SOURCES["fsdd"].urls[0], None, "fsdd-master.tar.gz")
    target.mkdir(parents=True, exist_ok=True)
    _unpack_into_place(archive, target / "recordings", _below("recordings"))
    verify(target / "recordings", registry("fsdd"))


def _download_speech_commands(target: Path) -> None:
    archive = _fetch(
        SOURCES["speech_commands"].urls[0], f"sha256:{SPEECH_COMMANDS_SHA256}", "speech_commands_v0.01.tar.gz"
    )
    documents = {"testing_list.txt", "validation_list.txt", "LICENSE", "README.md"}

    def select(name: str) -> str | None:
        return name if name in documents or name.split("/")[0] in DIGIT_WORDS else None

    _unpack_into_place(archive, target, select)


def _download_audiomnist(target: Path) -> None:
    # As for FSDD: a branch archive, spot-checked against published checksums.
    archive = _fetch(SOURCES["audiomnist"].urls[0], None, "audiomnist-master.tar.gz")
    _unpack_into_place(archive, target, _below("data", keep_folder=True))
    verify(target / "data", registry("audiomnist"))


def _download_wsd(target: Path) -> None:
    from .wsd import download_wsd

    download_wsd(target, _fetch)
