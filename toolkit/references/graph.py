"""Who cites whom among the reading list's papers, and what the list is missing.

Built from Semantic Scholar's answers (`Work`s with their references): an edge `from -> to` means
the paper `from` cites the paper `to`, and both ends are always reading-list entries. Suggestions
are papers *not* on the list that are cited by, or cite, at least two entries.
"""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import asdict, dataclass, field
from datetime import date

from toolkit.readinglist import links
from toolkit.readinglist.model import Entry
from toolkit.references.s2 import SOURCE, Work


@dataclass
class Node:
    id: str
    title: str
    year: int | None
    figures: list[str]
    arxiv: str | None = None
    doi: str | None = None
    s2_id: str | None = None  # None: Semantic Scholar does not know this paper
    citation_count: int | None = None


@dataclass
class PaperGraph:
    nodes: list[Node]
    edges: list[tuple[str, str]]  # (from, to): `from` cites `to`
    source: str = SOURCE
    as_of: date | None = None

    def to_json(self) -> dict[str, object]:
        return {
            "nodes": [asdict(n) for n in self.nodes],
            "edges": [{"from": a, "to": b} for a, b in self.edges],
            "source": self.source,
            "as_of": self.as_of.isoformat() if self.as_of else None,
        }


def entry_identities(entry: Entry) -> set[str]:
    return links.entry_identities(entry.url, entry.repo, entry.arxiv, entry.doi)


class Listed:
    """Every identity of every entry of the list (any kind), to recognise a paper under any id."""

    def __init__(self, entries: list[Entry], works: dict[str, Work | None]) -> None:
        self.by_identity: dict[str, str] = {}
        for entry in entries:
            for ident in entry_identities(entry):
                self.by_identity.setdefault(ident, entry.id)
            work = works.get(entry.id)
            if work is not None:
                for ident in work.identities:
                    self.by_identity.setdefault(ident, entry.id)

    def entry_of(self, work: Work) -> str | None:
        for ident in sorted(work.identities):
            if ident in self.by_identity:
                return self.by_identity[ident]
        return None


def build_graph(
    papers: list[Entry],
    works: dict[str, Work | None],
    all_entries: list[Entry],
    as_of: date | None,
) -> PaperGraph:
    listed = Listed(all_entries, works)
    shown = {e.id for e in papers}
    nodes = []
    edges: list[tuple[str, str]] = []
    for entry in papers:
        work = works.get(entry.id)
        nodes.append(
            Node(
                id=entry.id,
                title=entry.title,
                year=entry.year or (work.year if work else None),
                figures=list(entry.figures),
                arxiv=entry.arxiv,
                doi=entry.doi,
                s2_id=work.paper_id if work else None,
                citation_count=work.citation_count if work else None,
            )
        )
        for ref in work.references if work else []:
            target = listed.entry_of(ref)
            if target and target in shown and target != entry.id:
                edges.append((entry.id, target))
    return PaperGraph(nodes, sorted(set(edges)), as_of=as_of)


def _label(node: Node) -> str:
    year = f" ({node.year})" if node.year else ""
    return f"{node.title}{year}"


def _mermaid_text(text: str) -> str:
    """A label inside `["..."]`: Mermaid's entity codes for what would end or change it (`"`,
    `#` that could start an entity such as `#quot;`, `<` `>` read as HTML), one line."""
    for char, code in (("#", "#35;"), ('"', "#quot;"), ("<", "#lt;"), (">", "#gt;")):
        text = text.replace(char, code)
    return re.sub(r"\s+", " ", text)


def render_mermaid(graph: PaperGraph) -> str:
    """A Mermaid flowchart GitHub renders inside a ```mermaid block; figures' papers marked ★."""
    names = {n.id: f"p{i}" for i, n in enumerate(graph.nodes)}
    lines = ["graph LR"]
    for node in graph.nodes:
        star = " ★" if node.figures else ""
        lines.append(f'  {names[node.id]}["{_mermaid_text(_label(node))}{star}"]')
    for a, b in graph.edges:
        lines.append(f"  {names[a]} --> {names[b]}")
    marked = [names[n.id] for n in graph.nodes if n.figures]
    if marked:
        lines.append("  classDef figure fill:#ffd54f,stroke:#8d6e00,stroke-width:2px")
        lines.append(f"  class {','.join(marked)} figure")
    as_of = f", as of {graph.as_of}" if graph.as_of else ""
    lines.append(f"  %% who cites whom: {graph.source}{as_of}")
    return "\n".join(lines) + "\n"


def _dot_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def render_dot(graph: PaperGraph) -> str:
    as_of = f", as of {graph.as_of}" if graph.as_of else ""
    lines = [
        "digraph citations {",
        "  rankdir=LR;",
        f'  label="who cites whom: {graph.source}{as_of}";',
    ]
    for node in graph.nodes:
        style = ' style=filled fillcolor="#ffd54f"' if node.figures else ""
        lines.append(f'  "{_dot_text(node.id)}" [label="{_dot_text(_label(node))}"{style}];')
    for a, b in graph.edges:
        lines.append(f'  "{_dot_text(a)}" -> "{_dot_text(b)}";')
    lines.append("}")
    return "\n".join(lines) + "\n"


def render_json(graph: PaperGraph) -> str:
    return json.dumps(graph.to_json(), indent=2, ensure_ascii=False) + "\n"


# --- suggestions -------------------------------------------------------------------------------


@dataclass
class Suggestion:
    title: str
    year: int | None
    arxiv: str | None
    doi: str | None
    s2_id: str
    citation_count: int | None
    because: list[str]  # the entries that connect it, sorted
    cited_by: list[str] = field(default_factory=list)  # entries citing it
    cites: list[str] = field(default_factory=list)  # entries it cites
    add: str = ""


def add_command(work: Work) -> str:
    if work.arxiv:
        return f"bip read add https://arxiv.org/abs/{work.arxiv}"
    if work.doi:
        return f"bip read add {shlex.quote(work.doi)}"
    title = shlex.quote(work.title or work.paper_id)
    url = f"https://www.semanticscholar.org/paper/{work.paper_id}"
    return f"bip read add {url} --kind paper --title {title}"


def suggest(
    works: dict[str, Work | None],
    citing: dict[str, list[Work]],
    all_entries: list[Entry],
    minimum: int = 2,
) -> list[Suggestion]:
    """Papers not on the list, connected to at least `minimum` entries, most connected first."""
    listed = Listed(all_entries, works)
    found: dict[str, tuple[Work, set[str], set[str]]] = {}
    for entry_id, work in sorted(works.items()):
        for ref in work.references if work else []:
            if listed.entry_of(ref) is None:
                found.setdefault(ref.paper_id, (ref, set(), set()))[1].add(entry_id)
    for entry_id, papers in sorted(citing.items()):
        for paper in papers:
            if listed.entry_of(paper) is None:
                found.setdefault(paper.paper_id, (paper, set(), set()))[2].add(entry_id)
    out = []
    for work, cited_by, cites in found.values():
        because = sorted(cited_by | cites)
        if len(because) < minimum:
            continue
        out.append(
            Suggestion(
                title=re.sub(r"\s+", " ", work.title or "").strip() or work.paper_id,
                year=work.year,
                arxiv=work.arxiv,
                doi=work.doi,
                s2_id=work.paper_id,
                citation_count=work.citation_count,
                because=because,
                cited_by=sorted(cited_by),
                cites=sorted(cites),
                add=add_command(work),
            )
        )
    out.sort(key=lambda s: (-len(s.because), -(s.citation_count or 0), s.title.lower()))
    return out
