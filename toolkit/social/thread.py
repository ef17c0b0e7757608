"""Threads for Bluesky and Mastodon, every post within that network's own limit.

Bluesky counts graphemes (300 a post, and 3,000 UTF-8 bytes); Mastodon counts graphemes too,
with every URL as 23 and a mention `@user@domain` as `@user`, against the limit its server
reports (`configuration.statuses.max_characters` of /api/v1/instance). Graphemes are Unicode's
extended grapheme clusters (the `regex` module's `\\X`): a ZWJ family, a flag, a letter with its
accents each count 1. Text splits at paragraphs, then sentences, then spaces, never inside a
URL, and a thread's posts are numbered ` 1/N`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from toolkit.errors import BadInput

BLUESKY_GRAPHEMES = 300
BLUESKY_BYTES = 3000
MASTODON_URL_WEIGHT = 23
URL = re.compile(r"https?://[^\s<>\"']+[^\s<>\"'.,;:!?)\]]")
MENTION = re.compile(r"@([A-Za-z0-9_]+)@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
SENTENCE = re.compile(r"(?<=[.!?。！？])\s+")


def graphemes(text: str) -> int:
    import regex

    return len(regex.findall(r"\X", text))


@dataclass(frozen=True)
class Limit:
    """How one network measures a post, and how much it allows."""

    network: str
    max_length: int
    max_bytes: int | None = None
    url_weight: int | None = None  # a URL counts this much whatever its length (Mastodon)

    def length(self, text: str) -> int:
        if self.url_weight is not None:
            text = URL.sub("x" * self.url_weight, MENTION.sub(r"@\1", text))
        return graphemes(text)

    def fits(self, text: str) -> bool:
        if self.max_bytes is not None and len(text.encode("utf-8")) > self.max_bytes:
            return False
        return self.length(text) <= self.max_length


def bluesky_limit() -> Limit:
    return Limit("bluesky", BLUESKY_GRAPHEMES, BLUESKY_BYTES)


def mastodon_limit(max_characters: int) -> Limit:
    return Limit("mastodon", max_characters, None, MASTODON_URL_WEIGHT)


def _words(sentence: str) -> list[str]:
    return sentence.split()


def _fill(units: list[str], fits: Callable[[str], bool]) -> list[str]:
    """Greedy: join units with spaces while the post fits; a unit too long alone is cut."""
    posts: list[str] = []
    current = ""
    for unit in units:
        joined = f"{current} {unit}" if current else unit
        if fits(joined):
            current = joined
            continue
        if current:
            posts.append(current)
            current = ""
        if fits(unit):
            current = unit
            continue
        for word in _words(unit):
            joined = f"{current} {word}" if current else word
            if fits(joined):
                current = joined
                continue
            if current:
                posts.append(current)
            current = word if fits(word) else ""
            if not current:  # one word longer than a post (never a URL: those fit)
                posts.extend(_cut_word(word, fits))
    if current:
        posts.append(current)
    return posts


def _cut_word(word: str, fits: Callable[[str], bool]) -> list[str]:
    import regex

    out, current = [], ""
    for cluster in regex.findall(r"\X", word):
        if current and not fits(current + cluster):
            out.append(current)
            current = ""
        current += cluster
    return out + ([current] if current else [])


def split_text(text: str, limit: Limit, numbered: bool = True) -> list[str]:
    """`text` as posts that each fit `limit`; one post when it all fits."""
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    if not paragraphs:
        return []
    whole = "\n\n".join(paragraphs)
    if limit.fits(whole):
        return [whole]
    units = [s for p in paragraphs for s in SENTENCE.split(p) if s]
    count = 1
    while True:
        suffix = f" {count}/{count}" if numbered else ""  # the widest number this count gives
        posts = _fill(units, lambda t, s=suffix: limit.fits(t + s))  # type: ignore[misc]
        if not numbered or len(posts) <= count:
            break
        count = len(posts)
    if numbered and len(posts) > 1:
        posts = [f"{post} {n}/{len(posts)}" for n, post in enumerate(posts, start=1)]
    return posts


def check_posts(posts: list[str], limit: Limit, source: str) -> None:
    """Posts the user wrote one by one (`--thread FILE`) are sent as written, or not at all."""
    if not posts:
        raise BadInput(f"{source} has nothing to post")
    for n, post in enumerate(posts, start=1):
        if not limit.fits(post):
            size = limit.length(post)
            raise BadInput(
                f"{source}: post {n} is {size} characters; {limit.network} allows "
                f"{limit.max_length}"
                + (f" (and {limit.max_bytes} bytes)" if limit.max_bytes else ""),
                hint="shorten it, or split it in two with a line holding only ---",
            )
