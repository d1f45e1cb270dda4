"""Settings for every test run, including the lessons' kernels (they inherit this environment)."""

import os

# Idle OpenMP threads sleep instead of spinning (see kit/__init__.py and bench/README.md).
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
