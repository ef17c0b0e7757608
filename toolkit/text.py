"""Names people type: did-you-mean suggestions and readable ids."""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]*$")


def did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    """A hint naming the closest choice, or None when nothing is close."""
    pool = list(choices)
    close = difflib.get_close_matches(word, pool, n=1, cutoff=0.6)
    if not close:
        lowered = {c.lower(): c for c in pool}
        close = [lowered[m] for m in difflib.get_close_matches(word.lower(), list(lowered), 1, 0.6)]
    return f"did you mean {close[0]!r}?" if close else None


def slug_id(text: str, max_len: int = 60) -> str:
    """A readable id: lowercase ASCII letters, digits, '.', '_' and '-'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9._-]+", "-", ascii_text.lower())
    slug = re.sub(r"-{2,}", "-", slug).strip("-._")
    return slug[:max_len].rstrip("-._")


def unique_id(base: str, taken: set[str]) -> str:
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"
