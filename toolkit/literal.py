"""A post's text written so the site generator shows it as typed: Hugo's shortcode calls
and Jekyll's Liquid in it are text, not code to run.

Hugo runs shortcodes (`{{< x >}}`, `{{% x %}}`) and Jekyll runs Liquid (`{{ x }}`, `{% x %}`)
over a post before Markdown. `hugo_literal` writes a post's shortcode calls so Hugo shows them;
`liquid_raw` puts its Liquid-looking text in raw blocks for Jekyll, and `without_raw` takes
those blocks out again where Hugo reads the same text (`bip site build`): side by side, so the
two stay each other's inverse. Standard library only: the site's start-up must not pay for
toolkit.drafts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# A Hugo shortcode call, `{{< name ... >}}` or `{{% name ... %}}` (one line or several).
_SHORTCODE = re.compile(r"\{\{([<%])(?!/\*)(.*?)(?<!\*/)([>%])\}\}", re.DOTALL)
_TICKS = re.compile(r"(?<![`\\])`+")


def hugo_literal(body: str, generator: str) -> str:
    """A post's text as Hugo must read it. Hugo runs shortcodes before Markdown, anywhere in
    the text (code too), so a post about Hugo citing `{{< figure >}}` would call that
    shortcode, or stop the build when the site has none by that name. For "hugo", each call is
    written in Hugo's own escape, `{{</* figure */>}}`, which the page shows as `{{< figure >}}`.
    For "both", Jekyll would show that escape as written: outside code a call's braces and
    angle brackets are written as HTML entities (`&#123;&#123;&lt; figure &gt;}}`), which
    neither generator reads as a call and both pages show as `{{< figure >}}`. In code, where
    both show entities as written, Hugo's escape stays (`hugo_calls_in_code` names them)."""
    if generator not in ("hugo", "both") or "{{" not in body:
        return body
    if generator == "hugo":
        return _SHORTCODE.sub(_hugo_escape, body)
    code = code_ranges(body)
    return _SHORTCODE.sub(lambda m: _hugo_escape(m) if _within(m, code) else _entities(m), body)


def hugo_calls_in_code(body: str) -> list[str]:
    """The shortcode calls in code spans and code blocks, once each: where, for "both", the
    Jekyll page shows Hugo's escape as written."""
    if "{{" not in body:
        return []
    code = code_ranges(body)
    return list(dict.fromkeys(m.group() for m in _SHORTCODE.finditer(body) if _within(m, code)))


def code_ranges(body: str) -> list[tuple[int, int]]:
    """Where the text is code to Markdown, as (start, end) offsets: fenced code blocks, indented
    code blocks and code spans. Text inside a list indented like code counts as code: the safe
    side, since Hugo's escape is right in Hugo either way."""
    ranges: list[tuple[int, int]] = []
    prose: list[tuple[int, int]] = []  # runs of prose lines, split at blank lines
    fence: str | None = None
    blank_before = True
    start = 0
    for line in body.split("\n"):
        end = start + len(line)
        marker = _FENCE.match(line)
        indented = line.startswith(("    ", "\t")) and line.strip()
        if (
            fence is not None
            or marker
            or (indented and (blank_before or _ends_code(ranges, start)))
        ):
            ranges.append((start, end))
            if marker:
                mark = marker.group(1)
                fence = None if fence and mark.startswith(fence) else (fence or mark)
        elif line.strip():
            if prose and prose[-1][1] == start - 1:
                prose[-1] = (prose[-1][0], end)
            else:
                prose.append((start, end))
        blank_before = not line.strip()
        start = end + 1
    for first, last in prose:
        ranges += _code_spans(body, first, last)
    return sorted(ranges)


def _ends_code(ranges: list[tuple[int, int]], start: int) -> bool:
    return bool(ranges) and ranges[-1][1] == start - 1


def _code_spans(body: str, first: int, last: int) -> list[tuple[int, int]]:
    """Markdown's code spans in body[first:last]: a run of backticks up to the next run of
    the same length."""
    spans = []
    at = first
    while (opening := _TICKS.search(body, at, last)) is not None:
        ticks = opening.group()
        closing = re.compile(f"(?<!`){ticks}(?!`)").search(body, opening.end(), last)
        if closing is None:
            at = opening.end()
            continue
        spans.append((opening.start(), closing.end()))
        at = closing.end()
    return spans


def _within(match: re.Match[str], ranges: list[tuple[int, int]]) -> bool:
    return any(start <= match.start() < end for start, end in ranges)


def _hugo_escape(match: re.Match[str]) -> str:
    return "{{" + match[1] + "/*" + match[2] + "*/" + match[3] + "}}"


def _entities(match: re.Match[str]) -> str:
    angle = match[1] == "<"
    return f"&#123;&#123;{'&lt;' if angle else '%'}{match[2]}{'&gt;' if angle else '%'}}}}}"


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
