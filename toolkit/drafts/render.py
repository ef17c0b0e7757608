"""Drafts that cite: Jinja2 templates turned into Markdown posts with front matter and references.

Templates are looked up in the workspace's `templates/` first, then among the built-in ones.
They render the body; bip writes the front matter (YAML that Hugo and Jekyll both read).
An undefined variable is an error naming the template, line and variable; nothing is written
when anything fails, and an existing post is never overwritten without `force`.
"""

from __future__ import annotations

import re
import traceback
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any

from toolkit import yamledit
from toolkit.errors import BadInput, BipError
from toolkit.fileio import atomic_write_text, create_exclusive
from toolkit.readinglist import Entry, ReadingList
from toolkit.references.formats import references_markdown
from toolkit.references.keys import cite_keys
from toolkit.references.reference import Reference, reference

SUFFIX = ".md.j2"
BUILTIN = Path(str(resources.files("toolkit.templates")))
NEEDS = {  # what each built-in template needs from the command line
    "training-run": ("metrics", "--run RUN_ID or --metrics FILE"),
    "paper-notes": ("paper", "--cite PAPER_ID"),
    "build-log": ("build", "--based-on ENTRY --repo PATH"),
    "contribution": ("pr", "--pr owner/name#N"),
}


@dataclass
class TemplateInfo:
    name: str
    source: str  # workspace | built-in
    description: str
    variables: list[str]
    documented: dict[str, str] = field(default_factory=dict)  # NAME -> what it is, from {# #}


# What every template gets from bip; `--var NAME=VALUE` adds NAME, but never over one of these.
RESERVED = (
    "title", "date", "vars", "entries", "based_on", "build", "metrics", "pr", "paper", "related",
    "project", "cite", "references", "thread", "chinese", "and_list",
)  # fmt: skip


def environment(workspace_templates: Path | None) -> Any:
    """Jinja's sandbox: a template copied from someone else cannot reach Python's internals
    (`__class__`, `__globals__`), so it cannot run commands or read files; includes come from
    the template folders only."""
    import jinja2
    from jinja2.sandbox import SandboxedEnvironment

    paths = [str(p) for p in (workspace_templates, BUILTIN) if p is not None and p.is_dir()]
    return SandboxedEnvironment(
        loader=jinja2.FileSystemLoader(paths),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
    )


def list_templates(workspace_templates: Path | None) -> list[TemplateInfo]:
    import jinja2.meta

    env = environment(workspace_templates)
    found: dict[str, TemplateInfo] = {}
    for folder, source in ((workspace_templates, "workspace"), (BUILTIN, "built-in")):
        if folder is None or not folder.is_dir():
            continue
        for path in sorted(folder.glob(f"*{SUFFIX}")):
            name = path.name[: -len(SUFFIX)]
            if name in found:
                continue
            text = path.read_text(encoding="utf-8")
            description, documented = describe(text)
            try:
                parsed = env.parse(text, name + SUFFIX, str(path))
            except jinja2.TemplateSyntaxError as exc:
                raise template_error(exc, str(path)) from None
            variables = sorted(jinja2.meta.find_undeclared_variables(parsed))
            found[name] = TemplateInfo(name, source, description, variables, documented)
    return sorted(found.values(), key=lambda t: t.name)


def describe(text: str) -> tuple[str, dict[str, str]]:
    """A template's opening `{# ... #}`: its first paragraph describes it, and lines
    `NAME: what it is` document its variables."""
    found = re.match(r"\s*\{#(.*?)#\}", text, re.S)
    if not found:
        return "", {}
    lines = [line.strip() for line in found.group(1).strip().splitlines()]
    variables = {}
    for line in lines:
        match = re.match(r"^([A-Za-z_][A-Za-z0-9_.]*)\s*:\s+(.+)$", line)
        if match:
            variables[match.group(1)] = match.group(2)
    described = []
    for line in lines:
        if not line or re.match(r"^[A-Za-z_][A-Za-z0-9_.]*\s*:\s+", line):
            break
        described.append(line)
    return " ".join(described), variables


def and_list(items: Any) -> str:
    """'A', 'A and B', 'A, B and C': a list as prose."""
    words = [str(i) for i in items]
    return ", ".join(words[:-1]) + " and " + words[-1] if len(words) > 1 else "".join(words)


class Citer:
    """`cite(id)` in a template: numbers entries in order of first citation."""

    def __init__(self, model: ReadingList, cff: dict[str, str] | None = None) -> None:
        self.model = model
        self.keys = cite_keys(model)
        self.cff = cff or {}
        self.order: list[str] = []

    def cite(self, entry_id: str) -> str:
        self.model.entry(entry_id)  # unknown ids: an error with did-you-mean
        if entry_id not in self.order:
            self.order.append(entry_id)
        return f"[{self.order.index(entry_id) + 1}]"

    def references(self) -> list[Reference]:
        refs = []
        for entry_id in self.order:
            entry = self.model.entry(entry_id)
            cff = self.cff.get(entry.repo.lower()) if entry.repo else None
            refs.append(reference(entry, self.keys[entry_id], cff))
        return refs

    def references_markdown(self) -> str:
        return references_markdown(self.references())


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


def yaml_string(value: str) -> Any:
    """A string that stays a string for every YAML reader: `yes`, `No`, `on`, `null`, `2026`,
    `1e3`, `2026-11-23` are booleans, nulls, numbers or dates to YAML 1.1 (Hugo, Jekyll) or
    1.2, so those are double-quoted."""
    from ruamel.yaml.nodes import ScalarNode
    from ruamel.yaml.resolver import VersionedResolver
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString

    for version in ((1, 1), (1, 2)):
        tag = VersionedResolver(version=version).resolve(ScalarNode, value, (True, False))
        if str(tag) != "tag:yaml.org,2002:str":
            return DoubleQuotedScalarString(value)
    return value


HUGO_CONFIGS = ("hugo.toml", "hugo.yaml", "hugo.json", "config.toml", "config.yaml")
JEKYLL_CONFIGS = ("_config.yml", "_config.yaml", "_config.toml")


def site_kind(folder: Path) -> str | None:
    """`hugo` or `jekyll`: the static site the posts folder belongs to (its config file in the
    folder or up to 3 levels above: `content/posts/2026`, `_posts`), or None."""

    def has(place: Path, names: tuple[str, ...]) -> bool:
        try:
            return any((place / name).is_file() for name in names)
        except OSError:  # a name too long, a folder you may not read: no site config there
            return False

    for place in [folder.resolve(), *folder.resolve().parents][:4]:
        if has(place, JEKYLL_CONFIGS):
            return "jekyll"
        if has(place, HUGO_CONFIGS):
            return "hugo"
    return None


def front_matter(
    title: str,
    now: datetime,
    tags: list[str],
    keys: list[str],
    draft: bool = True,
    site: str | None = None,
) -> str:
    """YAML front matter that keeps a draft a draft: `draft` for Hugo, `published` for Jekyll.
    Both when the site is unknown; never `published` in a Hugo site, which reads it as a date
    and stops the build."""
    rest: dict[str, Any] = {"draft": draft}
    if site != "hugo":
        rest["published"] = not draft
    if tags:
        rest["tags"] = [yaml_string(str(t)) for t in tags]
    if keys:
        rest["citations"] = [yaml_string(k) for k in keys]
    # The date as a bare ISO 8601 timestamp: what Hugo and Jekyll both parse as a date.
    lines = [
        *yamledit.render_block({"title": yaml_string(title)}),
        f"date: {now.isoformat(timespec='seconds')}",
        *yamledit.render_block(rest),
    ]
    return "---\n" + "\n".join(lines) + "\n---\n"


def tidy_markdown(body: str) -> str:
    """What every template's output needs to be valid Markdown: a blank line before each
    heading, no heading over an empty section, no runs of blank lines (code blocks untouched)."""
    lines = body.strip().split("\n")
    out: list[str] = []
    fence = None
    for line in lines:
        marker = re.match(r"^\s*(```+|~~~+)", line)
        if fence is None and re.match(r"^#{1,6} ", line):
            if out and out[-1].strip():
                out.append("")
        out.append(line)
        if marker:
            fence = (
                None if fence and marker.group(1).startswith(fence) else (fence or marker.group(1))
            )
    kept: list[str] = []
    for i, line in enumerate(out):
        heading = re.match(r"^(#{1,6}) ", line)
        if heading and _empty_section(out, i, len(heading.group(1))):
            continue
        kept.append(line)
    text = "\n".join(kept)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _empty_section(lines: list[str], at: int, level: int) -> bool:
    for line in lines[at + 1 :]:
        heading = re.match(r"^(#{1,6}) ", line)
        if heading:
            return len(heading.group(1)) <= level
        if line.strip():
            return False
    return True


@dataclass
class Rendered:
    text: str
    cited: list[str]  # entry ids, in citation order
    keys: dict[str, str]  # entry id -> citation key
    posts: list[str] = field(default_factory=list)  # the X posts of thread(), for --json


def render(
    env: Any,
    template: str,
    title: str,
    now: datetime,
    citer: Citer,
    context: dict[str, Any],
    site: str | None = None,
) -> Rendered:
    """Render a template to a whole post (front matter + body)."""
    import jinja2

    if not title.strip():
        raise BadInput("the title is empty", hint='e.g. --title "GPT-2 124M on one MI300X"')
    title = " ".join(title.split())  # one line: a title is not a paragraph
    from toolkit.drafts.metrics import human_count, human_hours, human_lr, human_usd
    from toolkit.drafts.thread import chinese_text, split_thread

    posts: list[str] = []

    def thread(text: str) -> list[str]:
        found = split_thread(text)
        posts.extend(found)
        return found

    try:
        tmpl = env.get_template(template + SUFFIX)
    except jinja2.TemplateNotFound:
        names = [n[: -len(SUFFIX)] for n in env.list_templates() if n.endswith(SUFFIX)]
        from toolkit.text import did_you_mean

        raise BadInput(
            f"no template {template!r}",
            hint=did_you_mean(template, names) or "see `bip draft templates`",
        ) from None
    except jinja2.TemplateSyntaxError as exc:
        raise template_error(exc, template + SUFFIX) from None
    for entry in context.get("entries") or []:
        citer.cite(entry.id)
    variables = dict(context.get("vars") or {})
    values = {
        **{k: v for k, v in variables.items() if k not in RESERVED},
        "title": title,
        "date": now,
        "vars": {},
        "entries": [],
        "based_on": None,
        "build": None,
        "metrics": None,
        "pr": None,
        "paper": None,
        "related": [],
        "project": None,
        "run": None,
        "comparison": None,
        "figure": None,
        "base_commit": None,
        **context,
        "count": human_count,
        "hours": human_hours,
        "usd": human_usd,
        "lr": human_lr,
        "cite": citer.cite,
        "references": citer.references_markdown,
        "thread": thread,
        "chinese": chinese_text,
        "and_list": and_list,
    }
    try:
        body = tmpl.render(**values)
    except BipError:
        raise  # bip's own helpers (`cite` of an unknown id) say what is wrong
    except Exception as exc:  # noqa: BLE001 - whatever a template's code raises is its mistake
        raise template_error(exc, tmpl.filename) from None
    keys = [citer.keys[i] for i in citer.order]
    tags: list[str] = []
    for entry_id in citer.order:
        tags += [t for t in citer.model.entry(entry_id).tags if t not in tags]
    text = front_matter(title, now, tags, keys, site=site) + "\n" + tidy_markdown(body) + "\n"
    return Rendered(text, list(citer.order), {i: citer.keys[i] for i in citer.order}, posts)


def template_error(exc: BaseException, filename: str | None) -> BadInput:
    """A template's own mistake as a located error (exit 2): the template file and line where
    it happened, an included file's own place for its syntax errors, never "a bug in bip"."""
    import jinja2
    from jinja2.exceptions import SecurityError

    if isinstance(exc, jinja2.TemplateSyntaxError):
        where = exc.filename or filename or "template"
        return BadInput(
            f"template {where}:{exc.lineno}: syntax error: {exc.message}",
            hint="see https://jinja.palletsprojects.com/templates/",
        )
    file, line = _template_place(exc, filename)
    where = f"{file}:{line}" if line else str(file)
    if isinstance(exc, jinja2.UndefinedError):
        return BadInput(
            f"template {where}: {exc.message}",
            hint="pass it with --var NAME=VALUE, or guard it with {% if ... %}",
        )
    if isinstance(exc, jinja2.TemplateNotFound):
        return BadInput(
            f"template {where}: includes {exc.name!r}, which is not among the templates",
            hint="put it in the workspace's templates/ folder, or fix the name",
        )
    if isinstance(exc, SecurityError):
        return BadInput(
            f"template {where}: refused by the sandbox: {exc}",
            hint="templates may use their variables, filters and bip's helpers only",
        )
    return BadInput(f"template {where}: {type(exc).__name__}: {exc}")


def _template_place(exc: BaseException, filename: str | None) -> tuple[str | None, int | None]:
    """The innermost template frame of the traceback (Jinja rewrites frames to the template's
    file and line), an included template's included."""
    place: tuple[str | None, int | None] = (filename, None)
    for frame, lineno in traceback.walk_tb(exc.__traceback__):
        name = frame.f_code.co_filename
        if not name.startswith("<") and not name.endswith((".py", ".pyc")):
            place = (name, lineno)
    return place


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


def paper_context(model: ReadingList, paper: Entry) -> list[Entry]:
    """Other entries by the same figures: what a paper relates to in your own list."""
    return [e for e in model.entries if e.id != paper.id and set(e.figures) & set(paper.figures)]
