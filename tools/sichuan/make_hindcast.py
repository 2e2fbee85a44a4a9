#!/usr/bin/python3
"""Writes scenarios/sichuan_hindcast_2015.yaml: the whole province from 2015 to 2022.

Usage:
  /usr/bin/python3 tools/sichuan/make_hindcast.py            # write the scenario
  /usr/bin/python3 tools/sichuan/make_hindcast.py --check    # exit 1 if the committed file differs
  /usr/bin/python3 tools/sichuan/make_hindcast.py --stdout   # print it instead
  ... --tune poverty_gini=0.42 -o /tmp/x.yaml                  # explore a TUNED value (not committed)

Inputs (read only): tools/sichuan/counties.csv (the 183 county-level units with their 2022
figures) and tools/sichuan/pairings.csv (every pairing of the facts file with its `since` year,
budget and cadres), maintained with the other Sichuan tables (tools/sichuan/README.md). The output
is deterministic: the same tables give the same bytes.

The rules that turn the 2022 table into a 2015 start (H1-H7, C1-C2, L2, P1-P3) and the tuned
values are documented here, in the scenario's header and in docs/VALIDATION.md. Every number is either from the facts
file (shared/data/sichuan_facts.md), derived from it, from the tables (with their own rules), or a
named estimate or tuned value below. Standard library only.
"""
import argparse
import csv
import math
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TABLES = os.path.join(ROOT, "tools", "sichuan")
OUT = os.path.join(ROOT, "scenarios", "sichuan_hindcast_2015.yaml")

START, YEARS = 2015, 8                      # 2015-2022: the years with provincial income facts

# --- facts (shared/data/sichuan_facts.md) -------------------------------------------------------
RURAL_INCOME = {2015: 10247, 2020: 15929, 2021: 17575, 2022: 18672}   # 2015 derived
RURAL_POP_2021, RURAL_POP_2022 = 35.313e6, 34.878e6
POVERTY_AREAS_INCOME = {2020: 12588, 2022: 15111}   # national poverty areas, rural income
LINE_2015, LINE_2020 = 2855, 4000                   # 2015 weak; 2,300 at 2010 prices ~ 4,000 in 2020

# --- derived from facts ---------------------------------------------------------------------------
INCOME_RATIO = RURAL_INCOME[2015] / RURAL_INCOME[2022]                       # H2: 0.5488
POP_RATIO = (RURAL_POP_2021 / RURAL_POP_2022) ** (2022 - START)              # H1: 1.0906
# H2b: the poverty areas' income grew faster than the province's (2020-2022, facts):
EXTRA_GROWTH = ((POVERTY_AREAS_INCOME[2022] / POVERTY_AREAS_INCOME[2020])
                / (RURAL_INCOME[2022] / RURAL_INCOME[2020])) ** 0.5            # per year, 1.0120
LINE_GROWTH = (LINE_2020 / LINE_2015) ** (1 / 5) - 1                         # L2: 0.0698
# H2d: scenario incomes are the start year's annual means, as published: the engine calibrates the
# households so that the start year, with its growth, has them (docs/MODEL.md 5.3).

# P1a: labour.wage_growth, the national migrant workers' (农民工) monthly income 3,072 yuan in 2015
# (derived: 3,275 less the 2016 rise of 203) and 4,615 in 2022 (monitoring reports;
# docs/evidence/households.md section 3): (4,615 / 3,072)^(1/7) - 1 = 6.0% a year. Published,
# not tuned.
WAGE_GROWTH = 0.06
# L4: transfer.growth, the pension's and the allowance line's indexation 2015-2022 (published
# 10-12% a year 2017-2021, docs/evidence/parameters.md 2.7, 2.8; the low end). Not tuned.
TRANSFER_GROWTH = 0.10

# --- tuned on the hindcast (docs/VALIDATION.md) ---------------------------------------------------
TUNED = {
    # H2c: 2015 income of the former poverty counties by region, relative to rule H2b (which
    # carries the 2022 table's level back). Tuned on the exit profile and initial incidence.
    # x1.02 with P5 (plateau 0.89, yi 0.91, basin 1.03 before): households that save 7% of their
    # income instead of 22% build fewer farm assets, and the exits by 2018 fell to 37, 40 and 32
    # at the test seed and seeds 1, 2 (band from 35); now 47, 56 and 42.
    "poverty_income_factor": {"plateau": 0.91, "yi": 0.93, "basin": 1.05},
    # H3: Gini of income per person in the former poverty counties (other counties: model default).
    # 0.42 before skill's lower tail (population.skill_skew, docs/MODEL.md 5.2), which gives the
    # same Gini more households far below the line, and before setup reached high Gini targets
    # (the rounds fell short of 0.42 by a few points); 0.35 before the earnings shocks moved
    # households through skill's whole distribution (docs/MODEL.md 7.7), bottom included.
    "poverty_gini": 0.29,
    # P1b: farm.tfp_growth, nominal, tuned on the provincial rural income 2015-2022 once P1a and
    # P1c are set. Before P1a and P1c (one rate for all three): 0.083; 0.08 before the
    # households' transitory shocks (docs/MODEL.md 7.7), which cost the provincial income of
    # 2020-2021 about 1%. 0.09 before P5: at household.mpc 0.75 households saved 22% of their
    # income and invested much of it in farm assets, which carried part of the growth; at P5's
    # 0.915, 0.09 gives 7.66% a year 2015-2020 (published 9.22%) and 0.12 gives 8.91%.
    "farm_growth": 0.12,
    # P1c: county.tfp_growth, tuned on the provincial GDP's nominal growth 2015-2022 (9.44% a
    # year, docs/evidence/parameters.md section 1). At P1b's 0.083 the county economies grew
    # 10.9% a year: Hicks-neutral TFP growth g raises Cobb-Douglas output by about g / (1 - alpha)
    # once capital follows, so a TFP rate is not an output rate.
    "county_growth": 0.07,
    # P3: poverty.identification_rate, the baseline probability per year that an at-risk household
    # is identified (model default 0.7, an estimate for the mature monitoring of 2023). 0.2 before
    # the persistent earnings shocks (docs/VALIDATION.md section 12), which push households below
    # the line that the campaign had not registered; 0.27 before the transitory shocks
    # (docs/MODEL.md 7.7, docs/VALIDATION.md section 12), which make more of the at-risk
    # transient, so that finding them within the campaign's years takes a higher rate; 0.5 before
    # skill's lower tail and the allowance floor (L3), which lift the households that monitoring
    # would otherwise have had to find; 0.35 before the earnings shocks moved households through
    # skill's whole distribution (docs/MODEL.md 7.7), which makes more of the poor transient;
    # 0.5 before the transfers' own indexation (L4), whose faster allowance line lifts the poor
    # the campaign used to find (at 0.5 with L4 the exits bunch in 2018: 54 against 30).
    "identification_rate": 0.15,
    # P5: household.mpc, tuned on Sichuan's rural consumption per person over disposable income,
    # 0.939, 0.936 and 0.921 in 2020-2022 (mean 0.932; docs/evidence/households.md section 7). The
    # model's default 0.75 (a stated prior) spent 0.78 of income; 0.915 spends 0.932 in 2020-2022
    # (the wealth term adds about 0.015).
    "mpc": 0.915,
}
# --- programmes without a donor (docs/evidence/aid_channels.md section 9) -------------------------
# Q0 Sichuan's share of the national registered poor at the campaign's start: 6.25 m (end-2013,
# facts) / 82.49 m (national, end-2013: NBS 98.99 m at end-2012 less 16.5 m in 2013), derived;
# central money to Sichuan is this share of the national total (estimate: allocation by need).
SICHUAN_POOR_SHARE = 6.25 / 82.49
PROGRAMMES = [
    # (id, name, payer, years, counties, budget path {year: yuan}, allocation, source)
    ("central_special", "central special poverty-alleviation funds (中央财政专项扶贫资金)", "central",
     (2016, 2020), "poor",
     {y: v * 1e9 * SICHUAN_POOR_SHARE for y, v in
      {2016: 66.1, 2017: 86.1, 2018: 106.1, 2019: 126.1, 2020: 146.1}.items()},
     {"industry": 0.4, "infrastructure": 0.25, "employment": 0.05, "training": 0.05,
      "safety_net": 0.25},
     "Q1: national 86.1 bn in 2017 (+20 bn on 2016) and +20 bn a year to 146.1 bn in 2020 "
     "(MoF via ischool.net.cn 2017-05-29; Xinhua 2019-05-19, 2020-05-25) x Q0; split over the "
     "88 former poverty counties by their poor (C2); allocation a stated prior (Q5) except the "
     "safety-net share, tuned (0.25 of the priors 0.15 and 0.25)"),
    ("transition_fund", "central rural-revitalisation transition fund (衔接推进乡村振兴补助资金)",
     "central", (2021, 2022), "poor",
     {2021: 156.5e9 * SICHUAN_POOR_SHARE, 2022: 165.0e9 * SICHUAN_POOR_SHARE},
     {"industry": 0.55, "infrastructure": 0.25, "employment": 0.1, "safety_net": 0.1},
     "Q2: national 165.0 bn in 2022, 156.5 bn in 2021 (derived, +5.4%) (hiknews.com 2022-03-23) "
     "x Q0; industry at least 55% (2022 rule, northnews.cn 2022-05-23), the rest a stated prior"),
    ("province_industry", "Sichuan provincial farm-industry poverty funds and village industry funds",
     "province", (2016, 2020), "poor",
     {2016: 1.0e9 + 6.57e9 / 5},
     {"industry": 0.432, "collective": 0.568},
     "Q3: 1 bn a year for farm-industry poverty and 6.57 bn of village industry funds over 2014-18 "
     "(shsunzone.com 2019-09-05), the 2014-18 rate kept to 2020 (estimate); industry 1.0 / 2.314, "
     "village funds as collective 1.314 / 2.314"),
    ("liangshan_plan", "Sichuan's three-year plan for Liangshan (new provincial money)", "province",
     (2018, 2020), "Liangshan",
     {2018: 20e9 / 3},
     {"industry": 0.3, "infrastructure": 0.4, "training": 0.1, "employment": 0.05,
      "safety_net": 0.15},
     "Q4: 20 bn of new provincial money over 2018-20 (shsunzone.com 2019-09-05), evenly; the "
     "prefecture's former poverty counties; allocation a stated prior (Q5)"),
    ("east_west", "East-West cooperation money from Zhejiang and other provinces (东西部协作)",
     "other_province", (2018, 2022), "poor",
     {2019: 2.945e9, 2021: 3.405e9},
     {"industry": 0.5, "infrastructure": 0.2, "employment": 0.1, "training": 0.1,
      "consumption": 0.1},
     "Q6: 2.945 bn in 2019 (biandate.cn), 3.405 bn in 2021 (blue-maple.cn 2022-03-15), linear "
     "between, held in 2018 and 2022 (estimate); allocation a stated prior (Q5)"),
]

# P2: yuan-valued household parameters are model defaults at 2022-2023 prices; scaled to 2015 by
# the provincial rural income ratio (H2), rounded to 10 yuan.
MONEY_PARAMETERS = [
    ("household", "subsistence", 4000.0),
    ("household", "debt_limit", 30000.0),
    ("labour", "switching_cost", 2000.0),
    ("labour", "taste_sd", 600.0),
    ("health", "cost_mean", 15000.0),
    ("transfer", "pension", 2400.0),
    ("transfer", "allowance_line", 5000.0),
    ("farm", "land_rent", 600.0),
]

def read_csv(path):
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def fmt(x):
    """Shortest plain decimal that reads back as x (no exponent for integers)."""
    if float(x).is_integer() and abs(x) < 1e15:
        return str(int(x))
    return repr(float(x))


def money(x):
    return int(round(x / 10.0) * 10)


def yq(s):
    """YAML double-quoted string."""
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def phi(x):
    return 0.5 * (1 + math.erf(x / math.sqrt(2)))


def lognormal_headcount(line, mean, gini):
    """C2: share of persons below `line` in a log-normal income distribution with this mean and
    Gini (sigma from Gini = 2 Phi(sigma / sqrt 2) - 1): the campaign's estimate of the poor."""
    lo, hi = 0.0, 5.0
    for _ in range(100):                       # bisection: Gini of the log-normal is increasing
        mid = (lo + hi) / 2
        if 2 * phi(mid / math.sqrt(2)) - 1 < gini:
            lo = mid
        else:
            hi = mid
    sigma = (lo + hi) / 2
    return phi((math.log(line / mean) + sigma * sigma / 2) / sigma)


def set_tuned(assignments):
    """--tune name=value (name may be poverty_income_factor.plateau): exploration only."""
    for a in assignments:
        k, v = a.split("=", 1)
        if "." in k:
            k1, k2 = k.split(".", 1)
            TUNED[k1][k2] = float(v)
        else:
            TUNED[k] = float(v)


def build(tables):
    counties = read_csv(os.path.join(tables, "counties.csv"))
    pairings = read_csv(os.path.join(tables, "pairings.csv"))
    by_code = {int(r["code"]): r for r in counties}
    end_year = START + YEARS - 1

    # H6: donors that are not a county-level unit act through a member district.
    def seat(code):
        if code in by_code:
            return code, None
        if code % 100 == 0:        # prefecture-level city: its seat, the lowest-coded district
            districts = sorted(c for c, r in by_code.items()
                               if c // 100 == code // 100 and r["kind"] == "district")
            return districts[0], "city"
        if code == 510199:         # 成都高新区 (no GB/T code): 武侯区, which it is mostly carved from
            return 510107, "gaoxin"
        raise SystemExit(f"pairings.csv: donor {code} is not in counties.csv and has no rule")

    def city_revenue(code):
        """H6: revenue of a city donor = its districts that are neither donors nor recipients
        themselves in the pairing table, plus the seat."""
        paired = {int(p["recipient"]) for p in pairings} | {int(p["donor"]) for p in pairings}
        s, _ = seat(code)
        return sum(float(r["revenue_2022"]) for c, r in by_code.items()
                   if c // 100 == code // 100 and r["kind"] == "district"
                   and (c == s or c not in paired))

    active = []
    for p in pairings:
        start = int(p["start_year"])
        if start > end_year:
            continue
        donor, how = seat(int(p["donor"]))
        if how == "city" and by_code[donor]["poverty_county"] == "1":
            how = "city-programme"      # H6b: a seat that is itself a former poverty county
        active.append((p, donor, how))
    recipients = {int(p["recipient"]) for p, _, _ in active}
    donors = {d for _, d, how in active if how != "city-programme"}
    # H7: the former poverty counties receive the programmes (Q); a donor seat among them stays a
    # donor (none with rule H6b)
    recipients |= {c for c, r in by_code.items() if r["poverty_county"] == "1"} - donors

    # H1, H2: population and income back-cast; province mean kept at the 2015 fact.
    pop = {c: float(r["rural_population_2022"]) * POP_RATIO for c, r in by_code.items()}
    inc = {}
    for c, r in by_code.items():
        y = float(r["rural_income_2022"]) * INCOME_RATIO
        if r["poverty_county"] == "1":
            y = y / EXTRA_GROWTH ** (2022 - START) * TUNED["poverty_income_factor"][r["region"]]
        inc[c] = y
    pov = [c for c, r in by_code.items() if r["poverty_county"] == "1"]
    rest = [c for c in by_code if c not in pov]
    target = RURAL_INCOME[START] * sum(pop.values())
    k = (target - sum(pop[c] * inc[c] for c in pov)) / sum(pop[c] * inc[c] for c in rest)
    for c in rest:
        inc[c] *= k

    L = []
    w = L.append
    w("# Sichuan pairing assistance (先发带后发): hindcast 2015-2022, the whole province.")
    w("#")
    w("# GENERATED by tools/sichuan/make_hindcast.py from tools/sichuan/counties.csv and")
    w("# tools/sichuan/pairings.csv: do not edit; change the rules or tables and rerun it")
    w("# (`--check` fails when this file is out of date). Validation against the published")
    w("# figures: tools/validate_hindcast.py, docs/VALIDATION.md.")
    w("#")
    w("# Provenance: every number comes from the facts file (shared/data/sichuan_facts.md), from")
    w("# the tables (their own rules R1-R12, B1-B4, C1-C2 in tools/sichuan/README.md) through the")
    w("# rules below, or is an estimate; every county is `estimate: true` with its rules in `source`.")
    w("# Rules that carry the 2022 table back to 2015 (tuned values: TUNED in the generator):")
    w(f"#   H1 rural population 2015 = 2022 x (35.313 / 34.878)^7 = x {POP_RATIO:.4f} (facts 2021, 2022:")
    w("#      the 2021-2022 decline extrapolated back; estimate). D1 moves it during the run.")
    w(f"#   H2 rural income 2015 = 2022 x 10,247 / 18,672 = x {INCOME_RATIO:.4f} (facts, 2015 derived);")
    w("#      (b) former poverty counties / (extra growth)^7, extra growth = ((15,111 / 12,588) /")
    w(f"#      (18,672 / 15,929))^(1/2) = {EXTRA_GROWTH:.4f} a year (national poverty areas against Sichuan,")
    w("#      2020-2022, facts); (c) x a tuned factor per region: plateau %s, yi %s, basin %s;"
      % tuple(fmt(TUNED["poverty_income_factor"][r]) for r in ("plateau", "yi", "basin")))
    w("#      (d) incomes are annual means (the engine calibrates the start year, grown, to them):")
    w("#      the 2015 mean 10,247 (facts) is the person-weighted provincial mean, met by scaling the")
    w(f"#      other counties (k = {k:.4f}).")
    w(f"#   H3 Gini: former poverty counties {fmt(TUNED['poverty_gini'])} (tuned); others the model default 0.33.")
    w("#   H4 GDP 2015 = GDP 2022 x the H2 ratio (estimate), revenue likewise (its share of GDP kept);")
    w("#      agriculture_share = operating income /")
    w("#      GDP (their R12), at most 0.6.")
    w("#   H5 lifted_share 0: nobody is registered as lifted at the start; the model flags households")
    w("#      lifted when they cross the line.")
    w("#   H6 pairings: every row of pairings.csv with start_year <= 2022, with its start year (2016,")
    w("#      2017, 2021, 2022 pairs enter during the run; n.d. -> 2021, the table's rule). A city donor")
    w("#      acts through its seat, the lowest-coded district of the prefecture, and a share-of-")
    w("#      revenue budget is scaled by (the city's districts that are not themselves paired, plus")
    w("#      the seat) / the seat's revenue (2022 table), so the money is the city's. 成都高新区")
    w("#      (510199, no county code) acts through 武侯区 with 武侯's revenue (estimate). (b) Where the")
    w("#      seat is itself a former poverty county (广安区, 通川区), which receives the programmes,")
    w("#      the city's money is a programme paid by the prefecture (payer: prefecture) as a fixed")
    w("#      budget: the share x the city's revenue x the H2 ratio.")
    w("#   H7 roles (fixed over the run): recipient = recipients of those pairings and the 88 former")
    w("#      poverty counties (`poverty_county` in counties.csv, which tools/validate_hindcast.py")
    w("#      reads), donor = the donors (seats), the rest other.")
    w("#   Q  programmes without a donor (`programmes:`; docs/evidence/aid_channels.md section 9): the")
    w("#      2016-2020 campaign's central and provincial money and East-West cooperation, then the")
    w("#      transition fund. Q0 central money to Sichuan = the national total x Sichuan's share of")
    w(f"#      the national registered poor, 6.25 / 82.49 = {SICHUAN_POOR_SHARE:.4f} (end-2013; derived).")
    w("#      Q5 allocations are stated priors except the 2022 industry floor (55%); the funds' own")
    w("#      rules name industry and infrastructure first. Left out: relocation housing (about 50k")
    w("#      yuan a mover, 1.36 m movers; housing in kind is not income and the model has no housing")
    w("#      instrument; its follow-up support is the programmes' employment and industry money),")
    w("#      microcredit (22.6 bn of loans, repaid), the minimum living allowance (in the model's")
    w("#      transfers). One row per programme below, with its figures and source.")
    w("#   C2 poor of a county = rural population x the log-normal headcount at the 2015 line, with")
    w("#      the county's mean income and Gini: the weights that split a programme over its counties")
    w("#      (allocation by need, estimate).")
    w("#   L2 poverty line 2,855 in 2015 (facts, weak), indexed at (4,000 / 2,855)^(1/5) - 1 =")
    w(f"#      {LINE_GROWTH:.4f} a year (facts: about 4,000 in 2020). The same rate indexes the")
    w("#      monitoring threshold and the other transfers (docs/MODEL.md 7.1).")
    w(f"#   L4 transfer.growth {fmt(TRANSFER_GROWTH)}: the pension and the allowance line grow with policy, not")
    w("#      prices: the national pension per recipient about 1,500 (2017) -> 2,291 yuan (2021),")
    w("#      11.2% a year; the national mean rural allowance line 4,300.7 (2017) -> 5,962.3 (2020),")
    w("#      11.5% a year (docs/evidence/parameters.md 2.7, 2.8); the low end of 10-12%, Sichuan's")
    w("#      pension sitting below the national mean. From 1,320 and 2,740 (P2) they reach 2,570")
    w("#      and 5,340 in 2022, next to the default's 2,400 and 5,000 of 2023.")
    w("#   L3 transfer.allowance_floor: no floor in 2015-2016 (the P2 allowance line is below the")
    w("#      poverty line); from 2017, when the allowance and poverty lines were merged (两线合一),")
    w("#      the allowance line is at least the poverty line (stated prior; national mean rural")
    w("#      allowance lines were 1.3 and 1.5 times the line in 2017 and 2020, docs/evidence/")
    w("#      households.md section 4).")
    w("#   P1 nominal growth 2015-2022, three rates: (a) labour.wage_growth "
      f"{fmt(WAGE_GROWTH)}, the national")
    w("#      migrant workers' monthly income 3,072 (2015, derived) -> 4,615 (2022), published")
    w("#      (docs/evidence/households.md section 3); (b) farm.tfp_growth "
      f"{fmt(TUNED['farm_growth'])}, tuned on the")
    w("#      provincial income 2015-2022; (c) county.tfp_growth "
      f"{fmt(TUNED['county_growth'])}, tuned on the provincial")
    w("#      GDP 2015-2022, 9.44% a year nominal (docs/evidence/parameters.md section 1).")
    w("#   P2 yuan-valued household parameters: model defaults x the H2 ratio (2015 prices).")
    w(f"#   P3 poverty.identification_rate {fmt(TUNED['identification_rate'])} (tuned): at-risk households are found")
    w("#      gradually over the campaign years (estimate; the default 0.7 is for the mature")
    w("#      monitoring of 2023).")
    w("#   P4 farm.price_shock_sd 0: no drawn province-wide farm price path (docs/MODEL.md 7.2); the")
    w("#      prices of 2015-2022 happened, and the tuned growth P1 carries their trend.")
    w(f"#   P5 household.mpc {fmt(TUNED['mpc'])} (tuned): rural consumption per person was 0.939, 0.936 and")
    w("#      0.921 of disposable income in 2020-2022 (docs/evidence/households.md section 7).")
    w("#   D1 demography (docs/MODEL.md 7.25; docs/evidence/households.md section 1): births per")
    w("#      resident 10.3 per 1,000 (2015 1% survey), 10.7 (2019), 6.39 (2022), each held until the")
    w("#      next figure (2016-2018 and 2020-2021 were not found); permanent departures 2.9% of")
    w("#      rural residents a year 2015-2019 (derived: rural residents 4,292 万 in Nov 2015 and")
    w("#      3,870.1 万 in 2019, -2.55% a year, with natural growth of +3.4-3.6 per 1,000; this")
    w("#      counts villages reclassified as urban too) and 0.97% from 2022 (the default's rate).")
    w("meta:")
    w("  name: sichuan_hindcast_2015")
    w("  description: >-")
    w("    Hindcast: the 183 county-level units of Sichuan from 2015 to 2022 with the pairings of the")
    w("    time (later ones entering in their start year), the 2016-2020 campaign's central,")
    w("    provincial and East-West money and the 2021-2022 transition fund as programmes, monthly")
    w("    steps; validated by tools/validate_hindcast.py against published income")
    w("    and poverty figures")
    w(f"  start: \"{START}-01\"")
    w(f"  years: {YEARS}")
    w("  step_months: 1")
    w("  seed: 20151129             # fixed")
    w("")
    w("population:")
    w("  scale: 1.0                 # 1:1 (2.7 min, 1 GB); the test runs --set population.scale=0.05")
    w("  persons_per_household: 2.51   # facts: 2020 census, Sichuan family households")
    w("")
    w("parameters:")
    w("  poverty:")
    w(f"    {'line: ' + str(LINE_2015):<27} # facts (weak): 2015 current-price value of the 2,300 standard")
    w(f"    {'line_growth: ' + format(LINE_GROWTH, '.4f'):<27} # L2, derived: 2,855 (2015) -> about 4,000 (2020), facts")
    w(f"    {'monitoring_multiple: 1.5':<27} # facts: monitoring threshold 1.5 x the poverty standard")
    w(f"    {'identification_rate: ' + fmt(TUNED['identification_rate']):<27} # P3 tuned (docs/VALIDATION.md)")
    w("  labour:")
    w(f"    {'wage_growth: ' + fmt(WAGE_GROWTH):<27} # P1a published (docs/VALIDATION.md)")
    for g, n, v in MONEY_PARAMETERS:
        if g == "labour":
            w(f"    {n + ': ' + str(money(v * INCOME_RATIO)):<27} # P2: default {fmt(v)} x {INCOME_RATIO:.4f}")
    w("  farm:")
    w(f"    {'tfp_growth: ' + fmt(TUNED['farm_growth']):<27} # P1b tuned (docs/VALIDATION.md)")
    w(f"    {'price_shock_sd: 0':<27} # P4 the farm prices of 2015-2022 are history, carried by P1")
    for g, n, v in MONEY_PARAMETERS:
        if g == "farm":
            w(f"    {n + ': ' + str(money(v * INCOME_RATIO)):<27} # P2: default {fmt(v)} x {INCOME_RATIO:.4f}")
    w("  county:")
    w(f"    {'tfp_growth: ' + fmt(TUNED['county_growth']):<27} # P1c tuned (docs/VALIDATION.md)")
    groups = {}
    for g, n, v in MONEY_PARAMETERS:
        if g not in ("labour", "farm"):
            groups.setdefault(g, []).append((n, v))
    for g, items in groups.items():
        w(f"  {g}:")
        for n, v in items:
            w(f"    {n + ': ' + str(money(v * INCOME_RATIO)):<27} # P2: default {fmt(v)} x {INCOME_RATIO:.4f}")
        if g == "household":
            w(f"    {'mpc: ' + fmt(TUNED['mpc']):<27} # P5 tuned (docs/VALIDATION.md)")
        if g == "transfer":
            w(f"    {'growth: ' + fmt(TRANSFER_GROWTH):<27} # L4 published growth 2017-2021 (low end)")
            w(f"    {'allowance_floor: {2016: 0, 2017: 1}':<27} # L3 the two lines merged from 2017")
    w("  demography:")
    w(f"    {'birth_rate: {2015: 0.0103, 2019: 0.0107, 2022: 0.0064}':<27} # D1")
    w(f"    {'out_migration: {2015: 0.029, 2022: 0.0097}':<27} # D1")
    w("")
    w("counties:")
    for c in sorted(by_code):
        r = by_code[c]
        role = "recipient" if c in recipients else "donor" if c in donors else "other"
        p = pop[c]
        y = inc[c]
        gdp = float(r["gdp_2022"]) * INCOME_RATIO
        sh = [float(r[f"share_{s}"]) for s in ("wage", "operating", "property", "transfer")]
        agr = min(0.6, sh[1] * y * p / gdp)
        poor = r["poverty_county"] == "1"
        rules = "H1 H2" + ("b c" if poor else "") + (" H3" if poor else "") + " H4 H5"
        src = f"{rules}; 2022 table: {r['source']}"
        fields = [f"code: {c}", f"name: {yq(r['name'])}", f"name_zh: {r['name_zh']}",
                  f"prefecture: {yq(r['prefecture'])}", f"role: {role}",
                  f"population: {int(round(p))}", f"income_per_capita: {int(round(y))}",
                  f"persons_per_household: {fmt(float(r['persons_per_household']))}"]
        if poor:
            fields.append(f"gini: {fmt(TUNED['poverty_gini'])}")
        fields += ["income_shares: {wage: %s, operating: %s, property: %s, transfer: %s}"
                   % tuple(fmt(v) for v in sh),
                   f"land_per_person: {fmt(float(r['land_per_person']))}",
                   "lifted_share: 0",
                   f"gdp: {int(round(gdp / 1e6))}.0e6",
                   f"revenue: {int(round(float(r['revenue_2022']) * INCOME_RATIO / 1e6))}.0e6",
                   f"agriculture_share: {agr:.4f}",
                   "estimate: true",
                   f"source: {yq(src)}"]
        w("  - {" + ", ".join(fields) + "}")
    w("")
    w("pairings:")
    prefecture_programmes = []
    for p, donor, how in active:
        budget = p["budget"]
        val = float(p["budget_value"])
        note = p["budget_rule"]
        if how == "city-programme":
            # H6b: the city's money, at 2015 prices, as a programme the prefecture pays (its seat
            # is a former poverty county and receives the programmes)
            rev = city_revenue(int(p["donor"])) * INCOME_RATIO
            if budget == "share_of_revenue":
                val = round(val * rev, -3)
                note += f"; H6b fixed: share x the city's revenue {rev / 1e9:.3f} bn (2015 level)"
            note += f"; H6b a prefecture programme: the seat {donor} is a former poverty county"
            prefecture_programmes.append((p, val, note))
            continue
        if budget == "share_of_revenue" and how == "city":
            scale = city_revenue(int(p["donor"])) / float(by_code[donor]["revenue_2022"])
            val = round(val * scale, 6)
            note += f"; H6 x {scale:.3f} (city revenue / seat revenue)"
        if how == "gaoxin":
            note += "; H6 acts through 武侯区 (510107)"
        if how == "city":
            note += f"; H6 the city acts through its seat {donor}"
        alloc = ""
        if p.get("industry_share"):
            ind = float(p["industry_share"])
            rest = {"collective": 0.15, "training": 0.1, "safety_net": 0.1,
                    "infrastructure": 0.2, "consumption": 0.05}
            f = (1 - ind) / sum(rest.values())
            parts = [f"industry: {fmt(ind)}"] + [f"{kk}: {round(v * f, 6)}" for kk, v in rest.items()]
            # absorb rounding in the last share so the sum is exactly 1
            vals = [ind] + [round(v * f, 6) for v in rest.values()]
            last = round(1 - sum(vals[:-1]), 6)
            parts[-1] = f"consumption: {fmt(last)}"
            alloc = ", allocation: {" + ", ".join(parts) + "}"
        w(f"  - {{id: {p['id']}, donor: {donor}, recipient: {int(p['recipient'])}, "
          f"start_year: {int(p['start_year'])}, end_year: {int(p['end_year'])}, "
          f"cadres: {int(p['cadres'])}, budget: {{{budget}: {fmt(val)}}}{alloc},")
        w(f"     source: {yq('facts: ' + p['source'] + ' (since ' + p['since'] + '); ' + note + '; ' + p['cadres_rule'])}}}")
    w("")
    w("programmes:")
    poor = {c: pop[c] * lognormal_headcount(LINE_2015, inc[c], TUNED["poverty_gini"])
            for c in recipients if by_code[c]["poverty_county"] == "1"}
    for pid, name, payer, (y0, y1), which, path, alloc, src in PROGRAMMES:
        cs = sorted(c for c in poor if which == "poor" or by_code[c]["prefecture"] == which)
        years = {y: v for y, v in path.items()}
        budget = (fmt(int(round(years[min(years)], -3))) if len(years) == 1 else
                  "{" + ", ".join(f"{y}: {int(round(v, -3))}" for y, v in sorted(years.items())) + "}")
        w(f"  - id: {pid}")
        w(f"    name: {yq(name)}")
        w(f"    payer: {payer}")
        w(f"    start_year: {y0}")
        w(f"    end_year: {y1}")
        w(f"    counties: [{', '.join(str(c) for c in cs)}]")
        w(f"    weights: [{', '.join(str(int(round(poor[c]))) for c in cs)}]   # C2 poor")
        w(f"    budget: {{fixed_per_year: {budget}}}")
        w("    allocation: {" + ", ".join(f"{k}: {fmt(v)}" for k, v in alloc.items()) + "}")
        w(f"    source: {yq(src)}")
    for p, val, note in prefecture_programmes:
        w(f"  - id: {p['id']}")
        w(f"    name: {yq('pairing money of ' + p['donor'] + ' paid as a prefecture programme (H6b)')}")
        w("    payer: prefecture")
        w(f"    start_year: {int(p['start_year'])}")
        w(f"    end_year: {int(p['end_year'])}")
        w(f"    counties: [{int(p['recipient'])}]")
        w(f"    budget: {{fixed_per_year: {fmt(val)}}}")
        w("    allocation: {industry: 0.4, collective: 0.15, training: 0.1, safety_net: 0.1, "
          "infrastructure: 0.2, consumption: 0.05}")
        w(f"    source: {yq('facts: ' + p['source'] + ' (since ' + p['since'] + '); ' + note)}")
    w("")
    w("# All six instruments for every recipient over the whole run: each pairing's money flows from")
    w("# its own start year (docs/SCENARIOS.md, How aid money flows).")
    w("policies:")
    for k2 in ("industry", "collective, targeting: need", "training", "safety_net",
               "infrastructure", "consumption"):
        w(f"  - {{instrument: {k2}}}")
    return "\n".join(L) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="exit 1 if the committed scenario differs")
    ap.add_argument("--stdout", action="store_true", help="print instead of writing")
    ap.add_argument("--tables", default=TABLES, help="folder with counties.csv and pairings.csv")
    ap.add_argument("-o", "--output", default=OUT)
    ap.add_argument("--tune", action="append", default=[],
                    help="override a TUNED value (exploration), e.g. poverty_gini=0.4")
    a = ap.parse_args()
    set_tuned(a.tune)
    text = build(a.tables)
    if a.stdout:
        sys.stdout.write(text)
        return 0
    if a.check:
        try:
            with open(a.output, encoding="utf-8") as f:
                old = f.read()
        except OSError:
            old = None
        if old != text:
            print(f"{a.output} is out of date: run tools/sichuan/make_hindcast.py", file=sys.stderr)
            return 1
        print(f"{a.output} is up to date")
        return 0
    with open(a.output, "w", encoding="utf-8") as f:
        f.write(text)
    print(f"wrote {a.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
