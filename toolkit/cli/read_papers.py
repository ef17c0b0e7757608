"""`bip read import|graph|suggest`: the papers commands, registered on the `bip read` app."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Annotated, Any

import typer

from toolkit.cli.context import GraphFormat, JsonOpt, MaxWaitOpt, workspace
from toolkit.cli.output import echo, print_json, sanitize, warn
from toolkit.cli.read import app
from toolkit.workspace import Workspace

PapersOfflineOpt = Annotated[
    bool,
    typer.Option(
        "--offline",
        help="Do not contact arXiv, Crossref or Semantic Scholar: answer from the cache.",
    ),
]

FigureOpt = Annotated[list[str] | None, typer.Option("--figure", help="Figure id (repeatable).")]
TagOpt = Annotated[list[str] | None, typer.Option("--tag", help="Tag (repeatable).")]


@app.command("import")
def import_(
    ctx: typer.Context,
    file: Annotated[
        Path, typer.Argument(help="A .bib (BibTeX/BibLaTeX), CSL JSON (.json) or CITATION.cff.")
    ],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print what would be added and merged; write nothing.")
    ] = False,
    figure: FigureOpt = None,
    tag: TagOpt = None,
    status: Annotated[str, typer.Option(help="Status of new entries.")] = "todo",
    abstracts: Annotated[
        bool, typer.Option("--abstracts", help="Keep abstracts in the YAML (left out by default).")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Import references from Zotero, a .bib file or a CITATION.cff, merging duplicates.

    Example: bip read import library.bib --tag from-zotero --dry-run
    """
    from toolkit.references.importplan import ImportRequest, import_references

    ws = workspace(ctx)
    request = ImportRequest(file, ws.now().date(), figure, tag, status, abstracts, dry_run)
    report = import_references(ws.paths.reading_list, request)
    for skipped in report.skipped:
        where = f"{file}:{skipped.line}" if skipped.line else str(file)
        warn(f"{where}: skipped: {skipped.reason}")
    if as_json:
        print_json({**dataclasses.asdict(report), "counts": report.counts})
        return
    verb = "would add" if dry_run else "added"
    lines = [f"{verb} {new.id} ({new.kind}): {new.title}" for new in report.added]
    lines += [
        f"{'would merge' if dry_run else 'merged'} into {merged.id}: {', '.join(merged.fields)}"
        for merged in report.merged
    ]
    lines += [f"{file}:{t.line}: duplicate in the file: {t.reason}" for t in report.duplicates]
    if lines:  # one write, not one per line: an import may list thousands
        echo("\n".join(lines))
    n = report.counts
    counts = (
        f"{report.in_file} in the file: {n['new']} new, {n['merged']} merged, "
        f"{n['already present']} already in the list, {n['duplicate in file']} "
        f"duplicate{'' if n['duplicate in file'] == 1 else 's'} in the file, {n['skipped']} skipped"
    )
    echo(f"dry run, nothing written: {counts}" if dry_run else f"{file}: {counts}")


# --- graph and suggest -------------------------------------------------------------------------


def _as_of(ws: Workspace, data: Any) -> Any:
    return data.as_of.astimezone(ws.settings.tz()).date() if data.as_of else None


@app.command()
def graph(
    ctx: typer.Context,
    fmt: Annotated[
        GraphFormat, typer.Option("--format", help="mermaid (renders on GitHub), dot or json.")
    ] = GraphFormat.mermaid,
    figure: Annotated[str | None, typer.Option(help="Only papers of this figure.")] = None,
    tag: Annotated[str | None, typer.Option(help="Only papers with this tag.")] = None,
    offline: PapersOfflineOpt = False,
    max_wait: MaxWaitOpt = 60.0,
) -> None:
    """Draw who cites whom among your reading list's papers (from Semantic Scholar).

    Example: bip read graph --format mermaid > papers.md
    """
    from toolkit.references import graph as g
    from toolkit.references.services import citation_query

    ws = workspace(ctx)
    query = citation_query(ws, figure, tag, offline, max_wait, citing=False)
    for warning in query.warnings:
        warn(warning)
    built = g.build_graph(
        query.papers, query.data.works, query.model.entries, _as_of(ws, query.data)
    )
    render = {"mermaid": g.render_mermaid, "dot": g.render_dot, "json": g.render_json}[fmt.value]
    typer.echo(render(built), nl=False)
    unknown = [n.id for n in built.nodes if n.s2_id is None]
    if unknown:
        warn(f"Semantic Scholar does not know {len(unknown)}: {', '.join(unknown)}")
    as_of = f", as of {built.as_of}" if built.as_of else ""
    note(
        f"{len(built.nodes)} papers, {len(built.edges)} citations among them "
        f"({built.source}{as_of}); {_requests(query.requests)}"
    )


@app.command()
def suggest(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option(min=1, help="How many suggestions.")] = 10,
    figure: Annotated[str | None, typer.Option(help="Only from papers of this figure.")] = None,
    tag: Annotated[str | None, typer.Option(help="Only from papers with this tag.")] = None,
    offline: PapersOfflineOpt = False,
    max_wait: MaxWaitOpt = 60.0,
    as_json: JsonOpt = False,
) -> None:
    """Suggest papers cited by (or citing) two or more of your entries that you do not list yet.

    Example: bip read suggest --limit 5
    """
    from toolkit.references import graph as g
    from toolkit.references.services import citation_query

    ws = workspace(ctx)
    query = citation_query(ws, figure, tag, offline, max_wait, citing=True)
    for warning in query.warnings:
        warn(warning)
    found = g.suggest(query.data.works, query.data.citing, query.model.entries)[:limit]
    as_of = _as_of(ws, query.data)
    if as_json:
        print_json({"suggestions": found, "source": "Semantic Scholar", "as_of": as_of})
        return
    if not found:
        echo("nothing to suggest: no paper outside the list is cited by (or cites) two entries")
    for n, item in enumerate(found, start=1):
        year = f" ({item.year})" if item.year else ""
        relation = []
        if item.cited_by:
            relation.append(f"cited by {', '.join(item.cited_by)}")
        if item.cites:
            relation.append(f"cites {', '.join(item.cites)}")
        echo(f"{n}. {item.title}{year}")
        echo(f"   because: {'; '.join(relation)}")
        where = f"arXiv:{item.arxiv}" if item.arxiv else f"doi:{item.doi}" if item.doi else ""
        count = (
            f"{item.citation_count:,} citations (Semantic Scholar, as of {as_of})"
            if item.citation_count is not None
            else ""
        )
        if where or count:
            echo(f"   {' · '.join(x for x in (where, count) if x)}")
        echo(f"   {item.add}")
    note(f"{_requests(query.requests)} to Semantic Scholar")


def note(text: str) -> None:
    """What a command did, on stderr so its output stays clean for a pipe: not a warning."""
    typer.echo(sanitize(text), err=True)


def _requests(count: int) -> str:
    return f"{count} request{'' if count == 1 else 's'}"
