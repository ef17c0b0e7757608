"""The journal: day files, the check-in that writes them, the index for `bip log`, the streak."""

from __future__ import annotations
