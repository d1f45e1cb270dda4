"""Lesson 11's exercise checks: evaluating generators (Fréchet distance, precision and coverage)."""

from __future__ import annotations
