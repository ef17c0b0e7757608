"""Where a post goes on disk: its file name, its page bundle, and publishing it.

A post is `YYYY-MM-DD-slug.md` in the posts folder, or, with files beside it (a loss curve), the
page bundle `YYYY-MM-DD-slug/index.md` (for Jekyll: the post, and its files under `assets/`).
Nothing is written when anything fails, and an existing post is never overwritten without
`force`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from toolkit import yamledit
from toolkit.drafts.frontmatter import Site, draft_switches
from toolkit.errors import BadInput
from toolkit.fileio import atomic_write_text, create_exclusive
from toolkit.literal import RAW_TAG_LINE
from toolkit.settings import Settings
from toolkit.text import slugify

# A file written beside the post: its name in the bundle -> what writes it there.
Attachments = dict[str, Callable[[Path], None]]


NAME_BYTES = 200  # file systems allow 255 bytes a name; a few CJK or emoji-rich words reach it


def post_path(folder: Path, now: datetime, title: str, suffix: str = "") -> Path:
    """`folder/YYYY-MM-DD-slug.md`, or `...-slug-SUFFIX.md` (a thread beside its post: the
    suffix survives the cut to a file name's length)."""
    slug = slugify(title)
    end = f"-{suffix}" if suffix else ""
    while len(slug.encode("utf-8")) > NAME_BYTES - len(f"YYYY-MM-DD-{end}.md"):
        slug = slug[:-1].rstrip("-.")  # cut whole characters, never a UTF-8 sequence
    try:
        path = (folder / f"{now:%Y-%m-%d}-{slug or 'post'}{end}.md").resolve()
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


def draft_folder(site: Site, folder: Path) -> Path:
    """Where a new draft goes: the posts folder, except a Jekyll `_posts/` folder with "both".
    Jekyll publishes every file in `_posts/` (it reads no `draft:`), and "both" cannot write
    Jekyll's `published: false` (Hugo stops on it, it is a date to Hugo), so the draft goes to
    the `_drafts/` beside it, which Jekyll builds only with `--drafts`; `bip draft publish`
    moves it to `_posts/`."""
    if site.generator == "both" and folder.name == "_posts":
        return folder.with_name("_drafts")
    return folder


@dataclass(frozen=True)
class Placement:
    """Where a post with files beside it is written, and how the post links each file."""

    post: Path  # the Markdown file
    files: dict[str, Path]  # attachment name -> where the file goes
    links: dict[str, str]  # attachment name -> what the post writes to link it


def place(site: Site, post: Path, names: list[str]) -> Placement:
    """Hugo and "both": a page bundle, `YYYY-MM-DD-slug/index.md` with the files beside it,
    linked relatively (Hugo serves a leaf bundle's files beside its page; so does any static
    server). Jekyll builds only `_posts/YYYY-MM-DD-slug.md` files and serves what sits outside
    `_` folders as it is: the post stays a file, its files go to the site's
    `assets/posts/YYYY-MM-DD-slug/` (the posts folder's parent when no `_config.yml` was found),
    linked through Jekyll's `relative_url` filter so a `baseurl` is honoured. `post` is the
    `YYYY-MM-DD-slug.md` path in the posts folder."""
    if site.generator != "jekyll":
        bundle = post.with_suffix("")
        return Placement(bundle / "index.md", {n: bundle / n for n in names}, {n: n for n in names})
    root = site.root or post.parent.parent
    folder = root / "assets" / "posts" / post.stem
    links = {
        n: "{{ '/" + (folder / n).relative_to(root).as_posix() + "' | relative_url }}"
        for n in names
    }
    return Placement(post, {n: folder / n for n in names}, links)


def write_with_files(
    placement: Placement, text: str, attachments: Attachments, force: bool
) -> Path:
    """Write the post and its attachments where `placement` says. Attachments already written
    are removed when the post cannot be; an existing post is kept unless `force`."""
    path = placement.post
    if path.exists() and not force:
        raise BadInput(f"{path} already exists", hint="pass --force to replace it")
    written: list[Path] = []
    try:
        for name, write in attachments.items():
            target = placement.files[name]
            target.parent.mkdir(parents=True, exist_ok=True)
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
    renamed_from: Path | None  # the draft's old name (file or bundle folder), when it changed
    republished: bool  # it was already public: only `lastmod` changed
    placeholders: list[str]  # "line N: <!-- ... -->" still to fill in
    date: str  # the post's date, as its front matter now says


DATED_NAME = re.compile(r"^\d{4}-\d{2}-\d{2}-")


def publish(path: Path, now: datetime, settings: Settings) -> Published:
    """Make a draft public with today's date: the generator's switch (`draft: false` for Hugo,
    `published: true` for Jekyll; with "both", `draft` and a `published` the post already has),
    and the post renamed to the same day, `YYYY-MM-DD-slug.md` or the bundle's folder
    `YYYY-MM-DD-slug/` (Jekyll dates posts by their name). A post already public keeps its date
    and name and gets `lastmod`. Only those lines change; in a Hugo site a `published: true/false`
    line goes, since Hugo reads `published` as a date and stops on it. A draft in Jekyll's
    `_drafts/` (where "both" writes one) moves to the `_posts/` beside it, dated. `path` may be
    the bundle."""
    from toolkit.drafts.frontmatter import site_for

    if path.is_dir() and (path / "index.md").is_file():
        path = path / "index.md"
    if not path.is_file():
        raise BadInput(f"{path} does not exist")
    bundle = path.name == "index.md" and DATED_NAME.match(path.parent.name) is not None
    folder = path.parent.parent if bundle else path.parent
    generator = site_for(folder, settings).generator
    # a Jekyll draft in `_drafts/` is published by moving it to the `_posts/` beside it
    home = folder.with_name("_posts") if folder.name == "_drafts" else folder
    text = path.read_text(encoding="utf-8")
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---" or "---" not in [x.strip() for x in lines[1:]]:
        raise BadInput(f"{path}: no front matter (--- block) at the top")
    end = 1 + [x.strip() for x in lines[1:]].index("---")
    meta = yamledit.to_plain(yamledit.parse("\n".join(lines[1:end]) + "\n", str(path)))
    meta = meta if isinstance(meta, dict) else {}
    republished = meta.get("draft") is False or meta.get("published") is True
    if meta.get("draft") is True or meta.get("published") is False or home != folder:
        republished = False
    stamp = now.isoformat(timespec="seconds")
    wanted = {k: str(v).lower() for k, v in draft_switches(generator, draft=False).items()}
    for key, value in (("draft", "false"), ("published", "true")):
        if isinstance(meta.get(key), bool) and key not in wanted:  # the other's switch, if there
            wanted[key] = value
    dropped = generator == "hugo" and isinstance(meta.get("published"), bool)
    if dropped:
        del wanted["published"]
    wanted.update({"lastmod": stamp} if republished else {"date": stamp})
    target = path
    if not republished and bundle:
        target = home / (f"{now:%Y-%m-%d}" + path.parent.name[10:]) / path.name
    elif not republished and DATED_NAME.match(path.name):
        target = home / (f"{now:%Y-%m-%d}" + path.name[10:])
    elif home != folder:  # a draft named as Jekyll names them, without a date
        target = home / f"{now:%Y-%m-%d}-{path.name}"
    taken = target.parent if bundle else target
    if target != path and taken.exists():
        raise BadInput(
            f"cannot rename {path.parent.name if bundle else path.name} to {taken.name}: "
            f"{taken} already exists",
            hint="move one of them away, then publish again",
        )
    found = dict.fromkeys(wanted, False)
    kept: list[str] = []
    for i, line in enumerate(lines):
        if 0 < i < end and dropped and re.match(r"^published\s*:", line):
            continue
        if 0 < i < end:
            for key, value in wanted.items():
                if re.match(rf"^{key}\s*:", line):
                    line = f"{key}: {value}"
                    found[key] = True
        kept.append(line)
    end -= len(lines) - len(kept)
    lines = kept
    for key, value in wanted.items():
        if not found[key]:
            lines.insert(end, f"{key}: {value}")
            end += 1
    new = "\n".join(lines)
    if home != folder:
        try:
            home.mkdir(exist_ok=True)
        except OSError as exc:
            raise BadInput(f"cannot create {home}: {exc.strerror}") from None
    if target == path or bundle:
        atomic_write_text(path, new)
        if bundle and target != path:
            try:
                path.parent.rename(target.parent)
            except OSError as exc:
                raise BadInput(
                    f"published {path}, but could not rename its folder to {target.parent.name}: "
                    f"{exc.strerror}",
                    hint="rename the folder yourself",
                ) from None
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
        if (match := re.search(r"<!--.*", line)) and not RAW_TAG_LINE.match(line)
    ]
    date = str(meta.get("date")) if republished and meta.get("date") else stamp
    if isinstance(meta.get("date"), datetime) and republished:
        date = meta["date"].isoformat(timespec="seconds")
    renamed = None if target == path else path.parent if bundle else path
    return Published(target, new, renamed, republished, placeholders, date)
