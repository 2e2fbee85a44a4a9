#!/usr/bin/env python3
"""Plot a codev output file, a run's or an experiment's, to a PNG.

Usage:
  plot.py FILE.h5 [-o PLOT.png] [--indicator NAME] [--group GROUP] [--variants A,B,...]

A run file: four panels: mean income per person and the poverty headcount of recipient and
donor counties (person-weighted, from /region), the recipient/donor income ratio, and every
county's income coloured by its role (the legend names the roles, not the counties).

An experiment file: the indicator's mean over replicates per variant with its 95% band
(/summary/region/<NAME>_mean, _ci_low, _ci_high), and the paired difference from the baseline
(<NAME>_diff_*). NAME is any indicator the experiment summarised from /region (default
income_per_capita_mean); GROUP is all, donor, recipient or other (default recipient).

Needs /usr/bin/python3 with python3-xarray, python3-h5netcdf and python3-matplotlib (Debian).
Exit status: 0 written, 2 bad input (missing or unreadable file, not a codev file, unknown
indicator, group or variant), 1 the plot could not be written.
"""
import argparse
import os
import sys

import matplotlib

matplotlib.use("Agg")  # files only; no display needed
import h5py  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402
import numpy as np  # noqa: E402
import xarray as xr  # noqa: E402

ROLE_COLOURS = {"recipient": "tab:red", "donor": "tab:blue", "other": "tab:gray", "all": "black"}


class BadInput(Exception):
    """Bad input: reported in one line, exit status 2."""


def open_group(path, group=None):
    try:
        return xr.open_dataset(path, engine="h5netcdf", group=group)
    except (OSError, ValueError, KeyError) as error:
        raise BadInput(f"{path}: cannot read group {group or '/'}: {error}") from None


def kind_of(path):
    if not os.path.isfile(path):
        raise BadInput(f"{path}: no such file")
    try:
        with h5py.File(path, "r") as f:
            if "experiment_yaml" in f and "summary" in f:
                return "experiment"
            if "region" in f and "annual" in f:
                return "run"
    except OSError as error:
        raise BadInput(f"{path}: not an HDF5 file ({error})") from None
    raise BadInput(f"{path}: not a codev run or experiment file")


def year_axis(ax):
    ax.set_xlabel("year")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))


def plot_run(args):
    region = open_group(args.file, "region")
    annual = open_group(args.file, "annual")
    root = open_group(args.file)
    groups = [str(g) for g in region.group.values]
    fig, axes = plt.subplots(2, 2, figsize=(12, 8))
    (income, poverty), (ratio, counties) = axes
    for role in ["recipient", "donor", "all"]:
        if role not in groups:
            continue
        d = region.sel(group=role)
        if np.isnan(d.income_per_capita_mean.values).all():
            continue
        style = {"color": ROLE_COLOURS[role], "marker": "o", "label": f"{role} counties",
                 "linestyle": "--" if role == "all" else "-"}
        income.plot(region.year, d.income_per_capita_mean, **style)
        if role != "all":
            poverty.plot(region.year, 100 * d.fgt0, **style)
    income.set_title("mean income per person (person-weighted)")
    income.set_ylabel(region.income_per_capita_mean.attrs.get("units", ""))
    poverty.set_title("poverty headcount (FGT0)")
    poverty.set_ylabel("% of persons")
    poverty.set_ylim(bottom=0)
    ratio.plot(region.year, region.recipient_donor_income_ratio.isel(group=0), color="tab:green",
               marker="o", label="recipient / donor income")
    ratio.set_title("convergence: recipient over donor income")
    ratio.set_ylabel("ratio")
    # Every county as a thin line coloured by its role; one legend entry per role.
    roles = [str(r) for r in annual.county_role.values]
    for role in ["donor", "recipient", "other"]:
        picked = [c for c, r in enumerate(roles) if r == role]
        if not picked:
            continue
        for n, c in enumerate(picked):
            counties.plot(annual.year, annual.income_per_capita_mean.isel(county=c),
                          color=ROLE_COLOURS[role], linewidth=0.9, alpha=0.6,
                          label=f"{role} counties ({len(picked)})" if n == 0 else None)
    counties.set_title("income per person of every county")
    counties.set_ylabel(annual.income_per_capita_mean.attrs.get("units", ""))
    for ax in axes.flat:
        year_axis(ax)
        ax.grid(alpha=0.3)
        ax.legend(fontsize="small")
    fig.suptitle(root.attrs.get("title", args.file))
    return fig


def plot_experiment(args):
    summary = open_group(args.file, "summary/region")
    root = open_group(args.file)
    baseline = root.attrs["baseline"]
    name = args.indicator
    if f"{name}_mean" not in summary:
        available = sorted(v[: -len("_mean")] for v in summary.data_vars
                           if v.endswith("_mean") and "_diff" not in v)
        raise BadInput(f"{name} is not summarised in /summary/region "
                       f"(available: {', '.join(available)})")
    groups = [str(g) for g in summary.group.values]
    if args.group not in groups:
        raise BadInput(f"unknown group {args.group} (groups: {', '.join(groups)})")
    data = summary.sel(group=args.group)
    variants = [str(v) for v in data.variant.values]
    if args.variants:
        wanted = args.variants.split(",")
        unknown = [v for v in wanted if v not in variants]
        if unknown:
            raise BadInput(f"unknown variants {unknown} (have {variants})")
        variants = wanted

    units = summary[f"{name}_mean"].attrs.get("units", "")
    years = data.year.values
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    for v in variants:
        d = data.sel(variant=v)
        line, = left.plot(years, d[f"{name}_mean"], marker="o",
                          label=f"{v} (baseline)" if v == baseline else v)
        left.fill_between(years, d[f"{name}_ci_low"], d[f"{name}_ci_high"],
                          color=line.get_color(), alpha=0.2)
        if v == baseline:
            continue
        right.plot(years, d[f"{name}_diff_mean"], marker="o", color=line.get_color(), label=v)
        right.fill_between(years, d[f"{name}_diff_ci_low"], d[f"{name}_diff_ci_high"],
                           color=line.get_color(), alpha=0.2)
    right.axhline(0.0, color="grey", linewidth=0.8)
    n = int(root.attrs["replicates"])
    left.set_title(f"{name} ({args.group}): mean, 95% CI, {n} replicates")
    right.set_title(f"paired difference from {baseline}, 95% CI")
    for ax in (left, right):
        year_axis(ax)
        ax.set_ylabel(units)
        ax.legend(fontsize="small")
    fig.suptitle(root.attrs.get("title", args.file))
    return fig


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", help="codev output (codev run or codev experiment ... -o FILE.h5)")
    parser.add_argument("-o", "--output", default=None,
                        help="PNG to write (default: FILE with .png in place of .h5)")
    parser.add_argument("--indicator", default="income_per_capita_mean", help="experiments")
    parser.add_argument("--group", default="recipient",
                        help="experiments: all, donor, recipient or other")
    parser.add_argument("--variants", default="",
                        help="experiments: comma-separated subset (default: all)")
    args = parser.parse_args(argv)
    output = args.output or os.path.splitext(args.file)[0] + ".png"
    try:
        fig = plot_run(args) if kind_of(args.file) == "run" else plot_experiment(args)
    except BadInput as error:
        print(f"plot: error: {error}", file=sys.stderr)
        return 2
    fig.tight_layout()
    try:
        fig.savefig(output, dpi=100)
    except OSError as error:
        print(f"plot: error: cannot write {output}: {error}", file=sys.stderr)
        return 1
    print(f"plot: wrote {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
