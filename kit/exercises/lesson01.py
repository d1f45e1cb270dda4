"""Checks for the exercises of lesson 01."""

from __future__ import annotations

from . import exercise  # noqa: F401
