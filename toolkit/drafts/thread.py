"""Split text into a numbered X thread, every post valid as X itself counts it.

The counting is X's own (twitter-text v3) through the `twitter-text-parser` package: a URL
counts 23 whatever its length, and that includes bare domains such as `d2l.ai` that X turns
into links, but not the punctuation after a URL; an emoji (a ZWJ family, a flag, a skin tone)
counts 2; text is NFC-normalised first, so `e` + a combining accent counts 1; code points
outside a few Latin and punctuation ranges (CJK...) count 2. bip splits at sentence boundaries,
then at spaces, and inside CJK runs, never inside a URL, an emoji or a letter with its accents,
then checks every post with twitter-text and splits again, tighter, if one is not valid.
"""

from __future__ import annotations

import importlib
import re
import sys
import types
import unicodedata
from dataclasses import dataclass
from typing import Any

from toolkit.errors import BipError

LIMIT = 280
SENTENCE = re.compile(r"(?<=[.!?。！？])\s+|(?<=[。！？])")
INVALID = re.compile("[\ufffe\ufeff\uffff]")  # characters X refuses in a post
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
KANA_HANGUL = re.compile(r"[\u3040-\u30ff\uac00-\ud7af]")


def twitter_text() -> Any:
    """The `twitter_text` module (imported on first use: it builds its emoji table at import).

    Its emoji table is read with `pkg_resources`, which recent setuptools no longer ships: when
    that import fails, the one function it uses is lent for the length of the import.
    """
    if "twitter_text" in sys.modules:
        return sys.modules["twitter_text"]
    try:
        return importlib.import_module("twitter_text")
    except ModuleNotFoundError as exc:
        if exc.name != "pkg_resources":
            raise

    def resource_string(module: str, name: str) -> bytes:
        from importlib.resources import files

        return files(module.rpartition(".")[0]).joinpath(name).read_bytes()

    shim = types.ModuleType("pkg_resources")
    shim.resource_string = resource_string  # type: ignore[attr-defined]
    sys.modules["pkg_resources"] = shim
    try:
        return importlib.import_module("twitter_text")
    finally:
        del sys.modules["pkg_resources"]


def weighted_length(text: str) -> int:
    """The length X shows for `text` (280 is the limit)."""
    return int(twitter_text().parse_tweet(text).weightedLength)


@dataclass(frozen=True)
class _Piece:
    """The smallest run a post may be cut before: a word, or one CJK character or emoji."""

    text: str
    weight: int
    glued: bool  # joined to the piece before it without a space (inside a word)
    units: tuple[tuple[str, int], ...]  # what it is made of, for a cut inside it


def _pieces(sentence: str) -> list[_Piece]:
    """Cut a sentence into pieces, weighed as twitter-text weighs them in the sentence."""
    tt = twitter_text()
    options = importlib.import_module("twitter_text.config").config["defaults"]
    scale: int = options["scale"]
    entities: dict[int, tuple[int, int]] = {}
    for emoji in tt.extract_emojis_with_indices(sentence):
        start, end = emoji["indices"]
        entities[start] = (end, options["default_weight"] // scale)
    urls = set()
    for url in tt.extract_urls_with_indices(sentence):
        start, end = url["indices"]
        entities[start] = (end, options["transformed_url_length"])
        urls.add(start)

    def char_weight(ch: str) -> int:
        code = ord(ch)
        for band in options["ranges"]:
            if band["start"] <= code <= band["end"]:
                return int(band["weight"]) // scale
        return int(options["default_weight"]) // scale

    words: list[list[tuple[str, int, bool]]] = [[]]  # (text, weight, heavy) units
    i = 0
    while i < len(sentence):
        ch = sentence[i]
        if ch == " ":
            words.append([])
            i += 1
            continue
        if i in entities:
            end, weight = entities[i]
        else:
            end, weight = i + 1, char_weight(ch)
            # a letter keeps its combining marks and variation selectors
            while end < len(sentence) and end not in entities and _is_mark(sentence[end]):
                weight += char_weight(sentence[end])
                end += 1
        words[-1].append((sentence[i:end], weight, weight >= 2 and i not in urls))
        i = end
    pieces: list[_Piece] = []
    for word in words:
        glued = False
        run: list[tuple[str, int]] = []
        for text, weight, heavy in word:
            if heavy:  # CJK runs have no spaces: a post may end after any heavy character
                if run:
                    pieces.append(_piece(run, glued))
                    glued, run = True, []
                pieces.append(_piece([(text, weight)], glued))
                glued = True
            else:
                run.append((text, weight))
        if run:
            pieces.append(_piece(run, glued))
    return pieces


def _is_mark(ch: str) -> bool:
    return unicodedata.category(ch) in ("Mn", "Me", "Mc") or "\ufe00" <= ch <= "\ufe0f"


def _piece(units: list[tuple[str, int]], glued: bool) -> _Piece:
    return _Piece("".join(u[0] for u in units), sum(u[1] for u in units), glued, tuple(units))


def _join(pieces: list[_Piece]) -> tuple[str, int]:
    text, weight = "", 0
    for piece in pieces:
        if text and not piece.glued:
            text, weight = text + " ", weight + 1
        text, weight = text + piece.text, weight + piece.weight
    return text, weight


def _cut(piece: _Piece, budget: int) -> list[_Piece]:
    """A piece heavier than a whole post, cut between its units (or its code points)."""
    units = [
        sub
        for unit in piece.units
        for sub in ([unit] if unit[1] <= budget else [(c, 2) for c in unit[0]])
    ]
    out: list[_Piece] = []
    current: list[tuple[str, int]] = []
    for unit in units:
        if current and sum(u[1] for u in current) + unit[1] > budget:
            out.append(_piece(current, bool(out) or piece.glued))
            current = []
        current.append(unit)
    if current:
        out.append(_piece(current, bool(out) or piece.glued))
    return out


def _fill(sentences: list[list[_Piece]], budget: int) -> list[str]:
    posts: list[str] = []
    current: list[_Piece] = []
    for sentence in sentences:
        whole = [*current, *sentence]
        if _join(whole)[1] <= budget:
            current = whole
            continue
        if current:
            posts.append(_join(current)[0])
            current = []
        if _join(sentence)[1] <= budget:
            current = list(sentence)
            continue
        for piece in sentence:  # a sentence longer than a post: cut between pieces
            parts = [piece] if piece.weight <= budget else _cut(piece, budget)
            for part in parts:
                if current and _join([*current, part])[1] > budget:
                    posts.append(_join(current)[0])
                    current = [_Piece(part.text, part.weight, False, part.units)]
                else:
                    current.append(part)
    if current:
        posts.append(_join(current)[0])
    return posts


def _sentences(text: str) -> list[str]:
    text = INVALID.sub("", unicodedata.normalize("NFC", text))
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
    return [s.strip() for p in paragraphs for s in SENTENCE.split(" ".join(p.split())) if s.strip()]


def split_thread(text: str, limit: int = LIMIT, numbered: bool = True) -> list[str]:
    """Posts that X accepts, each within `limit`, numbered ` 1/N` when there is more than one."""
    sentences = _sentences(text)
    if not sentences:
        return []
    whole = " ".join(sentences)
    if _fits(whole, limit) and not re.search(r"\n\s*\n", text.strip()):
        return [whole]
    pieces = [_pieces(s) for s in sentences]
    slack = 0
    while True:
        count = 1
        while True:
            suffix = len(f" {count}/{count}") if numbered else 0
            posts = _fill(pieces, limit - suffix - slack)
            if len(posts) <= count or not numbered:
                break
            count = len(posts)
        if numbered and len(posts) > 1:
            posts = [f"{post} {n}/{len(posts)}" for n, post in enumerate(posts, start=1)]
        bad = [p for p in posts if not _fits(p, limit)]
        if not bad:
            return posts
        # a cut changed what X sees as a link: split again, tighter
        slack += max(1, *(weighted_length(p) - limit for p in bad))
        if slack >= limit // 2:
            raise BipError("could not split the text into posts that X accepts")


def _fits(post: str, limit: int) -> bool:
    parsed = twitter_text().parse_tweet(post)
    return bool(parsed.valid) and int(parsed.weightedLength) <= limit


def is_chinese(sentence: str) -> bool:
    """Whether a sentence is Chinese: it has Han characters and no kana or hangul (English
    terms such as `MI300X` inside it are normal)."""
    return HAN.search(sentence) is not None and KANA_HANGUL.search(sentence) is None


def chinese_text(text: str) -> str:
    """The Chinese sentences of `text` (all of it when it is Chinese), or ""."""
    sentences = [s for s in _sentences(text) if is_chinese(s)]
    return "".join(s if s[-1] in "。！？" else s + " " for s in sentences).strip()
