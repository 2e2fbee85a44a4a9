#!/usr/bin/python3
"""The instrument comparison with parameter uncertainty, for docs/RESULTS.md.

Usage: tools/uncertainty_instruments.py [CODEV_BINARY] [RESULTS_MARKDOWN]
Defaults: build/codev and docs/RESULTS.md. Runs `codev calibrate scenarios/calibration_sichuan.yaml`
(writing output/calibration_sichuan.h5) unless that file exists, then `codev experiment
scenarios/experiment_sichuan_2023_uncertainty.yaml` (writing
output/experiment_sichuan_2023_uncertainty.h5) unless that file exists and is newer than the
calibration, reads both with h5py and writes the section between the markers
`<!-- uncertainty:begin -->` and `<!-- uncertainty:end -->` of RESULTS_MARKDOWN (appended when
absent). Every figure is a median over the experiment's replicates with the 2.5% and 97.5%
quantiles: each replicate runs at its own posterior draw and seed, so the interval holds both.
Uses Debian's python3-h5py and numpy (/usr/bin/python3).
"""
import os
import re
import subprocess
import sys
import time

import h5py
import numpy as np

from compare_instruments import BANDS, CADRES_SHARE_BAND, INSTRUMENTS, text, write_section

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CALIBRATION = os.path.join(ROOT, "output", "calibration_sichuan.h5")
EXPERIMENT = os.path.join(ROOT, "output", "experiment_sichuan_2023_uncertainty.h5")
BEGIN, END = "<!-- uncertainty:begin -->", "<!-- uncertainty:end -->"


def timed(command):
    """Runs a command; returns its wall and CPU seconds (children's CPU)."""
    start, cpu = time.monotonic(), os.times()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    after = os.times()
    return (time.monotonic() - start,
            (after.children_user - cpu.children_user) + (after.children_system - cpu.children_system))


def first_order(x, y):
    """First-order index from given data, as codev writes it (docs/EXPERIMENTS.md, "Parameter
    uncertainty"): points sorted by x (ties in input order), floor(sqrt(n)) classes of equal size,
    (SS_between - (classes - 1) SS_within / (n - classes)) / SS_total."""
    n = len(y)
    bins = max(2, int(np.floor(np.sqrt(n))))
    order = np.argsort(x, kind="stable")
    ys = np.asarray(y)[order]
    total = np.sum((ys - ys.mean()) ** 2)
    if n < 2 * bins or total <= 0:
        return float("nan")
    between = within = 0.0
    for b in range(bins):
        part = ys[b * n // bins:(b + 1) * n // bins]
        between += len(part) * (part.mean() - ys.mean()) ** 2
        within += np.sum((part - part.mean()) ** 2)
    return float((between - (bins - 1) * within / (n - bins)) / total)


def interval(values, fmt):
    """Median [2.5%, 97.5%] over replicates (linear between order statistics)."""
    q = np.percentile(values, [50, 2.5, 97.5])
    return f"{fmt % q[0]} [{fmt % q[1]}, {fmt % q[2]}]"


def drivers(s1, low, high, names, top=2):
    """The parameters with the largest first-order indices, with their intervals."""
    order = [i for i in np.argsort(-np.nan_to_num(s1, nan=-np.inf)) if np.isfinite(s1[i])][:top]
    return "; ".join(f"{names[i]} {s1[i]:.2f} [{low[i]:.2f}, {high[i]:.2f}]" for i in order)


def earlier_cost(out_md):
    """The cost sentence of the section this script wrote before, when its files are reused."""
    old = open(out_md, encoding="utf-8").read() if os.path.exists(out_md) else ""
    found = re.search(r"Cost on the 2-core build machine: [^\n]*?\.(?= |$)", old, re.M)
    return found.group(0) if found else "The files were reused from an earlier run of this script."


def main():
    codev = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build", "codev")
    out_md = sys.argv[2] if len(sys.argv) > 2 else os.path.join(ROOT, "docs", "RESULTS.md")
    cost = []
    if not os.path.exists(CALIBRATION):
        wall, cpu = timed([codev, "calibrate", os.path.join(ROOT, "scenarios",
                                                            "calibration_sichuan.yaml"),
                           "-o", CALIBRATION, "--threads", "2"])
        cost.append(f"the calibration {wall:.0f} s wall ({cpu:.0f} s of CPU)")
    if (not os.path.exists(EXPERIMENT)
            or os.path.getmtime(EXPERIMENT) < os.path.getmtime(CALIBRATION)):
        wall, cpu = timed([codev, "experiment", os.path.join(
            ROOT, "scenarios", "experiment_sichuan_2023_uncertainty.yaml"), "-o", EXPERIMENT,
            "--threads", "2"])
        cost.append(f"the experiment {wall:.0f} s wall ({cpu:.0f} s of CPU)")

    with h5py.File(CALIBRATION, "r") as c:
        cal_names = text(c["summary"]["parameter"][:])
        cal = {k: c["summary"][k][:] for k in ("posterior_q025", "posterior_median",
                                                "posterior_q975", "interval_ratio")}
        rhat = c["summary"]["rhat"][:]
    with h5py.File(EXPERIMENT, "r") as f:
        commit = f.attrs["git_commit"]
        commit = commit.decode() if isinstance(commit, bytes) else str(commit)
        variants = text(f["variant"][:])
        v = {name: i for i, name in enumerate(variants)}
        names = text(f["posterior"]["parameter"][:])
        draws = f["posterior"]["value"][:]                      # replicate x parameter
        annual = f["annual"]
        rec = np.array(text(annual["county_role"][:])) == "recipient"
        pop = annual["population"][:][..., rec]                 # variant x rep x year x county
        inc = annual["income_per_capita_mean"][:][..., rec]
        path = (pop * inc).sum(axis=3)                          # recipients' income by year
        last = path[:, :, -1] / pop[:, :, -1].sum(axis=2)       # mean income, last year
        spent = f["pairings"]["donor_spent"][:].sum(axis=(2, 3))  # variant x rep
        ce = f["cost_effectiveness"]
        post = f["posterior"]
        gpy = {k: ce["income_gain_per_yuan" + k][:] for k in ("", "_q025", "_q975")}
        gain = {k: ce["recipient_income_gain" + k][:] for k in ("_mean", "_q025", "_q975")}
        s1 = {k: post["income_gain_per_yuan" + k][:] for k in ("_S1", "_S1_ci_low", "_S1_ci_high")}
        s1_gain = {k: post["recipient_income_gain" + k][:]
                   for k in ("_S1", "_S1_ci_low", "_S1_ci_high")}
        replicates = draws.shape[0]
        resolved = f["experiment_yaml"][()]
        resolved = resolved.decode() if isinstance(resolved, bytes) else "".join(text(resolved))
        scales = set(re.findall(r'population\.scale"?: "?([0-9.eE+-]+)', resolved))
        scale = float(scales.pop()) if len(scales) == 1 else float("nan")
        year = int(annual["year"][-1])

    no_aid, cadres, package = v["no_aid"], v["cadres_only"], v["all_instruments"]
    total = path.sum(axis=2)                                    # variant x rep, all years
    effect = 100 * (last[package] / last[no_aid] - 1)           # per replicate, percent
    package_gpy = (total[package] - total[no_aid]) / spent[package]
    cadres_gain = total[cadres] - total[no_aid]
    share = cadres_gain / (total[package] - total[no_aid])
    lines = [BEGIN, "", "## With parameter uncertainty", "",
             f"Generated by `tools/uncertainty_instruments.py` at commit `{commit}`: "
             "`scenarios/experiment_sichuan_2023_uncertainty.yaml`, the default scenario's "
             f"variants at {scale:g} of households, {replicates} replicates. Replicate r runs "
             "every variant at the r-th of "
             f"{replicates} evenly spaced draws from the posterior of "
             "`scenarios/calibration_sichuan.yaml` (fitted on 2015-2019 figures only) and with "
             "its own seed, so each interval below (median [2.5%, 97.5%] over the replicates) "
             "holds what we do not know about the parameters and the shocks together; variants "
             "of one replicate share both, so their differences are paired. The parameters "
             "drawn and what the calibration made of them:", "",
             "| parameter | posterior median [95%] | width against the prior | R-hat |",
             "|---|---|---:|---:|"]
    for i, name in enumerate(cal_names):
        if name not in names:
            continue
        lines.append(f"| {name} | {cal['posterior_median'][i]:.4g} [{cal['posterior_q025'][i]:.4g}, "
                     f"{cal['posterior_q975'][i]:.4g}] | {100 * cal['interval_ratio'][i]:.0f}% | "
                     f"{rhat[i]:.2f} |")
    left_out = [n for n in cal_names if n not in names]
    lines += ["", f"Left out: {', '.join(left_out)} (the experiment file says why). Most effect "
              "sizes come back about as wide as their stated priors: the 2015-2019 figures "
              "(incomes, incidences, exits) hardly constrain them, so their uncertainty here is "
              "the prior's, carried through the model.", "",
              f"**The package** (all instruments against no aid) raises recipients' mean income "
              f"in {year} by {interval(effect, '%+.2f')}%, {interval(package_gpy, '%.2f')} yuan "
              "of income over the run per yuan of aid. "
              f"**Cadres without money** add {interval(cadres_gain / 1e6, '%+.0f')} m yuan "
              f"over the run, a share of the package's gain of "
              f"{interval(100 * share, '%+.1f')}% (band [{100 * CADRES_SHARE_BAND[0]:g}%, "
              f"{100 * CADRES_SHARE_BAND[1]:g}%]: {100 * np.mean((share >= CADRES_SHARE_BAND[0]) & (share <= CADRES_SHARE_BAND[1])):.0f}% "
              "of the draws inside); what drives the share (first-order index over the draws): "
              + drivers(np.array([first_order(draws[:, i], share) for i in range(len(names))]),
                        np.full(len(names), np.nan), np.full(len(names), np.nan), names)
              .replace(" [nan, nan]", "") + ".", "",
              "Each instrument against cadres without money (the experiment's baseline), so the "
              "money's own effect: the gain in recipients' mean income in the last year, and the "
              "income gained over the run per yuan spent (ratio of the mean differences, with "
              "the 95% interval of the ratio within each replicate), the band stated before any "
              "run (above), the share of draws whose ratio falls in it, and the two parameters "
              "that drive the ratio most (first-order index over the draws [95% bootstrap "
              "interval]; seed noise is in the unexplained rest).", "",
              "| instrument | income gain, last year (%) | gain per yuan | band | draws in band | drivers of the gain per yuan |",
              "|---|---|---|---|---:|---|"]
    for k in INSTRUMENTS:
        j = v[f"only_{k}"]
        lo, hi, _ = BANDS[k]
        per = (total[j] - total[cadres]) / spent[j]
        lines.append(
            f"| {k} | {gain['_mean'][j]:+.2f} [{gain['_q025'][j]:+.2f}, {gain['_q975'][j]:+.2f}] | "
            f"{gpy[''][j]:.2f} [{gpy['_q025'][j]:.2f}, {gpy['_q975'][j]:.2f}] | [{lo:g}, {hi:g}] | "
            f"{100 * np.mean((per >= lo) & (per <= hi)):.0f}% | "
            f"{drivers(s1['_S1'][j], s1['_S1_ci_low'][j], s1['_S1_ci_high'][j], names)} |")
    j = package
    lines += [f"| all instruments | {gain['_mean'][j]:+.2f} [{gain['_q025'][j]:+.2f}, "
              f"{gain['_q975'][j]:+.2f}] | {gpy[''][j]:.2f} [{gpy['_q025'][j]:.2f}, "
              f"{gpy['_q975'][j]:.2f}] | | | "
              f"{drivers(s1['_S1'][j], s1['_S1_ci_low'][j], s1['_S1_ci_high'][j], names)} |",
              "", "Drivers of the package's income gain in the last year: "
              f"{drivers(s1_gain['_S1'][j], s1_gain['_S1_ci_low'][j], s1_gain['_S1_ci_high'][j], names, 3)}.",
              "", "The income gains are means over replicates with the 2.5% and 97.5% quantiles "
              f"(/cost_effectiveness `recipient_income_gain`); at {scale:g} of households a "
              "replicate's seed noise is about 1 / sqrt(scale) times what it would be at 1:1, so "
              "part of each interval is sampling noise rather than parameter uncertainty. With "
              f"{replicates} draws the indices rank the parameters, their intervals say how "
              "roughly. "
              + (f"Cost on the 2-core build machine: {'; '.join(cost)}." if cost else
                 earlier_cost(out_md)), "", END]
    write_section(out_md, BEGIN, END, "\n".join(lines) + "\n")
    print(f"wrote {out_md}")


if __name__ == "__main__":
    main()
