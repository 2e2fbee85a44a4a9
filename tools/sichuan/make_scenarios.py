#!/usr/bin/python3
"""Generate the Sichuan scenarios from the tables in tools/sichuan/.

Reads counties.csv (built by build_counties.py), pairings_facts.csv (the 2023 roster as found),
recipients_2023.csv (the round's 56 recipients) and history.csv (money and cadres of earlier
years), and writes
  tools/sichuan/donor_units.csv        donor units without a GB/T county code of their own
  tools/sichuan/pairings.csv           every pairing with its budget and cadres
  tools/sichuan/cadres_2023.csv        the round's 1,554 cadres over its 56 recipients (C1, C2)
  tools/sichuan/aid_stocks.csv         per recipient, aid money up to 2022 (reported first, H1)
  scenarios/sichuan_2023.yaml          the default: every pairing found
  scenarios/sichuan_2023_no_aid.yaml   the default without aid (budgets and cadres 0)
  scenarios/sichuan_province_scale.yaml  all 183 units, the same pairings and policies
Deterministic: running it again reproduces the files byte for byte. With --check it writes
nothing and exits with status 1 (naming the files) if a committed file differs from what it
would write, counties.csv included. The rules (R, S, B, C, H, L) are in tools/sichuan/README.md.
With --emit-new-keys the county entries also carry figures the scenario reader does not accept yet
(`gdp_shares`); off by default, and --check always checks the default output.

Usage: /usr/bin/python3 tools/sichuan/make_scenarios.py [--check] [--emit-new-keys]
"""
import csv
import io
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.dont_write_bytecode = True   # no __pycache__ in the source tree (ctest runs --check)
sys.path.insert(0, str(HERE))
import build_counties  # noqa: E402
from make_hindcast import TUNED as HINDCAST_TUNED  # noqa: E402  (P1: the growth path)
from make_hindcast import WAGE_GROWTH as HINDCAST_WAGE_GROWTH  # noqa: E402

FACTS = "shared/data/sichuan_facts.md"
START_YEAR, YEARS = 2023, 10
END_YEAR = START_YEAR + YEARS - 1
# S1: start-year (2023) values from the 2022 table
POP_FACTOR = build_counties.RURAL_POP_2022 / build_counties.RURAL_POP_2021       # 34.878 / 35.313
INCOME_FACTOR = build_counties.RURAL_INCOME[2022] / build_counties.RURAL_INCOME[2021]  # 18,672 / 17,575
GDP_2023 = 6.01e12                                                              # facts
GDP_FACTOR = GDP_2023 / (build_counties.GDP_PER_CAPITA_2022 * build_counties.TOTAL_POP_2022)
# L1: poverty line
LINE_2021 = 6000 / 1.5          # facts: monitoring threshold 6,000 in 2021 = 1.5 x the standard
LINE_GROWTH = 0.02              # estimate: the model's default (rural consumer prices)
POVERTY_LINE = round(LINE_2021 * (1 + LINE_GROWTH) ** (START_YEAR - 2021))
# B2: the 2021 rule
SHARE_CITY, SHARE_COUNTY = 0.005, 0.003
CADRES_2023 = 1554              # facts
CADRE_TERM = 2                  # years; facts: 2-3 year batches, Chengdu six batches 2012-2022
# The model's default allocation (each instrument's default share), and B5: employment
# assistance takes EMPLOYMENT_SHARE of every budget, the other shares scaled to the rest.
MODEL_ALLOCATION = {"industry": 0.4, "collective": 0.15, "training": 0.1, "safety_net": 0.1,
                    "infrastructure": 0.2, "consumption": 0.05, "employment": 0.0}
EMPLOYMENT_SHARE = 0.05
DEFAULT_ALLOCATION = {k: round(v * (1 - EMPLOYMENT_SHARE), 6) for k, v in MODEL_ALLOCATION.items()}
DEFAULT_ALLOCATION["employment"] = EMPLOYMENT_SHARE
SICHUAN_SHARES = build_counties.SHARES_SICHUAN_2020

# Donor units that are not one GB/T county (rule R11): city donors act through their urban
# districts (市辖区) that are neither donors nor recipients themselves; 成都高新区 through the
# sub-districts it administers (listed under 武侯, 双流 and 郫都 in the NBS code list).
CITY_UNITS = {  # code: (pinyin, name_zh, prefecture)
    510300: ("Zigong", "自贡市", "Zigong"), 510400: ("Panzhihua", "攀枝花市", "Panzhihua"),
    510500: ("Luzhou", "泸州市", "Luzhou"), 510600: ("Deyang", "德阳市", "Deyang"),
    510700: ("Mianyang", "绵阳市", "Mianyang"), 510900: ("Suining", "遂宁市", "Suining"),
    511100: ("Leshan", "乐山市", "Leshan"), 511300: ("Nanchong", "南充市", "Nanchong"),
    511400: ("Meishan", "眉山市", "Meishan"), 511500: ("Yibin", "宜宾市", "Yibin"),
    511600: ("Guang'an", "广安市", "Guang'an"), 511700: ("Dazhou", "达州市", "Dazhou"),
    512000: ("Ziyang", "资阳市", "Ziyang"),
}
GAOXIN = 510199        # no GB/T code: 99 is never a county serial, so the code cannot collide
GAOXIN_STREETS = {510107: ["061", "062", "063", "064"],   # 芳草街 肖家河 石羊 桂溪 (Wuhou list)
                  510116: ["004"],                        # 中和 (Shuangliu list)
                  510117: ["019", "020"]}                 # 合作 西园 (Pidu list)


def read_csv(path):
    with open(path, encoding="utf-8") as f:
        return list(csv.DictReader(f))


def num(row, key):
    v = row[key]
    if v == "":
        return ""
    return float(v) if "." in v or "e" in v else int(v)


def load_counties():
    rows = read_csv(HERE / "counties.csv")
    out = {}
    for r in rows:
        c = {k: (num(r, k) if k not in ("name", "name_zh", "prefecture", "prefecture_zh", "kind",
                                        "source", "region", "poverty_rule") else r[k]) for k in r}
        out[c["code"]] = c
    return out


def mean_by(members, key, weight="rural_population_2022"):
    w = sum(m[weight] for m in members)
    return sum(m[key] * m[weight] for m in members) / w


def make_donor_units(counties, pairs):
    """City units and 成都高新区 (R11). Returns (units, members_of) where members_of maps a unit
    code to the GB/T codes it stands for, with the share of each one's figures it takes."""
    in_pairs = {int(p["donor"]) for p in pairs} | {int(p["recipient"]) for p in pairs}
    units, members_of = {}, {}
    for code, (name, zh, pref) in CITY_UNITS.items():
        members = [c for c in counties.values() if c["code"] // 100 == code // 100
                   and c["kind"] == "district" and c["code"] not in in_pairs]
        assert members, code
        u = combine(members, code, name, zh, pref, "prefecture_unit",
                    "R11 city unit: urban districts " + " ".join(m["name_zh"] for m in members) +
                    " (sums and person-weighted means of their R1-R9 figures)")
        units[code] = u
        members_of[code] = [(m["code"], 1.0) for m in members]
    # 成都高新区: its streets' share of each parent, by the weights of R1a and R3
    parts = []
    for parent, streets in GAOXIN_STREETS.items():
        p = counties[parent]
        n = len(streets)
        rural_w = p["towns"] + build_counties.XIANG_WEIGHT_BASIN * p["townships"] + \
            build_counties.STREET_RURAL_WEIGHT * p["streets"]
        wu = build_counties.URBAN_WEIGHTS
        urban_w = wu[0] * p["streets"] + wu[1] * p["towns"] + wu[2] * p["townships"]
        fr = build_counties.STREET_RURAL_WEIGHT * n / rural_w
        fu = wu[0] * n / urban_w
        ratio = build_counties.URBAN_INCOME_2022 / build_counties.RURAL_INCOME[2022]
        fg = (ratio * fu * p["urban_population_2022"] + fr * p["rural_population_2022"]) / \
            (ratio * p["urban_population_2022"] + p["rural_population_2022"])
        parts.append((p, fr, fg))
    members = []
    for p, fr, fg in parts:
        m = dict(p)
        m["rural_population_2022"] = round(p["rural_population_2022"] * fr)
        m["gdp_2022"] = round(p["gdp_2022"] * fg / 1e6) * 1_000_000
        m["revenue_2022"] = round(p["revenue_2022"] * fg / 1e6) * 1_000_000
        members.append(m)
    u = combine(members, GAOXIN, "Chengdu Gaoxin", "成都高新区", "Chengdu", "functional_zone",
                "R11 functional zone: sub-districts 芳草街 肖家河 石羊 桂溪 (武侯), 中和 (双流), "
                "合作 西园 (郫都), shares of the parents by R1a and R3; code 510199 is not a GB/T code")
    units[GAOXIN] = u
    members_of[GAOXIN] = [(p["code"], fr) for p, fr, fg in parts]
    gaoxin_cut = {p["code"]: (m["rural_population_2022"], m["gdp_2022"], m["revenue_2022"])
                  for (p, fr, fg), m in zip(parts, members)}
    return units, members_of, gaoxin_cut


def combine(members, code, name, zh, pref, kind, source):
    pop = sum(m["rural_population_2022"] for m in members)
    gdp = sum(m["gdp_2022"] for m in members)
    u = {"code": code, "name": name, "name_zh": zh, "prefecture": pref, "kind": kind,
         "poverty_county": int(any(m["poverty_county"] for m in members)),
         "rural_population_2022": pop,
         "rural_income_2022": round(mean_by(members, "rural_income_2022")),
         "persons_per_household": round(mean_by(members, "persons_per_household"), 4),
         "gdp_2022": gdp, "revenue_2022": sum(m["revenue_2022"] for m in members),
         "land_per_person": round(mean_by(members, "land_per_person"), 3),
         "lifted_share": round(mean_by(members, "lifted_share"), 3),
         "members": " ".join(str(m["code"]) for m in members), "source": source}
    for k in ("share_wage", "share_operating", "share_property", "share_transfer"):
        u[k] = round(mean_by(members, k), 4)
    # keep the four shares summing to 1 after rounding: transfers take the rounding
    u["share_transfer"] = round(1 - u["share_wage"] - u["share_operating"] - u["share_property"], 4)
    return u


def render_csv(columns, rows):
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(columns)
    for r in rows:
        w.writerow([build_counties.fmt(r[c]) for c in columns])
    return out.getvalue()


def largest_remainder(total, weights):
    s = sum(weights.values())
    raw = {k: total * v / s for k, v in weights.items()}
    out = {k: int(v) for k, v in raw.items()}
    left = total - sum(out.values())
    for k in sorted(raw, key=lambda k: (-(raw[k] - out[k]), k))[:left]:
        out[k] += 1
    return out


def make_pairings(pairs, units_by_code, recipients_all):
    """Budgets (B1-B4) and cadres (C1-C2) per pairing. Returns (pairings, cadre rows of all 56
    recipients of the round, paired or not)."""
    n_rule = {}
    for p in pairs:
        if not p["money_yuan"]:
            n_rule[int(p["donor"])] = n_rule.get(int(p["donor"]), 0) + 1
    out = []
    for p in pairs:
        d, r = int(p["donor"]), int(p["recipient"])
        donor = units_by_code[d]
        q = {"id": p["id"], "donor": d, "donor_name_zh": p["donor_zh"], "recipient": r,
             "recipient_name_zh": p["recipient_zh"], "since": p["since"] or "n.d.",
             "start_year": int(p["since"]) if p["since"] else 2021, "end_year": END_YEAR,
             "source": p["source"], "money_source": p["money_source"] or "rule B2"}
        city = donor["kind"] == "prefecture_unit"
        if p["money_yuan"]:
            money, years = float(p["money_yuan"]), float(p["money_years"])
            if p["id"] in ("xindu-litang", "jintang-litang"):
                other = 510121 if d == 510114 else 510114
                share = donor["revenue_2022"] / (donor["revenue_2022"] + units_by_code[other]["revenue_2022"])
                q["budget"], q["budget_value"] = "fixed_per_year", round(money * share / 1e5) * 100_000
                q["budget_rule"] = "B3: 36.61 m yuan (2022, 新都 + 金堂 together) split by donor revenue_2022"
            else:
                q["budget"], q["budget_value"] = "fixed_per_year", round(money / years / 1e5) * 100_000
                q["budget_rule"] = ("B4: " if p["id"] == "jinniu-shiqu" else "B1: ") + p["money_note"] + \
                    f" -> {money / 1e6:g} m yuan / {years:g} years"
        else:
            base = SHARE_CITY if city else SHARE_COUNTY
            k = n_rule[d]
            q["budget"], q["budget_value"] = "share_of_revenue", round(base / k, 6)
            q["budget_rule"] = f"B2: 2021 rule, {base * 1000:g} per mille of the donor's revenue " + \
                ("(city donor)" if city else "(county-level donor)") + \
                (f" shared by its {k} rule-funded pairings" if k > 1 else "")
        q["industry_share"] = p["industry_share"]
        out.append(q)
    # C1: reported batch sizes of the current programme (a batch reported for several pairings
    # together, e.g. 德阳's 165 for six counties, is split equally); C2: the rest of the round's
    # 1,554 over all 56 recipients by rural population, equally between two donors of one recipient
    groups = {}
    for p in pairs:
        if p["cadres_batch"]:
            key = (p["cadres_batch"], p["cadres_batch_year"], p["cadres_batch_source"].split()[0])
            groups.setdefault(key, []).append(p["id"])
    c1 = {}
    for (n, year, url), ids in groups.items():
        c1.update(largest_remainder(int(n), {i: 1 for i in ids}))
    donors_of = {}
    for p in pairs:
        donors_of.setdefault(int(p["recipient"]), []).append(p["id"])
    weights = {}
    for rc in recipients_all:
        code = int(rc["code"])
        ids = donors_of.get(code, [])
        if any(i in c1 for i in ids):
            continue
        pop = units_by_code[code]["rural_population_2022"]
        if ids:
            for i in ids:
                weights[i] = pop / len(ids)
        else:
            weights[f"unpaired-{code}"] = pop
    rest = largest_remainder(CADRES_2023 - sum(c1.values()), weights)
    for q in out:
        if q["id"] in c1:
            q["cadres"], q["cadres_rule"] = c1[q["id"]], "C1: reported batch (pairings_facts.csv cadres_batch)"
        else:
            q["cadres"], q["cadres_rule"] = rest[q["id"]], "C2: the round's remaining cadres by recipient rural population"
    rows = []
    for rc in recipients_all:
        code = int(rc["code"])
        ids = donors_of.get(code, [])
        n = sum(q["cadres"] for q in out if q["recipient"] == code) if ids else rest[f"unpaired-{code}"]
        rule = "C1" if any(i in c1 for i in ids) else "C2"
        rows.append({"recipient": code, "recipient_name_zh": rc["name_zh"], "pairings": " ".join(ids),
                     "cadres": n, "rule": rule, "simulated": int(bool(ids))})
    assert sum(r["cadres"] for r in rows) == CADRES_2023
    return out, rows


HISTORY_FIRST_YEAR = 2010   # H1: earlier rounds are counted from 2010 at the earliest


def aid_stocks(pairings, units_by_code, history):
    """H1: per recipient, aid money of every year from the first pairing's start (2010 at the
    earliest, HISTORY_FIRST_YEAR) to 2022: a year
    covered by a reported whole-budget row of history.csv (covers = all) takes that row's money
    spread evenly over its years; another year takes the yearly budget of the recipient's
    pairings active then (fixed_per_year as is, share_of_revenue x the donor's revenue_2022
    carried back by G1). Cadres reported in history.csv are summed as they are."""
    by_rec = {}
    for q in pairings:
        by_rec.setdefault(q["recipient"], []).append(q)
    pair_rec = {q["id"]: q["recipient"] for q in pairings}
    covered = {}
    cadres = {}
    for h in history:
        rec = pair_rec.get(h["pair_id"])
        if rec is None:
            continue
        if h["cadres"]:
            cadres[rec] = cadres.get(rec, 0) + int(h["cadres"])
        if h["money_yuan"] and h["covers"] == "all":
            y0, y1 = int(h["year_from"]), int(h["year_to"])
            for y in range(y0, y1 + 1):
                covered.setdefault(rec, {}).setdefault(y, 0.0)
                covered[rec][y] += float(h["money_yuan"]) / (y1 - y0 + 1)
    rows = []
    for rec in sorted(by_rec):
        qs = by_rec[rec]
        first = max(HISTORY_FIRST_YEAR, min(q["start_year"] for q in qs))
        rep_years = rep_money = rule_years = rule_money = 0
        by_year = {}
        for y in range(first, 2023):
            if y in covered.get(rec, {}):
                rep_years += 1
                rep_money += covered[rec][y]
                by_year[y] = covered[rec][y]
                continue
            m = 0.0
            for q in qs:
                if q["start_year"] > y:
                    continue
                if q["budget"] == "fixed_per_year":
                    m += q["budget_value"]
                else:
                    rev = units_by_code[q["donor"]]["revenue_2022"] / build_counties.to_2022(max(y, 2013))
                    m += q["budget_value"] * rev
            rule_years += 1
            rule_money += m
            by_year[y] = m
        rows.append({"recipient": rec, "recipient_name_zh": qs[0]["recipient_name_zh"],
                     "pairings": " ".join(q["id"] for q in qs), "first_year": first,
                     "years_reported": rep_years, "money_reported": round(rep_money),
                     "years_rule": rule_years, "money_rule": round(rule_money),
                     "money_to_2022": round(rep_money + rule_money),
                     "cadres_reported": cadres.get(rec, ""),
                     "by_year": {y: round(v) for y, v in by_year.items() if round(v) > 0}})
    return rows


def allocation(industry):
    """The default allocation with the industry share replaced and the others scaled (B4)."""
    rest = 1 - DEFAULT_ALLOCATION["industry"]
    a = {k: round(v * (1 - industry) / rest, 6) for k, v in DEFAULT_ALLOCATION.items()}
    a["industry"] = industry
    return a


# ---- YAML ---------------------------------------------------------------------------------
def g(x):
    """Shortest decimal that reads back exactly (for shares and small numbers)."""
    return repr(float(x)) if not float(x).is_integer() else str(int(x))


def bn(x):
    return f"{x / 1e9:.3f}e9"


EMIT_NEW_KEYS = False   # --emit-new-keys: figures the scenario reader has no key for yet


def county_yaml(c, role, history=None):
    pop = round(c["rural_population_2022"] * POP_FACTOR)
    inc = round(c["rural_income_2022"] * INCOME_FACTOR)
    gdp = c["gdp_2022"] * GDP_FACTOR
    op = c["share_operating"] * inc * pop
    agri = min(0.6, max(0.001, op / gdp))
    lines = [f"  - code: {c['code']}",
             f"    name: {c['name']}",
             f"    name_zh: {c['name_zh']}",
             f"    prefecture: {c['prefecture']}",
             f"    role: {role}",
             f"    population: {pop}",
             f"    income_per_capita: {inc}"]
    if c["persons_per_household"] != 2.51:
        lines.append(f"    persons_per_household: {g(c['persons_per_household'])}")
    shares = (c["share_wage"], c["share_operating"], c["share_property"], c["share_transfer"])
    if shares != SICHUAN_SHARES:
        lines.append("    income_shares: {wage: %s, operating: %s, property: %s, transfer: %s}"
                     % tuple(g(s) for s in shares))
    if c["land_per_person"] != 1.2:
        lines.append(f"    land_per_person: {g(c['land_per_person'])}")
    if c["lifted_share"] > 0:
        lines.append(f"    lifted_share: {g(c['lifted_share'])}")
    lines.append(f"    gdp: {bn(gdp)}")
    lines.append(f"    agriculture_share: {g(round(agri, 4))}")
    lines.append(f"    revenue: {bn(c['revenue_2022'] * GDP_FACTOR)}")
    if EMIT_NEW_KEYS:
        if c.get("gdp_share_primary", "") != "":
            lines.append("    gdp_shares: {primary: %s, secondary: %s, tertiary: %s}   # not read yet: published"
                         % (g(c["gdp_share_primary"]), g(c["gdp_share_secondary"]), g(c["gdp_share_tertiary"])))
    if history:
        lines.append("    aid_history: {%s}   # H1 (yuan by year)"
                     % ", ".join(f"{y}: {v}" for y, v in sorted(history.items())))
    lines.append("    estimate: true")
    src = c["source"] + "; start year S1; agriculture_share R12"
    lines.append(f"    source: \"{src}\"")
    return lines


HEADER_RULES = """# Provenance: every figure either cites the facts file (shared/data/sichuan_facts.md, "facts") or
# is marked `estimate: true` on its county with the rules that made it in `source`. Counties and
# pairings are generated from tools/sichuan/counties.csv and tools/sichuan/pairings.csv by
# tools/sichuan/make_scenarios.py: do not edit this file, edit the tables or the rules and run
# `/usr/bin/python3 tools/sichuan/make_scenarios.py`. Codes are GB/T 2260 (NBS code list,
# modood/Administrative-divisions-of-China at 0b7fd75e); 510199 (成都高新区) is not a GB/T code.
# Rules (full text in tools/sichuan/README.md):
#   P1 resident population: published county figures (census 2020 or later, county_stats.csv),
#      prefecture totals (Chengdu, Nanchong, Bazhong, Aba, Ganzi, Liangshan) shared by the NBS
#      township estimate (R1) or an older published table, the rest of 83.74 m (facts) likewise.
#      P2 rural share: published where given, 0.80 for plateau and yi former poverty counties
#      (R1b), else a logit fit on the township share (published shares, 34.878 m rural, facts).
#      R2 persons per household: facts (Ganzi 3.2, Liangshan 3.25, Sichuan 2.51); Aba: Ganzi's.
#   G3/R4 GDP: published county GDPs; published prefecture totals (G1) and the rest of the
#      provincial 5.676 trn (facts) by (2.315 x urban + rural) x F, F the fitted GDP ratio of
#      former poverty counties.   R5 revenue: published, else GDP x the class ratio fitted on
#      published revenue/GDP pairs (about 3%% for plateau and yi poverty counties, 6.7%% others).
#   R6 rural income: Ganzi 13,967 (2020, facts) grown with the province; former poverty counties
#      15,111 (national poverty areas 2022, facts); spread by the table's GDP per person^0.5, the
#      provincial mean kept at 18,672 (facts).   R7 income shares: pastoral Yushu 2017, poverty areas 2019,
#      Sichuan 2020 (all facts).   R8 land per person (estimate).   R9 lifted share: 6.25 m
#      registered poor of 2013 (facts) spread with weight 3 in former poverty counties.
#   R10 former poverty counties (88, facts): Ganzi, Aba and the Liangshan Yi areas (facts) plus an
#      unverified reconstruction of the Qinba and Wumeng counties.   R11 donor units: a city donor
#      is one unit made of its urban districts (市辖区) that are not donors or recipients
#      themselves, with their rural population, GDP and revenue (tools/sichuan/donor_units.csv);
#      成都高新区 is made of the seven sub-districts it administers.   R12 agriculture_share =
#      operating income / GDP, so that start-year GDP equals `gdp` (docs/MODEL.md 5.6).
#   S1 start year 2023 from the 2022 table: population x 34.878 / 35.313, income x 18,672 /
#      17,575 (the 2021-2022 provincial changes, facts), GDP x 6.01 trn (2023) / 5.676 trn (2022).
#   L1 poverty line: 4,000 in 2021 (facts: monitoring threshold 6,000 = 1.5 x the standard),
#      indexed at 2%% a year (estimate: the model's line_growth default) to 2023: %d.
#   G1 published county figures (tools/sichuan/county_stats.csv, with URLs) replace the rules above
#      where they exist (2022 or earlier; older money figures x the provincial rural income index;
#      G2: no GDP of 2018 or earlier, no other figure before 2018).
#   B1 reported budgets (up to 2022): total over the stated years, per year.   B2 the 2021 rule
#      (facts: 0.5%% or 0.3%% of the donor's previous-year revenue): 0.5%% for city donors, 0.3%%
#      for county-level donors, shared equally by a donor's rule-funded pairings.   B3 新都 + 金堂
#      -> 理塘: 36.61 m (2022) split by donor revenue.   B4 金牛 -> 石渠: 124 m per batch (facts),
#      a batch being 11/6 years; industry share 0.55 (facts).
#   B5 employment assistance: 5%% of every budget (docs/evidence/aid_channels.md section 8:
#      enable it, small; a few hundred placements per recipient a year at ~5,000 yuan each), the
#      model's default shares of the other six instruments scaled by 0.95.
#   C1 reported cadre batches of the current programme.   C2 the rest of the round's 1,554
#      cadres (facts) over all 56 recipients by rural population (equal cadres per resident);
#      the recipients whose donor was not found (13) keep their share out of this scenario
#      (tools/sichuan/cadres_2023.csv). The roster and every money figure cite their page in
#      tools/sichuan/pairings_facts.csv; see tools/sichuan/README.md.
#   H1 aid_history: each recipient's aid money by year from its first pairing's start (2010 at
#      the earliest) to 2022: reported whole-budget rows of tools/sichuan/history.csv where they
#      exist, else the year's budgets by B1/B2 carried back (tools/sichuan/aid_stocks.csv); the
#      model turns it into the stocks the run starts from (docs/MODEL.md 5.8).
""" % POVERTY_LINE


def policies_yaml():
    return """
# Aid instruments: all seven enabled for every recipient county over the whole run (no `counties`
# means every recipient, no years means 2023-2032), so every pairing's full budget is spent by its
# allocation shares. Collective-economy money goes to villages by need. Variants that enable one
# instrument only are in scenarios/examples/; sichuan_2023_no_aid.yaml removes the aid itself.
policies:
  - {instrument: industry}
  - {instrument: collective, targeting: need}
  - {instrument: training}
  - {instrument: safety_net}
  - {instrument: infrastructure}
  - {instrument: consumption}
  - {instrument: employment}
"""


def pairing_yaml(q):
    lines = [f"  - id: {q['id']}",
             f"    donor: {q['donor']}            # {q['donor_name_zh']}",
             f"    recipient: {q['recipient']}        # {q['recipient_name_zh']}",
             f"    start_year: {q['start_year']}" + ("" if q["since"] != "n.d." else
                                                     "          # facts: since n.d.; estimate: the 2021 round"),
             f"    end_year: {q['end_year']}            # estimate: assistance continues to the end of the run",
             f"    cadres: {q['cadres']}" + f"                # {q['cadres_rule']}",
             f"    cadre_term_years: {CADRE_TERM}      # facts: 2-3 year batches"]
    if q["budget"] == "fixed_per_year":
        lines.append(f"    budget: {{fixed_per_year: {q['budget_value']}}}   # {q['budget_rule']}")
    else:
        lines.append(f"    budget: {{share_of_revenue: {g(q['budget_value'])}}}   # {q['budget_rule']}")
    if q["industry_share"]:
        a = allocation(float(q["industry_share"]))
        lines.append("    allocation: {" + ", ".join(f"{k}: {g(a[k])}" for k in DEFAULT_ALLOCATION) +
                     "}   # facts: industry 55% of planned projects, the rest scaled (B4, B5)")
    else:
        a = DEFAULT_ALLOCATION
        lines.append("    allocation: {" + ", ".join(f"{k}: {g(a[k])}" for k in DEFAULT_ALLOCATION) +
                     "}   # the model's defaults with 5% to employment (B5)")
    lines.append(f"    source: \"pairing: {q['source']}; money: {q['money_source']}\"")
    return lines


def growth_yaml():
    """P1: the hindcast's three nominal growth rates (tools/sichuan/make_hindcast.py: migrant wages
    published, farm productivity tuned on the rural income and county productivity on the GDP of
    2015-2022), each held after 2022, the rule for years after the last published figure
    (docs/SCENARIOS.md, time paths): the hindcast and the projection are one path. P5, the share
    of income consumed, likewise."""
    note = "# the hindcast's P1{} (2015-2022 rate), held after 2022"
    return ["  labour:", f"    {'wage_growth: ' + str(HINDCAST_WAGE_GROWTH):<28}{note.format('a')}",
            "  farm:", f"    {'tfp_growth: ' + str(HINDCAST_TUNED['farm_growth']):<28}{note.format('b')}",
            "  county:",
            f"    {'tfp_growth: ' + str(HINDCAST_TUNED['county_growth']):<28}{note.format('c')}",
            # P5: the share of income consumed, tuned on Sichuan's consumption of 2020-2022.
            "  household:",
            f"    {'mpc: ' + str(HINDCAST_TUNED['mpc']):<28}# the hindcast's P5 (2020-2022 consumption), held after 2022",
            # Not the hindcast's L4 (10% a year): the campaign's raises, held to 2032, would put
            # 18% of rural residents on the allowance (3.6% in 2023; docs/VALIDATION.md section 3).
            "  transfer:",
            f"    {'growth: 0.02':<28}# stated prior: with prices, as the lines (not the hindcast's L4)"]


def scenario(name, description, counties, units_by_code, roles, pairings, title, histories):
    out = [f"# {title}", "#"]
    out += HEADER_RULES.rstrip("\n").split("\n")
    out += ["meta:", f"  name: {name}", "  description: >-"]
    out += [f"    {line}" for line in description]
    out += [f"  start: \"{START_YEAR}-01\"", f"  years: {YEARS}", "  step_months: 1",
            "  seed: 20230712            # the 2023 round was mobilised on 2023-07-12 (facts)", "",
            "population:", "  scale: 1.0", "  persons_per_household: 2.51   # facts: 2020 census, Sichuan family households",
            "", "parameters:", "  poverty:",
            f"    line: {POVERTY_LINE}                  # L1: 4,000 in 2021 (facts: 6,000 / 1.5) x 1.02^2 (estimate)",
            f"    line_growth: {g(LINE_GROWTH)}            # L1 estimate: rural consumer price inflation",
            "    monitoring_multiple: 1.5    # facts: monitoring threshold 1.5 x the poverty standard",
            *growth_yaml(), "",
            "counties:"]
    groups = [("donor", "Donors"), ("recipient", "Recipients"), ("other", "Other county-level units")]
    for role, label in groups:
        codes = [c for c in counties if roles[c] == role]
        if not codes:
            continue
        out.append(f"  # {label} ({len(codes)})")
        for c in codes:
            out += county_yaml(units_by_code[c], role, histories.get(c))
    out += ["", f"pairings:   # {len(pairings)} pairings, {sum(q['cadres'] for q in pairings)} cadres"]
    for q in pairings:
        out += pairing_yaml(q)
    out.append(policies_yaml().rstrip("\n"))
    out += ["", "outputs:", "  household_panel: {per_county: 200}", ""]
    return "\n".join(out)


def no_aid(pairings):
    out = ["# Counterfactual without aid: sichuan_2023 with every pairing's budget and dispatched cadres set",
           "# to zero. It differs from the default scenario only in aid (same counties, parameters, policies,",
           "# shocks and seed), so comparing the two runs with the same seed isolates the effect of the",
           "# pairing assistance. Generated with sichuan_2023.yaml by tools/sichuan/make_scenarios.py, so",
           "# every pairing there is overridden here (tests/test_scenario.cpp checks this).",
           "extends: sichuan_2023.yaml", "", "meta:", "  name: sichuan_2023_no_aid",
           "  description: >-",
           "    sichuan_2023 without aid: every pairing's budget and cadres set to 0 (counterfactual for the",
           "    aid effect; compare with the same seed)", "", "pairings:"]
    for q in pairings:
        out += [f"  - id: {q['id']}", "    cadres: 0", "    budget: {fixed_per_year: 0}"]
    return "\n".join(out) + "\n"


def generate():
    counties = load_counties()
    pairs = read_csv(HERE / "pairings_facts.csv")
    units, members_of, gaoxin_cut = make_donor_units(counties, pairs)
    # the units as simulated: GB/T counties, minus what 成都高新区 takes, plus the donor units
    sim = {code: dict(c) for code, c in counties.items()}
    for code, (rural, gdp, rev) in gaoxin_cut.items():
        sim[code]["rural_population_2022"] -= rural
        sim[code]["gdp_2022"] -= gdp
        sim[code]["revenue_2022"] -= rev
        sim[code]["source"] += "; less 成都高新区's sub-districts (R11)"
    sim.update(units)
    recipients_all = read_csv(HERE / "recipients_2023.csv")
    pairings, cadre_rows = make_pairings(pairs, sim, recipients_all)
    donors = []
    recipients = []
    for q in pairings:
        if q["donor"] not in donors:
            donors.append(q["donor"])
        if q["recipient"] not in recipients:
            recipients.append(q["recipient"])
    donors.sort()
    recipients.sort()
    roles = {c: "donor" for c in donors}
    roles.update({c: "recipient" for c in recipients})
    represented = {m for code in units if code != GAOXIN for m, _ in members_of[code]}
    assert represented.isdisjoint(set(donors) | set(recipients))

    files = {}
    ucols = ["code", "name", "name_zh", "prefecture", "kind", "members", "poverty_county",
             "rural_population_2022", "rural_income_2022", "persons_per_household", "gdp_2022",
             "revenue_2022", "share_wage", "share_operating", "share_property", "share_transfer",
             "land_per_person", "lifted_share", "source"]
    files[HERE / "donor_units.csv"] = render_csv(ucols, [units[c] for c in sorted(units)])
    pcols = ["id", "donor", "donor_name_zh", "recipient", "recipient_name_zh", "since", "start_year",
             "end_year", "budget", "budget_value", "budget_rule", "cadres", "cadres_rule",
             "industry_share", "source", "money_source"]
    files[HERE / "pairings.csv"] = render_csv(pcols, pairings)
    files[HERE / "cadres_2023.csv"] = render_csv(
        ["recipient", "recipient_name_zh", "pairings", "cadres", "rule", "simulated"], cadre_rows)
    stocks = aid_stocks(pairings, sim, read_csv(HERE / "history.csv"))
    files[HERE / "aid_stocks.csv"] = render_csv(
        ["recipient", "recipient_name_zh", "pairings", "first_year", "years_reported", "money_reported",
         "years_rule", "money_rule", "money_to_2022", "cadres_reported"], stocks)
    histories = {r["recipient"]: r["by_year"] for r in stocks if r["by_year"]}
    default_counties = donors + recipients
    files[ROOT / "scenarios" / "sichuan_2023.yaml"] = scenario(
        "sichuan_2023",
        ["Sichuan pairing assistance (先发带后发), 2023 round: every pairing found in public reports",
         f"({len(pairings)} pairings, {len(donors)} donors, {len(recipients)} of the round's 56 recipients,",
         f"{sum(q['cadres'] for q in pairings)} of its {CADRES_2023} cadres), 1:1 household scale, monthly steps 2023-2032"],
        default_counties, sim, roles, pairings,
        "Sichuan pairing assistance (先发带后发), 2023 round: the default scenario.", histories)
    files[ROOT / "scenarios" / "sichuan_2023_no_aid.yaml"] = no_aid(pairings)
    # R13: the province lists the 183 GB/T units separately; a donor unit of R11 acts through a
    # member county (a city through its seat, the lowest-coded district of the prefecture;
    # 成都高新区 through 武侯区) with the unit's money (a share-of-revenue budget scaled by the
    # unit's revenue / the seat's), the pairing ids, cadres and recipients unchanged.
    pv_roles, pv_pairings = {}, []
    for q in pairings:
        q = dict(q)
        d = q["donor"]
        if d in units:
            seat = 510107 if d == GAOXIN else min(
                c for c, r in counties.items() if c // 100 == d // 100 and r["kind"] == "district")
            assert seat not in recipients, seat
            if q["budget"] == "share_of_revenue":
                scale = units[d]["revenue_2022"] / counties[seat]["revenue_2022"]
                q["budget_value"] = round(q["budget_value"] * scale, 6)
                q["budget_rule"] += f"; R13 x {scale:.3f} ({units[d]['name_zh']} revenue / seat revenue)"
            q["budget_rule"] += f"; R13 {units[d]['name_zh']} acts through {counties[seat]['name_zh']} ({seat})"
            q["donor"] = seat
        pv_roles[q["donor"]] = "donor"
        pv_pairings.append(q)
    pv_roles.update({c: "recipient" for c in recipients})
    for c in counties:
        pv_roles.setdefault(c, "other")
    assert len(pv_roles) == 183
    files[ROOT / "scenarios" / "sichuan_province_scale.yaml"] = scenario(
        "sichuan_province_scale",
        ["All of rural Sichuan: the 183 county-level units, each listed separately (city donors and",
         "成都高新区 act through a member district with their own money, rule R13), 1:1 household",
         "scale, the default's pairings (same ids, cadres and money) and policies, monthly steps 2023-2032"],
        sorted(counties), counties, pv_roles, pv_pairings,
        "Sichuan pairing assistance (先发带后发): the whole province at 1:1 household scale.", histories)
    return files


def main():
    global EMIT_NEW_KEYS
    check = "--check" in sys.argv[1:]
    EMIT_NEW_KEYS = "--emit-new-keys" in sys.argv[1:] and not check
    files = generate()
    bad = []
    if check:
        if build_counties.main_check() != 0:
            bad.append(str(HERE / "counties.csv"))
    for path, text in files.items():
        if check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                bad.append(str(path))
        else:
            path.write_text(text, encoding="utf-8")
    if bad:
        print("make_scenarios.py --check: these files differ from what the generator writes "
              "(run /usr/bin/python3 tools/sichuan/make_scenarios.py):", file=sys.stderr)
        for b in bad:
            print("  " + b, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
