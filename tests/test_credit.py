"""Credit where it is due: people by name (never a login), a year on every reference, keys never
made from placeholders, whole references.bib files, and a CITATION.cff for the user's own repo.

Oracles: bibtexparser and pybtex read what bip writes, biber checks it against biblatex's data
model, cffconvert validates the CITATION.cff. GitHub is played on 127.0.0.1.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import bibtexparser
import pytest
import yaml
from pybtex.database import parse_string

from tests.conftest import FROZEN_LIST
from tests.fakegithub import FakeGitHub
from toolkit.readinglist import load_reading_list
from toolkit.readinglist.sync import RepoMeta, save_repo_meta
from toolkit.state import Store

LIST = """\
version: 1
figures:
  - id: karpathy
    name: Andrej Karpathy
    github: karpathy
entries:
  - {id: nanogpt, kind: repo, title: nanoGPT, repo: karpathy/nanoGPT}
  - {id: vllm, kind: repo, title: vLLM, repo: vllm-project/vllm}
  - {id: tool, kind: repo, title: tool, repo: jqpublic/tool}
  - {id: quiet, kind: repo, title: quiet, repo: quiet/repo}
  - id: gpt-video
    kind: video
    title: "Let's build GPT"
    url: https://www.youtube.com/watch?v=kCc8FmEb1nY
    figures: [karpathy]
    year: 2023
    tags: [gpt]
  - id: vllm-paper
    kind: paper
    title: Efficient Memory Management for Large Language Model Serving with PagedAttention
    doi: 10.1145/3600006.3613165
    authors: [Woosuk Kwon, Zhuohan Li]
    year: 2023
    venue: Proceedings of the 29th Symposium on Operating Systems Principles
    pages: 611–626
    tags: [serving]
  - {id: offline, kind: paper, title: 'arXiv:2205.14135', arxiv: '2205.14135'}
"""


def persons(bib: str, key: str) -> list[tuple[str, str]]:
    entry = parse_string(bib, "bibtex").entries[key]
    people = entry.persons["author"]
    return [(" ".join(p.last_names), " ".join(p.first_names + p.middle_names)) for p in people]


@pytest.fixture
def listed(ws: Path) -> Path:
    (ws / "reading_list.yaml").write_text(LIST, encoding="utf-8")
    return ws


@pytest.fixture
def github(listed: Path, httpserver, monkeypatch) -> FakeGitHub:
    gh = FakeGitHub(httpserver)
    monkeypatch.setenv("GITHUB_API_URL", gh.url)
    monkeypatch.delenv("BIP_OFFLINE")
    for name in ("ARXIV", "CROSSREF", "S2"):  # papers are not this test's business
        monkeypatch.setenv(f"BIP_{name}_API_URL", f"{gh.url}/{name.lower()}")
    for repo, owner_type, created in (
        ("karpathy/nanoGPT", "User", "2022-12-28T00:00:00Z"),
        ("vllm-project/vllm", "Organization", "2023-02-09T00:00:00Z"),
        ("jqpublic/tool", "User", "2019-05-01T00:00:00Z"),
        ("quiet/repo", "User", "2020-01-01T00:00:00Z"),
    ):
        owner = repo.split("/")[0]
        gh.on(
            f"/repos/{repo}",
            {
                "full_name": repo,
                "created_at": created,
                "owner": {"login": owner, "type": owner_type},
            },
        )
    gh.on("/users/vllm-project", {"login": "vllm-project", "name": "vLLM", "type": "Organization"})
    gh.on("/users/jqpublic", {"login": "jqpublic", "name": "Jane Q. Public", "type": "User"})
    gh.on("/users/quiet", {"login": "quiet", "name": None, "type": "User"})
    return gh


def test_repos_credit_the_figure_by_name_never_the_login(bip, listed: Path):
    bib = bip("-w", str(listed), "cite", "nanogpt", "--format", "bibtex").stdout
    assert persons(bib, "karpathynanogpt") == [("Karpathy", "Andrej")]
    text = bip("-w", str(listed), "cite", "nanogpt", "vllm", "--format", "text").stdout
    assert text.startswith("[1] Andrej Karpathy. nanoGPT.")
    assert "karpathy." not in text and "vllm-project." not in text
    both = bip("-w", str(listed), "cite", "nanogpt", "vllm", "--format", "bibtex")
    assert "{vllm-project}" not in both.stdout and "{karpathy}" not in both.stdout
    assert "vllm: nobody to credit by name yet: `bip read sync` fetches" in both.stderr


def test_github_profiles_are_fetched_once_and_cached(bip, listed: Path, github: FakeGitHub):
    bip("-w", str(listed), "read", "sync")
    bip("-w", str(listed), "read", "sync")
    asked = [s.path for s in github.seen if s.path.startswith("/users/")]
    # karpathy is a figure of the list: never asked; the others once each, over two syncs
    assert sorted(asked) == ["/users/jqpublic", "/users/quiet", "/users/vllm-project"]
    cited = bip("-w", str(listed), "cite", "nanogpt", "vllm", "tool", "quiet", "--format", "bibtex")
    library = {e.key: e for e in bibtexparser.parse_string(cited.stdout).entries}
    assert set(library) == {
        "karpathy2022nanogpt",
        "vllm2023vllm",
        "public2019tool",
        "quiet2020quiet",
    }
    assert persons(cited.stdout, "vllm2023vllm") == [("{vLLM}", "")]  # an organisation: one unit
    assert persons(cited.stdout, "public2019tool") == [("Public", "Jane Q.")]
    assert library["karpathy2022nanogpt"].fields_dict["year"].value == "2022"
    assert "author" not in library["quiet2020quiet"].fields_dict  # no name on the profile
    assert "quiet: nobody to credit by name yet" in cited.stderr


def test_page_ranges_are_bibtex_ranges(bip, listed: Path):
    bib = bip("-w", str(listed), "cite", "vllm-paper", "--format", "bibtex").stdout
    entry = bibtexparser.parse_string(bib).entries[0]
    assert entry.fields_dict["pages"].value == "611--626"


def test_a_placeholder_entry_is_cited_by_its_id_and_never_pinned(bip, listed: Path):
    cited = bip("-w", str(listed), "cite", "offline", "--format", "bibtex")
    assert cited.stdout.startswith("@misc{offline,") and "arxivarxiv" not in cited.stdout
    assert "offline: its metadata is not known yet, so it is cited by its id" in cited.stderr
    md = bip("-w", str(listed), "cite", "offline").stdout
    assert "until `bip read sync` completes it" in md
    bip(
        "-w", str(listed), "draft", "post", "--title", "t", "--cite", "offline", "--cite", "nanogpt"
    )
    pinned = {
        e.id: e.cite_key for e in load_reading_list(listed / "reading_list.yaml").model.entries
    }
    assert pinned["offline"] is None and pinned["nanogpt"] == "karpathynanogpt"


def test_all_tag_and_figure_write_a_whole_references_bib(bip, listed: Path, tmp_path: Path):
    out = tmp_path / "refs.bib"
    done = bip("-w", str(listed), "cite", "--all", "--out", str(out)).stdout
    library = bibtexparser.parse_string(out.read_text(encoding="utf-8"))
    assert library.failed_blocks == [] and len(library.entries) == 7
    assert f"wrote {out}: 7 entries (bibtex)" in done
    bip("-w", str(listed), "cite", "--tag", "gpt", "--tag", "serving", "--out", str(out))
    assert len(bibtexparser.parse_string(out.read_text()).entries) == 2
    bip("-w", str(listed), "cite", "--figure", "karpathy", "--out", str(out))
    keys = [e.key for e in bibtexparser.parse_string(out.read_text()).entries]
    assert keys == ["karpathynanogpt", "karpathy2023build"]  # the figure's repo (by login) too
    bad = bip("-w", str(listed), "cite", "--figure", "karpaty", code=2)
    assert "did you mean 'karpathy'?" in bad.stderr
    typo = bip("-w", str(listed), "cite", "--tag", "gpt", "--tag", "serveing", code=2)
    assert "no entry is tagged 'serveing'" in typo.stderr and "'serving'" in typo.stderr
    both = bip("-w", str(listed), "cite", "--all", "--tag", "gpt", code=2)
    assert "--all takes every entry" in both.stderr


# -- the oracles: biber's data model, and BibTeX's classic styles -----------------------------


def needs(tool: str) -> str:
    found = shutil.which(tool)
    if found is None:
        if os.environ.get("CI"):
            pytest.fail(f"{tool} is missing: .ci/run installs it")
        pytest.skip(f"{tool} is not installed (CI installs it)")
    return found


def synced_frozen_list(tmp_path: Path) -> Path:
    """The frozen reading list, with what `bip read sync` keeps about its repos."""
    from toolkit.workspace import init_workspace

    root = tmp_path / "frozen"
    init_workspace(root)
    shutil.copy(FROZEN_LIST, root / "reading_list.yaml")
    model = load_reading_list(root / "reading_list.yaml").model
    (root / ".bip").mkdir(exist_ok=True)
    store = Store(root / ".bip" / "state.sqlite")
    metas = [
        RepoMeta(e.repo, created_at=f"{2015 + n % 10}-06-01T00:00:00Z", owner=e.repo.split("/")[0])
        for n, e in enumerate(model.entries)
        if e.repo
    ]
    save_repo_meta(store, datetime(2026, 11, 23, tzinfo=timezone.utc), metas)
    store.close()
    return root


@pytest.fixture(scope="module")
def frozen_bib(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Every entry of the frozen list in both BibTeX flavours, written once for the module."""
    from toolkit.references.export import CiteRequest, cite, render
    from toolkit.workspace import load_workspace

    tmp = tmp_path_factory.mktemp("frozen")
    ws = load_workspace(synced_frozen_list(tmp))
    refs = cite(ws, CiteRequest(all=True)).references
    return {fmt: render(refs, fmt) for fmt in ("bibtex", "bibtex-plain")}


def biber_problems(biber: str, bib: Path) -> list[str]:
    """biber's data-model check of a .bib: its WARN and ERROR lines (and any failure)."""
    done = subprocess.run(
        [biber, "--tool", "--validate-datamodel", bib.name],
        capture_output=True,
        text=True,
        cwd=bib.parent,
    )
    problems = [line for line in done.stdout.splitlines() if line.startswith(("WARN", "ERROR"))]
    return problems if done.returncode == 0 else [*problems, f"biber exited {done.returncode}"]


@pytest.mark.parametrize("fmt", ["bibtex", "bibtex-plain"])
def test_biber_finds_nothing_missing_in_any_entry_bip_writes(
    frozen_bib: dict[str, str], fmt: str, tmp_path: Path
):
    biber = needs("biber")
    bib = tmp_path / "all.bib"
    bib.write_text(frozen_bib[fmt], encoding="utf-8")
    assert biber_problems(biber, bib) == []
    assert len(bibtexparser.parse_string(frozen_bib[fmt]).entries) == 52


@pytest.mark.parametrize("style", ["plain", "unsrt", "abbrv", "alpha"])
def test_bibtex_plain_is_clean_in_the_classic_styles(frozen_bib: dict[str, str], style: str):
    from tests.test_citations import bibtex_run

    printed = bibtex_run(frozen_bib["bibtex-plain"], style)  # a BibTeX warning fails it
    assert printed.count("\\bibitem") == 52


def test_real_bibtex_is_clean_too(frozen_bib: dict[str, str], tmp_path: Path):
    bibtex = needs("bibtex")
    (tmp_path / "all.bib").write_text(frozen_bib["bibtex-plain"], encoding="utf-8")
    keys = [e.key for e in bibtexparser.parse_string(frozen_bib["bibtex-plain"]).entries]
    (tmp_path / "doc.aux").write_text(
        "".join(f"\\citation{{{k}}}\n" for k in keys) + "\\bibstyle{plain}\n\\bibdata{all}\n"
    )
    done = subprocess.run([bibtex, "doc"], capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0, done.stdout
    assert "Warning" not in done.stdout


# -- CITATION.cff for the user's own repository -------------------------------------------------


def git(repo: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_DATE": "2026-11-01T10:00:00",
        "GIT_COMMITTER_DATE": "2026-11-01T10:00:00",
    }
    return subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, check=True, env=env
    ).stdout.strip()


def cffconvert() -> list[str]:
    """cffconvert from its own virtual environment (its pins, click and jsonschema<4, stay out of
    bip's), made by `make`; on PATH otherwise."""
    own = Path(sys.prefix) / "cffconvert" / "bin" / "cffconvert"
    return [str(own)] if own.exists() else [needs("cffconvert")]


@pytest.fixture
def fork(tmp_path: Path) -> tuple[Path, str]:
    """A fork of nanoGPT: upstream's two commits, then the user's own."""
    upstream = tmp_path / "upstream"
    upstream.mkdir()
    git(upstream, "init", "-q", "-b", "master")
    git(upstream, "config", "user.name", "Andrej Karpathy")
    git(upstream, "config", "user.email", "k@example.com")
    git(upstream, "commit", "-q", "--allow-empty", "-m", "first")
    git(upstream, "commit", "-q", "--allow-empty", "-m", "second")
    base = git(upstream, "rev-parse", "HEAD")
    mine = tmp_path / "mine"
    subprocess.run(["git", "clone", "-q", "-o", "upstream", str(upstream), str(mine)], check=True)
    git(mine, "remote", "set-url", "upstream", "https://github.com/karpathy/nanoGPT.git")
    git(mine, "remote", "add", "origin", "https://github.com/ada/nanoGPT-rocm.git")
    git(mine, "config", "user.name", "Ada Lovelace")
    git(mine, "config", "user.email", "ada@example.com")
    git(mine, "commit", "-q", "--allow-empty", "-m", "ROCm")
    return mine, base


def test_cite_cff_credits_the_upstream_at_the_commit_the_fork_builds_on(
    bip, listed: Path, fork: tuple[Path, str]
):
    mine, base = fork
    done = bip("-w", str(listed), "cite", "--cff", "--repo", str(mine))
    assert f"crediting nanogpt at {base[:7]}" in done.stdout
    path = mine / "CITATION.cff"
    checked = subprocess.run(
        [*cffconvert(), "--validate", "-i", str(path)], capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert data["authors"] == [{"family-names": "Lovelace", "given-names": "Ada"}]
    assert data["repository-code"] == "https://github.com/ada/nanoGPT-rocm"
    assert data["commit"] == git(mine, "rev-parse", "HEAD")
    (upstream,) = data["references"]
    assert upstream["authors"] == [{"family-names": "Karpathy", "given-names": "Andrej"}]
    assert (upstream["type"], upstream["commit"]) == ("software", base)
    assert upstream["repository-code"] == "https://github.com/karpathy/nanoGPT"
    again = bip("-w", str(listed), "cite", "--cff", "--repo", str(mine), code=2)
    assert "already exists" in again.stderr  # the user's file is never replaced unasked


def test_cite_cff_prefers_the_commit_pinned_in_the_reading_list(
    bip, listed: Path, fork: tuple[Path, str]
):
    mine, _ = fork
    path = listed / "reading_list.yaml"
    pinned = "93a43d9a5c22450bbf06e78da2cb6eeef084b717"
    path.write_text(
        path.read_text().replace(
            "repo: karpathy/nanoGPT}", f"repo: karpathy/nanoGPT, commit: '{pinned}'}}"
        )
    )
    out = mine / "cite.cff"
    bip("-w", str(listed), "cite", "--cff", "--repo", str(mine), "--out", str(out))
    assert yaml.safe_load(out.read_text())["references"][0]["commit"] == pinned


def test_cite_cff_asks_a_commit_of_code_only(bip, listed: Path, fork: tuple[Path, str]):
    mine, base = fork
    args = ["--based-on", "nanogpt", "--based-on", "vllm-paper", "--based-on", "gpt-video"]
    done = bip("-w", str(listed), "cite", "--cff", "--repo", str(mine), *args)
    assert f"crediting nanogpt at {base[:7]}, vllm-paper, gpt-video" in done.stdout
    assert "no commit" not in done.stdout + done.stderr  # a paper or a video has none to pin
    checked = subprocess.run(
        [*cffconvert(), "--validate", "-i", str(mine / "CITATION.cff")],
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_biber_is_clean_on_imported_entries_that_name_a_publisher(bip, ws: Path, tmp_path: Path):
    """Real entries of d2l.bib whose publisher biblatex puts elsewhere or nowhere: an @article
    (a journal names no publisher), a thesis and a report without a venue (@misc: organization),
    a paper in proceedings and a book (publisher)."""
    biber = needs("biber")
    keys = {
        "Abdel-Hamid.Mohamed.Jiang.ea.2014",
        "Speelpenning.1980",
        "wolpert1995no",
        "chen2020generative",
        "BellmanDPBook",
    }
    real = bibtexparser.parse_file(str(Path(__file__).parent / "data" / "real" / "d2l.bib"))
    bib = tmp_path / "some.bib"
    bib.write_text("\n\n".join(e.raw for e in real.entries if e.key in keys), encoding="utf-8")
    bip("-w", str(ws), "read", "import", str(bib), "--tag", "some")
    out = tmp_path / "refs.bib"
    bip("-w", str(ws), "cite", "--tag", "some", "--out", str(out))
    assert biber_problems(biber, out) == []
    written = {e.entry_type: e.fields_dict for e in bibtexparser.parse_file(str(out)).entries}
    assert set(written) == {"article", "misc", "inproceedings", "book"}
    assert "publisher" not in written["article"]
    assert written["misc"]["organization"].value  # who published it is still said
    assert written["inproceedings"]["publisher"].value == "PMLR"
    assert written["book"]["publisher"].value == "Dover Publications"


def test_a_preprint_venue_written_by_hand_cites_as_the_arxiv_paper(bip, ws: Path):
    """A venue copied from Google Scholar or NASA ADS into the list by hand (or kept from an
    import before bip knew better) says only "preprint": no journal of that name."""
    path = ws / "reading_list.yaml"
    path.write_text(
        path.read_text(encoding="utf-8")
        + "\n  - id: scaling\n    kind: paper\n    title: Scaling Laws for Neural Language Models\n"
        "    authors: [Jared Kaplan]\n    year: 2020\n    venue: arXiv e-prints\n"
        "    arxiv: '2001.08361'\n"
        "\n  - id: adam\n    kind: paper\n    title: 'Adam: A Method for Stochastic Optimization'\n"
        "    authors: [Diederik P. Kingma]\n    year: 2014\n"
        "    venue: arXiv preprint arXiv:1412.6980\n    arxiv: '1412.6980'\n",
        encoding="utf-8",
    )
    cited = bip("-w", str(ws), "cite", "scaling", "adam", "--format", "bibtex").stdout
    for entry in bibtexparser.parse_string(cited).entries:
        assert entry.entry_type == "misc" and "journal" not in entry.fields_dict
        assert entry.fields_dict["archivePrefix"].value == "arXiv"
