"""What every command needs from the root options: the workspace."""

from __future__ import annotations

import typer

from toolkit.workspace import Workspace, load_workspace


def workspace(ctx: typer.Context) -> Workspace:
    obj = ctx.find_root().obj or {}
    return load_workspace(obj.get("workspace"))
