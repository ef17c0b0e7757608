"""The one private part of Typer bip relies on, pinned (typer<0.30 in pyproject.toml): these
tests fail when a Typer release moves it, before users meet a broken `bip`.

bip's CLI skips Typer's pydantic coercion (~0.1 s of imports) for options left out and plain
text by placing its own coercer in a parameter's `_runtime_param`, which Typer's
`get_runtime_param()` returns and `process_value()` uses. Everything else (lazy command groups,
readable help) goes through public Typer and click APIs.
"""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import version
from pathlib import Path
from typing import Annotated, Any

import typer
import typer.main
from packaging.requirements import Requirement

from tests.conftest import REPO_ROOT


def _command() -> Any:
    app = typer.Typer()

    @app.command()
    def hello(name: Annotated[str | None, typer.Option()] = None) -> None:
        pass

    return typer.main.get_command(app)


def test_typer_is_within_the_pinned_range():
    import tomllib

    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    [pin] = [Requirement(r) for r in project["project"]["dependencies"] if r.startswith("typer")]
    assert pin.specifier.contains(version("typer")), (pin, version("typer"))
    assert any(s.operator == "<" for s in pin.specifier)  # an upper bound: the private may move


def test_a_parameter_coerces_through_its_runtime_param_slot():
    [param] = [p for p in _command().params if p.name == "name"]
    assert param._runtime_param is None  # built lazily: the slot bip fills is there, empty
    assert param.type_descriptor.annotation is str  # Optional unwrapped: plain text

    class Marked:
        def coerce(self, value: Any, param: Any, ctx: Any) -> Any:
            return ("bip's", value)

    param._runtime_param = Marked()
    assert param.get_runtime_param() is param._runtime_param
    assert param.process_value(typer.Context(_command()), "x") == ("bip's", "x")


def test_bip_fills_the_slot_and_a_plain_command_never_imports_pydantic(tmp_path: Path):
    (tmp_path / "reading_list.yaml").write_text("version: 1\nentries: []\n")
    code = (
        "import sys\nfrom toolkit.cli import run\n"
        "code = run(['read', 'list', '--status', 'todo'])\n"
        "print(code, 'pydantic' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert done.stdout.split()[-2:] == ["0", "False"], done.stderr


def test_a_path_option_and_a_file_argument_never_import_pydantic(tmp_path: Path):
    """`-w DIR` and `read import FILE` are paths asked for no checks: `Path(text)`, as typer's
    adapter would make them, without importing pydantic (~0.1 s of every such command)."""
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "reading_list.yaml").write_text("version: 1\nentries: []\n")
    (tmp_path / "refs.bib").write_text("@misc{k, title={T}, year={2020}}\n")
    code = (
        "import sys\nfrom toolkit.cli import run\n"
        f"code = run(['-w', {str(ws)!r}, 'read', 'import', {str(tmp_path / 'refs.bib')!r}, "
        "'--dry-run'])\n"
        "print(code, 'pydantic' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert done.stdout.split()[-2:] == ["0", "False"], done.stderr
    assert "would add" in done.stdout
