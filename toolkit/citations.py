"""Citations from the reading list: stable keys, BibTeX a real parser reads, Markdown and text.

Keys: an entry's pinned `cite_key` wins; otherwise first author's family name + year + first
significant title word (`dao2022flashattention`), with a/b/... suffixes on clashes. Once a draft
uses a key, bip pins it into the reading list so published posts never break.
A repo's CITATION.cff (from `bip read sync` or a local clone) is honoured: its
`preferred-citation` wins over the software entry, else its title/authors/version are used.
"""

from __future__ import annotations

import dataclasses
import itertools
import re
import unicodedata
from collections.abc import Iterator
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


# Words that start a family name ("Teven Le Scao", "Laurens van der Maaten", "Luigi Di Maio").
PARTICLES = {
    "af", "al", "bin", "da", "das", "de", "del", "della", "der", "des", "di", "do", "dos", "du",
    "el", "la", "le", "st.", "ten", "ter", "van", "von", "zu",
}  # fmt: skip


@dataclass(frozen=True)
class Name:
    """A person's name in parts, as CITATION.cff gives it and BibTeX needs it."""

    given: str
    family: str
    particle: str = ""  # lowercase particles BibTeX calls "von": "van der"
    suffix: str = ""

    @property
    def display(self) -> str:
        parts = [self.given, self.particle, self.family]
        return " ".join(p for p in parts if p) + (f", {self.suffix}" if self.suffix else "")


SUFFIXES = {"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"}


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
    """'Tri Dao' -> 'dao', 'Dao, Tri' -> 'dao', 'DeepSeek-AI' -> 'deepseekai', '李沐' -> 'li',
    'Teven Le Scao' -> 'lescao'."""
    author = author.strip()
    parts = author.split()
    name = split_name(author)
    if _HAN.match(author) and " " not in author and "," not in author:
        # Written in Han script, family name first: 李沐, 欧阳修
        family = author[:2] if author[:2] in _COMPOUND_SURNAMES else author[:1]
    elif len(parts) > 1 and parts[-1].lower() in ("team", "group", "lab", "ai"):
        family = parts[0]
    elif name is not None:
        family = f"{name.particle} {name.family}"
    else:
        family = author
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
    key = f"{who}{year}{first_word(entry.title)}"[:MAX_KEY] or entry.id.replace("-", "")
    # A key starts with a letter (a name in a script bip cannot transliterate leaves only the
    # year): BibTeX styles and the reading list's own cite_key rule both want one.
    return key if key[:1].isalpha() else f"ref{key}"[:MAX_KEY]


def cite_keys(model: ReadingList) -> dict[str, str]:
    """entry id -> key, for every entry: pinned keys as they are, generated ones unique."""
    pinned = {e.id: e.cite_key for e in model.entries if e.cite_key}
    taken = {key.lower() for key in pinned.values()}  # BibTeX keys ignore case
    groups: dict[str, list[Entry]] = {}
    for entry in model.entries:
        if entry.id not in pinned:
            groups.setdefault(base_key(entry), []).append(entry)
    keys = dict(pinned)
    for base, entries in groups.items():
        if len(entries) == 1 and base.lower() not in taken:
            keys[entries[0].id] = base
            taken.add(base.lower())
            continue
        suffixes = _suffixes()
        for entry in entries:
            key = base + next(suffixes)
            while key.lower() in taken:
                key = base + next(suffixes)
            keys[entry.id] = key
            taken.add(key.lower())
    return keys


MAX_KEY = 60


def _suffixes() -> Iterator[str]:
    """a, b, ..., z, aa, ab, ...: as many distinct suffixes as a clash needs."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    for size in itertools.count(1):
        for combo in itertools.product(letters, repeat=size):
            yield "".join(combo)


# --- CITATION.cff ----------------------------------------------------------------------------


@dataclass
class Reference:
    """Everything a citation needs, whatever it came from."""

    key: str
    kind: str  # article | inproceedings | misc | software | book | online
    title: str
    authors: list[str] = field(default_factory=list)
    names: dict[str, Name] = field(default_factory=dict)  # display name -> parts, from CFF
    year: int | None = None
    url: str | None = None
    arxiv: str | None = None
    primary_class: str | None = None
    doi: str | None = None
    journal: str | None = None
    booktitle: str | None = None  # the proceedings or conference of an @inproceedings
    pages: str | None = None
    publisher: str | None = None
    version: str | None = None
    commit: str | None = None
    urldate: str | None = None
    entry_id: str = ""


def _cff_authors(people: Any) -> tuple[list[str], dict[str, Name]]:
    """Display names, and the parts of each person's name (`name-particle`, `name-suffix`)."""
    names, parts = [], {}
    for person in people or []:
        if not isinstance(person, dict):
            continue
        if person.get("family-names"):
            name = Name(
                str(person.get("given-names") or "").strip(),
                str(person["family-names"]).strip(),
                str(person.get("name-particle") or "").strip(),
                str(person.get("name-suffix") or "").strip(),
            )
            names.append(name.display)
            parts[name.display] = name
        elif person.get("name"):
            names.append(str(person["name"]))
    return names, parts


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
        "conference-paper": "inproceedings",
        "conference": "inproceedings",
        "proceedings": "inproceedings",
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
    conference = source.get("conference")
    venue = (
        source.get("collection-title")
        or source.get("proceedings-title")
        or (conference.get("name") if isinstance(conference, dict) else None)
        or source.get("journal")
    )
    journal = source.get("journal") if kind == "article" else None
    booktitle = venue if kind == "inproceedings" else None
    if (kind == "article" and not journal) or (kind == "inproceedings" and not booktitle):
        kind = "misc"  # never an @article with an empty journal: BibTeX warns, styles print gaps
    authors, names = _cff_authors(source.get("authors"))
    return Reference(
        key=key,
        kind=kind,
        title=str(source.get("title") or entry.title),
        authors=authors or list(entry.authors),
        names=names,
        booktitle=str(booktitle) if booktitle else None,
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


# Venues that are proceedings (a conference or workshop), not journals: by word or by the
# names of the field's conferences.
_PROCEEDINGS = re.compile(
    r"\b(proceedings|conference|symposium|workshop|neural information processing systems|"
    r"neurips|nips|icml|iclr|cvpr|iccv|eccv|acl|"
    r"emnlp|naacl|aaai|ijcai|kdd|sosp|osdi|nsdi|eurosys|asplos|isca|micro|mlsys|sc|ppopp|"
    r"atc|interspeech|icassp|colm)\b",
    re.IGNORECASE,
)


def reference(
    entry: Entry, key: str, cff_text: str | None = None, today: date | None = None
) -> Reference:
    if entry.kind == "repo" and cff_text:
        from_file = from_cff(cff_text, key, entry)
        if from_file is not None:
            return from_file
    kind = {
        "paper": "misc",  # the list has no journal: an @article without one is an error
        "repo": "software",
        "book": "book",
        "course": "online",
        "video": "online",
        "post": "online",
    }[entry.kind]
    authors = list(entry.authors)
    if not authors and entry.repo:
        authors = [entry.repo.split("/")[0]]
    if kind == "book" and not authors:
        kind = "misc"  # a @book needs an author or editor
    journal = booktitle = None
    if entry.kind == "paper" and entry.venue and authors and entry.year:
        # A published paper: in proceedings (a conference, a workshop) or in a journal. What
        # every style requires of those types (author, title, year, venue) is all there.
        if _PROCEEDINGS.search(entry.venue):
            kind, booktitle = "inproceedings", entry.venue
        else:
            kind, journal = "article", entry.venue
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
        journal=journal,
        booktitle=booktitle,
        pages=entry.pages if kind in ("article", "inproceedings") else None,
        publisher=entry.publisher,
        version=entry.release,
        commit=entry.commit,
        urldate=urldate,
        entry_id=entry.id,
    )


# --- output ------------------------------------------------------------------------------------


def escape(text: str) -> str:
    return "".join(BIBTEX_SPECIALS.get(ch, ch) for ch in text)


def _author_bibtex(author: str, parts: Name | None) -> str:
    """One name as BibTeX reads it: `First Last`, or `von Last, Jr, First` with a family name
    of several words kept whole in braces (`{Le Scao}, Teven`, `van der Maaten, Laurens`)."""
    if author.lower() == "others":
        return "others"
    if parts is None and (" " not in author.strip() or any(w in author for w in ("Team", "-AI"))):
        return "{" + escape(author) + "}"  # an organisation: one unit, not first/last
    parts = parts or split_name(author)
    if parts is None:
        return "{" + escape(author) + "}"
    particle, family = parts.particle, parts.family
    if particle and not particle.islower():  # "De Maaten": BibTeX's "von" must be lowercase
        particle, family = "", f"{particle} {family}"
    if not particle and " " not in family and not parts.suffix and "," not in author:
        return escape(author)  # "Tri Dao": BibTeX splits it right by itself
    last = escape(family) if " " not in family else "{" + escape(family) + "}"
    last = f"{escape(particle)} {last}" if particle else last
    last += f", {escape(parts.suffix)}" if parts.suffix else ""
    return f"{last}, {escape(parts.given)}" if parts.given else last


def _authors_bibtex(authors: list[str], names: dict[str, Name] | None = None) -> str:
    return " and ".join(_author_bibtex(a, (names or {}).get(a)) for a in authors)


def bibtex(ref: Reference, plain: bool = False) -> str:
    """One BibTeX entry. `plain` is for classic BibTeX styles (plain.bst and its kin): no
    biblatex-only types (@software, @online), and what they ignore on @misc (`eprint`, `url`,
    `urldate`, `version`) also said in `howpublished` and `note`, which they print."""
    kind = ref.kind
    fields: list[tuple[str, str]] = [("title", "{" + escape(ref.title) + "}")]
    if ref.authors:
        fields.append(("author", _authors_bibtex(ref.authors, ref.names)))
    elif plain:  # what classic styles sort and label by when there is no author
        fields.append(("key", escape(ref.title)))
    if ref.year:
        fields.append(("year", str(ref.year)))
    if ref.journal:
        fields.append(("journal", escape(ref.journal)))
    if ref.booktitle:
        fields.append(("booktitle", escape(ref.booktitle)))
    if ref.pages:
        fields.append(("pages", escape(ref.pages.replace("-", "--").replace("----", "--"))))
    if ref.publisher:
        fields.append(("publisher", escape(ref.publisher)))
    if ref.arxiv:
        fields += [("eprint", ref.arxiv), ("archivePrefix", "arXiv")]
        if ref.primary_class:
            fields.append(("primaryClass", ref.primary_class))
    if ref.doi:
        fields.append(("doi", ref.doi))
    if ref.version:
        fields.append(("version", escape(ref.version)))
    if ref.url:
        fields.append(("url", ref.url))
    if ref.urldate:
        fields.append(("urldate", ref.urldate))
    notes = []
    if plain and kind in ("software", "online", "book"):
        kind = "misc"  # no biblatex types; a reading-list book has no publisher, plain.bst's must
    if plain and ref.arxiv:
        notes.append(
            f"arXiv:{ref.arxiv}" + (f" [{ref.primary_class}]" if ref.primary_class else "")
        )
    if plain and ref.version:
        notes.append(f"version {ref.version}")
    if ref.commit:
        notes.append(f"commit {ref.commit}")
    if plain and ref.urldate:
        notes.append(f"accessed {ref.urldate}")
    if plain and kind == "misc" and ref.url:
        fields.append(("howpublished", "\\url{" + ref.url + "}"))
    if notes:
        fields.append(("note", escape(", ".join(notes))))
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
