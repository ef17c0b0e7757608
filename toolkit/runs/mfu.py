"""MFU of the GPU a run ran on: a table of dense peaks with a source for each number, the
reference each trainer's printed MFU is relative to, and MFU computed from first principles.

Published MFU always states its reference. nanoGPT prints MFU against an A100's 312 TFLOPS
bf16 peak whatever the GPU (model.py, `estimate_mfu`); llm.c against its own table of the
detected GPU (llmc/mfu.h); torchtitan and Megatron-LM print TFLOP/s per GPU. bip states MFU
against the detected GPU's dense bf16 peak, in this order of preference:

1. computed: FLOPs per token (or 6 x parameters) x tokens/s / (GPUs x peak);
2. from the TFLOP/s per GPU the log printed (torchtitan, Megatron-LM) / peak;
3. the log's MFU rescaled from its known reference to the GPU's peak (nanoGPT's A100);
4. the log's MFU as printed, with the reference it was printed against.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from toolkit.runs.model import MFU, HardwareInfo, RunMetrics
from toolkit.text import human_number, rate


@dataclass(frozen=True)
class Peak:
    name: str
    pattern: str  # matched (case-insensitive) against the name nvidia-smi / amd-smi report
    bf16_tflops: float  # dense (no sparsity), per device as the tools list it
    source: str


# Vendors print peaks "with sparsity" (2x): each number here is the dense one, the sparse
# figure on the cited page halved where the page gives only that.
PEAKS = (
    Peak("NVIDIA H100 PCIe", r"\bH100\b.*\bPCIe\b", 756.5,
         "https://www.nvidia.com/en-us/data-center/h100/ (BF16 1,513 TFLOPS with sparsity)"),
    Peak("NVIDIA H100 NVL", r"\bH100\b.*\bNVL\b", 835.5,
         "https://www.nvidia.com/en-us/data-center/h100/ (BF16 1,671 TFLOPS with sparsity)"),
    Peak("NVIDIA H100 SXM", r"\bH100\b", 989.5,
         "https://www.nvidia.com/en-us/data-center/h100/ (BF16 1,979 TFLOPS with sparsity)"),
    Peak("NVIDIA H200 NVL", r"\bH200\b.*\bNVL\b", 835.5,
         "https://www.nvidia.com/en-us/data-center/h200/ (BF16 1,671 TFLOPS with sparsity)"),
    Peak("NVIDIA H200", r"\bH200\b", 989.5,
         "https://www.nvidia.com/en-us/data-center/h200/ (BF16 1,979 TFLOPS with sparsity)"),
    Peak("NVIDIA B200", r"\bB200\b", 2250.0,
         "https://www.nvidia.com/en-us/data-center/hgx/ (HGX B200: FP16/BF16 36 PFLOPS with "
         "sparsity for 8 GPUs)"),
    Peak("NVIDIA A100", r"\bA100\b", 312.0,
         "https://www.nvidia.com/en-us/data-center/a100/ (BF16 Tensor Core 312 TFLOPS)"),
    Peak("NVIDIA L40S", r"\bL40S\b", 362.05,
         "https://www.nvidia.com/en-us/data-center/l40s/ (BF16 733 TFLOPS with sparsity)"),
    Peak("NVIDIA L4", r"\bL4\b", 121.0,
         "https://www.nvidia.com/en-us/data-center/l4/ (BF16 242 TFLOPS with sparsity)"),
    Peak("NVIDIA A10", r"\bA10\b", 125.0,
         "https://www.nvidia.com/en-us/data-center/products/a10-gpu/ (BF16 250 TFLOPS with "
         "sparsity)"),
    Peak("NVIDIA GeForce RTX 4090", r"\bRTX 4090\b", 165.2,
         "NVIDIA Ada Lovelace GPU architecture whitepaper, appendix A (BF16 with FP32 "
         "accumulate, dense)"),
    Peak("AMD Instinct MI250X (one GCD)", r"\bMI250X\b", 191.5,
         "https://www.amd.com/en/products/accelerators/instinct/mi200/mi250x.html (BF16 383 "
         "TFLOPS for the two GCDs the tools list as two GPUs)"),
    Peak("AMD Instinct MI300X", r"\bMI300X\b", 1307.4,
         "https://www.amd.com/en/products/accelerators/instinct/mi300/mi300x.html (BF16 "
         "1,307.4 TFLOPS dense)"),
    Peak("AMD Instinct MI325X", r"\bMI325X\b", 1307.4,
         "https://www.amd.com/en/products/accelerators/instinct/mi300/mi325x.html (BF16 "
         "1,307.4 TFLOPS dense)"),
)  # fmt: skip

A100 = next(p for p in PEAKS if p.name == "NVIDIA A100")

# What each trainer's printed MFU is relative to (None: the GPU's own peak in its own table).
LOG_REFERENCES: dict[str, Peak | None] = {"nanoGPT": A100, "llm.c": None, "torchtitan": None}
OWN_TABLE = {
    "llm.c": "the GPU's bf16 peak in llm.c's own table (llmc/mfu.h)",
    "torchtitan": "the GPU's bf16 peak in torchtitan's own table (get_peak_flops)",
}


def peak_for(gpu_name: str) -> Peak | None:
    for peak in PEAKS:
        if re.search(peak.pattern, gpu_name, re.IGNORECASE):
            return peak
    return None


def _reference(peak: Peak) -> str:
    return f"{peak.name}, {peak.bf16_tflops:,.1f} TFLOPS dense bf16".replace(".0 TFLOPS", " TFLOPS")


def run_mfu(metrics: RunMetrics, hardware: HardwareInfo | None) -> MFU | None:
    """The run's MFU against the GPU it ran on when bip knows it (see the module's order)."""
    gpus = hardware.gpus if hardware else []
    peak = peak_for(gpus[0].name) if gpus and len({g.name for g in gpus}) == 1 else None
    count = len(gpus)
    steady = metrics.steady_state.values
    tps = steady.get("tokens_per_sec")
    per_token = metrics.flops_per_token
    how_flops = f"{human_number(per_token)} FLOPs per token" if per_token else ""
    if per_token is None and metrics.params:
        per_token = 6.0 * metrics.params
        how_flops = f"6 x {human_number(metrics.params)} parameters FLOPs per token"
    if peak is not None and per_token and tps:
        value = per_token * tps / (count * peak.bf16_tflops * 1e12)
        how = (
            f"computed: {how_flops} x {rate(tps)} tokens/s / ({count} x "
            f"{peak.bf16_tflops:,g} TFLOPS)"
        )
        return MFU(value, _reference(peak), how, peak.bf16_tflops, peak.source)
    tflops = steady.get("tflops_per_gpu")
    if peak is not None and tflops:
        how = f"computed: {tflops:,.1f} TFLOP/s per GPU (as logged) / {peak.bf16_tflops:,g} TFLOPS"
        return MFU(tflops / peak.bf16_tflops, _reference(peak), how, peak.bf16_tflops, peak.source)
    logged = steady.get("mfu")
    if logged is None:
        return None
    fmt = next((f for f in metrics.formats if f in LOG_REFERENCES), None)
    base = LOG_REFERENCES.get(fmt) if fmt else None
    if base is not None and peak is not None:
        how = (
            f"rescaled: {fmt} printed MFU against an {base.name} ({base.bf16_tflops:g} TFLOPS); "
            f"x {base.bf16_tflops:g} / {peak.bf16_tflops:g}"
        )
        value = logged * base.bf16_tflops / peak.bf16_tflops
        return MFU(value, _reference(peak), how, peak.bf16_tflops, peak.source)
    if base is not None:
        why = "no GPU detected" if not gpus else f"no peak known for {gpus[0].name}"
        how = f"as {fmt} printed it, against an {base.name}; not rescaled ({why})"
        return MFU(logged, _reference(base), how, base.bf16_tflops, base.source)
    if fmt in OWN_TABLE:
        return MFU(logged, OWN_TABLE[fmt], f"as {fmt} printed it", None, None)
    return MFU(logged, "the peak the log's own code assumed", "as printed in the log", None, None)


def mfu_short(mfu: MFU) -> str:
    """`MFU 38.1%`: the one way runs list/show and the post print the headline MFU."""
    from toolkit.text import percent

    return f"MFU {percent(mfu.value)}"


def mfu_long(mfu: MFU) -> str:
    """`38.1% of AMD Instinct MI300X, 1,307.4 TFLOPS dense bf16 (computed: ...)`."""
    from toolkit.text import percent

    return f"{percent(mfu.value)} of {mfu.reference} ({mfu.how})"
