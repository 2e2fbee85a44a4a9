#!/usr/bin/python3
"""The calendar of income and consumption in a run file: shares of the year by quarter.

Usage: tools/seasons.py RUN.h5 [YEAR ...]
Defaults: every calendar year the run covers completely. Needs monthly or quarterly steps that
start a quarter (January, April, July or October). For each year prints, person-weighted over the
run's counties, the share of the year's wage income, operating income, all income and consumption
received in each quarter, and the first half: the figures docs/VALIDATION.md section 11 compares
with the published quarterly releases.

The /monthly figures are annual rates per person; a step's amount is the rate x the county's
population that year (/annual/population) x the step's months / 12. Uses Debian's python3-h5py
and numpy (/usr/bin/python3).
"""
import re
import sys

import h5py
import numpy as np

SOURCES = {
    "wage income": ["income_wage"],
    "operating income": ["income_operating"],
    "all income": ["income_wage", "income_operating", "income_property", "income_transfer"],
    "consumption": ["consumption"],
}


def step_months(time_days, units):
    """Calendar (year, month) at the start of each step, from /monthly/time (days since a date)."""
    m = re.match(r"days since (\d{4})-(\d{2})-(\d{2})", units)
    if not m:
        raise ValueError(f"time units {units!r} are not 'days since YYYY-MM-DD'")
    start = np.datetime64(f"{m.group(1)}-{m.group(2)}-{m.group(3)}")
    dates = start + np.round(time_days).astype("timedelta64[D]")
    months = dates.astype("datetime64[M]")
    year = months.astype("datetime64[Y]").astype(int) + 1970
    month = (months - months.astype("datetime64[Y]")).astype(int) + 1
    return year, month


def quarter_shares(rates, quarter, weights):
    """Shares of the total in each quarter 0..3: rates [step, county] (annual rates per person,
    steps of equal length), quarter [step] of each step, weights [county] (persons)."""
    totals = np.zeros(4)
    np.add.at(totals, quarter, rates @ weights)
    return totals / totals.sum()


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    with h5py.File(sys.argv[1], "r") as f:
        mo, an = f["monthly"], f["annual"]
        units = mo["time"].attrs["units"]
        units = units.decode() if isinstance(units, bytes) else str(units)
        year, month = step_months(mo["time"][()], units)
        data = {v: mo[v][()] for vs in SOURCES.values() for v in vs}
        population = an["population"][()]
        annual_years = an["year"][()].astype(int)
    if len(month) > 1:
        length = (year[1] - year[0]) * 12 + month[1] - month[0]
    else:
        length = 12
    if length not in (1, 3) or np.any((month - 1) % length != 0):
        sys.exit(f"{sys.argv[1]}: steps of {length} months; need monthly or quarterly steps that "
                 "start a quarter")
    complete = [int(y) for y in np.unique(year) if np.sum(year == y) * length == 12]
    wanted = [int(y) for y in sys.argv[2:]] or complete
    for y in wanted:
        if y not in complete:
            sys.exit(f"year {y} is not a complete calendar year of the run ({complete})")
    print(f"{sys.argv[1]}: share of the year by quarter (person-weighted over counties)")
    print(f"{'year':>4}  {'':18}{'Q1':>7}{'Q2':>7}{'Q3':>7}{'Q4':>7}{'H1':>8}")
    for y in wanted:
        steps = year == y
        quarter = (month[steps] - 1) // 3
        weights = population[list(annual_years).index(y)]
        for name, variables in SOURCES.items():
            rates = sum(data[v][steps] for v in variables)
            q = quarter_shares(rates, quarter, weights)
            print(f"{y:>4}  {name:18}" + "".join(f"{100 * v:6.1f}%" for v in q) +
                  f"{100 * (q[0] + q[1]):7.1f}%")


if __name__ == "__main__":
    main()
