#!/usr/bin/python3
"""Checks tools/seasons.py on hand-made data: the calendar of the steps, quarterly shares, and
the printed table of a small run-like file. Usage: check_seasons.py SOURCE_DIR WORK_DIR"""
import importlib.util
import os
import subprocess
import sys

import h5py
import numpy as np

source, work = sys.argv[1], sys.argv[2]
tool = os.path.join(source, "tools", "seasons.py")
spec = importlib.util.spec_from_file_location("seasons", tool)
seasons = importlib.util.module_from_spec(spec)
spec.loader.exec_module(seasons)

# Quarterly steps from July 2023: July, October, January 2024, April 2024.
year, month = seasons.step_months(np.array([0.0, 92.0, 184.0, 275.0]), "days since 2023-07-01")
assert list(year) == [2023, 2023, 2024, 2024] and list(month) == [7, 10, 1, 4]
# Two counties (100 and 300 persons) over one year of monthly steps: the first earns 1,200 a
# year per person in January-March only, the second 1,200 in every month. Quarter totals
# 1,440,000, then 1,080,000 three times: Q1 = 1.44 / 4.68.
rates = np.zeros((12, 2))
rates[:3, 0] = 1200.0
rates[:, 1] = 1200.0
shares = seasons.quarter_shares(rates, np.arange(12) // 3, np.array([100.0, 300.0]))
assert np.allclose(shares, [1.44 / 4.68, 1.08 / 4.68, 1.08 / 4.68, 1.08 / 4.68])

# A file with 2023 complete and three months of 2024 (left out by default).
os.makedirs(work, exist_ok=True)
path = os.path.join(work, "seasons_run.h5")
days = (np.arange("2023-01", "2024-04", dtype="datetime64[M]").astype("datetime64[D]") -
        np.datetime64("2023-01-01")).astype(float)
n = len(days)
wage = np.zeros((n, 2))
wage[:3, 0] = 1200.0
wage[:, 1] = 1200.0
flat = np.full((n, 2), 600.0)
with h5py.File(path, "w") as f:
    mo = f.create_group("monthly")
    mo["time"] = days
    mo["time"].attrs["units"] = "days since 2023-01-01"
    mo["income_wage"] = wage
    for v in ("income_operating", "income_property", "income_transfer", "consumption"):
        mo[v] = flat
    an = f.create_group("annual")
    an["year"] = np.array([2023, 2024])
    an["population"] = np.array([[100.0, 300.0], [100.0, 300.0]])
out = subprocess.run(["/usr/bin/python3", tool, path], capture_output=True, text=True, check=True)
lines = out.stdout.splitlines()
assert not any(line.startswith("2024") for line in lines), out.stdout
wage_line = next(line for line in lines if line.startswith("2023  wage income"))
assert wage_line.split()[3:] == ["30.8%", "23.1%", "23.1%", "23.1%", "53.8%"], wage_line
consumption = next(line for line in lines if line.startswith("2023  consumption"))
assert consumption.split()[2:] == ["25.0%", "25.0%", "25.0%", "25.0%", "50.0%"], consumption
# A year the run does not cover completely is refused.
bad = subprocess.run(["/usr/bin/python3", tool, path, "2024"], capture_output=True, text=True)
assert bad.returncode != 0 and "not a complete calendar year" in bad.stderr, bad.stderr
print("check_seasons: ok")
