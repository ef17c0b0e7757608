"""`bip cite`: citations and BibTeX for reading-list entries."""

from __future__ import annotations

from typing import Annotated

import typer

from toolkit import readinglist as rl
from toolkit.cli._context import CiteFormat, JsonOpt, workspace
from toolkit.cli.output import echo, print_json
from toolkit.errors import BadInput


def cite(
    ctx: typer.Context,
    ids: Annotated[list[str] | None, typer.Argument(help="Entry ids to cite.")] = None,
    fmt: Annotated[
        CiteFormat,
        typer.Option(
            "--format", help="markdown, bibtex (biblatex), bibtex-plain (plain.bst) or text."
        ),
    ] = CiteFormat.markdown,
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
    """Print citations for reading-list entries.

    Example: bip cite flash-attention-paper vllm-paper --format bibtex
    """
    from toolkit.drafts import Citer
    from toolkit.references import formats

    ws = workspace(ctx)
    if rekey is not None:
        from toolkit.cli.output import warn
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
    if not ids:
        raise BadInput("name the entries to cite", hint="e.g. bip cite flash-attention-paper")
    model = rl.load_reading_list(ws.paths.reading_list).model
    from toolkit.readinglist.sync import citation_files

    citer = Citer(model, citation_files(ws, [model.entry(i) for i in ids]))
    for entry_id in ids:
        citer.cite(entry_id)
    refs = citer.references()
    if as_json:
        plain = fmt is CiteFormat.bibtex_plain
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
    if fmt is CiteFormat.markdown:
        echo(formats.references_markdown(refs))
    elif fmt is CiteFormat.text:
        for n, ref in enumerate(refs, start=1):
            echo(f"[{n}] {formats.text(ref)}")
    else:
        echo(
            "\n".join(
                formats.bibtex(ref, plain=fmt is CiteFormat.bibtex_plain) for ref in refs
            ).rstrip()
        )
