#!/usr/bin/env python3
"""Checks an experiment file of scenarios/examples/experiment_small.yaml the way users read it.

Usage: check_experiment.py FILE. Run by tests/test_experiment.cpp. Opens every group with xarray's
h5netcdf engine and checks named dimensions with coordinates (variant names, replicate numbers,
years, county codes with labels), units and long names on every variable, the summary and sweep
groups, and the provenance attributes and resolved texts. Exit 0 when all hold.
"""
import sys

import numpy as np
import xarray as xr

VARIANTS = ["aid", "no_aid", "no_cadres"]
REPLICATES = 4
YEARS = [2023, 2024, 2025, 2026, 2027]
COUNTIES = [510116, 510106, 513332, 513335]
SWEEP_POINTS = 8 * (2 + 2)  # Saltelli: N (k + 2)


def require(condition, message):
    if not condition:
        print("check_experiment: FAILED:", message)
        sys.exit(1)


def open_group(path, group):
    return xr.open_dataset(path, engine="h5netcdf", group=group)


def described(ds, where):
    for name, var in ds.data_vars.items():
        require("units" in var.attrs and "long_name" in var.attrs, f"{where}/{name} attributes")


def main(path):
    annual = open_group(path, "annual")
    require(annual.fgt0.dims == ("variant", "replicate", "year", "county"), "annual dims")
    require(list(annual.variant.values) == VARIANTS, f"variants {annual.variant.values}")
    require(list(annual.replicate.values) == list(range(REPLICATES)), "replicates 0..R-1")
    require(list(annual.year.values) == YEARS, f"years {annual.year.values}")
    require(list(annual.county.values) == COUNTIES, "county codes")
    require(annual.county_name_zh.values[2] == "石渠县", "Chinese names as coordinates")
    require(not np.isnan(annual.income_per_capita_mean.values).any(), "every cell written")
    described(annual, "annual")
    recipients = annual.where(annual.county_role == "recipient", drop=True)
    require(recipients.sizes["county"] == 2, "selection by role")

    region = open_group(path, "region")
    require(region.theil_total.dims == ("variant", "replicate", "year", "group"), "region dims")
    require(list(region.group.values) == ["all", "donor", "recipient", "other"], "groups")
    pairings = open_group(path, "pairings")
    require(pairings.donor_spent.dims == ("variant", "replicate", "year", "pairing"), "pairings")
    require(float(pairings.donor_spent.sel(variant="no_aid").sum()) == 0.0, "no aid spends 0")
    described(pairings, "pairings")

    summary = open_group(path, "summary/region")
    described(summary, "summary/region")
    for stat in ["mean", "sd", "se", "ci_low", "ci_high"]:
        for name in ["income_per_capita_mean", "fgt0", "theil_total"]:
            for v in [f"{name}_{stat}", f"{name}_diff_{stat}"]:
                require(v in summary, f"summary/region/{v}")
                require(summary[v].dims == ("variant", "year", "group"), f"{v} dims")
    # The summary is the replicates' statistics: mean and SD recomputed from /region.
    x = region.income_per_capita_mean
    require(np.allclose(summary.income_per_capita_mean_mean, x.mean("replicate"), rtol=1e-12, equal_nan=True),
            "summary mean = mean over replicates")
    require(np.allclose(summary.income_per_capita_mean_sd, x.std("replicate", ddof=1),
                        rtol=1e-9, equal_nan=True), "summary sd = sample SD over replicates")
    diff = x - x.sel(variant="no_aid")
    require(np.allclose(summary.income_per_capita_mean_diff_mean, diff.mean("replicate"),
                        rtol=1e-9, atol=1e-9, equal_nan=True), "paired difference from the baseline")
    low, mean = summary.income_per_capita_mean_ci_low, summary.income_per_capita_mean_mean
    require(bool(((low <= mean) | np.isnan(mean)).all()), "ci_low <= mean")
    summary_annual = open_group(path, "summary/annual")
    require(summary_annual.fgt0_mean.dims == ("variant", "year", "county"), "summary/annual")

    sweep = open_group(path, "sweep")
    require(sweep.sizes["sample"] == SWEEP_POINTS, "sweep points")
    require(sweep.parameter_value.dims == ("sample", "parameter"), "parameter values")
    require(list(sweep.parameter.values) == ["parameters.health.reimbursement",
                                             "parameters.health.illness_rate"], "parameters")
    require(bool(((sweep.parameter_value.sel(parameter="parameters.health.reimbursement") >= 0.4)
                  & (sweep.parameter_value.sel(parameter="parameters.health.reimbursement") <= 0.8)).all()),
            "values within the range")
    require(sweep.annual_fgt0.dims == ("sample", "replicate"), "sweep scalars")
    sweep_annual = open_group(path, "sweep/annual")
    require(sweep_annual.fgt0.dims == ("sample", "replicate", "year", "county"), "sweep/annual")
    sobol = open_group(path, "sobol")
    for suffix in ["S1", "S1_ci_low", "S1_ci_high", "ST", "ST_ci_low", "ST_ci_high"]:
        require(f"region_fgt0_{suffix}" in sobol, f"sobol/region_fgt0_{suffix}")
    require(sobol.region_fgt0_ST.dims == ("parameter",), "sobol dims")
    described(sobol, "sobol")

    root = open_group(path, None)
    for key in ["title", "codev_version", "git_commit", "experiment_name", "experiment_sha256",
                "seed", "replicates", "baseline", "command_line", "creation_time",
                "library_versions"]:
        require(key in root.attrs, f"root attribute {key}")
    require(root.attrs["baseline"] == "no_aid", "baseline")
    require("experiment_small" in str(root.experiment_yaml.values), "experiment_yaml")
    require(list(root.variant.values) == VARIANTS, "root variant coordinate")
    require("jinniu-shiqu" in str(root.variant_scenario_yaml.values[0]), "variant scenarios")
    print("check_experiment: OK")


if __name__ == "__main__":
    main(sys.argv[1])
