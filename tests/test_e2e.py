"""A few true end-to-end runs of the installed `bip` in a subprocess."""

import os
import subprocess
import sys
from pathlib import Path

BIN = Path(sys.executable).parent


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BIP_")}
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def test_installed_bip_runs_the_quickstart(tmp_path: Path):
    bip = str(BIN / "bip")
    assert run(bip, "--version", cwd=tmp_path).stdout.startswith("bip ")
    assert run(bip, "init", "ws", cwd=tmp_path).returncode == 0
    listing = run(bip, "read", "list", cwd=tmp_path / "ws")
    assert listing.returncode == 0 and "nanogpt" in listing.stdout
    done = run(bip, "read", "done", "nanogpt", cwd=tmp_path / "ws")
    assert done.returncode == 0 and "status todo -> done" in done.stdout


def test_python_dash_m_and_errors_without_tracebacks(tmp_path: Path):
    result = run(sys.executable, "-m", "toolkit", "read", "list", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith("bip: error: no bip workspace")
    assert "Traceback" not in result.stderr
    (tmp_path / "reading_list.yaml").write_bytes(b"version: 1\nentries: [\x00\n")
    result = run(sys.executable, "-m", "toolkit", "read", "validate", cwd=tmp_path)
    assert result.returncode == 2 and "reading_list.yaml:2:11: binary data" in result.stderr
    debug = run(sys.executable, "-m", "toolkit", "--debug", "read", "validate", cwd=tmp_path)
    assert "Traceback" in debug.stderr and "InvalidFile" in debug.stderr


def test_help_imports_no_heavy_library():
    """`bip --help` stays light: YAML, HTTP, git and templates load only in the commands using them."""
    code = (
        "import sys, toolkit.cli; "
        "print(','.join(m for m in ('requests', 'requests_cache', 'git', 'jinja2', 'ruamel.yaml') "
        "if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0 and result.stdout.strip() == ""
