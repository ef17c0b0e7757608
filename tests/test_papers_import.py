"""`bip read import`: real .bib, CSL JSON and CITATION.cff files, duplicates merged, idempotent."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from toolkit.readinglist import load_reading_list
from toolkit.references.bibfile import parse_bibtex
from toolkit.references.importing import read_references
from toolkit.references.names import bib_names

DATA = Path(__file__).parent / "data" / "papers"


@pytest.fixture
def lib(tmp_path: Path) -> Path:
    """The test .bib copied somewhere the test may point at."""
    target = tmp_path / "library.bib"
    shutil.copy(DATA / "library.bib", target)
    return target


def entries(ws: Path) -> dict[str, dict]:
    model = load_reading_list(ws / "reading_list.yaml").model
    return {e.id: e.__dict__ for e in model.entries}


def test_bibtex_is_decoded_to_unicode_and_names_are_written_as_people_write_them(lib: Path):
    parsed = read_references(lib)
    by_key = {r.key: r for r in parsed.records}
    vaswani = by_key["vaswani2017attention"].fields
    assert vaswani["authors"][6] == "Łukasz Kaiser"  # {\L}ukasz, "Last, First" turned round
    assert vaswani["venue"] == "Advances in Neural Information Processing Systems"  # @string
    assert vaswani["arxiv"] == "1706.03762"  # version dropped
    assert vaswani["primary_class"] == "cs.CL" and vaswani["pages"] == "5998–6008"
    assert by_key["devlin2019bert"].fields["title"].startswith("BERT: Pre-training")  # {BERT}
    assert by_key["devlin2019bert"].fields["arxiv"] == "1810.04805"  # from "arXiv preprint ..."
    assert "venue" not in by_key["devlin2019bert"].fields  # "arXiv preprint" is not a venue
    assert by_key["schmidhuber1992"].fields["authors"] == ["Jürgen Schmidhuber"]
    assert by_key["li2019d2lzh"].fields["authors"][0] == "李沐"
    assert by_key["deepseek2024v3"].fields["authors"] == ["DeepSeek-AI"]  # {DeepSeek-AI}: one unit
    assert by_key["deepseek2024v3"].fields["arxiv"] == "2412.19437"  # the arXiv DOI
    assert by_key["dao2022flashattention"].fields["authors"][-1] == "Christopher Ré"


def test_entry_types_map_to_kinds(lib: Path):
    kinds = {r.key: r.kind for r in read_references(lib).records}
    assert kinds["karpathy2022nanogpt"] == "repo"  # @software with a GitHub URL
    assert kinds["zhang2023dive"] == "book" and kinds["li2019d2lzh"] == "book"
    assert kinds["vaswani2017attention"] == "paper"  # @inproceedings
    assert kinds["dao2022flashattention"] == "paper"  # @misc with eprint
    assert kinds["schmidhuber1992"] == "paper"  # known only by its bibliographic data


def test_a_malformed_entry_is_reported_with_its_line_and_the_rest_is_read(lib: Path):
    parsed = read_references(lib)
    assert [(s.line, "broken2020" in s.reason) for s in parsed.skipped] == [(33, True)]
    assert len(parsed.records) == 9  # the ten entries but the broken one


def test_names_split_only_outside_braces():
    assert bib_names("{Barnes and Noble} and Smith, John") == ["Barnes and Noble", "John Smith"]
    assert bib_names("von Neumann, Jr, John") == ["John von Neumann, Jr"]
    assert bib_names("李, 沐 and others") == ["李沐", "others"]


def test_duplicate_keys_in_a_file_are_skipped_with_their_line():
    text = (
        "@misc{a, title={One}, url={https://a.org}}\n\n@misc{a, title={Two}, url={https://b.org}}\n"
    )
    parsed = parse_bibtex(text, "x.bib")
    assert [r.fields["title"] for r in parsed.records] == ["One"]
    assert parsed.duplicates[0].line == 3 and "duplicate key 'a'" in parsed.duplicates[0].reason


def test_import_adds_merges_and_pins_the_files_keys(bip, ws: Path, lib: Path):
    result = bip("-w", str(ws), "read", "import", str(lib), "--tag", "imported")
    assert (
        "10 in the file: 6 new, 2 merged, 0 already in the list, 1 duplicate in the file, "
        "1 skipped" in result.stdout
    )
    assert f"{lib}:33: skipped: malformed entry" in result.stderr
    got = entries(ws)
    assert got["vaswani2017attention"]["cite_key"] == "vaswani2017attention"
    assert got["vaswani2017attention"]["tags"] == ["imported"]
    # flash-attention-paper was in the list by its arXiv id: two records of it (eprint, and a
    # versioned pdf URL) fill what it lacked and pin the first record's key
    flash = got["flash-attention-paper"]
    assert flash["primary_class"] == "cs.LG" and flash["cite_key"] == "dao2022flashattention"
    assert flash["title"].startswith("FlashAttention: Fast")  # the user's own title is kept
    assert flash["abstract"] is None  # abstracts stay out unless asked
    assert "flashattention-again" not in got
    # the @software merged into the nanogpt repo entry
    assert got["nanogpt"]["release"] == "v1.0" and got["nanogpt"]["authors"] == ["Andrej Karpathy"]
    assert got["schmidhuber1992"]["venue"] == "Neural Computation"
    assert bip("-w", str(ws), "read", "validate").exit_code == 0


def test_importing_twice_leaves_the_file_byte_identical(bip, ws: Path, lib: Path):
    path = ws / "reading_list.yaml"
    for name in ("zotero.json", "CITATION.cff"):
        shutil.copy(DATA / name, lib.parent / name)
    files = [lib, lib.parent / "zotero.json", lib.parent / "CITATION.cff"]
    for file in files:
        bip("-w", str(ws), "read", "import", str(file), "--figure", "tri-dao")
    once = path.read_bytes()
    for file in files:
        result = bip("-w", str(ws), "read", "import", str(file), "--figure", "tri-dao")
        assert " 0 new, 0 merged" in result.stdout
    assert path.read_bytes() == once


def test_dry_run_writes_nothing_and_says_what_it_would_do(bip, ws: Path, lib: Path):
    path = ws / "reading_list.yaml"
    before = path.read_bytes()
    result = bip("-w", str(ws), "read", "import", str(lib), "--dry-run")
    assert "would add vaswani2017attention (paper): Attention Is All You Need" in result.stdout
    assert "would merge into flash-attention-paper: primary_class, cite_key" in result.stdout
    assert "dry run, nothing written: 10 in the file: 6 new, 2 merged" in result.stdout
    assert path.read_bytes() == before
    data = json.loads(bip("-w", str(ws), "read", "import", str(lib), "--dry-run", "--json").stdout)
    assert data["dry_run"] is True and len(data["added"]) == 6
    assert path.read_bytes() == before


def test_abstracts_only_when_asked(bip, ws: Path, lib: Path):
    bip("-w", str(ws), "read", "import", str(lib), "--abstracts")
    assert entries(ws)["flash-attention-paper"]["abstract"].startswith("Transformers are slow")


def test_csl_json_from_zotero(bip, ws: Path):
    result = bip("-w", str(ws), "read", "import", str(DATA / "zotero.json"), "--status", "reading")
    assert "item 4 (no-title): no title" in result.stderr
    got = entries(ws)
    fa2 = got["dao2023flashattention2"]
    assert fa2["arxiv"] == "2307.08691" and fa2["doi"] is None and fa2["status"] == "reading"
    vllm = got["kwon2023vllm"]
    assert vllm["title"].endswith("with PagedAttention")  # CSL markup off
    assert vllm["doi"] == "10.1145/3600006.3613165" and vllm["pages"] == "611-626"
    assert got["mu2021"]["authors"] == ["李沐", "阿斯顿·张"] and got["mu2021"]["kind"] == "book"
    assert got["tvm"]["kind"] == "repo" and got["tvm"]["repo"] == "apache/tvm"


def test_citation_cff_imports_the_software_and_merges_its_preferred_citation(bip, ws: Path):
    bip("-w", str(ws), "read", "import", str(DATA / "zotero.json"))
    result = bip("-w", str(ws), "read", "import", str(DATA / "CITATION.cff"))
    assert "1 new, 0 merged, 1 already in the list, 0 duplicates in the file" in result.stdout
    vllm = entries(ws)["vllm"]
    assert vllm["repo"] == "vllm-project/vllm" and vllm["release"] == "0.6.0"


def test_bad_files_are_clear_errors(bip, ws: Path, tmp_path: Path):
    bad = tmp_path / "refs.json"
    bad.write_text('[{"id": "x",}]', encoding="utf-8")
    result = bip("-w", str(ws), "read", "import", str(bad), code=2)
    assert f"{bad}:1:" in result.stderr and "not valid JSON" in result.stderr
    result = bip("-w", str(ws), "read", "import", str(tmp_path / "nope.bib"), code=2)
    assert "does not exist" in result.stderr
    result = bip(
        "-w", str(ws), "read", "import", str(DATA / "library.bib"), "--status", "doen", code=2
    )
    assert "did you mean 'done'?" in result.stderr
    result = bip(
        "-w", str(ws), "read", "import", str(DATA / "library.bib"), "--figure", "nobody", code=2
    )
    assert "no figure 'nobody'" in result.stderr


def test_bibtex_of_imported_entries_is_read_back_by_bibtexparser_and_pybtex(
    bip, ws: Path, lib: Path
):
    import bibtexparser
    from pybtex.database import parse_string as pybtex_parse

    bip("-w", str(ws), "read", "import", str(lib))
    ids = ["vaswani2017attention", "li2019d2lzh", "schmidhuber1992", "deepseek2024v3"]
    out = bip("-w", str(ws), "cite", *ids, "--format", "bibtex").stdout
    library = bibtexparser.parse_string(out)
    assert not library.failed_blocks
    keys = {e.key: e for e in library.entries}
    assert set(keys) == {"vaswani2017attention", "li2019d2lzh", "schmidhuber1992", "deepseek2024v3"}
    assert "李沐" in keys["li2019d2lzh"]["author"]  # the name as written, the key in pinyin
    parsed = pybtex_parse(out, "bibtex")
    persons = parsed.entries["vaswani2017attention"].persons["author"]
    assert str(persons[0].last_names[0]) == "Vaswani" and len(persons) == 8
    assert parsed.entries["deepseek2024v3"].fields["eprint"] == "2412.19437"


def test_years_and_dois_as_people_mistype_them():
    text = (
        "@article{y1, title={One}, year={2020a}, doi={10.1000/ wrapped.line}}\n"
        "@article{y2, title={Two}, year={2020/2021}, doi={10.1000/from.a.sentence.}}\n"
        "@article{y3, title={Three}, year={12345}, month=jan, doi={https://doi.org/10.1000/x3}}\n"
    )
    got = {r.key: r.fields for r in parse_bibtex(text, "x.bib").records}
    assert (got["y1"]["year"], got["y1"]["doi"]) == (2020, "10.1000/wrapped.line")
    assert (got["y2"]["year"], got["y2"]["doi"]) == (2020, "10.1000/from.a.sentence")
    assert "year" not in got["y3"] and got["y3"]["doi"] == "10.1000/x3"  # 12345 is no year


def test_bibtex_sorting_macros_print_nothing():
    text = (
        '@preamble{"\\newcommand{\\noopsort}[1]{} \\newcommand{\\noop}[1]{}"}\n'
        "@book{k, title={{\\noopsort{1973c}}The Art of Computer Programming}, year=1973,"
        " author={Knuth, Donald E.}}\n"
        "@book{s, title={{\\noop{b}}Structure and Interpretation}, year=1985, author={Abelson, H}}\n"
    )
    got = {r.key: r.fields["title"] for r in parse_bibtex(text, "x.bib").records}
    assert got == {"k": "The Art of Computer Programming", "s": "Structure and Interpretation"}
