"""Course kit: hear a spoken digit and draw it. See README.md and lessons/."""

__version__ = "0.1.0"
