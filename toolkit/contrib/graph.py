"""Your collaboration graph: who reviewed, approved, merged and commented on your PRs in the
target repos, with the reading list's figures marked, and how many hops you are from each."""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from typing import Any

from toolkit.contrib import PullRequest, Target, fetch_pull_requests
from toolkit.github import GitHubClient, graphql
from toolkit.http import reads
from toolkit.readinglist import ReadingList

RELATIONS = ("merged", "approved", "requested changes", "reviewed", "commented")


@dataclass
class Interaction:
    person: str
    relation: str
    repo: str
    pr: int
    url: str


@dataclass
class Graph:
    login: str
    interactions: list[Interaction]
    figures: dict[str, str]  # lowercased GitHub login -> figure name
    hops: list[str] = field(default_factory=list)

    def people(self) -> list[str]:
        return sorted({i.person for i in self.interactions}, key=str.lower)


@reads("the people around your PRs")
def fetch_graph(
    client: GitHubClient, login: str, targets: list[Target], model: ReadingList
) -> Graph:
    prs = fetch_pull_requests(client, login, [t.repo for t in targets])
    names = {t.repo.lower(): t.repo for t in targets}
    pairs = [(names[key], pr) for key, pulls in prs.items() for pr in pulls]
    interactions: list[Interaction] = []
    if client.auth.token and pairs:
        interactions = _interactions_graphql(client, login, pairs)
    else:
        for repo, pr in pairs:
            interactions += _interactions(client, login, repo, pr)
    figures = {f.github.lower(): f.name for f in model.figures if f.github}
    graph = Graph(login, _dedupe(interactions), figures)
    graph.hops = hops(graph, model)
    return graph


def _interactions(
    client: GitHubClient, login: str, repo: str, pr: PullRequest
) -> list[Interaction]:
    found: list[Interaction] = []

    def add(person: Any, relation: str) -> None:
        _add(found, login, person, relation, repo, pr)

    if pr.state == "merged":
        add(client.get(f"/repos/{repo}/pulls/{pr.number}").data.get("merged_by"), "merged")
    for review in client.items(f"/repos/{repo}/pulls/{pr.number}/reviews", max_pages=3):
        add(review.get("user"), _REVIEW.get(str(review.get("state", "")), "reviewed"))
    for comment in client.items(f"/repos/{repo}/issues/{pr.number}/comments", max_pages=3):
        add(comment.get("user"), "commented")
    return found


_REVIEW = {"APPROVED": "approved", "CHANGES_REQUESTED": "requested changes"}  # else "reviewed"


def _add(
    found: list[Interaction], login: str, person: Any, relation: str, repo: str, pr: PullRequest
) -> None:
    """Note `person` (a user object, REST's or GraphQL's) unless it is you or a bot."""
    name = str((person or {}).get("login") or "")
    if name and name.lower() != login.lower() and not name.endswith("[bot]"):
        found.append(Interaction(name, relation, repo, pr.number, pr.url))


_PR_FIELDS = """
      mergedBy { login }
      reviews(first: 50) { nodes { author { login } state } }
      comments(first: 50) { nodes { author { login } } }
"""


def _interactions_graphql(
    client: GitHubClient, login: str, pairs: list[tuple[str, PullRequest]]
) -> list[Interaction]:
    """Every PR's merger, reviews and comments in one GraphQL request (aliases p0, p1, ...)."""
    fields = []
    for n, (repo, pr) in enumerate(pairs):
        field = graphql.repository(
            f"p{n}", repo, f"pullRequest(number: $pr_p{n}) {{{_PR_FIELDS}}}", nodes=102
        )
        field.variables[f"pr_p{n}"] = ("Int!", pr.number)
        fields.append(field)
    data = graphql.batch(client, fields)
    found: list[Interaction] = []
    for n, (repo, pr) in enumerate(pairs):
        node = ((data.get(f"p{n}") or {}).get("pullRequest")) or {}

        if pr.state == "merged":
            _add(found, login, node.get("mergedBy"), "merged", repo, pr)
        for review in (node.get("reviews") or {}).get("nodes") or []:
            relation = _REVIEW.get(str((review or {}).get("state", "")), "reviewed")
            _add(found, login, (review or {}).get("author"), relation, repo, pr)
        for comment in (node.get("comments") or {}).get("nodes") or []:
            _add(found, login, (comment or {}).get("author"), "commented", repo, pr)
    return found


def _dedupe(items: list[Interaction]) -> list[Interaction]:
    seen: set[tuple[str, str, str, int]] = set()
    out = []
    for item in items:
        key = (item.person.lower(), item.relation, item.repo, item.pr)
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out


def hops(graph: Graph, model: ReadingList) -> list[str]:
    """For each followed figure: 1 hop when they touched one of your PRs, else not yet."""
    lines = []
    for fig in model.figures:
        if not fig.github:
            continue
        direct = [i for i in graph.interactions if i.person.lower() == fig.github.lower()]
        if direct:
            best = sorted(direct, key=lambda i: RELATIONS.index(i.relation))[0]
            lines.append(f"{fig.name}: 1 hop ({best.relation} {best.repo}#{best.pr})")
        else:
            lines.append(f"{fig.name}: not connected yet")
    return lines


def _node(login: str) -> str:
    return "u_" + re.sub(r"[^A-Za-z0-9_]", "_", login)


def _summary(items: list[Interaction]) -> str:
    parts: dict[str, list[str]] = {}
    for i in items:
        parts.setdefault(i.relation, []).append(f"#{i.pr}")
    return "; ".join(f"{rel} {', '.join(prs)}" for rel, prs in parts.items())


# Mermaid reads `#name;` and `#123;` in a label as a character (so `#132;` is not "#132;"),
# ends a quoted label at `"`, and renders `<b>` as HTML: write these as its own entity codes.
_MERMAID = {
    "#": "#35;",
    '"': "#quot;",
    "<": "#lt;",
    ">": "#gt;",
    "&": "#amp;",
    "|": "#124;",
    "`": "#96;",
}


def mermaid_text(text: str) -> str:
    """Text for inside a double-quoted Mermaid label, rendered exactly as written."""
    return "".join(_MERMAID.get(ch, ch) for ch in " ".join(text.split()))


def dot_text(text: str) -> str:
    """Text for inside a double-quoted DOT string: `\\` and `\"` escaped, so Graphviz's label
    escapes (`\\n`, `\\N`, ...) never fire on a name."""
    return " ".join(text.split()).replace("\\", "\\\\").replace('"', '\\"')


def render_mermaid(graph: Graph) -> str:
    """A Mermaid flowchart that GitHub renders inside a ```mermaid block."""
    lines = ["graph LR", f'  {_node(graph.login)}(("{mermaid_text(graph.login)}"))']
    for person in graph.people():
        label = graph.figures.get(person.lower())
        text = f"{label} ★ ({person})" if label else person
        lines.append(f'  {_node(person)}["{mermaid_text(text)}"]')
    for person in graph.people():
        mine = [i for i in graph.interactions if i.person == person]
        summary = mermaid_text(_summary(mine))
        lines.append(f'  {_node(person)} -->|"{summary}"| {_node(graph.login)}')
    marked = [_node(p) for p in graph.people() if p.lower() in graph.figures]
    if marked:
        lines.append("  classDef figure fill:#ffd54f,stroke:#8d6e00,stroke-width:2px")
        lines.append(f"  class {','.join(marked)} figure")
    return "\n".join(lines) + "\n"


def render_dot(graph: Graph) -> str:
    me = dot_text(graph.login)
    lines = ["digraph collaboration {", "  rankdir=LR;", f'  "{me}" [shape=doublecircle];']
    for person in graph.people():
        label = graph.figures.get(person.lower())
        style = ' style=filled fillcolor="#ffd54f"' if label else ""
        text = f"{label} ({person})" if label else person
        lines.append(f'  "{dot_text(person)}" [label="{dot_text(text)}"{style}];')
    for person in graph.people():
        mine = [i for i in graph.interactions if i.person == person]
        lines.append(f'  "{dot_text(person)}" -> "{me}" [label="{dot_text(_summary(mine))}"];')
    lines.append("}")
    return "\n".join(lines) + "\n"


def render_json(graph: Graph) -> str:
    return json.dumps(asdict(graph), indent=2, ensure_ascii=False) + "\n"
