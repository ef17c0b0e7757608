"""CSL JSON (Zotero's, Mendeley's export) read with json into `Record`s."""

from __future__ import annotations

import json
import re
from typing import Any

from toolkit.errors import BadInput
from toolkit.references.cff import year_of
from toolkit.references.importing import (
    ARXIV_IN_TEXT,
    Parsed,
    Record,
    Skipped,
    SkipRecord,
    kind_by_link,
    make_record,
)
from toolkit.references.names import csl_name
from toolkit.references.records import Metadata, normalise_arxiv

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


def parse_csl_json(text: str, path: str) -> Parsed:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BadInput(f"{path}:{exc.lineno}:{exc.colno}: not valid JSON ({exc.msg})") from None
    except RecursionError:
        raise BadInput(f"{path}: JSON nested too deeply to be CSL JSON") from None
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
        except SkipRecord as exc:
            parsed.skipped.append(Skipped(0, f"{where} ({item.get('id', '?')}): {exc}"))
    return parsed


def _cslyear_of(item: dict[str, Any]) -> int | None:
    for key in ("issued", "published-print", "published-online", "created"):
        date = item.get(key)
        if isinstance(date, dict):
            parts = date.get("date-parts")
            if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]:
                try:
                    return int(parts[0][0])
                except (TypeError, ValueError):
                    pass
            year = year_of(str(date.get("raw") or date.get("literal") or ""))
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
        found = ARXIV_IN_TEXT.search(get(where) or "")
        if not arxiv and found:
            arxiv = normalise_arxiv(found.group(1))
    meta = Metadata(
        source="csl-json",
        title=_csl_markup(get("title")),
        authors=_csl_names(item.get("author")) or _csl_names(item.get("editor")),
        year=_cslyear_of(item),
        venue=get("container-title", "event-title", "event"),
        pages=get("page"),
        publisher=get("publisher"),
        arxiv=arxiv,
        doi=get("DOI", "doi"),
        url=url,
    )
    kind = CSL_KINDS.get(str(item.get("type", "")), "")
    if kind in ("software", ""):
        kind = kind_by_link(url, meta, default="paper")
    key = get("citation-key", "id")
    return make_record(0, key, kind, meta, url, abstract=get("abstract"), release=get("version"))


def _csl_names(people: Any) -> list[str]:
    return [n for n in (csl_name(p) for p in (people if isinstance(people, list) else [])) if n]
