#!/usr/bin/python3
"""Build tools/sichuan/counties.csv: one row per county-level unit of Sichuan (183).

Inputs (all in this folder):
  divisions.csv   codes, names, prefecture and kind of the 183 units (GB/T 2260 / NBS code list)
  townships.txt   per unit, the township-level divisions of the NBS code list (last three digits:
                  0xx sub-district 街道, 1xx town 镇, 2xx township 乡, 4xx/5xx other)
  county_stats.csv  figures published for single counties (statistical bulletins, county profiles),
                  one row per figure with its year and source URL; rows marked out_of_sample (2023 or
                  later) are recorded but never used
Figures come from county_stats.csv (published, the latest year up to 2022 that G2 allows,
adjusted to 2022 by rule G1 where older; prefecture totals for P1 and G3) or
/work/shared/data/sichuan_facts.md ("facts") where they have them; everything else is an estimate
made by the rules P1, P2, G3 and R1..R12 documented in README.md, some with parameters fitted to
the published figures (printed by --fit). Deterministic: running it again writes the same file
byte for byte.

Usage: /usr/bin/python3 tools/sichuan/build_counties.py [--check] [--fit]
"""
import csv
import math
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

# ---- facts (sichuan_facts.md) -------------------------------------------------------------
RURAL_POP_2022 = 34_878_000          # rural resident population 2022
RURAL_POP_2021 = 35_313_000          # rural resident population 2021
TOTAL_POP_2022 = 83_740_000          # total resident population 2022
GDP_PER_CAPITA_2022 = 67_777         # yuan
RURAL_INCOME = {2013: 7_895, 2015: 10_247, 2020: 15_929, 2021: 17_575, 2022: 18_672}
URBAN_INCOME_2022 = 43_233
GANZI_RURAL_INCOME_2020 = 13_967
POVERTY_AREA_INCOME_2022 = 15_111    # national poverty areas, rural income 2022
PPH_PROVINCE = 2.51                  # 2020 census, persons per family household
PPH_GANZI = 3.2
PPH_LIANGSHAN = 3.25
REGISTERED_POOR_2013 = 6_250_000     # registered poor people, end-2013
ABA_COUNTY = {"income_2019": 14_164, "gdp_2019": 1.66e9, "pop": 77_300}   # 阿坝县 2019
SHIQU_INCOME_2018 = 10_572           # weak
TAX_RATE = 0.09                      # parameters.county.tax_rate (Sichuan revenue / GDP, derived)
# resident populations (persons) of single counties given in the facts file
FACT_POP = {
    513232: (76_712, "2020 census"), 513231: (80_467, "2020 census"), 513221: (82_971, "2020 census"),
    513222: (36_926, "2020 census"), 513226: (58_068, "2020 census"), 513225: (66_055, "2020 census"),
    513423: (340_898, "2020 census"), 513434: (301_900, "2020 census"),
    513332: (103_633, "2020 census (weak)"),
    513429: (164_000, "2014 resident"), 513435: (196_000, "2014 resident"),
    513422: (132_000, "2014 resident"), 513430: (168_000, "2014 resident"),
    513436: (219_000, "2014 resident"), 513432: (167_000, "2014 resident"),
    513431: (250_000, "2014 resident"), 510822: (211_700, "2015 resident"),
}
# income shares (wage, operating, property, transfer)
SHARES_SICHUAN_2020 = (0.313, 0.386, 0.032, 0.269)
SHARES_POVERTY_AREAS_2019 = (0.353, 0.360, 0.014, 0.273)
SHARES_PASTORAL_YUSHU_2017 = (0.092, 0.553, 0.019, 0.336)   # transfers take the rounding

# ---- estimate parameters (README.md, rules) ----------------------------------------------
RURAL_SHARE_FACT_COUNTIES = 0.80     # R1b
XIANG_WEIGHT_BASIN = 0.6             # R1a: a 乡 counts 0.6 of a 镇 in the basin
STREET_RURAL_WEIGHT = 0.15           # R1a: a 街道 counts 0.15 of a 镇
URBAN_WEIGHTS = (1.0, 0.1, 0.05)     # R3: urban weight of a 街道, 镇, 乡
INCOME_GDP_ELASTICITY = 0.5          # R6d, and R6c within a region
LIFTED_WEIGHTS = {"poverty": 3.0, "other": 1.0, "chengdu": 0.0}   # R9
LIFTED_CAP = 0.6

PLATEAU_PREFECTURES = {"Aba", "Ganzi"}
YI_EXTRA = {511113, 511132, 511133}                      # 金口河, 峨边, 马边 (Xiaoliangshan Yi areas)
LIANGSHAN_POVERTY = {513422, 513423, 513428, 513429, 513430, 513431, 513432, 513434, 513435,
                     513436, 513437}                     # 木里 盐源 普格 布拖 金阳 昭觉 喜德 越西 甘洛 美姑 雷波
# R7: pastoral (grassland) counties of the plateau
PASTORAL = {513332, 513333, 513334, 513330, 513331, 513327, 513328, 513329,   # 石渠 色达 理塘 德格 白玉 炉霍 甘孜 新龙
            513231, 513232, 513233, 513230}                                  # 阿坝 若尔盖 红原 壤塘
# R10 (unverified): other former poverty counties (Qinba and Wumeng mountain areas and others),
# reconstructed to make 88 with the areas the facts file names; see README.md
POVERTY_OTHER = {
    510802, 510811, 510812, 510821, 510822, 510823, 510824,            # Guangyuan (7)
    511902, 511903, 511921, 511922, 511923,                            # Bazhong (5)
    511702, 511703, 511722, 511723, 511724, 511725, 511781,            # Dazhou (7)
    511304, 511321, 511322, 511323, 511324, 511325, 511381,            # Nanchong (7)
    511602, 511603, 511621, 511622, 511623,                            # Guang'an (5)
    510726, 510727,                                                    # Beichuan, Pingwu
    510522, 510524, 510525,                                            # Hejiang, Xuyong, Gulin
    511527, 511528, 511529,                                            # Junlian, Xingwen, Pingshan
    511129,                                                            # Muchuan
    513427,                                                            # Ningnan
    510421, 510422,                                                    # Miyi, Yanbian
}
LAST_IN_SAMPLE_YEAR = 2022             # RULE ON YEARS: nothing published for 2023+ sets a figure
STAT_KINDS = ("population_total", "population_urban", "population_rural", "gdp", "share_primary",
              "share_secondary", "share_tertiary", "revenue", "rural_income")
# G2: oldest year a published figure may set anything from. GDPs of 2018 and earlier are on the
# base before the 2018 economic census (美姑's 2021 table says its series was adjusted to it) and
# G1 would carry an unrevised level; the other kinds are used from 2018 on.
FIRST_USABLE_YEAR = {"gdp": 2019, "share_primary": 2019, "share_secondary": 2019,
                     "share_tertiary": 2019}
FIRST_USABLE_YEAR_DEFAULT = 2018
RURAL_SHARE_BASIN_CAP = 0.95           # P2: no basin unit is more rural than this
FIT = {}                               # fitted rule parameters of the last build() (reported by --fit)
COLUMNS = ["code", "name", "name_zh", "prefecture", "prefecture_zh", "kind", "poverty_county",
           "rural_population_2022", "rural_income_2022", "persons_per_household", "gdp_2022",
           "revenue_2022", "share_wage", "share_operating", "share_property", "share_transfer",
           "land_per_person", "lifted_share", "estimate", "source",
           # additional columns
           "region", "poverty_rule", "households_2022", "rural_population_2021",
           "urban_population_2022", "streets", "towns", "townships",
           # published-figure columns (county_stats.csv): GDP sector shares where published (blank
           # otherwise: no estimate rule), and per kind whether the figure is published (1) or
           # made by a rule (0)
           "gdp_share_primary", "gdp_share_secondary", "gdp_share_tertiary",
           "pub_population", "pub_gdp", "pub_revenue", "pub_income", "pub_shares"]


def read_stats(all_years=False):
    """county_stats.csv: for each county (or prefecture: codes ending in 00) and kind, the latest
    in-sample figure (2022 or earlier, and not older than G2 allows). Returns
    {code: {kind: (year, value, source)}}; with all_years, {code: {kind: {year: (value, source)}}}."""
    out = {}
    with open(HERE / "county_stats.csv", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            year = int(r["year"])
            if r["out_of_sample"] == "1" or year > LAST_IN_SAMPLE_YEAR:
                assert r["out_of_sample"] == "1", f"county_stats.csv: {r['code']} {r['indicator']} {year} must be marked out_of_sample"
                continue
            if r["indicator"] not in STAT_KINDS:
                continue
            if year < FIRST_USABLE_YEAR.get(r["indicator"], FIRST_USABLE_YEAR_DEFAULT):
                continue                                   # G2: recorded, not used
            d = out.setdefault(int(r["code"]), {})
            if all_years:
                d.setdefault(r["indicator"], {})[year] = (float(r["value"]), r["source"])
                continue
            old = d.get(r["indicator"])
            if old is None or year > old[0]:
                d[r["indicator"]] = (year, float(r["value"]), r["source"])
    return out


def read_old_populations():
    """Every in-sample published resident population, whatever its year (G2 does not apply):
    {code: (year, value)}, the latest. Only a P1 weight, never a figure."""
    out = {}
    with open(HERE / "county_stats.csv", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            year = int(r["year"])
            if r["indicator"] != "population_total" or r["out_of_sample"] == "1" or year > LAST_IN_SAMPLE_YEAR:
                continue
            c = int(r["code"])
            if c not in out or year > out[c][0]:
                out[c] = (year, float(r["value"]))
    return out


def to_2022(year):
    """G1: index that carries a money figure of `year` to 2022: the provincial rural income
    growth (facts; log-linear between the facts years), as R4b and R6a do."""
    return RURAL_INCOME[2022] / interp_income(year)


def interp_income(year):
    """Province rural income in `year`, log-linear between the facts years (R6)."""
    years = sorted(RURAL_INCOME)
    for a, b in zip(years, years[1:]):
        if a <= year <= b:
            ya, yb = RURAL_INCOME[a], RURAL_INCOME[b]
            return ya * (yb / ya) ** ((year - a) / (b - a))
    raise ValueError(year)


def read_units():
    units = []
    with open(HERE / "divisions.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            row["code"] = int(row["code"])
            units.append(row)
    counts = {}
    for line in open(HERE / "townships.txt", encoding="utf-8"):
        parts = line.split()
        code = int(parts[0])
        nj = nz = nx = 0
        for s in parts[1:]:
            d = s.lstrip("Z")[0]
            if d == "0":
                nj += 1
            elif d == "1":
                nz += 1
            elif d == "2":
                nx += 1
        counts[code] = (nj, nz, nx)
    for u in units:
        u["streets"], u["towns"], u["townships"] = counts[u["code"]]
    assert len(units) == 183 and len(counts) == 183
    return units


def region(u):
    if u["prefecture"] in PLATEAU_PREFECTURES or u["code"] == 513422:
        return "plateau"
    if u["prefecture"] == "Liangshan" or u["code"] in YI_EXTRA:
        return "yi"
    return "basin"


def build():
    units = read_units()
    stats = read_stats()
    stats_all = read_stats(all_years=True)
    old_pops = read_old_populations()
    prefs = {c: d for c, d in stats.items() if c % 100 == 0}           # prefecture totals
    stats = {c: d for c, d in stats.items() if c % 100 != 0}
    # published total population replaces the facts file's where it is of the same year or later
    fact_pop = dict(FACT_POP)
    for code, d in stats.items():
        if "population_total" in d:
            year, val, src = d["population_total"]
            old_year = int(fact_pop[code][1][:4]) if code in fact_pop else 0
            if year >= old_year:
                fact_pop[code] = (int(val), f"published {year} {src}")
    for u in units:
        u["region"] = region(u)
        c = u["code"]
        if u["region"] in ("plateau",) or c in LIANGSHAN_POVERTY or c in YI_EXTRA:
            u["poverty_county"], u["poverty_rule"] = 1, "R10a"
        elif c in POVERTY_OTHER:
            u["poverty_county"], u["poverty_rule"] = 1, "R10b"
        else:
            u["poverty_county"], u["poverty_rule"] = 0, "R10"
    assert sum(u["poverty_county"] for u in units) == 88, sum(u["poverty_county"] for u in units)

    # R1 township estimate (the old R1a/R1b and R3): rural and urban residents from the NBS
    # township counts, scaled to the facts' county populations on the plateau and in Liangshan and
    # to the provincial totals elsewhere. It is now only the weight that P1 and P2 share
    # prefecture and province remainders by.
    def weight(u):
        xw = 1.0 if u["region"] != "basin" else XIANG_WEIGHT_BASIN
        return u["towns"] + xw * u["townships"] + STREET_RURAL_WEIGHT * u["streets"]
    per_unit = {}
    for reg in ("plateau", "yi"):
        ratios = sorted(fact_pop[u["code"]][0] * RURAL_SHARE_FACT_COUNTIES / weight(u)
                        for u in units if u["region"] == reg and u["code"] in fact_pop)
        per_unit[reg] = ratios[len(ratios) // 2] if len(ratios) % 2 else \
            0.5 * (ratios[len(ratios) // 2 - 1] + ratios[len(ratios) // 2])
    fixed = 0.0
    for u in units:
        if u["code"] in fact_pop:
            fixed += fact_pop[u["code"]][0] * RURAL_SHARE_FACT_COUNTIES
        elif u["region"] != "basin":
            fixed += weight(u) * per_unit[u["region"]]
    basin = [u for u in units if u["region"] == "basin" and u["code"] not in fact_pop]
    per_unit["basin"] = (RURAL_POP_2022 - fixed) / sum(weight(u) for u in basin)
    urban_total = TOTAL_POP_2022 - RURAL_POP_2022
    fixed_urban = fixed * (1 - RURAL_SHARE_FACT_COUNTIES) / RURAL_SHARE_FACT_COUNTIES
    uw = lambda u: URBAN_WEIGHTS[0] * u["streets"] + URBAN_WEIGHTS[1] * u["towns"] + URBAN_WEIGHTS[2] * u["townships"]
    per_urban = (urban_total - fixed_urban) / sum(uw(u) for u in basin)
    for u in units:
        # every unit's township estimate, published or not (P1 uses it for the unpublished ones,
        # P2 its rural share s0 for the basin)
        u["rural0"] = weight(u) * per_unit[u["region"]]
        u["urban0"] = uw(u) * per_urban if u["region"] == "basin" or u["poverty_rule"] != "R10a" else \
            u["rural0"] * (1 - RURAL_SHARE_FACT_COUNTIES) / RURAL_SHARE_FACT_COUNTIES
        u["est0"] = u["rural0"] + u["urban0"]
        # the basin-style township share (streets as urban), which P2 uses outside R1b
        u["s0"] = u["rural0"] / (u["rural0"] + uw(u) * per_urban)

    # P1 resident population 2022: a published county figure (county_stats.csv, or the facts
    # file) as it is; within a prefecture whose total is published (census 2020 or a later
    # bulletin), the rest of that total shared by the township estimate; elsewhere the rest of the
    # provincial 83.74 m (facts) shared the same way. Populations are not carried between years.
    pref_pop = {p: d["population_total"] for p, d in prefs.items() if "population_total" in d}
    in_pref = lambda u, p: u["code"] // 100 == p // 100
    for u in units:
        if u["code"] in fact_pop:
            u["total"] = float(fact_pop[u["code"]][0])
            lab = fact_pop[u["code"]][1]
            u["pop_rule"] = (lab if lab.startswith("published") else "facts " + lab)
    constrained = set()
    for p, (year, val, src) in sorted(pref_pop.items()):
        members = [u for u in units if in_pref(u, p)]
        free_m = [u for u in members if "total" not in u]
        rest = val - sum(u["total"] for u in members if "total" in u)
        constrained |= {u["code"] for u in members}
        if not free_m:          # every unit published (Aba): the prefecture figure adds nothing
            continue
        assert rest > 0, p
        # the weight: an older published population where one page gives it for every unit
        # left (Liangshan's 2014 table), else the township estimate
        if all(u["code"] in old_pops for u in free_m):
            wts = {u["code"]: old_pops[u["code"]][1] for u in free_m}
            how = f"weights published {min(old_pops[u['code']][0] for u in free_m)}"
        else:
            wts = {u["code"]: u["est0"] for u in free_m}
            how = "weights township estimate"
        s = sum(wts.values())
        for u in free_m:
            u["total"] = rest * wts[u["code"]] / s
            u["pop_rule"] = f"P1 prefecture {p} total {year} {src} ({how})"
        constrained |= {u["code"] for u in members}
    free_p = [u for u in units if "total" not in u]
    rest = TOTAL_POP_2022 - sum(v[1] for v in pref_pop.values()) - \
        sum(u["total"] for u in units if u["code"] not in constrained and u not in free_p)
    s = sum(u["est0"] for u in free_p)
    for u in free_p:
        u["total"] = rest * u["est0"] / s
        u["pop_rule"] = "P1 province remainder"

    # P2 rural share: published (a county's rural, or its urban, residents of the year of its
    # published total); otherwise 0.80 on the plateau and in the yi region (R1b); in the basin the
    # township estimate's own share times one factor that makes the provincial 34.878 m (facts),
    # at most 0.95.
    for u in units:
        c = u["code"]
        d = stats_all.get(c, {})
        tot = d.get("population_total", {})
        share = None
        for kind in ("population_rural", "population_urban"):
            for year, (val, src) in sorted(d.get(kind, {}).items(), reverse=True):
                if year in tot:
                    r = val / tot[year][0]
                    share = (r if kind == "population_rural" else 1 - r, f"P2 published {year} {src}")
                    break
            if share:
                break
        if share:
            u["rshare"], u["share_src"] = share
        elif u["region"] != "basin" and u["poverty_rule"] == "R10a":
            u["rshare"], u["share_src"] = RURAL_SHARE_FACT_COUNTIES, "P2 R1b 0.80"
    # the other units without a published share (basin, and the yi region's units that are not
    # R10a: 西昌 德昌 会理 会东 冕宁 宁南): logit(s) = a + b logit(s0), s0 the township estimate's
    # rural share (streets urban); b fitted (grid 0.05..2) to the published shares of such units, a
    # so that the province has its 34.878 m rural residents (facts)
    for u in units:
        # a unit of sub-districts only (no 镇 or 乡: the Chengdu core) keeps its township share
        if "rshare" not in u and u["towns"] + u["townships"] == 0:
            u["rshare"], u["share_src"] = u["s0"], "P2 township share (sub-districts only)"
    fixed = sum(u["total"] * u["rshare"] for u in units if "rshare" in u)
    bas = [u for u in units if "rshare" not in u]
    pubb = [u for u in units if u["poverty_rule"] != "R10a" and "rshare" in u
            and u["share_src"].startswith("P2 published")]
    lg = lambda x: math.log(x / (1 - x))
    ex = lambda y: 1 / (1 + math.exp(-y))
    clip = lambda x: min(0.99, max(0.01, x))
    def solve_a(b_):
        lo, hi = -20.0, 20.0
        for _ in range(200):
            a_ = 0.5 * (lo + hi)
            tot_r = fixed + sum(u["total"] * ex(a_ + b_ * lg(clip(u["s0"]))) for u in bas)
            lo, hi = (a_, hi) if tot_r < RURAL_POP_2022 else (lo, a_)
        return 0.5 * (lo + hi)
    best = None
    for i in range(1, 41):
        b_ = 0.05 * i
        a_ = solve_a(b_)
        err = sum((a_ + b_ * lg(clip(u["s0"])) - lg(u["rshare"])) ** 2 for u in pubb)
        if best is None or err < best[0] - 1e-12:
            best = (err, a_, b_)
    _, pa, pb = best
    FIT["rural_share_logit"] = (pa, pb, len(pubb))
    for u in bas:
        u["rshare"] = min(RURAL_SHARE_BASIN_CAP, ex(pa + pb * lg(clip(u["s0"]))))
        u["share_src"] = f"P2 logit {pa:.3f} + {pb:.2f} x logit(township share)"
    for u in units:
        u["rural"] = u["total"] * u["rshare"]
        u["rural_population_2022"] = int(round(u["rural"]))
    resid = RURAL_POP_2022 - sum(u["rural_population_2022"] for u in units)
    big = max(bas, key=lambda u: u["rural"])
    big["rural_population_2022"] += resid
    for u in units:
        u["rural_population_2021"] = int(round(u["rural_population_2022"] * RURAL_POP_2021 / RURAL_POP_2022))
    resid = RURAL_POP_2021 - sum(u["rural_population_2021"] for u in units)
    big["rural_population_2021"] += resid
    for u in units:
        u["urban"] = max(0.0, u["total"] - u["rural_population_2022"])
        u["rural"] = float(u["rural_population_2022"])
        u["urban_population_2022"] = int(round(u["urban"]))
        u["pop_rule"] = f"{u['pop_rule']}; rural {u['share_src']}"

    # R2 persons per household
    for u in units:
        if u["prefecture"] == "Ganzi":
            u["persons_per_household"], u["pph_rule"] = PPH_GANZI, "facts"
        elif u["prefecture"] == "Liangshan":
            u["persons_per_household"], u["pph_rule"] = PPH_LIANGSHAN, "facts"
        elif u["prefecture"] == "Aba":
            u["persons_per_household"], u["pph_rule"] = PPH_GANZI, "R2"
        else:
            u["persons_per_household"], u["pph_rule"] = PPH_PROVINCE, "facts"
        u["households_2022"] = int(round(u["rural_population_2022"] / u["persons_per_household"]))

    # G3/R4 GDP 2022. Published county GDP (G1, G2) as it is. A prefecture whose GDP is published
    # (carried to 2022 by G1): the rest of it over its other units; the other units of the
    # province: the rest of the provincial 5.676 trn (facts). Within either, in proportion to
    # W = (2.315 x urban + rural) x F, the old R4 weight times F, which is 1 for a unit that is not
    # a former poverty county and, for one, the ratio of the median GDP per unit of W of the
    # published former poverty counties of its class (R10a, R10b) to that of the published others.
    gdp_total = GDP_PER_CAPITA_2022 * TOTAL_POP_2022
    ratio = URBAN_INCOME_2022 / RURAL_INCOME[2022]
    fixed_gdp = {}
    for code, d in stats.items():
        if "gdp" in d:
            year, val, src = d["gdp"]
            fixed_gdp[code] = (val * to_2022(year), f"published {year} {src}" + (" x G1" if year < 2022 else ""))
    for u in units:
        u["W"] = ratio * u["urban"] + u["rural"]
    med = lambda xs: sorted(xs)[len(xs) // 2] if len(xs) % 2 else 0.5 * (sorted(xs)[len(xs) // 2 - 1] + sorted(xs)[len(xs) // 2])
    q = {}
    for u in units:
        if u["code"] in fixed_gdp:
            q.setdefault(u["poverty_rule"], []).append(fixed_gdp[u["code"]][0] / u["W"])
    FIT["gdp_per_w"] = {k: (med(v), len(v)) for k, v in q.items()}
    F = {"R10": 1.0}
    for cls in ("R10a", "R10b"):
        F[cls] = med(q[cls]) / med(q["R10"]) if q.get(cls) and q.get("R10") else 1.0
    FIT["F"] = F
    for u in units:
        u["Wf"] = u["W"] * F[u["poverty_rule"]]
    pref_gdp = {p: d["gdp"] for p, d in prefs.items() if "gdp" in d}
    for u in units:
        if u["code"] in fixed_gdp:
            u["gdp"], u["gdp_rule"] = fixed_gdp[u["code"]]
    gconstrained = set()
    for p, (year, val, src) in sorted(pref_gdp.items()):
        members = [u for u in units if in_pref(u, p)]
        free_m = [u for u in members if "gdp" not in u]
        rest = val * to_2022(year) - sum(u["gdp"] for u in members if "gdp" in u)
        assert rest > 0 and free_m, p
        s = sum(u["Wf"] for u in free_m)
        for u in free_m:
            u["gdp"] = rest * u["Wf"] / s
            u["gdp_rule"] = f"G3 prefecture {p} total {year} {src}" + (" x G1" if year < 2022 else "") + \
                (f"; F {F[u['poverty_rule']]:.3f}" if u["poverty_county"] else "")
        gconstrained |= {u["code"] for u in members}
    free_g = [u for u in units if "gdp" not in u]
    rest = gdp_total - sum(v[1] * to_2022(v[0]) for v in pref_gdp.values()) - \
        sum(u["gdp"] for u in units if u["code"] not in gconstrained and u not in free_g)
    s = sum(u["Wf"] for u in free_g)
    for u in free_g:
        u["gdp"] = rest * u["Wf"] / s
        u["gdp_rule"] = "R4 province remainder" + (f"; F {F[u['poverty_rule']]:.3f}" if u["poverty_county"] else "")
    for u in units:
        u["gdp_2022"] = int(round(u["gdp"] / 1e6)) * 1_000_000
    # the published prefecture totals hold (to the rounding of gdp_2022 to 1 m yuan)
    for p, (year, val, src) in pref_gdp.items():
        got = sum(u["gdp_2022"] for u in units if in_pref(u, p))
        assert abs(got - val * to_2022(year)) < 1e6 * len(units), (p, got, val)
    for p, (year, val, src) in pref_pop.items():
        members = [u for u in units if in_pref(u, p)]
        if any(u["pop_rule"].startswith("P1 prefecture") for u in members):
            assert abs(sum(u["total"] for u in members) - val) < 1, (p, val)

    # R5 revenue 2022 (local general public budget revenue): published (G1) as it is; otherwise
    # GDP x the class ratio: the median of published revenue / published GDP of the same unit, by
    # class (R10a plateau and yi former poverty counties, R10b basin ones, R10 the others); a class
    # without a published pair takes the mean of the two others.
    rq = {}
    for u in units:
        d = stats.get(u["code"], {})
        if "revenue" in d and u["code"] in fixed_gdp:
            year, val, src = d["revenue"]
            rq.setdefault(u["poverty_rule"], []).append(val * to_2022(year) / fixed_gdp[u["code"]][0])
    R = {k: med(v) for k, v in rq.items()}
    for cls in ("R10a", "R10b", "R10"):
        if cls not in R:
            others = [R[k] for k in ("R10a", "R10b", "R10") if k in R]
            R[cls] = sum(others) / len(others) if others else TAX_RATE
    FIT["revenue_ratio"] = {k: (R[k], len(rq.get(k, []))) for k in ("R10a", "R10b", "R10")}
    for u in units:
        d = stats.get(u["code"], {})
        if "revenue" in d:
            year, val, src = d["revenue"]
            u["revenue_2022"] = int(round(val * to_2022(year) / 1e5)) * 100_000
            u["rev_rule"] = f"published {year} {src}" + (" x G1" if year < 2022 else "")
        else:
            r = R[u["poverty_rule"]]
            u["revenue_2022"] = int(round(r * u["gdp"] / 1e5)) * 100_000
            u["rev_rule"] = f"R5 {r:.4f} x GDP ({u['poverty_rule']})"

    # R6 rural income 2022
    g22 = RURAL_INCOME[2022]
    ganzi_mean = GANZI_RURAL_INCOME_2020 * g22 / RURAL_INCOME[2020]
    plateau_ratio = ganzi_mean / g22
    shiqu = SHIQU_INCOME_2018 * g22 / interp_income(2018)
    aba = ABA_COUNTY["income_2019"] * g22 / interp_income(2019)
    ganzi = [u for u in units if u["prefecture"] == "Ganzi"]
    pop = lambda us: sum(u["rural_population_2022"] for u in us)
    others_ganzi = (ganzi_mean * pop(ganzi) - shiqu * next(u for u in ganzi if u["code"] == 513332)["rural_population_2022"]) \
        / pop([u for u in ganzi if u["code"] != 513332])
    gdppc_prov = gdp_total / TOTAL_POP_2022
    fixed_inc = 0.0
    free = []
    for u in units:
        c = u["code"]
        d = stats.get(c, {})
        if "rural_income" in d and u["prefecture"] != "Ganzi":
            year, val, src = d["rural_income"]
            u["inc"] = val * to_2022(year)
            u["inc_rule"] = f"published {year} {src}" + (" x G1" if year < 2022 else "")
        elif c == 513332:
            u["inc"], u["inc_rule"] = shiqu, "published 2018 (facts, weak) x R6a"
        elif u["prefecture"] == "Ganzi":
            u["inc"], u["inc_rule"] = others_ganzi, "R6a (facts Ganzi 2020)"
        elif c == 513231:
            u["inc"], u["inc_rule"] = aba, "facts 2019 x R6a"   # only if county_stats.csv lacks it
        elif u["region"] == "plateau":
            u["inc"], u["inc_rule"] = plateau_ratio * g22, "R6b"
        elif u["poverty_county"]:
            u["inc"], u["inc_rule"] = POVERTY_AREA_INCOME_2022, "R6c"
        else:
            free.append(u)
            continue
        fixed_inc += u["inc"] * u["rural_population_2022"]
    for u in units:
        # the unit's GDP per resident as the table has it (published or G3/R4): with the
        # prefecture totals the rule GDPs are on the published ones' level, so they can be compared
        gpc = u["gdp"] / (u["urban"] + u["rural"])
        u["rel"] = (gpc / gdppc_prov) ** INCOME_GDP_ELASTICITY
    # R6c: within a region, the former poverty counties' incomes spread as R6d's, person-weighted
    # mean kept at 15,111 (so fixed_inc and k do not change).
    for reg in ("plateau", "yi", "basin"):
        grp = [u for u in units if u["region"] == reg and u.get("inc_rule") == "R6c"]
        if grp:
            m = sum(u["rel"] * u["rural_population_2022"] for u in grp) / pop(grp)
            for u in grp:
                u["inc"] = POVERTY_AREA_INCOME_2022 * u["rel"] / m
    k = (g22 * RURAL_POP_2022 - fixed_inc) / sum(u["rel"] * u["rural_population_2022"] for u in free)
    for u in free:
        u["inc"], u["inc_rule"] = k * u["rel"], "R6d"
    for u in units:
        u["rural_income_2022"] = int(round(u["inc"]))

    # R7 income shares, R8 land, R9 lifted share
    for u in units:
        c = u["code"]
        if c in PASTORAL:
            sh, u["share_rule"] = SHARES_PASTORAL_YUSHU_2017, "shares R7 pastoral (facts Yushu 2017)"
        elif u["poverty_county"]:
            sh, u["share_rule"] = SHARES_POVERTY_AREAS_2019, "shares R7 poverty areas (facts 2019)"
        else:
            sh, u["share_rule"] = SHARES_SICHUAN_2020, "shares R7 Sichuan (facts 2020)"
        u["share_wage"], u["share_operating"], u["share_property"], u["share_transfer"] = sh
        if c in PASTORAL:
            u["land_per_person"] = 3.0
        elif u["region"] == "plateau":
            u["land_per_person"] = 2.0
        elif u["region"] == "yi":
            u["land_per_person"] = 1.8
        elif u["streets"] > u["towns"] + u["townships"]:
            u["land_per_person"] = 0.3
        else:
            u["land_per_person"] = 1.2
    lw = {}
    for u in units:
        lw[u["code"]] = LIFTED_WEIGHTS["chengdu"] if u["prefecture"] == "Chengdu" else \
            LIFTED_WEIGHTS["poverty"] if u["poverty_county"] else LIFTED_WEIGHTS["other"]
    scale = REGISTERED_POOR_2013 / sum(lw[u["code"]] * u["rural_population_2022"] for u in units)
    for u in units:
        u["lifted_share"] = round(min(LIFTED_CAP, lw[u["code"]] * scale), 3)

    for u in units:
        d = stats.get(u["code"], {})
        for k in ("primary", "secondary", "tertiary"):
            u["gdp_share_" + k] = d["share_" + k][1] if "share_" + k in d else ""
        shares_src = ""
        if "share_primary" in d:
            shares_src = f"; gdp shares published {d['share_primary'][0]} {d['share_primary'][2]}"
        c = u["code"]
        pop_src = u["pop_rule"]
        u["pub_population"] = int(c in fact_pop and fact_pop[c][1].startswith("published"))
        u["pub_gdp"] = int(u["gdp_rule"].startswith("published"))
        u["pub_revenue"] = int(u["rev_rule"].startswith("published"))
        u["pub_income"] = int(u["inc_rule"].startswith("published"))
        u["pub_shares"] = int("share_primary" in d)
        parts = [f"pop {pop_src}", f"pph {u['pph_rule']}", f"income {u['inc_rule']}",
                 f"gdp {u['gdp_rule']}", f"revenue {u['rev_rule']}", u["share_rule"], "land R8",
                 "lifted R9", f"poverty {u['poverty_rule']}"]
        u["source"] = "; ".join(parts) + shares_src
        u["estimate"] = 0 if (u["pub_population"] and u["pub_gdp"] and u["pub_revenue"] and u["pub_income"]) else 1
    check_totals(units)
    return units


def check_totals(units):
    """The province totals the rules are built to hold (README "Totals")."""
    assert sum(u["rural_population_2022"] for u in units) == RURAL_POP_2022
    assert sum(u["rural_population_2021"] for u in units) == RURAL_POP_2021
    pop = sum(u["rural_population_2022"] for u in units)
    mean = sum(u["rural_income_2022"] * u["rural_population_2022"] for u in units) / pop
    assert abs(mean - RURAL_INCOME[2022]) < 1.0, mean
    gdp = sum(u["gdp_2022"] for u in units)
    assert abs(gdp / (GDP_PER_CAPITA_2022 * TOTAL_POP_2022) - 1) < 1e-4, gdp
    assert sum(u["poverty_county"] for u in units) == 88


def fmt(v):
    if isinstance(v, float):
        s = f"{v:.6g}"
        return s
    return str(v)


def render(units):
    import io
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(COLUMNS)
    for u in units:
        w.writerow([fmt(u[c]) for c in COLUMNS])
    return out.getvalue()


def main_check():
    """0 if counties.csv is what build() generates, else 1."""
    return 0 if (HERE / "counties.csv").read_text(encoding="utf-8") == render(build()) else 1


def print_fit():
    a, b, n = FIT["rural_share_logit"]
    print(f"P2 rural share: logit(s) = {a:.4f} + {b:.2f} x logit(township share), fitted on {n} published shares")
    for k, (v, n) in sorted(FIT["gdp_per_w"].items()):
        print(f"G3 median GDP per unit of W, {k}: {v:,.0f} yuan ({n} published units)")
    print("G3 F: " + ", ".join(f"{k} {v:.3f}" for k, v in sorted(FIT["F"].items())))
    for k, (v, n) in FIT["revenue_ratio"].items():
        print(f"R5 revenue / GDP, {k}: {v:.4f} ({n} published pairs" + (", none: mean of the others)" if n == 0 else ")"))


def main():
    text = render(build())
    if "--fit" in sys.argv[1:]:
        print_fit()
    path = HERE / "counties.csv"
    if "--check" in sys.argv[1:]:
        if path.read_text(encoding="utf-8") != text:
            print(f"{path} differs from what build_counties.py generates", file=sys.stderr)
            return 1
        return 0
    path.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
