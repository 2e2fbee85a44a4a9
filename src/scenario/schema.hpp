// Key names of every scenario mapping, in one place: the validator rejects keys not listed here,
// --set checks override paths against them, did-you-mean suggestions come from them, and the
// resolved YAML lists keys in this order. Parameters come from all_parameters() (params.hpp).
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "codev/instruments.hpp"

namespace codev::scenario {

struct MapSchema;

/// A key whose value is itself a mapping with known keys.
struct NestedSchema {
  std::string_view key;
  const MapSchema* schema;
};

/// The keys a mapping may hold.
struct MapSchema {
  std::span<const std::string_view> keys;
  std::span<const NestedSchema> nested;

  bool has(std::string_view key) const {
    for (std::string_view k : keys) {
      if (k == key) return true;
    }
    return false;
  }
  /// The schema of a nested mapping, or nullptr when `key` holds a scalar or a list.
  const MapSchema* child(std::string_view key) const {
    for (const NestedSchema& n : nested) {
      if (n.key == key) return n.schema;
    }
    return nullptr;
  }
};

inline constexpr std::string_view kIncomeShareKeys[] = {"wage", "operating", "property",
                                                        "transfer"};
inline constexpr MapSchema kIncomeSharesSchema{kIncomeShareKeys, {}};

inline constexpr std::string_view kMetaKeys[] = {"name",  "description", "start",
                                                 "years", "step_months", "seed"};
inline constexpr MapSchema kMetaSchema{kMetaKeys, {}};

inline constexpr std::string_view kPopulationKeys[] = {"scale",
                                                       "persons_per_household",
                                                       "gini",
                                                       "income_shares",
                                                       "land_per_person",
                                                       "lifted_share",
                                                       "worker_share",
                                                       "elderly_share",
                                                       "migrant_share",
                                                       "local_job_share",
                                                       "chronic_share",
                                                       "skill_skew",
                                                       "persons_per_village"};
inline constexpr NestedSchema kPopulationNested[] = {{"income_shares", &kIncomeSharesSchema}};
inline constexpr MapSchema kPopulationSchema{kPopulationKeys, kPopulationNested};

inline constexpr std::string_view kCountyKeys[] = {"code",
                                                   "name",
                                                   "name_zh",
                                                   "prefecture",
                                                   "role",
                                                   "population",
                                                   "income_per_capita",
                                                   "persons_per_household",
                                                   "gini",
                                                   "income_shares",
                                                   "land_per_person",
                                                   "lifted_share",
                                                   "migrant_share",
                                                   "local_job_share",
                                                   "villages",
                                                   "gdp",
                                                   "revenue",
                                                   "agriculture_share",
                                                   "specialty_share",
                                                   "governance",
                                                   "talent",
                                                   "aid_history",
                                                   "estimate",
                                                   "source"};
inline constexpr NestedSchema kCountyNested[] = {{"income_shares", &kIncomeSharesSchema}};
inline constexpr MapSchema kCountySchema{kCountyKeys, kCountyNested};

inline constexpr std::string_view kBudgetKeys[] = {"fixed_per_year", "share_of_revenue"};
inline constexpr MapSchema kBudgetSchema{kBudgetKeys, {}};

/// allocation.<instrument>: one key per registered instrument (CODEV_INSTRUMENTS).
inline constexpr MapSchema kAllocationSchema{kInstrumentNames, {}};

inline constexpr std::string_view kPairingKeys[] = {
    "id",     "donor",      "recipient", "start_year", "end_year", "cadres", "cadre_term_years",
    "budget", "allocation", "source"};
inline constexpr NestedSchema kPairingNested[] = {{"budget", &kBudgetSchema},
                                                  {"allocation", &kAllocationSchema}};
inline constexpr MapSchema kPairingSchema{kPairingKeys, kPairingNested};

inline constexpr std::string_view kProgrammeBudgetKeys[] = {"per_resident", "fixed_per_year"};
inline constexpr MapSchema kProgrammeBudgetSchema{kProgrammeBudgetKeys, {}};

inline constexpr std::string_view kProgrammeKeys[] = {
    "id",       "name",    "payer",  "start_year", "end_year",
    "counties", "weights", "budget", "allocation", "source"};
inline constexpr NestedSchema kProgrammeNested[] = {{"budget", &kProgrammeBudgetSchema},
                                                    {"allocation", &kAllocationSchema}};
inline constexpr MapSchema kProgrammeSchema{kProgrammeKeys, kProgrammeNested};

inline constexpr std::string_view kPolicyKeys[] = {"instrument", "start_year", "end_year",
                                                   "counties", "targeting"};
inline constexpr MapSchema kPolicySchema{kPolicyKeys, {}};

inline constexpr std::string_view kShockKeys[] = {"type",  "counties", "year",
                                                  "month", "severity", "duration_months"};
inline constexpr MapSchema kShockSchema{kShockKeys, {}};

inline constexpr std::string_view kPanelKeys[] = {"per_county"};
inline constexpr MapSchema kPanelSchema{kPanelKeys, {}};

inline constexpr std::string_view kOutputKeys[] = {"household_panel"};
inline constexpr NestedSchema kOutputNested[] = {{"household_panel", &kPanelSchema}};
inline constexpr MapSchema kOutputSchema{kOutputKeys, kOutputNested};

/// Top level. `parameters` is absent from `nested`: its keys come from all_parameters().
inline constexpr std::string_view kTopKeys[] = {
    "extends",    "meta",     "population", "counties", "pairings",
    "programmes", "policies", "parameters", "shocks",   "outputs"};
inline constexpr NestedSchema kTopNested[] = {
    {"meta", &kMetaSchema}, {"population", &kPopulationSchema}, {"outputs", &kOutputSchema}};
inline constexpr MapSchema kTopSchema{kTopKeys, kTopNested};

/// The schema of `parameters`: its groups, each holding its parameter names (all_parameters()).
const MapSchema& parameters_schema();

/// The schema below `key` of a mapping with `schema`, or nullptr for keys holding values or lists.
const MapSchema* child_schema(const MapSchema& schema, std::string_view key);

/// " (did you mean 'y'?)" with the first of `known` closest to `text` within edit distance 2, or
/// "" when none is that close. Used for unknown keys and unknown choices alike.
std::string did_you_mean(std::string_view text, std::span<const std::string_view> known);

/// "unknown key 'x'", with " (did you mean 'y'?)" when a known key is within edit distance 2.
std::string unknown_key_message(std::string_view key, std::span<const std::string_view> known);

}  // namespace codev::scenario
