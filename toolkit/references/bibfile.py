"""BibTeX and BibLaTeX files read by bibtexparser v2, with LaTeX decoded to Unicode, `@string`
macros resolved (within a size limit) and arXiv ids found wherever people write them."""

from __future__ import annotations

import functools
import logging
import re
from typing import Any

from toolkit.errors import BadInput
from toolkit.references.importing import (
    ARXIV_IN_TEXT,
    Parsed,
    Record,
    Skipped,
    SkipRecord,
    kind_by_link,
    make_record,
)
from toolkit.references.names import bib_names
from toolkit.references.records import Metadata, clean_text, normalise_arxiv

BIB_KINDS = {
    "article": "paper",
    "inproceedings": "paper",
    "conference": "paper",
    "incollection": "paper",
    "phdthesis": "paper",
    "mastersthesis": "paper",
    "thesis": "paper",
    "techreport": "paper",
    "report": "paper",
    "unpublished": "paper",
    "proceedings": "paper",
    "book": "book",
    "inbook": "book",
    "booklet": "book",
    "mvbook": "book",
    "online": "post",
    "electronic": "post",
    "www": "post",
    "webpage": "post",
    "video": "video",
    "movie": "video",
}
_VERBATIM = {"url", "doi", "eprint", "howpublished", "urldate", "file"}
_URL_IN = re.compile(r"\\url\{([^}]*)\}")


# --- BibTeX ------------------------------------------------------------------------------------


# Text that LaTeX would print as written, and text whose only LaTeX is braces, dashes, ties and
# quotes: both are decoded here (pylatexenc costs about a millisecond a field, 10,000 entries of
# 8 fields would take minutes); anything with a macro, math or a special goes to pylatexenc.
_ANY_LATEX = re.compile(r"[\\{}$~%&^`'-]")  # `-` for `--`: a class alone scans fastest
_NEEDS_PYLATEXENC = re.compile(r"[\\$%&^]")
_LIGATURES = re.compile(r"---|--|``|''|~")
_LIGATURE_TEXT = {"---": "\u2014", "--": "\u2013", "``": "\u201c", "''": "\u201d", "~": "\xa0"}
_BRACES = re.compile(r"[{}]")
_LIGATURE_START = re.compile(r"[-`'~]")


def _ligature(match: re.Match[str]) -> str:
    return _LIGATURE_TEXT[match.group(0)]


@functools.lru_cache(maxsize=1 << 16)
def latex_text(text: str) -> str:
    """LaTeX to Unicode text (`{\\"u}` -> `ü`, `{BERT}` -> `BERT`, `--` -> `–`), as pylatexenc
    reads it. Names and venues repeat across a library: decoded once each."""
    if not _ANY_LATEX.search(text):
        return text
    if "\\noop" in text:  # BibTeX's sorting trick: `{\noopsort{a}}Title` prints `Title`
        text = _NOOP.sub("", text)
    if "\\" in text and "$" not in text:
        # only accents (`{\\"u}`, `\\'{e}`, `\\c c`), which repeat across a library: each decoded
        # once by pylatexenc (cached), the rest of the text by the quick path below; a text
        # with any other macro goes to pylatexenc whole
        accented = _ACCENT.sub(_accent_match, text)
        if "\\" not in accented:
            text = accented
    if not _NEEDS_PYLATEXENC.search(text):  # braces end a ligature, as in LaTeX: `-{}-` stays
        if not _LIGATURE_START.search(text):
            return text.replace("{", "").replace("}", "")
        return "".join(_LIGATURES.sub(_ligature, part) for part in _BRACES.split(text))
    from pylatexenc.latexwalker import LatexWalkerError

    bare = _BARE_INPUT.search(text)
    if bare:  # pylatexenc fails on these with an IndexError
        raise SkipRecord(f"`\\{bare.group(1)}` without a file name in a field: nothing to read")
    try:
        return str(_latex_to_text()(text))
    except (RecursionError, LatexWalkerError):
        raise SkipRecord("its LaTeX is nested too deeply (or too broken) to read") from None
    except (IndexError, KeyError, ValueError, TypeError, AttributeError) as exc:
        # pylatexenc on a macro without the arguments it expects: the entry is unreadable,
        # the file is not
        raise SkipRecord(f"its LaTeX cannot be read ({type(exc).__name__} in pylatexenc)") from None


# An accent on one letter, whole: `{\"u}`, `{\'{e}}`, `\"{u}`, `\'e`, `\c{c}` (never after a
# backslash: `\\` is a line break).
_ACCENT = re.compile(
    r"(?<!\\)\{\\(?:[`'^\"~=.]|[uvHckbdrt](?![A-Za-z]))\s*(?:\{[A-Za-z]\}|[A-Za-z])\}"
    r"|(?<![\\{])\\(?:[`'^\"~=.]\s*(?:\{[A-Za-z]\}|[A-Za-z])|[uvHckbdrt]\{[A-Za-z]\})"
)


def _accent_match(match: re.Match[str]) -> str:
    return _accent(match.group(0))


@functools.lru_cache(maxsize=4096)
def _accent(text: str) -> str:
    return str(_latex_to_text()(text))


# The sorting macros of BibTeX's documentation (`@preamble{"\newcommand{\noopsort}[1]{}"}`),
# which print nothing: `{\noopsort{1973a}}Knuth`.
_NOOP = re.compile(r"\\noop(?:sort)?\s*\{[^{}]*\}")

# `\input` or `\include` not followed by a `{file}` argument.
_BARE_INPUT = re.compile(r"\\(input|include)(?![A-Za-z])(?!\s*\{)")


@functools.cache
def _latex_to_text() -> Any:
    """One converter for the whole import (building one builds pylatexenc's macro tables)."""
    from pylatexenc.latex2text import LatexNodes2Text
    from pylatexenc.latexwalker import LatexWalker, get_default_latex_context_db

    to_text = LatexNodes2Text(math_mode="verbatim").nodelist_to_text
    macros = get_default_latex_context_db()  # what LatexWalker would rebuild for every field

    def convert(text: str) -> str:
        return str(to_text(LatexWalker(text, latex_context=macros).get_latex_nodes()[0]))

    return convert


def _verbatim(text: str) -> str:
    """A URL or DOI as written: braces and escapes off, no other LaTeX decoding (`~` stays)."""
    if "\\" not in text and "{" not in text and "}" not in text:
        return text.strip()  # nearly every DOI and URL
    match = _URL_IN.search(text)
    if match:
        text = match.group(1)
    return _ESCAPED.sub(r"\1", text.replace("{", "").replace("}", "")).strip()


_ESCAPED = re.compile(r"\\([_%&#$])")


def parse_bibtex(text: str, path: str, abstracts: bool = True) -> Parsed:
    """The works of a .bib; `abstracts=False` leaves abstracts out (an import that does not
    keep them need not decode them: the longest field of most entries)."""
    from bibtexparser import model
    from bibtexparser.entrypoint import parse_string

    logging.getLogger("bibtexparser").setLevel(logging.CRITICAL)  # failures are reported here
    library = parse_string(text, parse_stack=[])  # values as written: resolved by _bib_value
    strings: dict[str, str] = {}
    for string in library.strings:  # in file order: a macro may use the ones before it
        try:
            strings[string.key.lower()] = _bib_value(str(string.value), strings)
        except SkipRecord:
            raise BadInput(
                f"{path}:{(string.start_line or 0) + 1}: @string{{{string.key}}} expands to more "
                f"than {MAX_VALUE:,} characters (macros that double each other?)",
                hint="no real bibliography needs that: fix or remove the macro",
            ) from None
    parsed = Parsed(path, "bibtex")
    keys: set[str] = set()
    read: list[tuple[int, str, str, dict[str, str]]] = []  # line, type, key, fields
    for block in library.blocks:
        line = (block.start_line or 0) + 1
        if isinstance(block, model.DuplicateBlockKeyBlock):
            parsed.duplicates.append(Skipped(line, f"duplicate key {block.key!r}"))
        elif isinstance(block, model.ParsingFailedBlock):
            first = (block.raw or "").strip().splitlines()[:1]
            what = f" ({first[0][:60]})" if first else ""
            parsed.skipped.append(Skipped(line, f"malformed entry{what}: {_why(block.error)}"))
        elif isinstance(block, model.Entry):
            if block.key.lower() in keys:  # BibTeX compares keys ignoring case
                parsed.duplicates.append(
                    Skipped(line, f"duplicate key {block.key!r} (BibTeX ignores case in keys)")
                )
                continue
            keys.add(block.key.lower())
            try:
                raw = {}  # a field given twice: the last wins, as in fields_dict
                for found in block.fields:
                    raw[found.key.lower()] = _bib_value(str(found.value), strings)
                if not abstracts:
                    raw.pop("abstract", None)
                read.append((line, block.entry_type.lower(), block.key, raw))
            except SkipRecord as exc:
                parsed.skipped.append(Skipped(line, str(exc)))
    parents = _crossref_parents(read)
    for line, entry_type, key, raw in read:
        if key.lower() in parents:
            parsed.skipped.append(Skipped(line, parents[key.lower()]))
            continue
        try:
            parsed.records.append(_bib_record(entry_type, key, raw, line))
        except SkipRecord as exc:
            parsed.skipped.append(Skipped(line, str(exc)))
    return parsed


# What a crossref'd entry passes on: where and when, never what identifies it (its URL, DOI).
_INHERITED = ("year", "date", "booktitle", "journal", "journaltitle", "publisher", "series")


def _crossref_parents(read: list[tuple[int, str, str, dict[str, str]]]) -> dict[str, str]:
    """BibTeX's `crossref`: an entry takes the fields it lacks from the entry it names (DBLP
    writes each paper's year and proceedings that way), the parent's title as its booktitle.
    A proceedings volume that papers of the file cross-reference is their venue, not a work of
    its own: key -> the reason it is skipped."""
    by_key = {key.lower(): (entry_type, raw) for _, entry_type, key, raw in read}
    children: dict[str, int] = {}
    for _, _, key, raw in read:
        named = raw.get("crossref", "").strip().lower()
        parent = by_key.get(named) if named and named != key.lower() else None
        if parent is None:
            continue
        children[named] = children.get(named, 0) + 1
        parent_type, parent_raw = parent
        for name, value in parent_raw.items():
            if name in _INHERITED and name not in raw:
                raw[name] = value
        if "title" in parent_raw and parent_type in ("proceedings", "book", "mvbook"):
            raw.setdefault("booktitle", parent_raw["title"])
    return {
        key: f"a proceedings volume: the venue (crossref) of {n} entr{'y' if n == 1 else 'ies'}"
        for key, n in children.items()
        if by_key[key][0] == "proceedings"
    }


# Longest text a field may expand to through @string macros (a long abstract is ~5,000).
MAX_VALUE = 100_000


def _bib_value(raw: str, strings: dict[str, str]) -> str:
    """A field's value as BibTeX reads it: `{...}` and `"..."` without their delimiters, numbers,
    and @string macros (names ignore case), parts joined with `#`. bibtexparser v2 leaves
    `#` to its caller (sciunto-org/python-bibtexparser#396). An undefined macro is kept as
    written. Macros that expand past MAX_VALUE characters are refused (SkipRecord) before
    the text is built: `@string{m2 = m1 # m1}`, doubled 40 times, is a terabyte."""
    if "#" not in raw:  # one part, nearly always: a braced or quoted text, a number, a macro
        part = raw.strip()
        if len(part) >= 2 and (part[0], part[-1]) in (("{", "}"), ('"', '"')):
            return part[1:-1]
        text = strings.get(part.lower(), part)
        if len(text) > max(MAX_VALUE, len(raw)):
            raise SkipRecord(f"a value expands to more than {MAX_VALUE:,} characters")
        return text
    out, size = [], 0
    for part in _split_concatenation(raw):
        if len(part) >= 2 and (part[0], part[-1]) in (("{", "}"), ('"', '"')):
            text = part[1:-1]
        else:
            text = strings.get(part.lower(), part)
        size += len(text)
        if size > max(MAX_VALUE, len(raw)):
            raise SkipRecord(f"a value expands to more than {MAX_VALUE:,} characters")
        out.append(text)
    return "".join(out)


def _split_concatenation(raw: str) -> list[str]:
    """`foo # " and " # {Bar}` -> its parts; `#` inside braces or quotes is text."""
    parts, depth, quoted, start = [], 0, False, 0
    for i, ch in enumerate(raw):
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        elif ch == '"' and depth == 0:
            quoted = not quoted
        elif ch == "#" and depth == 0 and not quoted:
            parts.append(raw[start:i].strip())
            start = i + 1
    parts.append(raw[start:].strip())
    return parts


def _why(error: Exception) -> str:
    reason = getattr(error, "abort_reason", None) or getattr(error, "message", None)
    message = str(reason or error).strip().splitlines()
    text = message[-1] if message else type(error).__name__
    return text.strip() or type(error).__name__


def _bib_record(entry_type: str, key: str, raw: dict[str, str], line: int) -> Record:
    given = {name: value for name, value in raw.items() if value and not value.isspace()}

    def text(*names: str) -> str | None:
        for name in names:
            value = given.get(name)
            if value is not None:
                return _verbatim(value) if name in _VERBATIM else clean_text(latex_text(value))
        return None

    url = text("url") or (text("howpublished") if "\\url" in raw.get("howpublished", "") else None)
    eprint = text("eprint")
    prefix = (text("archiveprefix", "eprinttype") or "").lower()
    arxiv = normalise_arxiv(eprint) if prefix in ("", "arxiv") else None
    arxiv = arxiv or normalise_arxiv(url) or normalise_arxiv(text("arxiv"))
    if not arxiv and (text("journal") or "").lower() == "corr":
        volume = text("volume") or ""
        if volume.startswith("abs/"):  # DBLP's way: CoRR abs/1412.6980
            arxiv = normalise_arxiv(volume.removeprefix("abs/"))
    if not arxiv:
        for where in ("journal", "note", "howpublished", "url", "eprint"):
            found = ARXIV_IN_TEXT.search(given.get(where, ""))
            if found:
                arxiv = normalise_arxiv(found.group(1))
                if arxiv:
                    break
    year = year_of(text("year")) or year_of(text("date"))
    venue = text("journal", "journaltitle", "booktitle", "eventtitle", "series")
    if not venue and "\\url" not in raw.get("howpublished", ""):
        venue = text("howpublished")
    meta = Metadata(
        source="bibtex",
        title=text("title"),
        authors=bib_names(raw["author"], latex_text) if raw.get("author") else [],
        year=year,
        venue=venue,
        pages=text("pages"),
        publisher=text("publisher", "institution", "school", "organization"),
        arxiv=arxiv,
        primary_class=text("primaryclass"),
        doi=text("doi"),
        url=url,
    )
    if not meta.authors and raw.get("editor"):
        meta.authors = bib_names(raw["editor"], latex_text)
    kind = BIB_KINDS.get(entry_type, "")
    if entry_type in ("software", "misc", "online", "electronic") or not kind:
        kind = kind_by_link(url, meta, default="paper" if entry_type == "misc" else "")
    if not kind:
        kind = "paper"
    return make_record(
        line, key, kind, meta, url, abstract=text("abstract"), release=text("version")
    )


def year_of(value: str | None) -> int | None:
    match = _YEAR.match(value or "")
    return int(match.group(1)) if match else None


_YEAR = re.compile(r"\s*(\d{4})(?!\d)")  # `2020a`, `2020/2021`: 2020; `12345`: none
