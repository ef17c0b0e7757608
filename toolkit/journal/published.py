"""The check-in's Published part: posts drafted or published on the day, read from the posts
folder as any static-site generator would (front matter: `title`, `date`, `lastmod`, `draft`,
`published`, `citations`). Only the files are read, never bip's drafts code: a post written by
hand counts the same as one `bip draft` wrote.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from pathlib import Path
from typing import Any

from toolkit import yamledit
from toolkit.errors import BipError

MAX_POSTS = 2000  # a posts folder is read whole each check-in: bounded, newest names first


@dataclass
class Post:
    title: str
    path: str  # as shown: relative to the workspace when inside it
    state: str  # "drafted" or "published"
    citations: list[str] = field(default_factory=list)


def gather_posts(folder: Path, day: date, tz: tzinfo | None, shown_from: Path) -> list[Post]:
    """Posts under `folder` whose front matter dates them on `day` (in `tz`): a draft is
    "drafted", a public post "published" (its `lastmod` counts: a republished post)."""
    if not folder.is_dir():
        return []
    files = sorted(folder.rglob("*.md"), key=lambda p: p.name, reverse=True)[:MAX_POSTS]
    found = []
    for path in sorted(files):
        meta = front_matter(path)
        if meta is None:
            continue
        draft = meta.get("draft") is True or meta.get("published") is False
        when = [_day(meta.get(key), tz) for key in (("date",) if draft else ("date", "lastmod"))]
        if day not in when:
            continue
        try:
            shown = str(path.relative_to(shown_from))
        except ValueError:
            shown = str(path)
        title = meta.get("title")
        keys = meta.get("citations")
        found.append(
            Post(
                str(title) if title else path.stem,
                shown,
                "drafted" if draft else "published",
                [str(k) for k in keys] if isinstance(keys, list) else [],
            )
        )
    return found


def front_matter(path: Path) -> dict[str, Any] | None:
    """The YAML front matter of a Markdown file, or None (none, unreadable, not a mapping)."""
    try:
        with path.open("rb") as fh:
            head = fh.read(64 * 1024)
    except OSError:
        return None
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff")
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        return None
    end = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), None)
    if end is None:
        return None
    try:
        meta = yamledit.to_plain(yamledit.parse("\n".join(lines[1:end]) + "\n", str(path)))
    except BipError:
        return None
    return meta if isinstance(meta, dict) else None


def _day(value: Any, tz: tzinfo | None) -> date | None:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            try:
                return date.fromisoformat(value[:10])
            except ValueError:
                return None
    if isinstance(value, datetime):
        if value.tzinfo is not None and tz is not None:
            value = value.astimezone(tz)
        day: date = value.date()
        return day
    if isinstance(value, date):
        return value
    return None


def post_line(post: Post) -> str:
    cites = f", citing {', '.join(post.citations)}" if post.citations else ""
    return f"- {post.state}: {post.title} (`{post.path}`){cites}"
