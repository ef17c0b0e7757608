"""`bip read import|graph|suggest`: papers, registered on the `bip read` app."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from toolkit import readinglist as rl
from toolkit.cli._context import GraphFormat, JsonOpt, MaxWaitOpt, offline_env, workspace
from toolkit.cli.output import echo, print_json, warn
from toolkit.cli.read import app
from toolkit.workspace import Workspace

if TYPE_CHECKING:
    from toolkit.papers.fetch import Services
    from toolkit.readinglist.links import Source

PapersOfflineOpt = Annotated[
    bool,
    typer.Option(
        "--offline",
        help="Do not contact arXiv, Crossref or Semantic Scholar: answer from the cache.",
    ),
]

FigureOpt = Annotated[list[str] | None, typer.Option("--figure", help="Figure id (repeatable).")]
TagOpt = Annotated[list[str] | None, typer.Option("--tag", help="Tag (repeatable).")]


def warn_garbage_keys(ws: Workspace, model: rl.ReadingList) -> None:
    """`bip read validate`: keys pinned from placeholder metadata, with the fix (a warning only:
    published posts may use them)."""
    from toolkit.papers.keys import garbage_keys

    for bad in garbage_keys(model):
        where = f"{ws.paths.reading_list}:{bad.entry.line}"
        if bad.suggestion:
            fix = f"`bip cite --rekey {bad.entry.id}` repins it as {bad.suggestion!r}"
        else:
            fix = f"run `bip read sync`, then `bip cite --rekey {bad.entry.id}`"
        warn(
            f"{where}: cite_key {bad.key!r} of {bad.entry.id!r} was made from an identifier, "
            f"not from authors, year and title; {fix} (posts that used the old key keep it)"
        )


def rekey_entry(ws: Workspace, entry_id: str) -> None:
    """`bip cite --rekey ID`."""
    from toolkit.papers.keys import plan_rekey

    done = rl.edit_reading_list(
        ws.paths.reading_list, plan_rekey(entry_id), lock=rl.lock_path_for(ws.paths.reading_list)
    )
    if done.old == done.new:
        echo(f"{done.id}: cite_key is already {done.new}")
    elif done.old:
        echo(f"{done.id}: cite_key {done.old} -> {done.new}")
        warn(f"posts that cite {done.old!r} need {done.new!r} now")
    else:
        echo(f"{done.id}: cite_key {done.new} (pinned)")


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
    from toolkit.papers.bibimport import read_references
    from toolkit.papers.importplan import plan_import

    ws = workspace(ctx)
    parsed = read_references(file)
    plan = plan_import(parsed, ws.now().date(), figure, tag, status, abstracts)
    if dry_run:
        _, report = plan(rl.load_reading_list(ws.paths.reading_list).model)
    else:
        report = rl.edit_reading_list(
            ws.paths.reading_list, plan, lock=rl.lock_path_for(ws.paths.reading_list)
        )
    for skipped in report.skipped:
        where = f"{file}:{skipped.line}" if skipped.line else str(file)
        warn(f"{where}: skipped: {skipped.reason}")
    if as_json:
        print_json({**report.__dict__, "dry_run": dry_run})
        return
    verb = "would add" if dry_run else "added"
    for new in report.added:
        echo(f"{verb} {new.id} ({new.kind}): {new.title}")
    for merged in report.merged:
        echo(
            f"{'would merge' if dry_run else 'merged'} into {merged.id}: {', '.join(merged.fields)}"
        )
    counts = (
        f"{len(report.added)} new, {len(report.merged)} merged, "
        f"{len(report.unchanged)} already in the list, {len(report.skipped)} skipped"
    )
    echo(f"dry run, nothing written: {counts}" if dry_run else f"{file}: {counts}")


# --- the services ------------------------------------------------------------------------------


def services(ws: Workspace, offline: bool, quick: bool = False, max_wait: float = 60.0) -> Services:
    from toolkit.papers.fetch import make_services
    from toolkit.settings import environ

    ws.ensure_state_dir()
    settings = ws.settings
    return make_services(
        settings.arxiv_api_url,
        settings.crossref_api_url,
        settings.s2_api_url,
        ws.paths.state,
        offline=offline or offline_env(),
        quick=quick,
        email=settings.papers_email,
        s2_key=environ("S2_API_KEY"),
        max_wait=max_wait,
    )


def _warn_problems(svc: Services) -> None:
    for client in svc.clients:
        for notice in client.notices:
            warn(notice)
    for problem in dict.fromkeys(svc.problems):
        warn(problem)


def paper_fields(
    ws: Workspace, source: Source, model: rl.ReadingList
) -> tuple[dict[str, Any], str]:
    """`bip read add`: what arXiv/Crossref/Semantic Scholar say about a paper (best effort, a few
    seconds at most), and why not when they could not say."""
    from toolkit.papers.fetch import describe
    from toolkit.readinglist.edits import duplicate_of

    if source.kind != "paper" or not (source.arxiv or source.doi):
        return {}, ""
    if offline_env():
        return {}, "offline"
    svc = services(ws, offline=False, quick=True)
    meta = describe(svc, source.arxiv, source.doi)
    if meta is None:
        return {}, "; ".join(dict.fromkeys(svc.problems)) or "no source knows this paper"
    values = meta.values()
    for key in ("arxiv", "doi"):
        other = values.get(key)
        if other and other != getattr(source, key):
            existing = duplicate_of(model, f"{'arXiv:' if key == 'arxiv' else 'doi:'}{other}")
            if existing is not None:
                raise rl_bad_input(
                    f"this paper is already in the list as {existing.id!r} ({key} {other})",
                    existing.id,
                )
    return values, ""


def rl_bad_input(message: str, entry_id: str) -> Exception:
    from toolkit.errors import BadInput

    return BadInput(message, hint=f"see `bip read show {entry_id}`")


def sync_papers(
    ws: Workspace, offline: bool, overwrite: list[str], max_wait: float, as_json: bool
) -> list[Any]:
    """`bip read sync`, for papers: fill what they lack from arXiv, Crossref, Semantic Scholar."""
    from toolkit.errors import BadInput
    from toolkit.papers.edits import plan_complete
    from toolkit.papers.fetch import complete, needs_metadata
    from toolkit.papers.records import PAPER_FIELDS
    from toolkit.text import did_you_mean

    for name in overwrite:
        if name not in PAPER_FIELDS:
            raise BadInput(
                f"--overwrite {name}: not a field bip fills",
                hint=did_you_mean(name, PAPER_FIELDS) or "one of: " + ", ".join(PAPER_FIELDS),
            )
    fields = frozenset(overwrite)
    model = rl.load_reading_list(ws.paths.reading_list).model
    if not any(needs_metadata(e, fields) for e in model.entries):
        if not as_json:
            count = sum(e.kind == "paper" for e in model.entries)
            echo(f"papers: nothing missing in {count} papers; 0 requests")
        return []
    svc = services(ws, offline, max_wait=max_wait)
    metas = complete(svc, model.entries, fields)
    done = rl.edit_reading_list(
        ws.paths.reading_list,
        plan_complete(metas, fields),
        lock=rl.lock_path_for(ws.paths.reading_list),
    )
    _warn_problems(svc)
    if not as_json:
        for item in done:
            echo(f"{item.id}: filled {', '.join(item.fields)} ({item.source})")
        echo(
            f"completed {len(done)} papers; {svc.requests()} requests to arXiv, Crossref and Semantic Scholar"
        )
    return done


# --- graph and suggest -------------------------------------------------------------------------


def _citation_data(
    ws: Workspace, figure: str | None, tag: str | None, offline: bool, max_wait: float, citing: bool
) -> tuple[rl.ReadingList, list[rl.Entry], Any, Services]:
    from toolkit.errors import BadInput
    from toolkit.papers.fetch import fetch_citation_data
    from toolkit.papers.s2 import s2_id

    model = rl.load_reading_list(ws.paths.reading_list).model
    papers = [e for e in rl.filter_entries(model, figure=figure, kind="paper", tag=tag) if s2_id(e)]
    if not papers:
        raise BadInput(
            "no papers with an arXiv id or a DOI"
            + (" match these filters" if figure or tag else ""),
            hint="add one with `bip read add https://arxiv.org/abs/...`",
        )
    svc = services(ws, offline, max_wait=max_wait)
    data = fetch_citation_data(svc, papers, with_citing=citing)
    _warn_problems(svc)
    return model, papers, data, svc


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
    from toolkit.papers import graph as g

    ws = workspace(ctx)
    model, papers, data, svc = _citation_data(ws, figure, tag, offline, max_wait, citing=False)
    built = g.build_graph(papers, data.works, model.entries, _as_of(ws, data))
    render = {"mermaid": g.render_mermaid, "dot": g.render_dot, "json": g.render_json}[fmt.value]
    typer.echo(render(built), nl=False)
    unknown = [n.id for n in built.nodes if n.s2_id is None]
    if unknown:
        warn(f"Semantic Scholar does not know {len(unknown)}: {', '.join(unknown)}")
    warn(
        f"{len(built.nodes)} papers, {len(built.edges)} citations among them "
        f"({built.source}, as of {built.as_of}); {svc.requests()} requests"
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
    from toolkit.papers import graph as g

    ws = workspace(ctx)
    model, _, data, svc = _citation_data(ws, figure, tag, offline, max_wait, citing=True)
    found = g.suggest(data.works, data.citing, model.entries)[:limit]
    as_of = _as_of(ws, data)
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
    warn(f"{svc.requests()} requests to Semantic Scholar")
