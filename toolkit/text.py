"""Names people type: did-you-mean suggestions and readable ids."""

from __future__ import annotations

import difflib
import math
import re
import unicodedata
from collections.abc import Iterable

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
# What Markdown would read as emphasis, a link, HTML or a table cell's end; and a code span,
# which shows its text as written already (an escape there would show too).
_MARKDOWN_SPECIAL = re.compile(r"([\\*_\[\]<|])")
_CODE_SPAN = re.compile(r"(`+)(?!`).+?(?<!`)\1(?!`)", re.DOTALL)


def markdown_escape(text: str) -> str:
    """Text that Markdown (CommonMark, Hugo's goldmark, Jekyll's kramdown) shows as written:
    `A* Sampling` is no emphasis, `__init__.py` no bold, `<b>` no HTML. Code spans stay."""
    out, at = [], 0
    for span in _CODE_SPAN.finditer(text):
        out += [_MARKDOWN_SPECIAL.sub(r"\\\1", text[at : span.start()]), span.group(0)]
        at = span.end()
    out.append(_MARKDOWN_SPECIAL.sub(r"\\\1", text[at:]))
    return "".join(out)


def closest(word: str, choices: Iterable[str]) -> str | None:
    """The choice closest to a mistyped word (case aside when nothing is close as typed)."""
    pool = list(choices)
    close = difflib.get_close_matches(word, pool, n=1, cutoff=0.6)
    if not close:
        lowered = {c.lower(): c for c in pool}
        close = [lowered[m] for m in difflib.get_close_matches(word.lower(), list(lowered), 1, 0.6)]
    return close[0] if close else None


def did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    """A hint naming the closest choice, or None when nothing is close."""
    close = closest(word, choices)
    return f"did you mean {close!r}?" if close else None


def is_word_char(ch: str) -> bool:
    """A letter or digit of any script, or a combining mark (Devanagari's vowel signs are
    part of the word): what slugs keep of what people type."""
    return ch.isalnum() or unicodedata.category(ch).startswith("M")


def slugify(title: str, max_len: int = 80) -> str:
    """A file-name slug: lowercase, dots between digits kept (gpt-2.5), letters of any script
    kept, never a path."""
    text = unicodedata.normalize("NFKC", title).lower()
    text = re.sub(r"(?<=\d)\.(?=\d)", "\u0000", text)  # keep 2.5 as 2.5
    text = "".join(ch if is_word_char(ch) or ch == "\u0000" else "-" for ch in text)
    text = re.sub(r"-{2,}", "-", text).strip("-").replace("\u0000", ".")
    return text[:max_len].strip("-.") or "post"


def slug_id(text: str, max_len: int = 60) -> str:
    """A readable id: lowercase ASCII letters, digits, '.', '_' and '-'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = _NOT_ID.sub("-", ascii_text.lower())
    slug = _DASHES.sub("-", slug).strip("-._")
    return slug[:max_len].rstrip("-._")


_NOT_ID = re.compile(r"[^a-z0-9._-]+")
_DASHES = re.compile(r"-{2,}")


def run_slug(text: str, max_len: int = 60) -> str:
    """The name part of a run's id (its folder, `2026-11-23-训练-gpt2`): what the user typed,
    lowercased, letters of any script kept as draft file names keep them (slugify), and '.'
    and '_' as slug_id keeps them (`train_gpt2`, `llama2.c`); never a path."""
    text = unicodedata.normalize("NFKC", text).lower()
    slug = "".join(ch if is_word_char(ch) or ch in "._-" else "-" for ch in text)
    slug = re.sub(r"-{2,}", "-", slug).strip("-._")
    return slug[:max_len].rstrip("-._")


def unique_id(base: str, taken: set[str]) -> str:
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


# -- numbers and durations: one way to print each, wherever bip prints them ---------------------


def number(value: float, digits: int = 3) -> str:
    """A loss or a rate as people write it: 3.281, 456, 178,000; inf and nan as themselves."""
    if not math.isfinite(value):
        return str(value)
    if abs(value) >= 10_000:
        return f"{value:,.0f}"
    if abs(value) >= 100:
        return f"{value:.0f}"
    if value == int(value):
        return str(int(value))
    return f"{value:.{digits}f}".rstrip("0").rstrip(".")


def duration(seconds: float) -> str:
    """A wall time as people write it: 41.2 s, 12.5 min, 15.4 h."""
    if not math.isfinite(seconds):
        return "unknown"
    if seconds < 60:
        return f"{seconds:.1f} s"
    if seconds < 3600:
        return f"{seconds / 60:.1f} min"
    return f"{seconds / 3600:.1f} h"


def percent(fraction: float) -> str:
    """A fraction as a percentage with one decimal: MFU 0.3812 -> 38.1%."""
    return f"{fraction * 100:.1f}%" if math.isfinite(fraction) else str(fraction)


def rate(per_second: float) -> str:
    """Tokens per second, whole: 178,000."""
    return f"{per_second:,.0f}" if math.isfinite(per_second) else str(per_second)


def human_number(value: float) -> str:
    """A count as people write it: 124000000 -> 124M, 1.5e9 -> 1.5B, 312 -> 312."""
    for size, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K")):
        if abs(value) >= size:
            return f"{value / size:.1f}".rstrip("0").rstrip(".") + suffix
    return f"{value:g}"
