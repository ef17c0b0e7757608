"""One thing, one entry: `bip read add` knows a video, a paper or a repo however it is written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.fakegithub import FakeGitHub
from toolkit.readinglist.links import classify, identity


@pytest.mark.parametrize(
    ("forms", "key"),
    [
        (
            [
                "https://www.youtube.com/watch?v=kCc8FmEb1nY",
                "https://www.youtube.com/watch?v=kCc8FmEb1nY&t=30s",
                "https://youtube.com/watch?t=30&v=kCc8FmEb1nY&list=PLAqhIrjkxbuW",
                "https://youtu.be/kCc8FmEb1nY",
                "https://youtu.be/kCc8FmEb1nY?si=abc&t=30",
                "https://m.youtube.com/watch?v=kCc8FmEb1nY",
                "https://www.youtube.com/shorts/kCc8FmEb1nY",
            ],
            "youtube:kCc8FmEb1nY",
        ),
        (
            [
                "2205.14135",
                "2205.14135v2",
                "arXiv:2205.14135",
                "https://arxiv.org/abs/2205.14135",
                "https://arxiv.org/abs/2205.14135v3",
                "http://arxiv.org/pdf/2205.14135",
                "https://arxiv.org/pdf/2205.14135v1.pdf",
                "https://arxiv.org/html/2205.14135v2",
                "10.48550/arXiv.2205.14135",
                "https://doi.org/10.48550/arXiv.2205.14135",
                "doi:10.48550/ARXIV.2205.14135",
            ],
            "arxiv:2205.14135",
        ),
        (
            [
                "https://github.com/karpathy/nanoGPT",
                "https://github.com/karpathy/nanoGPT/",
                "https://github.com/karpathy/nanoGPT.git",
                "https://github.com/Karpathy/NanoGPT/tree/main",
                "https://www.github.com/karpathy/nanogpt/blob/master/train.py",
                "git@github.com:karpathy/nanoGPT.git",
                "github.com/karpathy/nanoGPT",
                "karpathy/nanoGPT",  # an entry's `repo:` field
            ],
            "github:karpathy/nanogpt",
        ),
        (
            [
                "https://openreview.net/forum?id=H1eA7AEtvS",
                "https://openreview.net/pdf?id=H1eA7AEtvS",
                "https://openreview.net/forum?id=H1eA7AEtvS&noteId=xyz",
            ],
            "openreview:H1eA7AEtvS",
        ),
        (
            [
                "10.1145/3600006.3613165",
                "https://doi.org/10.1145/3600006.3613165",
                "DOI:10.1145/3600006.3613165",
            ],
            "doi:10.1145/3600006.3613165",
        ),
        (
            [
                "https://lilianweng.github.io/posts/2023-06-23-agent/",
                "http://lilianweng.github.io/posts/2023-06-23-agent",
                "https://www.lilianweng.github.io/posts/2023-06-23-agent/?utm_source=x#memory",
            ],
            "url:lilianweng.github.io/posts/2023-06-23-agent",
        ),
    ],
)
def test_every_form_of_one_thing_has_one_identity(forms: list[str], key: str):
    assert {form: identity(form) for form in forms} == dict.fromkeys(forms, key)


def test_different_things_have_different_identities():
    assert identity("https://www.youtube.com/watch?v=aaaaaaaaaaa") != identity(
        "https://www.youtube.com/watch?v=bbbbbbbbbbb"
    )
    assert identity("2205.14135") != identity("2205.14136")
    assert identity("https://github.com/a/b") != identity("https://github.com/a/c")
    assert identity("https://example.org/a?page=1") != identity("https://example.org/a?page=2")
    assert identity("not a thing") is None


@pytest.mark.parametrize(
    ("url", "kind", "id_hint"),
    [
        ("https://www.youtube.com/watch?v=kCc8FmEb1nY&t=30s", "video", "youtube-kCc8FmEb1nY"),
        ("https://youtu.be/kCc8FmEb1nY", "video", "youtube-kCc8FmEb1nY"),
        ("https://www.bilibili.com/video/BV1GJ411x7h7?p=2", "video", "bilibili-BV1GJ411x7h7"),
        ("https://openreview.net/forum?id=H1eA7AEtvS", "paper", "openreview-H1eA7AEtvS"),
        ("https://example.org/blog/post/index.html", "post", "example"),
        ("https://example.org/notes/flash/index.html", "post", "flash"),
    ],
)
def test_ids_are_readable_never_watch_or_forum(url: str, kind: str, id_hint: str):
    source = classify(url)
    assert (source.kind, source.id_hint) == (kind, id_hint)


def _add(bip, w: str, *args: str, code: int = 0):
    return bip("-w", w, "read", "add", *args, code=code)


def test_read_add_refuses_a_video_paper_or_repo_already_there_however_written(bip, commented: Path):
    w = str(commented.parent)
    _add(bip, w, "https://www.youtube.com/watch?v=kCc8FmEb1nY")
    _add(bip, w, "https://arxiv.org/abs/2205.14135v2")
    for form, existing in [
        ("https://www.youtube.com/watch?v=kCc8FmEb1nY&t=30s", "youtube-kcc8fmeb1ny"),
        ("https://youtu.be/kCc8FmEb1nY", "youtube-kcc8fmeb1ny"),
        ("2205.14135", "arxiv-2205.14135"),
        ("https://arxiv.org/pdf/2205.14135v1", "arxiv-2205.14135"),
        ("10.48550/arXiv.2205.14135", "arxiv-2205.14135"),
        ("https://arxiv.org/abs/1706.03762v7", "attention"),  # `arxiv: '1706.03762'`
        ("https://github.com/Karpathy/nanoGPT.git", "nanogpt"),
        ("https://github.com/karpathy/nanogpt/tree/main/", "nanogpt"),
        ("https://github.com/dao-ailab/flash-attention", "flash"),  # a flow-style entry
    ]:
        result = _add(bip, w, form, code=2)
        assert f"already in the list as '{existing}'" in result.stderr, form
    ids = [e["id"] for e in json.loads(bip("-w", w, "read", "list", "--json").stdout)]
    assert ids == ["nanogpt", "attention", "flash", "youtube-kcc8fmeb1ny", "arxiv-2205.14135"]


def test_a_video_id_comes_from_its_title_and_two_videos_never_make_watch_2(bip, commented: Path):
    w = str(commented.parent)
    first = _add(
        bip, w, "https://www.youtube.com/watch?v=kCc8FmEb1nY", "--title", "Let's build GPT"
    )
    second = _add(bip, w, "https://www.youtube.com/watch?v=VMj-3S1tku0", "--json")
    forum = _add(bip, w, "https://openreview.net/forum?id=H1eA7AEtvS")
    assert first.stdout.startswith("added lets-build-gpt (video)")
    assert json.loads(second.stdout) == {
        "id": "youtube-vmj-3s1tku0",
        "kind": "video",
        "title": "https://www.youtube.com/watch?v=VMj-3S1tku0",
        "link": "https://www.youtube.com/watch?v=VMj-3S1tku0",
    }
    assert forum.stdout.startswith("added openreview-h1ea7aetvs (paper)")


def test_input_is_checked_before_any_network_call(bip, commented: Path, httpserver, monkeypatch):
    gh = FakeGitHub(httpserver)
    monkeypatch.setenv("GITHUB_API_URL", gh.url)
    monkeypatch.delenv("BIP_OFFLINE")
    w = str(commented.parent)
    for args, message in [
        (["https://github.com/karpathy/nanoGPT"], "already in the list as 'nanogpt'"),
        (["https://github.com/a/b", "--figure", "nobody"], "nobody"),
        (["https://github.com/a/b", "--kind", "repoo"], "unknown kind"),
        (["https://github.com/a/b", "--id", "Bad Id"], "not a valid id"),
        (["https://github.com/a/b", "--id", "nanogpt"], "already used"),
        (["nonsense"], "not a URL"),
    ]:
        assert message in _add(bip, w, *args, code=2).stderr
    assert gh.seen == []


def test_validate_warns_about_one_thing_listed_twice(bip, ws: Path):
    """A list edited by hand can hold one paper twice (its URL in one entry, its arXiv DOI in
    another): validate says which, where, and how to keep one; the list is still valid."""
    path = ws / "reading_list.yaml"
    path.write_text(
        "version: 1\nentries:\n"
        "  - {id: fa, kind: paper, title: FlashAttention, url: 'https://arxiv.org/pdf/2205.14135v2'}\n"
        "  - {id: fa-again, kind: paper, title: FA, doi: 10.48550/arXiv.2205.14135}\n"
        "  - {id: other, kind: paper, title: Other, arxiv: '2307.08691'}\n",
        encoding="utf-8",
    )
    result = bip("-w", str(ws), "read", "validate")
    assert result.stderr.splitlines() == [
        f"bip: warning: {path}:4: 'fa-again' is the same thing as 'fa' (line 3, arxiv:2205.14135);"
        " keep one: `bip read rm fa-again`"
    ]
