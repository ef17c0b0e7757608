"""The one GraphQL batch builder: many aliased fields, values passed as variables, sent in as
few requests as GitHub's limits allow.

Every GraphQL question bip asks (contributor progress, PR interactions, figures' news, repo
metadata) is a list of `Field`s: an alias, a selection that names its values as `$variables`
(never pasted into the query text, so no quoting), and an estimate of the nodes it can return.
`batch` packs them into queries of at most `per_query` fields and `max_nodes` nodes (GitHub
refuses a query over 500,000 nodes and stops one that runs past 10 seconds: a few dozen searches
per query stay well inside both) and merges the answers by alias.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

MAX_NODES = 500_000  # GitHub's limit on the nodes one query may return
PER_QUERY = 60  # fields per request: keeps each request far from the 10-second limit


@dataclass(frozen=True)
class Field:
    alias: str
    selection: str  # e.g. "repository(owner: $o_r0, name: $n_r0) { stargazerCount }"
    variables: dict[str, tuple[str, Any]] = field(default_factory=dict)  # name -> (type, value)
    nodes: int = 1


def repository(alias: str, repo: str, selection: str, nodes: int = 1) -> Field:
    """`alias: repository(owner, name) { selection }` for an owner/name."""
    owner, name = repo.split("/", 1)
    return Field(
        alias,
        f"repository(owner: $o_{alias}, name: $n_{alias}) {{{selection}}}",
        {f"o_{alias}": ("String!", owner), f"n_{alias}": ("String!", name)},
        nodes,
    )


def build_query(
    fields: list[Field], shared: dict[str, tuple[str, Any]] | None = None
) -> tuple[str, dict[str, Any]]:
    """One query text and its variables for these fields."""
    import re

    used = " ".join(f.selection for f in fields)
    declared = {  # GitHub refuses a declared variable that no field uses
        name: spec for name, spec in (shared or {}).items() if re.search(rf"\${name}\b", used)
    }
    for f in fields:
        declared.update(f.variables)
    names = ", ".join(f"${name}: {kind}" for name, (kind, _) in declared.items())
    body = "\n  ".join(f"{f.alias}: {f.selection}" for f in fields)
    head = f"query({names})" if names else "query"
    return f"{head} {{\n  {body}\n}}", {name: value for name, (_, value) in declared.items()}


def chunks(fields: Iterable[Field], per_query: int, max_nodes: int) -> list[list[Field]]:
    out: list[list[Field]] = []
    current: list[Field] = []
    nodes = 0
    for f in fields:
        if current and (len(current) >= per_query or nodes + f.nodes > max_nodes):
            out.append(current)
            current, nodes = [], 0
        current.append(f)
        nodes += f.nodes
    if current:
        out.append(current)
    return out


def batch(
    client: Any,
    fields: list[Field],
    shared: dict[str, tuple[str, Any]] | None = None,
    per_query: int = PER_QUERY,
    max_nodes: int = MAX_NODES,
) -> dict[str, Any]:
    """Ask for every field in as few requests as the limits allow; the answers by alias (a
    field GitHub could not resolve maps to None)."""
    answers: dict[str, Any] = {}
    for group in chunks(fields, per_query, max_nodes):
        query, variables = build_query(group, shared)
        answers.update(client.graphql(query, variables) or {})
    return answers
