"""arXiv's API: metadata of papers by id, many ids per request, paced as arXiv asks.

arXiv asks for at most one request every 3 seconds. `Pacer` keeps that across processes: the
time of the last request lives in a small file in `.bip/`, read and written under a lock, so two
bip commands started together wait for each other instead of both asking at once.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from toolkit.fileio import atomic_write_text, locked
from toolkit.references.records import Metadata, clean_text, normalise_arxiv, normalise_doi

DEFAULT_URL = "https://export.arxiv.org/api/query"
SOURCE = "arXiv"
INTERVAL = 3.0  # seconds between requests, arXiv's own rule
BATCH = 100  # ids per request: arXiv's id_list has no documented cap; keep URLs short
_ATOM = "{http://www.w3.org/2005/Atom}"
_ARXIV = "{http://arxiv.org/schemas/atom}"


class Pacer:
    """At most one request every `interval` seconds, across processes sharing `stamp`."""

    def __init__(
        self,
        stamp: Path | None,
        interval: float = INTERVAL,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.stamp = stamp
        self.interval = interval
        self.clock = clock
        self.sleep = sleep
        self.waits: list[float] = []
        self._last = 0.0

    @contextlib.contextmanager
    def turn(self) -> Any:
        """Wait for this process's turn, then hold it while the request is sent."""
        lock = self.stamp.with_suffix(".lock") if self.stamp else None
        with locked(lock):
            last = max(self._last, self._read())
            wait = last + self.interval - self.clock()
            if wait > 0:
                self.waits.append(wait)
                self.sleep(wait)
            try:
                yield
            finally:
                self._last = self.clock()
                if self.stamp is not None:
                    atomic_write_text(self.stamp, f"{self._last:.3f}\n")

    def _read(self) -> float:
        if self.stamp is None:
            return 0.0
        try:
            return float(self.stamp.read_text().strip() or 0)
        except (OSError, ValueError):
            return 0.0


def query_params(ids: list[str]) -> dict[str, str]:
    return {"id_list": ",".join(ids), "max_results": str(len(ids))}


def parse_feed(text: str) -> dict[str, Metadata]:
    """arXiv id (without version) -> Metadata, from an Atom feed; error entries are left out."""
    import xml.etree.ElementTree as ET

    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        raise ValueError(f"arXiv answered with something that is not Atom XML ({exc})") from None
    if root.tag != f"{_ATOM}feed":
        what = "an HTML page" if root.tag.lower().endswith("html") else f"<{root.tag}>"
        raise ValueError(f"arXiv answered with {what}, not an Atom feed")
    found: dict[str, Metadata] = {}
    for entry in root.iter(f"{_ATOM}entry"):
        ident = normalise_arxiv(_text(entry, f"{_ATOM}id"))
        title = clean_text(_text(entry, f"{_ATOM}title"))
        if not ident or not title or title == "Error":
            continue
        published = _text(entry, f"{_ATOM}published") or ""
        primary = entry.find(f"{_ARXIV}primary_category")
        doi = normalise_doi(_text(entry, f"{_ARXIV}doi"))
        found[ident] = Metadata(
            source=SOURCE,
            title=title,
            authors=[
                name
                for author in entry.findall(f"{_ATOM}author")
                if (name := clean_text(_text(author, f"{_ATOM}name")))
            ],
            year=int(published[:4]) if published[:4].isdigit() else None,
            venue=_journal(_text(entry, f"{_ARXIV}journal_ref")),
            arxiv=ident,
            primary_class=primary.get("term") if primary is not None else None,
            doi=doi,
            abstract=clean_text(_text(entry, f"{_ATOM}summary")),
        )
    return found


def _text(node: Any, tag: str) -> str | None:
    child = node.find(tag)
    return child.text if child is not None and child.text else None


def _journal(journal_ref: str | None) -> str | None:
    """`Advances in NeurIPS 35 (2022) 16344-16359` -> the venue's name (volume, year off)."""
    import re

    text = clean_text(journal_ref)
    if not text:
        return None
    cut = re.split(r"[,;(]|\s\d", text, maxsplit=1)[0].strip()
    return cut if len(cut) >= 3 else text


def chunks(ids: Iterable[str], size: int = BATCH) -> list[list[str]]:
    unique = sorted(dict.fromkeys(ids))
    return [unique[i : i + size] for i in range(0, len(unique), size)]
