"""Benchmark (not a test): GraphQL requests `bip reach map` makes for figures of growing size.

Against the fake GitHub the tests use (a real HTTP server on 127.0.0.1 whose GraphQL is checked
against GitHub's published schema), for figures who reviewed 50, 300 and 1,000 pull requests:
- cold: empty `.bip/` (no HTTP cache, no reach store);
- warm: the same workspace again, within GraphQL's 15-minute reuse.
The target is 300 reviewed PRs in at most 7 requests cold and 0 warm (issue 23).
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pytest_httpserver import HTTPServer  # noqa: E402

from tests.fakegithub import FakeGitHub  # noqa: E402
from tests.fakegraphql import GraphQLService, World  # noqa: E402
from tests.reachworld import busy_figure_world  # noqa: E402
from toolkit.github import Auth, GitHubClient  # noqa: E402
from toolkit.reach import ReachStore, reach_map  # noqa: E402

NOW = datetime(2026, 11, 23, 10, tzinfo=timezone.utc)


def main() -> int:
    server = HTTPServer(host="127.0.0.1", port=0)
    server.start()
    failed = False
    try:
        print(f"{'reviewed PRs':>12}  {'cold requests':>13}  {'warm requests':>13}  {'cold s':>7}")
        for size in (50, 300, 1000):
            gh = FakeGitHub(server)
            service = GraphQLService(World(busy_figure_world(prs=size)))
            gh.graphql_handler = service
            folder = Path(tempfile.mkdtemp())
            try:
                counts = []
                took = 0.0
                for _ in range(2):
                    client = GitHubClient(
                        gh.url, auth=Auth("ghp_bench", "GH_TOKEN"), cache_path=folder / "c.sqlite"
                    )
                    start = time.perf_counter()
                    result = reach_map(client, ReachStore(folder / "r.sqlite"), {}, "busyfig", NOW)
                    took = took or time.perf_counter() - start
                    counts.append(result.requests)
                    assert sum(r.reviewed_prs for r in result.repos) == size
            finally:
                shutil.rmtree(folder)
            print(f"{size:>12}  {counts[0]:>13}  {counts[1]:>13}  {took:>7.2f}")
            if size == 300 and (counts[0] > 7 or counts[1] != 0):
                failed = True
            server.clear()
    finally:
        server.stop()
    print("target: 300 reviewed PRs in <= 7 requests cold, 0 warm:", "FAIL" if failed else "ok")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
