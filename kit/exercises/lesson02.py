"""Checks for the exercises of lesson 02."""

from __future__ import annotations

from . import exercise  # noqa: F401
