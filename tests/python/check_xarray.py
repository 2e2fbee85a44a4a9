#!/usr/bin/env python3
"""Checks that a codev output file reads as netCDF-4 the way users' plotting scripts read it.

Usage: check_xarray.py FILE. Run by tests/test_output.cpp on the file its fixture writes, so the
expected names and values below mirror that fixture. Opens each group with xarray's h5netcdf
engine (no phony_dims: every axis must have a named dimension scale), with netCDF-C through
the netCDF4 engine when that is installed, and the root with h5py. Exit status 0 means every
check passed; any failure prints what differed and exits 1.
"""
import sys

import h5py
import numpy as np
import xarray as xr

COUNTIES = [510104, 513221, 511702]
NAMES_ZH = ["锦江区", "汶川县", "通川区"]
ROLES = ["donor", "recipient", "other"]
MONTHLY_ROWS = 30
YEARS = [2023, 2024, 2025]
VARIABLES = {"monthly": ["gdp", "local_jobs"], "annual": ["income_per_capita_mean", "fgt0"]}


def cell(group, row, variable, column):
    """The value test_output.cpp writes for (group, row, variable, column)."""
    return group * 1e6 + row * 1000.0 + variable * 10.0 + column + 0.25


def require(condition, message):
    if not condition:
        raise AssertionError(message)


def check_described(ds, group):
    """units and long_name on every variable; decoded times keep units in .encoding."""
    for name, var in ds.variables.items():
        units = var.attrs.get("units", var.encoding.get("units"))
        require(units is not None, f"{group}/{name} has no units")
        require("long_name" in var.attrs, f"{group}/{name} has no long_name")


def check_county_axis(ds, group):
    require(list(ds["county"].values) == COUNTIES, f"{group}: county = {ds['county'].values}")
    for aux in ["county_name", "county_name_zh", "county_role", "prefecture"]:
        require(ds[aux].dims == ("county",), f"{group}/{aux} dims {ds[aux].dims}")
    require(list(ds["county_name_zh"].values) == NAMES_ZH,
            f"{group}: county_name_zh = {ds['county_name_zh'].values}")
    require(all(isinstance(v, str) for v in ds["county_role"].values),
            f"{group}: county_role is not str")
    require(list(ds["county_role"].values) == ROLES, f"{group}: roles {ds['county_role'].values}")


def check_values(ds, group_index, group, rows):
    for v, name in enumerate(VARIABLES[group]):
        expected = np.array([[cell(group_index, r, v, c) for c in range(len(COUNTIES))]
                             for r in range(rows)])
        require(np.array_equal(ds[name].values, expected), f"{group}/{name} values differ")


def check_annual(path, engine):
    with xr.open_dataset(path, engine=engine, group="annual") as ds:
        if engine == "h5netcdf":
            print(ds)
        require(dict(ds.sizes) == {"year": 3, "county": 3}, f"annual sizes {dict(ds.sizes)}")
        require(not any(d.startswith("phony_dim") for d in ds.dims), "annual has phony dims")
        for name in VARIABLES["annual"]:
            require(ds[name].dims == ("year", "county"), f"annual/{name} dims {ds[name].dims}")
        require("year" in ds.coords and "county" in ds.coords, "annual coordinates missing")
        require(list(ds["year"].values) == YEARS, f"annual year = {ds['year'].values}")
        check_county_axis(ds, "annual")
        check_described(ds, "annual")
        check_values(ds, 1, "annual", len(YEARS))


def check_monthly(path, engine):
    with xr.open_dataset(path, engine=engine, group="monthly") as ds:
        require(dict(ds.sizes) == {"time": MONTHLY_ROWS, "county": 3},
                f"monthly sizes {dict(ds.sizes)}")
        require(not any(d.startswith("phony_dim") for d in ds.dims), "monthly has phony dims")
        for name in VARIABLES["monthly"]:
            require(ds[name].dims == ("time", "county"), f"monthly/{name} dims {ds[name].dims}")
        time = ds["time"].values
        require(np.issubdtype(time.dtype, np.datetime64), f"time not decoded: {time.dtype}")
        require(time[0] == np.datetime64("2023-07-01") and time[1] == np.datetime64("2023-07-31"),
                f"time starts {time[:2]}")
        require(ds["year"].dims == ("time",), f"monthly/year dims {ds['year'].dims}")
        require(ds["year"].values[0] == 2023 and ds["year"].values[-1] == 2025,
                f"monthly year = {ds['year'].values}")
        check_county_axis(ds, "monthly")
        check_described(ds, "monthly")
        check_values(ds, 0, "monthly", MONTHLY_ROWS)


def text(value):
    """A text attribute as h5py gives it: fixed-length (NC_CHAR) ones come back as bytes."""
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def check_root(path):
    with h5py.File(path, "r") as f:
        attrs = f.attrs
        require(text(attrs["title"]) == "codev output test", f"title = {attrs['title']!r}")
        require(text(attrs["scenario_name"]) == "四川 2023",
                f"scenario_name = {attrs['scenario_name']!r}")
        require(attrs["seed"] == 42 and attrs["seed"].dtype == np.int64, "seed is not int64 42")
        require(attrs["scale"] == 0.5, f"scale = {attrs['scale']!r}")
        # A char array (NC_CHAR): h5py gives its bytes.
        yaml = f["scenario_yaml"][()].tobytes().rstrip(b"\0").decode()
        require(yaml == "name: test\nseed: 42\n", f"scenario_yaml = {yaml!r}")
        require(isinstance(attrs["comment"], h5py.Empty), "an empty text is netCDF-C's empty")
    with xr.open_dataset(path, engine="h5netcdf") as ds:
        require(ds.attrs["title"] == "codev output test", "root attributes not seen by xarray")
        require(ds.scenario_yaml.values.item() == "name: test\nseed: 42\n",
                "scenario_yaml as text through xarray")
        require(ds.attrs["comment"] in ("", b""), f"empty comment: {ds.attrs['comment']!r}")


def main(path):
    engines = ["h5netcdf"]
    try:
        import netCDF4  # noqa: F401  (netCDF-C is the reference reader when installed)
        engines.append("netcdf4")
    except ImportError:
        pass
    for engine in engines:
        check_annual(path, engine)
        check_monthly(path, engine)
    check_root(path)
    print(f"check_xarray: OK ({', '.join(engines)})")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: check_xarray.py FILE")
    try:
        main(sys.argv[1])
    except Exception as error:  # any failure, including a reader's, is a failed check
        print(f"check_xarray: FAILED: {type(error).__name__}: {error}", file=sys.stderr)
        sys.exit(1)
