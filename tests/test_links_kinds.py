"""Kinds people actually read, detected from the URL (issue 22): courses on Coursera, edX and
university sites, YouTube playlists, Hugging Face models, datasets and Spaces."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from toolkit.readinglist.links import classify, identity


@pytest.mark.parametrize(
    ("url", "kind", "hint", "canonical"),
    [
        (
            "https://www.coursera.org/learn/machine-learning?utm_source=x",
            "course",
            "machine-learning",
            "https://www.coursera.org/learn/machine-learning",
        ),
        (
            "https://coursera.org/specializations/deep-learning",
            "course",
            "deep-learning",
            "https://www.coursera.org/specializations/deep-learning",
        ),
        (
            "https://www.edx.org/course/cs50s-introduction-to-artificial-intelligence-with-python",
            "course",
            "cs50s-introduction-to-artificial-intelligence-with-python",
            None,
        ),
        ("https://cs336.stanford.edu/", "course", "cs336", None),
        ("https://web.stanford.edu/class/cs224n/", "course", "cs224n", None),
        ("https://15445.courses.cs.cmu.edu/fall2024/", "course", "15445", None),
        (
            "https://www.youtube.com/playlist?list=PLAqhIrjkxbuWI23v9cThsA9GvCAUhRvKZ&si=abc",
            "course",
            "playlist-CAUhRvKZ",
            "https://www.youtube.com/playlist?list=PLAqhIrjkxbuWI23v9cThsA9GvCAUhRvKZ",
        ),
        (
            "https://huggingface.co/meta-llama/Llama-3.1-8B/tree/main",
            "model",
            "Llama-3.1-8B",
            "https://huggingface.co/meta-llama/Llama-3.1-8B",
        ),
        (
            "https://hf.co/openai-community/gpt2",
            "model",
            "gpt2",
            "https://huggingface.co/openai-community/gpt2",
        ),
        (
            "https://huggingface.co/datasets/HuggingFaceFW/fineweb-edu",
            "dataset",
            "fineweb-edu",
            "https://huggingface.co/datasets/HuggingFaceFW/fineweb-edu",
        ),
        (
            "https://huggingface.co/spaces/HuggingFaceFW/blogpost-fineweb-v1",
            "post",
            "blogpost-fineweb-v1",
            "https://huggingface.co/spaces/HuggingFaceFW/blogpost-fineweb-v1",
        ),
        ("https://huggingface.co/learn/nlp-course/chapter1/1", "course", "nlp-course", None),
        ("https://huggingface.co/blog/fineweb", "post", "fineweb", None),  # a page of the site
        ("https://www.stanford.edu/news/some-story", "post", "some-story", None),  # not a course
    ],
)
def test_kinds_from_urls(url: str, kind: str, hint: str, canonical: str | None):
    source = classify(url)
    assert (source.kind, source.id_hint) == (kind, hint)
    if canonical:
        assert source.url == canonical and identity(url) == identity(canonical)


def test_a_watch_url_inside_a_playlist_is_the_video():
    source = classify(
        "https://www.youtube.com/watch?v=VMj-3S1tku0&list=PLAqhIrjkxbuWI23v9cThsA9GvCAUhRvKZ"
    )
    assert (source.kind, source.id_hint) == ("video", "youtube-VMj-3S1tku0")


def test_read_add_names_a_playlist_from_its_title_never_youtube(bip, ws: Path):
    w = ["-w", str(ws)]
    url = "https://www.youtube.com/playlist?list=PLAqhIrjkxbuWI23v9cThsA9GvCAUhRvKZ"
    out = bip(*w, "read", "add", url, "--title", "Neural Networks: Zero to Hero", "--json").stdout
    added = json.loads(out)
    assert (added["id"], added["kind"]) == ("neural-networks-zero-to-hero", "course")
    other = "https://www.youtube.com/playlist?list=PLoROMvodv4rOSH4v6133s9LFPRHjEmbmJ"
    added = json.loads(bip(*w, "read", "add", other, "--json").stdout)
    assert added["id"] != "youtube" and added["id"].startswith("playlist-")
    bip(*w, "read", "add", url + "&si=x", code=2)  # the same playlist: a duplicate


def test_models_and_datasets_are_kinds_the_schema_knows(bip, ws: Path):
    w = ["-w", str(ws)]
    model = json.loads(
        bip(*w, "read", "add", "https://huggingface.co/openai-community/gpt2", "--json").stdout
    )
    data = json.loads(
        bip(
            *w, "read", "add", "https://huggingface.co/datasets/HuggingFaceFW/fineweb-edu", "--json"
        ).stdout
    )
    assert (model["kind"], data["kind"]) == ("model", "dataset")
    bip(*w, "read", "validate")
    listed = json.loads(bip(*w, "read", "list", "--kind", "dataset", "--json").stdout)
    assert [e["id"] for e in listed] == [data["id"]]
    assert "@software{" in bip(*w, "cite", model["id"], "--format", "bibtex").stdout
