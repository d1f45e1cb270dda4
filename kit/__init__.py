"""Course kit: hear a spoken digit and draw it. See README.md and lessons/."""

from . import config  # noqa: F401  (light; the rest is imported where it is used)

__version__ = "0.1.0"
