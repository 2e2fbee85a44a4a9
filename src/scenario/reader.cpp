// The strict scenario reader: checks the merged YAML tree against the schema and fills a
// ScenarioSpec. It stops at the first error, found in two passes:
//   1. the tree top to bottom: keys, types, ranges, then the checks that combine values of one
//      mapping (sums, exactly-one-of, end >= start), made as soon as that mapping has been read;
//   2. references between sections (pairings, policies and shocks to counties, duplicate codes
//      and ids, policy windows and shock dates to the run, overlapping policies), in the order
//      the sections appear.
// Every message carries the file, line and column where the offending value was written.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <initializer_list>
#include <iterator>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "codev/scenario.hpp"
#include "scenario/compose.hpp"
#include "scenario/resolved.hpp"
#include "scenario/scalars.hpp"
#include "scenario/schema.hpp"
#include "scenario/template.hpp"
#include "scenario/yaml_tree.hpp"

namespace codev {

namespace scenario {

namespace {

// Range of calendar years a scenario may mention (1949: the first year of the statistics).
constexpr int kFirstYear = 1949;
constexpr int kLastYear = 2200;
// Tolerance for shares that must sum to 1, and for sums that must not exceed 1.
constexpr double kShareSumTolerance = 1e-6;
constexpr double kAtMostOneTolerance = 1e-9;
constexpr double kInfinity = std::numeric_limits<double>::infinity();

// Allowed values of a number, printed in messages as "[0, 1]", "(0, 1]", "> 0" or ">= 0".
struct Bounds {
  double lo;
  double hi;
  bool lo_open = false;
  bool hi_open = false;

  bool contains(double v) const {
    return (lo_open ? v > lo : v >= lo) && (hi_open ? v < hi : v <= hi);
  }
  std::string describe() const {
    if (hi == kInfinity) return (lo_open ? "> " : ">= ") + format_real(lo);
    return "in " + std::string(lo_open ? "(" : "[") + format_real(lo) + ", " + format_real(hi) +
           (hi_open ? ")" : "]");
  }
};

constexpr Bounds closed(double lo, double hi) { return Bounds{lo, hi}; }
constexpr Bounds kShare = closed(0.0, 1.0);
constexpr Bounds kAnyNumber{-kInfinity, kInfinity};
constexpr Bounds kCountyCode = closed(100000, 999999);
constexpr Bounds kYear = closed(kFirstYear, kLastYear);
constexpr Bounds kPersonsPerHousehold = closed(1.0, 20.0);
constexpr Bounds kGini{0.0, 0.95, false, true};
constexpr Bounds kSkillSkew = closed(0.0, 3.0);
constexpr Bounds kLandPerPerson = closed(0.0, 1000.0);
// Limits on sizes and money (docs/SCENARIOS.md, "Limits"): far above any real county, low enough
// that sizes stay in checked 64-bit arithmetic and money in the engine's float and double sums
// (a county's income total is at most 1e16 yuan a year).
constexpr Bounds kCountyPopulation{0.0, 1e9, true, false};
constexpr Bounds kIncomePerCapita{0.0, 1e7, true, false};
constexpr Bounds kGdp{0.0, 1e15, true, false};
constexpr Bounds kRevenue{0.0, 1e15, false, false};
constexpr Bounds kTalent = closed(0.0, 1e9);
constexpr Bounds kPersonsPerVillage = closed(1.0, 1e9);
constexpr Bounds kVillages = closed(1, 65535);
constexpr Bounds kFixedBudget = closed(0.0, 1e13);
constexpr Bounds kCadres = closed(0, 1e6);
constexpr Bounds kDurationMonths = closed(1, 2400);  // the longest run: 200 years

// Sums in messages: enough digits to show why a sum missed 1, few enough to read.
std::string format_sum(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.10g", value);
  return text;
}

std::string quoted(const std::string& text) { return "'" + text + "'"; }

std::string_view instrument_name(Instrument instrument) {
  return kInstrumentNames[static_cast<std::size_t>(instrument)];
}

// ---- node kinds and scalars -------------------------------------------------------------------

const Node& expect_mapping(const Node& node, const std::string& path) {
  if (node.kind == NodeKind::null) fail(node, path, "missing value");
  if (node.kind != NodeKind::mapping) {
    fail(node, path, "expected a mapping, got " + std::string(kind_name(node.kind)));
  }
  return node;
}

const Node& expect_sequence(const Node& node, const std::string& path) {
  if (node.kind == NodeKind::null) fail(node, path, "missing value");
  if (node.kind != NodeKind::sequence) {
    fail(node, path, "expected a sequence, got " + std::string(kind_name(node.kind)));
  }
  return node;
}

const std::string& scalar_text(const Node& node, const std::string& path,
                               const std::string& expected) {
  if (node.kind == NodeKind::null) fail(node, path, "missing value");
  if (node.kind != NodeKind::scalar) {
    fail(node, path, "expected " + expected + ", got " + std::string(kind_name(node.kind)));
  }
  return node.value;
}

// Numbers and booleans must be plain: "10" in quotes is a string, as YAML says.
const std::string& plain_text(const Node& node, const std::string& path,
                              const std::string& expected) {
  const std::string& text = scalar_text(node, path, expected);
  if (!node.plain) {
    fail(node, path, "expected " + expected + ", got a quoted string " + quoted(text));
  }
  return text;
}

std::string read_string(const Node& node, const std::string& path) {
  return scalar_text(node, path, "a string");
}

// Names and ids identify things in output and messages, so they may not be empty.
std::string read_name(const Node& node, const std::string& path) {
  std::string name = read_string(node, path);
  if (name.empty()) fail(node, path, "must not be empty");
  return name;
}

bool read_bool(const Node& node, const std::string& path) {
  const Parsed<bool> parsed = parse_bool(plain_text(node, path, "true or false"));
  if (!parsed.value) fail(node, path, parsed.error);
  return *parsed.value;
}

[[noreturn]] void fail_range(const Node& node, const std::string& path, const Bounds& bounds,
                             const std::string& suffix = {}) {
  fail(node, path, "must be " + bounds.describe() + suffix + ", got " + node.value);
}

double read_number(const Node& node, const std::string& path) {
  const Parsed<double> parsed = parse_real(plain_text(node, path, "a number"));
  if (!parsed.value) fail(node, path, parsed.error);
  return *parsed.value;
}

double read_real(const Node& node, const std::string& path, const Bounds& bounds) {
  const double value = read_number(node, path);
  if (!bounds.contains(value)) fail_range(node, path, bounds);
  return value;
}

std::int64_t read_int64(const Node& node, const std::string& path, const Bounds& bounds) {
  const Parsed<std::int64_t> parsed = parse_integer(plain_text(node, path, "an integer"));
  if (!parsed.value) fail(node, path, parsed.error);
  if (!bounds.contains(static_cast<double>(*parsed.value))) fail_range(node, path, bounds);
  return *parsed.value;
}

int read_int(const Node& node, const std::string& path, const Bounds& bounds) {
  const std::int64_t value = read_int64(node, path, bounds);
  if (value > std::numeric_limits<int>::max() || value < std::numeric_limits<int>::min()) {
    fail(node, path, quoted(node.value) + " is too large");
  }
  return static_cast<int>(value);
}

// One of a fixed set of names, as its index in `names`; an unknown name gets "did you mean".
std::size_t read_name_index(const Node& node, const std::string& path,
                            std::span<const std::string_view> names) {
  std::string list;
  for (std::size_t i = 0; i < names.size(); ++i) {
    const char* separator = i == 0 ? "" : i + 1 == names.size() ? " or " : ", ";
    list += separator + std::string(names[i]);
  }
  const std::string& text = scalar_text(node, path, list);
  const auto found = std::find(names.begin(), names.end(), text);
  if (found == names.end()) {
    fail(node, path, "expected " + list + ", got " + quoted(text) + did_you_mean(text, names));
  }
  return static_cast<std::size_t>(found - names.begin());
}

template <class T>
T read_choice(const Node& node, const std::string& path,
              std::initializer_list<std::pair<std::string_view, T>> choices) {
  std::vector<std::string_view> names;
  for (const auto& choice : choices) names.push_back(choice.first);
  return std::data(choices)[read_name_index(node, path, names)].second;
}

// ---- mappings ---------------------------------------------------------------------------------

// Visits entries in document order, rejecting keys the schema does not list.
template <class Handle>
void for_each_entry(const Node& map, const std::string& path, const MapSchema& schema,
                    Handle&& handle) {
  for (const Entry& entry : map.entries) {
    const std::string key_path = join_key(path, entry.key.value);
    if (!schema.has(entry.key.value)) {
      fail(entry.key, key_path, unknown_key_message(entry.key.value, schema.keys));
    }
    handle(std::string_view(entry.key.value), entry.value, key_path);
  }
}

// Checked after the entries, so that a misspelt key is reported as unknown rather than missing.
void require_keys(const Node& map, const std::string& path,
                  std::initializer_list<std::string_view> keys) {
  for (std::string_view key : keys) {
    if (map.find(key) == nullptr) {
      fail(map, path, "missing required key '" + std::string(key) + "'");
    }
  }
}

// Two values that together may not exceed 1 (a county value may fall back to a default).
void check_at_most_one(const Node& where, const std::string& path, std::string_view a_name,
                       double a, std::string_view b_name, double b) {
  if (a + b > 1.0 + kAtMostOneTolerance) {
    fail(where, path,
         std::string(a_name) + " + " + std::string(b_name) + " must be <= 1, got " +
             format_real(a) + " + " + format_real(b) + " = " + format_sum(a + b));
  }
}

// Keys that hold a number stored straight into a struct member, with their ranges. Tables keep
// the many numeric keys to one line each; keys with more to them are handled one by one.
template <class Spec, class Field>
struct NumberKey {
  std::string_view key;
  Field Spec::*field;
  Bounds bounds;
};

template <class Spec, class Field, std::size_t N>
bool read_number_key(const NumberKey<Spec, Field> (&keys)[N], std::string_view key,
                     const Node& value, const std::string& path, Spec& spec) {
  for (const NumberKey<Spec, Field>& k : keys) {
    if (k.key == key) {
      spec.*k.field = read_real(value, path, k.bounds);
      return true;
    }
  }
  return false;
}

constexpr NumberKey<IncomeShares, double> kIncomeShareNumbers[] = {
    {"wage", &IncomeShares::wage, kShare},
    {"operating", &IncomeShares::operating, kShare},
    {"property", &IncomeShares::property, kShare},
    {"transfer", &IncomeShares::transfer, kShare}};

constexpr NumberKey<PopulationSpec, double> kPopulationNumbers[] = {
    {"scale", &PopulationSpec::scale, {0.0, 1.0, true, false}},
    {"persons_per_household", &PopulationSpec::persons_per_household, kPersonsPerHousehold},
    {"gini", &PopulationSpec::gini, kGini},
    {"land_per_person", &PopulationSpec::land_per_person, kLandPerPerson},
    {"lifted_share", &PopulationSpec::lifted_share, kShare},
    {"worker_share", &PopulationSpec::worker_share, kShare},
    {"elderly_share", &PopulationSpec::elderly_share, kShare},
    {"migrant_share", &PopulationSpec::migrant_share, kShare},
    {"local_job_share", &PopulationSpec::local_job_share, kShare},
    {"chronic_share", &PopulationSpec::chronic_share, kShare},
    {"skill_skew", &PopulationSpec::skill_skew, kSkillSkew},
    {"persons_per_village", &PopulationSpec::persons_per_village, kPersonsPerVillage}};

constexpr NumberKey<CountySpec, double> kCountyNumbers[] = {
    {"population", &CountySpec::population, kCountyPopulation},
    {"income_per_capita", &CountySpec::income_per_capita, kIncomePerCapita}};

constexpr NumberKey<CountySpec, std::optional<double>> kCountyOptionalNumbers[] = {
    {"persons_per_household", &CountySpec::persons_per_household, kPersonsPerHousehold},
    {"gini", &CountySpec::gini, kGini},
    {"land_per_person", &CountySpec::land_per_person, kLandPerPerson},
    {"lifted_share", &CountySpec::lifted_share, kShare},
    {"migrant_share", &CountySpec::migrant_share, kShare},
    {"local_job_share", &CountySpec::local_job_share, kShare},
    {"gdp", &CountySpec::gdp, kGdp},
    {"revenue", &CountySpec::revenue, kRevenue},
    {"agriculture_share", &CountySpec::agriculture_share, kShare},
    {"specialty_share", &CountySpec::specialty_share, kShare},
    {"governance", &CountySpec::governance, kShare},
    {"talent", &CountySpec::talent, kTalent}};

constexpr NumberKey<BudgetSpec, std::optional<double>> kBudgetNumbers[] = {
    {"fixed_per_year", &BudgetSpec::fixed_per_year, kFixedBudget},
    {"share_of_revenue", &BudgetSpec::share_of_revenue, kShare}};

// Where another node is, as "line N" in the same file or "file:N" in another.
std::string where(const Node& other, const Node& here) {
  if (other.source->name == here.source->name) return "line " + std::to_string(other.line);
  return other.source->name + ":" + std::to_string(other.line);
}

IncomeShares read_income_shares(const Node& node, const std::string& path) {
  const Node& map = expect_mapping(node, path);
  IncomeShares shares;
  for_each_entry(map, path, kIncomeSharesSchema,
                 [&](std::string_view key, const Node& value, const std::string& key_path) {
                   read_number_key(kIncomeShareNumbers, key, value, key_path, shares);
                 });
  // All four are required: a partial set would mix with defaults that were never meant together.
  require_keys(map, path, {"wage", "operating", "property", "transfer"});
  const double sum = shares.wage + shares.operating + shares.property + shares.transfer;
  if (std::abs(sum - 1.0) > kShareSumTolerance) {
    fail(map, path, "shares must sum to 1, got " + format_sum(sum));
  }
  return shares;
}

// Bookkeeping for pass 2: the nodes that cross-section checks report at.
struct CountyNodes {
  const Node* map;
  const Node* code;
  std::string path;
  const Node* aid_history = nullptr;
};

struct PairingNodes {
  const Node* map;
  const Node* id;  ///< nullptr when the id is the default donor-recipient
  const Node* donor;
  const Node* recipient;
  std::string path;
};

struct ProgrammeNodes {
  const Node* map;
  const Node* id;
  std::vector<const Node*> counties;
  const Node* weights;  ///< nullptr without weights
  std::string path;
};

struct PolicyNodes {
  const Node* map;
  const Node* start;  ///< nullptr when the start is the run's first year
  const Node* end;    ///< nullptr when the end is the run's last year
  std::vector<const Node*> counties;
  std::string path;
};

struct ShockNodes {
  const Node* year;
  const Node* month;  ///< nullptr when the month is the default
  std::vector<const Node*> counties;
  std::string path;
};

class SpecReader {
 public:
  ScenarioSpec read(const Node& root) {
    for_each_entry(root, "", kTopSchema,
                   [&](std::string_view key, const Node& value, const std::string& path) {
                     if (key == "meta") {
                       read_meta(value, path);
                     } else if (key == "population") {
                       read_population(value, path);
                     } else if (key == "counties") {
                       read_counties(value, path);
                     } else if (key == "pairings") {
                       read_pairings(value, path);
                     } else if (key == "programmes") {
                       read_programmes(value, path);
                     } else if (key == "policies") {
                       read_policies(value, path);
                     } else if (key == "parameters") {
                       read_parameters(value, path);
                     } else if (key == "shocks") {
                       read_shocks(value, path);
                     } else if (key == "outputs") {
                       read_outputs(value, path);
                     }
                   });
    require_keys(root, "", {"meta", "counties"});
    // A parameter with a time path holds its start-year value as its scalar.
    for (const ParameterPath& path : spec_.parameter_paths) {
      for (const ParameterRef& info : all_parameters()) {
        if (info.group == path.group && info.name == path.name) {
          info.value(spec_.parameters) = path.at(spec_.start_year);
        }
      }
    }
    for (std::size_t i = 0; i < spec_.counties.size(); ++i) {
      county_index_.emplace(spec_.counties[i].code, i);
    }
    for (const Entry& entry : root.entries) {
      if (entry.key.value == "counties") {
        check_counties();
      } else if (entry.key.value == "pairings") {
        check_pairings();
      } else if (entry.key.value == "programmes") {
        check_programmes();
      } else if (entry.key.value == "policies") {
        check_policies();
      } else if (entry.key.value == "shocks") {
        check_shocks();
      }
    }
    return std::move(spec_);
  }

 private:
  // ---- pass 1 ---------------------------------------------------------------------------------

  void read_meta(const Node& node, const std::string& path) {
    const Node& map = expect_mapping(node, path);
    for_each_entry(map, path, kMetaSchema,
                   [&](std::string_view key, const Node& value, const std::string& key_path) {
                     if (key == "name") {
                       spec_.name = read_name(value, key_path);
                     } else if (key == "description") {
                       spec_.description = read_string(value, key_path);
                     } else if (key == "start") {
                       read_start(value, key_path);
                     } else if (key == "years") {
                       spec_.years = read_int(value, key_path, closed(1, 200));
                     } else if (key == "step_months") {
                       read_step_months(value, key_path);
                     } else {
                       read_seed(value, key_path);
                     }
                   });
    require_keys(map, path, {"name", "start", "years"});
  }

  void read_start(const Node& node, const std::string& path) {
    const std::string& text = scalar_text(node, path, "a year-month like 2023-01");
    const auto digits = [&](std::size_t from, std::size_t n) {
      return std::all_of(text.begin() + static_cast<std::ptrdiff_t>(from),
                         text.begin() + static_cast<std::ptrdiff_t>(from + n),
                         [](char c) { return c >= '0' && c <= '9'; });
    };
    if (text.size() != 7 || text[4] != '-' || !digits(0, 4) || !digits(5, 2)) {
      fail(node, path, "expected a year-month like 2023-01, got " + quoted(text));
    }
    const int year = std::stoi(text.substr(0, 4));
    const int month = std::stoi(text.substr(5, 2));
    if (!kYear.contains(year)) {
      fail(node, path, "year must be " + kYear.describe() + ", got " + std::to_string(year));
    }
    if (month < 1 || month > 12) {
      fail(node, path, "month must be in [1, 12], got " + std::to_string(month));
    }
    spec_.start_year = year;
    spec_.start_month = month;
  }

  void read_step_months(const Node& node, const std::string& path) {
    const std::int64_t step = read_int64(node, path, kAnyNumber);
    if (step != 1 && step != 3 && step != 12) {
      fail(node, path, "must be 1, 3 or 12, got " + node.value);
    }
    spec_.step_months = static_cast<int>(step);
  }

  void read_seed(const Node& node, const std::string& path) {
    const Parsed<std::uint64_t> parsed = parse_unsigned(plain_text(node, path, "an integer"));
    if (!parsed.value) fail(node, path, parsed.error);
    spec_.seed = *parsed.value;
  }

  void read_population(const Node& node, const std::string& path) {
    const Node& map = expect_mapping(node, path);
    PopulationSpec& p = spec_.population;
    for_each_entry(map, path, kPopulationSchema,
                   [&](std::string_view key, const Node& value, const std::string& key_path) {
                     if (key == "income_shares") {
                       p.income_shares = read_income_shares(value, key_path);
                     } else {
                       read_number_key(kPopulationNumbers, key, value, key_path, p);
                     }
                   });
    check_at_most_one(map, path, "migrant_share", p.migrant_share, "local_job_share",
                      p.local_job_share);
    check_at_most_one(map, path, "worker_share", p.worker_share, "elderly_share", p.elderly_share);
  }

  void read_counties(const Node& node, const std::string& path) {
    const Node& list = expect_sequence(node, path);
    if (list.items.empty()) fail(list, path, "list at least one county");
    for (std::size_t i = 0; i < list.items.size(); ++i) {
      read_county(list.items[i], join_index(path, i));
    }
  }

  void read_county(const Node& node, const std::string& path) {
    const Node& map = expect_mapping(node, path);
    CountySpec c;
    c.mark = map.mark();
    const Node* code_node = nullptr;
    const Node* villages_node = nullptr;
    const Node* revenue_node = nullptr;
    const Node* history_node = nullptr;
    for_each_entry(
        map, path, kCountySchema,
        [&](std::string_view key, const Node& value, const std::string& key_path) {
          if (read_number_key(kCountyNumbers, key, value, key_path, c) ||
              read_number_key(kCountyOptionalNumbers, key, value, key_path, c)) {
            if (key == "revenue") revenue_node = &value;
            return;
          }
          if (key == "code") {
            c.code = read_int64(value, key_path, kCountyCode);
            code_node = &value;
          } else if (key == "name") {
            c.name = read_name(value, key_path);
          } else if (key == "name_zh") {
            c.name_zh = read_string(value, key_path);
          } else if (key == "prefecture") {
            c.prefecture = read_string(value, key_path);
          } else if (key == "role") {
            c.role = read_choice<Role>(
                value, key_path,
                {{"donor", Role::donor}, {"recipient", Role::recipient}, {"other", Role::other}});
          } else if (key == "income_shares") {
            c.income_shares = read_income_shares(value, key_path);
          } else if (key == "villages") {
            c.villages = read_int(value, key_path, kVillages);
            villages_node = &value;
          } else if (key == "aid_history") {
            // Yuan spent on the county by year: a mapping {year: yuan, ...}, never one number.
            const Node& history = expect_mapping(value, key_path);
            c.aid_history = read_time_path(
                history, key_path,
                [](const Node& v, const std::string& p) { return read_real(v, p, kFixedBudget); });
            history_node = &history;
          } else if (key == "estimate") {
            c.estimate = read_bool(value, key_path);
          } else {
            c.source = read_string(value, key_path);
          }
        });
    require_keys(map, path, {"code", "name", "role", "population", "income_per_capita"});
    // A village has at least one resident.
    if (c.villages && *c.villages > c.population) {
      fail(
          *villages_node, join_key(path, "villages"),
          "must be <= population (" + format_real(c.population) + "), got " + villages_node->value);
    }
    // Revenue is collected out of GDP: its share of GDP is the county's tax rate.
    const double gdp =
        c.gdp.value_or(kDefaultGdpPerRuralIncome * c.income_per_capita * c.population);
    if (c.revenue && *c.revenue > gdp) {
      fail(*revenue_node, join_key(path, "revenue"),
           "must be <= gdp (" + format_real(gdp) + (c.gdp ? "" : ", the default") + "), got " +
               revenue_node->value);
    }
    check_at_most_one(map, path, "agriculture_share",
                      c.agriculture_share.value_or(kDefaultAgricultureShare), "specialty_share",
                      c.specialty_share.value_or(kDefaultSpecialtyShare));
    county_nodes_.push_back(CountyNodes{&map, code_node, path, history_node});
    spec_.counties.push_back(std::move(c));
  }

  void read_pairings(const Node& node, const std::string& path) {
    const Node& list = expect_sequence(node, path);
    for (std::size_t i = 0; i < list.items.size(); ++i) {
      read_pairing(list.items[i], join_index(path, i));
    }
  }

  void read_pairing(const Node& node, const std::string& path) {
    const Node& map = expect_mapping(node, path);
    PairingSpec p;
    p.mark = map.mark();
    PairingNodes nodes{&map, nullptr, nullptr, nullptr, path};
    const Node* end_node = nullptr;
    for_each_entry(map, path, kPairingSchema,
                   [&](std::string_view key, const Node& value, const std::string& key_path) {
                     if (key == "id") {
                       p.id = read_name(value, key_path);
                       nodes.id = &value;
                     } else if (key == "donor") {
                       p.donor = read_int64(value, key_path, kCountyCode);
                       nodes.donor = &value;
                     } else if (key == "recipient") {
                       p.recipient = read_int64(value, key_path, kCountyCode);
                       nodes.recipient = &value;
                     } else if (key == "start_year") {
                       p.start_year = read_int(value, key_path, kYear);
                     } else if (key == "end_year") {
                       p.end_year = read_int(value, key_path, kYear);
                       end_node = &value;
                     } else if (key == "cadres") {
                       p.cadres = read_int(value, key_path, kCadres);
                     } else if (key == "cadre_term_years") {
                       p.cadre_term_years = read_real(value, key_path, {0.0, 10.0, true, false});
                     } else if (key == "budget") {
                       p.budget = read_budget(value, key_path);
                     } else if (key == "allocation") {
                       p.allocation = read_allocation(value, key_path);
                     } else {
                       p.source = read_string(value, key_path);
                     }
                   });
    require_keys(map, path, {"donor", "recipient", "start_year", "end_year", "budget"});
    if (p.end_year < p.start_year) {
      fail(*end_node, join_key(path, "end_year"),
           "must be >= start_year (" + std::to_string(p.start_year) + "), got " + end_node->value);
    }
    if (p.donor == p.recipient) {
      fail(*nodes.recipient, join_key(path, "recipient"), "a county cannot be paired with itself");
    }
    if (p.id.empty()) p.id = std::to_string(p.donor) + "-" + std::to_string(p.recipient);
    pairing_nodes_.push_back(std::move(nodes));
    spec_.pairings.push_back(std::move(p));
  }

  static BudgetSpec read_budget(const Node& node, const std::string& path) {
    const Node& map = expect_mapping(node, path);
    BudgetSpec budget;
    for_each_entry(map, path, kBudgetSchema,
                   [&](std::string_view key, const Node& value, const std::string& key_path) {
                     read_number_key(kBudgetNumbers, key, value, key_path, budget);
                   });
    if (budget.fixed_per_year && budget.share_of_revenue) {
      fail(map, path, "give exactly one of fixed_per_year and share_of_revenue, not both");
    }
    if (!budget.fixed_per_year && !budget.share_of_revenue) {
      fail(map, path, "give one of fixed_per_year or share_of_revenue");
    }
    return budget;
  }

  // Keys left out keep the registered default shares (pairings) or are 0 (`zero_default`:
  // programmes, which say what they fund).
  static AllocationSpec read_allocation(const Node& node, const std::string& path,
                                        bool zero_default = false) {
    const Node& map = expect_mapping(node, path);
    AllocationSpec a;
    if (zero_default) a.share.fill(0.0);
    for_each_entry(map, path, kAllocationSchema,
                   [&](std::string_view key, const Node& value, const std::string& key_path) {
                     const auto k = static_cast<std::size_t>(
                         std::find(std::begin(kInstrumentNames), std::end(kInstrumentNames), key) -
                         std::begin(kInstrumentNames));
                     a.share[k] = read_real(value, key_path, kShare);
                   });
    double sum = 0.0;
    for (double share : a.share) sum += share;
    if (std::abs(sum - 1.0) > kShareSumTolerance) {
      fail(map, path, "shares must sum to 1, got " + format_sum(sum));
    }
    return a;
  }

  void read_programmes(const Node& node, const std::string& path) {
    const Node& list = expect_sequence(node, path);
    for (std::size_t i = 0; i < list.items.size(); ++i) {
      read_programme(list.items[i], join_index(path, i));
    }
  }

  void read_programme(const Node& node, const std::string& path) {
    const Node& map = expect_mapping(node, path);
    ProgrammeSpec p;
    p.mark = map.mark();
    ProgrammeNodes nodes{&map, nullptr, {}, nullptr, path};
    const Node* end_node = nullptr;
    bool per_resident = false;
    for_each_entry(map, path, kProgrammeSchema,
                   [&](std::string_view key, const Node& value, const std::string& key_path) {
                     if (key == "id") {
                       p.id = read_name(value, key_path);
                       nodes.id = &value;
                     } else if (key == "name") {
                       p.name = read_string(value, key_path);
                     } else if (key == "payer") {
                       p.payer = static_cast<Payer>(read_name_index(value, key_path, kPayerNames));
                     } else if (key == "start_year") {
                       p.start_year = read_int(value, key_path, kYear);
                     } else if (key == "end_year") {
                       p.end_year = read_int(value, key_path, kYear);
                       end_node = &value;
                     } else if (key == "counties") {
                       p.counties =
                           read_county_list(value, key_path, "every recipient", nodes.counties);
                     } else if (key == "weights") {
                       p.weights = read_weights(value, key_path);
                       nodes.weights = &value;
                     } else if (key == "budget") {
                       per_resident = read_programme_budget(value, key_path, p);
                     } else if (key == "allocation") {
                       p.allocation = read_allocation(value, key_path, true);
                     } else {
                       p.source = read_string(value, key_path);
                     }
                   });
    require_keys(map, path, {"id", "payer", "start_year", "end_year", "budget", "allocation"});
    if (p.end_year < p.start_year) {
      fail(*end_node, join_key(path, "end_year"),
           "must be >= start_year (" + std::to_string(p.start_year) + "), got " + end_node->value);
    }
    if (nodes.weights != nullptr) {
      if (per_resident) {
        fail(*nodes.weights, join_key(path, "weights"),
             "applies only to budget.fixed_per_year (a budget per resident needs no split)");
      }
      if (p.counties.empty()) {
        fail(*nodes.weights, join_key(path, "weights"),
             "weights need the counties they weigh: list `counties` too");
      }
      if (p.weights.size() != p.counties.size()) {
        fail(*nodes.weights, join_key(path, "weights"),
             "gives " + std::to_string(p.weights.size()) +
                 (p.weights.size() == 1 ? " weight for " : " weights for ") +
                 std::to_string(p.counties.size()) +
                 (p.counties.size() == 1 ? " county" : " counties") + ": one per county");
      }
    }
    programme_nodes_.push_back(std::move(nodes));
    spec_.programmes.push_back(std::move(p));
  }

  static std::vector<double> read_weights(const Node& node, const std::string& path) {
    const Node& list = expect_sequence(node, path);
    std::vector<double> weights;
    double sum = 0.0;
    for (std::size_t i = 0; i < list.items.size(); ++i) {
      weights.push_back(read_real(list.items[i], join_index(path, i), closed(0.0, 1e15)));
      sum += weights.back();
    }
    if (!(sum > 0.0)) fail(list, path, "at least one weight must be > 0");
    return weights;
  }

  // budget: exactly one of per_resident and fixed_per_year, each a value or a time path. Returns
  // whether the budget is per resident.
  static bool read_programme_budget(const Node& node, const std::string& path, ProgrammeSpec& p) {
    const Node& map = expect_mapping(node, path);
    for_each_entry(map, path, kProgrammeBudgetSchema,
                   [&](std::string_view key, const Node& value, const std::string& key_path) {
                     if (key == "per_resident") {
                       p.per_resident = read_year_points(value, key_path, closed(0.0, 1e7));
                     } else {
                       p.fixed_per_year = read_year_points(value, key_path, kFixedBudget);
                     }
                   });
    const bool resident = !p.per_resident.empty(), fixed = !p.fixed_per_year.empty();
    if (resident && fixed) {
      fail(map, path, "give exactly one of per_resident and fixed_per_year, not both");
    }
    if (!resident && !fixed) fail(map, path, "give one of per_resident or fixed_per_year");
    return resident;
  }

  // A value, or a time path {year: value, ...} with years strictly increasing; each value in
  // `bounds`.
  static YearPoints read_year_points(const Node& node, const std::string& path,
                                     const Bounds& bounds) {
    const auto value = [&](const Node& v, const std::string& p) { return read_real(v, p, bounds); };
    if (node.kind != NodeKind::mapping) return {{kFirstYear, value(node, path)}};
    return read_time_path(node, path, value);
  }

  // The entries of a time path {year: value, ...}: at least one, years strictly increasing, each
  // value read by `read_value`.
  template <class ReadValue>
  static YearPoints read_time_path(const Node& map, const std::string& path,
                                   ReadValue&& read_value) {
    if (map.entries.empty()) fail(map, path, "a time path needs at least one year");
    YearPoints points;
    for (const Entry& entry : map.entries) {
      const std::string year_path = join_key(path, entry.key.value);
      const int year = read_int(entry.key, year_path, kYear);
      if (!points.empty() && year <= points.back().first) {
        fail(entry.key, year_path,
             "years of a time path must increase, got " + std::to_string(year) + " after " +
                 std::to_string(points.back().first));
      }
      points.emplace_back(year, read_value(entry.value, year_path));
    }
    return points;
  }

  void read_policies(const Node& node, const std::string& path) {
    const Node& list = expect_sequence(node, path);
    for (std::size_t i = 0; i < list.items.size(); ++i) {
      read_policy(list.items[i], join_index(path, i));
    }
  }

  void read_policy(const Node& node, const std::string& path) {
    const Node& map = expect_mapping(node, path);
    PolicySpec p;
    p.mark = map.mark();
    PolicyNodes nodes{&map, nullptr, nullptr, {}, path};
    const Node* targeting_node = nullptr;
    for_each_entry(
        map, path, kPolicySchema,
        [&](std::string_view key, const Node& value, const std::string& key_path) {
          if (key == "instrument") {
            p.instrument = read_instrument(value, key_path);
          } else if (key == "start_year") {
            p.start_year = read_int(value, key_path, kYear);
            nodes.start = &value;
          } else if (key == "end_year") {
            p.end_year = read_int(value, key_path, kYear);
            nodes.end = &value;
          } else if (key == "counties") {
            p.counties = read_county_list(value, key_path, "every recipient", nodes.counties);
          } else {
            p.targeting = read_choice<PolicySpec::Targeting>(
                value, key_path,
                {{"need", PolicySpec::Targeting::need}, {"equal", PolicySpec::Targeting::equal}});
            targeting_node = &value;
          }
        });
    require_keys(map, path, {"instrument"});
    if (nodes.start != nullptr && nodes.end != nullptr && p.end_year < p.start_year) {
      fail(*nodes.end, join_key(path, "end_year"),
           "must be >= start_year (" + std::to_string(p.start_year) + "), got " + nodes.end->value);
    }
    // Only the collective economy chooses between villages; elsewhere the key would do nothing.
    if (targeting_node != nullptr && !instrument_info(p.instrument).has_targeting) {
      std::string targeted;
      for (int k = 0; k < kNumInstruments; ++k) {
        if (!instrument_info(k).has_targeting) continue;
        targeted += (targeted.empty() ? "" : ", ") + std::string(kInstrumentNames[k]);
      }
      fail(*targeting_node, join_key(path, "targeting"),
           "applies only to instrument " + targeted + ", not " +
               std::string(instrument_name(p.instrument)));
    }
    policy_nodes_.push_back(std::move(nodes));
    spec_.policies.push_back(std::move(p));
  }

  static Instrument read_instrument(const Node& node, const std::string& path) {
    return static_cast<Instrument>(read_name_index(node, path, kInstrumentNames));
  }

  void read_parameters(const Node& node, const std::string& path) {
    const Node& map = expect_mapping(node, path);
    const MapSchema& groups = parameters_schema();
    for_each_entry(map, path, groups,
                   [&](std::string_view group, const Node& value, const std::string& group_path) {
                     read_parameter_group(group, value, group_path, *groups.child(group));
                   });
  }

  void read_parameter_group(std::string_view group, const Node& node, const std::string& path,
                            const MapSchema& names) {
    const Node& map = expect_mapping(node, path);
    for_each_entry(map, path, names,
                   [&](std::string_view name, const Node& value, const std::string& key_path) {
                     const std::vector<ParameterRef>& all = all_parameters();
                     const ParameterRef& info = *std::find_if(
                         all.begin(), all.end(),
                         [&](const ParameterRef& p) { return p.group == group && p.name == name; });
                     if (value.kind == NodeKind::mapping) {
                       read_parameter_path(info, value, key_path);
                       return;
                     }
                     info.value(spec_.parameters) = read_parameter_value(info, value, key_path);
                   });
  }

  double read_parameter_value(const ParameterRef& info, const Node& value,
                              const std::string& key_path) {
    const double x = read_real(value, key_path, closed(info.min, info.max));
    if (info.is_integer && x != std::floor(x)) {
      fail(value, key_path, "must be a whole number, got " + value.value);
    }
    return x;
  }

  // A time path: {year: value, ...} with years strictly increasing, each value checked like the
  // parameter's own. The scalar takes the path's start-year value once meta is read.
  void read_parameter_path(const ParameterRef& info, const Node& map, const std::string& path) {
    // Parameters that set up the initial state only, or that are indexed from their start-year
    // value, cannot have a time path: it would be read once and silently ignored after.
    static constexpr std::string_view kSetupOnly[] = {
        "labour.local_wage",      "labour.migrant_wage",   "labour.migrant_remit",
        "labour.taste_sd",        "county.capital_output", "farm.land_elasticity",
        "farm.capital_elasticity"};
    static constexpr std::string_view kIndexed[] = {"poverty.line", "transfer.pension",
                                                    "transfer.allowance_line"};
    const std::string full = std::string(info.group) + "." + std::string(info.name);
    for (std::string_view name : kSetupOnly) {
      if (full == name) {
        fail(map, path,
             "sets up the initial state only, so it cannot change over time: give one value");
      }
    }
    for (std::string_view name : kIndexed) {
      if (full == name) {
        fail(map, path,
             "is the start-year value, indexed every year by poverty.line_growth: give one value "
             "(poverty.line_growth may be a time path)");
      }
    }
    ParameterPath p;
    p.mark = map.mark();
    p.group = std::string(info.group);
    p.name = std::string(info.name);
    p.points = read_time_path(map, path, [&](const Node& value, const std::string& year_path) {
      return read_parameter_value(info, value, year_path);
    });
    spec_.parameter_paths.push_back(std::move(p));
  }

  void read_shocks(const Node& node, const std::string& path) {
    const Node& list = expect_sequence(node, path);
    for (std::size_t i = 0; i < list.items.size(); ++i) {
      read_shock(list.items[i], join_index(path, i));
    }
  }

  void read_shock(const Node& node, const std::string& path) {
    const Node& map = expect_mapping(node, path);
    ShockSpec s;
    s.mark = map.mark();
    ShockNodes nodes{nullptr, nullptr, {}, path};
    const Node* severity_node = nullptr;
    const Node* duration_node = nullptr;
    for_each_entry(
        map, path, kShockSchema,
        [&](std::string_view key, const Node& value, const std::string& key_path) {
          if (key == "type") {
            s.type = read_choice<ShockSpec::Type>(
                value, key_path,
                {{"disaster", ShockSpec::Type::disaster}, {"price", ShockSpec::Type::price}});
          } else if (key == "counties") {
            s.counties = read_county_list(value, key_path, "every county", nodes.counties);
          } else if (key == "year") {
            s.year = read_int(value, key_path, kYear);
            nodes.year = &value;
          } else if (key == "month") {
            s.month = read_int(value, key_path, closed(1, 12));
            nodes.month = &value;
          } else if (key == "severity") {
            s.severity = read_number(value, key_path);
            severity_node = &value;
          } else {
            s.duration_months = read_int(value, key_path, kDurationMonths);
            duration_node = &value;
          }
        });
    require_keys(map, path, {"type", "year", "severity"});
    // Severity means a share lost for a disaster and a price change for a price shock.
    const bool disaster = s.type == ShockSpec::Type::disaster;
    const Bounds severity_bounds = disaster ? kShare : Bounds{-1.0, 10.0, true, false};
    if (!severity_bounds.contains(s.severity)) {
      fail_range(*severity_node, join_key(path, "severity"), severity_bounds,
                 disaster ? " for a disaster" : " for a price shock");
    }
    if (disaster && duration_node != nullptr) {
      fail(*duration_node, join_key(path, "duration_months"), "applies only to price shocks");
    }
    shock_nodes_.push_back(std::move(nodes));
    spec_.shocks.push_back(std::move(s));
  }

  // A list of county codes (shocks, policies) where leaving the key out means `all`. A county
  // listed twice would be hit, or funded, twice.
  static std::vector<std::int64_t> read_county_list(const Node& node, const std::string& path,
                                                    const std::string& all,
                                                    std::vector<const Node*>& item_nodes) {
    const Node& list = expect_sequence(node, path);
    if (list.items.empty()) {
      fail(list, path, "list at least one county, or leave the key out for " + all);
    }
    std::vector<std::int64_t> codes;
    for (std::size_t i = 0; i < list.items.size(); ++i) {
      const std::string item_path = join_index(path, i);
      const std::int64_t code = read_int64(list.items[i], item_path, kCountyCode);
      const auto seen = std::find(codes.begin(), codes.end(), code);
      if (seen != codes.end()) {
        const auto first = static_cast<std::size_t>(seen - codes.begin());
        fail(list.items[i], item_path,
             "county " + std::to_string(code) + " is listed twice (first at " +
                 join_index(path, first) + ")");
      }
      codes.push_back(code);
      item_nodes.push_back(&list.items[i]);
    }
    return codes;
  }

  void read_outputs(const Node& node, const std::string& path) {
    const Node& map = expect_mapping(node, path);
    for_each_entry(map, path, kOutputSchema,
                   [&](std::string_view, const Node& value, const std::string& key_path) {
                     read_household_panel(value, key_path);
                   });
  }

  void read_household_panel(const Node& node, const std::string& path) {
    OutputSpec& out = spec_.outputs;
    if (node.kind == NodeKind::mapping) {
      for_each_entry(node, path, kPanelSchema,
                     [&](std::string_view, const Node& value, const std::string& key_path) {
                       out.panel_per_county = read_int(value, key_path, closed(1, kInfinity));
                     });
      require_keys(node, path, {"per_county"});
      out.panel = OutputSpec::Panel::per_county;
      return;
    }
    out.panel_per_county = 0;
    out.panel = read_choice<OutputSpec::Panel>(
        node, path, {{"none", OutputSpec::Panel::none}, {"all", OutputSpec::Panel::all}});
  }

  // ---- pass 2 ---------------------------------------------------------------------------------

  void check_counties() {
    std::unordered_map<std::int64_t, std::size_t> first;
    for (std::size_t i = 0; i < spec_.counties.size(); ++i) {
      const CountySpec& c = spec_.counties[i];
      const CountyNodes& nodes = county_nodes_[i];
      const auto [seen, inserted] = first.emplace(c.code, i);
      if (!inserted) {
        const CountyNodes& other = county_nodes_[seen->second];
        fail(*nodes.code, join_key(nodes.path, "code"),
             "duplicate county code " + std::to_string(c.code) + " (first at " + other.path + ", " +
                 where(*other.code, *nodes.code) + ")");
      }
      // Shares of workers: a county value falls back to the scenario-wide population default.
      check_at_most_one(*nodes.map, nodes.path, "migrant_share",
                        c.migrant_share.value_or(spec_.population.migrant_share), "local_job_share",
                        c.local_job_share.value_or(spec_.population.local_job_share));
      // The history is what came before the run: its years end before the start year.
      if (nodes.aid_history != nullptr) {
        for (std::size_t k = 0; k < c.aid_history.size(); ++k) {
          const int year = c.aid_history[k].first;
          if (year >= spec_.start_year) {
            const Entry& entry = nodes.aid_history->entries[k];
            fail(entry.key, join_key(join_key(nodes.path, "aid_history"), entry.key.value),
                 "years of the aid history must be before the run's start year (" +
                     std::to_string(spec_.start_year) + "), got " + std::to_string(year));
          }
        }
      }
    }
  }

  // A reference to a county by code, and the role the county must have there.
  void check_county_ref(const Node& node, const std::string& path, std::int64_t code,
                        Role role) const {
    const auto found = county_index_.find(code);
    if (found == county_index_.end()) fail(node, path, "unknown county " + std::to_string(code));
    const CountySpec& county = spec_.counties[found->second];
    if (county.role != role) {
      const auto name = [](Role r) {
        return r == Role::donor ? "donor" : r == Role::recipient ? "recipient" : "other";
      };
      fail(node, path,
           "county " + std::to_string(code) + " (" + county.name + ") has role " +
               name(county.role) + ", expected " + name(role));
    }
  }

  void check_pairings() {
    std::unordered_map<std::string, std::size_t> first;
    for (std::size_t i = 0; i < spec_.pairings.size(); ++i) {
      const PairingSpec& p = spec_.pairings[i];
      const PairingNodes& nodes = pairing_nodes_[i];
      if (nodes.id != nullptr) check_pairing_id(first, i);
      check_county_ref(*nodes.donor, join_key(nodes.path, "donor"), p.donor, Role::donor);
      check_county_ref(*nodes.recipient, join_key(nodes.path, "recipient"), p.recipient,
                       Role::recipient);
      if (nodes.id == nullptr) check_pairing_id(first, i);
    }
  }

  // Ids are checked where they stand: a written id before the donor, a default one after it.
  void check_pairing_id(std::unordered_map<std::string, std::size_t>& first, std::size_t i) const {
    const PairingNodes& nodes = pairing_nodes_[i];
    const auto [seen, inserted] = first.emplace(spec_.pairings[i].id, i);
    if (inserted) return;
    const PairingNodes& other = pairing_nodes_[seen->second];
    const Node& here = nodes.id != nullptr ? *nodes.id : *nodes.map;
    const Node& there = other.id != nullptr ? *other.id : *other.map;
    fail(here, nodes.id != nullptr ? join_key(nodes.path, "id") : nodes.path,
         "duplicate pairing id " + quoted(spec_.pairings[i].id) + " (first at " + other.path +
             ", " + where(there, here) + ")");
  }

  // Programme ids are unique (they name the columns of /programmes and --set paths); listed
  // counties exist (any role: central money reaches counties that no donor helps).
  void check_programmes() const {
    std::unordered_map<std::string, std::size_t> first;
    for (std::size_t i = 0; i < spec_.programmes.size(); ++i) {
      const ProgrammeSpec& p = spec_.programmes[i];
      const ProgrammeNodes& nodes = programme_nodes_[i];
      const auto [seen, inserted] = first.emplace(p.id, i);
      if (!inserted) {
        const ProgrammeNodes& other = programme_nodes_[seen->second];
        fail(*nodes.id, join_key(nodes.path, "id"),
             "duplicate programme id " + quoted(p.id) + " (first at " + other.path + ", " +
                 where(*other.id, *nodes.id) + ")");
      }
      for (std::size_t j = 0; j < p.counties.size(); ++j) {
        if (county_index_.find(p.counties[j]) == county_index_.end()) {
          fail(*nodes.counties[j], join_index(join_key(nodes.path, "counties"), j),
               "unknown county " + std::to_string(p.counties[j]));
        }
      }
      if (p.counties.empty() &&
          std::none_of(spec_.counties.begin(), spec_.counties.end(),
                       [](const CountySpec& c) { return c.role == Role::recipient; })) {
        fail(*nodes.map, nodes.path,
             "no county has role recipient, so list the programme's `counties`");
      }
    }
  }

  // The calendar years the run touches: `years` x 12 months from the start month.
  int run_last_year() const {
    return (spec_.start_year * 12 + spec_.start_month - 1 + spec_.years * 12 - 1) / 12;
  }

  void check_policies() {
    const Bounds run_years = closed(spec_.start_year, run_last_year());
    for (std::size_t i = 0; i < spec_.policies.size(); ++i) {
      PolicySpec& p = spec_.policies[i];
      const PolicyNodes& nodes = policy_nodes_[i];
      for (std::size_t j = 0; j < p.counties.size(); ++j) {
        check_county_ref(*nodes.counties[j], join_index(join_key(nodes.path, "counties"), j),
                         p.counties[j], Role::recipient);
      }
      // Defaults are filled in here, where the run is known (meta may come later in the file).
      if (nodes.start != nullptr) {
        if (!run_years.contains(p.start_year)) {
          fail_range(*nodes.start, join_key(nodes.path, "start_year"), run_years,
                     " (the simulated years)");
        }
      } else {
        p.start_year = spec_.start_year;
      }
      if (nodes.end != nullptr) {
        if (!run_years.contains(p.end_year)) {
          fail_range(*nodes.end, join_key(nodes.path, "end_year"), run_years,
                     " (the simulated years)");
        }
      } else {
        p.end_year = run_last_year();
      }
      for (std::size_t k = 0; k < i; ++k) check_policy_overlap(k, i);
    }
  }

  // Two entries may not enable one instrument twice for a county in a year: the money would be
  // counted twice, and which entry's targeting applies would be ambiguous.
  void check_policy_overlap(std::size_t earlier, std::size_t later) const {
    const PolicySpec& a = spec_.policies[earlier];
    const PolicySpec& b = spec_.policies[later];
    if (a.instrument != b.instrument) return;
    const int from = std::max(a.start_year, b.start_year);
    const int to = std::min(a.end_year, b.end_year);
    if (from > to) return;
    const auto covers = [&](const PolicySpec& p, std::int64_t code) {
      return p.counties.empty() ||
             std::find(p.counties.begin(), p.counties.end(), code) != p.counties.end();
    };
    // The first shared county in the later entry's order (or the county list's, for all).
    std::vector<std::int64_t> candidates = b.counties;
    if (candidates.empty()) {
      for (const CountySpec& c : spec_.counties) {
        if (c.role == Role::recipient) candidates.push_back(c.code);
      }
    }
    for (std::int64_t code : candidates) {
      if (!covers(a, code)) continue;
      const PolicyNodes& here = policy_nodes_[later];
      const PolicyNodes& there = policy_nodes_[earlier];
      const CountySpec& county = spec_.counties[county_index_.at(code)];
      const std::string years =
          from == to ? std::to_string(from) : std::to_string(from) + "-" + std::to_string(to);
      fail(*here.map, here.path,
           "overlaps " + there.path + " (" + where(*there.map, *here.map) + "): instrument " +
               std::string(instrument_name(b.instrument)) + " is enabled twice for county " +
               std::to_string(code) + " (" + county.name + ") in " + years);
    }
  }

  void check_shocks() const {
    // The run covers `years` x 12 months from the start month.
    const int first_month = spec_.start_year * 12 + spec_.start_month - 1;
    const int last_month = first_month + spec_.years * 12 - 1;
    const Bounds run_years = closed(spec_.start_year, run_last_year());
    for (std::size_t i = 0; i < spec_.shocks.size(); ++i) {
      const ShockSpec& s = spec_.shocks[i];
      const ShockNodes& nodes = shock_nodes_[i];
      for (std::size_t j = 0; j < s.counties.size(); ++j) {
        const std::string path = join_index(join_key(nodes.path, "counties"), j);
        if (county_index_.find(s.counties[j]) == county_index_.end()) {
          fail(*nodes.counties[j], path, "unknown county " + std::to_string(s.counties[j]));
        }
      }
      if (!run_years.contains(s.year)) {
        fail_range(*nodes.year, join_key(nodes.path, "year"), run_years, " (the simulated years)");
      }
      const int month = s.year * 12 + s.month - 1;
      if (month < first_month || month > last_month) {
        const Node& node = nodes.month != nullptr ? *nodes.month : *nodes.year;
        fail(node, join_key(nodes.path, nodes.month != nullptr ? "month" : "year"),
             year_month(month) + " is outside the simulated months " + year_month(first_month) +
                 " to " + year_month(last_month));
      }
    }
  }

  static std::string year_month(int month_index) {
    char text[16];
    std::snprintf(text, sizeof text, "%04d-%02d", month_index / 12, month_index % 12 + 1);
    return text;
  }

  ScenarioSpec spec_;
  std::vector<CountyNodes> county_nodes_;
  std::vector<PairingNodes> pairing_nodes_;
  std::vector<ProgrammeNodes> programme_nodes_;
  std::vector<PolicyNodes> policy_nodes_;
  std::vector<ShockNodes> shock_nodes_;
  std::unordered_map<std::int64_t, std::size_t> county_index_;  ///< code -> first county
};

// Shared tail of both entry points: overrides, validation, resolved text.
ScenarioSpec finish(Node root, const std::string& file, const std::vector<std::string>& overrides,
                    Sources& sources) {
  apply_overrides(root, overrides, sources);
  ScenarioSpec spec = SpecReader().read(root);
  spec.file = file;
  spec.resolved_yaml = emit_resolved_yaml(spec);
  return spec;
}

}  // namespace

ScenarioTemplate::ScenarioTemplate(const std::string& path)
    : path_(path), sources_(std::make_shared<Sources>()) {
  root_ = load_scenario_file(path, *sources_);
}

ScenarioSpec ScenarioTemplate::read(const std::vector<std::string>& overrides,
                                    bool resolved) const {
  // Override nodes point into `sources`, which outlives every use of them: the tree is read
  // (and every error message built) before it goes.
  Sources sources;
  Node root = root_;
  apply_overrides(root, overrides, sources);
  ScenarioSpec spec = SpecReader().read(root);
  spec.file = path_;
  if (resolved) spec.resolved_yaml = emit_resolved_yaml(spec);
  return spec;
}

}  // namespace scenario

ScenarioSpec read_scenario(const std::string& path, const std::vector<std::string>& overrides) {
  scenario::Sources sources;
  scenario::Node root = scenario::load_scenario_file(path, sources);
  return scenario::finish(std::move(root), path, overrides, sources);
}

ScenarioSpec read_scenario_text(const std::string& text, const std::string& name,
                                const std::vector<std::string>& overrides,
                                const std::string& base_dir) {
  scenario::Sources sources;
  scenario::Node root = scenario::load_scenario_text(text, name, base_dir, sources);
  return scenario::finish(std::move(root), name, overrides, sources);
}

}  // namespace codev
