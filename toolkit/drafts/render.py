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
from toolkit.errors import BadInput
from toolkit.fileio import atomic_write_text, create_exclusive
from toolkit.readinglist import Entry, ReadingList

SUFFIX = ".md.j2"
BUILTIN = Path(str(resources.files("toolkit.templates")))
NEEDS = {  # what each built-in template needs from the command line
    "training-run": ("metrics", "--metrics FILE"),
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
    "project", "cite", "references", "thread", "and_list",
)  # fmt: skip


def environment(workspace_templates: Path | None) -> Any:
    import jinja2

    paths = [str(p) for p in (workspace_templates, BUILTIN) if p is not None and p.is_dir()]
    return jinja2.Environment(
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
            variables = sorted(jinja2.meta.find_undeclared_variables(env.parse(text)))
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


def post_path(folder: Path, now: datetime, title: str) -> Path:
    path = (folder / f"{now:%Y-%m-%d}-{slugify(title)}.md").resolve()
    if path.parent != folder.resolve():
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
    for place in [folder.resolve(), *folder.resolve().parents][:4]:
        if any((place / name).is_file() for name in JEKYLL_CONFIGS):
            return "jekyll"
        if any((place / name).is_file() for name in HUGO_CONFIGS):
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
    from toolkit.drafts.thread import split_thread

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
        raise BadInput(
            f"template {exc.filename or template}:{exc.lineno}: syntax error: {exc.message}"
        ) from None
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
        **context,
        "cite": citer.cite,
        "references": citer.references_markdown,
        "thread": split_thread,
        "and_list": and_list,
    }
    try:
        body = tmpl.render(**values)
    except jinja2.UndefinedError as exc:
        line = _template_line(exc)
        where = f"{tmpl.filename}:{line}" if line else tmpl.filename
        raise BadInput(
            f"template {where}: {exc.message}",
            hint="pass it with --var NAME=VALUE, or guard it with {% if ... %}",
        ) from None
    keys = [citer.keys[i] for i in citer.order]
    tags: list[str] = []
    for entry_id in citer.order:
        tags += [t for t in citer.model.entry(entry_id).tags if t not in tags]
    text = front_matter(title, now, tags, keys, site=site) + "\n" + tidy_markdown(body) + "\n"
    return Rendered(text, list(citer.order), {i: citer.keys[i] for i in citer.order})


def _template_line(exc: BaseException) -> int | None:
    line = None
    for frame, lineno in traceback.walk_tb(exc.__traceback__):
        if frame.f_code.co_filename.endswith(SUFFIX):
            line = lineno
    return line


def write_post(path: Path, text: str, force: bool) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
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
    return Published(target, new, None if target == path else path, republished, placeholders)


def paper_context(model: ReadingList, paper: Entry) -> list[Entry]:
    """Other entries by the same figures: what a paper relates to in your own list."""
    return [e for e in model.entries if e.id != paper.id and set(e.figures) & set(paper.figures)]
