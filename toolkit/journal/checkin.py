"""The daily check-in: what you built, read and landed since the last one, as a journal day.

`gather` collects (local git, the reading list, contributor snapshots, followed figures);
`to_day` turns the result into journal sections; the CLI asks for notes and writes the day.
Everything that needs GitHub degrades to the last snapshot when GitHub is unreachable, and is
skipped offline.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from toolkit import contrib
from toolkit.errors import BipError
from toolkit.git import RepoActivity, author_emails, scan
from toolkit.journal.days import Day
from toolkit.readinglist import ReadingList
from toolkit.workspace import Workspace

LAST_KEY = "checkin.last"


@dataclass
class ReadItem:
    id: str
    title: str
    status: str
    when: str | None = None


@dataclass
class Checkin:
    day: str
    since: datetime
    now: datetime
    built: list[RepoActivity] = field(default_factory=list)
    skipped: list[RepoActivity] = field(default_factory=list)
    started: list[ReadItem] = field(default_factory=list)
    finished: list[ReadItem] = field(default_factory=list)
    in_progress: list[ReadItem] = field(default_factory=list)
    worked_on: list[ReadItem] = field(default_factory=list)
    landed: list[str] = field(default_factory=list)
    landed_note: str | None = None
    news: list[Any] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    next: list[str] = field(default_factory=list)
    minutes: int | None = None
    tags: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    runs: list[str] = field(default_factory=list)  # recorded runs, one line each


def last_checkin(store: Any, now: datetime) -> datetime:
    """The last check-in's moment, or 24 hours ago for the first one."""
    last = store.get(LAST_KEY)
    return datetime.fromisoformat(last) if last else now - timedelta(hours=24)


def gather_read(
    model: ReadingList, since: datetime, worked_on: list[str]
) -> dict[str, list[ReadItem]]:
    start_day = since.date()
    started = [
        ReadItem(e.id, e.title, e.status, e.started.isoformat())
        for e in model.entries
        if e.started and e.started >= start_day
    ]
    finished = [
        ReadItem(e.id, e.title, e.status, e.finished.isoformat())
        for e in model.entries
        if e.finished and e.finished >= start_day
    ]
    busy = {r.id for r in started + finished}
    progress = [
        ReadItem(e.id, e.title, e.status, e.started.isoformat() if e.started else None)
        for e in model.entries
        if e.status == "reading" and e.id not in busy
    ]
    worked = [ReadItem(e.id, e.title, e.status) for e in model.entries if e.id in worked_on]
    return {"started": started, "finished": finished, "in_progress": progress, "worked_on": worked}


def gather_landed(
    ws: Workspace, model: ReadingList, store: Any, client: Any, now: datetime
) -> tuple[list[str], str | None, list[str]]:
    """(lines, note, warnings): contributor changes through the client, else the last snapshot."""
    targets = contrib.targets_from(model)
    if not targets:
        return [], None, []
    warnings: list[str] = []
    if client is not None:
        try:
            status = contrib.take_status(
                client,
                store,
                model,
                now,
                None,
                ws.settings.github_login,
                (),
                ws.settings.clones,
                ws.settings.git_emails,
            )
            lines = [
                f"{repo}: {change}"
                for repo, changes in status.changes.items()
                for change in changes
            ]
            if status.as_of is None:
                return lines, None, list(status.notices)
            warnings = list(status.notices)
        except BipError as exc:
            warnings.append(f"contributor progress not refreshed: {exc.message}")
    login = ws.settings.github_login or next(iter(store.logins()), None)
    latest = store.latest_snapshots(login) if login else {}
    if not latest:
        return [], "no contributor snapshot yet (run `bip contrib status` once online)", warnings
    taken = max(s.taken_at for s in latest.values())
    lines = []
    for repo, snap in sorted(latest.items()):
        rank = f", rank #{snap.data['rank']}" if snap.data.get("rank") else ""
        merged, commits = int(snap.data.get("merged_prs") or 0), int(snap.data.get("commits") or 0)
        lines.append(f"{repo}: {_plural(merged, 'merged PR')}, {_plural(commits, 'commit')}{rank}")
    why = "offline" if client is None else "GitHub not reached"
    return lines, f"{why}: last snapshot from {taken:%Y-%m-%d %H:%M}", warnings


def gather_runs(ws: Workspace, since: datetime, now: datetime) -> list[str]:
    """The runs `bip run` recorded since the last check-in, each with its headline number."""
    import shlex

    from toolkit.runs.store import duration, headline, runs_between

    lines = []
    for run in runs_between(ws.root / ws.settings.runs_dir, since, now):
        wall = run.data.get("wall_seconds")
        took = f", {duration(wall)}" if isinstance(wall, (int, float)) else ""
        command = shlex.join(run.data.get("command") or [])
        lines.append(f"- run **{run.id}** (`{command}`): {headline(run)} ({run.status}{took})")
    return lines


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def gather(
    ws: Workspace,
    model: ReadingList,
    store: Any,
    now: datetime,
    client: Any = None,
    since: datetime | None = None,
    worked_on: list[str] | None = None,
) -> Checkin:
    since = since or last_checkin(store, now)
    entry = Checkin(day=now.date().isoformat(), since=since, now=now)
    emails = author_emails(ws.settings.git_emails, ws.root)
    activity = scan(ws.settings.git_repos, ws.root, emails, since)
    entry.built = [a for a in activity if not a.error and a.commits]
    entry.skipped = [a for a in activity if a.error]
    if not ws.settings.git_repos:
        entry.warnings.append(
            "no [git] repos in bip.toml, so Built is empty: add the folders of your repos, "
            'e.g. `[git]` then `repos = ["~/code/*"]` (or BIP_GIT_REPOS=~/code/*)'
        )
    elif not emails:
        entry.warnings.append(
            "no [git] emails in bip.toml and no `git config user.email`: "
            "counting every author's commits"
        )
    read = gather_read(model, since, worked_on or [])
    entry.started, entry.finished = read["started"], read["finished"]
    entry.in_progress, entry.worked_on = read["in_progress"], read["worked_on"]
    entry.runs = gather_runs(ws, since, now)
    entry.landed, entry.landed_note, warnings = gather_landed(ws, model, store, client, now)
    if any(
        w.startswith(
            ("GitHub unreachable", "contributor progress not refreshed: GitHub unreachable")
        )
        for w in warnings
    ):
        # Said once, with what bip did instead; and nothing more is asked of an unreachable GitHub.
        warnings = [w for w in warnings if "GitHub unreachable" not in w]
        landed = "from the last snapshot" if entry.landed else "empty (no snapshot yet)"
        warnings.append(f"GitHub unreachable: Landed is {landed}; news skipped")
        client = None
    entry.warnings += warnings
    if client is not None:
        from toolkit.figures.news import fetch_news, followed

        try:
            entry.news = fetch_news(client, followed(model), since)
        except BipError as exc:
            entry.warnings.append(f"news not fetched: {exc.message}")
    return entry


def to_day(entry: Checkin) -> Day:
    """The check-in as journal sections: one block per repo, entry, change, note."""
    from datetime import date

    day = Day(date.fromisoformat(entry.day))
    if entry.tags:
        day.meta["tags"] = list(entry.tags)
    if entry.minutes:
        day.meta["minutes"] = entry.minutes
    built = []
    for repo in entry.built:
        branches = f" (branches: {', '.join(repo.branches)})" if repo.branches else ""
        block = [
            f"- **{repo.name}**: {_plural(len(repo.commits), 'commit')}, "
            f"+{repo.insertions}/-{repo.deletions}{branches}"
        ]
        block += [
            f"  - `{c.sha[:7]}` {c.subject} (+{c.insertions}/-{c.deletions})" for c in repo.commits
        ]
        built.append(block)
    built += [[line] for line in entry.runs]
    read = [[f"- started: {r.title} (`{r.id}`)"] for r in entry.started]
    read += [[f"- finished: {r.title} (`{r.id}`)"] for r in entry.finished]
    read += [[f"- worked on: {r.title} (`{r.id}`)"] for r in entry.worked_on]
    read += [[f"- reading: {r.title} (`{r.id}`)"] for r in entry.in_progress]
    landed = [[f"- {line}"] for line in entry.landed]
    if entry.landed_note:
        landed.append([f"- _{entry.landed_note}_"])
    news = [[f"- {n.name}: new {n.kind} [{n.title}]({n.url}) ({n.date[:10]})"] for n in entry.news]
    for name, blocks in (
        ("Built", built),
        ("Read", read),
        ("Landed", landed),
        ("New from people you follow", news),
        ("Notes", [[f"- {n}"] for n in entry.notes]),
        ("Next", [[f"- {n}"] for n in entry.next]),
    ):
        if blocks:
            day.sections[name] = blocks
    return day
