"""The ecosystem layer: GH Archive hour files reduced to review/merge events, queried in
ClickHouse SQL by embedded chdb (local Parquet files) or a ClickHouse server (clickhouse-connect).

Ingest keeps, per hour file, one Parquet file under `.bip/reach-archive/` whose columns carry the
names of ClickHouse's public `github_events` table, so ONE query text (`EDGES_SQL`) answers from
either: chdb reads `file('.../*.parquet')`, a server reads `github_events`.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar

from toolkit.errors import BadInput
from toolkit.fileio import atomic_write_text
from toolkit.http import HttpClient, Limits, NotFound, ServiceError, Unreachable
from toolkit.reach.model import APPROXIMATE, Edge, is_bot
from toolkit.settings import environ

DEFAULT_BASE = "https://data.gharchive.org"
ARCHIVE_DIR = "reach-archive"
MANIFEST = "manifest.json"
TRIM_DAY = "2025-10-07"  # GH Archive's PR events lost their merger and inline author here
REVIEWS_FROM = "2020"  # review events exist in the archive from about here
INSTALL_HINT = "install the map extra: pip install 'build-in-public[map]'"
KINDS = {
    "approved": "approved",
    "changes_requested": "changes_requested",
    "commented": "commented",
    "dismissed": "reviewed",
}

# GH Archive JSON lines -> github_events-named columns (chdb only: it reads the hour file).
REDUCE_SQL = """
INSERT INTO FUNCTION file({out}, Parquet)
SELECT
    JSONExtractString(json, 'type') AS event_type,
    JSONExtractString(json, 'actor', 'login') AS actor_login,
    JSONExtractString(json, 'repo', 'name') AS repo_name,
    parseDateTime64BestEffort(JSONExtractString(json, 'created_at')) AS created_at,
    JSONExtractString(json, 'payload', 'action') AS action,
    toUInt32(greatest(JSONExtractUInt(json, 'payload', 'number'),
                      JSONExtractUInt(json, 'payload', 'pull_request', 'number'))) AS number,
    JSONExtractString(json, 'payload', 'pull_request', 'title') AS title,
    arrayMap(x -> x.1, JSONExtract(json, 'payload', 'pull_request', 'labels',
                                   'Array(Tuple(name String))')) AS labels,
    JSONExtractString(json, 'payload', 'pull_request', 'user', 'login') AS creator_user_login,
    toUInt8(JSONExtractBool(json, 'payload', 'pull_request', 'merged')) AS merged,
    JSONExtractString(json, 'payload', 'pull_request', 'merged_by', 'login') AS merged_by,
    lower(JSONExtractString(json, 'payload', 'review', 'state')) AS review_state
FROM file({src}, 'JSONAsString')
WHERE event_type IN ('PullRequestEvent', 'PullRequestReviewEvent')
  AND (empty({repos:Array(String)}) OR lower(repo_name) IN {repos:Array(String)})
SETTINGS engine_file_truncate_on_insert = 1
"""

# Review and merge events with each PR's author; the same text for chdb and ClickHouse.
EDGES_SQL = """
SELECT
    toString(e.event_type) AS event_type,
    e.actor_login AS actor,
    e.repo_name AS repo,
    e.number AS number,
    toString(e.created_at) AS at,
    toString(e.action) AS action,
    toString(e.review_state) AS review_state,
    e.merged AS merged,
    e.merged_by AS merged_by,
    if(e.creator_user_login != '', e.creator_user_login, o.opener) AS author
FROM {events} AS e
LEFT JOIN (
    SELECT repo_name, number, argMin(actor_login, created_at) AS opener
    FROM {events}
    WHERE event_type = 'PullRequestEvent' AND action = 'opened'
      AND (empty({repos:Array(String)}) OR lower(repo_name) IN {repos:Array(String)})
    GROUP BY repo_name, number
) AS o ON e.repo_name = o.repo_name AND e.number = o.number
WHERE (empty({repos:Array(String)}) OR lower(e.repo_name) IN {repos:Array(String)})
  AND (e.event_type = 'PullRequestReviewEvent'
       OR (e.event_type = 'PullRequestEvent' AND e.action = 'closed'))
ORDER BY at, repo, number
"""

# The repos where these people opened, reviewed or merged pull requests: what a ClickHouse
# server holding all of GitHub is asked about, beside the repos bip already knows.
REPOS_SQL = """
SELECT DISTINCT lower(repo_name) AS repo
FROM {events}
WHERE actor_login IN {people:Array(String)}
  AND event_type IN ('PullRequestEvent', 'PullRequestReviewEvent')
ORDER BY repo
LIMIT 200
"""

Runner = Callable[[str, dict[str, Any]], list[dict[str, Any]]]


@dataclass
class IngestResult:
    hours: int
    events: int
    path: str
    holes: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    requests: int = 0


class ArchiveClient(HttpClient):
    """GH Archive's hour files: gzipped JSON lines, fetched as bytes."""

    service: ClassVar[str] = "GH Archive"
    not_found_hint: ClassVar[str | None] = "GH Archive has missing hours; that hour is one"

    def _json(self, response: Any, shown: str) -> Any:
        return response.content or b""


def quote(text: str) -> str:
    """A ClickHouse string literal."""
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def array_param(values: list[str]) -> str:
    """A query parameter's value in ClickHouse's text form (what the HTTP interface takes)."""
    return "[" + ",".join(quote(v) for v in values) + "]"


_SESSION: Any = None


def chdb_session() -> Any:
    """The process's one chdb session (chdb allows no more)."""
    global _SESSION
    try:
        from chdb import session
    except ImportError as exc:
        raise BadInput("the chdb engine is not installed", hint=INSTALL_HINT) from exc
    if _SESSION is None:
        _SESSION = session.Session()  # type: ignore[no-untyped-call]
    return _SESSION


def chdb_runner() -> Runner:
    """Embedded chdb, answering in JSON lines."""
    chdb = chdb_session()

    def run(sql: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        text = {k: array_param(v) if isinstance(v, list) else str(v) for k, v in params.items()}
        answer = chdb.query(sql, "JSONEachRow", params=text)
        raw = answer.bytes() if hasattr(answer, "bytes") else bytes(answer)
        return [json.loads(line) for line in raw.decode().splitlines() if line.strip()]

    return run


def clickhouse_runner(url: str) -> Runner:
    """A ClickHouse server through clickhouse-connect (its HTTP interface)."""
    try:
        import clickhouse_connect
    except ImportError as exc:
        raise BadInput("the clickhouse engine is not installed", hint=INSTALL_HINT) from exc
    try:
        client = clickhouse_connect.get_client(dsn=url)
    except Exception as exc:  # noqa: BLE001 - the driver raises its own and urllib3's errors
        raise Unreachable(f"ClickHouse at {url} cannot be reached ({exc})") from exc

    def run(sql: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        return list(client.query(sql, parameters=params).named_results())

    return run


def archive_dir(state_dir: Path) -> Path:
    return state_dir / ARCHIVE_DIR


def hour_urls(text: str, base: str) -> list[tuple[str, str]]:
    """`2025-06-01..2025-06-02` -> (name, URL) for every hour of those days."""
    first, _, last = text.partition("..")
    try:
        start = date.fromisoformat(first)
        end = date.fromisoformat(last or first)
    except ValueError as exc:
        raise BadInput(
            f"{text!r} is neither a file nor a date range",
            hint="pass hour files (2025-06-01-15.json.gz) or YYYY-MM-DD..YYYY-MM-DD",
        ) from exc
    if end < start:
        raise BadInput(f"the range {text!r} ends before it starts")
    if (end - start).days > 62:
        raise BadInput(
            f"{text!r} is {(end - start).days + 1} days of hour files",
            hint="ingest at most two months at a time",
        )
    out = []
    day = start
    while day <= end:
        for hour in range(24):
            name = f"{day.isoformat()}-{hour}"
            out.append((name, f"{base.rstrip('/')}/{name}.json.gz"))
        day += timedelta(days=1)
    return out


def ingest(
    state_dir: Path,
    sources: list[str],
    repos: list[str],
    progress: Callable[[str], None] | None = None,
    base_url: str | None = None,
    client: HttpClient | None = None,
) -> IngestResult:
    """Reduce each hour file (a local path, or every hour of a date range from GH Archive) to
    its pull-request and review events of `repos` (all repos when empty), one Parquet file an
    hour. Ingesting an hour again replaces it."""
    run = chdb_runner()
    folder = archive_dir(state_dir)
    folder.mkdir(parents=True, exist_ok=True)
    manifest = _manifest(folder)
    base = base_url or environ("BIP_GHARCHIVE_URL") or DEFAULT_BASE
    wanted = sorted({r.lower() for r in repos})
    result = IngestResult(0, 0, str(folder))
    jobs: list[tuple[str, str | None]] = []  # (hour name, local path or None: download)
    for source in sources:
        path = Path(source)
        if path.is_file():
            jobs.append((path.name.removesuffix(".gz").removesuffix(".json"), str(path)))
        elif source.endswith((".json.gz", ".json")):
            raise BadInput(f"no such file: {source}")
        else:
            jobs.extend((name, url) for name, url in hour_urls(source, base))
    downloader = client
    for name, where in jobs:
        if progress:
            progress(name)
        local = where
        temp: Path | None = None
        if where is not None and where.startswith(("http://", "https://")):
            if downloader is None:
                downloader = ArchiveClient(
                    base, limits=Limits(timeout=600, max_bytes=2 * 1024**3, max_wait=60)
                )
            try:
                data = downloader.get(where, what=f"GH Archive hour {name}").data
            except NotFound:
                result.missing.append(name)
                continue
            with tempfile.NamedTemporaryFile(suffix=".json.gz", delete=False) as handle:
                handle.write(data)
                temp = Path(handle.name)
            local = str(temp)
        assert local is not None
        out = folder / f"{name}.parquet"
        try:
            run(
                REDUCE_SQL.replace("{out}", quote(str(out))).replace("{src}", quote(local)),
                {"repos": wanted},
            )
        except BadInput:
            raise
        except (RuntimeError, ServiceError) as exc:
            shown = where if temp is None else f"GH Archive hour {name}"
            raise BadInput(
                f"{shown}: not a GH Archive hour file (gzipped JSON lines)",
                hint=str(exc).splitlines()[0][:200],
            ) from exc
        finally:
            if temp is not None:
                temp.unlink(missing_ok=True)
        count = run("SELECT count() AS n FROM file({p:String}, Parquet)", {"p": str(out)})[0]["n"]
        manifest["hours"][name] = int(count)
        result.hours += 1
        result.events += int(count)
    manifest["missing"] = sorted(set(manifest.get("missing", [])) | set(result.missing))
    atomic_write_text(folder / MANIFEST, json.dumps(manifest, indent=1, sort_keys=True))
    if result.missing:
        result.holes.append(
            f"GH Archive has no file for {len(result.missing)} hour"
            f"{'s' * (len(result.missing) != 1)}: " + ", ".join(result.missing[:5])
        )
    if downloader is not None:
        result.requests = downloader.counters.requests
    return result


def hour_gaps(names: list[str]) -> list[str]:
    """Hours between the first and last ingested hour file that were not ingested (names like
    GH Archive's, `2025-06-01-15`; others are ignored)."""
    hours = []
    for name in names:
        day, _, hour = name.rpartition("-")
        try:
            hours.append(datetime.fromisoformat(f"{day}T{int(hour):02d}:00"))
        except ValueError:
            continue
    if not hours:
        return []
    have, gaps = set(hours), list[str]()
    moment = min(hours)
    while moment < max(hours) and len(gaps) < 10_000:
        if moment not in have:
            gaps.append(f"{moment:%Y-%m-%d}-{moment.hour}")
        moment += timedelta(hours=1)
    return gaps


def _manifest(folder: Path) -> dict[str, Any]:
    try:
        data = json.loads((folder / MANIFEST).read_text())
    except (OSError, ValueError):
        data = {}
    data.setdefault("hours", {})
    data.setdefault("missing", [])
    return data if isinstance(data, dict) else {"hours": {}, "missing": []}


def table_for(engine: str, state_dir: Path) -> str:
    if engine == "clickhouse":
        return "github_events"
    return f"file({quote(str(archive_dir(state_dir) / '*.parquet'))}, Parquet)"


def query_edges(run: Runner, table: str, repos: list[str]) -> tuple[list[Edge], list[str]]:
    """Approximate edges from archive events, and what the archive could not tell."""
    rows = run(EDGES_SQL.replace("{events}", table), {"repos": sorted({r.lower() for r in repos})})
    edges: list[Edge] = []
    unknown_merge = unknown_author = 0
    earliest = ""
    for row in rows:
        at = str(row["at"]).replace(" ", "T")[:19] + "Z"
        earliest = min(earliest, at) if earliest else at
        author = str(row.get("author") or "")
        repo, number = str(row["repo"]), int(row["number"])
        url = f"https://github.com/{repo}/pull/{number}"
        if row["event_type"] == "PullRequestReviewEvent":
            actor = str(row["actor"])
            if not author:
                unknown_author += 1
                continue
            if is_bot(actor) or is_bot(author) or actor.lower() == author.lower():
                continue
            kind = KINDS.get(str(row["review_state"]), "reviewed")
            edges.append(Edge(actor, author, kind, repo, number, url, at, APPROXIMATE))
        elif int(row.get("merged") or 0) and row.get("merged_by"):
            merger = str(row["merged_by"])
            if (
                author
                and not is_bot(merger)
                and not is_bot(author)
                and merger.lower() != author.lower()
            ):
                edges.append(Edge(merger, author, "merged", repo, number, url, at, APPROXIMATE))
        elif at[:10] >= TRIM_DAY and not row.get("merged_by"):
            unknown_merge += 1
    holes = [
        f"GH Archive has review events only from about {REVIEWS_FROM}"
        + (f" (the data here starts {earliest[:10]})" if earliest else "")
    ]
    if unknown_merge:
        holes.append(
            f"{unknown_merge} PR close{'s' * (unknown_merge != 1)} since {TRIM_DAY}: merge "
            "unknown (the archive's PR events no longer carry the merger)"
        )
    if unknown_author:
        holes.append(
            f"{unknown_author} review{'s' * (unknown_author != 1)} of PRs whose author the "
            "archive does not say (opened before the ingested hours) left out"
        )
    return edges, holes


def archive_edges(
    state_dir: Path, engine: str | None, url: str | None = None
) -> Callable[[list[str], list[str]], tuple[list[Edge], list[str]]] | None:
    """The ecosystem layer for `bip reach path`: None for the github engine (or by default when
    nothing was ingested); chdb over ingested files; a ClickHouse server (BIP_CLICKHOUSE_URL)."""
    folder = archive_dir(state_dir)
    has_data = folder.is_dir() and any(folder.glob("*.parquet"))
    if engine == "github" or (engine is None and not has_data):
        return None
    if engine == "clickhouse":
        server = url or environ("BIP_CLICKHOUSE_URL")
        if not server:
            raise BadInput(
                "--engine clickhouse needs a server",
                hint="set BIP_CLICKHOUSE_URL, e.g. https://user:password@host:8443/default",
            )
        runner = clickhouse_runner(server)
        manifest: dict[str, Any] = {"missing": []}
    else:
        if not has_data:
            raise BadInput(
                "no GH Archive data ingested yet",
                hint="run `bip reach ingest 2025-06-01..2025-06-07` (or pass hour files)",
            )
        runner = chdb_runner()
        manifest = _manifest(folder)
    table = table_for(engine or "chdb", state_dir)

    gaps = hour_gaps(list(manifest.get("hours", {})))

    def edges(repos: list[str], people: list[str]) -> tuple[list[Edge], list[str]]:
        """Edges in every ingested repo (chdb); on a server, in `repos` and wherever `people`
        opened, reviewed or merged pull requests."""
        wanted: list[str] = []
        if engine == "clickhouse":
            more = runner(REPOS_SQL.replace("{events}", table), {"people": people})
            wanted = sorted({*(r.lower() for r in repos), *(str(r["repo"]) for r in more)})
        found, holes = query_edges(runner, table, wanted)
        if manifest.get("missing"):
            holes.append(
                f"GH Archive has missing hours: {len(manifest['missing'])} of the ingested "
                "range had no file"
            )
        if gaps:
            holes.append(
                f"{len(gaps)} hour{'s' * (len(gaps) != 1)} between the first and last ingested "
                f"are not ingested (e.g. {gaps[0]}): edges there are unseen"
            )
        return found, holes

    return edges
