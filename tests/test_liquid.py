"""toolkit.liquid: the raw blocks written for Jekyll and taken out again for Hugo, side by side."""

from __future__ import annotations

import subprocess
import sys

import pytest

from toolkit.liquid import RAW_TAG_LINE, liquid_raw, without_raw

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
