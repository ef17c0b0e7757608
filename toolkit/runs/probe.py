"""The machine a run ran on: GPUs (nvidia-smi, amd-smi or rocm-smi), CPU, memory, and the
versions of Python, PyTorch, CUDA and ROCm in the command's own interpreter.

Every probe is a short subprocess with a timeout in its own process group (killed whole when
it overruns), so a wedged driver tool can never hang a run; a missing tool is a fact, not an
error.
"""

from __future__ import annotations

import csv
import json
import os
import platform
import re
import shutil
import signal
import subprocess
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from toolkit.settings import environ

TOOL_TIMEOUT = 15.0
PYTHON_TIMEOUT = 60.0  # importing torch on a cold cache takes seconds
NVIDIA = [
    "nvidia-smi",
    "--query-gpu=name,memory.total,driver_version",
    "--format=csv,noheader,nounits",
]
AMD_SMI = (
    ["amd-smi", "static", "--asic", "--vram", "--driver", "--json"],
    ["amd-smi", "static", "--json"],
)
ROCM_SMI = [
    "rocm-smi",
    "--showproductname",
    "--showmeminfo",
    "vram",
    "--showdriverversion",
    "--json",
]
VISIBLE = {
    "nvidia-smi": ("CUDA_VISIBLE_DEVICES",),
    "amd-smi": ("HIP_VISIBLE_DEVICES", "ROCR_VISIBLE_DEVICES"),
}
VISIBLE["rocm-smi"] = VISIBLE["amd-smi"]
SOFTWARE_PROBE = """
import json, platform
out = {"python": platform.python_version()}
try:
    import torch
    out["torch"] = torch.__version__
    out["cuda"] = getattr(torch.version, "cuda", None)
    out["rocm"] = getattr(torch.version, "hip", None)
except Exception:
    pass
print(json.dumps(out))
"""


@dataclass
class GPU:
    name: str
    memory: str | None  # as people write it: "80 GiB"
    memory_mib: int | None
    driver: str | None


@dataclass
class Hardware:
    gpus: list[GPU] = field(default_factory=list)
    gpu_tool: str | None = None  # which tool named them
    gpu_note: str | None = None  # why there are none
    cpu: dict[str, Any] = field(default_factory=dict)  # model, count
    memory: str | None = None
    memory_mib: int | None = None


def run_tool(argv: list[str], timeout: float = TOOL_TIMEOUT, cwd: str | None = None) -> str | None:
    """stdout of `argv` if it exits 0 within `timeout`, else None (never raises, never hangs)."""
    try:
        proc = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            cwd=cwd,
            start_new_session=True,  # its own process group: a timeout kills helpers it spawned
        )
    except OSError:
        return None
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except OSError:
            pass
        proc.communicate()
        return None
    return out.decode("utf-8", "replace") if proc.returncode == 0 else None


def mib_text(mib: float | None) -> str | None:
    if mib is None:
        return None
    gib = mib / 1024
    return f"{gib:.0f} GiB" if gib >= 10 else f"{gib:.1f} GiB"


def _gpu(name: str, mib: float | None, driver: str | None) -> GPU:
    whole = round(mib) if mib is not None else None
    return GPU(name.strip(), mib_text(mib), whole, (driver or "").strip() or None)


def parse_nvidia(text: str) -> list[GPU]:
    gpus = []
    for row in csv.reader(text.splitlines(), skipinitialspace=True):
        if len(row) >= 3 and row[0].strip():
            try:
                mib: float | None = float(row[1])
            except ValueError:
                mib = None
            gpus.append(_gpu(row[0], mib, row[2]))
    return gpus


def _json_in(text: str) -> Any:
    """The JSON document in a tool's output (rocm-smi may print warnings before it)."""
    starts = [i for i in (text.find("{"), text.find("[")) if i >= 0]
    if not starts:
        return None
    try:
        return json.loads(text[min(starts) :])
    except ValueError:
        return None


UNITS = {"b": 1 / 2**20, "kb": 1e3 / 2**20, "kib": 1 / 1024, "mb": 1e6 / 2**20, "mib": 1.0}
UNITS.update({"gb": 1e9 / 2**20, "gib": 1024.0})


def _mib(value: Any, unit: str = "MB") -> float | None:
    """amd-smi writes sizes as {"value": 196592, "unit": "MB"} (newer) or "196592 MB" (older);
    its MB are mebibytes, as in the VRAM size the driver reports."""
    if isinstance(value, dict):
        return _mib(value.get("value"), str(value.get("unit") or unit))
    if isinstance(value, str):
        match = re.match(r"^\s*([\d.]+)\s*([A-Za-z]*)\s*$", value)
        if not match:
            return None
        return _mib(float(match.group(1)), match.group(2) or unit)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        factor = 1.0 if unit.lower() in ("mb", "mib") else UNITS.get(unit.lower())
        return float(value) * factor if factor else None
    return None


def _table(data: dict[str, Any], key: str) -> dict[str, Any]:
    found = data.get(key)
    return found if isinstance(found, dict) else {}


def parse_amd_smi(text: str) -> list[GPU]:
    data = _json_in(text)
    if isinstance(data, dict):
        data = data.get("gpu_data", [])
    if not isinstance(data, list):
        return []
    gpus = []
    for card in data:
        if not isinstance(card, dict):
            continue
        asic, vram, driver = (_table(card, key) for key in ("asic", "vram", "driver"))
        name = asic.get("market_name") or asic.get("device_id")
        if not name:
            continue
        size = vram.get("size", vram.get("vram_size"))
        gpus.append(
            _gpu(
                str(name),
                _mib(size),
                str(driver.get("version") or driver.get("driver_version") or ""),
            )
        )
    return gpus


def parse_rocm_smi(text: str) -> list[GPU]:
    data = _json_in(text)
    if not isinstance(data, dict):
        return []
    system = _table(data, "system")
    driver = next((str(v) for k, v in system.items() if k.lower() == "driver version"), None)
    gpus = []
    for key in sorted((k for k in data if k.startswith("card")), key=lambda k: (len(k), k)):
        card = data[key]
        if not isinstance(card, dict):
            continue
        fields = {k.lower(): str(v).strip() for k, v in card.items()}
        name = next(
            (fields[k] for k in ("card series", "card sku", "card model") if fields.get(k)), None
        )
        total = fields.get("vram total memory (b)")
        mib = float(total) / 2**20 if total and total.isdigit() else None
        gpus.append(_gpu(name or "AMD GPU", mib, driver))
    return gpus


def _visible(gpus: list[GPU], tool: str) -> list[GPU]:
    """Only the GPUs the run could see: CUDA_VISIBLE_DEVICES / HIP_VISIBLE_DEVICES as indices."""
    for name in VISIBLE.get(tool, ()):
        value = environ(name)
        if value is None:
            continue
        picked = [p.strip() for p in value.split(",") if p.strip()]
        if all(p.isdigit() for p in picked):
            return [gpus[int(p)] for p in picked if int(p) < len(gpus)]
    return gpus


def probe_gpus() -> tuple[list[GPU], str | None, str | None]:
    """(gpus, the tool that named them, a note when there are none)."""
    tried = []
    if shutil.which("nvidia-smi"):
        tried.append("nvidia-smi")
        gpus = parse_nvidia(run_tool(NVIDIA) or "")
        if gpus:
            return _visible(gpus, "nvidia-smi"), "nvidia-smi", None
    if shutil.which("amd-smi"):
        tried.append("amd-smi")
        for argv in AMD_SMI:
            gpus = parse_amd_smi(run_tool(argv) or "")
            if gpus:
                return _visible(gpus, "amd-smi"), "amd-smi", None
    if shutil.which("rocm-smi"):
        tried.append("rocm-smi")
        gpus = parse_rocm_smi(run_tool(ROCM_SMI) or "")
        if gpus:
            return _visible(gpus, "rocm-smi"), "rocm-smi", None
    if tried:
        return [], None, f"{' and '.join(tried)} named no GPU"
    return [], None, "no GPU tool on PATH: nvidia-smi, amd-smi, rocm-smi"


def cpu_model() -> str | None:
    try:
        for line in Path("/proc/cpuinfo").read_text(errors="replace").splitlines():
            key, _, value = line.partition(":")
            if key.strip() in ("model name", "Hardware", "Model") and value.strip():
                return value.strip()
    except OSError:
        pass
    if platform.system() == "Darwin":
        out = run_tool(["sysctl", "-n", "machdep.cpu.brand_string"], timeout=5)
        if out and out.strip():
            return out.strip()
    return platform.processor() or platform.machine() or None


def memory_mib() -> int | None:
    try:
        return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**20)
    except (ValueError, OSError, AttributeError):
        return None


def probe_hardware() -> Hardware:
    gpus, tool, note = probe_gpus()
    mib = memory_mib()
    return Hardware(
        gpus=gpus,
        gpu_tool=tool,
        gpu_note=note,
        cpu={"model": cpu_model(), "count": os.cpu_count()},
        memory=mib_text(mib),
        memory_mib=mib,
    )


def command_interpreter(argv: list[str], cwd: Path) -> str | None:
    """The Python that runs `argv`: argv[0] itself, or the interpreter in its `#!` line
    (torchrun, accelerate, deepspeed are such scripts); else the first python3 on PATH."""
    first = argv[0] if argv else ""
    exe = str(cwd / first) if "/" in first and not os.path.isabs(first) else shutil.which(first)
    if exe and re.fullmatch(r"python[\d.]*", os.path.basename(first)):
        return exe
    if exe and os.path.isfile(exe):
        try:
            with open(exe, "rb") as fh:
                line = fh.readline(256).decode("utf-8", "replace").strip()
        except OSError:
            line = ""
        if line.startswith("#!") and "python" in line:
            parts = line[2:].split()
            if parts and os.path.basename(parts[0]) == "env" and len(parts) > 1:
                return shutil.which(parts[-1])
            if parts:
                return parts[0]
    return shutil.which("python3") or shutil.which("python")


def probe_software(argv: list[str], cwd: Path) -> dict[str, Any]:
    software: dict[str, Any] = {"platform": platform.platform(terse=True)}
    interpreter = command_interpreter(argv, cwd)
    if interpreter:
        out = run_tool([interpreter, "-c", SOFTWARE_PROBE], timeout=PYTHON_TIMEOUT, cwd=str(cwd))
        try:
            found = json.loads(out.strip().splitlines()[-1]) if out and out.strip() else {}
        except ValueError:
            found = {}
        if isinstance(found, dict):
            software.update({k: v for k, v in found.items() if isinstance(v, str)})
        software["interpreter"] = interpreter
    if "rocm" not in software:
        try:
            version = Path("/opt/rocm/.info/version").read_text().strip()
        except OSError:
            version = ""
        if version:
            software["rocm"] = version
    return software


def hardware_dict(hardware: Hardware) -> dict[str, Any]:
    return asdict(hardware)
