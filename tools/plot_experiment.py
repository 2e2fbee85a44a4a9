#!/usr/bin/env python3
"""Plot a variant comparison from a codev experiment file, with 95% confidence bands.

Usage:
  plot_experiment.py FILE.h5 [-o PLOT.png] [--indicator NAME] [--group GROUP]
                     [--variants A,B,...]

Left panel: the indicator's mean over replicates per variant and year, with its 95% CI band
(/summary/region/<NAME>_mean, _ci_low, _ci_high). Right panel: the paired difference from the
experiment's baseline (<NAME>_diff_*), which common random numbers make much narrower than the
difference of the two bands. NAME is any indicator the experiment summarised from /region
(default income_per_capita_mean); GROUP is all, donor, recipient or other (default recipient).
Needs /usr/bin/python3 with python3-xarray, python3-h5netcdf and python3-matplotlib (Debian).
"""
import argparse
import sys

import matplotlib

matplotlib.use("Agg")  # files only; no display needed
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402
import xarray as xr  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", help="experiment output (codev experiment ... -o FILE.h5)")
    parser.add_argument("-o", "--output", default="experiment.png", help="PNG to write")
    parser.add_argument("--indicator", default="income_per_capita_mean")
    parser.add_argument("--group", default="recipient", help="all, donor, recipient or other")
    parser.add_argument("--variants", default="", help="comma-separated subset (default: all)")
    args = parser.parse_args(argv)

    summary = xr.open_dataset(args.file, engine="h5netcdf", group="summary/region")
    root = xr.open_dataset(args.file, engine="h5netcdf")
    baseline = root.attrs["baseline"]
    name = args.indicator
    if f"{name}_mean" not in summary:
        available = sorted(v[: -len("_mean")] for v in summary.data_vars
                           if v.endswith("_mean") and "_diff" not in v)
        sys.exit(f"plot_experiment: {name} is not summarised in /summary/region "
                 f"(available: {', '.join(available)})")
    data = summary.sel(group=args.group)
    variants = [str(v) for v in data.variant.values]
    if args.variants:
        wanted = args.variants.split(",")
        unknown = [v for v in wanted if v not in variants]
        if unknown:
            sys.exit(f"plot_experiment: unknown variants {unknown} (have {variants})")
        variants = wanted

    units = summary[f"{name}_mean"].attrs.get("units", "")
    years = data.year.values
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    for v in variants:
        d = data.sel(variant=v)
        line, = left.plot(years, d[f"{name}_mean"], marker="o", label=v)
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
        ax.set_xlabel("year")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_ylabel(units)
        ax.legend(fontsize="small")
    fig.suptitle(root.attrs.get("title", args.file))
    fig.tight_layout()
    fig.savefig(args.output, dpi=100)
    print(f"plot_experiment: wrote {args.output}")


if __name__ == "__main__":
    main()
