"""The community map: where a figure reviews, the shortest path to them, what to do next.

The exact layer is GitHub's GraphQL API (`fetch`), kept in the reach store (`store`); the
ecosystem layer is GH Archive reduced to review/merge events and queried in ClickHouse SQL
(`archive`). `core` answers `bip reach map|path|next|sync`; `archive.ingest` answers `ingest`.
"""

from __future__ import annotations

from toolkit.reach.archive import IngestResult, archive_edges, ingest
from toolkit.reach.core import (
    FigureRef,
    MapResult,
    NextResult,
    PathResult,
    SyncResult,
    load_example_into,
    reach_map,
    reach_next,
    reach_path,
    reach_sync,
    resolve_figure,
)
from toolkit.reach.model import Edge, Issue, Pull, Review
from toolkit.reach.store import ReachStore

__all__ = [
    "Edge",
    "FigureRef",
    "IngestResult",
    "Issue",
    "MapResult",
    "NextResult",
    "PathResult",
    "Pull",
    "ReachStore",
    "Review",
    "SyncResult",
    "archive_edges",
    "ingest",
    "load_example_into",
    "reach_map",
    "reach_next",
    "reach_path",
    "reach_sync",
    "resolve_figure",
]
