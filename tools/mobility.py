#!/usr/bin/python3
"""Household income mobility in a run file's household panel.

Usage: tools/mobility.py RUN.h5 [FIRST_YEAR LAST_YEAR]
Defaults: the panel's first and last years. Needs a run written with `outputs.household_panel`
(for example `--set outputs.household_panel.per_county=2000`). Prints, for households present in
both years, ranked by disposable income per person:

- the Spearman rank correlation between the two years, over all panel households and as the
  household-weighted mean of the within-county correlations;
- the quintile transition matrix (rows: quintile in the first year, columns: in the last year,
  shares of the row), and the share of households in the same quintile in both years.

Ranks are of households, unweighted, ties averaged: the measures panel surveys report (CFPS,
CHFS) for household income per person. Uses Debian's python3-h5py and numpy (/usr/bin/python3).
"""
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


def main():
    if len(sys.argv) not in (2, 4):
        sys.exit(__doc__)
    with h5py.File(sys.argv[1], "r") as f:
        if "households" not in f:
            sys.exit(f"{sys.argv[1]}: no household panel (run with outputs.household_panel)")
        g = f["households"]
        years = g["year"][()].astype(int)
        income = g["income_per_capita"][()]
        county = g["household_county"][()]
    y0, y1 = (int(sys.argv[2]), int(sys.argv[3])) if len(sys.argv) == 4 else (years[0], years[-1])
    for y in (y0, y1):
        if y not in years:
            sys.exit(f"year {y} is not in the panel ({years[0]}-{years[-1]})")
    a, b = income[list(years).index(y0)], income[list(years).index(y1)]
    both = np.isfinite(a) & np.isfinite(b)
    a, b, county = a[both], b[both], county[both]
    print(f"{sys.argv[1]}: {len(a)} households, {y0} -> {y1}")
    print(f"rank correlation, all panel households: {spearman(a, b):.3f}")
    within, weights = [], []
    for c in np.unique(county):
        sel = county == c
        if sel.sum() >= 10:
            within.append(spearman(a[sel], b[sel]))
            weights.append(sel.sum())
    print(f"rank correlation within counties (mean over {len(within)} counties, by households): "
          f"{np.average(within, weights=weights):.3f} (range {min(within):.3f}-{max(within):.3f})")
    q0, q1 = quintiles(a), quintiles(b)
    matrix = np.zeros((5, 5))
    np.add.at(matrix, (q0, q1), 1.0)
    matrix /= matrix.sum(axis=1, keepdims=True)
    print(f"quintile transitions (rows {y0}, columns {y1}; shares of the row):")
    for i in range(5):
        print(f"  Q{i + 1}  " + "  ".join(f"{v:5.3f}" for v in matrix[i]))
    print(f"same quintile in both years: {np.trace(matrix) / 5:.3f}")


if __name__ == "__main__":
    main()
