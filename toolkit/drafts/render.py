"""A draft's context rendered through its template into a whole post: front matter + body.

An undefined variable is an error naming the template, line and variable; bip's helpers
(`cite`, `references`, `thread`...) are there in every template.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from toolkit.drafts.frontmatter import PostMeta, front_matter
from toolkit.drafts.templates import load_template, template_error
from toolkit.errors import BipError
from toolkit.literal import hugo_calls_in_code, hugo_literal, liquid_raw
from toolkit.references.citer import Citer
from toolkit.text import markdown_escape

if TYPE_CHECKING:
    from toolkit.drafts.context import DraftContext


def and_list(items: Any) -> str:
    """'A', 'A and B', 'A, B and C': a list as prose."""
    words = [str(i) for i in items]
    return ", ".join(words[:-1]) + " and " + words[-1] if len(words) > 1 else "".join(words)


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
    out = _without_empty_tables(out)
    kept: list[str] = []
    for i, line in enumerate(out):
        heading = re.match(r"^(#{1,6}) ", line)
        if heading and _empty_section(out, i, len(heading.group(1))):
            continue
        kept.append(line)
    text = "\n".join(kept)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


TABLE_ROW = re.compile(r"^\s*\|.*\|\s*$")
TABLE_RULE = re.compile(r"^\s*\|(\s*:?-+:?\s*\|)+\s*$")


def _without_empty_tables(lines: list[str]) -> list[str]:
    """Drop a table that is only its header and rule (every row of it was left out: a run
    with no numbers), which would render as an empty header row (code blocks untouched)."""
    out: list[str] = []
    fence = None
    i = 0
    while i < len(lines):
        line = lines[i]
        marker = re.match(r"^\s*(```+|~~~+)", line)
        if marker:
            fence = (
                None if fence and marker.group(1).startswith(fence) else (fence or marker.group(1))
            )
        elif (
            fence is None
            and TABLE_ROW.match(line)
            and i + 1 < len(lines)
            and TABLE_RULE.match(lines[i + 1])
            and not (out and TABLE_ROW.match(out[-1]))
            and not (i + 2 < len(lines) and TABLE_ROW.match(lines[i + 2]))
        ):
            i += 2
            continue
        out.append(line)
        i += 1
    return out


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
    warnings: list[str] = field(default_factory=list)  # for the person, not the post


def render(env: Any, template: str, context: DraftContext, citer: Citer) -> Rendered:
    """Render a template to a whole post (front matter + body)."""
    from toolkit.drafts.metrics import human_count, human_hours, human_lr, human_usd
    from toolkit.drafts.thread import chinese_text, split_thread

    posts: list[str] = []

    def thread(text: str) -> list[str]:
        found = split_thread(text)
        posts.extend(found)
        return found

    tmpl = load_template(env, template)
    for entry in context.entries:
        citer.cite(entry.id)
    values = {
        **context.template_values(),
        "count": human_count,
        "hours": human_hours,
        "usd": human_usd,
        "lr": human_lr,
        "cite": citer.cite,
        "references": citer.references_markdown,
        "thread": thread,
        "chinese": chinese_text,
        "and_list": and_list,
        "md": markdown_escape,
    }
    try:
        body = env.render_bounded(tmpl, values)
    except BipError:
        raise  # bip's own helpers (`cite` of an unknown id) say what is wrong
    except Exception as exc:  # noqa: BLE001 - whatever a template's code raises is its mistake
        raise template_error(exc, tmpl.filename) from None
    keys = [citer.keys[i] for i in citer.order]
    tags: list[str] = []
    for entry_id in citer.order:
        tags += [t for t in citer.model.entry(entry_id).tags if t not in tags]
    meta = PostMeta(context.title, context.date, tags, keys)
    generator = context.site.generator
    figure = context.training.figure  # its link is Liquid in a Jekyll site (posts.place)
    text = tidy_markdown(body)
    warnings = [] if generator != "both" else [
        f"{call} is in code: Hugo needs it written {hugo_literal(call, 'hugo')}, which the "
        "Jekyll page shows as written (in code no form shows as typed in both; see "
        "docs/drafts.md)"
        for call in hugo_calls_in_code(text)
    ]  # fmt: skip
    text = hugo_literal(text, generator)
    text = liquid_raw(text, generator, [figure.src] if figure is not None else [])
    text = front_matter(meta, generator) + "\n" + text + "\n"
    return Rendered(
        text, list(citer.order), {i: citer.keys[i] for i in citer.order}, posts, warnings
    )
