"""Lesson 09's exercise checks: GANs (the alternating steps, the two generator losses, mode collapse)."""

from __future__ import annotations
