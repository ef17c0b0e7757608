"""`bip run`'s edges: run ids keep the name as typed (any script), and a command that cannot
start exits as a shell would (127 not found, 126 not executable) with nothing left behind."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from toolkit.text import run_slug, slugify


def test_a_run_id_keeps_a_name_in_any_script_as_draft_file_names_do(bip, ws: Path):
    hello = [sys.executable, "-c", "print('loss 1.0')"]
    bip("-w", str(ws), "run", "--name", "训练 gpt2", "--", *hello)
    first = json.loads(bip("-w", str(ws), "runs", "show", "训练 gpt2", "--json").stdout)
    assert first["id"] == "2026-11-23-训练-gpt2" == "2026-11-23-" + slugify("训练 gpt2")
    assert first["name"] == "训练 gpt2"
    bip("-w", str(ws), "run", "--name", "训练", "--", *hello)
    bip("-w", str(ws), "run", "--name", "训练", "--", *hello)
    names = sorted(p.name for p in (ws / "runs").iterdir())
    assert names == ["2026-11-23-训练", "2026-11-23-训练-2", "2026-11-23-训练-gpt2"]
    shown = bip("-w", str(ws), "runs", "show", "2026-11-23-训练-2").stdout
    assert "2026-11-23-训练-2" in shown


def test_run_slug_keeps_letters_marks_dots_and_underscores():
    assert run_slug("हिन्दी रन") == "हिन्दी-रन" == slugify("हिन्दी रन")  # vowel signs kept
    assert run_slug("Café Ré") == "café-ré"
    assert run_slug("train_gpt2") == "train_gpt2" and run_slug("llama2.c") == "llama2.c"
    assert run_slug("../../etc/passwd") == "etc-passwd"
    assert run_slug("🚀") == ""
