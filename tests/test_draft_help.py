"""`bip draft TEMPLATE --help`: each template's own example, which runs as written, and only the
options that reach that template (no TEMPLATE argument: the user typed it)."""

from __future__ import annotations

import json
import os
import re
import shlex
import sys
from pathlib import Path

import git
import pytest

from tests.test_drafts import build_repos
from toolkit.drafts import BUILTIN, SUFFIX

EVERY = {"--title", "--out", "--stdout", "--force", "--json", "--help"}
# What each built-in template reads, as the options that fill it.
OPTIONS = {
    "post": EVERY | {"--cite"},
    "paper-notes": EVERY | {"--cite"},
    "thread": EVERY | {"--cite", "--var", "--run", "--metrics", "--based-on"},
    "training-run": EVERY | {"--cite", "--run", "--metrics", "--baseline", "--based-on"},
    "build-log": EVERY | {"--cite", "--based-on", "--repo", "--upstream"},
    "contribution": EVERY | {"--cite", "--pr", "--offline", "--var"},
}
BUILTINS = sorted(p.name[: -len(SUFFIX)] for p in BUILTIN.glob(f"*{SUFFIX}"))


def shown_options(help_text: str) -> set[str]:
    listed = help_text.split("\nOptions:\n", 1)[1].split("\n\n", 1)[0]
    return {m.group(1) for m in re.finditer(r"^  (--[\w-]+)", listed, re.MULTILINE)}


def example_of(help_text: str) -> str:
    examples = [line.strip() for line in help_text.splitlines() if "Example: " in line]
    assert len(examples) == 1, examples
    return examples[0].removeprefix("Example: ")


def test_the_table_covers_every_builtin_template() -> None:
    assert BUILTINS == sorted(OPTIONS)


@pytest.mark.parametrize("name", BUILTINS)
def test_a_templates_help_is_its_own(bip, ws: Path, name: str) -> None:
    text = bip("-w", str(ws), "draft", name, "--help").stdout
    assert text.startswith(f"Usage: bip draft {name} [OPTIONS]\n"), text
    assert "TEMPLATE" not in text and "Arguments:" not in text, text
    assert example_of(text).startswith(f"bip draft {name} ")
    assert shown_options(text) == OPTIONS[name]
    # the example is no variable, nor are bip's helpers (`count`, `hours`, `usd`, `lr`)
    assert not re.search(r"^  (Example|count|hours|usd|lr)\b(?!:)", text, re.MULTILINE), text
    if "--run" not in OPTIONS[name]:
        assert "--run" not in text, text


def test_every_template_shows_a_different_example(bip, ws: Path) -> None:
    shown = {
        name: example_of(bip("-w", str(ws), "draft", name, "--help").stdout) for name in BUILTINS
    }
    assert len(set(shown.values())) == len(shown), shown


def test_every_templates_example_runs_as_written(
    bip, ws: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In a workspace from `bip init`, after what each example presumes: a recorded run, a
    baseline's numbers, a clone of the upstream code with your commits on it."""
    monkeypatch.chdir(ws)
    train = ws / "train.py"
    train.write_text("for i in range(3):\n    print(f'iter {i}: loss {4 - i / 2}, time 50.0ms')\n")
    bip("run", "--name", "gpt2-124m", "--", sys.executable, "train.py")
    (ws / "upstream.json").write_text(json.dumps({"val_loss": 3.4, "throughput": 150000}))
    mine, _ = build_repos(tmp_path)
    clone = Path(os.environ["HOME"]) / "src" / "nanogpt-rocm"
    clone.parent.mkdir(parents=True)
    mine.rename(clone)
    assert git.Repo(clone).remotes.origin.url.endswith("karpathy/nanoGPT.git")
    for name in BUILTINS:
        example = example_of(bip("draft", name, "--help").stdout)
        argv = [os.path.expanduser(a) for a in shlex.split(example)]  # as a shell passes it
        # previewed (--stdout): the whole post is made, only not written (nor its curve drawn)
        assert bip(*argv[1:], "--stdout").stdout.startswith("---\ntitle: "), name


def test_a_workspace_templates_header_gives_its_example_and_its_own_variable(
    bip, ws: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ws)
    (ws / "templates").mkdir()
    (ws / "templates" / "digest.md.j2").write_text(
        "{# A weekly digest of what I read.\n"
        'Example: bip draft digest --title "Week 47" --var mood=calm\n\n'
        "mood: how the week went, from --var mood=... #}\nThe week was {{ mood }}.\n"
    )
    text = bip("draft", "digest", "--help").stdout
    assert example_of(text) == 'bip draft digest --title "Week 47" --var mood=calm'
    assert shown_options(text) == EVERY | {"--var"}
    assert "  mood  how the week went" in text
    argv = shlex.split(example_of(text))
    assert "The week was calm." in bip(*argv[1:], "--stdout").stdout
    result = bip("draft", "digest", "--title", "x", "--var", "lr=1", code=2)
    assert "`lr` is set by bip" in result.stderr
