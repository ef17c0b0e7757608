"""Read references where they already are: BibTeX/BibLaTeX, CSL JSON and CITATION.cff.

Each format is read by a real parser (bibtexparser v2 with LaTeX decoded to Unicode, json, the
project's YAML reader) into `Record`s: a reading-list entry's fields plus the file's line and
citation key. A malformed entry becomes a `Skipped` with its line; the rest is read.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toolkit.errors import BadInput
from toolkit.papers.records import Metadata, clean_text, normalise_arxiv, normalise_doi
from toolkit.readinglist import links
from toolkit.readinglist.model import CITE_KEY_PATTERN

# BibTeX entry types -> reading-list kinds (software and misc depend on their URL).
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
CSL_KINDS = {
    "article-journal": "paper",
    "paper-conference": "paper",
    "article": "paper",
    "preprint": "paper",
    "report": "paper",
    "thesis": "paper",
    "chapter": "paper",
    "manuscript": "paper",
    "dataset": "paper",
    "book": "book",
    "webpage": "post",
    "post": "post",
    "post-weblog": "post",
    "motion_picture": "video",
    "broadcast": "video",
    "software": "software",
}
_VERBATIM = {"url", "doi", "eprint", "howpublished", "urldate", "file"}
_URL_IN = re.compile(r"\\url\{([^}]*)\}")
_ARXIV_IN_TEXT = re.compile(r"arxiv[:\s/]*(?:abs/)?(\d{4}\.\d{4,5}(?:v\d+)?)", re.I)
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


@dataclass
class Record:
    """One work read from a file, as reading-list fields."""

    line: int  # 1-based, 0 when the format has no lines (JSON)
    key: str | None  # the file's own citation key
    kind: str
    fields: dict[str, Any]
    abstract: str | None = None

    @property
    def title(self) -> str:
        return str(self.fields.get("title", ""))


@dataclass
class Skipped:
    line: int
    reason: str


@dataclass
class Parsed:
    path: str
    format: str  # bibtex | csl-json | cff
    records: list[Record] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


def read_references(path: Path) -> Parsed:
    """Read a .bib, a CSL JSON (.json) or a CITATION.cff; BadInput if it is none of them."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise BadInput(f"{path} does not exist") from None
    except IsADirectoryError:
        raise BadInput(f"{path} is a folder, not a reference file") from None
    except UnicodeDecodeError as exc:
        raise BadInput(f"{path} is not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    name = path.name.lower()
    if name.endswith((".bib", ".bibtex", ".biblatex")):
        return parse_bibtex(text, str(path))
    if name.endswith(".json"):
        return parse_csl_json(text, str(path))
    if name.endswith((".cff", ".yaml", ".yml")):
        return parse_cff(text, str(path))
    stripped = text.lstrip()
    if stripped.startswith("@") or stripped.startswith("%"):
        return parse_bibtex(text, str(path))
    if stripped.startswith(("[", "{")):
        return parse_csl_json(text, str(path))
    if "cff-version" in text:
        return parse_cff(text, str(path))
    raise BadInput(
        f"{path}: not a reference file bip reads",
        hint="BibTeX/BibLaTeX (.bib), CSL JSON (.json, e.g. from Zotero) or CITATION.cff",
    )


# --- BibTeX ------------------------------------------------------------------------------------


def _latex(text: str) -> str:
    from pylatexenc.latex2text import LatexNodes2Text

    return str(LatexNodes2Text(math_mode="verbatim").latex_to_text(text))


def _verbatim(text: str) -> str:
    """A URL or DOI as written: braces and escapes off, no other LaTeX decoding (`~` stays)."""
    match = _URL_IN.search(text)
    if match:
        text = match.group(1)
    return re.sub(r"\\([_%&#$])", r"\1", text.replace("{", "").replace("}", "")).strip()


def _split_top(text: str, sep: str) -> list[str]:
    """Split on `sep` outside braces (BibTeX's rule for `and` between names)."""
    parts, depth, start, i = [], 0, 0, 0
    lowered = text.lower()
    while i < len(text):
        ch = text[i]
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        elif depth == 0 and lowered.startswith(sep, i):
            parts.append(text[start:i])
            i += len(sep)
            start = i
            continue
        i += 1
    parts.append(text[start:])
    return [p.strip() for p in parts if p.strip()]


def bib_names(value: str) -> list[str]:
    """BibTeX names as people write them: `Dao, Tri` -> `Tri Dao`, `{DeepSeek-AI}` kept whole,
    `李, 沐` -> `李沐` (Han-script names are written family name first, without a space)."""
    names = []
    for raw in _split_top(re.sub(r"\s+", " ", value), " and "):
        raw = re.sub(r"\s+", " ", raw).strip()
        if not raw:
            continue
        if raw.lower() == "others":
            names.append("others")
            continue
        if raw.startswith("{") and raw.endswith("}") and _balanced(raw[1:-1]):
            names.append(_latex(raw[1:-1]).strip())  # an organisation: one unit
            continue
        parts = _split_top(raw, ",")
        if len(parts) >= 2:  # von Last, Jr, First  or  von Last, First
            last, first = parts[0], parts[-1]
            jr = parts[1] if len(parts) == 3 else ""
            names.append(person_name(_latex(first), _latex(last), _latex(jr)))
        else:
            names.append(_latex(raw).strip())
    return [n for n in names if n]


def _balanced(text: str) -> bool:
    depth = 0
    for ch in text:
        depth += {"{": 1, "}": -1}.get(ch, 0)
        if depth < 0:
            return False
    return depth == 0


def person_name(given: str, family: str, suffix: str = "") -> str:
    given, family, suffix = given.strip(), family.strip(), suffix.strip()
    if _HAN.search(family) and (not given or _HAN.search(given)):
        return family + given
    name = f"{given} {family}".strip()
    return f"{name}, {suffix}" if suffix else name


def parse_bibtex(text: str, path: str) -> Parsed:
    from bibtexparser import model
    from bibtexparser.entrypoint import parse_string

    logging.getLogger("bibtexparser").setLevel(logging.CRITICAL)  # failures are reported here
    library = parse_string(text)
    parsed = Parsed(path, "bibtex")
    for block in library.blocks:
        line = (block.start_line or 0) + 1
        if isinstance(block, model.DuplicateBlockKeyBlock):
            parsed.skipped.append(Skipped(line, f"duplicate key {block.key!r}"))
        elif isinstance(block, model.ParsingFailedBlock):
            first = (block.raw or "").strip().splitlines()[:1]
            what = f" ({first[0][:60]})" if first else ""
            parsed.skipped.append(Skipped(line, f"malformed entry{what}: {_why(block.error)}"))
        elif isinstance(block, model.Entry):
            raw = {k.lower(): str(v) for k, v in block.fields_dict.items() for v in [v.value]}
            try:
                parsed.records.append(_bib_record(block.entry_type.lower(), block.key, raw, line))
            except _Skip as exc:
                parsed.skipped.append(Skipped(line, str(exc)))
    return parsed


def _why(error: Exception) -> str:
    reason = getattr(error, "abort_reason", None) or getattr(error, "message", None)
    message = str(reason or error).strip().splitlines()
    text = message[-1] if message else type(error).__name__
    return text.strip() or type(error).__name__


class _Skip(Exception):
    pass


def _bib_record(entry_type: str, key: str, raw: dict[str, str], line: int) -> Record:
    def text(*names: str) -> str | None:
        for name in names:
            if raw.get(name, "").strip():
                value = raw[name]
                return _verbatim(value) if name in _VERBATIM else clean_text(_latex(value))
        return None

    url = text("url") or (text("howpublished") if "\\url" in raw.get("howpublished", "") else None)
    eprint = text("eprint")
    prefix = (text("archiveprefix", "eprinttype") or "").lower()
    arxiv = normalise_arxiv(eprint) if prefix in ("", "arxiv") else None
    arxiv = arxiv or normalise_arxiv(url) or normalise_arxiv(text("arxiv"))
    for where in ("journal", "note", "howpublished"):
        found = _ARXIV_IN_TEXT.search(raw.get(where, ""))
        if not arxiv and found:
            arxiv = normalise_arxiv(found.group(1))
    year = _year(text("year")) or _year(text("date"))
    venue = text("journal", "journaltitle", "booktitle", "eventtitle", "series")
    if not venue and "\\url" not in raw.get("howpublished", ""):
        venue = text("howpublished")
    meta = Metadata(
        source="bibtex",
        title=text("title"),
        authors=bib_names(raw["author"]) if raw.get("author") else [],
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
        meta.authors = bib_names(raw["editor"])
    kind = BIB_KINDS.get(entry_type, "")
    if entry_type in ("software", "misc", "online", "electronic") or not kind:
        kind = _kind_by_link(url, meta, default="paper" if entry_type == "misc" else "")
    if not kind:
        kind = "paper"
    return _record(line, key, kind, meta, url, abstract=text("abstract"), release=text("version"))


def _kind_by_link(url: str | None, meta: Metadata, default: str) -> str:
    if url and links.github_repo(url):
        return "repo"
    if meta.arxiv or normalise_doi(meta.doi):
        return "paper"
    if url:
        try:
            classified = links.classify(url).kind
        except BadInput:
            classified = "post"
        return classified if classified != "repo" else "repo"
    return default or "paper"


def _year(value: str | None) -> int | None:
    match = re.match(r"^\s*(\d{4})", value or "")
    return int(match.group(1)) if match else None


def _record(
    line: int,
    key: str | None,
    kind: str,
    meta: Metadata,
    url: str | None,
    abstract: str | None = None,
    release: str | None = None,
) -> Record:
    values = meta.values()
    if "title" not in values:
        raise _Skip("no title")
    out: dict[str, Any] = dict(values)
    if kind == "repo":
        repo = links.github_repo(url or "")
        if repo is None:
            raise _Skip("a software entry without a GitHub URL")
        out["repo"] = repo
        url = None
        if release:
            out["release"] = clean_text(release)
    if url and links.is_url(url):
        same = links.identity(url)
        if same not in links.entry_identities(
            None, out.get("repo"), out.get("arxiv"), out.get("doi")
        ):
            out["url"] = url
    if kind in ("post", "video") and "url" not in out:
        kind = "paper"  # a web page without its address: keep what is known about it
    if kind == "paper" and not any(out.get(k) for k in ("arxiv", "doi", "url")):
        if not (out.get("authors") and out.get("year")):
            raise _Skip("no arXiv id, DOI or URL, and no authors and year to know it by")
    usable_key = key if key and CITE_KEY_PATTERN.match(key) else None
    return Record(line, usable_key, kind, out, abstract=clean_text(abstract))


# --- CSL JSON ----------------------------------------------------------------------------------


def parse_csl_json(text: str, path: str) -> Parsed:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BadInput(f"{path}:{exc.lineno}:{exc.colno}: not valid JSON ({exc.msg})") from None
    if isinstance(data, dict) and "items" in data:
        data = data["items"]
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list):
        raise BadInput(
            f"{path}: CSL JSON is a list of items", hint="export as CSL JSON from Zotero"
        )
    parsed = Parsed(path, "csl-json")
    for n, item in enumerate(data, start=1):
        where = f"item {n}"
        if not isinstance(item, dict):
            parsed.skipped.append(Skipped(0, f"{where}: not an object"))
            continue
        try:
            parsed.records.append(_csl_record(item))
        except _Skip as exc:
            parsed.skipped.append(Skipped(0, f"{where} ({item.get('id', '?')}): {exc}"))
    return parsed


def _csl_names(people: Any) -> list[str]:
    names = []
    for person in people if isinstance(people, list) else []:
        if not isinstance(person, dict):
            continue
        if person.get("literal"):
            names.append(str(person["literal"]))
        elif person.get("family"):
            family = " ".join(
                str(p) for p in (person.get("non-dropping-particle"), person["family"]) if p
            )
            names.append(
                person_name(str(person.get("given", "")), family, str(person.get("suffix", "")))
            )
    return names


def _csl_year(item: dict[str, Any]) -> int | None:
    for key in ("issued", "published-print", "published-online", "created"):
        date = item.get(key)
        if isinstance(date, dict):
            parts = date.get("date-parts")
            if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]:
                try:
                    return int(parts[0][0])
                except (TypeError, ValueError):
                    pass
            year = _year(str(date.get("raw") or date.get("literal") or ""))
            if year:
                return year
    return None


def _csl_markup(text: str | None) -> str | None:
    """CSL's rich-text markup in titles (`<i>`, `<sup>`, `<span class="nocase">`): the words."""
    return re.sub(r"</?(i|b|sup|sub|span)(\s[^>]*)?>", "", text) if text else None


def _csl_record(item: dict[str, Any]) -> Record:
    def get(*names: str) -> str | None:
        for name in names:
            value = item.get(name)
            if isinstance(value, (str, int)) and str(value).strip():
                return str(value).strip()
        return None

    url = get("URL", "url")
    arxiv = normalise_arxiv(get("number")) or normalise_arxiv(url) or normalise_arxiv(get("DOI"))
    for where in ("note", "container-title", "publisher"):
        found = _ARXIV_IN_TEXT.search(get(where) or "")
        if not arxiv and found:
            arxiv = normalise_arxiv(found.group(1))
    meta = Metadata(
        source="csl-json",
        title=_csl_markup(get("title")),
        authors=_csl_names(item.get("author")) or _csl_names(item.get("editor")),
        year=_csl_year(item),
        venue=get("container-title", "event-title", "event"),
        pages=get("page"),
        publisher=get("publisher"),
        arxiv=arxiv,
        doi=get("DOI", "doi"),
        url=url,
    )
    kind = CSL_KINDS.get(str(item.get("type", "")), "")
    if kind in ("software", ""):
        kind = _kind_by_link(url, meta, default="paper")
    key = get("citation-key", "id")
    return _record(0, key, kind, meta, url, abstract=get("abstract"), release=get("version"))


# --- CITATION.cff ------------------------------------------------------------------------------


def parse_cff(text: str, path: str) -> Parsed:
    from toolkit import yamledit

    data = yamledit.to_plain(yamledit.parse(text, path))
    if not isinstance(data, dict) or "title" not in data:
        raise BadInput(
            f"{path}: not a CITATION.cff (no `title`)",
            hint="see https://citation-file-format.github.io",
        )
    parsed = Parsed(path, "cff")
    works = [("the software", data)]
    if isinstance(data.get("preferred-citation"), dict):
        works.append(("preferred-citation", data["preferred-citation"]))
    for what, work in works:
        try:
            parsed.records.append(_cff_record(work, data))
        except _Skip as exc:
            parsed.skipped.append(Skipped(0, f"{what}: {exc}"))
    return parsed


def _cff_record(work: dict[str, Any], top: dict[str, Any]) -> Record:
    authors = []
    for person in work.get("authors") or []:
        if not isinstance(person, dict):
            continue
        if person.get("family-names"):
            particle = person.get("name-particle")
            family = " ".join(str(p) for p in (particle, person["family-names"]) if p)
            authors.append(person_name(str(person.get("given-names", "")), family))
        elif person.get("name"):
            authors.append(str(person["name"]))
    identifiers = {
        str(i.get("type")): str(i.get("value"))
        for i in work.get("identifiers") or []
        if isinstance(i, dict) and i.get("value")
    }
    released = work.get("date-released") or work.get("date-published")
    year = work.get("year") or (int(str(released)[:4]) if released else None)
    cff_type = str(work.get("type", "software"))
    url = work.get("repository-code") or work.get("url") or work.get("repository")
    if cff_type == "software" and work is not top:
        url = url or top.get("repository-code")
    doi = work.get("doi") or identifiers.get("doi")
    arxiv = normalise_arxiv(str(url or "")) or normalise_arxiv(doi)
    journal = work.get("journal") or (work.get("conference") or {}).get("name")
    meta = Metadata(
        source="cff",
        title=str(work.get("title") or ""),
        authors=authors,
        year=int(str(year)) if str(year or "").isdigit() else None,
        venue=str(journal) if journal else None,
        pages=_cff_pages(work),
        publisher=(work.get("publisher") or {}).get("name")
        if isinstance(work.get("publisher"), dict)
        else None,
        arxiv=arxiv,
        doi=str(doi) if doi else None,
        url=str(url) if url else None,
    )
    if cff_type == "software":
        kind = _kind_by_link(meta.url, meta, default="paper")
    else:
        kind = {"book": "book", "video": "video", "webpage": "post"}.get(cff_type, "paper")
    version = work.get("version") if cff_type == "software" else None
    return _record(
        0,
        None,
        kind,
        meta,
        meta.url,
        abstract=work.get("abstract"),
        release=str(version) if version else None,
    )


def _cff_pages(work: dict[str, Any]) -> str | None:
    start, end = work.get("start"), work.get("end")
    if start and end:
        return f"{start}–{end}"
    return str(start) if start else None
