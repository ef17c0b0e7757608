"""The references package's one vocabulary: one CITATION.cff reader for `bip cite` and `bip read
import`, one place that splits names, and one `bip read sync` report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from toolkit.references.cff import parse_cff
from toolkit.references.names import Name, bib_names, cff_name, csl_name, profile_name

ODD_CFF = {
    "date-released: TBD": "cff-version: 1.2.0\ntitle: Tool\ndate-released: TBD\n"
    "repository-code: https://github.com/acme/tool\n"
    "authors:\n  - family-names: Doe\n    given-names: Jane\n",
    "authors: 3": "cff-version: 1.2.0\ntitle: Tool\nauthors: 3\ndate-released: 2024-02-01\n"
    "repository-code: https://github.com/acme/tool\n",
}


def clone_workspace(ws: Path, cff: str) -> Path:
    clone = ws.parent / "clone"
    clone.mkdir()
    (clone / "CITATION.cff").write_text(cff, encoding="utf-8")
    (ws / "bip.toml").write_text(f'[clones]\n"acme/tool" = "{clone}"\n', encoding="utf-8")
    (ws / "reading_list.yaml").write_text(
        "version: 1\nentries:\n  - {id: tool, kind: repo, title: tool, repo: acme/tool}\n",
        encoding="utf-8",
    )
    return clone


@pytest.mark.parametrize("what", sorted(ODD_CFF))
def test_cite_and_import_read_the_same_odd_citation_cff(bip, ws: Path, what: str):
    clone = clone_workspace(ws, ODD_CFF[what])
    cited = json.loads(bip("-w", str(ws), "cite", "tool", "--json").stdout)[0]
    imported = json.loads(
        bip("-w", str(ws), "read", "import", str(clone / "CITATION.cff"), "--json").stdout
    )
    assert cited["reference"]["title"] == "Tool"
    work = parse_cff(ODD_CFF[what]).software
    assert cited["reference"]["year"] == work.year
    assert cited["reference"]["authors"] == [n.display for n in work.authors]
    assert imported["unchanged"] == ["tool"] or [m["id"] for m in imported["merged"]] == ["tool"]


def test_one_name_splitter_for_every_format():
    """BibTeX, CSL, CFF and a GitHub profile write the same person; bip reads one name."""
    bib = bib_names("van der Maaten, Laurens")[0]
    csl = csl_name({"family": "Maaten", "non-dropping-particle": "van der", "given": "Laurens"})
    cff = cff_name({"family-names": "Maaten", "name-particle": "van der", "given-names": "Laurens"})
    github = profile_name("Laurens van der Maaten", "lvdmaaten", is_organisation=False)
    assert bib == csl == cff.display == github.display == "Laurens van der Maaten"  # type: ignore[union-attr]
    assert github == Name("Laurens", "Maaten", "van der")
    assert profile_name("vLLM", "vllm-project", is_organisation=True).literal
