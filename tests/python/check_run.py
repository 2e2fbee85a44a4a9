#!/usr/bin/env python3
"""Checks a real `codev run` output of scenarios/example_small.yaml the way a user reads it.

Usage: check_run.py FILE. Run by tests/test_cli.cpp. Opens /annual, /monthly and /households with
xarray's h5netcdf engine and checks named dimensions, coordinates, labels, decoded time, units and
long names, and the provenance attributes and scenario text with h5py. Exit 0 when all hold.
"""
import sys

import h5py
import numpy as np
import xarray as xr

COUNTIES = [510116, 510106, 513332, 513335]
ROLES = ["donor", "donor", "recipient", "recipient"]
YEARS = [2023, 2024, 2025, 2026, 2027]


def require(condition, message):
    if not condition:
        print("check_run: FAILED:", message)
        sys.exit(1)


def main(path):
    annual = xr.open_dataset(path, engine="h5netcdf", group="annual")
    require(annual.income_per_capita_mean.dims == ("year", "county"), "annual dims")
    require(list(annual.county.values) == COUNTIES, f"county codes {annual.county.values}")
    require(list(annual.year.values.astype(int)) == YEARS, f"years {annual.year.values}")
    require(list(annual.county_role.values) == ROLES, "county roles")
    require(annual.county_name_zh.values[2] == "石渠县", "Chinese names")
    for name, var in annual.data_vars.items():
        require("units" in var.attrs and "long_name" in var.attrs, f"annual/{name} attributes")
    recipients = annual.where(annual.county_role == "recipient", drop=True)
    require(recipients.sizes["county"] == 2, "selection by role")
    require(bool(np.all((annual.fgt0 >= 0) & (annual.fgt0 <= 1))), "fgt0 in [0,1]")

    monthly = xr.open_dataset(path, engine="h5netcdf", group="monthly")
    require(monthly.gdp.dims == ("time", "county"), "monthly dims")
    require(monthly.sizes["time"] == 60, "60 monthly steps")
    require(np.issubdtype(monthly.time.dtype, np.datetime64), "time decodes to datetime64")
    require(str(monthly.time.values[0])[:10] == "2023-01-01", "first step starts 2023-01-01")
    require(str(monthly.time.values[-1])[:10] == "2027-12-01", "last step starts 2027-12-01")
    for name, var in monthly.data_vars.items():
        require("units" in var.attrs and "long_name" in var.attrs, f"monthly/{name} attributes")

    panel = xr.open_dataset(path, engine="h5netcdf", group="households")
    require(panel.income_per_capita.dims == ("year", "household"), "panel dims")
    require(panel.sizes["household"] == 80, "20 panel households per county")

    with h5py.File(path, "r") as f:
        for key in ["title", "codev_version", "git_commit", "scenario_name", "scenario_sha256",
                    "seed", "command_line", "creation_time", "library_versions"]:
            require(key in f.attrs, f"root attribute {key}")
        name = f.attrs["scenario_name"]  # NC_CHAR: bytes through h5py
        require((name.decode() if isinstance(name, bytes) else name) == "example_small",
                "scenario name")
        text = f["scenario_yaml"][()].tobytes().rstrip(b"\0")  # NC_CHAR: bytes
        text = text.decode() if isinstance(text, bytes) else text
        require("example_small" in text and "513332" in text, "resolved scenario text")
    print("check_run: OK")


if __name__ == "__main__":
    main(sys.argv[1])
