"""Exercise checks of lesson 09: GANs (lesson 9): the minimax game, the two generator losses, mode collapse, what the discriminator sees."""

from __future__ import annotations
