"""Liquid's raw blocks around a post's Liquid-looking text: written for Jekyll, undone for Hugo.

Jekyll runs Liquid over a post before Markdown; `liquid_raw` keeps a post's `{{ x }}` and
`{% if %}` as typed, and `without_raw` takes those blocks out again where Hugo reads the same
text (`bip site build`). Side by side so the two stay each other's inverse; standard library
only, since the site's start-up must not pay for toolkit.drafts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# A Liquid tag that ends a raw block: `{% endraw %}`, `{%- endraw -%}`, `{%endraw x%}`.
_ENDRAW = re.compile(r"\{%(-?\s*endraw\b)")
_FENCE = re.compile(r"^\s{0,3}(```+|~~~+)")


def liquid_raw(body: str, generator: str, liquid: Iterable[str] = ()) -> str:
    """A post's text as Jekyll must read it. Jekyll runs Liquid over a post before Markdown, so
    the `{{ x }}` and `{% if %}` of a Jinja, Go-template or Hugo example in a post would be
    evaluated (or stop the build). For "jekyll" and "both", each paragraph or fenced code block
    holding such text goes inside `{% raw %}...{% endraw %}` (a raw block never spans a blank
    line: Jekyll cuts a post's excerpt at the first one and warns about a block it cuts). The
    strings in `liquid` (bip's own `relative_url` image links) stay Liquid, outside the raw
    block; an `{% endraw %}` in the text cannot end the block early: it is written as Liquid
    printing it (`{% endraw %}{{ '{' }}{% raw %}% endraw %}`). With "both" the raw tags are
    HTML comments on their own lines, which Hugo leaves out of the page, and that `{` is
    `&#123;`, which both generators' Markdown shows as `{` (but as written inside code)."""
    if generator not in ("jekyll", "both"):
        return body
    kept = [k for k in dict.fromkeys(liquid) if k and k in body] if generator == "jekyll" else []
    split = re.compile("(" + "|".join(map(re.escape, kept)) + ")") if kept else None
    start, end = "{% raw %}", "{% endraw %}"
    if generator == "both":
        start, end = "<!-- {% raw %} -->\n", "\n<!-- {% endraw %} -->"
    out: list[str] = []
    for block in _blocks(body):
        parts = split.split(block) if split is not None else [block]
        if not any("{{" in p or "{%" in p for p in parts[::2]):
            out.append(block)
            continue
        escape = _print_brace if generator == "jekyll" else r"&#123;%\1"
        texts = [
            end + part + start if n % 2 else _ENDRAW.sub(escape, part)
            for n, part in enumerate(parts)
        ]
        out.append(start + "".join(texts) + end)
    return "\n".join(out)


def _print_brace(match: re.Match[str]) -> str:
    return "{% endraw %}{{ '{' }}{% raw %}%" + match.group(1)


def _blocks(body: str) -> list[str]:
    """The text's paragraphs and fenced code blocks, and each blank line between them outside a
    fence as a block of its own: joined with newlines, they are the text again."""
    blocks: list[str] = []
    current: list[str] = []
    fence: str | None = None
    for line in body.split("\n"):
        marker = _FENCE.match(line)
        if fence is None and not line.strip():
            if current:
                blocks.append("\n".join(current))
                current = []
            blocks.append(line)
        else:
            current.append(line)
        if marker:
            mark = marker.group(1)
            fence = None if fence and mark.startswith(fence) else (fence or mark)
    if current:
        blocks.append("\n".join(current))
    return blocks


# A line of liquid_raw's own for "both" (an HTML comment), not a placeholder to fill in.
RAW_TAG_LINE = re.compile(r"^<!-- \{% (?:end)?raw %\} -->$")

# The raw blocks bip writes into a Jekyll post (liquid_raw, above), and the Liquid
# that prints the `{` of an `{% endraw %}` inside one: Jekyll's business, text to Hugo.
_RAW = re.compile(
    r"\{% endraw %\}\{\{ '\{' \}\}\{% raw %\}|<!-- \{% (?:end)?raw %\} -->\n?|\n?<!-- \{% endraw %\} -->"
    r"|\{% (?:end)?raw %\}"
)


def without_raw(body: str) -> str:
    """A post written for Jekyll (or both) as Hugo must show it: without the raw tags."""
    if "raw %}" not in body:
        return body
    return _RAW.sub(lambda m: "{" if m.group().startswith("{% endraw %}{{") else "", body)
