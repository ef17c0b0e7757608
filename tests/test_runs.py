"""`bip run`, `bip runs` and `bip draft training-run --run`: a real git repository, a small
training script printing nanoGPT- and llm.c-style lines (no sleeping, no GPU), fake GPU tools on
PATH printing their documented formats, a failing command, SIGINT, the SVG read back point by
point, and the post built by real Hugo."""

from __future__ import annotations

import csv
import json
import math
import os
import re
import select
import shutil
import signal
import stat
import subprocess
import sys
import xml.etree.ElementTree as ET
from datetime import datetime
from pathlib import Path

import git
import pytest

from tests.gitrepos import commit_file
from tests.hugo import build, hugo_site
from toolkit.runs import probe
from toolkit.runs.parse import compile_patterns, parse_lines
from toolkit.runs.series import summarize

WHEN = datetime(2026, 11, 20, 9, 0)
UPSTREAM = "https://github.com/karpathy/nanoGPT"

# A training script in nanoGPT's output format; `llmc` switches to llm.c's. The numbers follow
# formulas the tests below restate, so every figure in run.json and the post can be checked.
TRAIN = r"""
import math, sys
llmc = "llmc" in sys.argv
fail = [a for a in sys.argv if a.startswith("--exit=")]
print("tokens per iteration will be: 491,520" if not llmc else "total desired batch size: 524288")
print("starting", file=sys.stderr)
for it in range(0, 601, 10):
    loss = 3 + 8 * math.exp(-it / 80) + (0.01 if it % 20 else -0.01)
    dt = 400.0 if it == 0 else 170.0 + it % 3
    mfu = -100.0 if it < 50 else 38.0 + (it % 3) / 10
    if llmc:
        if it % 100 == 0:
            print(f"val loss {3.05 + 8 * math.exp(-it / 80):.4f}")
        print(f"step {it:4d}/600 | train loss {loss:.6f} | norm 1.2345 | lr {6e-4 * min(1, (it + 1) / 100):.2e} | {dt:.2f} ms | {max(mfu, 0):.1f}% bf16 MFU | {524288 / dt * 1000:.0f} tok/s")
    else:
        if it % 100 == 0:
            v = 3.05 + 8 * math.exp(-it / 80)
            print(f"step {it}: train loss {v - 0.05:.4f}, val loss {v:.4f}")
        print(f"iter {it}: loss {loss:.4f}, time {dt:.2f}ms, mfu {mfu:.2f}%")
sys.exit(int(fail[0][7:]) if fail else 0)
"""

NVIDIA_SMI = "#!/bin/sh\necho 'NVIDIA H100 80GB HBM3, 81559, 550.54.15'\n"
# rocm-smi --showproductname --showmeminfo vram --showdriverversion --json (ROCm 6.x): one
# object per card ("card0"...), values as strings, and "system" for the driver.
ROCM_JSON = {
    "card0": {
        "Card Series": "AMD Instinct MI300X",
        "Card Model": "0x74a1",
        "Card Vendor": "Advanced Micro Devices, Inc. [AMD/ATI]",
        "Card SKU": "M3000100",
        "GFX Version": "gfx942",
        "VRAM Total Memory (B)": "206141652992",
        "VRAM Total Used Memory (B)": "295698432",
    },
    "card1": {
        "Card series": "AMD Instinct MI300X",  # older rocm-smi spells it lower-case
        "Card model": "0x74a1",
        "VRAM Total Memory (B)": "206141652992",
        "VRAM Total Used Memory (B)": "295698432",
    },
    "system": {"Driver version": "6.8.5"},
}
# amd-smi static --asic --vram --driver --json: a list (amd-smi 24.x) or {"gpu_data": [...]}
# (ROCm 6.4 and later), sizes as {"value", "unit"} or "196592 MB".
AMD_SMI_NEW = {
    "gpu_data": [
        {
            "gpu": 0,
            "asic": {"market_name": "AMD Instinct MI300X", "device_id": "0x74a1"},
            "vram": {"type": "HBM3", "size": {"value": 196592, "unit": "MB"}},
            "driver": {"name": "amdgpu", "version": "6.10.5"},
        }
    ]
}
AMD_SMI_OLD = [
    {
        "gpu": 0,
        "asic": {"market_name": "AMD Instinct MI300X"},
        "vram": {"type": "HBM3", "size": "196592 MB"},
        "driver": {"name": "amdgpu", "version": "6.7.0"},
    }
]


def tool(bindir: Path, name: str, script: str) -> None:
    path = bindir / name
    path.write_text(script)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)


@pytest.fixture
def gpu_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A PATH with a fake nvidia-smi in front."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    tool(bindir, "nvidia-smi", NVIDIA_SMI)
    monkeypatch.setenv("PATH", f"{bindir}{os.pathsep}{os.environ['PATH']}")
    return bindir


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """My fork of nanoGPT: upstream's commit, then mine adding train.py; `upstream` points at
    github.com/karpathy/nanoGPT with its master at the upstream commit (as after a fetch)."""
    path = tmp_path / "nanogpt-rocm"
    path.mkdir()
    r = git.Repo.init(path, initial_branch="rocm-bf16")
    base = commit_file(r, "model.py", "# GPT\n", "karpathy@example.com", WHEN, "upstream model")
    mine = commit_file(r, "train.py", TRAIN, "me@example.com", WHEN, "train.py: bf16 on ROCm")
    r.create_remote("upstream", UPSTREAM)
    r.git.update_ref("refs/remotes/upstream/master", base.hexsha)
    monkeypatch.chdir(path)
    return {"base": base.hexsha, "mine": mine.hexsha, "path": str(path)}


def run_json(ws: Path, run_id: str) -> dict:
    return json.loads((ws / "runs" / run_id / "run.json").read_text())


def expected_rows() -> list[dict[str, float]]:
    """What TRAIN prints (nanoGPT flavour), as the series should hold it."""
    rows = []
    for it in range(0, 601, 10):
        row = {
            "step": it,
            "train_loss": round(3 + 8 * math.exp(-it / 80) + (0.01 if it % 20 else -0.01), 4),
        }
        if it % 100 == 0:
            row["val_loss"] = round(3.05 + 8 * math.exp(-it / 80), 4)
        rows.append(row)
    return rows


def test_a_run_records_the_command_commit_gpu_and_numbers(bip, ws: Path, repo, gpu_path):
    result = bip(
        "-w", str(ws), "run", "--name", "gpt2 124M", "--based-on", "nanogpt", "--tag", "rocm",
        "--", sys.executable, "train.py", "--learning_rate=6e-4",
    )  # fmt: skip
    folder = ws / "runs" / "2026-11-23-gpt2-124m"
    log = (folder / "log.txt").read_text()
    # Everything the command printed reached the terminal unchanged, and the log.
    assert result.stdout == log.replace("starting\n", "")
    assert "starting" in result.stderr and "starting\n" in log
    # nanoGPT prints MFU against an A100's 312 TFLOPS; the run was on an H100 SXM (989.5 dense
    # bf16): the headline says MFU of the GPU it ran on, 38.1% x 312 / 989.5.
    assert result.stderr.rstrip().endswith("val loss 3.054, 2,874,451 tok/s, MFU 12.0%)")
    data = run_json(ws, folder.name)
    assert data["command"] == [sys.executable, "train.py", "--learning_rate=6e-4"]
    assert data["cwd"] == repo["path"] and data["exit_code"] == 0
    assert data["started"] == "2026-11-23T10:00:00+00:00" and data["wall_seconds"] >= 0
    assert datetime.fromisoformat(data["finished"]) >= datetime.fromisoformat(data["started"])
    assert (
        data["name"] == "gpt2 124M" and data["tags"] == ["rocm"] and data["based_on"] == "nanogpt"
    )
    g = data["git"]
    assert (g["commit"], g["branch"], g["dirty"]) == (repo["mine"], "rocm-bf16", False)
    assert (g["upstream_url"], g["upstream_ref"], g["merge_base"]) == (
        UPSTREAM,
        "upstream/master",
        repo["base"],
    )
    assert data["hardware"]["gpus"] == [
        {
            "name": "NVIDIA H100 80GB HBM3",
            "memory": "80 GiB",
            "memory_mib": 81559,
            "driver": "550.54.15",
        }
    ]
    assert data["hardware"]["cpu"]["count"] == os.cpu_count()
    assert data["software"]["python"] == ".".join(map(str, sys.version_info[:3]))
    metrics = data["metrics"]
    assert metrics["series"] == "metrics.csv" and metrics["steps"] == 600
    assert metrics["final"]["val_loss"] == 3.0544 and metrics["best"]["val_loss"] == 3.0544
    assert metrics["learning_rate"] == {"value": 6e-4, "source": "the command line"}
    # Steady state, restated: measurements at every logged step; the first 10% (7 of 61) and
    # the evaluation steps (multiples of 100) left out.
    kept = [s for s in range(70, 601, 10) if s % 100]
    steady = metrics["steady_state"]
    assert steady["measurements"] == len(kept)
    assert steady["time_ms"] == pytest.approx(sum(170 + s % 3 for s in kept) / len(kept))
    assert steady["mfu"] == pytest.approx(sum(0.38 + (s % 3) / 1000 for s in kept) / len(kept))
    assert steady["tokens_per_sec"] == pytest.approx(
        sum(491520 / ((170 + s % 3) / 1000) for s in kept) / len(kept)
    )
    with (folder / "metrics.csv").open() as fh:
        series = list(csv.DictReader(fh))
    assert [(float(r["step"]), float(r["train_loss"])) for r in series] == [
        (r["step"], r["train_loss"]) for r in expected_rows()
    ]
    assert [float(r["val_loss"]) for r in series if r["val_loss"]] == [
        r["val_loss"] for r in expected_rows() if "val_loss" in r
    ]
    assert series[0]["mfu"] == "" and float(series[5]["mfu"]) == pytest.approx(0.382)
    assert float(series[2]["tokens"]) == 20 * 491520
    mfu = metrics["mfu"]
    assert mfu["value"] == pytest.approx(steady["mfu"] * 312 / 989.5)
    assert mfu["reference"] == "NVIDIA H100 SXM, 989.5 TFLOPS dense bf16"
    assert mfu["how"].startswith("rescaled: nanoGPT printed MFU against an NVIDIA A100 (312")
    assert "nvidia.com" in mfu["source"]


def test_a_failing_command_is_recorded_and_bip_exits_with_its_code(bip, ws: Path, repo):
    result = bip("-w", str(ws), "run", "--", sys.executable, "train.py", "--exit=3", code=3)
    data = run_json(ws, "2026-11-23-train")
    assert data["exit_code"] == 3 and data["interrupted"] is False
    assert data["metrics"]["final"]["val_loss"] == 3.0544  # what it printed before failing counts
    assert "(exit 3," in result.stderr
    listing = bip("-w", str(ws), "runs", "list").stdout
    assert "2026-11-23-train" in listing and "exit 3" in listing


def test_no_gpu_tool_is_a_fact_and_a_missing_command_runs_nothing(bip, ws: Path, repo, monkeypatch):
    monkeypatch.setenv("PATH", str(Path(sys.executable).parent) + os.pathsep + "/usr/bin:/bin")
    bip("-w", str(ws), "run", "--", sys.executable, "-c", "print('hi')")
    hardware = run_json(ws, "2026-11-23-python")["hardware"]
    if not any(
        Path(d, t).exists()
        for d in ("/usr/bin", "/bin")
        for t in ("nvidia-smi", "rocm-smi", "amd-smi")
    ):
        assert hardware["gpus"] == [] and "no GPU tool" in hardware["gpu_note"]
    result = bip("-w", str(ws), "run", "--", "no-such-trainer", "--fast", code=127)
    assert "command not found: no-such-trainer" in result.stderr
    assert sorted(p.name for p in (ws / "runs").iterdir()) == ["2026-11-23-python"]


def test_runs_list_keeps_a_multiline_command_on_its_row(bip, ws: Path, repo):
    # `sh`, not sys.executable: a long interpreter path would push the command past the column
    bip("-w", str(ws), "run", "--name", "multi", "--", "sh", "-c", "x=1\necho $x")
    listing = bip("-w", str(ws), "runs", "list").stdout
    (row,) = [line for line in listing.splitlines() if "2026-11-23-multi" in line]
    assert "sh -c 'x=1 echo" in row
    assert len(listing.splitlines()) == 2  # the header and this run's one row


def test_bad_patterns_are_refused_before_anything_runs(bip, ws: Path, repo):
    (ws / "bip.toml").write_text("[runs]\npatterns = ['loss (?P<loss>[0-9.]+']\n")
    result = bip("-w", str(ws), "run", "--", sys.executable, "train.py", code=2)
    assert "[runs] patterns #1" in result.stderr and "not a regular expression" in result.stderr
    assert not (ws / "runs").exists()
    (ws / "bip.toml").write_text("[runs]\ngpu_hour_usd = 'cheap'\n")
    result = bip("-w", str(ws), "runs", "list", code=2)
    assert "bip.toml:2" in result.stderr and "must be a number" in result.stderr


def bip_process(ws: Path, *args: str, **kwargs) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BIP_")}
    env.update(BIP_WORKSPACE=str(ws), BIP_TIMEZONE="UTC", BIP_OFFLINE="1")
    return subprocess.Popen([sys.executable, "-m", "toolkit", *args], env=env, **kwargs)


def test_ctrl_c_stops_the_command_records_the_partial_run_and_exits_130(ws: Path, repo):
    """SIGINT to bip alone (as `kill -INT` or a CI timeout sends it), while the command blocks
    on a FIFO nobody writes: bip passes it on, records what was printed, exits 130."""
    fifo = Path(repo["path"]) / "never"
    os.mkfifo(fifo)
    script = "print('step 1/10 | train loss 5.0 | 1.0 ms | 1000 tok/s', flush=True); open('never').read()"
    proc = bip_process(
        ws, "run", "--name", "blocked", "--", sys.executable, "-c", script,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
    )  # fmt: skip
    assert proc.stdout is not None
    ready, _, _ = select.select([proc.stdout], [], [], 60)
    assert ready and proc.stdout.readline().startswith(b"step 1/10")
    os.kill(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    [folder] = (ws / "runs").iterdir()
    data = json.loads((folder / "run.json").read_text())
    assert data["interrupted"] is True and data["exit_code"] == 130
    assert data["metrics"]["final"]["train_loss"] == 5.0
    assert "KeyboardInterrupt" in (folder / "log.txt").read_text()
    assert err.decode().rstrip().endswith("bip: interrupted")


def test_on_a_terminal_the_command_gets_one_and_the_log_keeps_plain_newlines(ws: Path, repo):
    from tests.terminal import bip_on_terminal

    env = {k: v for k, v in os.environ.items() if not k.startswith("BIP_")}
    env.update(BIP_WORKSPACE=str(ws), BIP_TIMEZONE="UTC")
    code = "import sys; print('tty', sys.stdout.isatty(), sys.stderr.isatty()); print('x', file=sys.stderr)"
    exit_code, text = bip_on_terminal("run", "--", sys.executable, "-c", code, env=env)
    assert exit_code == 0, text
    assert "tty True True\r\nx\r\n" in text  # the terminal shows it as the command wrote it
    [folder] = (ws / "runs").iterdir()
    assert (folder / "log.txt").read_bytes() == b"tty True True\nx\n"


def test_llmc_json_lines_and_your_own_patterns_parse():
    lines = [
        "total desired batch size: 524288",
        "val loss 4.1234",  # before step 1: the untrained model's, kept at step 0
        "step    1/5000 | train loss 5.270009 | norm 15.1294 | lr 6.00e-06 | 312.55 ms | 37.1% bf16 MFU | 1677535 tok/s",
        "val loss 5.0000",
        "step    2/5000 | loss 5.1 (+0.00z)| norm 1.0 (+0.00z)| lr 1.20e-05 | 300.00 ms | 38.0% bf16 MFU | 1700000 tok/s",
        '{"step": 3, "loss": 4.9, "val/loss": 5.1, "lr": 1.8e-05, "note": "text is skipped"}',
        "\x1b[32mepoch 0 | it 4 | ppl 120.5 | loss=4.8\x1b[0m\r",
        "nothing to see",
    ]
    patterns = compile_patterns(
        [r"it (?P<step>\d+) \| ppl (?P<perplexity>[\d.]+) \| loss=(?P<loss>[\d.]+)"], "bip.toml"
    )
    parsed = parse_lines(lines, patterns)
    assert parsed.tokens_per_step == 524288 and parsed.formats == ["llm.c", "JSON", "patterns"]
    rows = {int(r["step"]): r for r in parsed.rows}
    assert rows[0] == {"step": 0, "val_loss": 4.1234, "tokens": 0}
    assert rows[1] == {
        "step": 1, "train_loss": 5.270009, "norm": 15.1294, "lr": 6e-06, "time_ms": 312.55,
        "mfu": pytest.approx(0.371), "tokens_per_sec": 1677535, "val_loss": 5.0, "tokens": 524288,
    }  # fmt: skip
    assert rows[2]["train_loss"] == 5.1 and rows[2]["mfu"] == pytest.approx(0.38)
    assert rows[3] == {
        "step": 3,
        "train_loss": 4.9,
        "val_loss": 5.1,
        "lr": 1.8e-05,
        "tokens": 3 * 524288,
    }
    assert rows[4] == {"step": 4, "perplexity": 120.5, "train_loss": 4.8, "tokens": 4 * 524288}
    summary = summarize(parsed.rows)
    assert summary.peak_lr == 1.8e-05 and summary.best["val_loss"] == 4.1234
    with pytest.raises(Exception, match="names no group"):
        compile_patterns([r"loss \d+"], "bip.toml")


def test_gpu_probes_read_the_documented_formats(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    assert probe.parse_nvidia(
        "NVIDIA A100-SXM4-40GB, 40960, 535.104.05\nTesla T4, 15360, 535.104.05\n"
    ) == [
        probe.GPU("NVIDIA A100-SXM4-40GB", "40 GiB", 40960, "535.104.05"),
        probe.GPU("Tesla T4", "15 GiB", 15360, "535.104.05"),
    ]
    mi300x = probe.GPU("AMD Instinct MI300X", "192 GiB", 196592, "6.8.5")
    assert probe.parse_rocm_smi(
        "WARNING: AMD GPU device(s) is/are in a low-power state\n" + json.dumps(ROCM_JSON)
    ) == [mi300x, mi300x]
    assert probe.parse_amd_smi(json.dumps(AMD_SMI_NEW)) == [
        probe.GPU("AMD Instinct MI300X", "192 GiB", 196592, "6.10.5")
    ]
    assert probe.parse_amd_smi(json.dumps(AMD_SMI_OLD)) == [
        probe.GPU("AMD Instinct MI300X", "192 GiB", 196592, "6.7.0")
    ]
    # On PATH: rocm-smi alone, and HIP_VISIBLE_DEVICES picks the card the run can see.
    bindir = tmp_path / "amdbin"
    bindir.mkdir()
    tool(bindir, "rocm-smi", f"#!/bin/sh\nprintf '%s\\n' '{json.dumps(ROCM_JSON)}'\n")
    monkeypatch.setenv("PATH", str(bindir))  # printf is the shell's own: nothing else is found
    monkeypatch.setenv("HIP_VISIBLE_DEVICES", "1")
    assert probe.probe_gpus() == ([mi300x], "rocm-smi", None)


def test_a_wedged_gpu_tool_is_killed_at_its_timeout(tmp_path: Path):
    fifo = tmp_path / "wedged"
    os.mkfifo(fifo)
    script = tmp_path / "nvidia-smi"
    script.write_text(f"#!/bin/sh\ncat {fifo} &\ncat {fifo}\n")  # blocks, with a helper process
    script.chmod(0o755)
    assert probe.run_tool([str(script)], timeout=0.2) is None
    assert probe.run_tool([str(tmp_path / "missing")]) is None


def test_runs_list_and_show(bip, ws: Path, repo, gpu_path):
    bip("-w", str(ws), "run", "--name", "first", "--", sys.executable, "train.py")
    bip("-w", str(ws), "run", "--name", "second", "--", sys.executable, "train.py", "llmc")
    listed = json.loads(bip("-w", str(ws), "runs", "list", "--json").stdout)
    assert [r["id"] for r in listed] == ["2026-11-23-first", "2026-11-23-second"]
    shown = json.loads(bip("-w", str(ws), "runs", "show", "second", "--json").stdout)
    assert shown["metrics"]["final"]["val_loss"] == 3.0544 and shown["metrics"]["formats"] == [
        "llm.c"
    ]
    assert shown["metrics"]["tokens_per_step"] == 524288
    assert shown["metrics"]["learning_rate"] == {
        "value": 6e-4,
        "source": "the peak of the logged schedule",
    }
    text = bip("-w", str(ws), "runs", "show", "2026-11-23-first").stdout
    assert "NVIDIA H100 80GB HBM3 (80 GiB, driver 550.54.15)" in text
    assert f"{repo['mine'][:7]} on rocm-bf16" in text and f"merge-base {repo['base'][:7]}" in text
    result = bip("-w", str(ws), "runs", "show", "2026-11-23-frist", code=2)
    assert "did you mean '2026-11-23-first'?" in result.stderr
    assert "names 2 runs" in bip("-w", str(ws), "runs", "show", "2026", code=2).stderr


def svg_points(svg: Path, gid: str) -> list[tuple[float, float]]:
    """The data points of the line `gid`, read back through the axes' own tick marks."""
    root = ET.parse(svg, parser=ET.XMLParser(target=ET.TreeBuilder(insert_comments=True))).getroot()
    ns = {"s": "http://www.w3.org/2000/svg"}
    axes = root.find(".//s:g[@id='axes_1']", ns)

    # The step axis and the loss axis are axes_1's own (the tokens axis sits in a nested axes).
    x_axis, y_axis = [g for g in axes if (g.get("id") or "").startswith("matplotlib.axis")]

    def ticks(axis, coord: str) -> list[tuple[float, float]]:
        found = []
        for tick in axis:
            # The tick mark is a <use> placed at x/y; glyphs of the label are placed by transform.
            use = next((u for u in tick.iter(f"{{{ns['s']}}}use") if u.get(coord)), None)
            label = next((c.text.strip() for c in tick.iter() if c.tag is ET.Comment), None)
            if use is not None and label:
                found.append((float(use.get(coord)), float(label.replace("−", "-"))))
        return found

    def mapping(pairs: list[tuple[float, float]]):
        (p0, v0), (p1, v1) = pairs[0], pairs[-1]
        return lambda p: v0 + (p - p0) * (v1 - v0) / (p1 - p0)

    to_x = mapping(ticks(x_axis, "x"))
    to_y = mapping(ticks(y_axis, "y"))
    path = root.find(f".//s:g[@id='{gid}']/s:path", ns).get("d")
    numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", path)]
    return [(to_x(x), to_y(y)) for x, y in zip(numbers[::2], numbers[1::2], strict=True)]


def test_the_post_has_the_facts_the_numbers_a_loss_curve_and_a_baseline(
    bip, ws: Path, repo, gpu_path, tmp_path: Path
):
    (ws / "bip.toml").write_text("[runs]\ngpu_hour_usd = 3.0\n")
    (ws / "hugo.toml").write_text('title = "my blog"\n')  # the workspace is a Hugo site's folder
    bip("-w", str(ws), "run", "--name", "gpt2-124m", "--based-on", "nanogpt", "--",
        sys.executable, "train.py", "--learning_rate=6e-4")  # fmt: skip
    upstream = tmp_path / "upstream.json"
    upstream.write_text(json.dumps({"val_loss": 3.10, "tokens_per_second": 2_000_000, "mfu": 0.30}))
    bip("-w", str(ws), "draft", "training-run", "--run", "gpt2-124m", "--baseline", str(upstream))
    bundle = ws / "posts" / "2026-11-23-gpt2-124m-on-1x-nvidia-h100-80gb-hbm3"
    text = (bundle / "index.md").read_text()
    wall = run_json(ws, "2026-11-23-gpt2-124m")["wall_seconds"] / 3600
    assert "title: gpt2-124m on 1x NVIDIA H100 80GB HBM3" in text
    assert f"| Based on | nanoGPT [1] at commit `{repo['base'][:7]}` |" in text
    assert f"I built this on nanoGPT [1] at commit `{repo['base'][:7]}`." in text
    assert f"| Code | `{repo['mine'][:7]}` on `rocm-bf16` |" in text
    assert "| Learning rate | 6e-4 (from the command line) |" in text
    assert (
        "| Final val loss | 3.0544 (step 600) |" in text
        and "| Best val loss | 3.0544 (step 600) |" in text
    )
    assert "| Throughput | 2,874,451 tokens/s |" in text
    # MFU of the H100 it ran on, said the same way as `bip runs show` (nanoGPT's 38.1% is
    # against an A100): 38.1% x 312 / 989.5.
    assert "| MFU | 12.0% of NVIDIA H100 SXM, 989.5 TFLOPS dense bf16 (rescaled: nanoGPT" in text
    assert "| GPU | NVIDIA H100 80GB HBM3 (80 GiB, driver 550.54.15) |" in text
    assert (
        f"| Cost | {'<$0.01' if 3 * wall < 0.005 else f'${3 * wall:.2f}'} (1 GPU × {wall:.2f} h × $3.00 per GPU-hour) |"
        in text
    )
    assert (
        "first 10% of steps (at least the first 5 measurements)" in text
        and "(steps 70–590, 48 measurements)" in text
    )
    assert "python train.py --learning_rate=6e-4\n" in text
    # The commit is on no remote: upstream at the merge-base plus the run's patch, beside the post.
    assert f"git clone {UPSTREAM} nanoGPT\ncd nanoGPT\ngit checkout {repo['base']}\n" in text
    assert "git apply ../changes.patch" in text and "not on any public remote yet" in text
    assert (bundle / "changes.patch").read_bytes() == (
        ws / "runs" / "2026-11-23-gpt2-124m" / "changes.patch"
    ).read_bytes()
    assert "| Val loss | 3.0544 | 3.1000 | −0.0456 | −1.5% |" in text
    assert "| Tokens/s | 2,874,451 | 2,000,000 | +874,451 | +43.7% |" in text
    assert "| MFU | 12.0% | 30.0% | −18.0 pp | −60.0% |" in text
    assert "![Loss curve of gpt2-124m: train and val loss against step](loss.svg)" in text
    assert "None" not in text and "{{" not in text
    # The curve holds every logged point, where the axes say it is.
    drawn = svg_points(bundle / "loss.svg", "train_loss")
    want = [(r["step"], r["train_loss"]) for r in expected_rows()]
    assert len(drawn) == len(want)
    for (x, y), (step, loss) in zip(drawn, want, strict=True):
        assert x == pytest.approx(step, abs=600 * 0.002) and y == pytest.approx(loss, abs=0.02)
    val = svg_points(bundle / "loss.svg", "val_loss")
    assert [round(x) for x, _ in val] == [0, 100, 200, 300, 400, 500, 600]
    svg = (bundle / "loss.svg").read_text()
    for label in (
        "<!-- step -->",
        "<!-- loss -->",
        "<!-- tokens -->",
        "<!-- train loss -->",
        "<!-- val loss -->",
    ):
        assert label in svg
    assert "<!-- gpt2-124m on 1x NVIDIA H100 80GB HBM3 -->" in svg
    # Real Hugo publishes the page with its image beside it.
    site = hugo_site(tmp_path)
    shutil.copytree(bundle, site / "content" / "posts" / bundle.name)
    page = build(site, "--buildDrafts")[bundle.name]
    assert '<img src="loss.svg" alt="Loss curve of gpt2-124m' in page
    assert (site / "public" / "posts" / bundle.name / "loss.svg").read_bytes() == (
        bundle / "loss.svg"
    ).read_bytes()
    # Nothing is overwritten without --force.
    bip("-w", str(ws), "draft", "training-run", "--run", "gpt2-124m", code=2)


def test_the_checkin_names_the_days_runs_with_their_numbers(bip, ws: Path, repo, gpu_path):
    bip("-w", str(ws), "run", "--name", "gpt2-124m", "--", sys.executable, "train.py")
    day = bip("-w", str(ws), "checkin", "--offline", "--dry-run").stdout
    built = day.split("## Published")[1].split("##")[0]  # runs recorded are published work
    assert (
        f"- run **2026-11-23-gpt2-124m** (`{sys.executable} train.py`): val loss 3.054, "
        "2,874,451 tok/s, MFU 12.0% (ok, " in built
    )


@pytest.mark.parametrize(
    ("content", "code", "expected"),
    [
        (
            "val_loss,3.28\ntokens_per_second,180000\nmodel,GPT-2\n",
            0,
            "GPT-2: val loss 3.280, 180,000 tokens/s.",
        ),
        ("3.28,3.1\n3.2,3.0\n", 2, "m.csv:1: the first row holds numbers (3.28, 3.1)"),
        ("0,5.0,5.1\n100,4.0,4.1\n", 2, "so it is not a header"),
    ],
)
def test_a_headerless_csv_is_read_as_key_value_or_refused(
    bip, ws: Path, tmp_path: Path, content, code, expected
):
    path = tmp_path / "m.csv"
    path.write_text(content)
    result = bip("-w", str(ws), "draft", "training-run", "--title", "t", "--metrics", str(path),
                 "--stdout", code=code)  # fmt: skip
    assert expected in (result.stderr if code else result.stdout)


def test_a_series_csv_gives_peak_lr_steady_throughput_and_steps(bip, ws: Path, tmp_path: Path):
    rows = ["step,loss,val_loss,lr,tok/s,mfu"]
    for s in range(0, 1001, 50):
        val = f"{4 - s / 1000:.3f}" if s % 250 == 0 else ""
        lr = 6e-4 * min(1, (s + 1) / 200) * (1 - s / 2000)
        rows.append(f"{s},{4.1 - s / 1000:.3f},{val},{lr:.3e},{100000 if s < 100 else 180000},38")
    path = tmp_path / "series.csv"
    path.write_text("\n".join(rows) + "\n")
    text = bip(
        "-w", str(ws), "draft", "training-run", "--title", "t", "--metrics", str(path), "--stdout"
    ).stdout
    assert "| Steps | 1,000 |" in text and "| step |" in text
    assert "| Final val loss | 3.0000 |" in text and "| Final train loss | 3.1000 |" in text
    assert "| Throughput | 180,000 tokens/s |" in text and "| MFU | 38.0% |" in text
    assert "| Learning rate | 5.4e-4 |" in text  # the peak (step 200), not the decayed last value
    assert "Throughput and MFU are steady-state numbers" in text


def test_a_run_without_numbers_drafts_no_empty_table(bip, ws: Path, tmp_path: Path):
    """Every Setup row is left out for a run that printed no numbers: the post has no table
    made of a header alone (Markdown would render an empty header row); a code block keeps its
    own text whatever it holds."""
    from toolkit.drafts.render import tidy_markdown

    bip("-w", str(ws), "run", "--name", "quiet", "--", sys.executable, "-c", "print('hi')")
    post = bip("-w", str(ws), "draft", "training-run", "--run", "quiet", "--stdout").stdout
    lines = post.splitlines()
    for i, line in enumerate(lines[:-1]):
        if line.startswith("|---"):  # a table's rule: a row of the table comes right after
            assert lines[i + 1].startswith("| "), (lines[i - 1], line)
    assert "| Wall time |" in post and "## Hardware and software" in post
    kept = "```md\n| | |\n|---|---|\n```"
    assert (
        tidy_markdown(f"# T\n\n{kept}\n\n| a | b |\n|---|---|\n\ntext") == f"# T\n\n{kept}\n\ntext"
    )
