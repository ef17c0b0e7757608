"""Papers against odd and hostile input: reference files a stranger exports, services answering
what they should not. Never a traceback, nothing half-written, a message naming what was wrong.

Services are played on 127.0.0.1 (tests/fakepapers.py, with scripted answers); nothing sleeps.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.fakepapers import FakePapers, Paper
from toolkit.readinglist import load_reading_list
from toolkit.references import crossref, s2
from toolkit.references.bibfile import latex_text, parse_bibtex
from toolkit.references.csl import parse_csl_json
from toolkit.references.graph import Node, PaperGraph, render_dot, render_mermaid
from toolkit.references.importing import SkipRecord
from toolkit.references.importing import parse_cff_records as parse_cff

HEAD = """\
version: 1
figures:
  - id: tri-dao
    name: Tri Dao
entries:
"""


def write_list(ws: Path, entries: str) -> Path:
    path = ws / "reading_list.yaml"
    path.write_text(HEAD + entries, encoding="utf-8")
    return path


def entries(ws: Path) -> dict[str, object]:
    return {e.id: e for e in load_reading_list(ws / "reading_list.yaml").model.entries}


@pytest.fixture
def fake(httpserver, monkeypatch) -> FakePapers:
    service = FakePapers(httpserver)
    for name, value in service.env().items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("BIP_OFFLINE")
    service.add(
        Paper("1706.03762", "Attention Is All You Need", ["Ashish Vaswani"], 2017, in_s2=False)
    )
    service.add(Paper(None, "PagedAttention", ["Woosuk Kwon"], 2023, doi="10.1145/3600006.3613165"))
    return service


# --- BibTeX --------------------------------------------------------------------------------------


def test_string_macros_are_joined_with_hash_as_bibtex_joins_them():
    parsed = parse_bibtex(
        '@string{proc = "Proceedings of "}\n'
        "@string{NeurIPS = proc # {NeurIPS}}\n"
        '@inproceedings{k, title = "Attention" # { Is } # {All You Need},\n'
        "  booktitle = neurips, author = {Vaswani, Ashish}, year = 2017,\n"
        '  note = {C# in braces} # " and # in quotes"}\n',
        "x.bib",
    )
    record = parsed.records[0]
    assert record.fields["title"] == "Attention Is All You Need"
    assert record.fields["venue"] == "Proceedings of NeurIPS"  # macro names ignore case
    assert record.fields["year"] == 2017


def test_keys_that_differ_only_in_case_are_duplicates():
    parsed = parse_bibtex(
        "@misc{Smith2020, title={One}, url={https://a.org/1}}\n"
        "@misc{smith2020, title={Two}, url={https://a.org/2}}\n",
        "x.bib",
    )
    assert [r.fields["title"] for r in parsed.records] == ["One"]
    assert (
        parsed.duplicates[0].line == 2
        and "duplicate key 'smith2020'" in parsed.duplicates[0].reason
    )


def test_latex_nested_too_deeply_skips_the_entry_and_reads_the_rest():
    deep = "{" * 3000 + r"\emph{M}{\"u}ller" + "}" * 3000  # a macro: read by pylatexenc
    parsed = parse_bibtex(
        f"@article{{deep, title={{{deep}}}, author={{X, Y}}, year=2020, doi={{10.1234/d}}}}\n"
        "@article{fine, title={Fine}, author={X, Y}, year=2020, doi={10.1234/f}}\n",
        "x.bib",
    )
    assert [r.key for r in parsed.records] == ["fine"]
    assert parsed.skipped[0].line == 1 and "nested too deeply" in parsed.skipped[0].reason


def test_an_unreadable_abstract_costs_the_entry_only_when_abstracts_are_kept():
    text = (
        "@article{k, title={Kept}, author={X, Y}, year=2020, doi={10.1234/k},\n"
        "  abstract={" + "{" * 3000 + r"\emph{x}" + "}" * 3000 + "}}\n"
    )
    assert [r.key for r in parse_bibtex(text, "x.bib", abstracts=False).records] == ["k"]
    kept = parse_bibtex(text, "x.bib")
    assert not kept.records and "nested too deeply" in kept.skipped[0].reason


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ab -`'~{}é\n\"#.,:\\$%&^_", max_size=24))
def test_the_quick_latex_decoding_reads_text_as_pylatexenc_does(text: str):
    from pylatexenc.latex2text import LatexNodes2Text

    try:
        ours = latex_text(text)
    except SkipRecord:
        return
    assert ours == LatexNodes2Text(math_mode="verbatim").latex_to_text(text)


def test_a_bib_of_odd_blocks_imports_what_it_can(bip, ws: Path, tmp_path: Path):
    bib = tmp_path / "odd.bib"
    bib.write_text(
        '@preamble{"\\newcommand{\\noop}[1]{}"}\n'
        "@comment{ @article{inside, title={In a comment}} }\n"
        "@article{unbalanced, title = {Unbalanced {braces}, author={X, Y}, year=2020}\n\n"
        "@article{notitle, author = {X, Y}, year = 2020, doi = {10.1234/nt}}\n"
        "@article{ok, title = {Fine}, author = {Zhang, Wei}, year = 2021, doi = {10.1234/ok}}\n",
        encoding="utf-8",
    )
    before = (ws / "reading_list.yaml").read_bytes()
    result = bip("-w", str(ws), "read", "import", str(bib))
    assert "1 new, 0 merged, 0 already in the list, 0 duplicates in the file, 2 skipped" in (
        result.stdout
    )
    assert f"{bib}:3: skipped: malformed entry (@article{{unbalanced," in result.stderr
    assert f"{bib}:5: skipped: no title" in result.stderr
    added = entries(ws)
    assert "inside" not in added and added["ok"].title == "Fine"
    once = (ws / "reading_list.yaml").read_bytes()
    assert once != before
    bip("-w", str(ws), "read", "import", str(bib))
    assert (ws / "reading_list.yaml").read_bytes() == once


# --- what is the same work --------------------------------------------------------------------


def test_same_title_and_year_with_different_arxiv_ids_are_two_works(bip, ws: Path, tmp_path: Path):
    write_list(
        ws,
        "  - id: intro\n    kind: paper\n    title: Introduction\n    year: 2020\n"
        "    arxiv: '2001.00001'\n",
    )
    bib = tmp_path / "x.bib"
    bib.write_text(
        "@misc{other, title={Introduction}, author={Li, Mu}, year=2020, eprint={2002.00002},"
        " archivePrefix={arXiv}}\n",
        encoding="utf-8",
    )
    result = bip("-w", str(ws), "read", "import", str(bib))
    assert "1 new, 0 merged" in result.stdout
    assert entries(ws)["intro"].arxiv == "2001.00001" and entries(ws)["other"].arxiv == "2002.00002"


def test_a_pinned_key_naming_another_doi_is_not_a_merge(bip, ws: Path, tmp_path: Path):
    write_list(
        ws,
        "  - id: mine\n    kind: paper\n    title: Mine\n    doi: 10.1234/mine\n"
        "    cite_key: smith2020\n",
    )
    bib = tmp_path / "x.bib"
    bib.write_text(
        "@article{Smith2020, title={Theirs}, author={Smith, J}, year=2020, doi={10.1234/theirs}}\n",
        encoding="utf-8",
    )
    bip("-w", str(ws), "read", "import", str(bib))
    found = entries(ws)
    assert found["mine"].title == "Mine" and found["mine"].cite_key == "smith2020"
    theirs = found["smith2020-2"] if "smith2020-2" in found else found["smith2020"]
    assert theirs.doi == "10.1234/theirs" and theirs.cite_key is None  # the key is taken


def test_import_never_gives_an_entry_an_identity_another_entry_holds(bip, ws: Path, tmp_path: Path):
    write_list(
        ws,
        "  - id: published\n    kind: paper\n    title: Deep Thing\n    doi: 10.1234/deep\n"
        "  - id: preprint\n    kind: paper\n    title: Deep Thing (preprint)\n"
        "    arxiv: '2003.00003'\n",
    )
    bib = tmp_path / "x.bib"
    bib.write_text(
        "@article{deep, title={Deep Thing}, author={Wu, Q}, year=2020, doi={10.1234/deep},"
        " eprint={2003.00003}, archivePrefix={arXiv}}\n",
        encoding="utf-8",
    )
    bip("-w", str(ws), "read", "import", str(bib))
    found = entries(ws)
    assert found["published"].arxiv is None  # 2003.00003 is `preprint`'s
    assert found["published"].authors == ["Q Wu"]


def test_ids_made_from_long_titles_end_at_a_word(bip, ws: Path, tmp_path: Path):
    bib = tmp_path / "x.bib"
    bib.write_text(
        "@misc{, title={Language Models are Unsupervised Multitask Learners},"
        " author={Radford, Alec}, year=2019, url={https://openai.com/research/gpt-2}}\n",
        encoding="utf-8",
    )
    bip("-w", str(ws), "read", "import", str(bib))
    assert "language-models-are-unsupervised" in entries(ws)


# --- keys ----------------------------------------------------------------------------------------


def test_rekey_never_pins_a_key_the_reading_list_would_reject(bip, ws: Path):
    """A name in a script bip cannot transliterate leaves only the year: the key still starts
    with a letter, so the reading list accepts it when it is pinned."""
    path = write_list(
        ws,
        "  - id: ivanov\n    kind: paper\n    title: Об алгоритмах\n"
        "    authors: [Пётр Иванов]\n    year: 2001\n    doi: 10.1234/iv\n"
        "    cite_key: doidoia\n",
    )
    warned = bip("-w", str(ws), "read", "validate").stderr
    assert "cite_key 'doidoia' of 'ivanov'" in warned and "repins it as 'ref2001'" in warned
    bip("-w", str(ws), "cite", "--rekey", "ivanov")
    assert "cite_key: ref2001\n" in path.read_text(encoding="utf-8")
    bip("-w", str(ws), "read", "validate")  # still a valid list


# --- CSL JSON and CITATION.cff -----------------------------------------------------------------


def test_csl_json_of_odd_shapes_is_read_field_by_field():
    parsed = parse_csl_json(
        json.dumps(
            [
                None,
                {"title": None},
                {
                    "title": "Numbers as strings",
                    "issued": {"date-parts": [["2020", "05"]]},
                    "author": [{"family": 7, "given": None}, None, {"literal": ["a"]}],
                    "DOI": 10.5,
                    "URL": 5,
                    "page": 12,
                },
                {"title": "Odd date", "issued": {"date-parts": [[[2020]]]}, "DOI": "10.1234/o"},
            ]
        ),
        "x.json",
    )
    records = {r.title: r.fields for r in parsed.records}
    assert records["Numbers as strings"]["authors"] == ["7"]  # no "None 7", no "['a']"
    assert records["Numbers as strings"]["year"] == 2020
    assert "year" not in records["Odd date"]
    assert [s.reason for s in parsed.skipped] == [
        "item 1: not an object",
        "item 2 (?): no title",
    ]


def test_json_nested_too_deeply_is_bad_input(bip, ws: Path, tmp_path: Path):
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    result = bip("-w", str(ws), "read", "import", str(deep), code=2)
    assert "nested too deeply" in result.stderr


def test_a_citation_cff_with_fields_of_the_wrong_type_is_read_as_far_as_it_goes():
    parsed = parse_cff(
        "cff-version: 1.2.0\n"
        "title: Tool\n"
        "authors:\n  - family-names: null\n    given-names: [a]\n  - name: {x: 1}\n  - 7\n"
        "date-released: 2023-05-01\n"
        "repository-code: https://github.com/a/tool\n"
        "conference: a string\n"
        "start: {a: 1}\n"
        "identifiers: [null, {type: doi}, 3]\n"
        "version: [1]\n"
        "preferred-citation:\n  type: article\n  title: [a, list]\n",
        "CITATION.cff",
    )
    tool = parsed.records[0]
    assert (tool.kind, tool.fields["repo"], tool.fields["year"]) == ("repo", "a/tool", 2023)
    assert "release" not in tool.fields and "authors" not in tool.fields
    assert [s.reason for s in parsed.skipped] == ["preferred-citation: no title"]


@pytest.mark.parametrize("text", ["- a\n- b\n", "just text\n", "title:\n  - a\n"])
def test_a_citation_cff_that_is_not_a_mapping_is_bad_input(bip, ws, tmp_path, text):
    cff = tmp_path / "CITATION.cff"
    cff.write_text(text, encoding="utf-8")
    before = (ws / "reading_list.yaml").read_bytes()
    result = bip("-w", str(ws), "read", "import", str(cff), code=None)
    assert result.exit_code in (0, 2) and "internal error" not in result.stderr
    assert (ws / "reading_list.yaml").read_bytes() == before


# --- services answering what they should not --------------------------------------------------


def test_arxiv_answering_an_html_page_is_named_and_the_entry_added_from_its_id(
    bip, ws: Path, fake: FakePapers
):
    page = "<!DOCTYPE html><html><head><title>x</title></head><body>Busy</body></html>"
    fake.script["/arxiv/api/query"] = [(200, {}, page)]
    result = bip("-w", str(ws), "read", "add", "1706.03762")
    assert "arXiv answered with an HTML page, not an Atom feed" in result.stderr
    assert entries(ws)["arxiv-1706.03762"].title == "arXiv:1706.03762"


def test_arxiv_answering_404_names_the_url_not_an_unknown_paper(bip, ws: Path, fake, monkeypatch):
    monkeypatch.setenv("BIP_ARXIV_API_URL", f"{fake.base}/wrong/api/query")
    result = bip("-w", str(ws), "read", "add", "1706.03762")
    assert "arXiv answered 404 for" in result.stderr and "1706.03762" in result.stderr
    assert "/wrong/api/query its API?" in result.stderr
    assert "no source knows" not in result.stderr


def test_a_crossref_record_of_nulls_and_numbers_is_read_leniently(bip, ws: Path, fake):
    record = {
        "status": "ok",
        "message": {
            "title": None,
            "author": [None, 5, {"family": None, "given": 3}, {"family": "Kwon", "given": None}],
            "issued": {"date-parts": [[None]]},
            "published": "2020",
            "container-title": [None, "SOSP"],
            "page": 12,
            "publisher": {"name": "ACM"},
            "relation": [],
            "event": "x",
        },
    }
    fake.script["/crossref/works/10.1145/3600006.3613165"] = [(200, {}, json.dumps(record))]
    bip("-w", str(ws), "read", "add", "10.1145/3600006.3613165")
    added = entries(ws)["doi-3600006.3613165"]
    assert (added.authors, added.venue, added.pages) == (["Kwon"], "SOSP", "12")
    assert added.publisher is None  # a mapping where Crossref sends a string


def test_crossref_answering_something_else_than_a_work_is_named(bip, ws: Path, fake):
    fake.script["/crossref/works/10.1145/3600006.3613165"] = [(200, {}, '{"message": "hi"}')]
    result = bip("-w", str(ws), "read", "add", "10.1145/3600006.3613165")
    assert "Crossref's answer is not a work record" in result.stderr


def test_semantic_scholar_records_of_odd_shapes_never_break_the_graph(bip, ws: Path, fake):
    write_list(
        ws,
        "  - id: attention\n    kind: paper\n    title: Attention\n    arxiv: '1706.03762'\n",
    )
    odd = {
        "paperId": 5,
        "externalIds": {"ArXiv": 1234, "DOI": ["x"]},
        "title": ["t"],
        "year": 2020.5,
        "authors": 7,
        "references": [None, 1, {"paperId": None}, {"paperId": "r", "externalIds": "no"}],
        "venue": {"a": 1},
        "journal": {"name": None, "pages": {"x": 1}},
        "citationCount": True,
    }
    fake.script["/s2/graph/v1/paper/batch"] = [(200, {}, json.dumps([odd]))]
    data = json.loads(bip("-w", str(ws), "read", "graph", "--format", "json").stdout)
    assert data["nodes"][0]["s2_id"] == "5" and data["nodes"][0]["citation_count"] is None
    assert data["edges"] == []
    work = s2.parse_work(odd)
    assert work is not None and work.title is None and work.year is None and work.authors == []


def test_semantic_scholar_answering_404_to_the_batch_is_a_wrong_url(
    bip, ws: Path, fake, monkeypatch
):
    write_list(
        ws,
        "  - id: attention\n    kind: paper\n    title: Attention\n    arxiv: '1706.03762'\n",
    )
    monkeypatch.setenv("BIP_S2_API_URL", f"{fake.base}/wrong")
    result = bip("-w", str(ws), "read", "graph", code=1)
    assert "Semantic Scholar answered 404 for citations of 1 paper" in result.stderr
    assert "check BIP_S2_API_URL" in result.stderr and "does not know" not in result.stderr


def test_unreachable_services_name_their_setting_not_githubs_flag(bip, ws: Path, monkeypatch):
    write_list(
        ws,
        "  - id: attention\n    kind: paper\n    title: Attention\n    arxiv: '1706.03762'\n",
    )
    monkeypatch.delenv("BIP_OFFLINE")
    monkeypatch.setenv("BIP_S2_API_URL", "http://127.0.0.1:9/s2")  # a closed port
    result = bip("-w", str(ws), "read", "graph", code=3)
    assert "BIP_S2_API_URL, now http://127.0.0.1:9/s2" in result.stderr
    assert "--api-url" not in result.stderr


def test_sync_never_fills_an_arxiv_id_another_entry_holds(bip, ws: Path, fake):
    write_list(
        ws,
        "  - id: attention\n    kind: paper\n    title: Attention Is All You Need\n"
        "    authors: [Ashish Vaswani]\n    year: 2017\n    arxiv: '1706.03762'\n"
        "    primary_class: cs.CL\n"
        "  - id: paged\n    kind: paper\n    title: doi:10.1145/3600006.3613165\n"
        "    doi: 10.1145/3600006.3613165\n",
    )
    # Semantic Scholar (wrongly, or for a preprint already listed) names attention's arXiv id
    paged = next(p for p in fake.papers.values() if p.doi)
    paged.arxiv, fake.dirty = "1706.03762", True
    fake.script["/crossref/works/10.1145/3600006.3613165"] = [(404, {}, "Resource not found.")]
    result = bip("-w", str(ws), "read", "sync")
    assert entries(ws)["paged"].arxiv is None
    assert "gives arxiv 1706.03762, which is 'attention' in the list: not filled" in result.stderr


def test_crossref_parse_refuses_what_is_not_a_work():
    with pytest.raises(ValueError):
        crossref.parse_work([1, 2])


# --- graph output that other tools read ---------------------------------------------------------

TITLES = [
    'FlashAttention: "Fast" [v2] {x} <y> & z\\',
    "C# for ML; #quot; and #35;",
    '"]; evil --> x; [',
    "new\nline\tand tab",
    r"\N \G \L \n",
]


def hostile_graph() -> PaperGraph:
    nodes = [
        Node(id=f"p-{n}.x", title=t, year=2020, figures=["f"] if n % 2 else [])
        for n, t in enumerate(TITLES)
    ]
    return PaperGraph(nodes, [("p-0.x", "p-1.x"), ("p-2.x", "p-3.x")])


@pytest.mark.filterwarnings("ignore:.*deprecated")  # pydot's own use of pyparsing
def test_dot_output_with_quotes_and_backslashes_in_titles_parses_with_pydot():
    import pydot

    (graph,) = pydot.graph_from_dot_data(render_dot(hostile_graph()))
    labels = {n.get_name().strip('"'): n.get("label") for n in graph.get_nodes()}
    assert set(labels) == {f"p-{n}.x" for n in range(len(TITLES))}
    assert labels["p-0.x"] == '"FlashAttention: \\"Fast\\" [v2] {x} <y> & z\\\\ (2020)"'
    assert len(graph.get_edges()) == 2


def test_mermaid_labels_cannot_end_early_or_turn_into_entities_or_html():
    text = render_mermaid(hostile_graph())
    labels = re.findall(r'^  p\d+\["(.*)"\]$', text, flags=re.M)
    assert len(labels) == len(TITLES)
    for label in labels:
        assert '"' not in label and "<" not in label and ">" not in label
        assert re.sub(r"#(35|quot|lt|gt);", "", label).count("#") == 0  # every # an entity
    assert "C#35; for ML; #35;quot; and #35;35;" in labels[1]
    assert "new line and tab" in labels[3]


def test_string_macros_that_double_each_other_are_refused_with_their_line(
    bip, ws: Path, tmp_path: Path
):
    lines = ['@string{m0 = "ab"}'] + [
        f"@string{{m{n} = m{n - 1} # m{n - 1}}}" for n in range(1, 41)
    ]
    lines.append("@article{x, title = m40, author = {Doe, Jane}, year = 2020}")
    bib = tmp_path / "double.bib"
    bib.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = bip("-w", str(ws), "read", "import", str(bib), code=2)
    # m16 is the first macro past 100,000 characters (2 * 2**16); nothing was written
    assert f"{bib}:17: @string{{m16}} expands to more than 100,000 characters" in result.stderr
    assert "x" not in {e.id for e in load_reading_list(ws / "reading_list.yaml").model.entries}


def test_a_field_that_concatenates_macros_past_the_limit_skips_only_its_entry():
    big = "x" * 60_000
    parsed = parse_bibtex(
        f'@string{{big = "{big}"}}\n'
        "@article{huge, title = big # big, author = {Doe, Jane}, year = 2020}\n"
        "@article{fine, title = big, author = {Doe, Jane}, year = 2021}\n",
        "x.bib",
    )
    assert [r.key for r in parsed.records] == ["fine"]
    assert (
        parsed.skipped[0].line == 2 and "more than 100,000 characters" in parsed.skipped[0].reason
    )


@pytest.mark.parametrize("command", ["input", "include"])
def test_input_without_an_argument_is_a_located_message_and_the_rest_is_imported(
    bip, ws: Path, tmp_path: Path, command: str
):
    bib = tmp_path / "input.bib"
    bib.write_text(
        "@article{fine1, title = {Fine}, author = {Doe, Jane}, year = 2020}\n"
        f"@article{{bad, title = {{A \\{command}}}, author = {{Doe, Jane}}, year = 2020}}\n"
        "@article{fine2, title = {Also fine \\input{chapter}}, author = {Doe, Jane}, year = 2021}\n",
        encoding="utf-8",
    )
    result = bip("-w", str(ws), "read", "import", str(bib))
    assert f"{bib}:2: skipped: `\\{command}` without a file name in a field" in result.stderr
    ids = {e.id for e in load_reading_list(ws / "reading_list.yaml").model.entries}
    assert {"fine1", "fine2"} <= ids and "bad" not in ids
