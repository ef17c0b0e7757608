"""Where a post goes on disk: its file name, its page bundle, and publishing it.

A post is `YYYY-MM-DD-slug.md` in the posts folder, or, with files beside it (a loss curve), the
page bundle `YYYY-MM-DD-slug/index.md`. Nothing is written when anything fails, and an existing
post is never overwritten without `force`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from toolkit import yamledit
from toolkit.errors import BadInput
from toolkit.fileio import atomic_write_text, create_exclusive

# A file written beside the post: its name in the bundle -> what writes it there.
Attachments = dict[str, Callable[[Path], None]]


def slugify(title: str, max_len: int = 80) -> str:
    """A file-name slug: lowercase, dots between digits kept (gpt-2.5), letters of any script
    kept, never a path."""
    text = unicodedata.normalize("NFKC", title).lower()
    text = re.sub(r"(?<=\d)\.(?=\d)", "\u0000", text)  # keep 2.5 as 2.5
    text = "".join(ch if ch.isalnum() or ch == "\u0000" else "-" for ch in text)
    text = re.sub(r"-{2,}", "-", text).strip("-").replace("\u0000", ".")
    return text[:max_len].strip("-.") or "post"


NAME_BYTES = 200  # file systems allow 255 bytes a name; a few CJK or emoji-rich words reach it


def post_path(folder: Path, now: datetime, title: str) -> Path:
    slug = slugify(title)
    while len(slug.encode("utf-8")) > NAME_BYTES - len("YYYY-MM-DD-.md"):
        slug = slug[:-1].rstrip("-.")  # cut whole characters, never a UTF-8 sequence
    try:
        path = (folder / f"{now:%Y-%m-%d}-{slug or 'post'}.md").resolve()
        base = folder.resolve()
    except OSError as exc:
        raise BadInput(f"cannot use the posts folder {folder}: {exc.strerror}") from None
    if path.parent != base:
        raise BadInput(f"the title {title!r} would write outside {folder}")
    return path


def write_post(path: Path, text: str, force: bool) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BadInput(
            f"cannot create the posts folder {path.parent}: {exc.strerror}",
            hint="pass --out FOLDER, or set [drafts] posts_dir in bip.toml",
        ) from None
    if force:
        atomic_write_text(path, text)
    elif not create_exclusive(path, text.encode("utf-8")):
        raise BadInput(f"{path} already exists", hint="pass --force to replace it")


def write_bundle(post: Path, text: str, attachments: Attachments, force: bool) -> Path:
    """Write the post as a page bundle, `YYYY-MM-DD-slug/index.md` with its attachments beside
    it: relative links to them then work in Hugo (a leaf bundle) and in any static server.
    Attachments already written are removed when the post cannot be."""
    bundle = post.with_suffix("")
    path = bundle / "index.md"
    if path.exists() and not force:
        raise BadInput(f"{path} already exists", hint="pass --force to replace it")
    written: list[Path] = []
    try:
        for name, write in attachments.items():
            target = bundle / name
            write(target)
            written.append(target)
        write_post(path, text, force)
    except BaseException:
        for target in written:
            target.unlink(missing_ok=True)
        raise
    return path


@dataclass
class Published:
    path: Path  # where the post is now
    text: str
    renamed_from: Path | None  # the draft's old name, when the publish date changed it
    republished: bool  # it was already public: only `lastmod` changed
    placeholders: list[str]  # "line N: <!-- ... -->" still to fill in
    date: str  # the post's date, as its front matter now says


DATED_NAME = re.compile(r"^\d{4}-\d{2}-\d{2}-")


def publish(path: Path, now: datetime) -> Published:
    """Make a draft public for Hugo (`draft: false`) and Jekyll (`published: true`) with today's
    date, renaming `YYYY-MM-DD-slug.md` to the same day (Jekyll dates posts by their name).
    A post already public keeps its date and gets `lastmod`. Only those lines change."""
    if not path.is_file():
        raise BadInput(f"{path} does not exist")
    text = path.read_text(encoding="utf-8")
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---" or "---" not in [x.strip() for x in lines[1:]]:
        raise BadInput(f"{path}: no front matter (--- block) at the top")
    end = 1 + [x.strip() for x in lines[1:]].index("---")
    meta = yamledit.to_plain(yamledit.parse("\n".join(lines[1:end]) + "\n", str(path)))
    meta = meta if isinstance(meta, dict) else {}
    republished = meta.get("draft") is False or meta.get("published") is True
    if meta.get("draft") is True or meta.get("published") is False:
        republished = False
    stamp = now.isoformat(timespec="seconds")
    wanted = {"draft": "false"}
    if "published" in meta:  # Jekyll's switch: flipped where the post has it, never added
        wanted["published"] = "true"
    wanted.update({"lastmod": stamp} if republished else {"date": stamp})
    found = dict.fromkeys(wanted, False)
    for i in range(1, end):
        for key, value in wanted.items():
            if re.match(rf"^{key}\s*:", lines[i]):
                lines[i] = f"{key}: {value}"
                found[key] = True
    for key, value in wanted.items():
        if not found[key]:
            lines.insert(end, f"{key}: {value}")
            end += 1
    new = "\n".join(lines)
    target = path
    if not republished and DATED_NAME.match(path.name):
        target = path.with_name(f"{now:%Y-%m-%d}" + path.name[10:])
    if target == path:
        atomic_write_text(path, new)
    else:
        if not create_exclusive(target, new.encode("utf-8")):
            raise BadInput(
                f"cannot rename {path.name} to {target.name}: {target} already exists",
                hint="move one of them away, then publish again",
            )
        path.unlink()
    placeholders = [
        f"line {n}: {match.group(0)[:60]}"
        for n, line in enumerate(lines[end + 1 :], start=end + 2)
        if (match := re.search(r"<!--.*", line))
    ]
    date = str(meta.get("date")) if republished and meta.get("date") else stamp
    if isinstance(meta.get("date"), datetime) and republished:
        date = meta["date"].isoformat(timespec="seconds")
    return Published(target, new, None if target == path else path, republished, placeholders, date)
