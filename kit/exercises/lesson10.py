"""Exercise checks of lesson 10: The VAE-GAN for audio-to-image (lesson 10): alpha and the consistency-diversity trade-off, Table 5."""

from __future__ import annotations
