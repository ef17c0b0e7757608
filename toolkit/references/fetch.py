"""Asking arXiv, Crossref and Semantic Scholar: metadata for `read add` and `read sync`, works and
citations for `read graph` and `read suggest`. Fetching only; saving is the caller's."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from toolkit.errors import BadInput, BipError
from toolkit.http import Credential, Limits, NotFound, fingerprint
from toolkit.readinglist.model import Entry
from toolkit.references import arxiv, crossref, s2
from toolkit.references.arxiv import Pacer
from toolkit.references.client import (
    DAY,
    ArxivClient,
    CrossrefClient,
    PaperServiceError,
    S2Client,
    ServiceClient,
)
from toolkit.references.records import Metadata, combine, missing

QUICK = Limits(timeout=3.0, retries=0, max_wait=3.0)  # `read add`: a few seconds at most


@dataclass
class Services:
    arxiv: ServiceClient
    crossref: ServiceClient
    s2: ServiceClient
    pacer: Pacer  # one arXiv request every 3 s, across processes
    s2_pacer: Pacer | None = None  # 1 request a second with an API key, S2's rule
    problems: list[str] = field(default_factory=list)  # what could not be asked, for a warning
    unreachable: set[str] = field(default_factory=set)
    as_of: datetime | None = None  # when the oldest answer used was fetched
    quick: bool = False

    @property
    def clients(self) -> list[ServiceClient]:
        return [self.arxiv, self.crossref, self.s2]

    def requests(self) -> int:
        return sum(c.counters.requests for c in self.clients)


def make_services(
    arxiv_url: str,
    crossref_url: str,
    s2_url: str,
    state_dir: Path | None,
    offline: bool = False,
    quick: bool = False,
    email: str | None = None,
    s2_key: str | None = None,
    max_wait: float = 60.0,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.time,
) -> Services:
    for name, url in (
        ("arXiv", arxiv_url),
        ("Crossref", crossref_url),
        ("Semantic Scholar", s2_url),
    ):
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise BadInput(
                f"{url!r} is not a base URL for {name}",
                hint="check BIP_ARXIV_API_URL, BIP_CROSSREF_API_URL, BIP_S2_API_URL and [papers]",
            )
    cache = state_dir / "http_cache.sqlite" if state_dir else None

    def limits() -> Limits:
        if quick:
            return Limits(timeout=QUICK.timeout, retries=0, max_wait=QUICK.max_wait)
        return Limits(max_wait=max_wait, secondary_wait=5.0, retries=3)

    agent = crossref.user_agent(email)
    headers = {"User-Agent": agent}
    common: dict[str, Any] = {
        "cache_path": cache,
        "offline": offline,
        "sleep": sleep,
        "clock": clock,
    }
    key = Credential("x-api-key", s2_key, fingerprint(s2_key)) if s2_key else None
    return Services(
        arxiv=ArxivClient(arxiv_url, limits=limits(), headers=headers, **common),
        crossref=CrossrefClient(crossref_url, limits=limits(), headers=headers, **common),
        s2=S2Client(s2_url, limits=limits(), headers=headers, credential=key, ttl=7 * DAY, **common),
        pacer=Pacer(state_dir / "arxiv.last" if state_dir else None, clock=clock, sleep=sleep),
        s2_pacer=Pacer(
            state_dir / "s2.last" if state_dir else None, interval=1.0, clock=clock, sleep=sleep
        )
        if s2_key
        else None,
        quick=quick,
    )  # fmt: skip


def _ask(
    services: Services,
    client: ServiceClient,
    call: Callable[[], Any],
    strict: bool = False,
    missing_ok: bool = True,
) -> Any:
    """Run one request; a service that cannot be reached is noted and not asked again (or, when
    `strict`, the error is raised: the command cannot answer without it). A 404 means "no such
    paper" where `missing_ok`; elsewhere (arXiv's query never answers 404) a wrong URL."""
    if client.service in services.unreachable:
        return None
    try:
        answer = call()
    except NotFound as exc:
        if missing_ok:
            return None
        wrong = PaperServiceError(
            f"{client.service} answered 404 for {exc.message.removesuffix(': not found')}",
            hint=f"is {client.base_url} its API? check {getattr(client, 'setting', 'the URL')}",
        )
        if strict:
            raise wrong from None
        services.problems.append(f"{wrong.message} (is {client.base_url} its API?)")
        services.unreachable.add(client.service)
        return None
    except BipError as exc:
        if strict:
            raise
        services.problems.append(exc.message)
        if exc.exit_code in (3, 4):
            services.unreachable.add(client.service)
            if services.quick and exc.exit_code == 3:  # likely no network: do not wait on each
                services.unreachable.update(c.service for c in services.clients)
        return None
    if answer.fetched_at and (services.as_of is None or answer.fetched_at < services.as_of):
        services.as_of = answer.fetched_at
    return answer


# --- one service at a time ---------------------------------------------------------------------


def fetch_arxiv(services: Services, ids: list[str]) -> dict[str, Metadata]:
    """Metadata of arXiv papers, up to 100 ids a request, one request every 3 seconds."""
    client = services.arxiv
    found: dict[str, Metadata] = {}
    for chunk in arxiv.chunks(ids):
        params = arxiv.query_params(chunk)
        what = f"arXiv:{chunk[0]}" if len(chunk) == 1 else f"{len(chunk)} arXiv papers"

        def get(params: dict[str, str] = params, what: str = what) -> Any:
            if client.offline or client.fresh_in_cache("", params):
                return client.get("", params, what=what)
            with services.pacer.turn():
                return client.get("", params, what=what)

        answer = _ask(services, client, get, missing_ok=False)
        if answer is None:
            continue
        try:
            found.update(arxiv.parse_feed(answer.data))
        except ValueError as exc:
            services.problems.append(str(exc))
    return found


def fetch_crossref(services: Services, doi: str) -> Metadata | None:
    client = services.crossref
    answer = _ask(services, client, lambda: client.get(crossref.work_path(doi), what=f"doi {doi}"))
    if answer is None:
        return None
    try:
        return crossref.parse_work(answer.data)
    except ValueError as exc:
        services.problems.append(f"{exc} for doi {doi}")
        return None


def _paced_s2(services: Services, call: Callable[[], Any]) -> Any:
    if services.s2_pacer is None or services.s2.offline:
        return call()
    with services.s2_pacer.turn():
        return call()


def fetch_works(
    services: Services, ids: list[str], fields: str = s2.BATCH_FIELDS, strict: bool = False
) -> dict[str, s2.Work | None]:
    """Semantic Scholar's papers for `ARXIV:…`/`DOI:…` ids: 500 a request (5,000 ids, 10
    requests); None for ids it does not know. Ids of a batch that could not be asked are absent."""
    client = services.s2
    found: dict[str, s2.Work | None] = {}
    unique = sorted(dict.fromkeys(ids))
    for start in range(0, len(unique), s2.BATCH):
        chunk = unique[start : start + s2.BATCH]

        def post(chunk: list[str] = chunk) -> Any:
            return _paced_s2(
                services,
                lambda: client.post(
                    f"/paper/batch?fields={fields}",
                    {"ids": chunk},
                    what=f"{'citations' if 'references' in fields else 'metadata'} of "
                    f"{len(chunk)} paper{'' if len(chunk) == 1 else 's'}",
                ),
            )

        answer = _ask(services, client, post, strict, missing_ok=False)
        if answer is None:
            continue
        try:
            found.update(s2.parse_batch(chunk, answer.data))
        except ValueError as exc:
            services.problems.append(str(exc))
    return found


def fetch_citing(services: Services, paper_id: str) -> list[s2.Work] | None:
    """Papers citing one paper (the first 1,000, one request); None if it could not be asked."""
    client = services.s2
    params = {"fields": s2.CITATION_FIELDS, "limit": str(s2.CITATIONS_LIMIT)}
    answer = _ask(
        services,
        client,
        lambda: _paced_s2(services, lambda: client.get(f"/paper/{paper_id}/citations", params)),
    )
    return s2.parse_citations(answer.data) if answer is not None else None


# --- what the commands need --------------------------------------------------------------------


def describe(services: Services, arxiv_id: str | None, doi: str | None) -> Metadata | None:
    """What the sources say about one paper (`read add`): arXiv for an arXiv id, Crossref for a
    DOI (the published version's, when arXiv names one), Semantic Scholar for the venue."""
    from_arxiv = fetch_arxiv(services, [arxiv_id]).get(arxiv_id) if arxiv_id else None
    doi = doi or (from_arxiv.doi if from_arxiv else None)
    from_crossref = fetch_crossref(services, doi) if doi else None
    meta = combine(from_arxiv, from_crossref)
    if meta is None or not meta.venue:
        ident = f"ARXIV:{arxiv_id}" if arxiv_id else f"DOI:{doi}" if doi else None
        work = fetch_works(services, [ident], s2.METADATA_FIELDS).get(ident) if ident else None
        meta = combine(meta, work.metadata() if work else None)
    return meta


def needs_metadata(entry: Entry, overwrite: frozenset[str]) -> bool:
    """A paper lacking what its citation needs (title, authors, year; the category of an arXiv
    paper). A venue alone is not asked for again: many papers have none (`--overwrite venue`)."""
    if entry.kind != "paper" or not (entry.arxiv or entry.doi):
        return False
    if overwrite:
        return True
    wanted = ("title", "authors", "year") + (("primary_class",) if entry.arxiv else ())
    return any(missing(entry, n) for n in wanted)


def complete(
    services: Services, entries: list[Entry], overwrite: frozenset[str] = frozenset()
) -> dict[str, Metadata]:
    """entry id -> what the sources say, for the papers that lack something (`read sync`):
    one arXiv request per 100 arXiv ids, one Crossref request per DOI, one Semantic Scholar
    request per 500 papers still without a venue."""
    todo = [e for e in entries if needs_metadata(e, overwrite)]
    by_arxiv = fetch_arxiv(services, [e.arxiv for e in todo if e.arxiv])
    out: dict[str, Metadata] = {}
    for entry in todo:
        got = by_arxiv.get(entry.arxiv) if entry.arxiv else None
        doi = entry.doi or (got.doi if got else None)
        from_crossref = fetch_crossref(services, doi) if doi else None
        meta = combine(got, from_crossref)
        if meta is not None:
            out[entry.id] = meta
    still = {e.id: s2.s2_id(e) for e in todo if not (out.get(e.id) and out[e.id].venue)}
    ids = [i for i in still.values() if i]
    if ids:
        works = fetch_works(services, ids, s2.METADATA_FIELDS)
        for entry_id, ident in still.items():
            work = works.get(ident) if ident else None
            if work is not None:
                merged = combine(out.get(entry_id), work.metadata())
                if merged is not None:
                    out[entry_id] = merged
    return out


@dataclass
class CitationData:
    works: dict[str, s2.Work | None]  # entry id -> Semantic Scholar's paper (None: unknown)
    citing: dict[str, list[s2.Work]]  # entry id -> papers citing it
    as_of: datetime | None


def fetch_citation_data(
    services: Services, papers: list[Entry], with_citing: bool = False
) -> CitationData:
    """The list's papers with their references (`read graph`: one request per 500 papers), and
    for `read suggest` the papers citing each (one request per paper)."""
    ids = {e.id: ident for e in papers if (ident := s2.s2_id(e))}
    works = fetch_works(services, list(ids.values()), strict=True)
    by_entry = {entry_id: works[ident] for entry_id, ident in ids.items() if ident in works}
    citing: dict[str, list[s2.Work]] = {}
    if with_citing:
        for entry_id, work in sorted(by_entry.items()):
            if work is not None:
                got = fetch_citing(services, work.paper_id)
                if got is not None:
                    citing[entry_id] = got
    return CitationData(by_entry, citing, services.as_of)
