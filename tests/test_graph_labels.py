"""Mermaid and DOT labels render as written: names with quotes, brackets and `#132;`.

The Mermaid oracle is Mermaid itself (npm `mermaid`, run by node with jsdom: tests/js). It is
installed by `make test` when npm is there; CI must have it, elsewhere the test says how to get it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from toolkit.contrib.graph import Graph, Interaction, render_dot, render_mermaid

JS = Path(__file__).resolve().parent / "js"
FIGURE = 'Tri "the kernel" Dao [FA] <b>bold</b> & | `x` #1;'


def tricky_graph() -> Graph:
    url = "https://github.com/o/r/pull/132"
    return Graph(
        "me",
        [
            Interaction("tridao", "approved", "o/r", 132, url),
            Interaction("tridao", "commented", "o/r", 132, url),
            Interaction("some-one", "reviewed", "o/r", 7, url),
        ],
        {"tridao": FIGURE},
    )


def mermaid_read(text: str) -> dict:
    node = shutil.which("node")
    if node is None or not (JS / "node_modules" / "mermaid").is_dir():
        if os.environ.get("CI"):
            pytest.fail("the Mermaid oracle is missing in CI: npm ci --prefix tests/js")
        pytest.skip("Mermaid not installed: run `npm ci --prefix tests/js` (make test does)")
    out = subprocess.run(
        [node, str(JS / "mermaid_labels.mjs")],
        input=text,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_mermaid_renders_every_label_as_written():
    read = mermaid_read(render_mermaid(tricky_graph()))
    assert "error" not in read, read
    assert read["vertices"] == {
        "u_me": "me",
        "u_some_one": "some-one",
        "u_tridao": f"{FIGURE} ★ (tridao)",
    }
    assert sorted(read["edges"]) == [
        ["u_some_one", "u_me", "reviewed #7"],
        ["u_tridao", "u_me", "approved #132; commented #132"],
    ]


def test_mermaid_oracle_sees_the_old_bug():
    """The oracle is not blind: unescaped, `#132;` is a character and a quote ends the label."""
    read = mermaid_read('graph LR\n  a["approved #132; x"]\n')
    assert read["vertices"]["a"] != "approved #132; x"
    assert "error" in mermaid_read('graph LR\n  a["Tri "the kernel" Dao"]\n')


def dot_strings(text: str) -> list[str]:
    """Every double-quoted string of a DOT file, decoded as Graphviz does for labels: in the
    string only `\\"` is an escape; in a label `\\\\` is a backslash (and `\\n`, `\\N`... are
    commands, so a name must never produce one)."""
    found = []
    for raw in re.findall(r'"((?:[^"\\]|\\.)*)"', text):
        assert not re.search(r"(?<!\\)(?:\\\\)*\\[nlrNGETHL]", raw), raw
        found.append(re.sub(r"\\(.)", r"\1", raw))
    return found


def test_dot_renders_every_label_as_written():
    graph = tricky_graph()
    graph.figures["tridao"] = FIGURE + " C:\\new\\Name"
    strings = dot_strings(render_dot(graph))
    assert f"{FIGURE} C:\\new\\Name (tridao)" in strings
    assert "approved #132; commented #132" in strings
    assert strings.count("tridao") == 2 and strings.count("me") == 3
