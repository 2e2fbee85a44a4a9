#!/usr/bin/python3
"""Household income mobility in a run file's household panel.

Usage: tools/mobility.py RUN.h5 [FIRST_YEAR LAST_YEAR] [--survey-error S [--draws K] [--seed N]]
Defaults: the panel's first and last years. Needs a run written with `outputs.household_panel`
(for example `--set outputs.household_panel.per_county=2000`). Prints, for households present in
both years, ranked by disposable income per person:

- the Spearman rank correlation between the two years, over all panel households and as the
  household-weighted mean of the within-county correlations;
- the quintile transition matrix (rows: quintile in the first year, columns: in the last year,
  shares of the row), and the share of households in the same quintile in both years.

Ranks are of households, unweighted, ties averaged: the measures panel surveys report (CFPS,
CHFS) for household income per person.

With --survey-error S the measures are also given as a panel survey would measure them: each
year's income is multiplied by exp(sigma e), e a standard normal drawn afresh for every household
and year (classical error in log income, independent over time), with sigma^2 = V S / (1 - S) for
V the year's variance of log income over households with positive income, so that S is the share
of the measured variance of log income that is error. The measures are means over K draws
(default 5) from numpy's PCG64 seeded with N (default 0), so a run of the tool is reproducible;
it also prints the share of the measured mobility (one minus the rank correlation) that the error
adds. docs/VALIDATION.md section 12 gives the shares the published evidence supports.
Uses Debian's python3-h5py and numpy (/usr/bin/python3).
"""
import argparse
import sys

import h5py
import numpy as np


def ranks(x):
    """Ranks 1..n of x, ties given their mean rank."""
    order = np.argsort(x, kind="stable")
    r = np.empty(len(x))
    r[order] = np.arange(1, len(x) + 1)
    values, inverse = np.unique(x, return_inverse=True)
    sums = np.bincount(inverse, weights=r)
    counts = np.bincount(inverse)
    return (sums / counts)[inverse]


def spearman(a, b):
    ra, rb = ranks(a), ranks(b)
    ra -= ra.mean()
    rb -= rb.mean()
    return float((ra * rb).sum() / np.sqrt((ra * ra).sum() * (rb * rb).sum()))


def quintiles(x):
    """Quintile 0..4 of each value by its rank (ties averaged)."""
    return np.minimum(4, ((ranks(x) - 1) * 5 // len(x)).astype(int))


def error_sd(log_variance, share):
    """The standard deviation of log error that makes `share` of the measured variance error."""
    return float(np.sqrt(log_variance * share / (1.0 - share)))


def with_survey_error(x, share, rng):
    """x as a survey with classical log error making up `share` of the measured variance would
    record it: x exp(sigma e), sigma from the variance of log x over the positive values."""
    positive = x[x > 0]
    sigma = error_sd(np.log(positive).var(), share) if len(positive) > 1 else 0.0
    return x * np.exp(sigma * rng.standard_normal(len(x)))


def transitions(a, b):
    """The quintile transition matrix (rows: quintile of a; shares of the row)."""
    matrix = np.zeros((5, 5))
    np.add.at(matrix, (quintiles(a), quintiles(b)), 1.0)
    return matrix / matrix.sum(axis=1, keepdims=True)


def print_matrix(matrix, y0, y1):
    print(f"quintile transitions (rows {y0}, columns {y1}; shares of the row):")
    for i in range(5):
        print(f"  Q{i + 1}  " + "  ".join(f"{v:5.3f}" for v in matrix[i]))
    print(f"same quintile in both years: {np.trace(matrix) / 5:.3f}")


def arguments():
    parser = argparse.ArgumentParser(usage=__doc__.splitlines()[2].removeprefix("Usage: "))
    parser.add_argument("run")
    parser.add_argument("years", nargs="*", type=int)
    parser.add_argument("--survey-error", type=float, default=None)
    parser.add_argument("--draws", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if len(args.years) not in (0, 2):
        parser.error("give both FIRST_YEAR and LAST_YEAR, or neither")
    if args.survey_error is not None and not 0.0 <= args.survey_error < 1.0:
        parser.error(f"--survey-error {args.survey_error}: a share of variance in [0, 1)")
    if args.draws < 1:
        parser.error(f"--draws {args.draws}: at least 1")
    return args


def main():
    args = arguments()
    with h5py.File(args.run, "r") as f:
        if "households" not in f:
            sys.exit(f"{args.run}: no household panel (run with outputs.household_panel)")
        g = f["households"]
        years = g["year"][()].astype(int)
        income = g["income_per_capita"][()]
        county = g["household_county"][()]
    y0, y1 = args.years if args.years else (years[0], years[-1])
    for y in (y0, y1):
        if y not in years:
            sys.exit(f"year {y} is not in the panel ({years[0]}-{years[-1]})")
    a, b = income[list(years).index(y0)], income[list(years).index(y1)]
    both = np.isfinite(a) & np.isfinite(b)
    a, b, county = a[both], b[both], county[both]
    print(f"{args.run}: {len(a)} households, {y0} -> {y1}")
    rho = spearman(a, b)
    print(f"rank correlation, all panel households: {rho:.3f}")
    within, weights = [], []
    for c in np.unique(county):
        sel = county == c
        if sel.sum() >= 10:
            within.append(spearman(a[sel], b[sel]))
            weights.append(sel.sum())
    print(f"rank correlation within counties (mean over {len(within)} counties, by households): "
          f"{np.average(within, weights=weights):.3f} (range {min(within):.3f}-{max(within):.3f})")
    print_matrix(transitions(a, b), y0, y1)
    if args.survey_error is None:
        return
    rng = np.random.default_rng(args.seed)
    rhos, matrices = [], []
    for _ in range(args.draws):
        ma = with_survey_error(a, args.survey_error, rng)
        mb = with_survey_error(b, args.survey_error, rng)
        rhos.append(spearman(ma, mb))
        matrices.append(transitions(ma, mb))
    measured = float(np.mean(rhos))
    print(f"as measured with survey error {args.survey_error:g} of the variance of log income "
          f"(mean of {args.draws} draws, seed {args.seed}):")
    print(f"rank correlation, all panel households: {measured:.3f}")
    added = (rho - measured) / (1.0 - measured) if measured < 1.0 else 0.0
    print(f"share of the measured mobility (1 - rank correlation) the error adds: {added:.3f}")
    print_matrix(np.mean(matrices, axis=0), y0, y1)


if __name__ == "__main__":
    main()
