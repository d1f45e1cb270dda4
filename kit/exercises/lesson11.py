"""Exercise checks of lesson 11: Evaluating generators (lesson 11): accuracy, diversity, Fréchet distance, precision/recall/density/coverage, the latent ablation."""

from __future__ import annotations
