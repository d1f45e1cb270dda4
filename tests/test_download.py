"""Downloads without a network: archives are unpacked atomically and checked against checksums."""

from __future__ import annotations

import hashlib
import io
import subprocess
import sys
import tarfile

import pytest

from kit import data
from kit.data import sources as dl


def make_archive(path, files: dict[str, bytes]):
    with tarfile.open(path, "w:gz") as tar:
        for name, content in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(content)
            tar.addfile(info, io.BytesIO(content))
    return path


@pytest.fixture
def fake_fsdd(tmp_path, monkeypatch):
    """A two-file 'FSDD' archive served by a fake fetch, with a registry to match."""
    files = {"0_alice_0.wav": b"first", "1_alice_0.wav": b"second"}
    monkeypatch.setattr(
        dl, "registry", lambda name: {k: hashlib.sha256(v).hexdigest() for k, v in files.items()}
    )
    monkeypatch.setenv("KIT_DATA_DIR", str(tmp_path / "data"))

    def serve(contents):
        archive = make_archive(
            tmp_path / "fsdd.tar.gz",
            {f"free-spoken-digit-dataset-master/recordings/{k}": v for k, v in contents.items()}
            | {"free-spoken-digit-dataset-master/README.md": b"readme"},
        )
        monkeypatch.setattr(dl, "_fetch", lambda url, known_hash, fname: archive)

    return files, serve, tmp_path / "data" / "fsdd"


def test_download_unpacks_only_the_recordings_and_verifies_them(fake_fsdd):
    files, serve, target = fake_fsdd
    serve(files)
    data.download("fsdd", force=True)
    assert sorted(p.name for p in (target / "recordings").iterdir()) == sorted(files)
    assert not (target / "README.md").exists()


def test_a_tampered_download_is_refused(fake_fsdd):
    files, serve, target = fake_fsdd
    serve({**files, "1_alice_0.wav": b"tampered"})
    with pytest.raises(data.ChecksumError, match="1_alice_0.wav"):
        data.download("fsdd", force=True)


def test_an_interrupted_unpack_leaves_nothing_behind(tmp_path):
    archive = make_archive(tmp_path / "a.tar.gz", {"top/data/x.wav": b"x", "top/data/y.wav": b"y"})
    calls = []

    def select(name):
        calls.append(name)
        if len(calls) == 2:
            raise KeyboardInterrupt  # the learner pressed Ctrl-C half way
        return name.partition("/")[2]

    with pytest.raises(KeyboardInterrupt):
        dl._unpack_into_place(archive, tmp_path / "audiomnist", select)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.tar.gz"]  # no target, no staging folder


def test_unknown_data_set_and_path_traversal(tmp_path):
    with pytest.raises(ValueError, match="unknown data set"):
        data.download("imagenet")
    archive = make_archive(tmp_path / "evil.tar.gz", {"top/../../escape.txt": b"!", "top/ok.txt": b"ok"})
    dl._unpack_into_place(archive, tmp_path / "out", lambda name: name.partition("/")[2])
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["ok.txt"]
    assert not (tmp_path.parent / "escape.txt").exists()


def test_cli_info_lists_every_data_set(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "kit", "info"],
        capture_output=True,
        text=True,
        env={"KIT_DATA_DIR": str(tmp_path), "PATH": ""},
        check=True,
    )
    for name in data.SOURCES:
        assert f"python -m kit download {name}" in result.stdout
