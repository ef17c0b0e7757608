"""A draft's typed seam: one request in, one context out, usable without the CLI."""

from __future__ import annotations

import json
from pathlib import Path

from toolkit.drafts import (
    RESERVED,
    DraftRequest,
    TrainingRequest,
    build_context,
    make_draft,
)
from toolkit.readinglist import load_reading_list
from toolkit.workspace import load_workspace


def test_a_context_is_built_from_a_request_without_the_cli(real_list: Path, tmp_path: Path):
    metrics = tmp_path / "run.json"
    metrics.write_text(json.dumps({"val_loss": 3.28, "model": "GPT-2"}))
    ws = load_workspace(real_list)
    model = load_reading_list(ws.paths.reading_list).model
    request = DraftRequest(
        template="training-run",
        title="  GPT-2\n on one MI300X ",
        cite=["flash-attention-paper"],
        based_on="nanogpt",
        variables={"mood": "good"},
        training=TrainingRequest(metrics=metrics),
    )
    context = build_context(ws, model, request)
    assert context.title == "GPT-2 on one MI300X"
    assert [e.id for e in context.entries] == ["nanogpt", "flash-attention-paper"]
    assert context.based_on is not None and context.based_on.id == "nanogpt"
    assert context.paper is not None and context.paper.id == "flash-attention-paper"
    assert context.training.metrics is not None and context.training.metrics.val_loss == 3.28
    values = context.template_values()
    assert values["mood"] == "good" and values["metrics"] is context.training.metrics
    assert values["run"] is None and values["comparison"] is None


def test_every_name_bip_gives_a_template_is_reserved_from_var(ws: Path):
    """A --var of a name bip sets itself would be silently replaced: each is refused instead."""
    model = load_reading_list(ws / "reading_list.yaml").model
    context = build_context(load_workspace(ws), model, DraftRequest("post", title="t"))
    assert set(context.template_values()) <= set(RESERVED)


def test_a_preview_writes_nothing_and_a_draft_writes_once(ws: Path):
    workspace = load_workspace(ws)
    preview = make_draft(workspace, DraftRequest("post", title="Hello", preview=True))
    assert preview.path is None and "title: Hello" in preview.text
    assert not (ws / "posts").exists()
    written = make_draft(workspace, DraftRequest("post", title="Hello"))
    assert written.path == ws / "posts" / "2026-11-23-hello.md"
    assert written.path.read_text(encoding="utf-8") == preview.text
