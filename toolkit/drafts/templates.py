"""Where post templates come from and what they say about themselves.

Templates are looked up in the workspace's `templates/` first, then among the built-in ones.
They run in Jinja's sandbox, bounded (toolkit.drafts.sandbox). A template's own mistake is a
located error naming its file and line, never "a bug in bip"; a broken template is listed with
its error, never hiding the others.
"""

from __future__ import annotations

import re
import traceback
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from toolkit.errors import BadInput, BipError

SUFFIX = ".md.j2"
BUILTIN = Path(str(resources.files("toolkit.templates")))
NEEDS = {  # what each built-in template needs from the command line
    "training-run": ("metrics", "--run RUN_ID or --metrics FILE"),
    "paper-notes": ("paper", "--cite PAPER_ID"),
    "build-log": ("build", "--based-on ENTRY --repo PATH"),
    "contribution": ("pr", "--pr owner/name#N"),
}

# What every template gets from bip; `--var NAME=VALUE` adds NAME, but never over one of these.
RESERVED = (
    "title", "date", "vars", "entries", "based_on", "build", "metrics", "pr", "paper", "related",
    "project", "cite", "references", "thread", "chinese", "and_list", "md",
    "run", "comparison", "figure", "base_commit", "credit", "run_thread",
    "count", "hours", "usd", "lr",
)  # fmt: skip
# bip's helpers: not worth listing as a template's own variables.
HELPERS = (
    "cite",
    "references",
    "thread",
    "chinese",
    "title",
    "date",
    "count",
    "hours",
    "usd",
    "lr",
    "md",
)

# The options of `bip draft TEMPLATE` that fill each variable a template reads; `--var` fills
# any name bip does not set. Every template takes EVERY_TEMPLATE.
OPTIONS_FOR = {
    "entries": ("--cite",), "paper": ("--cite",), "related": ("--cite",),
    "references": ("--cite",),
    "based_on": ("--based-on",), "build": ("--based-on", "--repo", "--upstream"),
    "pr": ("--pr", "--offline", "--var"), "project": ("--pr",),
    "metrics": ("--run", "--metrics"), "run": ("--run",), "figure": ("--run",),
    "comparison": ("--run", "--metrics", "--baseline"),
    "run_thread": ("--run", "--metrics", "--based-on"), "credit": ("--run", "--based-on"),
    "base_commit": ("--run", "--based-on"), "vars": ("--var",),
}  # fmt: skip
EVERY_TEMPLATE = ("--title", "--out", "--stdout", "--force", "--json")
EXAMPLE = re.compile(r"^Example:\s+(bip draft .+)$")


@dataclass
class TemplateInfo:
    name: str
    source: str  # workspace | built-in
    description: str
    variables: list[str]
    documented: dict[str, str] = field(default_factory=dict)  # NAME -> what it is, from {# #}
    error: str | None = None  # why it cannot render (a syntax error), located
    own_example: str | None = None  # its header's `Example: bip draft NAME ...` line

    @property
    def example(self) -> str:
        """A command that writes a post with it: its header's, else one with a title only."""
        return self.own_example or f'bip draft {self.name} --title "My {self.name}"'

    @property
    def options(self) -> list[str]:
        """The options of `bip draft NAME` that reach this template, sorted."""
        found = set(EVERY_TEMPLATE)
        for name in self.variables:
            found.update(OPTIONS_FOR.get(name, ("--var",) if name not in RESERVED else ()))
        if set(self.documented) - set(RESERVED):  # a documented `--var` of its own
            found.add("--var")
        return sorted(found)

    @property
    def uses(self) -> list[str]:
        """The variables it reads beyond bip's helpers."""
        return [v for v in self.variables if v not in HELPERS]


def environment(workspace_templates: Path | None) -> Any:
    """Jinja's sandbox: a template copied from someone else cannot reach Python's internals
    (`__class__`, `__globals__`), so it cannot run commands or read files, and cannot burn the
    machine (see toolkit.drafts.sandbox); includes come from the template folders only."""
    import jinja2

    from toolkit.drafts.sandbox import BoundedEnvironment

    paths = [str(p) for p in (workspace_templates, BUILTIN) if p is not None and p.is_dir()]
    return BoundedEnvironment(
        loader=jinja2.FileSystemLoader(paths),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
    )


def list_templates(workspace_templates: Path | None) -> list[TemplateInfo]:
    """Every template, workspace ones hiding built-ins of the same name. One that cannot be
    read or parsed is listed with its error."""
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
            info = TemplateInfo(name, source, "", [])
            found[name] = info
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                info.error = f"{path}: cannot be read ({exc})"
                continue
            info.description, info.documented, info.own_example = describe(text)
            try:
                parsed = env.parse(text, name + SUFFIX, str(path))
                info.variables = sorted(jinja2.meta.find_undeclared_variables(parsed))
            except jinja2.TemplateSyntaxError as exc:
                info.error = template_error(exc, str(path)).message
            except (RecursionError, MemoryError):
                info.error = f"template {path}: too deeply nested to parse"
    return sorted(found.values(), key=lambda t: t.name)


def describe(text: str) -> tuple[str, dict[str, str], str | None]:
    """A template's opening `{# ... #}`: its first paragraph describes it, a line
    `Example: bip draft NAME ...` shows it in use, and lines `NAME: what it is` document its
    variables."""
    found = re.match(r"\s*\{#(.*?)#\}", text, re.S)
    if not found:
        return "", {}, None
    lines = [line.strip() for line in found.group(1).strip().splitlines()]
    examples = [m.group(1) for m in map(EXAMPLE.match, lines) if m]
    lines = [line for line in lines if not EXAMPLE.match(line)]
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
    return " ".join(described), variables, examples[0] if examples else None


def template_help(workspace_templates: Path | None, name: str) -> tuple[TemplateInfo | None, str]:
    """`bip draft TEMPLATE --help`: the template `bip draft NAME` would use (a workspace one
    before a built-in; None when there is none), and what its help says after the options:
    the template's description, what it needs, its variables (or that there is no such
    template)."""
    from toolkit.text import did_you_mean

    found = {t.name: t for t in list_templates(workspace_templates)}
    if name not in found:
        hint = did_you_mean(name, found) or "see `bip draft templates`"
        return None, f"No template {name!r} ({hint}).\n"
    info = found[name]
    out = [f"Template {name} ({info.source}): {info.description or 'no description'}"]
    if info.error:
        out.append(f"  broken: {info.error}")
    if name in NEEDS and info.source == "built-in":
        out.append(f"  needs: {NEEDS[name][1]}")
    own = {v: info.documented.get(v, "") for v in info.variables if v not in RESERVED}
    own.update(info.documented)
    out.append("")
    if "--var" in info.options:
        out.append("Any --var NAME=VALUE is {{ NAME }} in the template.")
    if own:
        out.append("Variables:")
        width = max(len(k) for k in own)
        out += [f"  {k.ljust(width)}  {v}".rstrip() for k, v in sorted(own.items())]
    return info, "\n".join(out) + "\n"


def load_template(env: Any, template: str) -> Any:
    """The compiled template by name, or a BadInput saying which exist or where it is broken."""
    import jinja2

    try:
        return env.get_template(template + SUFFIX)
    except jinja2.TemplateNotFound:
        names = [n[: -len(SUFFIX)] for n in env.list_templates() if n.endswith(SUFFIX)]
        from toolkit.text import did_you_mean

        raise BadInput(
            f"no template {template!r}",
            hint=did_you_mean(template, names) or "see `bip draft templates`",
        ) from None
    except jinja2.TemplateSyntaxError as exc:
        raise template_error(exc, template + SUFFIX) from None
    except (RecursionError, MemoryError):
        raise BadInput(f"template {template + SUFFIX}: too deeply nested to parse") from None


def template_error(exc: BaseException, filename: str | None) -> BipError:
    """A template's own mistake as a located error (exit 2): the template file and line where
    it happened, an included file's own place for its syntax errors, never "a bug in bip"."""
    import jinja2
    from jinja2.exceptions import SecurityError

    from toolkit.drafts.sandbox import TemplateLimit

    if isinstance(exc, jinja2.TemplateSyntaxError):
        where = exc.filename or filename or "template"
        return BadInput(
            f"template {where}:{exc.lineno}: syntax error: {exc.message}",
            hint="see https://jinja.palletsprojects.com/templates/",
        )
    file, line = template_place(exc, filename)
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
    if isinstance(exc, RecursionError):
        return BadInput(f"template {where}: recursion too deep (a macro calling itself?)")
    if isinstance(exc, TemplateLimit):
        return BadInput(
            f"template {where}: stopped: {exc}",
            hint="templates are bounded in operations, sizes and time; see docs/drafts.md",
        )
    if isinstance(exc, MemoryError):
        return BadInput(f"template {where}: stopped: it needed more memory than a post may use")
    return BadInput(f"template {where}: {type(exc).__name__}: {exc}")


def template_place(exc: BaseException, filename: str | None) -> tuple[str | None, int | None]:
    """The innermost template frame of the traceback (Jinja rewrites frames to the template's
    file and line), an included template's included."""
    place: tuple[str | None, int | None] = (filename, None)
    for frame, lineno in traceback.walk_tb(exc.__traceback__):
        name = frame.f_code.co_filename
        if not name.startswith("<") and not name.endswith((".py", ".pyc")):
            place = (name, lineno)
    return place
