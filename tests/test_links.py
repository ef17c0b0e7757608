import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.errors import BadInput
from toolkit.readinglist.links import classify, github_repo
from toolkit.text import did_you_mean, slug_id, unique_id


@pytest.mark.parametrize(
    ("text", "kind", "field", "value", "id_hint"),
    [
        ("https://github.com/karpathy/nanoGPT", "repo", "repo", "karpathy/nanoGPT", "nanoGPT"),
        ("https://github.com/karpathy/nanoGPT.git", "repo", "repo", "karpathy/nanoGPT", "nanoGPT"),
        (
            "https://github.com/vllm-project/vllm/tree/main/docs",
            "repo",
            "repo",
            "vllm-project/vllm",
            "vllm",
        ),
        ("https://arxiv.org/abs/2205.14135", "paper", "arxiv", "2205.14135", "arxiv-2205.14135"),
        ("https://arxiv.org/abs/2205.14135v2", "paper", "arxiv", "2205.14135", "arxiv-2205.14135"),
        (
            "https://arxiv.org/pdf/2307.08691.pdf",
            "paper",
            "arxiv",
            "2307.08691",
            "arxiv-2307.08691",
        ),
        ("https://arxiv.org/pdf/2307.08691v1", "paper", "arxiv", "2307.08691", "arxiv-2307.08691"),
        ("2501.12948", "paper", "arxiv", "2501.12948", "arxiv-2501.12948"),
        ("arXiv:1706.03762", "paper", "arxiv", "1706.03762", "arxiv-1706.03762"),
        ("hep-th/9901001", "paper", "arxiv", "hep-th/9901001", "arxiv-hep-th-9901001"),
        (
            "10.1145/3600006.3613165",
            "paper",
            "doi",
            "10.1145/3600006.3613165",
            "doi-3600006.3613165",
        ),
        (
            "https://doi.org/10.1145/3600006.3613165",
            "paper",
            "doi",
            "10.1145/3600006.3613165",
            "doi-3600006.3613165",
        ),
        (
            "https://www.youtube.com/watch?v=kCc8FmEb1nY",
            "video",
            "url",
            "https://www.youtube.com/watch?v=kCc8FmEb1nY",
            "youtube-kCc8FmEb1nY",
        ),
        ("https://efficientml.ai/", "post", "url", "https://efficientml.ai/", "efficientml"),
        (
            "https://lilianweng.github.io/posts/2023-06-23-agent/",
            "post",
            "url",
            "https://lilianweng.github.io/posts/2023-06-23-agent/",
            "2023-06-23-agent",
        ),
    ],
)
def test_classify_recognises_what_people_paste(text, kind, field, value, id_hint):
    source = classify(text)
    assert source.kind == kind
    assert getattr(source, field) == value
    assert source.id_hint == id_hint


@pytest.mark.parametrize(
    "text", ["not a url", "ftp://example.org/x", "github.com/karpathy", "12345", ""]
)
def test_classify_rejects_what_it_cannot_use(text):
    with pytest.raises(BadInput, match="not a URL, an arXiv id or a DOI"):
        classify(text)


def test_slug_id_is_readable_ascii():
    assert slug_id("nanoGPT") == "nanogpt"
    assert slug_id("llama2.c") == "llama2.c"
    assert slug_id("  Attention Is All You Need!  ") == "attention-is-all-you-need"
    assert slug_id("Café — Ré") == "cafe-re"
    assert slug_id("注意力") == ""


def test_unique_id_adds_a_counter():
    assert unique_id("vllm", set()) == "vllm"
    assert unique_id("vllm", {"vllm"}) == "vllm-2"
    assert unique_id("vllm", {"vllm", "vllm-2"}) == "vllm-3"


def test_did_you_mean_finds_typos_and_case():
    assert did_you_mean("stauts", ["status", "started"]) == "did you mean 'status'?"
    assert did_you_mean("NANOGPT", ["nanogpt", "micrograd"]) == "did you mean 'nanogpt'?"
    assert did_you_mean("zzz", ["status"]) is None


@pytest.mark.parametrize(
    "url",
    [
        "https://github.com/karpathy/nanoGPT",
        "https://www.github.com/karpathy/nanoGPT/",
        "https://github.com/karpathy/nanoGPT.git",
        "https://github.com/karpathy/nanoGPT/tree/master/config",
        "http://GitHub.com/karpathy/nanoGPT",
        "git@github.com:karpathy/nanoGPT.git",
        "ssh://git@github.com/karpathy/nanoGPT",
        "git://github.com/karpathy/nanoGPT.git",
        "github.com/karpathy/nanoGPT",
    ],
)
def test_one_github_url_parser_reads_every_form(url: str):
    assert github_repo(url) == "karpathy/nanoGPT"


@pytest.mark.parametrize(
    "url",
    ["https://gitlab.com/a/b", "https://github.com/karpathy", "git@gitlab.com:a/b.git", "nanoGPT"],
)
def test_what_is_not_a_github_repo_is_none(url: str):
    assert github_repo(url) is None


def _is_url_by_urlsplit(text: str) -> bool:
    """is_url's definition, as it was written before its shortcut for plain URLs."""
    from urllib.parse import urlsplit

    if any(ch.isspace() for ch in text):
        return False
    parts = urlsplit(text)
    return (
        parts.scheme in ("http", "https") and bool(parts.hostname) and "." in (parts.hostname or "")
    )


_URL_PIECES = st.sampled_from(
    ["http", "https", "HTTP", "ftp", ":", "//", "/", ".", "-", "a", "B", "0", "?", "#", "@",
     "[", "]", ":80", "é", " ", "\t", "x.y", "%2e", "\\", "~", ""]
)  # fmt: skip


@settings(max_examples=500, deadline=None)
@given(st.lists(_URL_PIECES, max_size=12).map("".join))
def test_is_url_agrees_with_urlsplit(text):
    from toolkit.readinglist.links import is_url

    try:
        expected = _is_url_by_urlsplit(text)
    except ValueError:  # urlsplit refuses it (a broken [IPv6] host): so does is_url
        with pytest.raises(ValueError):
            is_url(text)
        return
    assert is_url(text) == expected


@pytest.mark.parametrize(
    "text",
    ["https://a.b", "http://x.y/", "https://.", "http://a.b?q#f", "https://a.b:8080/x",
     "http://a", "https://a.b c", "HTTPS://A.B", "http://[::1]/", "https://user@a.b/", "a.b"],
)  # fmt: skip
def test_is_url_on_the_edges(text):
    from toolkit.readinglist.links import is_url

    assert is_url(text) == _is_url_by_urlsplit(text)
