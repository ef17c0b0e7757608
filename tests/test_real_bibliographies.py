"""Imports that add up, on bibliographies nobody here wrote (tests/data/real, see SOURCES.md):
the textbook Dive into Deep Learning's 488 entries, PyTorch's and Transformers' CITATION.cff.
bibtexparser is the oracle for what the file holds."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import bibtexparser
import pytest

from toolkit.readinglist import load_reading_list

REAL = Path(__file__).parent / "data" / "real"


def imported(bip, ws: Path, path: Path, *more: str) -> dict:
    return json.loads(bip("-w", str(ws), "read", "import", str(path), "--json", *more).stdout)


def entries(ws: Path) -> dict:
    return {e.id: e for e in load_reading_list(ws / "reading_list.yaml").model.entries}


@pytest.fixture(scope="module")
def d2l_oracle() -> bibtexparser.Library:
    return bibtexparser.parse_string((REAL / "d2l.bib").read_text(encoding="utf-8"))


def test_every_entry_of_a_textbook_bibliography_is_accounted_for(bip, ws: Path, d2l_oracle):
    report = imported(bip, ws, REAL / "d2l.bib")
    in_file = len(d2l_oracle.entries) + len(d2l_oracle.failed_blocks)
    assert report["in_file"] == in_file == 488
    assert sum(report["counts"].values()) == in_file
    listed = (
        [a["line"] for a in report["added"]]
        + [m["line"] for m in report["merged"]]
        + [d["line"] for d in report["duplicates"]]
        + [s["line"] for s in report["skipped"]]
    )
    # each entry listed once, at the line bibtexparser says it starts (an empty list before)
    assert sorted(listed) == sorted(e.start_line + 1 for e in d2l_oracle.entries)
    # the same books under two keys (vapnik.1998 and Vapnik98 ...) are one entry each
    assert {"vapnik.1998", "Vapnik98"} & {d["key"] for d in report["duplicates"]} == {"Vapnik98"}
    # ... but Bellman's book "Dynamic Programming" (1957) is not his Science article (1966)
    assert {"BellmanDPBook", "bellman-science66"} <= {a["key"] for a in report["added"]}
    again = imported(bip, ws, REAL / "d2l.bib")
    assert again["counts"] == {
        "new": 0,
        "merged": 0,
        "already present": report["counts"]["new"],
        "duplicate in file": report["counts"]["duplicate in file"],
        "skipped": report["counts"]["skipped"],
    }


def test_old_years_and_arxiv_ids_written_as_journals(bip, ws: Path):
    imported(bip, ws, REAL / "d2l.bib")
    got = entries(ws)
    gauss = got["gauss.1809"]
    assert (gauss.year, gauss.authors) == (1809, ["Carl Friedrich Gauss"])
    assert got["legendre.1805"].year == 1805
    # `journal = {arxiv.org/abs/2205.11916}`: that arXiv paper, not a journal of that name
    (kojima,) = [e for e in got.values() if e.arxiv == "2205.11916"]
    assert kojima.venue is None and kojima.kind == "paper"
    cited = bip("-w", str(ws), "cite", kojima.id, "--format", "bibtex").stdout
    fields = bibtexparser.parse_string(cited).entries[0].fields_dict
    assert fields["eprint"].value == "2205.11916" and "journal" not in fields


def test_an_arxiv_id_anywhere_makes_the_entry_that_paper(bip, ws: Path, tmp_path: Path):
    bip("-w", str(ws), "read", "add", "https://arxiv.org/abs/1412.6980", "--id", "adam")
    bib = tmp_path / "adam.bib"
    ways = {
        "journal": "journal = {ArXiv:1412.6980}",
        "note": "note = {arXiv preprint arXiv:1412.6980}",
        "url": "url = {https://arxiv.org/pdf/1412.6980v9.pdf}",
        "howpublished": "howpublished = {\\url{https://arxiv.org/abs/1412.6980}}",
        "eprint": "eprint = {1412.6980}, archivePrefix = {arXiv}",
        "corr": "journal = {CoRR}, volume = {abs/1412.6980}",
    }
    bib.write_text(
        "".join(
            f"@article{{k{n}, title = {{Adam: A Method for Stochastic Optimization}}, "
            f"author = {{Kingma, Diederik P. and Ba, Jimmy}}, year = 2014, {field}}}\n"
            for n, field in enumerate(ways.values())
        ),
        encoding="utf-8",
    )
    report = imported(bip, ws, bib)
    assert report["counts"]["new"] == 0 and report["counts"]["duplicate in file"] == 5
    assert [m["id"] for m in report["merged"]] == ["adam"]
    adam = entries(ws)["adam"]
    assert adam.arxiv == "1412.6980" and adam.venue is None  # not a journal "ArXiv:1412.6980"


# NASA ADS exports an arXiv preprint as an @ARTICLE in the journal "arXiv e-prints", its arXiv id
# as the pages (and the eid); Zotero and Google Scholar users meet these files too.
ADS_KAPLAN = """\
@ARTICLE{2020arXiv200108361K,
       author = {{Kaplan}, Jared and {McCandlish}, Sam and {Henighan}, Tom},
        title = "{Scaling Laws for Neural Language Models}",
      journal = {arXiv e-prints},
         year = 2020,
        month = jan,
          eid = {arXiv:2001.08361},
        pages = {arXiv:2001.08361},
          doi = {10.48550/arXiv.2001.08361},
archivePrefix = {arXiv},
       eprint = {2001.08361},
 primaryClass = {cs.LG},
       adsurl = {https://ui.adsabs.harvard.edu/abs/2020arXiv200108361K},
}
"""


def test_an_ads_export_is_an_arxiv_paper_not_a_journal(bip, ws: Path, tmp_path: Path):
    bip("-w", str(ws), "read", "add", "https://arxiv.org/abs/2001.08361", "--id", "scaling")
    bib = tmp_path / "ads.bib"
    bib.write_text(ADS_KAPLAN, encoding="utf-8")
    report = imported(bip, ws, bib)
    assert [m["id"] for m in report["merged"]] == ["scaling"]
    scaling = entries(ws)["scaling"]
    assert scaling.authors[0] == "Jared Kaplan"
    assert (scaling.venue, scaling.pages) == (None, None)
    cited = bip("-w", str(ws), "cite", "scaling", "--format", "bibtex").stdout
    fields = bibtexparser.parse_string(cited).entries[0].fields_dict
    assert fields["eprint"].value == "2001.08361"
    assert "journal" not in fields and "pages" not in fields


def test_dblp_keys_are_kept_and_crossref_gives_the_year_and_venue(bip, ws: Path):
    """DBLP's export (tests/data/papers/dblp-crossref.bib, its shape): keys with slashes, each
    paper's year and proceedings in the @proceedings entry it cross-references."""
    bib = Path(__file__).parent / "data" / "papers" / "dblp-crossref.bib"
    report = imported(bip, ws, bib)
    assert report["in_file"] == sum(report["counts"].values()) == 3
    [skipped] = report["skipped"]
    assert skipped["line"] == 25 and "proceedings volume" in skipped["reason"]
    got = {e.cite_key: e for e in entries(ws).values() if e.cite_key}
    vaswani = got["DBLP:conf/nips/VaswaniSPUJGKP17"]  # the key the user's LaTeX cites
    assert vaswani.id == "vaswanispujgkp17"
    inherits = got["DBLP:conf/nips/OtherPaper17"]
    assert inherits.year == 2017 and inherits.venue.startswith("Advances in Neural Information")
    assert inherits.url.endswith("0000-Abstract.html")  # its own, not the volume's
    cited = bip("-w", str(ws), "cite", vaswani.id, "--format", "bibtex").stdout
    assert bibtexparser.parse_string(cited).entries[0].key == "DBLP:conf/nips/VaswaniSPUJGKP17"


def test_the_same_paper_two_ways_in_one_file_is_one_entry(bip, ws: Path, tmp_path: Path):
    bib = tmp_path / "two.bib"
    bib.write_text(
        "@article{kingma2014adam, title = {Adam: A Method for Stochastic Optimization},\n"
        "  author = {Kingma, Diederik P and Ba, Jimmy}, journal = {arXiv preprint}, year = {2014}}\n"
        "@inproceedings{KingmaB15, title = {{Adam}: {A} Method for Stochastic Optimization},\n"
        "  author = {Diederik P. Kingma and Jimmy Ba}, booktitle = {3rd International Conference"
        " on Learning Representations, {ICLR} 2015}, year = {2015}, doi = {10.48550/arXiv.1412.6980}}\n"
        "@book{gauss1809, title = {Theoria motus corporum coelestium}, year = {1809}}\n",
        encoding="utf-8",
    )
    report = imported(bip, ws, bib)
    assert report["counts"] == {
        "new": 2,
        "merged": 0,
        "already present": 0,
        "duplicate in file": 1,
        "skipped": 0,
    }
    got = entries(ws)
    adam = got["kingma2014adam"]
    assert adam.arxiv == "1412.6980" and adam.venue.startswith("3rd International Conference")
    assert got["gauss1809"].year == 1809 and got["gauss1809"].authors == []  # no author: imported
    assert bip("-w", str(ws), "read", "validate").exit_code == 0


def test_real_citation_cff_files(bip, ws: Path, tmp_path: Path):
    report = imported(bip, ws, REAL / "transformers.CITATION.cff")
    assert report["counts"]["new"] == 2 and report["in_file"] == 2
    got = entries(ws)
    software = next(e for e in got.values() if e.repo == "huggingface/transformers")
    assert software.kind == "repo" and software.year == 2020
    paper = next(
        e for e in got.values() if e.kind == "paper" and e.title.startswith("Transformers")
    )
    assert paper.venue.startswith("Proceedings of the 2020 Conference on Empirical Methods")
    assert paper.pages == "38–45" and paper.authors[11] == "Teven Le Scao"
    cited = bip("-w", str(ws), "cite", paper.id, "--format", "bibtex").stdout
    entry = bibtexparser.parse_string(cited).entries[0]
    assert entry.entry_type == "inproceedings"  # the conference-paper keeps its venue
    assert entry.fields_dict["booktitle"].value.startswith("Proceedings of the 2020 Conference")
    assert entry.fields_dict["pages"].value == "38--45"
    # PyTorch's names no repository: from anywhere it cannot be a repo, and says why ...
    pytorch = imported(bip, ws, REAL / "pytorch.CITATION.cff")
    assert (
        pytorch["counts"]["new"] == 1
        and "software without its GitHub" in (pytorch["skipped"][0]["reason"])
    )
    asplos = next(e for e in entries(ws).values() if e.title.startswith("PyTorch 2"))
    assert asplos.venue.startswith("29th ACM International Conference on Architectural")
    # ... and from its clone it is the repo pytorch/pytorch
    clone = tmp_path / "pytorch"
    clone.mkdir()
    shutil.copy(REAL / "pytorch.CITATION.cff", clone / "CITATION.cff")
    subprocess.run(["git", "init", "-q", str(clone)], check=True)
    subprocess.run(
        ["git", "-C", str(clone), "remote", "add", "origin", "https://github.com/pytorch/pytorch"],
        check=True,
    )
    again = imported(bip, ws, clone / "CITATION.cff")
    assert again["counts"]["new"] == 1 and again["counts"]["already present"] == 1
    assert any(e.repo == "pytorch/pytorch" and e.kind == "repo" for e in entries(ws).values())
