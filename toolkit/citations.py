"""Citations from the reading list: stable keys, BibTeX a real parser reads, Markdown and text.

Keys: an entry's pinned `cite_key` wins; otherwise first author's family name + year + first
significant title word (`dao2022flashattention`), with a/b/... suffixes on clashes. Once a draft
uses a key, bip pins it into the reading list so published posts never break.
A repo's CITATION.cff (from `bip read sync` or a local clone) is honoured: its
`preferred-citation` wins over the software entry, else its title/authors/version are used.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from toolkit.readinglist import Entry, ReadingList

STOPWORDS = {
    "a",
    "an",
    "the",
    "on",
    "of",
    "for",
    "and",
    "in",
    "with",
    "to",
    "via",
    "towards",
    "toward",
    "is",
    "are",
    "from",
    "by",
    "at",
    "as",
    "into",
    "lets",
    "let's",
    "how",
    "what",
}
BIBTEX_SPECIALS = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}


_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# Two-character Chinese family names (the rest are one character).
_COMPOUND_SURNAMES = {
    "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "令狐", "司徒",
    "夏侯", "长孙", "宇文", "歐陽", "諸葛", "司馬", "东郭", "西门", "南宫", "澹台",
}  # fmt: skip


def _pinyin(text: str) -> str:
    """Han characters in pinyin without tones (`李沐` -> `limu`); other text as it is."""
    if not _HAN.search(text):
        return text
    from pypinyin import lazy_pinyin

    return "".join(lazy_pinyin(text))


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", _pinyin(text)).encode("ascii", "ignore").decode()


def family_name(author: str) -> str:
    """'Tri Dao' -> 'dao', 'Dao, Tri' -> 'dao', 'DeepSeek-AI' -> 'deepseekai', '李沐' -> 'li'."""
    author = author.strip()
    if "," in author:
        family = author.split(",", 1)[0]
    elif _HAN.match(author) and " " not in author:
        # Written in Han script, family name first: 李沐, 欧阳修
        family = author[:2] if author[:2] in _COMPOUND_SURNAMES else author[:1]
    else:
        parts = author.split()
        if len(parts) > 1 and parts[-1].lower() in ("team", "group", "lab", "ai"):
            family = parts[0]
        else:
            family = parts[-1] if parts else author
    return re.sub(r"[^a-z0-9]", "", _ascii(family).lower())


def first_word(title: str) -> str:
    words = re.findall(r"[\w'.-]+", unicodedata.normalize("NFC", title))
    for word in words:
        if _HAN.match(word):  # a title in Han script: the pinyin of its first two characters
            return re.sub(r"[^a-z0-9]", "", _ascii(word[:2]).lower())
        cleaned = re.sub(r"[^a-z0-9]", "", _ascii(word).lower())
        if cleaned and word.lower() not in STOPWORDS and cleaned not in STOPWORDS:
            return cleaned
    return ""


def base_key(entry: Entry) -> str:
    authors = [a for a in entry.authors if a.lower() != "others"]
    if authors:
        who = family_name(authors[0])
    elif entry.repo:
        who = re.sub(r"[^a-z0-9]", "", entry.repo.split("/")[0].lower())
    else:
        who = re.sub(r"[^a-z0-9]", "", entry.id.split("-")[0])
    year = str(entry.year) if entry.year else ""
    return f"{who}{year}{first_word(entry.title)}" or entry.id.replace("-", "")


def cite_keys(model: ReadingList) -> dict[str, str]:
    """entry id -> key, for every entry: pinned keys as they are, generated ones unique."""
    pinned = {e.id: e.cite_key for e in model.entries if e.cite_key}
    taken = set(pinned.values())
    groups: dict[str, list[Entry]] = {}
    for entry in model.entries:
        if entry.id not in pinned:
            groups.setdefault(base_key(entry), []).append(entry)
    keys = dict(pinned)
    for base, entries in groups.items():
        if len(entries) == 1 and base not in taken:
            keys[entries[0].id] = base
            taken.add(base)
            continue
        letters = iter("abcdefghijklmnopqrstuvwxyz")
        for entry in entries:
            key = base + next(letters)
            while key in taken:
                key = base + next(letters)
            keys[entry.id] = key
            taken.add(key)
    return keys


# --- CITATION.cff ----------------------------------------------------------------------------


@dataclass
class Reference:
    """Everything a citation needs, whatever it came from."""

    key: str
    kind: str  # article | misc | software | book | online
    title: str
    authors: list[str] = field(default_factory=list)
    year: int | None = None
    url: str | None = None
    arxiv: str | None = None
    primary_class: str | None = None
    doi: str | None = None
    journal: str | None = None
    version: str | None = None
    commit: str | None = None
    urldate: str | None = None
    entry_id: str = ""


def _cff_authors(people: Any) -> list[str]:
    names = []
    for person in people or []:
        if not isinstance(person, dict):
            continue
        if person.get("family-names"):
            given = person.get("given-names", "")
            names.append(f"{given} {person['family-names']}".strip())
        elif person.get("name"):
            names.append(str(person["name"]))
    return names


def from_cff(cff_text: str, key: str, entry: Entry) -> Reference | None:
    """A Reference from CITATION.cff: `preferred-citation` first (cffconvert cannot), else the
    software itself. None if the text is not a usable CFF file."""
    from toolkit import yamledit
    from toolkit.errors import InvalidFile

    try:
        data = yamledit.to_plain(yamledit.parse(cff_text, "CITATION.cff"))
    except InvalidFile:
        return None
    if not isinstance(data, dict):
        return None
    preferred = data.get("preferred-citation")
    source = preferred if isinstance(preferred, dict) else data
    cff_type = str(source.get("type", "software"))
    kind = {
        "article": "article",
        "conference-paper": "article",
        "book": "book",
        "software": "software",
    }.get(cff_type, "misc")
    year = source.get("year")
    released = source.get("date-released") or data.get("date-released")
    if not year and released:
        year = int(str(released)[:4])
    identifiers = {
        i.get("type"): i.get("value")
        for i in source.get("identifiers") or []
        if isinstance(i, dict)
    }
    url = (
        source.get("url")
        or source.get("repository-code")
        or data.get("repository-code")
        or entry.link
    )
    journal = source.get("journal") or (source.get("conference") or {}).get("name")
    return Reference(
        key=key,
        kind=kind,
        title=str(source.get("title") or entry.title),
        authors=_cff_authors(source.get("authors")) or list(entry.authors),
        year=int(year) if year else entry.year,
        url=str(url) if url else None,
        doi=source.get("doi") or identifiers.get("doi"),
        journal=str(journal) if journal else None,
        version=str(data.get("version")) if (preferred is None and data.get("version")) else None,
        commit=entry.commit if preferred is None else None,
        arxiv=entry.arxiv,
        primary_class=entry.primary_class,
        entry_id=entry.id,
    )


def reference(
    entry: Entry, key: str, cff_text: str | None = None, today: date | None = None
) -> Reference:
    if entry.kind == "repo" and cff_text:
        from_file = from_cff(cff_text, key, entry)
        if from_file is not None:
            return from_file
    kind = {
        "paper": "article" if entry.doi and not entry.arxiv else "misc",
        "repo": "software",
        "book": "book",
        "course": "online",
        "video": "online",
        "post": "online",
    }[entry.kind]
    authors = list(entry.authors)
    if not authors and entry.repo:
        authors = [entry.repo.split("/")[0]]
    urldate = None
    if kind == "online":
        urldate = (
            entry.finished or entry.started or entry.added or today or date.today()
        ).isoformat()
    return Reference(
        key=key,
        kind=kind,
        title=entry.title,
        authors=authors,
        year=entry.year,
        url=entry.link,
        arxiv=entry.arxiv,
        primary_class=entry.primary_class,
        doi=entry.doi,
        version=entry.release,
        commit=entry.commit,
        urldate=urldate,
        entry_id=entry.id,
    )


# --- output ------------------------------------------------------------------------------------


def escape(text: str) -> str:
    return "".join(BIBTEX_SPECIALS.get(ch, ch) for ch in text)


def _authors_bibtex(authors: list[str]) -> str:
    parts = []
    for name in authors:
        if name.lower() == "others":
            parts.append("others")
        elif " " not in name.strip() or any(w in name for w in ("Team", "-AI")):
            parts.append("{" + escape(name) + "}")  # an organisation: one unit, not first/last
        else:
            parts.append(escape(name))
    return " and ".join(parts)


def bibtex(ref: Reference, plain: bool = False) -> str:
    """One BibTeX entry. `plain` avoids biblatex-only types (@software, @online) for classic BibTeX."""
    kind = ref.kind
    fields: list[tuple[str, str]] = [("title", "{" + escape(ref.title) + "}")]
    if ref.authors:
        fields.append(("author", _authors_bibtex(ref.authors)))
    if ref.year:
        fields.append(("year", str(ref.year)))
    if ref.journal:
        fields.append(("journal", escape(ref.journal)))
    if ref.arxiv:
        fields += [("eprint", ref.arxiv), ("archivePrefix", "arXiv")]
        if ref.primary_class:
            fields.append(("primaryClass", ref.primary_class))
    if ref.doi:
        fields.append(("doi", ref.doi))
    if ref.version:
        fields.append(("version", escape(ref.version)))
    notes = []
    if ref.commit:
        notes.append(f"commit {ref.commit}")
    if ref.url:
        fields.append(("url", ref.url))
        if plain and kind in ("software", "online"):
            fields.append(("howpublished", "\\url{" + ref.url + "}"))
    if ref.urldate:
        fields.append(("urldate", ref.urldate))
    if notes:
        fields.append(("note", escape(", ".join(notes))))
    if plain and kind in ("software", "online"):
        kind = "misc"
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@{kind}{{{ref.key},\n{body}\n}}\n"


def _authors_text(authors: list[str]) -> str:
    named = [a for a in authors if a.lower() != "others"]
    if not named:
        return ""
    if len(named) > 3 or len(named) < len(authors):
        return f"{named[0]} et al."
    return ", ".join(named[:-1]) + (" and " if len(named) > 1 else "") + named[-1]


def pinned_url(ref: Reference) -> str | None:
    if ref.url and ref.commit and "github.com/" in ref.url:
        return f"{ref.url.rstrip('/')}/tree/{ref.commit}"
    if ref.url and ref.version and "github.com/" in ref.url:
        return f"{ref.url.rstrip('/')}/releases/tag/{ref.version}"
    return ref.url


def _locators(ref: Reference, doi: bool, commit: str) -> list[str]:
    """arXiv id, DOI, and the commit (or else the release) a reference points at."""
    where = [f"arXiv:{ref.arxiv}"] if ref.arxiv else []
    if doi and ref.doi:
        where.append(f"doi:{ref.doi}")
    if ref.commit:
        where.append(commit.format(ref.commit[:7]))
    elif ref.version:
        where.append(f"release {ref.version}")
    return where


def text(ref: Reference) -> str:
    who = _authors_text(ref.authors)
    year = f" ({ref.year})" if ref.year else ""
    where = _locators(ref, doi=True, commit="commit {}")
    lead = f"{who}{year}. " if who else (f"{ref.year}. " if ref.year else "")
    tail = f". {', '.join(where)}" if where else ""
    url = pinned_url(ref)
    return f"{lead}{ref.title}{tail}." + (f" {url}" if url else "")


def markdown(ref: Reference) -> str:
    who = _authors_text(ref.authors)
    url = pinned_url(ref)
    title = f"[*{ref.title}*]({url})" if url else f"*{ref.title}*"
    bits = _locators(ref, doi=False, commit="at commit `{}`")
    year = f" ({ref.year})" if ref.year else ""
    lead = f"{who}{year}. " if who else ""
    return f"{lead}{title}" + (f", {', '.join(bits)}" if bits else "") + "."


def references_markdown(refs: list[Reference]) -> str:
    return "\n".join(f"{n}. {markdown(r)}" for n, r in enumerate(refs, start=1))
