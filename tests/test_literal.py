"""toolkit.literal: shortcode calls written for Hugo (and "both"), the raw blocks written for
Jekyll and taken out again for Hugo. What the real generators show is tested in
test_posts_sites.py and test_site.py; here, which parts of a text are code."""

from __future__ import annotations

import subprocess
import sys

import pytest

from toolkit.literal import (
    RAW_TAG_LINE,
    code_ranges,
    hugo_calls_in_code,
    hugo_literal,
    liquid_raw,
    without_raw,
)

TEXTS = [
    "plain text, nothing to keep",
    "Liquid: {{ x }} and {% if y %}",
    "a {% endraw %} inside, and {%- endraw -%} too",
    "one\n\n```jinja\n{{ title }}\n\n{% for e in entries %}\n```\n\nafter {{ a }}",
]


@pytest.mark.parametrize("text", TEXTS)
def test_without_raw_undoes_liquid_raw_for_jekyll(text: str) -> None:
    wrapped = liquid_raw(text, "jekyll")
    assert ("{% raw %}" in wrapped) == ("{" in text)
    assert without_raw(wrapped) == text


@pytest.mark.parametrize("text", TEXTS[:2] + TEXTS[3:])
def test_without_raw_undoes_liquid_raw_for_both(text: str) -> None:
    wrapped = liquid_raw(text, "both")
    tags = [line for line in wrapped.splitlines() if RAW_TAG_LINE.match(line)]
    assert len(tags) == 2 * wrapped.count("<!-- {% raw %} -->")
    assert without_raw(wrapped) == text


def test_the_site_reads_posts_without_loading_the_drafts_package() -> None:
    code = "import sys, toolkit.site.build; print(any(m.startswith('toolkit.drafts') for m in sys.modules))"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60
    )
    assert result.stdout.strip() == "False", result.stderr


CODE_TEXT = """Prose {{% note %}} and `{{< a >}}`, ``x ` {{< b >}}`` and `a span
across lines {{< d >}}` in one paragraph; an unclosed ` {{< c >}}.

```go
{{< e >}}

{{% f %}}
```

    {{< g >}}
    {{< h >}}
- a list item
  {{< i >}}

~~~
{{< j >}}
~~~~"""


def test_code_is_fences_indented_blocks_and_spans() -> None:
    in_code = hugo_calls_in_code(CODE_TEXT)
    assert set(in_code) == {"{{< a >}}", "{{< b >}}", "{{< d >}}", "{{< e >}}", "{{% f %}}",
                            "{{< g >}}", "{{< h >}}", "{{< j >}}"}  # fmt: skip
    spans = [CODE_TEXT[a:b] for a, b in code_ranges(CODE_TEXT)]
    assert "`{{< a >}}`" in spans and "``x ` {{< b >}}``" in spans
    assert "```go" in spans and "    {{< h >}}" in spans and "~~~~" in spans


def test_both_writes_entities_outside_code_and_hugos_escape_inside() -> None:
    written = hugo_literal(CODE_TEXT, "both")
    assert "Prose &#123;&#123;% note %}} and `{{</* a */>}}`" in written
    assert "unclosed ` &#123;&#123;&lt; c &gt;}}" in written
    assert "  &#123;&#123;&lt; i &gt;}}" in written  # a list's text, not code
    assert "\n{{%/* f */%}}\n" in written and "{{</* j */>}}" in written
    assert "{{<" not in written.replace("{{</*", "") and "{{%" not in written.replace("{{%/*", "")
    # for Hugo alone, the escape everywhere; for Jekyll alone, the text as it is
    assert hugo_literal(CODE_TEXT, "hugo").count("/*") == 11
    assert hugo_literal(CODE_TEXT, "jekyll") == CODE_TEXT
