#!/usr/bin/python3
"""A run's projection year by year: income per person, its growth, the farm price and the
operating share, and the first year against the level the scenario gives.

Usage: tools/projection.py RUN.h5 [--max-growth-sd POINTS]
Prints, person-weighted over the run's counties, for every simulated year: income per person
(/annual/income_per_capita_mean), its growth on the year before, the operating share of income,
and the farm price (the mean of /monthly/farm_price over the year's steps and the counties);
then the standard deviation of the yearly growth, the trend growth over the run, and the first
year's income against the scenario's own level (its counties' `income_per_capita`, weighted by
their `population`, read from the scenario text the run file stores). These are the figures
docs/VALIDATION.md section 16 compares with the published series. With --max-growth-sd it exits
1 when the standard deviation of the yearly growth is above POINTS (percentage points), as the
test of the default projection's smoothness does (tests/CMakeLists.txt). Uses Debian's
python3-h5py, numpy and python3-yaml (/usr/bin/python3).
"""
import argparse
import sys

import h5py
import numpy as np
import yaml


def weighted(values, weights):
    """Person-weighted mean over counties, one per row."""
    return (values * weights).sum(axis=1) / weights.sum(axis=1)


def growth(series):
    """Growth of each value on the one before (the first has none)."""
    return series[1:] / series[:-1] - 1.0


def trend(series):
    """Constant yearly growth from the first value to the last."""
    return (series[-1] / series[0]) ** (1.0 / (len(series) - 1)) - 1.0


def scenario_level(scenario_text):
    """The scenario's income per person: its counties' incomes weighted by their population."""
    counties = yaml.safe_load(scenario_text)["counties"]
    people = np.array([float(c["population"]) for c in counties])
    income = np.array([float(c["income_per_capita"]) for c in counties])
    return float((people * income).sum() / people.sum())


def text(value):
    """The run file's stored scenario: a char array (one byte an element) or a string."""
    if isinstance(value, np.ndarray):
        return value.tobytes().rstrip(b"\0").decode()
    return value.decode() if isinstance(value, bytes) else str(value)


def main():
    parser = argparse.ArgumentParser(usage=__doc__.splitlines()[3].removeprefix("Usage: "))
    parser.add_argument("run", help="a run's HDF5 output")
    parser.add_argument("--max-growth-sd", type=float, metavar="POINTS",
                        help="exit 1 if the sd of the yearly growth is above POINTS")
    args = parser.parse_args()
    path, max_sd = args.run, args.max_growth_sd
    with h5py.File(path, "r") as f:
        annual, monthly = f["annual"], f["monthly"]
        years = annual["year"][:].astype(int)
        people = annual["population"][:].astype(float)
        income = weighted(annual["income_per_capita_mean"][:], people)
        operating = weighted(annual["income_operating"][:], people)
        step_year = monthly["year"][:].astype(int)
        price = monthly["farm_price"][:]
        given = scenario_level(text(f["scenario_yaml"][()]))
    print("year  income per person  growth  operating share  farm price")
    rates = growth(income)
    for k, year in enumerate(years):
        rate = f"{100 * rates[k - 1]:+6.1f}%" if k > 0 else "       "
        print(f"{year}  {income[k]:17,.0f}  {rate}  {100 * operating[k] / income[k]:14.1f}%  "
              f"{price[step_year == year].mean():10.3f}")
    spread = 100 * rates.std(ddof=1) if len(years) > 2 else None
    if spread is not None:
        print(f"growth: sd {spread:.1f} points over {len(rates)} years, trend "
              f"{100 * trend(income):.2f}% a year {years[0]}-{years[-1]}")
    print(f"first year: {income[0]:,.0f} against the scenario's level {given:,.0f} "
          f"({100 * (income[0] / given - 1):+.1f}%)")
    if max_sd is not None:
        if spread is None:
            sys.exit("projection: fewer than three years, no growth sd to check")
        if spread > max_sd:
            sys.exit(f"projection: growth sd {spread:.2f} points is above {max_sd:g}")
        print(f"growth sd {spread:.2f} points: within {max_sd:g}")


if __name__ == "__main__":
    main()
