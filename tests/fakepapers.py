"""arXiv, Crossref and Semantic Scholar on 127.0.0.1: one real HTTP server answering in each
service's documented shapes.

- arXiv: `GET /arxiv/api/query?id_list=...` -> an Atom feed (titles wrapped over lines as arXiv
  wraps them, several authors, `arxiv:primary_category`, `arxiv:doi`, `arxiv:journal_ref`); an id
  it does not have comes back as arXiv's error entry.
- Crossref: `GET /crossref/works/{doi}` -> `{"status": "ok", "message": {...}}`; unknown DOIs are
  a plain-text 404 ("Resource not found.").
- Semantic Scholar: `POST /s2/graph/v1/paper/batch?fields=...` with `{"ids": [...]}` -> a list in
  the order asked, `null` for ids it does not know; `GET /s2/graph/v1/paper/{id}/citations` ->
  `{"offset": 0, "data": [{"citingPaper": {...}}]}`.
`script` replaces the next answers of a path (a 429 with Retry-After, a 500...).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape

from werkzeug import Request, Response


@dataclass
class Paper:
    """One paper as all three services know it."""

    arxiv: str | None
    title: str
    authors: list[str]
    year: int
    primary: str = "cs.LG"
    doi: str | None = None  # the published version's DOI
    venue: str | None = None
    journal_ref: str | None = None
    pages: str | None = None
    publisher: str | None = None
    citation_count: int = 0
    s2: str = ""  # Semantic Scholar paperId
    references: list[str] = field(default_factory=list)  # paperIds it cites
    in_s2: bool = True


@dataclass
class Seen:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any


class FakePapers:
    def __init__(self, httpserver: Any) -> None:
        self.server = httpserver
        self.papers: dict[str, Paper] = {}  # paperId -> paper
        self.seen: list[Seen] = []
        self.script: dict[str, list[tuple[int, dict[str, str], str]]] = {}
        self._index: dict[str, Paper] = {}
        self._indexed = -1
        self.dirty = False  # set after changing a paper's ids in place
        httpserver.expect_request(re.compile(".*")).respond_with_handler(self._handle)

    def add(self, paper: Paper) -> Paper:
        paper.s2 = paper.s2 or f"s2{len(self.papers):04d}"
        self.papers[paper.s2] = paper
        return paper

    @property
    def base(self) -> str:
        return self.server.url_for("").rstrip("/")

    def env(self) -> dict[str, str]:
        return {
            "BIP_ARXIV_API_URL": f"{self.base}/arxiv/api/query",
            "BIP_CROSSREF_API_URL": f"{self.base}/crossref",
            "BIP_S2_API_URL": f"{self.base}/s2/graph/v1",
        }

    def to(self, service: str) -> list[Seen]:
        return [s for s in self.seen if s.path.startswith(f"/{service}/")]

    # -- serving --
    def _handle(self, request: Request) -> Response:
        body = request.get_json(silent=True) if request.method == "POST" else None
        self.seen.append(
            Seen(request.method, request.path, dict(request.args), dict(request.headers), body)
        )
        scripted = self.script.get(request.path)
        if scripted:
            status, headers, text = scripted.pop(0)
            return Response(text, status=status, headers=headers, content_type="application/json")
        if request.path == "/arxiv/api/query":
            ids = [i for i in request.args.get("id_list", "").split(",") if i]
            return Response(self._atom(ids), content_type="application/atom+xml; charset=utf-8")
        if request.path.startswith("/crossref/works/"):
            return self._crossref(request.path.removeprefix("/crossref/works/"))
        if request.path == "/s2/graph/v1/paper/batch" and request.method == "POST":
            ids = (body or {}).get("ids", [])
            if len(ids) > 500:
                return _json({"error": "Cannot process more than 500 ids"}, 400)
            fields = request.args.get("fields", "")
            return _json([self._s2(self._find(i), fields) for i in ids])
        match = re.fullmatch(r"/s2/graph/v1/paper/([^/]+)/citations", request.path)
        if match:
            paper_id = match.group(1)
            if paper_id not in self.papers:
                return _json({"error": "Paper not found"}, 404)
            citing = [p for p in self.papers.values() if paper_id in p.references]
            data = [
                {"citingPaper": self._s2(p, "paperId,externalIds,title,year,citationCount")}
                for p in citing
            ]
            return _json({"offset": 0, "data": data})
        return _json({"error": "not found"}, 404)

    def _find(self, ident: str) -> Paper | None:
        if self._indexed != len(self.papers) or self.dirty:
            self._index, self._indexed, self.dirty = {}, len(self.papers), False
            for paper in self.papers.values():
                if paper.in_s2 and paper.arxiv:
                    self._index[f"ARXIV:{paper.arxiv}"] = paper
                if paper.in_s2 and paper.doi:
                    self._index[f"DOI:{paper.doi.lower()}"] = paper
        kind, _, value = ident.partition(":")
        value = value.lower() if kind.upper() == "DOI" else value
        return self._index.get(f"{kind.upper()}:{value}")

    def _s2(self, paper: Paper | None, fields: str) -> Any:
        if paper is None:
            return None
        ids: dict[str, Any] = {"CorpusId": int(paper.s2[2:]) + 1000}
        if paper.arxiv:
            ids["ArXiv"] = paper.arxiv
        if paper.doi:
            ids["DOI"] = paper.doi
        elif paper.arxiv:
            ids["DOI"] = f"10.48550/arXiv.{paper.arxiv}"
        out: dict[str, Any] = {"paperId": paper.s2, "externalIds": ids, "title": paper.title}
        wanted = set(fields.split(","))
        if "year" in wanted:
            out["year"] = paper.year
        if "citationCount" in wanted:
            out["citationCount"] = paper.citation_count
        if "venue" in wanted:
            out["venue"] = paper.venue or ("arXiv.org" if paper.arxiv else "")
        if "journal" in wanted:
            out["journal"] = {"name": paper.venue, "pages": paper.pages} if paper.venue else None
        if "authors" in wanted:
            out["authors"] = [{"authorId": str(n), "name": a} for n, a in enumerate(paper.authors)]
        if "references.paperId" in wanted:
            refs = [self.papers[r] for r in paper.references if r in self.papers]
            out["references"] = [
                {
                    "paperId": r.s2,
                    "externalIds": self._s2(r, "")["externalIds"],
                    "title": r.title,
                    "year": r.year,
                    "citationCount": r.citation_count,
                }
                for r in refs
            ]
        return out

    def _atom(self, ids: list[str]) -> str:
        entries = []
        for ident in ids:
            base = re.sub(r"v\d+$", "", ident)
            paper = next((p for p in self.papers.values() if p.arxiv == base), None)
            if paper is None:
                entries.append(
                    "<entry><id>http://arxiv.org/api/errors#incorrect_id_format_for_"
                    f"{escape(ident)}</id><title>Error</title><summary>incorrect id format for "
                    f"{escape(ident)}</summary><updated>2026-11-23T00:00:00-05:00</updated>"
                    "<link href='http://arxiv.org/api/errors' rel='alternate' type='text/html'/>"
                    "<author><name>arXiv api core</name></author></entry>"
                )
                continue
            words = paper.title.split()
            half = max(len(words) // 2, 1)
            wrapped = " ".join(words[:half]) + "\n  " + " ".join(words[half:])  # as arXiv wraps
            authors = "".join(
                f"\n    <author>\n      <name>{escape(a)}</name>\n    </author>"
                for a in paper.authors
            )
            extra = ""
            if paper.doi:
                extra += f"\n    <arxiv:doi>{escape(paper.doi)}</arxiv:doi>"
                extra += f'\n    <link title="doi" href="https://doi.org/{escape(paper.doi)}" rel="related"/>'
            if paper.journal_ref:
                extra += f"\n    <arxiv:journal_ref>{escape(paper.journal_ref)}</arxiv:journal_ref>"
            entries.append(
                f"""<entry>
    <id>http://arxiv.org/abs/{base}v2</id>
    <updated>{paper.year}-07-01T17:59:59Z</updated>
    <published>{paper.year}-06-12T17:57:34Z</published>
    <title>{escape(wrapped)}</title>
    <summary>  An abstract that arXiv wraps
  over several lines.
</summary>{authors}{extra}
    <arxiv:comment>15 pages, 5 figures</arxiv:comment>
    <link href="http://arxiv.org/abs/{base}v2" rel="alternate" type="text/html"/>
    <link title="pdf" href="http://arxiv.org/pdf/{base}v2" rel="related" type="application/pdf"/>
    <arxiv:primary_category term="{paper.primary}" scheme="http://arxiv.org/schemas/atom"/>
    <category term="{paper.primary}" scheme="http://arxiv.org/schemas/atom"/>
  </entry>"""
            )
        return f"""<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" xmlns:arxiv="http://arxiv.org/schemas/atom">
  <link href="http://arxiv.org/api/query?id_list={",".join(ids)}" rel="self" type="application/atom+xml"/>
  <title type="html">ArXiv Query: id_list={",".join(ids)}</title>
  <id>http://arxiv.org/api/fake</id>
  <updated>2026-11-23T00:00:00-05:00</updated>
  <opensearch:totalResults>{len(entries)}</opensearch:totalResults>
  <opensearch:startIndex>0</opensearch:startIndex>
  <opensearch:itemsPerPage>{len(ids)}</opensearch:itemsPerPage>
  {"".join(entries)}
</feed>
"""

    def _crossref(self, doi: str) -> Response:
        from urllib.parse import unquote

        doi = unquote(doi)
        paper = next(
            (p for p in self.papers.values() if p.doi and p.doi.lower() == doi.lower()), None
        )
        if paper is None:
            return Response("Resource not found.", status=404, content_type="text/plain")
        authors = []
        for n, name in enumerate(paper.authors):
            given, _, family = name.rpartition(" ")
            authors.append(
                {
                    "given": given,
                    "family": family,
                    "sequence": "first" if n == 0 else "additional",
                    "affiliation": [],
                }
            )
        message = {
            "DOI": paper.doi,
            "type": "proceedings-article",
            "title": [paper.title],
            "author": authors,
            "container-title": [paper.venue] if paper.venue else [],
            "publisher": paper.publisher or "Association for Computing Machinery",
            "page": paper.pages,
            "published": {"date-parts": [[paper.year, 10, 23]]},
            "issued": {"date-parts": [[paper.year, 10, 23]]},
            "is-referenced-by-count": paper.citation_count,
            "URL": f"https://doi.org/{paper.doi}",
        }
        return _json(
            {"status": "ok", "message-type": "work", "message-version": "1.0.0", "message": message}
        )


def _json(data: Any, status: int = 200) -> Response:
    return Response(json.dumps(data), status=status, content_type="application/json")
