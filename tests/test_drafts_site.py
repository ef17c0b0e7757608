"""Drafts that are right: every template's post built by the real Hugo, front matter that means
what it says, variables and help for each template, titles and PR states bip must not invent."""

from __future__ import annotations

import html
import json
import re
import shutil
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT
from tests.hugo import build, hugo_site
from tests.test_drafts import RUN, build_repos, front, posts


def texts(page: str, tag: str) -> list[str]:
    found = re.findall(rf"<{tag}[^>]*>(.*?)</{tag}>", page, re.S)
    return [html.unescape(re.sub(r"<[^>]+>", "", t)).strip() for t in found]


def test_every_template_builds_with_hugo(bip, real_list: Path, tmp_path: Path):
    metrics = tmp_path / "m.json"
    metrics.write_text(json.dumps(RUN))
    mine, _ = build_repos(tmp_path)
    site = hugo_site(tmp_path)
    out = site / "content" / "posts"
    runs = {
        "post": ["--cite", "nanogpt", "--cite", "vllm-paper", "--cite", "flash-attention-paper"],
        "training-run": ["--metrics", str(metrics), "--based-on", "nanogpt"],
        "paper-notes": ["--cite", "flash-attention-paper"],
        "build-log": ["--based-on", "nanogpt", "--repo", str(mine)],
        "contribution": ["--pr", "vllm-project/vllm#1", "--var", "reviewers=WoosukKwon"],
        "thread": ["--var", "text=hello world, this is a thread"],
    }
    assert set(runs) == {p.name[:-6] for p in (REPO_ROOT / "templates").glob("*.md.j2")}
    for name, args in runs.items():
        bip("-w", str(real_list), "draft", name, "--title", f"A {name}", "--out", str(out), *args)
    assert build(site) == {}  # drafts stay out of the site (Hugo's `draft: true`) ...
    pages = build(site, "--buildDrafts")  # ... and are built on request
    assert len(pages) == len(runs)
    for name in runs:
        slug = f"a-{name}-thread" if name == "thread" else f"a-{name}"  # beside its post
        page = pages[f"2026-11-23-{slug}"]
        assert texts(page, "h1") == [f"A {name}"] and texts(page, "title") == [f"A {name}"]
        assert 'class="date">2026-11-23<' in page
        source = next(out.glob(f"*-{slug}.md")).read_text()
        # every heading of the Markdown is a heading in the HTML: none glued to a paragraph
        headings = re.findall(r"^#{2,3} (.+)$", source, re.M)
        built = [
            html.unescape(h).replace("\u2019", "'")  # Hugo's typographic apostrophe
            for _, h in re.findall(r"<h([23])[^>]*>(.*?)</h\1>", page)
        ]
        assert built == headings, name
        # every list item of the Markdown is its own <li>
        items = re.findall(r"^(?:- |\d+\. )(.*\S.*)$", source, re.M)
        real = [i for i in items if not i.startswith("<!--")]
        assert len(texts(page, "li")) == len(items), (name, items)
        words = [re.sub(r"\W", "", li) for li in texts(page, "li")]
        for item in real:  # each item is an <li> of its own, starting with its own words
            start = re.sub(r"\W", "", item.split("](")[0])[:15]
            assert any(w.startswith(start) for w in words), (name, item)
        # a post that cites has its references; nothing cites into the void
        if re.search(r"\[\d+\]", source.split("## References")[0]):
            assert "References" in texts(page, "h2"), name
        assert "None" not in page and "{{" not in page
    notes = pages["2026-11-23-a-paper-notes"]
    assert (
        "FlashAttention-2: Faster Attention with Better Parallelism and Work Partitioning [2]"
        in (texts(notes, "li"))
    )
    post = pages["2026-11-23-a-post"]
    assert re.search(
        r"This builds on nanoGPT \[1\], [^,]+ \[2\] and FlashAttention: [^,]+ \[3\]\.", post
    )


@pytest.mark.parametrize(
    "title", ["yes", "No", "on", "OFF", "null", "2026", "~", "1e3", "2026-11-23", "12:30"]
)
def test_front_matter_titles_stay_strings(bip, ws: Path, tmp_path: Path, title: str):
    """Read by Hugo, and by a YAML 1.1 reader as Jekyll's Psych is (PyYAML), the title is text."""
    import yaml

    site = hugo_site(tmp_path)
    bip("-w", str(ws), "draft", "post", "--title", title, "--out", str(site / "content" / "posts"))
    [post] = (site / "content" / "posts").glob("*.md")
    meta = yaml.safe_load(post.read_text().split("---\n")[1])
    assert meta["title"] == title and meta["draft"] is True
    [page] = build(site, "--buildDrafts").values()
    assert texts(page, "h1") == [title]


def test_template_variables_are_top_level_and_documented(bip, ws: Path):
    (ws / "templates").mkdir()
    (ws / "templates" / "weekly-digest.md.j2").write_text(
        "{# A weekly digest.\n\nmood: how the week went #}\nMood: {{ mood }}; {{ vars.mood }}\n"
    )
    text = bip("-w", str(ws), "draft", "weekly-digest", "--title", "w", "--var", "mood=good")
    assert "Mood: good; good" in posts(ws)[0].read_text() and "wrote" in text.stdout
    help_text = bip("-w", str(ws), "draft", "weekly-digest", "--help").stdout
    assert "Template weekly-digest (workspace): A weekly digest." in help_text
    assert "  mood  how the week went" in help_text
    thread = bip("-w", str(ws), "draft", "thread", "--help").stdout
    assert "Template thread (built-in): A thread for X" in thread and "  text " in thread
    # as typed, not the hidden `bip draft new TEMPLATE` behind it; its errors say so too
    assert thread.startswith("Usage: bip draft thread [OPTIONS]\n")
    mistyped = bip("-w", str(ws), "draft", "thread", "--titel", "t", code=2).stderr
    assert mistyped.startswith("bip: error: bip draft thread: no such option: --titel")
    for name in ("post", "training-run", "paper-notes", "build-log", "contribution"):
        shown = bip("-w", str(ws), "draft", name, "--help").stdout
        assert f"Template {name} (built-in): " in shown, name
    listed = json.loads(bip("-w", str(ws), "draft", "templates", "--json").stdout)
    documented = {t["name"]: t["documented"] for t in listed}
    assert documented["contribution"]["pr_state"].startswith("open, closed or merged")
    assert documented["weekly-digest"] == {"mood": "how the week went"}
    refused = bip("-w", str(ws), "draft", "post", "--title", "t", "--var", "title=x", code=2)
    assert "`title` is set by bip" in refused.stderr
    wrong = bip("-w", str(ws), "draft", "weekly-digst", "--title", "t", code=2)
    assert "did you mean 'weekly-digest'?" in wrong.stderr


@pytest.mark.parametrize("title", ["", "   ", "\t\n"])
def test_empty_titles_are_refused(bip, ws: Path, title: str):
    result = bip("-w", str(ws), "draft", "post", "--title", title, code=2)
    assert "the title is empty" in result.stderr and posts(ws) == []


def test_contribution_says_the_pr_state_only_when_known_and_lists_what_it_cites(bip, ws: Path):
    args = ["-w", str(ws), "draft", "contribution", "--title", "t", "--pr"]
    unknown = bip(*args, "Dao-AILab/flash-attention#7", "--stdout").stdout
    assert "flash-attention/pull/7)." in unknown and "is open" not in unknown
    assert "It is my contribution to flash-attention [1]." in unknown
    # people are credited by name (the entry's figure), never by login ("Dao-AILab.")
    assert "## References\n\n1. Tri Dao. [*flash-attention*]" in unknown
    merged = bip(*args, "Dao-AILab/flash-attention#7", "--var", "pr_state=merged", "--stdout")
    assert "flash-attention/pull/7) was merged." in merged.stdout
    bad = bip(*args, "Dao-AILab/flash-attention#7", "--var", "pr_state=done", code=2)
    assert "not a PR state" in bad.stderr
    bare = bip(*args, "apache/tvm#3", "--stdout").stdout  # cites nothing: no empty section
    assert "References" not in bare and "[1]" not in bare


def test_markdown_has_blank_lines_before_headings_and_no_empty_sections(bip, ws: Path):
    (ws / "templates").mkdir()
    (ws / "templates" / "post.md.j2").write_text(
        "Intro line\n## Glued\ntext\n## Empty\n\n## Also empty\n### Sub\nbody\n"
        "```sh\n# a comment, not a heading\n```\n## References\n\n{{ references() }}\n"
    )
    text = bip("-w", str(ws), "draft", "post", "--title", "t", "--stdout").stdout
    body = text.split("---\n", 2)[2]
    assert body == (
        "\nIntro line\n\n## Glued\ntext\n\n## Also empty\n\n### Sub\nbody\n"
        "```sh\n# a comment, not a heading\n```\n"
    )
    assert "published" not in front(text) and front(text)["draft"] is True


def test_a_draft_is_a_draft_for_hugo_and_jekyll(bip, ws: Path, tmp_path: Path):
    """Jekyll's switch is `published: false`, Hugo's `draft: true`; Hugo reads `published` as a
    date and stops the build, so a post written for both gets `draft` only."""
    site = hugo_site(tmp_path)
    hugo_posts = site / "content" / "posts"
    bip("-w", str(ws), "draft", "post", "--title", "Hugo", "--out", str(hugo_posts))
    jekyll = tmp_path / "blog"
    (jekyll / "_posts").mkdir(parents=True)
    (jekyll / "_config.yml").write_text("title: blog\n")
    bip("-w", str(ws), "draft", "post", "--title", "Jekyll", "--out", str(jekyll / "_posts"))
    bip("-w", str(ws), "draft", "post", "--title", "Anywhere")
    [in_hugo] = hugo_posts.glob("*.md")
    [in_jekyll] = (jekyll / "_posts").glob("*.md")
    [anywhere] = posts(ws)
    for post in (in_hugo, anywhere):
        assert "published" not in front(post.read_text()) and front(post.read_text())["draft"]
    meta = front(in_jekyll.read_text())
    assert "draft" not in meta and meta["published"] is False
    assert build(site) == {}
    assert list(build(site, "--buildDrafts")) == ["2026-11-23-hugo"]
    bip("-w", str(ws), "draft", "publish", str(in_hugo))
    assert list(build(site)) == ["2026-11-23-hugo"]
    assert "published" not in front(in_hugo.read_text())
    bip("-w", str(ws), "draft", "publish", str(in_jekyll))
    meta = front(in_jekyll.read_text())
    assert "draft" not in meta and meta["published"] is True
    shutil.copy(anywhere, hugo_posts)  # a draft from outside any site builds in Hugo too
    # an older bip wrote both switches; publishing it in a Hugo site drops the one Hugo stops on
    old = hugo_posts / "2026-11-20-old.md"
    old.write_text(
        "---\ntitle: Old\ndate: 2026-11-20T10:00:00+00:00\ndraft: true\npublished: false\n---\nx\n"
    )
    bip("-w", str(ws), "draft", "publish", str(old))
    [old] = hugo_posts.glob("*-old.md")
    assert front(old.read_text())["draft"] is False and "published" not in front(old.read_text())
    assert sorted(build(site, "--buildDrafts")) == [
        "2026-11-23-anywhere",
        "2026-11-23-hugo",
        "2026-11-23-old",
    ]


def test_training_run_tldr_has_no_gaps_and_no_empty_based_on(bip, ws: Path, tmp_path: Path):
    metrics = tmp_path / "m.yaml"
    metrics.write_text("tokens_per_second: 180000\nmfu: 0.38\n")
    text = bip(
        "-w",
        str(ws),
        "draft",
        "training-run",
        "--title",
        "t",
        "--metrics",
        str(metrics),
        "--stdout",
    ).stdout
    assert "**TL;DR**: The run: 180,000 tokens/s, MFU 38.0%." in text
    assert "<!-- model -->" not in text and "## Based on" not in text
