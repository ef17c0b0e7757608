"""What a check-in gathers: what you built, read, landed and published since the last one.

`gather` collects (local git, the reading list, contributor snapshots, followed figures, what
`bip run` and `bip draft` left on disk); `to_day` turns the result into journal sections.
Everything that needs GitHub degrades to the last snapshot when GitHub is unreachable, and is
skipped offline; a reading list that does not validate leaves Read saying why, nothing else.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from toolkit.errors import BipError
from toolkit.git import RepoActivity, author_emails, scan
from toolkit.journal.days import Day, read_block
from toolkit.journal.published import Post, post_line
from toolkit.readinglist import ReadingList
from toolkit.workspace import Workspace

LAST_KEY = "checkin.last"
STATUSES_KEY = "checkin.statuses"  # each entry's status at the last check-in: drops have no date
CITE_KEYS_KEY = "checkin.cite_keys"  # each entry's citation key at the last check-in
# A digest of each entry's notes at the last check-in: notes have no date.
NOTES_KEY = "checkin.notes"


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
    dropped: list[ReadItem] = field(default_factory=list)
    added: list[ReadItem] = field(default_factory=list)
    noted: list[ReadItem] = field(default_factory=list)
    worked_on: list[ReadItem] = field(default_factory=list)
    read_missing: str | None = None  # why Read is missing: the reading list's first problem
    landed: list[str] = field(default_factory=list)
    landed_note: str | None = None
    news: list[Any] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    next: list[str] = field(default_factory=list)
    minutes: int | None = None
    tags: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    runs: list[str] = field(default_factory=list)  # recorded runs, one line each
    posts: list[Post] = field(default_factory=list)  # drafted or published
    shared: list[str] = field(default_factory=list)  # threads `bip post` sent that day
    cited: list[ReadItem] = field(default_factory=list)  # entries that got a citation key
    backfill: bool = False  # `now` is earlier than what bip has already recorded


def last_checkin(store: Any, now: datetime) -> datetime:
    """The last check-in's moment, or 24 hours ago for the first one."""
    last = store.get(LAST_KEY)
    return datetime.fromisoformat(last) if last else now - timedelta(hours=24)


def start_of_day(moment: datetime) -> datetime:
    return datetime.combine(moment.date(), time(0), tzinfo=moment.tzinfo)


def is_backfill(store: Any, now: datetime) -> bool:
    """A check-in for a moment before the last check-in or the newest contributor snapshot:
    a day filled in afterwards (`BIP_NOW`), which must not see or store what came later."""
    last = store.get(LAST_KEY)
    if last and datetime.fromisoformat(last) > now:
        return True
    return any(s.taken_at > now for login in store.logins() for s in store.history(login))


def gather_read(
    model: ReadingList,
    since: datetime,
    worked_on: list[str],
    day: date | None = None,
    recorded: set[tuple[str, str]] | None = None,
    previous_status: dict[str, str] | None = None,
    previous_notes: dict[str, str] | None = None,
) -> dict[str, list[ReadItem]]:
    """What changed in the reading list by `day` since the last check-in and is not already in
    the journal: entries added, started, finished, dropped, noted, and those you said you worked
    on. An entry merely still in progress is not news, and is not listed again.

    Events carry a date, not a time: one dated on the day of the last check-in is new unless that
    day's page already has it (`recorded`: (event, id) pairs). A drop and a note have no date:
    they are what differs from the last check-in (`previous_status`, `previous_notes`).
    """
    day = day or since.date()
    first, recorded = since.date(), recorded or set()

    def new(when: date | None, event: str, entry_id: str) -> bool:
        if when is None or when > day or when < first:
            return False
        return when > first or first == day or (event, entry_id) not in recorded

    def dated(event: str) -> list[ReadItem]:
        found = []
        for e in model.entries:
            when = getattr(e, event)
            if when and new(when, event, e.id):
                found.append(ReadItem(e.id, e.title, e.status, when.isoformat()))
        return found

    dropped = [
        ReadItem(e.id, e.title, e.status)
        for e in model.entries
        if previous_status is not None
        and e.status == "dropped"
        and previous_status.get(e.id, "dropped") != "dropped"
    ]
    noted = [
        ReadItem(e.id, e.title, e.status)
        for e in model.entries
        if previous_notes is not None
        and e.notes
        and e.id in previous_notes
        and previous_notes[e.id] != notes_digest(e.notes)
    ]
    found = {
        "added": dated("added"),
        "started": dated("started"),
        "finished": dated("finished"),
        "dropped": dropped,
        "noted": noted,
    }
    busy = {r.id for items in found.values() for r in items}
    found["worked_on"] = [
        ReadItem(e.id, e.title, e.status)
        for e in model.entries
        if e.id in worked_on and e.id not in busy
    ]
    return found


def newly_cited(model: ReadingList, previous: dict[str, str | None] | None) -> list[ReadItem]:
    """Entries cited for the first time since the last check-in: a draft pins the citation key
    of what it cites (`cite_key`), so a key that was not there before is a citation added."""
    if previous is None:
        return []
    return [
        ReadItem(e.id, e.title, e.status, e.cite_key)
        for e in model.entries
        if e.cite_key and e.id in previous and previous[e.id] != e.cite_key
    ]


def notes_digest(notes: str | None) -> str:
    """A short fingerprint of an entry's notes: a changed one means a note was added."""
    import hashlib

    return hashlib.sha256((notes or "").encode()).hexdigest()[:16]


def recorded_events(journal_dir: Any, day: date) -> set[tuple[str, str]]:
    """(event, entry id) pairs already in the Read section of `day`'s page."""
    from toolkit.journal.days import load_day, read_line

    try:
        page = load_day(journal_dir, day)
    except BipError:
        return set()
    found: set[tuple[str, str]] = set()
    for block in (page.sections.get("Read") or []) if page else []:
        parsed = read_line(block[0])
        if parsed:
            found |= {(verb, parsed[2]) for verb in parsed[0]}
    return found


def gather_landed(
    ws: Workspace,
    model: ReadingList | None,
    store: Any,
    client: Any,
    now: datetime,
    backfill: bool = False,
) -> tuple[list[str], str | None, list[str]]:
    """(lines, note, warnings): per target repo, your totals and what changed since the day
    began, through the client, else (offline, unreachable, back-filling, no valid reading list
    to name the targets) from the snapshot of that moment. The note says where old numbers came
    from; hints for you are warnings."""
    if store is None or (model is not None and not has_targets(model)):
        return [], None, []
    if model is None:
        client = None  # the targets are in the reading list: only the snapshots are known
    warnings: list[str] = []
    login = ws.settings.github_login
    current: dict[str, dict[str, Any]] | None = None
    if client is not None and not backfill and not login and not client.auth.token:
        warnings.append(  # `bip contrib status` says --user; the check-in has no such flag
            "contributor progress not refreshed: bip does not know your GitHub login (set "
            '[github] login = "..." in bip.toml or BIP_GITHUB_LOGIN, or set GH_TOKEN)'
        )
    elif client is not None and not backfill and model is not None:
        from toolkit import contrib  # GitHub's code, loaded only when GitHub is asked

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
            warnings = list(status.notices)
            login = status.login
            if status.as_of is None:
                current = {p.repo: p.numbers() for p in status.repos if not p.error}
        except BipError as exc:
            hint = f" ({exc.hint})" if exc.hint else ""
            warnings.append(f"contributor progress not refreshed: {exc.message}{hint}")
        except sqlite3.Error as exc:  # the numbers came, the state store could not keep them
            warnings.append(f"contributor progress not saved: state store: {exc}")
    login = login or next(iter(store.logins()), None)
    history = store.history(login) if login else []
    baseline = _snapshots_until(history, start_of_day(now), strict=True)
    note = None
    if current is None:
        latest = _snapshots_until(history, now)
        if not latest:
            warnings.append(
                "no contributor snapshot yet: the Landed section stays empty "
                "(run `bip contrib status` once online)"
            )
            return [], None, warnings
        current = {repo: snap.data for repo, snap in latest.items()}
        taken = max(s.taken_at for s in latest.values())
        why = "offline" if client is None else "GitHub not reached"
        if model is None:
            why = "reading list not read"
        if backfill:
            why = "as of that day"
        note = f"{why}: last snapshot from {taken:%Y-%m-%d %H:%M}"
    lines = [
        f"{repo}: {_totals(numbers)}{_changed(numbers, baseline.get(repo))}"
        for repo, numbers in sorted(current.items(), key=lambda kv: kv[0].lower())
    ]
    return lines, note, warnings


def has_targets(model: ReadingList) -> bool:
    """Whether `contrib.targets_from(model)` finds a repo to report on (a repo entry with a
    goal), answered without loading the GitHub code behind it."""
    return any(e.kind == "repo" and e.repo and e.goal for e in model.entries)


def _snapshots_until(history: list[Any], moment: datetime, strict: bool = False) -> dict[str, Any]:
    """Per repo, the newest snapshot taken at `moment` or before (strictly before if `strict`)."""
    found: dict[str, Any] = {}
    for snap in history:
        if snap.taken_at < moment or (not strict and snap.taken_at == moment):
            if snap.repo not in found or snap.taken_at > found[snap.repo].taken_at:
                found[snap.repo] = snap
    return found


_LANDED = (("merged_prs", "merged PR"), ("commits", "commit"))
_CHANGED = (
    ("merged_prs", "merged PR"),
    ("open_prs", "open PR"),
    ("closed_prs", "closed PR"),
    ("issues", "issue"),
    ("commits", "commit"),
)


def _totals(numbers: dict[str, Any]) -> str:
    text = ", ".join(_plural(int(numbers.get(k) or 0), word) for k, word in _LANDED)
    return text + (f", rank #{numbers['rank']}" if numbers.get("rank") else "")


def _changed(numbers: dict[str, Any], before: Any) -> str:
    """ " (+1 merged PR, rank #140 (was #142) since 2026-11-22)", or "" when nothing changed."""
    if before is None:
        return ""
    parts = []
    for key, word in _CHANGED:
        delta = int(numbers.get(key) or 0) - int(before.data.get(key) or 0)
        if delta:
            parts.append(f"{delta:+d} {word if abs(delta) == 1 else word + 's'}")
    rank, old = numbers.get("rank"), before.data.get("rank")
    if rank and rank != old:
        parts.append(f"rank was #{old}" if old else "newly ranked")
    return f" ({', '.join(parts)} since {before.taken_at:%Y-%m-%d})" if parts else ""


def gather_runs(ws: Workspace, since: datetime, now: datetime) -> list[str]:
    """The runs `bip run` recorded since the last check-in, each with its headline number."""
    root = ws.root / ws.settings.runs_dir
    if not root.is_dir():  # no run recorded yet (runs_between would say so, after its imports)
        return []
    from toolkit.runs.store import journal_line, runs_between

    return [journal_line(run) for run in runs_between(root, since, now)]


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def gather(
    ws: Workspace,
    model: ReadingList | None,
    store: Any,
    now: datetime,
    client: Any = None,
    since: datetime | None = None,
    worked_on: list[str] | None = None,
) -> Checkin:
    """Everything the day's page says but your own words. `model` is None when the reading list
    does not validate, `store` None when the state store cannot be used: what needs them is left
    out, never the rest."""
    backfill = store is not None and is_backfill(store, now)
    if since is None:
        since = last_checkin(store, now) if store is not None else now - timedelta(hours=24)
        if since >= now:  # filling in a day after later check-ins: that day, up to `now`
            since = start_of_day(now)
    entry = Checkin(day=now.date().isoformat(), since=since, now=now, backfill=backfill)
    emails = author_emails(ws.settings.git_emails, ws.root)
    activity = scan(ws.settings.git_repos, ws.root, emails, since, now)
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
    if model is not None:
        statuses = store.get(STATUSES_KEY) if store is not None and not backfill else None
        notes = store.get(NOTES_KEY) if store is not None and not backfill else None
        read = gather_read(
            model,
            since,
            worked_on or [],
            now.date(),
            recorded_events(ws.paths.journal, since.date()) if since.date() < now.date() else None,
            json.loads(statuses) if statuses else None,
            json.loads(notes) if notes else None,
        )
        entry.added, entry.started = read["added"], read["started"]
        entry.finished, entry.dropped = read["finished"], read["dropped"]
        entry.noted, entry.worked_on = read["noted"], read["worked_on"]
        keys = store.get(CITE_KEYS_KEY) if store is not None and not backfill else None
        entry.cited = newly_cited(model, json.loads(keys) if keys else None)
    entry.runs = gather_runs(ws, since, now)
    from toolkit.journal.published import gather_posts

    entry.posts = gather_posts(ws.root / ws.settings.posts_dir, now.date(), now.tzinfo, ws.root)
    from toolkit.social import shared_lines

    entry.shared = shared_lines(ws, now.date())
    entry.landed, entry.landed_note, warnings = gather_landed(
        ws, model, store, client, now, backfill
    )
    down = getattr(client, "down", None)
    if down or any(
        w.startswith(
            ("GitHub unreachable", "contributor progress not refreshed: GitHub unreachable")
        )
        for w in warnings
    ):
        # One cause, one warning, with what bip did instead; and nothing more is asked of an
        # unreachable GitHub.
        cause = down if down and "unreachable" not in down else "GitHub unreachable"
        warnings = [
            w
            for w in warnings
            if "GitHub unreachable" not in w
            and not (down and down.split(" (")[0] in w)
            and not w.startswith("no contributor snapshot yet")
        ]
        landed = "from the last snapshot" if entry.landed else "empty (no snapshot yet)"
        warnings.append(f"{cause}: Landed is {landed}; news skipped")
        client = None
    entry.warnings += warnings
    if backfill:
        entry.warnings.append(
            f"filling in {entry.day}: contributor numbers from that day's snapshot, "
            "no news from people you follow"
        )
    elif client is not None and model is not None:
        from toolkit.figures.news import fetch_news, followed

        try:
            entry.news = fetch_news(client, followed(model), since)
        except BipError as exc:
            entry.warnings.append(f"news not fetched: {exc.message}")
    return entry


def remember(store: Any, entry: Checkin, model: ReadingList | None) -> None:
    """After the day is written: the moment (never moved back by a back-fill), and each entry's
    status and notes (what the next check-in compares with)."""
    last = store.get(LAST_KEY)
    if not last or datetime.fromisoformat(last) < entry.now:
        store.put(LAST_KEY, entry.now.isoformat())
    if not entry.backfill and model is not None:
        store.put(STATUSES_KEY, json.dumps({e.id: e.status for e in model.entries}))
        store.put(NOTES_KEY, json.dumps({e.id: notes_digest(e.notes) for e in model.entries}))
        store.put(CITE_KEYS_KEY, json.dumps({e.id: e.cite_key for e in model.entries}))


def to_day(entry: Checkin) -> Day:
    """The check-in as journal sections: one block per repo, entry, change, note."""
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
    events: dict[str, tuple[str, list[str]]] = {}  # entry id -> (title, verbs), in order
    for verb, items in (
        ("added", entry.added),
        ("started", entry.started),
        ("finished", entry.finished),
        ("dropped", entry.dropped),
        ("noted", entry.noted),
        ("worked on", entry.worked_on),
    ):
        for r in items:
            events.setdefault(r.id, (r.title, []))[1].append(verb)
    read = [[read_block(verbs, title, i)] for i, (title, verbs) in events.items()]
    if entry.read_missing:
        read.append([f"- _reading list not read: {entry.read_missing}_"])
    published = [[post_line(p)] for p in entry.posts] + [[line] for line in entry.runs]
    published += [[line] for line in entry.shared]
    published += [[f"- cited: {c.title} (`{c.id}`) as `{c.when}`"] for c in entry.cited]
    landed = [[f"- {line}"] for line in entry.landed]
    if entry.landed_note:
        landed.append([f"- _{entry.landed_note}_"])
    news = [[f"- {n.name}: new {n.kind} [{n.title}]({n.url}) ({n.date[:10]})"] for n in entry.news]
    for name, blocks in (
        ("Built", built),
        ("Read", read),
        ("Landed", landed),
        ("Published", published),
        ("New from people you follow", news),
        ("Notes", [[f"- {n}"] for n in entry.notes]),
        ("Next", [[f"- {n}"] for n in entry.next]),
    ):
        if blocks:
            day.sections[name] = blocks
    return day
