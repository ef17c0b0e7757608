"""Split text into a numbered X thread, every post within 280 characters as X counts them.

X's counting (twitter-text v3): a URL counts 23 whatever its length; code points in a few
"light" ranges (Latin, common punctuation) count 1, everything else (CJK, emoji...) counts 2.
Text is split at sentence boundaries, then at spaces, and CJK runs between any two characters.
"""

from __future__ import annotations

import re

LIMIT = 280
URL_WEIGHT = 23
URL = re.compile(r"https?://\S+")
LIGHT = ((0, 4351), (8192, 8205), (8208, 8223), (8242, 8247))
SENTENCE = re.compile(r"(?<=[.!?。！？])\s+|(?<=[。！？])")


def char_weight(ch: str) -> int:
    code = ord(ch)
    return 1 if any(lo <= code <= hi for lo, hi in LIGHT) else 2


def weighted_length(text: str) -> int:
    total = 0
    last = 0
    for match in URL.finditer(text):
        total += sum(char_weight(c) for c in text[last : match.start()]) + URL_WEIGHT
        last = match.end()
    return total + sum(char_weight(c) for c in text[last:])


def _pieces(text: str) -> list[str]:
    """The smallest units a post may be cut between: words (URLs whole) and CJK characters."""
    out: list[str] = []
    for word in text.split():
        if URL.fullmatch(word) or all(char_weight(c) == 1 for c in word):
            out.append(word)
        else:
            out.extend(_split_heavy(word))
    return out


def _split_heavy(word: str) -> list[str]:
    """A word holding CJK: each heavy character stands alone; light runs stay together."""
    parts: list[str] = []
    run = ""
    for ch in word:
        if char_weight(ch) == 2:
            if run:
                parts.append(run)
                run = ""
            parts.append("\u0000" + ch)  # marks a piece joined without a space
        else:
            run += ch
    if run:
        parts.append(("\u0000" + run) if parts else run)
    return parts


def _join(pieces: list[str]) -> str:
    text = ""
    for piece in pieces:
        if piece.startswith("\u0000"):
            text += piece[1:]
        else:
            text += (" " if text else "") + piece
    return text


def _fill(sentences: list[str], budget: int) -> list[str]:
    posts: list[str] = []
    current = ""
    for sentence in sentences:
        candidate = f"{current} {sentence}".strip() if current else sentence
        if weighted_length(candidate) <= budget:
            current = candidate
            continue
        if current:
            posts.append(current)
            current = ""
        if weighted_length(sentence) <= budget:
            current = sentence
            continue
        chunk: list[str] = []  # a sentence longer than a post: cut between words/characters
        for piece in _pieces(sentence):
            trial = _join([*chunk, piece])
            if chunk and weighted_length(trial) > budget:
                posts.append(_join(chunk))
                chunk = [piece.lstrip("\u0000")]
            else:
                chunk.append(piece)
            if weighted_length(_join(chunk)) > budget:  # one piece alone is too long: hard cut
                long_piece = _join(chunk)
                while weighted_length(long_piece) > budget:
                    cut = budget
                    while weighted_length(long_piece[:cut]) > budget:
                        cut -= 1
                    posts.append(long_piece[:cut])
                    long_piece = long_piece[cut:]
                chunk = [long_piece] if long_piece else []
        current = _join(chunk)
    if current:
        posts.append(current)
    return posts


def split_thread(text: str, limit: int = LIMIT, numbered: bool = True) -> list[str]:
    """Posts that each fit `limit`, numbered ` 1/N` when there is more than one."""
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
    sentences = [
        s.strip() for p in paragraphs for s in SENTENCE.split(" ".join(p.split())) if s.strip()
    ]
    if not sentences:
        return []
    if weighted_length(" ".join(sentences)) <= limit and len(paragraphs) <= 1:
        return [" ".join(sentences)]
    count = 1
    while True:
        suffix = len(f" {count}/{count}") + 1 if numbered else 0
        posts = _fill(sentences, limit - suffix)
        if len(posts) <= count or not numbered:
            break
        count = len(posts)
    if numbered and len(posts) > 1:
        return [f"{post} {n}/{len(posts)}" for n, post in enumerate(posts, start=1)]
    return posts
