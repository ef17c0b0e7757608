"""Shortest paths between people over typed edges (breadth-first, every shortest path)."""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Iterable
from dataclasses import dataclass

from toolkit.reach.model import EXACT, Edge

MAX_HOPS = 4
MAX_PATHS = 5
# Which edge stands for a pair of people when several link them: exact before approximate,
# then the strongest relation, then the most recent.
STRENGTH = {
    "approved": 0,
    "merged": 1,
    "coauthored": 2,
    "changes_requested": 3,
    "reviewed": 4,
    "commented": 5,
}


@dataclass(frozen=True)
class Near:
    login: str
    hops_from_you: int
    hops_to_figure: int


class Graph:
    def __init__(self, edges: Iterable[Edge]) -> None:
        self.best: dict[tuple[str, str], Edge] = {}
        self.neighbours: dict[str, set[str]] = defaultdict(set)
        self.names: dict[str, str] = {}
        self.all = list(edges)
        for edge in self.all:
            a, b = edge.source.lower(), edge.target.lower()
            if a == b:
                continue
            self.names.setdefault(a, edge.source)
            self.names.setdefault(b, edge.target)
            self.neighbours[a].add(b)
            self.neighbours[b].add(a)
            pair = (min(a, b), max(a, b))
            held = self.best.get(pair)
            if held is None or _rank(edge) < _rank(held):
                self.best[pair] = edge

    def edge(self, a: str, b: str) -> Edge:
        a, b = a.lower(), b.lower()
        return self.best[(min(a, b), max(a, b))]

    def name(self, login: str) -> str:
        return self.names.get(login.lower(), login)

    def distances(self, start: str, limit: int | None = None) -> dict[str, int]:
        start = start.lower()
        seen = {start: 0}
        queue = deque([start])
        while queue:
            node = queue.popleft()
            if limit is not None and seen[node] >= limit:
                continue
            for nxt in self.neighbours.get(node, ()):
                if nxt not in seen:
                    seen[nxt] = seen[node] + 1
                    queue.append(nxt)
        return seen

    def shortest_paths(
        self, start: str, goal: str, hops: int, limit: int = MAX_PATHS
    ) -> list[list[Edge]]:
        """Every shortest path of at most `hops` edges (the best `limit` of them), as edges
        oriented along the path; the exact and recent ones first."""
        start, goal = start.lower(), goal.lower()
        ahead = self.distances(start, hops)
        if goal not in ahead or start == goal:
            return []
        behind = self.distances(goal, hops)
        length = ahead[goal]
        found: list[list[str]] = []

        def walk(node: str, trail: list[str]) -> None:
            if len(found) >= limit * 20:
                return
            if node == goal:
                found.append(trail)
                return
            depth = ahead[node]
            for nxt in sorted(self.neighbours[node]):
                if ahead.get(nxt) == depth + 1 and behind.get(nxt, hops + 1) == length - depth - 1:
                    walk(nxt, [*trail, nxt])

        walk(start, [start])
        paths = [[self._step(a, b) for a, b in zip(p, p[1:], strict=False)] for p in found]
        paths.sort(key=lambda p: (sum(e.evidence != EXACT for e in p), [_neg(e.at) for e in p]))
        return paths[:limit]

    def _step(self, a: str, b: str) -> Edge:
        """The edge between a and b, oriented a -> b (the path's direction)."""
        edge = self.edge(a, b)
        return Edge(
            self.name(a),
            self.name(b),
            edge.kind,
            edge.repo,
            edge.pr,
            edge.url,
            edge.at,
            edge.evidence,
            edge.actor or edge.source,
        )

    def nearest(self, start: str, goal: str, hops: int, limit: int = 5) -> list[Near]:
        """The people you reach within `hops` who are closest to `goal` (no path case)."""
        ahead = self.distances(start, hops)
        behind = self.distances(goal)
        close = [
            Near(self.name(p), ahead[p], behind[p])
            for p in ahead
            if p in behind and p != start.lower()
        ]
        close.sort(key=lambda n: (n.hops_to_figure, n.hops_from_you, n.login.lower()))
        # those one hop from the figure's neighbourhood (or the closest there are)
        bound = max(2, close[0].hops_to_figure) if close else 0
        return [n for n in close if n.hops_to_figure <= bound][:limit]

    def without(self, dropped: Iterable[Edge]) -> Graph:
        gone = {(e.source.lower(), e.target.lower(), e.repo.lower(), e.pr) for e in dropped}
        gone |= {(b, a, r, n) for a, b, r, n in gone}
        return Graph(
            e
            for e in self.all
            if (e.source.lower(), e.target.lower(), e.repo.lower(), e.pr) not in gone
        )


def _rank(edge: Edge) -> tuple[int, int, str]:
    return (edge.evidence != EXACT, STRENGTH.get(edge.kind, 9), _neg(edge.at))


def _neg(at: str) -> str:
    """Sorts later times first in an ascending sort."""
    return "".join(chr(0x10FFFF - ord(c)) if c.isdigit() else c for c in at)
