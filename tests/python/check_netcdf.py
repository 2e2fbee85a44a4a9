#!/usr/bin/env python3
"""Checks that a codev file is a netCDF-4 file that netCDF tools read *and modify*.

Usage: check_netcdf.py FILE WORKDIR. Run by tests/test_cli.cpp on a run file of
scenarios/example_small.yaml and an experiment file of scenarios/examples/experiment_small.yaml.
Uses netCDF-C's ncdump (-h, -t), NCO's ncks (a subset by county must keep the county names) and
ncatted (an append), netCDF4-python in append mode, xarray's netcdf4 engine, h5py (creation
order, attribute types) and libudunits2 (every `units` parses, currency "yuan" aside). Needs
netcdf-bin, nco, python3-netcdf4 and udunits-bin (libudunits2-0); .ci/run installs them.
Exit 0 when all hold.
"""
import ctypes
import os
import re
import shutil
import subprocess
import sys

import h5py
import netCDF4
import numpy as np
import xarray as xr

RECIPIENTS = ["Shiqu", "Batang"]  # counties 2 and 3 of example_small


def require(condition, message):
    if not condition:
        print("check_netcdf: FAILED:", message)
        sys.exit(1)


def run(*command):
    r = subprocess.run(command, capture_output=True, text=True)
    require(r.returncode == 0, f"{' '.join(command)} exited {r.returncode}: {r.stderr.strip()}")
    return r.stdout


class Udunits:
    """ut_parse from libudunits2, the library CF tools use to read `units`."""

    def __init__(self):
        lib = ctypes.CDLL("libudunits2.so.0")
        lib.ut_set_error_message_handler.argtypes = [ctypes.c_void_p]
        lib.ut_set_error_message_handler(lib.ut_ignore)
        lib.ut_read_xml.restype = ctypes.c_void_p
        lib.ut_read_xml.argtypes = [ctypes.c_char_p]
        lib.ut_parse.restype = ctypes.c_void_p
        lib.ut_parse.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
        self.lib, self.system = lib, lib.ut_read_xml(None)
        require(self.system, "udunits2 has no unit database")

    def parses(self, units):
        # Currency is the documented exception (README, "Units"): "yuan" stands for a number.
        text = re.sub(r"\byuan\b", "1", units)
        return bool(self.lib.ut_parse(self.system, text.encode(), 0))


def walk(group):
    yield group
    for child in group.groups.values():
        yield from walk(child)


def check_netcdf_c(path, experiment):
    header = run("ncdump", "-h", path)
    require(':Conventions = "CF-1.8" ;' in header, "Conventions as NC_CHAR, last character kept")
    for name in ["history", "source", "title"]:
        require(re.search(rf"\t\t:{name} = \"[^\"]+\" ;", header), f"global attribute {name}")
    require(re.search(r":seed = \d+ULL ;", header), "seed is an unsigned 64-bit integer")
    require(not re.search(r"\bstring ", header), "no NC_STRING variable (Octave: unknown type 12)")
    require("char county_name(county, county_name_strlen)" in header, "county names are NC_CHAR")
    require('coordinates = "' in header, "coordinates is NC_CHAR text")
    require("int64 year(year)" in header, "year is an integer coordinate")
    dates = run("ncdump", "-t", "-v", "/annual/time", path)
    require(re.search(r'time = "2023-01-01", "2024-01-01"', dates), "ncdump -t shows annual dates")
    if not experiment:
        monthly = run("ncdump", "-t", "-v", "/monthly/time", path)
        require('"2023-01-01", "2023-02-01"' in monthly, "ncdump -t shows monthly dates")


def check_nco(path, work):
    subset = os.path.join(work, "subset.nc")
    run("ncks", "-O", "-d", "county,2,3", path, subset)
    with netCDF4.Dataset(subset) as d:
        names = [str(n) for n in d["annual"]["county_name"][:]]
        require(names == RECIPIENTS, f"ncks subset by county keeps county names: {names}")
        require(list(d["annual"]["county"][:]) == [513332, 513335], "subset county codes")
    edited = os.path.join(work, "edited.h5")
    shutil.copy(path, edited)
    run("ncatted", "-h", "-a", "history,global,a,c,\nedited by ncatted", "-a",
        "comment,/annual/fgt0,c,c,checked", edited)
    with netCDF4.Dataset(edited) as d:
        require(d.history.endswith("edited by ncatted") and "codev" in d.history,
                f"ncatted appended to history: {d.history!r}")
        require(d["annual"]["fgt0"].comment == "checked", "ncatted added a variable attribute")


def check_netcdf4_python(path, work):
    edited = os.path.join(work, "appended.h5")
    shutil.copy(path, edited)
    with netCDF4.Dataset(edited, "a") as d:
        d.setncattr("comment", "opened in append mode")
        annual = d["annual"]
        extra = annual.createVariable("extra", "f8", annual["fgt0"].dimensions)
        extra[:] = 2.0 * annual["fgt0"][:]
        extra.units = "1"
    with netCDF4.Dataset(edited) as d:
        require(d.comment == "opened in append mode", "global attribute written in append mode")
        require(np.array_equal(d["annual"]["extra"][:], 2.0 * d["annual"]["fgt0"][:]),
                "variable added in append mode")
        require(isinstance(d.seed, np.uint64), f"seed reads as uint64: {type(d.seed)}")
    with netCDF4.Dataset(path) as d:
        units = Udunits()
        for group in walk(d):
            for name, var in group.variables.items():
                if "units" in var.ncattrs():
                    require(units.parses(var.units),
                            f"{group.path}/{name}: units {var.units!r} not udunits")


def check_xarray(path, experiment):
    with xr.open_dataset(path, engine="netcdf4", group="annual") as annual:
        require(np.issubdtype(annual.year.dtype, np.integer), f"year dtype {annual.year.dtype}")
        require(np.issubdtype(annual.time.dtype, np.datetime64), "annual time decodes to dates")
        require(list(annual.county_name.values) == ["Shuangliu", "Jinniu"] + RECIPIENTS,
                f"county names as str: {annual.county_name.values}")
        require(annual.county_name_zh.values[2] == "石渠县", "Chinese names survive")
        recipients = annual.where(annual.county_role == "recipient", drop=True)
        require(recipients.sizes["county"] == 2, "selection by role")
        require(annual.income_per_capita_mean.attrs["units"] == "yuan/year", "units")
    with xr.open_dataset(path, engine="netcdf4") as root:
        require(root.attrs["Conventions"] == "CF-1.8", "root attributes through netCDF-C")
        require(root.attrs["history"].startswith("20"), "history begins with a time")


def check_hdf5_layout(path):
    with h5py.File(path, "r") as f:
        groups = [f["/"]]
        f.visititems(lambda name, obj: groups.append(obj) if isinstance(obj, h5py.Group) else None)
        for g in groups:
            plist = g.id.get_create_plist()
            require(plist.get_link_creation_order() & h5py.h5p.CRT_ORDER_TRACKED,
                    f"{g.name} tracks link creation order")
            require(plist.get_attr_creation_order() & h5py.h5p.CRT_ORDER_TRACKED,
                    f"{g.name} tracks attribute creation order")
        fgt0 = f["annual/fgt0"]
        require(fgt0.id.get_create_plist().get_attr_creation_order() & h5py.h5p.CRT_ORDER_TRACKED,
                "datasets track attribute creation order")
        require(fgt0.dtype == np.float64, "variables stay float64")
        with netCDF4.Dataset(path) as d:
            for key in f.attrs:
                tid = f.attrs.get_id(key).get_type()
                if not isinstance(tid, h5py.h5t.TypeStringID):
                    continue
                # NC_CHAR: fixed-length, exactly the text's bytes, read back whole by netCDF-C.
                require(not tid.is_variable_str(), f"{key} is fixed-length")
                raw = f.attrs[key]
                text = b"" if isinstance(raw, h5py.Empty) else bytes(raw)
                require(b"\0" not in text, f"{key} stores no terminator")
                require(d.getncattr(key) == text.decode(), f"netCDF-C reads {key} whole")
        require(f.attrs["seed"].dtype == np.uint64, "seed is uint64")


def check_octave(path, experiment):
    """Octave's netcdf package (netCDF-C underneath), where it is installed: text attributes,
    county names and, for run files, ncinfo. Octave is too large for CI to install for this."""
    if shutil.which("octave-cli") is None:
        return "octave: not installed, skipped"
    script = (f'pkg load netcdf; f = "{path}"; '
              'printf("[%s]\\n", ncreadatt(f, "/", "Conventions")); '
              'n = ncread(f, "/annual/county_name"); c = deblank(cellstr(n\')); printf("%s|", c{:}); '
              'printf("\\n");')
    if not experiment:  # ncinfo of Octave 7 cannot merge nested groups of different shapes
        script += ' i = ncinfo(f); printf("groups %d\\n", numel(i.Groups));'
    r = subprocess.run(["octave-cli", "--no-gui", "--eval", script], capture_output=True,
                       text=True)
    if "pkg: package not installed" in r.stderr or "package netcdf" in r.stderr:
        return "octave: no netcdf package, skipped"
    require(r.returncode == 0, f"octave: {r.stderr.strip()[-300:]}")
    require("[CF-1.8]\n" in r.stdout, f"octave reads text attributes whole: {r.stdout!r}")
    require("Shuangliu|Jinniu|Shiqu|Batang|" in r.stdout, f"octave reads county names: {r.stdout!r}")
    return "octave: OK"


def main(path, work):
    experiment = "experiment_yaml" in h5py.File(path, "r")
    check_netcdf_c(path, experiment)
    check_nco(path, work)
    check_netcdf4_python(path, work)
    check_xarray(path, experiment)
    check_hdf5_layout(path)
    octave = check_octave(path, experiment)
    print(f"check_netcdf: OK ({'experiment' if experiment else 'run'} file; {octave})")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: check_netcdf.py FILE WORKDIR")
    main(sys.argv[1], sys.argv[2])
