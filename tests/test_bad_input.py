"""Bad files get a clear, located error, exit 2, and are left byte-identical."""

import os
from pathlib import Path

import pytest

from tests.conftest import COMMENTED


def truncated() -> bytes:
    return COMMENTED.encode()[: COMMENTED.index("notes: |") + 4] + b"\n  - [unclosed, {\n"


def wrong_types() -> bytes:
    return (
        COMMENTED.replace('title: "nanoGPT"', "title: 42")
        .replace("- training", "- [nested]")
        .encode()
    )


def garbage() -> bytes:
    return bytes(range(256)) * 40


def huge() -> bytes:
    line = b"  - id: e\n    kind: book\n    title: T\n"
    return (b"version: 1\nentries:\n" + line * 1_000_000)[: 33 * 1024 * 1024]


def unicode_id() -> bytes:
    return COMMENTED.replace("id: nanogpt", "id: 纳米GPT").encode()


def latin1() -> bytes:
    return COMMENTED.replace("Andrej", "Andr\u00e9j").encode("latin-1")


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (truncated, "YAML syntax error"),
        (wrong_types, "must be non-empty text, not the number 42"),
        (garbage, "binary data (NUL byte)"),
        (huge, "bip reads at most 32 MiB"),
        (unicode_id, "'纳米GPT' is not a valid id"),
        (latin1, "not valid UTF-8 text"),
    ],
)
@pytest.mark.parametrize(
    "command",
    [
        ("read", "validate"),
        ("read", "list"),
        ("read", "done", "nanogpt"),
        ("read", "add", "2205.14135"),
    ],
)
def test_bad_file_is_refused_and_untouched(bip, commented: Path, make, expected, command):
    data = make()
    commented.write_bytes(data)
    before = os.stat(commented).st_mtime_ns
    result = bip("-w", str(commented.parent), *command, code=2)
    assert result.exit_code == 2, result.stdout
    assert expected in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert "reading_list.yaml" in result.stderr
    assert commented.read_bytes() == data
    assert os.stat(commented).st_mtime_ns == before


def test_problem_lines_point_at_the_right_place(bip, commented: Path):
    commented.write_bytes(wrong_types())
    result = bip("-w", str(commented.parent), "read", "validate", code=2)
    assert "reading_list.yaml:17:12:" in result.stderr  # title: 42
    assert "reading_list.yaml:23:7:" in result.stderr  # - [nested]


def test_missing_reading_list(bip, ws: Path):
    (ws / "reading_list.yaml").unlink()
    result = bip("-w", str(ws), "read", "list", code=2)
    assert result.exit_code == 2 and "does not exist" in result.stderr
