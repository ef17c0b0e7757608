"""Citation keys: made from authors, year and title (`dao2022flashattention`), unique, ASCII;
never from placeholders; pinned once a draft uses them.

Keys: an entry's pinned `cite_key` wins; otherwise first author's family name + year + first
significant title word, with a/b/... suffixes on clashes. An entry whose metadata is not known
yet (an offline title like `owner/name` or `arXiv:ID`, no authors) is *provisional*: it is cited
by its entry id and never pinned, until `bip read sync` completes it.

Before bip read papers' metadata, an entry added by its identifier had the title `arXiv:ID` and
no authors, and a draft that cited it pinned a key made of those (`arxiv` + `arxiv` + a suffix).
`bip read validate` warns about such keys; `bip cite --rekey ID` repins one when the user says so
(published posts may still use the old key, which is why it is never done silently).
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from toolkit import yamledit
from toolkit.errors import BadInput
from toolkit.readinglist import Plan, ReadingList
from toolkit.readinglist.model import CITE_KEY_PATTERN, Entry
from toolkit.references.credit import Credit, RepoFacts, credit
from toolkit.references.names import HAN, ascii_text, family_name, name_key

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


def first_word(title: str) -> str:
    words = re.findall(r"[\w'.-]+", unicodedata.normalize("NFC", title))
    for word in words:
        if HAN.match(word):  # a title in Han script: the pinyin of its first two characters
            return re.sub(r"[^a-z0-9]", "", ascii_text(word[:2]).lower())
        cleaned = re.sub(r"[^a-z0-9]", "", ascii_text(word).lower())
        if cleaned and word.lower() not in STOPWORDS and cleaned not in STOPWORDS:
            return cleaned
    return ""


def provisional(entry: Entry) -> bool:
    """Metadata not known yet: a title bip wrote from the identifier (`arXiv:ID`, `owner/name`,
    a URL), or a paper with an arXiv id or DOI and no authors. `bip read sync` completes it."""
    from toolkit.references.records import placeholder_titles

    if entry.title in placeholder_titles(entry) or (entry.repo and entry.title == entry.repo):
        return True
    return entry.kind == "paper" and not entry.authors and bool(entry.arxiv or entry.doi)


def base_key(entry: Entry, credited: Credit | None = None) -> str:
    names = [n for n in (credited.names if credited else []) if n.display.lower() != "others"]
    authors = [a for a in entry.authors if a.lower() != "others"]
    year_known = credited.year if credited else entry.year
    if names:
        who = name_key(names[0])
    elif authors:
        who = family_name(authors[0])
    elif entry.repo:
        who = re.sub(r"[^a-z0-9]", "", entry.repo.split("/")[0].lower())
    else:
        who = re.sub(r"[^a-z0-9]", "", entry.id.split("-")[0])
    year = str(year_known) if year_known else ""
    key = f"{who}{year}{first_word(entry.title)}"[:MAX_KEY] or entry.id.replace("-", "")
    # A key starts with a letter (a name in a script bip cannot transliterate leaves only the
    # year): BibTeX styles and the reading list's own cite_key rule both want one.
    return key if key[:1].isalpha() else f"ref{key}"[:MAX_KEY]


def cite_keys(model: ReadingList, facts: dict[str, RepoFacts] | None = None) -> dict[str, str]:
    """entry id -> key, for every entry: pinned keys as they are, provisional entries by their
    id, generated ones unique (from the people `credit` names, with `facts` about repos)."""
    pinned = {e.id: e.cite_key for e in model.entries if e.cite_key}
    for entry in model.entries:
        if entry.id not in pinned and provisional(entry):
            pinned[entry.id] = entry.id if entry.id[:1].isalpha() else f"ref-{entry.id}"
    taken = {key.lower() for key in pinned.values()}  # BibTeX keys ignore case
    groups: dict[str, list[Entry]] = {}
    for entry in model.entries:
        if entry.id not in pinned:
            repo_facts = (facts or {}).get(entry.repo.lower()) if entry.repo else None
            key = base_key(entry, credit(entry, model, repo_facts))
            groups.setdefault(key, []).append(entry)
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


_IDENT_WORDS = r"(?:arxiv|doi|openreview|https?|www|url)"
GARBAGE_KEY = re.compile(rf"^{_IDENT_WORDS}(?:\d{{4}})?(?:{_IDENT_WORDS}|10|\d{{4}})?[a-z]?$")


def is_garbage_key(key: str) -> bool:
    """A key made from an identifier rather than from authors, year and title."""
    return bool(GARBAGE_KEY.match(key.lower()))


def usable_key(key: str) -> bool:
    """A key worth pinning: valid in the reading list (a letter first: a name in a script bip
    does not transliterate leaves only the year) and not made from an identifier."""
    return bool(CITE_KEY_PATTERN.match(key)) and not is_garbage_key(key)


def fresh_key(model: ReadingList, entry_id: str) -> str:
    """The key bip would give the entry now from its metadata, unique among the other keys."""
    index = model.entry_index(entry_id)
    entries = list(model.entries)
    entries[index] = replace(entries[index], cite_key=None)
    return cite_keys(replace(model, entries=entries))[entry_id]


@dataclass
class BadKey:
    entry: Entry
    key: str
    suggestion: str | None  # None until the entry has authors and a year


def garbage_keys(model: ReadingList) -> list[BadKey]:
    found = []
    for entry in model.entries:
        if entry.cite_key and is_garbage_key(entry.cite_key):
            fresh = fresh_key(model, entry.id)
            usable = entry.authors and entry.year and usable_key(fresh)
            found.append(BadKey(entry, entry.cite_key, fresh if usable else None))
    return found


@dataclass
class Rekeyed:
    id: str
    old: str | None
    new: str


def plan_rekey(entry_id: str) -> Plan[Rekeyed]:
    """Repin an entry's citation key from its current metadata."""

    def plan(model: ReadingList) -> tuple[list[yamledit.Edit], Rekeyed]:
        index = model.entry_index(entry_id)
        entry = model.entries[index]
        new = fresh_key(model, entry_id)
        if not (entry.authors and entry.year) or is_garbage_key(new):
            raise BadInput(
                f"{entry_id!r} has no authors or year to make a key from (it would be {new!r})",
                hint="run `bip read sync` to fetch its metadata, or write authors and year by hand",
            )
        if not usable_key(new):
            raise BadInput(
                f"bip cannot make a citation key for {entry_id!r} from its metadata "
                f"(it would be {new!r}: {entry.authors[0]!r} has no Latin letters bip can use)",
                hint=f"pin one by hand in the reading list (`cite_key: NAME{entry.year}...`: a "
                "letter first, then letters, digits, _:.-)",
            )
        if new == entry.cite_key:
            return [], Rekeyed(entry_id, entry.cite_key, new)
        edit = yamledit.SetItemKey("entries", index, "cite_key", new)
        return [edit], Rekeyed(entry_id, entry.cite_key, new)

    return plan


def rekey(reading_list: Path, entry_id: str) -> Rekeyed:
    """`bip cite --rekey ID`: repin the entry's key from its metadata, in the file."""
    from toolkit.readinglist import edit_reading_list, lock_path_for

    return edit_reading_list(reading_list, plan_rekey(entry_id), lock=lock_path_for(reading_list))
