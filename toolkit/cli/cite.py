"""`bip cite`: citations and BibTeX for reading-list entries, a whole references.bib, or a
CITATION.cff for your own repository."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from toolkit.cli.context import CiteFormat, JsonOpt, workspace
from toolkit.cli.output import echo, print_json, warn
from toolkit.workspace import Workspace


def cite(
    ctx: typer.Context,
    ids: Annotated[list[str] | None, typer.Argument(help="Entry ids to cite.")] = None,
    fmt: Annotated[
        CiteFormat | None,
        typer.Option(
            "--format",
            help="markdown, bibtex (biblatex), bibtex-plain (plain.bst) or text "
            "(default: markdown; bibtex for --all/--tag/--figure).",
        ),
    ] = None,
    all_: Annotated[
        bool, typer.Option("--all", help="Every entry of the list: writes references.bib.")
    ] = False,
    tag: Annotated[
        list[str] | None,
        typer.Option("--tag", metavar="T", help="Entries with this tag (repeatable)."),
    ] = None,
    figure: Annotated[
        list[str] | None,
        typer.Option("--figure", metavar="F", help="Entries of this figure (repeatable)."),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            metavar="FILE",
            help="Write to FILE (default for --all/--tag/--figure: references.bib; for --cff: "
            "CITATION.cff in the repo). `-` prints.",
        ),
    ] = None,
    cff: Annotated[
        bool,
        typer.Option(
            "--cff",
            help="Write a CITATION.cff for your own repo, crediting the upstream work it "
            "builds on in `references:` with its commit.",
        ),
    ] = False,
    repo: Annotated[
        Path | None,
        typer.Option(
            "--repo", metavar="DIR", help="Your repo, for --cff (default: the workspace)."
        ),
    ] = None,
    based_on: Annotated[
        list[str] | None,
        typer.Option(
            "--based-on",
            metavar="ID",
            help="For --cff: the upstream entry (repeatable; default: the reading-list repos "
            "among the repo's remotes).",
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="For --cff: replace an existing CITATION.cff.")
    ] = False,
    as_json: JsonOpt = False,
    rekey: Annotated[
        str | None,
        typer.Option(
            "--rekey",
            metavar="ID",
            help="Repin this entry's citation key from its metadata (posts using the old key "
            "must be updated).",
        ),
    ] = None,
) -> None:
    """Print citations for reading-list entries, or write a references.bib or CITATION.cff.

    Example: bip cite flash-attention-paper vllm-paper --format bibtex
    Example: bip cite --tag training --out refs.bib
    Example: bip cite --cff --repo ~/src/my-nanogpt-fork
    """
    ws = workspace(ctx)
    if rekey is not None:
        from toolkit.references.keys import rekey as rekey_entry

        done = rekey_entry(ws.paths.reading_list, rekey)
        if done.old == done.new:
            echo(f"{done.id}: cite_key is already {done.new}")
        elif done.old:
            echo(f"{done.id}: cite_key {done.old} -> {done.new}")
            warn(f"posts that cite {done.old!r} need {done.new!r} now")
        else:
            echo(f"{done.id}: cite_key {done.new} (pinned)")
        return
    if cff:
        _own_cff(ws, repo, out, based_on or [], force, as_json)
        return
    from toolkit.references import export

    request = export.CiteRequest(list(ids or []), all_, list(tag or []), list(figure or []))
    cited = export.cite(ws, request)
    for line in cited.notes:
        warn(line)
    chosen = (fmt.value if fmt else None) or ("bibtex" if request.whole else "markdown")
    refs = cited.references
    if as_json:
        from toolkit.references import formats

        plain = chosen == "bibtex-plain"
        print_json(
            [
                {
                    "id": ref.entry_id,
                    "key": ref.key,
                    "text": formats.text(ref),
                    "bibtex": formats.bibtex(ref, plain=plain).strip(),
                    "reference": ref,
                }
                for ref in refs
            ]
        )
        return
    text = export.render(refs, chosen)
    target = out if out is not None else (Path("references.bib") if request.whole else None)
    if target is None or str(target) == "-":
        echo(text.rstrip())
        return
    export.write(target, text)
    echo(f"wrote {target}: {len(refs)} entr{'y' if len(refs) == 1 else 'ies'} ({chosen})")


def _own_cff(
    ws: Workspace,
    repo: Path | None,
    out: Path | None,
    based_on: list[str],
    force: bool,
    as_json: bool,
) -> None:
    from toolkit.references.owncff import CffRequest, write_own_cff

    request = CffRequest(repo or ws.root, based_on, out, force, ws.now().date())
    written = write_own_cff(ws, request)
    for line in written.notes:
        warn(line)
    if as_json:
        print_json(written)
        return
    if written.path is None:
        echo(written.text.rstrip())
        return
    credited = ", ".join(
        u.entry_id + (f" at {u.commit[:7]}" if u.commit else "") for u in written.upstream
    )
    echo(f"wrote {written.path}" + (f", crediting {credited}" if credited else ""))
