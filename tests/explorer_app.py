"""The latent explorer app launched in this process, for the tests that drive it (API and browser)."""

from __future__ import annotations

import importlib.util
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType

import pytest

APP = Path(__file__).resolve().parents[1] / "apps" / "latent_explorer.py"


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serving(temp_dir: Path) -> Iterator[ModuleType]:
    """The app module, its ``demo`` serving on a free port (``demo.local_url``) until the block ends.

    Gradio's upload and cache folder (``GRADIO_TEMP_DIR``) is ``temp_dir`` meanwhile.
    """
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GRADIO_TEMP_DIR", str(temp_dir))
        spec = importlib.util.spec_from_file_location("latent_explorer", APP)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        module.demo.launch(
            prevent_thread_lock=True,
            server_port=free_port(),
            quiet=True,
            show_error=True,
            max_file_size=module.MAX_FILE_SIZE,
        )
        try:
            yield module
        finally:
            module.demo.close()
