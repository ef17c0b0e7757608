"""`bip cite`: the entries asked for (by id, or `--all`, `--tag`, `--figure`) as references, in
one format, with what a reader should know about each (cited by its id until synced, a year
that stands in for an unknown one, nobody to credit yet)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from toolkit import readinglist as rl
from toolkit.errors import BadInput
from toolkit.references import formats
from toolkit.references.citer import Citer
from toolkit.references.credit import load_repo_facts
from toolkit.references.reference import Reference
from toolkit.text import did_you_mean
from toolkit.workspace import Workspace

FORMATS = ("markdown", "bibtex", "bibtex-plain", "text")


@dataclass
class CiteRequest:
    ids: list[str] = field(default_factory=list)
    all: bool = False
    tags: list[str] = field(default_factory=list)
    figures: list[str] = field(default_factory=list)
    today: date | None = None

    @property
    def whole(self) -> bool:
        """A selection (a whole references.bib), not a list of ids."""
        return self.all or bool(self.tags or self.figures)


@dataclass
class Cited:
    references: list[Reference]
    notes: list[str] = field(default_factory=list)  # what to tell the user, one line each


def select(model: rl.ReadingList, request: CiteRequest) -> list[str]:
    """Entry ids, in the order asked (ids) or of the list (a selection); no entry twice."""
    if request.all and (request.tags or request.figures):
        raise BadInput(
            "--all takes every entry: --tag and --figure would choose nothing",
            hint="drop --all to cite only those, or drop --tag/--figure",
        )
    known = {t for entry in model.entries for t in entry.tags}
    for tag in request.tags:  # a mistyped tag would silently cite nothing of what was meant
        if tag not in known:
            raise BadInput(
                f"no entry is tagged {tag!r}",
                hint=did_you_mean(tag, known) or "see the tags with `bip read list`",
            )
    # a figure's entries, and the repos its GitHub login owns (unknown figures: did-you-mean)
    logins = {(model.figure(f).github or "").lower() for f in request.figures} - {""}
    chosen = list(request.ids)
    for entry in model.entries:
        owner = entry.repo.split("/")[0].lower() if entry.repo else None
        if (
            request.all
            or any(t in entry.tags for t in request.tags)
            or any(f in entry.figures for f in request.figures)
            or owner in logins
        ):
            chosen.append(entry.id)
    if not chosen:
        if request.whole:
            raise BadInput("no entry has these tags or figures", hint="see `bip read list`")
        raise BadInput(
            "name the entries to cite, or a selection",
            hint="e.g. bip cite flash-attention-paper, or bip cite --all",
        )
    return list(dict.fromkeys(chosen))


def cite(ws: Workspace, request: CiteRequest) -> Cited:
    model = rl.load_reading_list(ws.paths.reading_list).model
    ids = select(model, request)
    entries = [model.entry(i) for i in ids]
    citer = Citer(model, load_repo_facts(ws, entries), today=request.today or ws.now().date())
    for entry_id in ids:
        citer.cite(entry_id)
    refs = citer.references()
    return Cited(refs, [note for ref in refs for note in notes(ref, model)])


def notes(ref: Reference, model: rl.ReadingList) -> list[str]:
    entry = model.entry(ref.entry_id)
    found = []
    if ref.provisional:
        found.append(
            f"{entry.id}: its metadata is not known yet, so it is cited by its id "
            f"({ref.key}); `bip read sync` completes it and makes its key"
        )
    if ref.year_accessed:
        found.append(
            f"{entry.id}: no publication year known; {ref.year}, the year you read it, "
            "stands in: write `year:` in its entry"
        )
    if entry.kind == "repo" and not ref.authors:
        found.append(
            f"{entry.id}: nobody to credit by name yet: `bip read sync` fetches "
            f"{entry.repo.split('/')[0] if entry.repo else 'the owner'}'s GitHub profile "
            "(or give the entry a figure)"
        )
    if entry.kind == "repo" and not ref.year:
        found.append(f"{entry.id}: no year yet: `bip read sync` asks GitHub when it was created")
    return found


def render(refs: list[Reference], fmt: str) -> str:
    if fmt not in FORMATS:
        raise BadInput(f"unknown format {fmt!r}", hint="one of: " + ", ".join(FORMATS))
    if fmt == "markdown":
        return formats.references_markdown(refs) + "\n"
    if fmt == "text":
        return "".join(f"[{n}] {formats.text(r)}\n" for n, r in enumerate(refs, start=1))
    plain = fmt == "bibtex-plain"
    return "\n".join(formats.bibtex(r, plain=plain) for r in refs)


def write(path: Path, text: str) -> None:
    """The whole file, atomically (a references.bib is regenerated, never edited)."""
    from toolkit.fileio import atomic_write_text

    if path.is_dir():
        raise BadInput(f"{path} is a folder", hint="give a file name, e.g. --out references.bib")
    atomic_write_text(path, text)
