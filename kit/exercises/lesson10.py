"""Lesson 10's exercise checks: the VAE-GAN for audio-to-image (its loss, alpha and the trade-off)."""

from __future__ import annotations
