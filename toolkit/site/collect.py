"""What the public face shows, gathered from the workspace: who you are, your streak in your own
time zone, runs, published posts, the reading list by figure and contribution goals.

Only what is meant to be public is read into these records: no journal text, no reading-list
or figure notes, no run command line, working folder or remote URL with credentials, no draft
and no post marked `private: true`. The site and the profile card are built from them alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from toolkit import yamledit
from toolkit.errors import BipError
from toolkit.workspace import Workspace

CALENDAR_WEEKS = 53
FRONT = re.compile(r"\A\ufeff?---[ \t]*\r?\n(.*?)^---[ \t]*\r?$\n?", re.S | re.M)
DATED = re.compile(r"^\d{4}-\d{2}-\d{2}-")


@dataclass
class Owner:
    name: str
    github: str | None

    @property
    def github_url(self) -> str | None:
        return f"https://github.com/{self.github}" if self.github else None


@dataclass
class Day:
    date: str
    level: int  # 0..4, GitHub's shading
    count: int


@dataclass
class StreakFacts:
    current: int
    longest: int
    days: int
    today_done: bool
    today: str  # the user's date now, in their time zone
    timezone: str
    weeks: list[list[Day | None]]  # Monday-first columns ending with today's week


@dataclass
class Credit:
    title: str
    url: str | None
    figures: list[str]


@dataclass
class Number:
    label: str
    value: str


@dataclass
class RunFacts:
    id: str
    name: str
    started: str | None
    status: str
    headline: str
    numbers: list[Number]
    commit: str | None
    branch: str | None
    upstream: str | None  # owner/name of the repository it was built on, when on GitHub
    hardware: str | None
    built_on: Credit | None
    series: Path | None  # metrics.csv, for the loss curve
    tokens_per_step: float | None
    source: Path  # run.json: a plot older than this or the series is drawn again


@dataclass
class PostFacts:
    path: Path
    slug: str
    title: str
    date: str
    tags: list[str]
    body: str
    links: dict[str, str]  # network -> the post's URL there (from `bip post`)


@dataclass
class ReadingItem:
    title: str
    url: str | None
    kind: str
    status: str


@dataclass
class FigureReading:
    id: str
    name: str
    url: str | None
    items: list[ReadingItem]


@dataclass
class MergedPR:
    number: int
    title: str  # from GitHub: the theme escapes it like every string
    url: str | None  # the PR on GitHub (https only)
    merged: str | None  # YYYY-MM-DD


@dataclass
class Contribution:
    repo: str
    merged_prs: int | None  # None: no snapshot yet (`bip contrib status` takes one)
    goal_merged_prs: int | None
    goal_by: str | None
    as_of: str | None
    merged: list[MergedPR] = field(default_factory=list)  # newest first, from the last status


@dataclass
class SiteData:
    owner: Owner
    streak: StreakFacts
    runs: list[RunFacts]
    posts: list[PostFacts]
    reading: list[FigureReading]
    contributions: list[Contribution]
    warnings: list[str] = field(default_factory=list)


def collect(ws: Workspace, store: Any, with_posts: bool = True) -> SiteData:
    """Everything public, read through each package's own readers. A part that cannot be read
    (a broken reading list, a bad run folder) is a warning and left out; the rest still builds."""
    warnings: list[str] = []
    model = load_model(ws, warnings)
    owner = Owner(ws.settings.github_login or ws.root.name, ws.settings.github_login)
    return SiteData(
        owner=owner,
        streak=collect_streak(ws, store, warnings),
        runs=collect_runs(ws, model, warnings),
        posts=collect_posts(ws.root / ws.settings.posts_dir, warnings) if with_posts else [],
        reading=_reading(model),
        contributions=_contributions(model, store, owner.github),
        warnings=warnings,
    )


def load_model(ws: Workspace, warnings: list[str]) -> Any:
    """The reading list's model, or None (a broken list is a warning: the rest still shows)."""
    from toolkit.readinglist import load_reading_list

    if not ws.paths.reading_list.exists():
        return None
    try:
        return load_reading_list(ws.paths.reading_list).model
    except BipError as exc:
        warnings.append(f"reading list left out: {exc.message}")
        return None


def collect_streak(ws: Workspace, store: Any, warnings: list[str]) -> StreakFacts:
    from toolkit.journal.index import refresh_index
    from toolkit.journal.streak import calendar, level, streaks

    report = refresh_index(store, ws.paths.journal)
    warnings.extend(f"journal day skipped: {p}" for p in report.problems)
    activity = {date.fromisoformat(s.day): max(s.activity, 1) for s in report.summaries}
    now = ws.now()
    today = now.date()
    found = streaks(set(activity), today)
    weeks = [
        [
            None if d is None else Day(d.isoformat(), level(activity.get(d, 0)), activity.get(d, 0))
            for d in column
        ]
        for column in calendar(activity, today, CALENDAR_WEEKS)
    ]
    return StreakFacts(
        current=found.current,
        longest=found.longest,
        days=found.days,
        today_done=found.today_done,
        today=today.isoformat(),
        timezone=ws.settings.timezone or (now.tzname() or "local time"),
        weeks=weeks,
    )


def collect_runs(ws: Workspace, model: Any, warnings: list[str]) -> list[RunFacts]:
    from toolkit.runs.store import list_runs

    runs, broken = list_runs(ws.root / ws.settings.runs_dir)
    warnings.extend(f"run left out: {b}" for b in broken)
    return [run_facts(run, model) for run in reversed(runs)]  # newest first


def run_facts(run: Any, model: Any) -> RunFacts:
    """A recorded run's public facts: no command line, folder or remote URL."""
    from toolkit.runs.store import SERIES_FILE, headline
    from toolkit.text import duration, number, percent

    record = run.record
    metrics = run.numbers
    numbers = [
        Number(label, number(float(value)))
        for label, value in (
            ("final train loss", metrics.final.get("train_loss")),
            ("final val loss", metrics.final.get("val_loss")),
            ("steps", metrics.steps),
            ("tokens/s (steady)", metrics.tokens_per_sec),
        )
        if isinstance(value, (int, float)) and not isinstance(value, bool)
    ]
    if metrics.mfu is not None:
        numbers.append(Number("MFU", percent(metrics.mfu.value)))
    if record.wall_seconds is not None:
        numbers.append(Number("wall time", duration(float(record.wall_seconds))))
    git = record.git
    return RunFacts(
        id=run.id,
        name=run.name,
        started=record.started or None,
        status=run.status,
        headline=headline(run),
        numbers=numbers,
        commit=git.commit if git else None,
        branch=git.branch if git else None,
        upstream=github_repo(git.upstream_url) if git else None,
        hardware=_hardware(record.hardware),
        built_on=_credit(model, record.based_on),
        series=run.path / (metrics.series or SERIES_FILE) if metrics.series else None,
        tokens_per_step=float(metrics.tokens_per_step) if metrics.tokens_per_step else None,
        source=run.path / "run.json",
    )


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def github_repo(url: str | None) -> str | None:
    """owner/name of a GitHub remote URL; anything else (and any credentials in it) dropped."""
    if not url:
        return None
    found = re.search(r"github\.com[:/]([A-Za-z0-9-]+/[A-Za-z0-9._-]+?)(?:\.git)?/?$", url)
    return found.group(1) if found else None


def _hardware(value: Any) -> str | None:
    if value is None:
        return None
    names: dict[str, int] = {}
    for gpu in value.gpus:
        names[gpu.name] = names.get(gpu.name, 0) + 1
    if names:
        return ", ".join(f"{n} x {name}" if n > 1 else name for name, n in names.items())
    return value.cpu.model or None


def _credit(model: Any, entry_id: str | None) -> Credit | None:
    if not entry_id:
        return None
    if model is None:
        return Credit(entry_id, None, [])
    try:
        entry = model.entry(entry_id)
    except BipError:
        return Credit(entry_id, None, [])
    names = []
    for fig in entry.figures:
        try:
            names.append(model.figure(fig).name)
        except BipError:
            names.append(fig)
    return Credit(entry.title, entry.link, names)


def split_front_matter(text: str, shown: str) -> tuple[dict[str, Any], str]:
    """A Markdown post's YAML front matter (as plain data) and its body."""
    found = FRONT.match(text)
    if not found:
        return {}, text
    meta = yamledit.to_plain(yamledit.parse(found.group(1), shown))
    return (meta if isinstance(meta, dict) else {}), text[found.end() :]


def is_published(meta: dict[str, Any]) -> bool:
    """Public for Hugo (`draft: false`) or Jekyll (`published: true`), and not marked private."""
    if meta.get("private") is True or meta.get("draft") is True or meta.get("published") is False:
        return False
    return meta.get("draft") is False or meta.get("published") is True


def collect_posts(folder: Path, warnings: list[str]) -> list[PostFacts]:
    posts = []
    paths = sorted(folder.rglob("*.md")) if folder.is_dir() else []
    for path in paths:
        try:
            meta, body = split_front_matter(path.read_text(encoding="utf-8"), str(path))
        except (BipError, OSError, UnicodeDecodeError) as exc:
            warnings.append(f"post left out: {getattr(exc, 'message', None) or exc}")
            continue
        if not is_published(meta):
            continue
        stamp = meta.get("date")
        when = stamp.isoformat() if isinstance(stamp, (datetime, date)) else str(stamp or "")
        slug = DATED.sub("", path.stem) or path.stem
        tags = meta.get("tags") if isinstance(meta.get("tags"), list) else []
        links = {
            network: str(meta[network])
            for network in ("bluesky", "mastodon")
            if isinstance(meta.get(network), str)
        }
        posts.append(
            PostFacts(
                path=path,
                slug=slug,
                title=str(meta.get("title") or slug),
                date=when,
                tags=[str(t) for t in tags or []],
                body=body,
                links=links,
            )
        )
    posts.sort(key=lambda p: (p.date, p.slug), reverse=True)
    seen: set[str] = set()
    for post in posts:  # two posts of the same name on different days stay two pages
        while post.slug in seen:
            post.slug = f"{post.slug}-{post.date[:10]}" if post.date else f"{post.slug}-2"
        seen.add(post.slug)
    return posts


def _reading(model: Any) -> list[FigureReading]:
    if model is None:
        return []
    out = []
    for fig in model.figures:
        items = [
            ReadingItem(e.title, e.link, e.kind, e.status)
            for e in model.entries_of(fig.id)
            if e.status != "dropped"
        ]
        url = fig.homepage or (f"https://github.com/{fig.github}" if fig.github else None)
        out.append(FigureReading(fig.id, fig.name, url, items))
    others = [
        ReadingItem(e.title, e.link, e.kind, e.status)
        for e in model.entries
        if not e.figures and e.status != "dropped"
    ]
    if others:
        out.append(FigureReading("others", "Others", None, others))
    return out


def _contributions(model: Any, store: Any, login: str | None) -> list[Contribution]:
    if model is None:
        return []
    from toolkit.contrib import load_merged_prs, targets_from

    snapshots = {k.lower(): v for k, v in store.latest_snapshots(login).items()} if login else {}
    lists = load_merged_prs(store, login) if login else {}
    out = []
    for target in targets_from(model):
        snap = snapshots.get(target.repo.lower())
        merged = snap.data.get("merged_prs") if snap else None
        out.append(
            Contribution(
                repo=target.repo,
                merged_prs=merged if isinstance(merged, int) else None,
                goal_merged_prs=target.goal_merged_prs,
                goal_by=target.goal_by,
                as_of=snap.taken_at.date().isoformat() if snap else None,
                merged=[
                    MergedPR(
                        pr.number,
                        pr.title,
                        pr.url if pr.url.startswith("https://") else None,
                        pr.merged_at[:10] if pr.merged_at else None,
                    )
                    for pr in lists.get(target.repo.lower(), [])
                ],
            )
        )
    return out
