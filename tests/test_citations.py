"""Citation keys, and BibTeX that a real parser (bibtexparser v2) reads without loss."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import bibtexparser
import pytest

from tests.conftest import FROZEN_LIST
from toolkit.readinglist import Entry, load_reading_list
from toolkit.readinglist.model import CITE_KEY_PATTERN
from toolkit.references import formats, names
from toolkit.references import keys as citekeys
from toolkit.references import reference as refmod

DATA = Path(__file__).resolve().parent / "data"
CFF_PREFERRED = """\
cff-version: 1.2.0
message: If you use this software, please cite it as below.
title: FlashAttention
version: 2.8.3
authors:
  - family-names: Dao
    given-names: Tri
preferred-citation:
  type: conference-paper
  title: "FlashAttention: Fast and Memory-Efficient Exact Attention with IO-Awareness"
  authors:
    - family-names: Dao
      given-names: Tri
    - family-names: Fu
      given-names: Daniel Y.
  conference:
    name: Advances in Neural Information Processing Systems
  year: 2022
"""
CFF_SOFTWARE = """\
cff-version: 1.2.0
title: nanoGPT
version: v1.0
date-released: 2023-01-15
authors:
  - name: Andrej Karpathy
"""


def entry(**kw) -> Entry:
    base = {"id": "x", "kind": "paper", "title": "T"}
    return Entry(**{**base, **kw})


def test_generated_keys_follow_the_pattern():
    e = entry(
        authors=["Tri Dao", "Daniel Y. Fu"],
        year=2022,
        title="FlashAttention: Fast and Memory-Efficient",
    )
    assert citekeys.base_key(e) == "dao2022flashattention"
    assert citekeys.base_key(
        entry(authors=["Ashish Vaswani"], year=2017, title="Attention Is All You Need")
    ) == ("vaswani2017attention")
    assert (
        citekeys.base_key(entry(authors=["Christopher Ré"], year=2020, title="On the Ré"))
        == "re2020re"
    )
    assert (
        citekeys.base_key(entry(authors=["DeepSeek-AI"], year=2025, title="DeepSeek-R1"))
        == "deepseekai2025deepseekr1"
    )
    assert citekeys.base_key(
        entry(authors=["Qwen Team"], year=2024, title="Qwen2.5 Technical Report")
    ) == ("qwen2024qwen25")


def test_clashes_get_suffixes_and_pinned_keys_win(tmp_path: Path):
    path = tmp_path / "reading_list.yaml"
    path.write_text("""version: 1
entries:
  - {id: a, kind: paper, title: Flash One, arxiv: '2205.14135', authors: [Tri Dao], year: 2022}
  - {id: b, kind: paper, title: Flash Two, arxiv: '2307.08691', authors: [Tri Dao], year: 2022}
  - {id: c, kind: paper, title: Other, arxiv: '2407.08608', authors: [Tri Dao], year: 2022, cite_key: dao2022flash}
""")
    keys = citekeys.cite_keys(load_reading_list(path).model)
    assert keys == {"a": "dao2022flasha", "b": "dao2022flashb", "c": "dao2022flash"}


def test_every_reading_list_entry_makes_bibtex_a_parser_reads():
    model = load_reading_list(FROZEN_LIST).model
    keys = citekeys.cite_keys(model)
    assert len(set(keys.values())) == len(model.entries)
    refs = [refmod.reference(e, keys[e.id], today=date(2026, 11, 23)) for e in model.entries]
    for plain in (False, True):
        text = "\n".join(formats.bibtex(r, plain=plain) for r in refs)
        library = bibtexparser.parse_string(text)
        assert library.failed_blocks == []
        assert len(library.entries) == len(model.entries)
        parsed = {e.key: e for e in library.entries}
        for ref in refs:
            got = parsed[ref.key]
            assert got.fields_dict["title"].value == "{" + formats.escape(ref.title) + "}"
            if ref.arxiv:
                assert got.fields_dict["eprint"].value == ref.arxiv
                assert got.fields_dict["archivePrefix"].value == "arXiv"
            if ref.url:
                assert got.fields_dict["url"].value == ref.url
            if plain:
                assert got.entry_type in ("misc", "article", "book")
    vllm = parsed[keys["vllm-paper"]]
    assert vllm.fields_dict["author"].value.startswith("Kwon, Woosuk and Li, Zhuohan")
    assert (
        parsed[keys["mu-li-bilibili"]].fields_dict["title"].value
        == "{跟李沐学AI (paper readings on Bilibili)}"
    )


def test_latex_specials_are_escaped_and_unicode_kept():
    ref = refmod.Reference(
        "k", "misc", "50% faster & cheaper: $1 per #run_1 {x}", authors=["李沐", "Christopher Ré"]
    )
    text = formats.bibtex(ref)
    library = bibtexparser.parse_string(text)
    fields = library.entries[0].fields_dict
    assert fields["title"].value == r"{50\% faster \& cheaper: \$1 per \#run\_1 \{x\}}"
    assert fields["author"].value == "{李沐} and Ré, Christopher"


def test_cff_preferred_citation_wins_over_the_software():
    e = entry(
        id="flash-attention",
        kind="repo",
        title="flash-attention",
        repo="Dao-AILab/flash-attention",
        commit="abc1234def",
    )
    ref = refmod.reference(e, "dao2022flashattention", CFF_PREFERRED)
    assert (ref.kind, ref.year, ref.booktitle, ref.journal) == (
        "inproceedings",
        2022,
        "Advances in Neural Information Processing Systems",
        None,
    )
    assert ref.title.startswith("FlashAttention: Fast") and ref.authors == [
        "Tri Dao",
        "Daniel Y. Fu",
    ]
    assert ref.commit is None  # the paper is cited, not a commit of the code
    parsed = bibtexparser.parse_string(formats.bibtex(ref)).entries[0]
    assert parsed.entry_type == "inproceedings" and parsed.fields_dict[
        "booktitle"
    ].value.startswith("Advances")
    assert "journal" not in parsed.fields_dict


def test_cff_without_preferred_citation_describes_the_software():
    e = entry(
        id="nanogpt",
        kind="repo",
        title="nanoGPT",
        repo="karpathy/nanoGPT",
        commit="93a43d9a5c22450bbf06e78da2cb6eeef084b717",
    )
    ref = refmod.reference(e, "karpathy2023nanogpt", CFF_SOFTWARE)
    assert (ref.kind, ref.version, ref.year, ref.authors) == (
        "software",
        "v1.0",
        2023,
        ["Andrej Karpathy"],
    )
    assert "commit 93a43d9" in formats.text(ref)
    assert "tree/93a43d9a5c22450bbf06e78da2cb6eeef084b717" in formats.markdown(ref)
    fields = bibtexparser.parse_string(formats.bibtex(ref)).entries[0].fields_dict
    assert (
        fields["version"].value == "v1.0"
        and fields["note"].value == "commit 93a43d9a5c22450bbf06e78da2cb6eeef084b717"
    )


@pytest.mark.parametrize("bad", ["not: [valid", "- a list", ""])
def test_a_broken_cff_falls_back_to_the_entry(bad):
    e = entry(id="r", kind="repo", title="repo", repo="o/r")
    assert refmod.reference(e, "k", bad).kind == "software"


def test_online_entries_carry_urldate():
    e = entry(
        id="v",
        kind="video",
        title="Let's build GPT",
        url="https://www.youtube.com/watch?v=kCc8FmEb1nY",
        finished=date(2026, 10, 22),
    )
    ref = refmod.reference(e, "k")
    assert ref.kind == "online" and ref.urldate == "2026-10-22"
    plain = bibtexparser.parse_string(formats.bibtex(ref, plain=True)).entries[0]
    assert plain.entry_type == "misc" and plain.fields_dict["howpublished"].value == (
        r"\url{https://www.youtube.com/watch?v=kCc8FmEb1nY}"
    )


def test_cli_cite_formats(bip, real_list: Path):
    w = str(real_list)
    bib = bip("-w", w, "cite", "flash-attention-paper", "vllm-paper", "--format", "bibtex").stdout
    assert len(bibtexparser.parse_string(bib).entries) == 2
    md = bip("-w", w, "cite", "flash-attention-paper").stdout
    assert md.startswith("1. Tri Dao et al. (2022). [*FlashAttention")
    text = bip("-w", w, "cite", "attention-is-all-you-need", "--format", "text").stdout
    assert text.startswith(
        "[1] Ashish Vaswani et al. (2017). Attention Is All You Need. arXiv:1706.03762."
    )
    result = bip("-w", w, "cite", "flash-atention", code=2)
    assert result.exit_code == 2 and "did you mean" in result.stderr
    assert bip("-w", w, "cite", "vllm", "--format", "ris", code=2).exit_code == 2


def test_format_choices_show_in_help_and_bad_ones_name_them(bip, real_list: Path):
    assert "--format [markdown|bibtex|bibtex-plain|text]" in bip("cite", "--help").stdout
    result = bip("-w", str(real_list), "cite", "vllm", "--format", "ris", code=2)
    assert "'ris' is not one of 'markdown', 'bibtex', 'bibtex-plain', 'text'" in result.stderr


# -- the real plain.bst and abbrv.bst (unmodified, from TeX Live; copying permitted), run by
# pybtex's BibTeX interpreter: what BibTeX prints, and its warnings (empty journal ...) as errors


def bibtex_run(bib: str, style: str = "plain") -> str:
    """The .bbl BibTeX writes for every entry of `bib`; a BibTeX warning fails the test."""
    import pybtex.errors
    from pybtex.bibtex import BibTeXEngine

    pybtex.errors.set_strict_mode(True)
    try:
        return str(BibTeXEngine().format_from_string(bib, style=str(DATA / style)))
    finally:
        pybtex.errors.set_strict_mode(False)


def bibitems(bbl: str) -> dict[str, str]:
    items = bbl.split("\\bibitem{")[1:]
    return {item.split("}", 1)[0]: " ".join(item.split("}", 1)[1].split()) for item in items}


def test_bibtex_plain_prints_arxiv_ids_links_versions_and_dates_in_plain_bst():
    model = load_reading_list(FROZEN_LIST).model
    keys = citekeys.cite_keys(model)
    refs = [refmod.reference(e, keys[e.id], today=date(2026, 11, 23)) for e in model.entries]
    printed = bibitems(bibtex_run("\n".join(formats.bibtex(r, plain=True) for r in refs)))
    assert len(printed) == len(refs)
    for ref in refs:
        shown = printed[ref.key]
        if ref.arxiv:
            assert f"arXiv:{ref.arxiv}" in shown, shown
        if ref.url:
            assert "\\url{" + ref.url + "}" in shown, shown
        if ref.commit:
            assert ref.commit in shown
        if ref.urldate:
            assert f"accessed {ref.urldate}" in shown
    flash = printed[keys["flash-attention-paper"]]
    assert "\\url{https://arxiv.org/abs/2205.14135}" in flash and "arXiv:2205.14135" in flash


def test_a_cff_conference_paper_is_inproceedings_with_its_venue():
    e = entry(id="flash-attention", kind="repo", title="fa", repo="Dao-AILab/flash-attention")
    ref = refmod.reference(e, "dao2022flashattention", CFF_PREFERRED)
    for plain in (False, True):
        printed = bibitems(bibtex_run(formats.bibtex(ref, plain=plain)))
        assert "In {\\em Advances in Neural Information Processing Systems}" in printed[ref.key]
    no_venue = CFF_PREFERRED.replace(
        "  conference:\n    name: Advances in Neural Information Processing Systems\n", ""
    )
    ref = refmod.reference(e, "k", no_venue.replace("conference-paper", "article"))
    assert ref.kind == "misc"  # never an @article with an empty journal
    assert "FlashAttention" in bibtex_run(formats.bibtex(ref, plain=True))


CFF_PARTICLES = """\
cff-version: 1.2.0
title: t-SNE
authors:
  - given-names: Laurens
    name-particle: van der
    family-names: Maaten
  - given-names: Teven
    family-names: Le Scao
  - given-names: Martin Luther
    family-names: King
    name-suffix: Jr.
"""


def test_names_with_particles_keep_their_family_name_whole():
    from pybtex.database import parse_string

    authors = ["Teven Le Scao", "Laurens van der Maaten", "Tri Dao"]
    bib = formats.bibtex(refmod.Reference("k", "misc", "Bloom", authors=authors))
    assert "{Le Scao}, Teven and van der Maaten, Laurens and Dao, Tri" in bib
    people = parse_string(bib, "bibtex").entries["k"].persons["author"]
    assert [(p.prelast_names, p.last_names) for p in people] == [
        ([], ["{Le Scao}"]),
        (["van", "der"], ["Maaten"]),
        ([], ["Dao"]),
    ]
    assert bibitems(bibtex_run(bib, "abbrv"))["k"].startswith(
        "T.~{Le Scao}, L.~van~der Maaten, and T.~Dao."
    )
    assert names.family_name("Teven Le Scao") == "lescao"
    assert names.family_name("Laurens van der Maaten") == "vandermaaten"
    assert names.family_name("Christopher Ré") == "re"

    repo = entry(id="tsne", kind="repo", title="tsne", repo="lvdmaaten/bhtsne")
    ref = refmod.reference(repo, "k", CFF_PARTICLES)
    assert ref.authors == ["Laurens van der Maaten", "Teven Le Scao", "Martin Luther King, Jr."]
    people = parse_string(formats.bibtex(ref), "bibtex").entries["k"].persons["author"]
    assert [
        (p.first_names + p.middle_names, p.prelast_names, p.last_names, p.lineage_names)
        for p in people
    ] == [
        (["Laurens"], ["van", "der"], ["Maaten"], []),
        (["Teven"], [], ["{Le Scao}"], []),
        (["Martin", "Luther"], [], ["King"], ["Jr."]),
    ]
    printed = bibitems(bibtex_run(formats.bibtex(ref, plain=True), "abbrv"))["k"]
    assert printed.startswith("L.~van~der Maaten, T.~{Le Scao}, and M.~L. King, Jr.")


@pytest.mark.parametrize(
    ("venue", "kind", "printed"),
    [
        ("Advances in Neural Information Processing Systems", "inproceedings", "In {\\em Advances"),
        ("NeurIPS", "inproceedings", "In {\\em NeurIPS}"),
        ("Journal of Machine Learning Research", "article", "{\\em Journal of Machine Learning"),
    ],
)
def test_a_paper_with_a_venue_cites_it_in_every_style(venue: str, kind: str, printed: str):
    """Venue and pages (from read add/sync/import) reach the BibTeX, and plain.bst prints them."""
    e = entry(
        id="p", kind="paper", title="A Paper", authors=["Ada Lovelace"], year=2024,
        venue=venue, pages="10-20", arxiv="2401.00001",
    )  # fmt: skip
    ref = refmod.reference(e, "lovelace2024paper")
    assert ref.kind == kind
    for plain in (False, True):
        text = formats.bibtex(ref, plain=plain)
        (parsed,) = bibtexparser.parse_string(text).entries
        assert parsed.entry_type == kind and parsed["pages"] == "10--20"
        assert parsed["booktitle" if kind == "inproceedings" else "journal"] == venue
        shown = bibitems(bibtex_run(text))["lovelace2024paper"]
        assert printed in shown and "pages 10--20" in shown
        if plain:  # plain.bst prints no eprint: the note carries the arXiv id
            assert "arXiv:2401.00001" in shown


def test_a_paper_without_authors_or_year_stays_misc_whatever_its_venue():
    e = entry(id="p", kind="paper", title="A Paper", venue="NeurIPS", arxiv="2401.00001")
    ref = refmod.reference(e, "k")
    assert ref.kind == "misc" and ref.booktitle is None
    assert "A Paper" in bibtex_run(formats.bibtex(ref, plain=True))


def test_many_clashing_keys_stay_unique_and_keys_start_with_a_letter(tmp_path: Path):
    """30 papers by one author in one year with one first word: a..z, then aa, ab, ...; a
    name bip cannot transliterate still gives a key that starts with a letter."""
    lines = ["version: 1", "entries:"]
    for n in range(30):
        lines += [f"  - {{id: p{n}, kind: paper, title: Attention {n}, authors: [Ada Smith],"
                  f" year: 2024, arxiv: '2401.{n:05d}'}}"]  # fmt: skip
    lines += ["  - {id: ru, kind: paper, title: Об одном, authors: [Иван Петров], year: 2001,"
              " doi: 10.1234/ru.5}"]  # fmt: skip
    path = tmp_path / "reading_list.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    keys = citekeys.cite_keys(load_reading_list(path).model)
    smith = [keys[f"p{n}"] for n in range(30)]
    assert len({k.lower() for k in smith}) == 30
    assert (
        smith[:2] == ["smith2024attentiona", "smith2024attentionb"]
        and smith[26] == "smith2024attentionaa"
    )
    assert keys["ru"][0].isalpha() and keys["ru"].isascii()
    assert CITE_KEY_PATTERN.match(keys["ru"])  # what the reading list accepts when pinned


@pytest.mark.parametrize(
    ("written", "last", "jr", "first"),
    [
        ("John Berg, Jr.", "Berg", "Jr.", "John"),
        ("John Berg Jr.", "Berg", "Jr.", "John"),
        ("Martin Luther King III", "King", "III", "Martin Luther"),
        ("Berg, Jr., John", "Berg", "Jr.", "John"),
    ],
)
def test_a_name_suffix_is_a_suffix_to_bibtex(written: str, last: str, jr: str, first: str):
    """pybtex reads the name back as BibTeX does: the suffix is not a given or a family name."""
    from pybtex.database import Person

    ref = refmod.reference(entry(authors=[written], year=2020), "k")
    (person,) = [
        Person(name)
        for name in bibtexparser.parse_string(formats.bibtex(ref))
        .entries[0]["author"]
        .split(" and ")
    ]
    assert (
        " ".join(person.last_names),
        " ".join(person.lineage_names),
        " ".join(person.first_names + person.middle_names),
    ) == (last, jr, first)
    assert names.family_name(written) == last.lower()
