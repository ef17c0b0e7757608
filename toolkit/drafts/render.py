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

from toolkit import citations, yamledit
from toolkit.errors import BadInput, BipError
from toolkit.fileio import atomic_write_text, create_exclusive
from toolkit.readinglist import Entry, ReadingList

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
            described = re.match(r"\{#\s*(.*?)\s*#\}", text)
            try:
                parsed = env.parse(text, name + SUFFIX, str(path))
            except jinja2.TemplateSyntaxError as exc:
                raise template_error(exc, str(path)) from None
            variables = sorted(jinja2.meta.find_undeclared_variables(parsed))
            found[name] = TemplateInfo(
                name, source, described.group(1) if described else "", variables
            )
    return sorted(found.values(), key=lambda t: t.name)


class Citer:
    """`cite(id)` in a template: numbers entries in order of first citation."""

    def __init__(self, model: ReadingList, cff: dict[str, str] | None = None) -> None:
        self.model = model
        self.keys = citations.cite_keys(model)
        self.cff = cff or {}
        self.order: list[str] = []

    def cite(self, entry_id: str) -> str:
        self.model.entry(entry_id)  # unknown ids: an error with did-you-mean
        if entry_id not in self.order:
            self.order.append(entry_id)
        return f"[{self.order.index(entry_id) + 1}]"

    def references(self) -> list[citations.Reference]:
        refs = []
        for entry_id in self.order:
            entry = self.model.entry(entry_id)
            cff = self.cff.get(entry.repo.lower()) if entry.repo else None
            refs.append(citations.reference(entry, self.keys[entry_id], cff))
        return refs

    def references_markdown(self) -> str:
        return citations.references_markdown(self.references())


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


def front_matter(
    title: str, now: datetime, tags: list[str], keys: list[str], draft: bool = True
) -> str:
    rest: dict[str, Any] = {"draft": draft}
    if tags:
        rest["tags"] = tags
    if keys:
        rest["citations"] = keys
    # The date as a bare ISO 8601 timestamp: what Hugo and Jekyll both parse as a date.
    lines = [
        *yamledit.render_block({"title": title}),
        f"date: {now.isoformat(timespec='seconds')}",
        *yamledit.render_block(rest),
    ]
    return "---\n" + "\n".join(lines) + "\n---\n"


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
) -> Rendered:
    """Render a template to a whole post (front matter + body)."""
    import jinja2

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
        names = [t.name for t in list_templates(None)]
        from toolkit.text import did_you_mean

        raise BadInput(
            f"no template {template!r}",
            hint=did_you_mean(template, names) or "see `bip draft templates`",
        ) from None
    except jinja2.TemplateSyntaxError as exc:
        raise template_error(exc, template + SUFFIX) from None
    for entry in context.get("entries") or []:
        citer.cite(entry.id)
    values = {
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
    text = (
        front_matter(title, now, tags, keys) + "\n" + re.sub(r"\n{3,}", "\n\n", body.strip()) + "\n"
    )
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


def publish(path: Path, now: datetime) -> str:
    """Set `draft: false` and the publish date in a post's front matter, changing only those lines."""
    if not path.is_file():
        raise BadInput(f"{path} does not exist")
    text = path.read_text(encoding="utf-8")
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---" or "---" not in [x.strip() for x in lines[1:]]:
        raise BadInput(f"{path}: no front matter (--- block) at the top")
    end = 1 + [x.strip() for x in lines[1:]].index("---")
    yamledit.parse(
        "\n".join(lines[1:end]) + "\n", str(path)
    )  # a broken front matter: located error
    stamp = now.isoformat(timespec="seconds")
    found = {"draft": False, "date": False}
    for i in range(1, end):
        for key, value in (("draft", "false"), ("date", stamp)):
            if re.match(rf"^{key}\s*:", lines[i]):
                lines[i] = f"{key}: {value}"
                found[key] = True
    for key, value in (("draft", "false"), ("date", stamp)):
        if not found[key]:
            lines.insert(end, f"{key}: {value}")
            end += 1
    new = "\n".join(lines)
    atomic_write_text(path, new)
    return new


def paper_context(model: ReadingList, paper: Entry) -> list[Entry]:
    """Other entries by the same figures: what a paper relates to in your own list."""
    return [e for e in model.entries if e.id != paper.id and set(e.figures) & set(paper.figures)]
