"""People's names, the one place they are split and keyed: BibTeX's `von Last, Jr, First`, CSL's
and CITATION.cff's parts, GitHub profiles, and the reading list's `Given Family`.

A `Name` is a person in parts, or an organisation (`literal`), which stays one unit everywhere:
`{DeepSeek-AI}` to BibTeX, `deepseekai` in a key.
"""

from __future__ import annotations

import dataclasses
import functools
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

# Words that start a family name ("Teven Le Scao", "Laurens van der Maaten", "Luigi Di Maio").
PARTICLES = {
    "af", "al", "bin", "da", "das", "de", "del", "della", "der", "des", "di", "do", "dos", "du",
    "el", "la", "le", "st.", "ten", "ter", "van", "von", "zu",
}  # fmt: skip
SUFFIXES = {"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"}
# Last words that make a name a team's, not a person's ("Qwen Team", "DeepSeek AI").
TEAM_WORDS = ("team", "group", "lab", "ai")
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# Two-character Chinese family names (the rest are one character).
COMPOUND_SURNAMES = {
    "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "令狐", "司徒",
    "夏侯", "长孙", "宇文", "歐陽", "諸葛", "司馬", "东郭", "西门", "南宫", "澹台",
}  # fmt: skip


@dataclass(frozen=True)
class Name:
    """A person's name in parts, as CITATION.cff gives it and BibTeX needs it; or, `literal`,
    an organisation's name kept whole."""

    given: str
    family: str
    particle: str = ""  # lowercase particles BibTeX calls "von": "van der"
    suffix: str = ""
    literal: bool = False

    @property
    def display(self) -> str:
        """The name as people write it: `Laurens van der Maaten`, `李沐`, `Martin King, Jr.`"""
        if self.literal:
            return self.family
        if HAN.search(self.family) and (not self.given or HAN.search(self.given)):
            return self.family + self.given
        parts = [self.given, self.particle, self.family]
        return " ".join(p for p in parts if p) + (f", {self.suffix}" if self.suffix else "")


def organisation(name: str) -> Name:
    return Name("", name.strip(), literal=True)


def person_name(given: str, family: str, suffix: str = "") -> str:
    """A name from its parts as people write it (`Tri Dao`; `李沐` in Han script)."""
    return Name(given.strip(), family.strip(), suffix=suffix.strip()).display


def split_name(author: str) -> Name | None:
    """'Teven Le Scao' -> Le Scao, Teven; 'Laurens van der Maaten' -> van der / Maaten.
    None for one-word names and organisations, which stay one unit."""
    author = author.strip()
    pieces = [p.strip() for p in author.split(",")]
    if len(pieces) == 3:  # BibTeX's own "Berg, Jr., John"
        return Name(pieces[2], pieces[0], suffix=pieces[1])
    suffix = ""
    if len(pieces) == 2 and pieces[1].lower() in SUFFIXES:  # "John Berg, Jr."
        author, suffix = pieces[0], pieces[1]
    elif len(pieces) == 2:  # "Berg, John"
        return Name(pieces[1], pieces[0])
    words = author.split()
    if len(words) > 2 and words[-1].lower() in SUFFIXES:  # "Martin Luther King III"
        words, suffix = words[:-1], words[-1]
    if suffix:
        name = split_name(" ".join(words))
        return None if name is None else dataclasses.replace(name, suffix=suffix)
    if len(words) < 2:
        return None
    start = next(
        (i for i in range(1, len(words) - 1) if words[i].lower() in PARTICLES), len(words) - 1
    )
    lower = [w for w in words[start:-1] if w.islower()]
    if start < len(words) - 1 and len(lower) == len(words) - 1 - start:  # all "von" words
        return Name(" ".join(words[:start]), words[-1], " ".join(words[start:-1]))
    return Name(" ".join(words[:start]), " ".join(words[start:]))


def is_organisation(author: str) -> bool:
    """One word (`DeepSeek-AI`, `Meta`), or a name ending in a team word (`Qwen Team`)."""
    words = author.split()
    return len(words) < 2 or words[-1].lower() in TEAM_WORDS or "-AI" in author


def parse_name(author: str) -> Name:
    """The reading list's `authors:` item in parts; organisations stay whole."""
    if is_organisation(author):
        return organisation(author)
    return split_name(author) or organisation(author)


def pinyin(text: str) -> str:
    """Han characters in pinyin without tones (`李沐` -> `limu`); other text as it is."""
    if not HAN.search(text):
        return text
    from pypinyin import lazy_pinyin

    return "".join(lazy_pinyin(text))


def ascii_text(text: str) -> str:
    return unicodedata.normalize("NFKD", pinyin(text)).encode("ascii", "ignore").decode()


@functools.lru_cache(maxsize=1 << 14)
def family_name(author: str) -> str:
    """The family name as a key part: 'Tri Dao' -> 'dao', 'Dao, Tri' -> 'dao', 'DeepSeek-AI'
    -> 'deepseekai', '李沐' -> 'li', 'Teven Le Scao' -> 'lescao'."""
    author = author.strip()
    parts = author.split()
    name = split_name(author)
    if HAN.match(author) and " " not in author and "," not in author:
        # Written in Han script, family name first: 李沐, 欧阳修
        family = author[:2] if author[:2] in COMPOUND_SURNAMES else author[:1]
    elif len(parts) > 1 and parts[-1].lower() in TEAM_WORDS:
        named = [p for p in parts[:-1] if p.lower() != "the"]  # "The vLLM Team": vllm
        family = named[0] if named else parts[0]
    elif name is not None:
        family = f"{name.particle} {name.family}"
    else:
        family = author
    return re.sub(r"[^a-z0-9]", "", ascii_text(family).lower())


def name_key(name: Name) -> str:
    """The part of a citation key a name gives: `karpathy`, `vandermaaten`, `li`, `vllm`."""
    if name.literal:
        return family_name(name.family)
    if HAN.search(name.family):
        return family_name(name.family + name.given)
    return re.sub(r"[^a-z0-9]", "", ascii_text(f"{name.particle}{name.family}").lower())


# --- BibTeX ----------------------------------------------------------------------------------


def split_top(text: str, sep: str) -> list[str]:
    """Split on `sep` outside braces (BibTeX's rule for `and` between names), ignoring case."""
    if "{" not in text and "}" not in text:  # no braces: one split, not a loop in Python
        return [p.strip() for p in _splitter(sep).split(text) if p.strip()]
    parts, depth, start = [], 0, 0
    for match in _brace_or(sep).finditer(text):  # only braces and separators, not every char
        found = match.group()
        if found == "{":
            depth += 1
        elif found == "}":
            depth -= 1
        elif depth == 0:
            parts.append(text[start : match.start()])
            start = match.end()
    parts.append(text[start:])
    return [p.strip() for p in parts if p.strip()]


_SPACES = re.compile(r"\s+")


@functools.cache
def _splitter(sep: str) -> re.Pattern[str]:
    return re.compile(re.escape(sep), re.IGNORECASE)


@functools.cache
def _brace_or(sep: str) -> re.Pattern[str]:
    return re.compile(r"[{}]|" + re.escape(sep), re.IGNORECASE)


def balanced(text: str) -> bool:
    depth = 0
    for ch in text:
        depth += {"{": 1, "}": -1}.get(ch, 0)
        if depth < 0:
            return False
    return depth == 0


def bib_names(value: str, decode: Callable[[str], str] = lambda s: s) -> list[str]:
    """BibTeX names as people write them: `Dao, Tri` -> `Tri Dao`, `{DeepSeek-AI}` kept whole,
    `李, 沐` -> `李沐`. `decode` turns each part's LaTeX into text."""
    names = [_bib_name(raw, decode) for raw in split_top(_SPACES.sub(" ", value), " and ")]
    return [n for n in names if n]


@functools.lru_cache(maxsize=1 << 14)
def _bib_name(raw: str, decode: Callable[[str], str]) -> str:
    """One BibTeX name as people write it (names repeat across a library: read once each)."""
    raw = raw.strip()
    if raw.lower() == "others":
        return "others"
    if raw.startswith("{") and raw.endswith("}") and balanced(raw[1:-1]):
        return decode(raw[1:-1]).strip()  # an organisation: one unit
    parts = split_top(raw, ",")
    if len(parts) >= 2:  # von Last, Jr, First  or  von Last, First
        last, first = parts[0], parts[-1]
        jr = parts[1] if len(parts) == 3 else ""
        return person_name(decode(first), decode(last), decode(jr))
    return decode(raw).strip()


# --- CSL JSON, CITATION.cff, GitHub ----------------------------------------------------------


def plain(value: Any) -> str | None:
    """A string, number or date (YAML reads `2023-05-01` as one) as text; None for nulls, lists,
    mappings and booleans: a hand-written file may hold anything where a name should be."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float, date)):
        return None
    return str(value).strip() or None


def csl_name(person: Any) -> str | None:
    """A CSL JSON name object (`family`, `given`, `non-dropping-particle`, `literal`)."""
    if not isinstance(person, dict):
        return None
    literal, family = plain(person.get("literal")), plain(person.get("family"))
    if literal:
        return literal
    if not family:
        return None
    particle = plain(person.get("non-dropping-particle"))
    family = f"{particle} {family}" if particle else family
    return person_name(plain(person.get("given")) or "", family, plain(person.get("suffix")) or "")


def cff_name(person: Any) -> Name | None:
    """A CITATION.cff person (`family-names`, `given-names`, `name-particle`, `name-suffix`) or
    entity (`name`); None for anything else."""
    if not isinstance(person, dict):
        return None
    family = plain(person.get("family-names"))
    if family:
        return Name(
            plain(person.get("given-names")) or "",
            family,
            plain(person.get("name-particle")) or "",
            plain(person.get("name-suffix")) or "",
        )
    entity = plain(person.get("name"))
    return organisation(entity) if entity else None


def profile_name(name: str | None, login: str, is_organisation: bool) -> Name:
    """Who a GitHub account is, for a citation: its profile's name, a person's split, an
    organisation's whole (a login is the last resort of callers that have nothing else)."""
    shown = (name or "").strip()
    if shown and not is_organisation:
        parsed = split_name(shown)
        if parsed is not None:
            return parsed
    return organisation(shown or login)
