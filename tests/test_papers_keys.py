"""Citation keys people can live with: from real metadata, ASCII, pinyin for Han-script names;
garbage keys pinned in the past are found by `read validate` and repinned by `cite --rekey`."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.readinglist import Entry, ReadingList, load_reading_list
from toolkit.references.keys import base_key, cite_keys, first_word, is_garbage_key
from toolkit.references.names import family_name


def paper(**kw) -> Entry:
    return Entry(**{"id": "p", "kind": "paper", "title": "T", "arxiv": "2205.14135", **kw})


def test_keys_from_real_metadata():
    flash = paper(
        title="FlashAttention: Fast and Memory-Efficient Exact Attention with IO-Awareness",
        authors=["Tri Dao", "Daniel Y. Fu"],
        year=2022,
    )
    assert base_key(flash) == "dao2022flashattention"
    attention = paper(title="Attention Is All You Need", authors=["Ashish Vaswani"], year=2017)
    assert base_key(attention) == "vaswani2017attention"


def test_han_script_family_names_become_pinyin():
    assert family_name("李沐") == "li"
    assert family_name("欧阳修") == "ouyang"  # a two-character family name
    assert family_name("张, 阿斯顿") == "zhang"
    assert family_name("Jürgen Schmidhuber") == "schmidhuber"
    assert first_word("动手学深度学习") == "dongshou"
    d2l = paper(title="动手学深度学习", authors=["李沐", "阿斯顿·张"], year=2019)
    assert base_key(d2l) == "li2019dongshou"


def test_a_team_is_keyed_by_its_name_not_its_article():
    """CITATION.cff files credit `The vLLM Team`: `vllm2023vllm`, never `the2023vllm`."""
    assert family_name("The vLLM Team") == "vllm"
    assert family_name("the Qwen team") == "qwen"
    assert family_name("DeepSeek-AI") == "deepseekai" and family_name("Meta AI") == "meta"
    team = paper(title="vLLM", authors=["The vLLM Team", "Woosuk Kwon"], year=2023)
    assert base_key(team) == "vllm2023vllm"


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.text(min_size=1, max_size=12), min_size=0, max_size=3),
    st.text(max_size=40),
    st.one_of(st.none(), st.integers(1900, 2100)),
)
def test_keys_are_always_ascii(authors, title, year):
    entry = paper(authors=[a for a in authors if a.strip()], title=title or "x", year=year)
    model = ReadingList("x", [], [entry])
    key = cite_keys(model)["p"]
    assert key.isascii() and key


def test_garbage_keys_are_recognised():
    for key in ("arxivarxiva", "doidoia", "arxivarxiv", "doidoi", "arxiv2017arxivb", "doi2020"):
        assert is_garbage_key(key), key
    for key in ("vaswani2017attention", "dao2022flashattention", "arxivist2020daily", "doe2020"):
        assert not is_garbage_key(key), key


GARBAGE = """\
version: 1
entries:
  - id: attention
    kind: paper
    title: Attention Is All You Need
    authors: [Ashish Vaswani, Noam Shazeer]
    year: 2017
    arxiv: '1706.03762'
    cite_key: arxivarxiva   # pinned by a draft, long ago
  - id: bare
    kind: paper
    title: doi:10.1145/3600006.3613165
    doi: 10.1145/3600006.3613165
    cite_key: doidoia
"""


def test_validate_warns_and_rekey_repins(bip, ws: Path):
    path = ws / "reading_list.yaml"
    path.write_text(GARBAGE, encoding="utf-8")
    result = bip("-w", str(ws), "read", "validate")  # a warning, not an error: exit 0
    assert "valid (0 figures, 2 entries)" in result.stdout
    assert f"{path}:3: cite_key 'arxivarxiva' of 'attention'" in result.stderr
    assert "`bip cite --rekey attention` repins it as 'vaswani2017attention'" in result.stderr
    assert "run `bip read sync`, then `bip cite --rekey bare`" in result.stderr
    result = bip("-w", str(ws), "cite", "--rekey", "attention")
    assert "attention: cite_key arxivarxiva -> vaswani2017attention" in result.stdout
    assert "posts that cite 'arxivarxiva' need 'vaswani2017attention' now" in result.stderr
    assert "    cite_key: vaswani2017attention # pinned by a draft, long ago\n" in path.read_text()
    assert "already" in bip("-w", str(ws), "cite", "--rekey", "attention").stdout
    result = bip("-w", str(ws), "cite", "--rekey", "bare", code=2)
    assert "no authors or year to make a key from" in result.stderr
    assert load_reading_list(path).model.entry("bare").cite_key == "doidoia"
    assert "name the entries to cite" in bip("-w", str(ws), "cite", code=2).stderr
    assert "arxivarxiva" not in bip("-w", str(ws), "read", "validate").stderr
