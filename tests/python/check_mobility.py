#!/usr/bin/python3
"""Checks tools/mobility.py on hand-made data: ranks with ties, Spearman's correlation, quintiles,
and the printed measures of a small panel file. Usage: check_mobility.py SOURCE_DIR WORK_DIR"""
import importlib.util
import os
import subprocess
import sys

import h5py
import numpy as np

source, work = sys.argv[1], sys.argv[2]
tool = os.path.join(source, "tools", "mobility.py")
spec = importlib.util.spec_from_file_location("mobility", tool)
mobility = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mobility)

# Ranks 1..n, ties at their mean rank.
assert list(mobility.ranks(np.array([3.0, 1.0, 3.0, 2.0]))) == [3.5, 1.0, 3.5, 2.0]
# Spearman: 1 for the same order, -1 for the reverse, and a hand-computed case:
# ranks (1,2,3,4,5) against (2,1,4,3,5): 1 - 6 * sum d^2 / (n (n^2 - 1)) = 1 - 6 * 4 / 120 = 0.8.
x = np.array([10.0, 20.0, 30.0, 40.0, 50.0])
assert abs(mobility.spearman(x, x * 2 + 1) - 1.0) < 1e-12
assert abs(mobility.spearman(x, -x) + 1.0) < 1e-12
assert abs(mobility.spearman(x, np.array([2.0, 1.0, 4.0, 3.0, 5.0])) - 0.8) < 1e-12
# Quintiles by rank: ten distinct values, two to a quintile.
assert list(mobility.quintiles(np.arange(10.0)[::-1])) == [4, 4, 3, 3, 2, 2, 1, 1, 0, 0]

# A panel of 20 households in two counties over three years: the last year swaps the first and
# the last household of each county's ranking and leaves the rest in order.
os.makedirs(work, exist_ok=True)
path = os.path.join(work, "mobility_panel.h5")
income = np.tile(np.arange(1.0, 21.0), (3, 1)) * 1000.0
income[2, [0, 9]] = income[2, [9, 0]]
income[2, [10, 19]] = income[2, [19, 10]]
with h5py.File(path, "w") as f:
    g = f.create_group("households")
    g["year"] = np.array([2023, 2024, 2025])
    g["income_per_capita"] = income
    g["household_county"] = np.repeat([510116, 513332], 10)
out = subprocess.run([sys.executable, tool, path, "2023", "2024"], capture_output=True, text=True,
                     check=True).stdout
assert "rank correlation, all panel households: 1.000" in out, out
assert "same quintile in both years: 1.000" in out, out
out = subprocess.run([sys.executable, tool, path], capture_output=True, text=True,
                     check=True).stdout
# Within a county of 10: ranks 1..10 against 10,2..9,1: sum d^2 = 2 x 81, rho = 1 - 6 x 162 / 990.
within = 1.0 - 6.0 * 162.0 / 990.0
assert f"(mean over 2 counties, by households): {within:.3f}" in out, out
# Households 1 and 10 leave quintile 1 and 3 (of 20: households 1-4 are quintile 1, 9-12
# quintile 3); 11 and 20 leave quintiles 3 and 5: 16 of 20 stay, 0.8 of each row on average.
assert "same quintile in both years: 0.800" in out, out
bad = subprocess.run([sys.executable, tool, path, "2023", "2030"], capture_output=True, text=True)
assert bad.returncode != 0 and "year 2030 is not in the panel" in bad.stderr, bad.stderr

# Survey error: sigma^2 = V S / (1 - S), so that S of the measured variance is error.
assert abs(mobility.error_sd(0.36, 0.2) - 0.3) < 1e-12
assert mobility.error_sd(0.36, 0.0) == 0.0
# On 200,000 log-normal incomes measured twice, the measured logs have variance V / (1 - S) and
# correlate at 1 - S; the error leaves the signs (and a zero income) as they were.
rng = np.random.default_rng(7)
true = np.exp(0.6 * rng.standard_normal(200_000))
first = mobility.with_survey_error(true, 0.5, rng)
second = mobility.with_survey_error(true, 0.5, rng)
v = np.log(true).var()
assert abs(np.log(first).var() / v - 2.0) < 0.03, np.log(first).var() / v
assert abs(np.corrcoef(np.log(first), np.log(second))[0, 1] - 0.5) < 0.01
signs = mobility.with_survey_error(np.array([-100.0, 0.0, 50.0, 200.0, 800.0]), 0.3, rng)
assert list(np.sign(signs)) == [-1.0, 0.0, 1.0, 1.0, 1.0], signs
# The tool: no error measures as without it; a seed gives the same draws; a share of 1 is refused.
out = subprocess.run([sys.executable, tool, path, "2023", "2024", "--survey-error", "0"],
                     capture_output=True, text=True, check=True).stdout
assert out.count("rank correlation, all panel households: 1.000") == 2, out
assert "the error adds: 0.000" in out and out.count("same quintile in both years: 1.000") == 2, out
runs = [subprocess.run([sys.executable, tool, path, "--survey-error", "0.4", "--seed", "3"],
                       capture_output=True, text=True, check=True).stdout for _ in range(2)]
assert runs[0] == runs[1] and "survey error 0.4" in runs[0], runs
bad = subprocess.run([sys.executable, tool, path, "--survey-error", "1"], capture_output=True,
                     text=True)
assert bad.returncode == 2 and "a share of variance in [0, 1)" in bad.stderr, bad.stderr
print("mobility.py: ranks, correlations, quintiles, survey error and a hand-made panel as computed "
      "by hand")
