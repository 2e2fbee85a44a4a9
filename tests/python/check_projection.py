#!/usr/bin/python3
"""Checks tools/projection.py on a hand-made run file: person-weighted incomes, their growth,
its spread and trend, the operating share, the farm price by year and the first year against the
scenario's level. Usage: check_projection.py SOURCE_DIR WORK_DIR"""
import os
import subprocess
import sys

import h5py
import numpy as np

source, work = sys.argv[1], sys.argv[2]
tool = os.path.join(source, "tools", "projection.py")
os.makedirs(work, exist_ok=True)
path = os.path.join(work, "projection_run.h5")
# Two counties of 100 and 300 persons over three years. County incomes per person 1,000 and
# 2,000, then x1.10 and x1.32 of those: weighted 1,750, 1,925 and 2,310, so +10% then +20%
# (sd 7.07 points) and a trend of sqrt(1.32) - 1 = 14.89% a year. Operating income is 40% of
# income. The scenario's own level is 1,600 (its populations are not the run's: 1 and 1, so the
# mean of 1,000 and 2,200), and the first year is 9.4% above it.
scenario = ("meta: {name: hand}\ncounties:\n"
            "  - {code: 1, population: 1, income_per_capita: 1000}\n"
            "  - {code: 2, population: 1, income_per_capita: 2200}\n")
base = np.array([1000.0, 2000.0])
income = np.array([base, base * 1.10, base * 1.32])
with h5py.File(path, "w") as f:
    an = f.create_group("annual")
    an["year"] = np.array([2023, 2024, 2025])
    an["population"] = np.array([[100.0, 300.0]] * 3)
    an["income_per_capita_mean"] = income
    an["income_operating"] = 0.4 * income
    mo = f.create_group("monthly")
    mo["year"] = np.repeat([2023, 2024, 2025], 2)
    mo["farm_price"] = np.array([[1.0, 1.0], [1.0, 1.0], [0.9, 1.1], [1.3, 1.1], [1.0, 1.0],
                                 [0.8, 0.8]])
    f["scenario_yaml"] = np.frombuffer(scenario.encode(), dtype="S1")
out = subprocess.run(["/usr/bin/python3", tool, path], capture_output=True, text=True, check=True)
lines = out.stdout.splitlines()
rows = {line.split()[0]: line.split() for line in lines if line[:4].isdigit()}
assert rows["2023"][1:] == ["1,750", "40.0%", "1.000"], rows["2023"]
assert rows["2024"][1:] == ["1,925", "+10.0%", "40.0%", "1.100"], rows["2024"]
assert rows["2025"][1:] == ["2,310", "+20.0%", "40.0%", "0.900"], rows["2025"]
spread = next(line for line in lines if line.startswith("growth:"))
assert spread == "growth: sd 7.1 points over 2 years, trend 14.89% a year 2023-2025", spread
first = next(line for line in lines if line.startswith("first year:"))
assert first == "first year: 1,750 against the scenario's level 1,600 (+9.4%)", first
# The smoothness check: the sd is 7.07 points, so 7.1 passes and 7.0 fails with the figure.
within = subprocess.run(["/usr/bin/python3", tool, path, "--max-growth-sd", "7.1"],
                        capture_output=True, text=True)
assert within.returncode == 0 and "growth sd 7.07 points: within 7.1" in within.stdout, within
above = subprocess.run(["/usr/bin/python3", tool, path, "--max-growth-sd", "7.0"],
                       capture_output=True, text=True)
assert above.returncode == 1 and "growth sd 7.07 points is above 7" in above.stderr, above
# Wrong usage says how to use it.
for argv in ([], [path, "--max-growth-sd"], [path, "--max-growth-sd", "x"]):
    bad = subprocess.run(["/usr/bin/python3", tool] + argv, capture_output=True, text=True)
    assert bad.returncode != 0 and "usage: tools/projection.py RUN.h5" in bad.stderr, bad.stderr
print("check_projection: ok")
