#!/usr/bin/python3
"""Each instrument's share of the default package's effect: a Shapley experiment.

Usage: tools/shapley_instruments.py [CODEV_BINARY] [RESULTS_MARKDOWN] [SCALE] [REPLICATES]
Defaults: build/codev, docs/RESULTS.md, 0.01 of households, 3 replicates (20 when
output/calibration_sichuan.h5 exists: then each replicate runs at its own posterior draw of the
parameters that scenarios/experiment_sichuan_2023_uncertainty.yaml draws). Runs
`codev experiment` with a `shapley:` section whose players are the seven aid instruments and the
dispatched cadres of scenarios/sichuan_2023.yaml (eight players, so 16 orderings are sampled in
antithetic pairs: docs/EXPERIMENTS.md), reads /shapley with h5py and writes the section between
the markers `<!-- shapley:begin -->` and `<!-- shapley:end -->` of RESULTS_MARKDOWN (appended
when absent), with the run's cost. Uses Debian's python3-h5py and numpy (/usr/bin/python3).
"""
import os
import re
import subprocess
import sys
import tempfile
import time

import h5py
import numpy as np

from compare_instruments import write_section

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PLAYERS = ["industry", "collective", "training", "safety_net", "infrastructure", "consumption",
           "employment", "cadres"]
INDICATORS = [("annual_income_per_capita_mean", "recipient income (yuan/year)", 1.0, "%.0f"),
              ("annual_fgt0", "recipient FGT0 (percentage points)", 100.0, "%.3f"),
              ("region_recipient_donor_income_ratio", "recipient/donor income ratio", 1.0,
               "%.4f")]
BEGIN, END = "<!-- shapley:begin -->", "<!-- shapley:end -->"
CALIBRATION = os.path.join(ROOT, "output", "calibration_sichuan.h5")


def drawn_parameters():
    """The parameters the uncertainty experiment draws (its `posterior.parameters` list)."""
    text_ = open(os.path.join(ROOT, "scenarios", "experiment_sichuan_2023_uncertainty.yaml"),
                 encoding="utf-8").read()
    found = re.search(r"^  parameters: \[([^\]]*)\]", text_, re.M)
    return [p.strip() for p in found.group(1).replace("\n", " ").split(",")] if found else []


def text(values):
    values = np.asarray(values)
    if values.dtype.kind == "S" and values.dtype.itemsize == 1 and values.ndim == 2:
        return [row.tobytes().rstrip(b"\0").decode() for row in values]
    if values.dtype.kind == "S" and values.dtype.itemsize == 1 and values.ndim == 1:
        return [values.tobytes().rstrip(b"\0").decode()]
    if values.ndim == 0:
        values = [values[()]]
    return [v.decode() if isinstance(v, bytes) else str(v) for v in values]


def main():
    codev = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build", "codev")
    out_md = sys.argv[2] if len(sys.argv) > 2 else os.path.join(ROOT, "docs", "RESULTS.md")
    scale = float(sys.argv[3]) if len(sys.argv) > 3 else 0.01
    # With the Sichuan calibration's output, every replicate runs at its own posterior draw of
    # the parameters scenarios/experiment_sichuan_2023_uncertainty.yaml draws.
    drawn = drawn_parameters() if os.path.exists(CALIBRATION) else []
    replicates = int(sys.argv[4]) if len(sys.argv) > 4 else (20 if drawn else 3)
    posterior = (f"posterior: {{file: {CALIBRATION}, parameters: [{', '.join(drawn)}]}}\n"
                 if drawn else "")
    with tempfile.TemporaryDirectory() as tmp:
        with open(os.path.join(tmp, "base.yaml"), "w", encoding="utf-8") as f:
            f.write(f"extends: {ROOT}/scenarios/sichuan_2023.yaml\n"
                    f"population: {{scale: {scale}}}\n")
        with open(os.path.join(tmp, "shapley.yaml"), "w", encoding="utf-8") as f:
            f.write("experiment: {name: shapley_sichuan_2023, base: base.yaml, "
                    f"replicates: {replicates}}}\n"
                    f"shapley: {{players: [{', '.join(PLAYERS)}], permutations: 16}}\n"
                    "summarise: [annual.income_per_capita_mean, annual.fgt0, "
                    "region.recipient_donor_income_ratio]\n"
                    "outputs: {annual: false, region: false, pairings: false}\n" + posterior)
        out = os.path.join(tmp, "shapley.h5")
        start = time.monotonic()
        cpu = os.times()
        subprocess.run([codev, "experiment", os.path.join(tmp, "shapley.yaml"), "--threads", "2",
                        "-o", out], check=True, stdout=subprocess.DEVNULL)
        wall = time.monotonic() - start
        used = os.times()
        cpu_s = (used.children_user - cpu.children_user) + (used.children_system -
                                                            cpu.children_system)
        with h5py.File(out, "r") as f:
            g = f["shapley"]
            players = text(g["player"][:])
            method = text(g["method"][()])[0]
            n_coalitions = len(text(f["variant"][:]))
            commit = f.attrs["git_commit"]
            commit = commit.decode() if isinstance(commit, bytes) else str(commit)
            rows = []
            for name, label, factor, fmt in INDICATORS:
                mean = g[name + "_shapley_mean"][:] * factor
                low = g[name + ("_shapley_q025" if drawn else "_shapley_ci_low")][:] * factor
                high = g[name + ("_shapley_q975" if drawn else "_shapley_ci_high")][:] * factor
                sampling = g[name + "_shapley_sampling_se"][:] * factor
                variants = text(f["variant"][:])
                effect = g[name + "_coalition_effect_mean"][variants.index("all")] * factor
                rows.append((label, fmt, mean, low, high, sampling, effect))
    lines = [BEGIN, "",
             "## Each instrument's share of the package (Shapley decomposition)", "",
             f"Generated by `tools/shapley_instruments.py` at commit `{commit[:12]}`: "
             f"`scenarios/sichuan_2023.yaml` at {scale:g} of households, {replicates} replicates, "
             "the seven instruments and the dispatched cadres as players (an absent instrument's "
             "policy is removed, absent cadres are set to 0 in every pairing); the value of a "
             "coalition is the indicator in the last year (2032), person-weighted over recipient "
             "counties (the ratio: region-wide), and the empty coalition has no instrument policy "
             f"and no cadres. Method: {method}. Each cell: the Shapley value, mean over replicates "
             + ("[2.5%, 97.5% over replicates, each at its own draw from the posterior of "
                "`scenarios/calibration_sichuan.yaml` (the parameters "
                "`experiment_sichuan_2023_uncertainty.yaml` draws) and its own seed] "
                if drawn else "[95% interval over replicates] ")
             + "(sampling s.e. of the orderings). The values add up "
             "to the package's effect (last row). Interactions are shared: a player's value is "
             "its average marginal effect over the orders in which players can join.", ""]
    header = "| player | " + " | ".join(r[0] for r in rows) + " |"
    lines += [header, "|---|" + "---:|" * len(rows)]
    for i, p in enumerate(players):
        cells = []
        for label, fmt, mean, low, high, sampling, effect in rows:
            cells.append(f"{fmt % mean[i]} [{fmt % low[i]}, {fmt % high[i]}] "
                         f"({sampling[i]:.2g})")
        lines.append(f"| {p} | " + " | ".join(cells) + " |")
    lines.append("| **package (all minus none)** | " +
                 " | ".join(fmt % effect for label, fmt, _, _, _, _, effect in rows) + " |")
    lines += ["", f"Run cost: {n_coalitions} coalitions x {replicates} replicates = "
              f"{n_coalitions * replicates} runs, {wall:.0f} s wall time with 2 threads "
              f"({cpu_s:.0f} s of CPU) on the build machine. A run's cost grows with its "
              f"households, so at 1:1 the same decomposition would take about "
              f"{cpu_s / scale / 3600:.0f} CPU-hours (the CPU time divided by the scale). Small "
              "scales widen the intervals between replicates; the sampling error of the orderings "
              "is stated per value.", "", END]
    write_section(out_md, BEGIN, END, "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
