"""The people you follow: their news."""

from __future__ import annotations
