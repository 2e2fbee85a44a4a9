#!/usr/bin/python3
"""Compares a hindcast run (scenarios/sichuan_hindcast_2015.yaml) with published figures.

Usage: /usr/bin/python3 tools/validate_hindcast.py OUTPUT.h5 [--counties tools/sichuan/counties.csv]
                                                  [--quiet] [--json FILE]
                                                  [--known-failures FILE]

Runs nothing itself: reads the run's /annual group and /monthly/gdp (h5py) and the county table
(which counties are the 88 former poverty counties, which are in Liangshan, which is 丹巴), prints
one row per figure (published, simulated, band, ok/FAIL) and exits 1 if any checked figure is
outside its band (2 if the file cannot be used). With --known-failures FILE (one figure name per line, `#`
comments), the figures the model is known to miss are reported as FAIL all the same, and the exit
code is 0 only when the failures are exactly those listed: a new failure, or a listed figure that
now passes (update the list and docs/VALIDATION.md), exits 1. The bands are never widened. The
published figures and their sources are in shared/data/sichuan_facts.md (the provincial GDP in
docs/evidence/parameters.md section 1); the bands, and why they are as wide as they are, in
docs/VALIDATION.md. Uses Debian's python3-h5py and numpy only.

Definitions (docs/VALIDATION.md):
- provincial rural income = person-weighted mean of /annual/income_per_capita_mean over the
  counties of the file that are in the county table (the 183 units);
- provincial GDP of a year = the mean over its steps of /monthly/gdp (an annual rate), summed
  over the same counties;
- poverty incidence = /annual/fgt0 (share of persons below the line, net income), person-weighted
  over the counties of a group;
- a former poverty county exits in the first year its fgt0 is below 0.03 (the exit criterion,
  incidence < 3%); exits are counted per year over the 88 counties;
- consumption over income of a year = the person-weighted means of /annual/consumption_per_capita
  and of /annual/income_per_capita_mean over the same counties, divided.
"""
import argparse
import csv
import json
import math
import os
import sys

import h5py
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXIT_THRESHOLD = 0.03
DANBA = 513323

# Published figures (shared/data/sichuan_facts.md; 2019 income derived in docs/evidence/households.md
# section 6: 2020 over its growth of 8.6%).
INCOME = {2015: 10247, 2019: 14668, 2020: 15929, 2021: 17575, 2022: 18672}
EXITS = {2016: 5, 2017: 15, 2018: 30, 2019: 31, 2020: 7}
LIANGSHAN = {2013: 0.198, 2018: 0.071}
DANBA_FIG = {2012: 0.168, 2019: 0.0}
SHARES_2020 = {"wage": 0.313, "operating": 0.386, "property": 0.032, "transfer": 0.269}  # derived
# Rural consumption per person over disposable income (docs/evidence/households.md section 7,
# derived), which P5 (household.mpc) is tuned on.
CONSUMPTION_RATIO = {2020: 0.939, 2021: 0.936, 2022: 0.921}
NATIONAL = {2012: 0.102, 2019: 0.006}
# Sichuan GDP, current prices, yuan (docs/evidence/parameters.md section 1): 2015 as first
# published, 2022 as finally verified.
GDP = {2015: 30103.1e8, 2022: 56610.2e8}

# Bands (docs/VALIDATION.md, "Bands"): relative for incomes, absolute otherwise.
INCOME_BAND = 0.05                  # +-5% of the published figure
LIANGSHAN_2018_BAND = (0.04, 0.11)  # fgt0, published 7.1%
LIANGSHAN_2015_BAND = (0.08, 0.20)  # published 2013 and 2018 interpolated: 13.1%
NATIONAL_RATE_BAND = (0.45, 0.85)   # annual factor of incidence decline, published 0.667
PROVINCE_2019_BAND = (0.0, 0.02)    # fgt0, national published 0.6%
EXIT_BAND_CUM = 15                  # cumulative exits by year: published +- 15 counties
EXIT_BAND_YEAR = 12                 # exits in one year: published +- 12 counties
DANBA_2019_BAND = (0.0, 0.05)       # published 0 (exited); test-scale sampling noise, see docs
GDP_GROWTH_BAND = 0.01              # +-1 point a year, as the income growth
CONSUMPTION_BAND = 0.02             # consumption / income: published +- 0.02



def text(values):
    return [v.decode() if isinstance(v, bytes) else str(v) for v in values]


def read_table(path):
    with open(path, encoding="utf-8", newline="") as f:
        return {int(r["code"]): r for r in csv.DictReader(f)}


class Report:
    def __init__(self):
        self.rows = []
        self.failed = 0

    def add(self, figure, published, simulated, lo, hi, fmt, checked=True, note=""):
        ok = lo <= simulated <= hi if (checked and not math.isnan(simulated)) else None
        if checked and (ok is not True):
            ok = False
            self.failed += 1
        self.rows.append({"figure": figure, "published": published, "simulated": simulated,
                          "low": lo, "high": hi, "fmt": fmt, "ok": ok, "note": note})

    def print(self, out=sys.stdout):
        def f(v, fmt):
            if isinstance(v, str):
                return v
            if v is None or (isinstance(v, float) and math.isnan(v)):
                return "-"
            return fmt.format(v)
        head = ("figure", "published", "simulated", "band", "result")
        lines = []
        for r in self.rows:
            band = "-" if r["ok"] is None else f"[{f(r['low'], r['fmt'])}, {f(r['high'], r['fmt'])}]"
            res = "ok" if r["ok"] else ("(not checked)" if r["ok"] is None else "FAIL")
            lines.append((r["figure"], f(r["published"], r["fmt"]), f(r["simulated"], r["fmt"]),
                          band, res))
        w = [max(len(h), *(len(l[i]) for l in lines)) for i, h in enumerate(head)]
        def row(cells):
            return "  ".join(c.ljust(w[i]) if i == 0 else c.rjust(w[i]) for i, c in enumerate(cells))
        print(row(head), file=out)
        print("  ".join("-" * x for x in w), file=out)
        for l in lines:
            print(row(l), file=out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("output", help="HDF5 output of codev run scenarios/sichuan_hindcast_2015.yaml")
    ap.add_argument("--counties", default=os.path.join(ROOT, "tools", "sichuan", "counties.csv"))
    ap.add_argument("--json", help="also write the rows and per-county exit years to this file")
    ap.add_argument("--quiet", action="store_true", help="print only failures and the verdict")
    ap.add_argument("--known-failures",
                    help="file naming the figures known to fail (exit 0 if exactly those fail)")
    ap.add_argument("--strict", action="store_true",
                    help="accepted for compatibility: every checked figure always counts")
    a = ap.parse_args()

    try:
        table = read_table(a.counties)
        with h5py.File(a.output, "r") as f:
            an = f["annual"]
            years = an["year"][:].astype(int)
            codes = an["county"][:].astype(int)
            pop = an["population"][:]
            inc = an["income_per_capita_mean"][:]
            fgt0 = an["fgt0"][:]
            sources = {k: an[f"income_{k}"][:] for k in SHARES_2020}
            consumption = an["consumption_per_capita"][:]
            mo = f["monthly"]
            m_years = mo["year"][:].astype(int)
            m_codes = mo["county"][:].astype(int)
            gdp = mo["gdp"][:]
            name = f.attrs.get("scenario_name", b"")
            name = name.decode() if isinstance(name, bytes) else str(name)
    except (OSError, KeyError) as e:
        print(f"validate_hindcast: cannot read {a.output}: {e}", file=sys.stderr)
        return 2
    yi = {int(y): i for i, y in enumerate(years)}
    need = [2015, 2016, 2017, 2018, 2019, 2020, 2021, 2022]
    missing = [y for y in need if y not in yi]
    if missing:
        print(f"validate_hindcast: {a.output} lacks the years {missing} (run the hindcast "
              "scenario, 2015-2022)", file=sys.stderr)
        return 2
    poverty = np.array([table.get(int(c), {}).get("poverty_county") == "1" for c in codes])
    liangshan = np.array([table.get(int(c), {}).get("prefecture") == "Liangshan" for c in codes])
    danba = codes == DANBA
    n_pov = int(poverty.sum())
    if n_pov != 88 or not danba.any() or liangshan.sum() < 10:
        print(f"validate_hindcast: the file has {n_pov} of the 88 former poverty counties, "
              f"{int(liangshan.sum())} Liangshan counties and {'' if danba.any() else 'no '}丹巴: "
              "not the hindcast scenario?", file=sys.stderr)
        return 2

    def mean(values, mask, y):
        i = yi[y]
        w = pop[i][mask]
        return float(np.sum(w * values[i][mask]) / np.sum(w))

    # The province: the 183 units of the table.
    allc = np.array([int(c) in table for c in codes])
    rep = Report()
    for y, v in INCOME.items():
        s = mean(inc, allc, y)
        rep.add(f"rural income {y} (yuan)", v, s, v * (1 - INCOME_BAND), v * (1 + INCOME_BAND),
                "{:,.0f}")
    g_pub = (INCOME[2020] / INCOME[2015]) ** 0.2 - 1
    g_sim = (mean(inc, allc, 2020) / mean(inc, allc, 2015)) ** 0.2 - 1
    rep.add("rural income growth 2015-2020 (/year)", g_pub, g_sim, g_pub - 0.01, g_pub + 0.01,
            "{:.2%}")

    # The province's GDP: the mean over a year's steps of /monthly/gdp (an annual rate), summed
    # over the 183 units; its nominal growth 2015-2022 against the published one (P1c tunes it).
    m_all = np.array([int(c) in table for c in m_codes])

    def gdp_of(y):
        return float(gdp[m_years == y][:, m_all].mean(axis=0).sum())

    gg_pub = (GDP[2022] / GDP[2015]) ** (1 / 7) - 1
    gg_sim = (gdp_of(2022) / gdp_of(2015)) ** (1 / 7) - 1
    rep.add("GDP growth 2015-2022 (/year, nominal)", gg_pub, gg_sim, gg_pub - GDP_GROWTH_BAND,
            gg_pub + GDP_GROWTH_BAND, "{:.2%}")

    # Consumption per person over income per person, 2020-2022 (P5 tunes household.mpc on them).
    for y, v in CONSUMPTION_RATIO.items():
        rep.add(f"consumption / income {y}", v, mean(consumption, allc, y) / mean(inc, allc, y),
                v - CONSUMPTION_BAND, v + CONSUMPTION_BAND, "{:.3f}")

    # Composition of rural income 2020 (facts, derived): reported, not checked (the table's
    # start shares are the 2020 shares; docs/VALIDATION.md, "Known failures").
    total = sum(mean(v, allc, 2020) for v in sources.values())
    for k, v in SHARES_2020.items():
        rep.add(f"income share 2020: {k}", v, mean(sources[k], allc, 2020) / total, 0, 0,
                "{:.1%}", checked=False)

    # Liangshan: 19.8% (2013) -> 7.1% (2018); 2015 by log-linear interpolation (derived).
    l15 = LIANGSHAN[2013] * (LIANGSHAN[2018] / LIANGSHAN[2013]) ** (2 / 5)
    rep.add("Liangshan incidence 2015 (interpolated)", l15, mean(fgt0, liangshan, 2015),
            *LIANGSHAN_2015_BAND, "{:.1%}")
    rep.add("Liangshan incidence 2018", LIANGSHAN[2018], mean(fgt0, liangshan, 2018),
            *LIANGSHAN_2018_BAND, "{:.1%}")
    f_pub = (LIANGSHAN[2018] / LIANGSHAN[2013]) ** (1 / 5)
    s15, s18 = mean(fgt0, liangshan, 2015), mean(fgt0, liangshan, 2018)
    f_sim = (s18 / s15) ** (1 / 3) if s15 > 0 and s18 > 0 else float("nan")
    rep.add("Liangshan decline factor (/year)", f_pub, f_sim, 0, 0, "{:.3f}", checked=False)

    # 丹巴: 16.8% (2012) -> 0 (2019): exited (below 3%) by 2019.
    rep.add("Danba incidence 2015", "-", mean(fgt0, danba, 2015), 0, 0, "{:.1%}", checked=False)
    rep.add("Danba incidence 2019 (exit 0)", DANBA_FIG[2019], mean(fgt0, danba, 2019),
            *DANBA_2019_BAND, "{:.1%}")

    # National 10.2% (2012) -> 0.6% (2019): the province's 2019 level, and the annual decline
    # factor of the 88 counties' incidence 2015-2019 against the national one.
    rep.add("province incidence 2019 (national 0.6%)", NATIONAL[2019], mean(fgt0, allc, 2019),
            *PROVINCE_2019_BAND, "{:.2%}")
    nf_pub = (NATIONAL[2019] / NATIONAL[2012]) ** (1 / 7)
    p15, p19 = mean(fgt0, poverty, 2015), mean(fgt0, poverty, 2019)
    nf_sim = (p19 / p15) ** (1 / 4) if p15 > 0 and p19 > 0 else float("nan")
    rep.add("88 counties: decline factor 2015-19 (/year)", nf_pub, nf_sim, *NATIONAL_RATE_BAND,
            "{:.3f}")
    rep.add("88 counties incidence 2015", "-", p15, 0, 0, "{:.1%}", checked=False)

    # Exits of the 88 former poverty counties.
    exit_year = {}
    for j in np.nonzero(poverty)[0]:
        below = [y for y in sorted(yi) if fgt0[yi[y]][j] < EXIT_THRESHOLD]
        exit_year[int(codes[j])] = below[0] if below else None
    count = {y: sum(1 for e in exit_year.values() if e == y) for y in sorted(yi)}
    rep.add("exits in 2015 (before the campaign)", 0, count[2015], 0, 2, "{:d}")
    cum_pub = cum_sim = 0
    for y, v in EXITS.items():
        rep.add(f"exits in {y}", v, count[y], max(0, v - EXIT_BAND_YEAR), v + EXIT_BAND_YEAR,
                "{:d}")
    for y, v in EXITS.items():
        cum_pub += v
        cum_sim += count[y]
        rep.add(f"exited by {y} (cumulative, from 2016)", cum_pub, cum_sim,
                max(0, cum_pub - EXIT_BAND_CUM), min(88, cum_pub + EXIT_BAND_CUM), "{:d}")
    never = sum(1 for e in exit_year.values() if e is None)
    rep.add("not exited by 2022", 0, never, 0, 0, "{:d}", checked=False)

    if not a.quiet:
        print(f"hindcast validation: {a.output} (scenario {name or '?'})")
        rep.print()
    else:
        for r in rep.rows:
            if r["ok"] is False:
                print(f"FAIL {r['figure']}: simulated {r['simulated']}, band [{r['low']}, {r['high']}]")
    if a.json:
        with open(a.json, "w", encoding="utf-8") as f:
            json.dump({"rows": [{k: v for k, v in r.items() if k != "fmt"} for r in rep.rows],
                       "exit_year": {str(k): v for k, v in exit_year.items()}}, f, indent=1)
    checked = sum(1 for r in rep.rows if r["ok"] is not None)
    print(f"{checked} figures checked: {rep.failed} outside their band"
          f": {'FAIL' if rep.failed else 'ok'}")
    if a.known_failures:
        with open(a.known_failures, encoding="utf-8") as f:
            known = {l.split("#", 1)[0].strip() for l in f} - {""}
        failed = {r["figure"] for r in rep.rows if r["ok"] is False}
        for fig in sorted(failed - known):
            print(f"new failure (not in {a.known_failures}): {fig}")
        for fig in sorted(known - failed):
            print(f"listed as a known failure but inside its band now: {fig} "
                  f"(remove it from {a.known_failures} and docs/VALIDATION.md)")
        print(f"known failures: {len(failed & known)} of {len(known)} as listed")
        return 0 if failed == known else 1
    return 1 if rep.failed else 0


if __name__ == "__main__":
    sys.exit(main())
