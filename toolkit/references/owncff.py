"""`bip cite --cff`: a CITATION.cff for the user's own repository (a fork they trained from, a
report), crediting the upstream work in `references:` with the commit it builds on.

The upstream is what `--based-on` names, else the reading-list repos among the repository's
remotes (another remote than origin first: a fork's `upstream`). Its commit is the one pinned in
the reading list (`commit:`), else the merge-base of HEAD with that remote's default branch.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from toolkit import readinglist as rl
from toolkit.errors import BadInput
from toolkit.readinglist.links import github_repo
from toolkit.references.citer import Citer
from toolkit.references.credit import load_repo_facts
from toolkit.references.names import Name, parse_name
from toolkit.references.reference import Reference
from toolkit.workspace import Workspace

CFF_VERSION = "1.2.0"
MESSAGE = "If you use this software, please cite it as below."
CFF_TYPES = {
    "software": "software",
    "article": "article",
    "inproceedings": "conference-paper",
    "book": "book",
    "online": "website",
    "misc": "generic",
}


@dataclass
class CffRequest:
    repo: Path
    based_on: list[str] = field(default_factory=list)
    out: Path | None = None  # default: CITATION.cff at the repository's top; `-` prints
    force: bool = False
    today: date | None = None


@dataclass
class Upstream:
    entry_id: str
    commit: str | None
    commit_from: str  # "the reading list" | "merge-base with upstream/master" | ""


@dataclass
class OwnCff:
    path: Path | None  # None when printed
    text: str
    upstream: list[Upstream] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def write_own_cff(ws: Workspace, request: CffRequest) -> OwnCff:
    from toolkit.fileio import atomic_write_text
    from toolkit.git import git_facts

    facts = git_facts(request.repo)
    if facts is None:
        raise BadInput(
            f"{request.repo} is not in a git repository",
            hint="pass --repo DIR, the folder of your repository",
        )
    root = Path(facts.root)
    model = rl.load_reading_list(ws.paths.reading_list).model
    built = build_own_cff(ws, model, root, request.based_on, facts.commit)
    if request.out is not None and str(request.out) == "-":
        return built
    path = request.out or root / "CITATION.cff"
    if path.exists() and not request.force:
        raise BadInput(f"{path} already exists", hint="pass --force to replace it, or --out FILE")
    atomic_write_text(path, built.text)
    built.path = path
    return built


def build_own_cff(
    ws: Workspace, model: rl.ReadingList, root: Path, based_on: list[str], head: str | None
) -> OwnCff:
    from toolkit.git import remotes

    known = remotes(root)
    origin = next((github_repo(u) for u in known.get("origin", []) if github_repo(u)), None)
    notes: list[str] = []
    ids = list(based_on) or _upstream_ids(model, known)
    for entry_id in ids:
        model.entry(entry_id)  # an unknown id: an error with did-you-mean
    if not ids:
        notes.append(
            "no reading-list repo among this repository's remotes: nothing credited in "
            "`references:` (name the upstream with --based-on ID)"
        )
    entries = [model.entry(i) for i in ids]
    citer = Citer(model, load_repo_facts(ws, entries))
    for entry_id in ids:
        citer.cite(entry_id)
    upstream, references = [], []
    for ref in citer.references():
        entry = model.entry(ref.entry_id)
        commit, where = entry.commit, "the reading list" if entry.commit else ""
        if commit is None and entry.repo:
            commit, where = _merge_base(root, entry.repo, known)
        if commit is None and entry.repo:  # a paper, a course or a video has no commit
            notes.append(
                f"{entry.id}: no commit to credit (pin one with `bip read pin {entry.id} "
                "--commit SHA`, or fetch the upstream remote)"
            )
        upstream.append(Upstream(entry.id, commit, where))
        references.append(_reference(ref, commit, notes))
    data: dict[str, Any] = {
        "cff-version": CFF_VERSION,
        "message": MESSAGE,
        "title": origin.split("/")[1] if origin else root.name,
        "authors": [_person(n) for n in _own_authors(root)],
    }
    if origin:
        data["repository-code"] = f"https://github.com/{origin}"
    if head:
        data["commit"] = head
    if references:
        data["references"] = references
    return OwnCff(None, _dump(data), upstream, notes)


def _upstream_ids(model: rl.ReadingList, known: dict[str, list[str]]) -> list[str]:
    """Reading-list repos among the remotes: other remotes than origin first (a fork's
    `upstream`), origin only when it is the only one that matches."""
    by_repo = {e.repo.lower(): e.id for e in model.entries if e.repo and e.kind == "repo"}

    def matches(names: list[str]) -> list[str]:
        found = [
            by_repo[repo.lower()]
            for name in names
            for url in known.get(name, [])
            if (repo := github_repo(url)) and repo.lower() in by_repo
        ]
        return list(dict.fromkeys(found))

    others = matches([n for n in known if n != "origin"])
    return others or matches(["origin"])


def _merge_base(root: Path, repo: str, known: dict[str, list[str]]) -> tuple[str | None, str]:
    from toolkit.git import GitError, merge_base, remote_ref_for

    try:
        ref = remote_ref_for(root, repo, known)
        base = merge_base(root, "HEAD", ref) if ref else None
    except GitError:
        return None, ""
    return (base, f"merge-base with {ref}") if base else (None, "")


def _own_authors(root: Path) -> list[Name]:
    from toolkit.git import run_git

    name = run_git(root, "config", "user.name", check=False).stdout.strip()
    if not name:
        last = run_git(root, "log", "-1", "--format=%an", check=False)
        name = last.stdout.strip() if last.returncode == 0 else ""
    if not name:
        raise BadInput(
            "who are you? git knows no name for this repository",
            hint='set it: git config user.name "Your Name"',
        )
    return [parse_name(name)]


def _person(name: Name) -> dict[str, str]:
    if name.literal:
        return {"name": name.family}
    person = {"family-names": name.family}
    if name.given:
        person["given-names"] = name.given
    if name.particle:
        person["name-particle"] = name.particle
    if name.suffix:
        person["name-suffix"] = name.suffix
    return person


def _reference(ref: Reference, commit: str | None, notes: list[str]) -> dict[str, Any]:
    from toolkit.references.names import organisation, parse_name

    names = [ref.names.get(a) or parse_name(a) for a in ref.authors if a.lower() != "others"]
    if not names:  # CFF wants an author: the owner, as GitHub names it, until bip knows better
        owner = (github_repo(ref.url or "") or ref.entry_id).split("/")[0]
        names = [organisation(owner)]
        notes.append(f"{ref.entry_id}: credited as {owner!r}: `bip read sync` fetches a name")
    item: dict[str, Any] = {
        "type": "article" if ref.arxiv and ref.kind == "misc" else CFF_TYPES[ref.kind],
        "title": ref.title,
        "authors": [_person(n) for n in names],
    }
    if ref.kind == "software" and ref.url:
        item["repository-code"] = ref.url
    elif ref.url:
        item["url"] = ref.url
    if commit:
        item["commit"] = commit
    if ref.version:
        item["version"] = ref.version
    if ref.year:
        item["year"] = ref.year
    if ref.journal:
        item["journal"] = ref.journal
    if ref.booktitle:
        item["collection-title"] = ref.booktitle
    doi = ref.doi or (f"10.48550/arXiv.{ref.arxiv}" if ref.arxiv else None)
    if doi:
        item["doi"] = doi
    return item


def _dump(data: dict[str, Any]) -> str:
    from ruamel.yaml import YAML

    yaml = YAML()  # round-trip: keys in the order written, strings quoted where YAML needs it
    yaml.default_flow_style = False
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 100
    buffer = io.StringIO()
    yaml.dump(data, buffer)
    return buffer.getvalue()
