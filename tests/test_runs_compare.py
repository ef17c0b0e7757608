"""`bip runs compare`: one table, one figure with the runs overlaid on a tokens axis."""

from __future__ import annotations

import json
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

SCRIPT = r"""
import sys
scale = float(sys.argv[1])
print("tokens per iteration will be: {tokens:,}")
for it in range(0, 201, 10):
    if it % 100 == 0:
        print(f"step {{it}}: train loss {{scale * 4 / (1 + it / 50):.4f}}, val loss {{scale * 4.1 / (1 + it / 50):.4f}}")
    print(f"iter {{it}}: loss {{scale * 4 / (1 + it / 50):.4f}}, time {{100 * scale:.2f}}ms, mfu 30.00%")
"""


@pytest.fixture
def two_runs(bip, ws: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.py").write_text(SCRIPT.format(tokens=1000))
    (tmp_path / "b.py").write_text(SCRIPT.format(tokens=2000))
    bip("-w", str(ws), "run", "--name", "small", "--", sys.executable, "a.py", "1.0")
    bip("-w", str(ws), "run", "--name", "big", "--", sys.executable, "b.py", "0.5")


def test_compare_gives_one_table_and_one_figure_on_a_tokens_axis(
    bip, ws: Path, tmp_path: Path, two_runs
):
    figure = tmp_path / "cmp.svg"
    result = bip(
        "-w", str(ws), "runs", "compare", "small", "big", "--figure", str(figure), "--json"
    )
    data = json.loads(result.stdout)
    small, big = data["runs"]
    assert (small["id"], big["id"]) == ("2026-11-23-small", "2026-11-23-big")
    assert small["final_val_loss"] == pytest.approx(4.1 / 5) and big[
        "final_val_loss"
    ] == pytest.approx(0.5 * 4.1 / 5)
    assert small["tokens_per_sec"] == pytest.approx(1000 / 0.1)
    assert big["tokens_per_sec"] == pytest.approx(2000 / 0.05)
    assert data["x_axis"] == "tokens" and data["figure"] == str(figure)
    # this machine has no GPU tool: said so, with the CPU, not left empty
    cpu = json.loads((ws / "runs" / "2026-11-23-small" / "run.json").read_text())["hardware"]["cpu"]
    assert small["hardware"] == f"no GPU ({cpu['model'] or str(cpu['count']) + ' CPUs'})"
    # The figure, read back as SVG: both runs drawn, against tokens (run b: twice the tokens).
    root = ET.parse(figure).getroot()
    ns = {"s": "http://www.w3.org/2000/svg"}
    assert root.find(".//s:g[@id='run0']", ns) is not None
    assert root.find(".//s:g[@id='run1']", ns) is not None
    svg = figure.read_text()
    assert "<!-- tokens -->" in svg and "<!-- small -->" in svg and "<!-- big -->" in svg
    text = bip("-w", str(ws), "runs", "compare", "small", "big", "--no-figure").stdout
    header, first, second = text.splitlines()[:3]
    assert "tok/s" in header and "MFU" in header
    assert first.split()[0] == "2026-11-23-small" and "10,000" in first
    assert second.split()[0] == "2026-11-23-big" and "40,000" in second


def test_compare_writes_a_png_by_default_and_refuses_one_run(bip, ws: Path, two_runs):
    result = bip("-w", str(ws), "runs", "compare", "small", "big")
    png = ws / "runs" / "compare-small-vs-big.png"
    assert str(png) in result.stdout and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    import matplotlib.image

    assert matplotlib.image.imread(png).shape[2] in (3, 4)  # a real PNG, read by a reader
    assert "two runs or more" in bip("-w", str(ws), "runs", "compare", "small", code=2).stderr


def test_draft_thread_from_a_run_has_its_numbers_credit_and_a_png(bip, ws: Path, two_runs):
    """`bip draft thread --run` (accepted and ignored before): the run's numbers, the credit
    to the work it builds on, the loss curve as a PNG (X takes no SVG); every post valid by
    twitter-text, X's own counter."""
    from toolkit.drafts.thread import twitter_text  # the package, loaded without pkg_resources

    # The workspace's reading list names nanoGPT's figure: karpathy, Andrej Karpathy.
    result = bip(
        "-w", str(ws), "draft", "thread", "--run", "small", "--based-on", "nanogpt", "--json"
    )
    posts = json.loads(result.stdout)["posts"]
    text = " ".join(posts)
    assert "I trained small" in text and "val loss 0.820" in text
    assert "10,000 tokens/s (steady state)" in text
    assert "Built on Andrej Karpathy's nanoGPT" in text
    for post in posts:
        assert twitter_text().parse_tweet(post).valid, post
    written = json.loads(result.stdout)["path"]
    folder = Path(written).parent
    png = folder / "loss.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "Attach to the first post: `loss.png`" in Path(written).read_text()


def test_a_baselines_hardware_is_printed_once(bip, ws: Path, two_runs, tmp_path: Path):
    base = tmp_path / "upstream.json"
    base.write_text(json.dumps({"val_loss": 3.1, "gpus": 8, "hardware": "8x A100 40GB"}))
    text = bip("-w", str(ws), "draft", "training-run", "--run", "small", "--baseline", str(base),
               "--stdout").stdout  # fmt: skip
    assert "| 8x A100 40GB |" in text and "8x 8x" not in text


def test_a_runs_post_and_its_thread_are_two_files(bip, ws: Path, two_runs):
    """Both default to the run's name as title: the thread is written beside the post, never
    refused as 'already exists' (nor with --force over it)."""
    post = json.loads(
        bip("-w", str(ws), "draft", "training-run", "--run", "small", "--json").stdout
    )
    thread = json.loads(bip("-w", str(ws), "draft", "thread", "--run", "small", "--json").stdout)
    assert Path(post["path"]) == ws / "posts" / "2026-11-23-small" / "index.md"
    assert Path(thread["path"]) == ws / "posts" / "2026-11-23-small-thread" / "index.md"
    assert "## Results" in Path(post["path"]).read_text()
    assert "I trained small" in Path(thread["path"]).read_text()
