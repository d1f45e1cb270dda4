"""Course kit: hear a spoken digit and draw it. See README.md and lessons/."""

import os

# Idle OpenMP threads sleep instead of spinning: with two cores and a second busy
# process (another notebook, a test run), spinning made torch up to 20x slower
# (bench/README.md). Must be set before torch is first imported.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from . import config  # noqa: E402,F401  (light; the rest is imported where it is used)

__version__ = "0.1.0"
