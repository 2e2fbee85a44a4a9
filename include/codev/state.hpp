// State: everything that changes during a run. Households are struct-of-arrays (every array has
// length n_household, sorted by county then village); counties are Eigen vectors of length
// n_county. make_state() builds the initial state deterministically from (model, replicate).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include <Eigen/Core>
#include <Eigen/SparseCore>

#include "codev/instruments.hpp"
#include "codev/model.hpp"

namespace codev {

/// Household status bits (Households::flags).
enum HouseholdFlag : std::uint8_t {
  kChronic = 1u << 0,    ///< a member is chronically ill (higher illness rate)
  kLifted = 1u << 1,     ///< registered as lifted out of poverty
  kMonitored = 1u << 2,  ///< under return-to-poverty monitoring
  kPoor = 1u << 3,       ///< below the poverty line at the last year end
  kReturned = 1u << 4,   ///< lifted and fell back below the line at the last year end
  kSearching = 1u << 5,  ///< a worker lost a job (local, or away in a slump): it reviews next step
  kLinked = 1u << 6,     ///< sells through the specialty industry (cooperative or contract)
  kElite = 1u << 7,      ///< in the top third of its county by skill (the better-off; fixed)
};

/// Allocation of one household array at a staggered offset within a page: the n-th array
/// allocated starts 64 x (1 + n mod 63) bytes past a page boundary. The kernel reads element i of
/// some twenty arrays together; left where large allocations fall (all at the same offset within
/// a page), those elements share one set of the L1 data cache (indexed by address bits 6-11) and
/// evict each other. Staggered, arrays of one element size never share a set at the same index,
/// whatever the history of the heap, so every run gets the placement a benchmark measures.
void* allocate_staggered(std::size_t bytes);
void deallocate_staggered(void* p) noexcept;
/// Offset within a page of the start of a household array (what allocate_staggered chose).
inline std::size_t page_offset(const void* p) { return reinterpret_cast<std::uintptr_t>(p) % 4096; }

/// The allocator of the household arrays (see allocate_staggered).
template <class T>
struct StaggeredAllocator {
  using value_type = T;
  StaggeredAllocator() = default;
  template <class U>
  StaggeredAllocator(const StaggeredAllocator<U>&) noexcept {}
  T* allocate(std::size_t n) { return static_cast<T*>(allocate_staggered(n * sizeof(T))); }
  void deallocate(T* p, std::size_t) noexcept { deallocate_staggered(p); }
  template <class U>
  bool operator==(const StaggeredAllocator<U>&) const noexcept {
    return true;
  }
};

/// One household array.
template <class T>
using HouseholdArray = std::vector<T, StaggeredAllocator<T>>;

/// Household agents, struct-of-arrays. Fields are 1-, 2- or 4-byte (money in float: a household's
/// monthly flows need 7 significant digits, county sums are kept in double); 81 bytes per
/// household in all (bytes_per_household()). A household's village is not stored: households are
/// laid out village by village, so it is the household's place in its county
/// (Model::village_of).
struct Households {
  // Composition (changed at year ends by demography, MODEL.md 7.25).
  HouseholdArray<std::uint8_t> persons;  ///< members
  HouseholdArray<std::uint8_t> workers;  ///< working-age members able to work
  HouseholdArray<std::uint8_t> elderly;  ///< members aged 65+
  // Labour allocation: farm workers = workers - local - migrant.
  HouseholdArray<std::uint8_t> local;        ///< workers in local non-farm jobs
  HouseholdArray<std::uint8_t> migrant;      ///< workers working away
  HouseholdArray<std::uint8_t> sick_months;  ///< months one worker still cannot work
  HouseholdArray<std::uint8_t> flags;        ///< HouseholdFlag bits
  // Endowments and stocks.
  HouseholdArray<float> skill;       ///< earnings multiplier (mean about 1)
  HouseholdArray<float> skill_gain;  ///< wage gain from training (0.06 = +6%), decaying
  /// The permanent part z_p of skill's normal index, fixed, in steps of 1/2048 (MODEL.md 5.2).
  HouseholdArray<std::int16_t> skill_index;
  /// The persistent part u of skill's normal index: a standard normal AR(1), moved at every year
  /// end (MODEL.md 7.7); 0 without earnings shocks. Skill is a function of z_p and u.
  HouseholdArray<float> skill_shock;
  /// This calendar year's luck: the transitory factor on wage and farm earnings, mean 1 (1
  /// without transitory shocks), drawn at every year end for the next year.
  HouseholdArray<float> luck;
  HouseholdArray<float> taste;   ///< persistent preference for migrant work, yuan/month
  HouseholdArray<float> land;    ///< mu
  HouseholdArray<float> assets;  ///< productive assets, yuan
  /// skill * land^land_elasticity * (1 + assets)^capital_elasticity, kept with the assets. The
  /// fixed part skill * land^land_elasticity is recomputed where the assets change (a review, a
  /// disaster) rather than kept: 4 bytes a household for a pow() per household a year.
  HouseholdArray<float> farm_capacity;
  HouseholdArray<float> savings;  ///< yuan; negative = debt
  // Year-to-date flows, yuan: kept after a year closes (the year end and the household panel
  // read them), restarted by the first step of the next year.
  HouseholdArray<float> ytd_wage;
  HouseholdArray<float> ytd_operating;
  HouseholdArray<float> ytd_property;
  HouseholdArray<float> ytd_transfer;
  HouseholdArray<float> ytd_medical;  ///< out-of-pocket medical spending
  HouseholdArray<float> ytd_covered;  ///< safety-net medical assistance received (targeting errors)
  // Last closed year, annualised, yuan/person/year.
  HouseholdArray<float> income_pc;  ///< disposable income per person
  HouseholdArray<float>
      net_income_pc;                ///< income net of out-of-pocket medical costs (poverty test)
  HouseholdArray<float> allowance;  ///< minimum living allowance paid this year, yuan/person/year

  std::int64_t size() const { return static_cast<std::int64_t>(persons.size()); }
  void resize(std::int64_t n);

  /// Calls f(array) for every per-household array: the one list behind resize() and
  /// bytes_per_household(), so adding a field is one line here.
  template <class F>
  void for_each_array(F&& f) {
    f(persons);
    f(workers);
    f(elderly);
    f(local);
    f(migrant);
    f(sick_months);
    f(flags);
    f(skill);
    f(skill_gain);
    f(skill_index);
    f(skill_shock);
    f(luck);
    f(taste);
    f(land);
    f(assets);
    f(farm_capacity);
    f(savings);
    f(ytd_wage);
    f(ytd_operating);
    f(ytd_property);
    f(ytd_transfer);
    f(ytd_medical);
    f(ytd_covered);
    f(income_pc);
    f(net_income_pc);
    f(allowance);
  }
};

/// Bytes of household state per household (sum of element sizes of the arrays above).
std::size_t bytes_per_household();

/// A per-county variable of county state: the one line (CODEV_COUNTY_* lists below) that drives
/// its allocation (resize), its /monthly output (when `output` names a variable) and the
/// documentation check of docs/MODEL.md. Every variable is an Eigen vector of length n_county.
template <class Group>
struct CountyField {
  std::string_view name;    ///< member name
  std::string_view output;  ///< /monthly variable name, or "" for internal state
  std::string_view units;
  std::string_view long_name;
  Eigen::VectorXd Group::*member;
};

// X(member, output name or "", units, long_name) for each group of county state.
#define CODEV_COUNTY_FIELD_MEMBER(member, output, units, long_name) Eigen::VectorXd member;
#define CODEV_COUNTY_GROUP(Group, LIST)                                                \
  LIST(CODEV_COUNTY_FIELD_MEMBER)                                                      \
  /** Sizes every variable to n counties, zero-filled. */                              \
  void resize(int n) {                                                                 \
    for (const CountyField<Group>& f : fields()) (this->*f.member).setZero(n);         \
  }                                                                                    \
  /** The variables of the group, in declaration order. */                             \
  static std::span<const CountyField<Group>> fields() {                                \
    static const CountyField<Group> list[] = {LIST(CODEV_COUNTY_FIELD_ENTRY_##Group)}; \
    return list;                                                                       \
  }

/// The county economy: stocks and prices that evolve in the county phase, and the labour-market
/// and shock levers it sets for the household kernel.
#define CODEV_COUNTY_ECONOMY(X)                                                                \
  X(wage_local, "wage_local", "yuan/month", "local non-farm monthly wage per unit skill")      \
  X(wage_migrant, "", "yuan/month",                                                            \
    "net migrant monthly wage per unit skill reaching the household")                          \
  X(farm_tfp, "", "1", "farm productivity scale before infrastructure (prices included)")      \
  X(property_other, "", "yuan/year", "other property income per person")                       \
  X(transfer_other, "", "yuan/year", "other transfers per person")                             \
  X(capital_specialty, "capital_specialty", "yuan", "capital stock of the specialty industry") \
  X(capital_other, "capital_other", "yuan", "capital stock of other non-farm sectors")         \
  X(tfp_specialty, "", "1", "specialty-industry TFP before infrastructure")                    \
  X(tfp_other, "", "1", "other non-farm TFP before infrastructure")                            \
  X(urban_labour_specialty, "", "1", "non-rural workers in the specialty industry")            \
  X(urban_labour_other, "", "1", "non-rural workers in other non-farm sectors")                \
  X(rural_split_specialty, "", "1", "share of rural local workers in the specialty industry")  \
  X(wage_wedge, "", "1", "rural wage over labour's marginal product at the start")             \
  X(job_vacancies, "job_vacancies", "1", "local jobs open to rural workers next step")         \
  X(job_accept, "", "1", "probability a local-job applicant is hired this step")               \
  X(layoff, "", "1", "per-step probability a local worker loses the job")                      \
  X(asset_loss, "", "1", "share of household assets destroyed this step (disasters)")          \
  X(price, "farm_price", "1",                                                                  \
    "farm-gate price factor of the step: the province's price about its trend x price shocks") \
  X(farm_yield, "farm_yield", "1", "farm yield factor of the year (covariate harvest shock)")  \
  X(outbreak_share, "livestock_outbreaks", "1",                                                \
    "share of the county's villages with a livestock disease outbreak this year")              \
  X(skill_sd, "", "1", "scale sigma of log skill (the Gini calibration's, fixed)")             \
  X(skill_log_mean, "", "1", "log E[exp(sigma t_g(z))], which makes mean skill 1 (fixed)")

/// Results of the last step: what the county economy produced and used (annual rates where money).
#define CODEV_COUNTY_RESULTS(X)                                                                 \
  X(gdp, "gdp", "yuan/year", "gross domestic product (annual rate)")                            \
  X(gdp_agriculture, "gdp_agriculture", "yuan/year",                                            \
    "agricultural value added of rural households (annual rate)")                               \
  X(gdp_specialty, "gdp_specialty", "yuan/year",                                                \
    "value added of the specialty industry (annual rate)")                                      \
  X(gdp_other, "gdp_other", "yuan/year", "value added of other non-farm sectors (annual rate)") \
  X(local_jobs, "local_jobs", "1", "rural household members in local non-farm jobs")            \
  X(migrant_workers, "migrant_workers", "1", "rural household members working away")            \
  X(tfp_specialty, "tfp_specialty", "1", "total factor productivity of the specialty industry") \
  X(tfp_other, "tfp_other", "1", "total factor productivity of other non-farm sectors")         \
  X(pension_spending, "pension_spending", "yuan/year",                                          \
    "basic pensions paid to rural elderly (annual rate)")                                       \
  X(allowance_spending, "allowance_spending", "yuan/year",                                      \
    "minimum living allowance paid (annual rate)")                                              \
  X(medical_out_of_pocket, "medical_out_of_pocket", "yuan/year",                                \
    "out-of-pocket medical spending of rural households (annual rate)")                         \
  X(ill_households, "ill_households", "1", "households with a new serious illness this step")   \
  X(income_per_capita, "income_per_capita", "yuan/year",                                        \
    "disposable income per person as received this step (annual rate; seasonal)")               \
  X(income_wage, "income_wage", "yuan/year",                                                    \
    "wage income per person as received this step (annual rate; seasonal)")                     \
  X(income_operating, "income_operating", "yuan/year",                                          \
    "net operating income per person as received this step (annual rate; seasonal)")            \
  X(income_property, "income_property", "yuan/year",                                            \
    "net property income per person (annual rate)")                                             \
  X(income_transfer, "income_transfer", "yuan/year",                                            \
    "net transfer income per person (annual rate)")                                             \
  X(consumption, "consumption", "yuan/year", "household consumption per person (annual rate)")  \
  X(earnings_local_worker, "earnings_local_worker", "yuan/month",                               \
    "mean wage received by a rural worker in a local non-farm job (months lost to illness "     \
    "included; seasonal)")                                                                      \
  X(earnings_migrant_worker, "earnings_migrant_worker", "yuan/month",                           \
    "mean wage received from a rural worker working away (months lost to illness included; "    \
    "seasonal)")                                                                                \
  X(consumption_ytd, "", "yuan",                                                                \
    "household consumption summed over this calendar year's steps (reset when a year opens)")   \
  X(migrant_wage_ytd, "", "yuan",                                                               \
    "wage income from members working away summed over this calendar year's steps (reset when " \
    "a year opens)")                                                                            \
  X(migrant_workers_ytd, "", "1",                                                               \
    "members working away summed over this calendar year's steps (reset when a year opens)")    \
  X(layoffs_ytd, "", "1",                                                                       \
    "local workers laid off so far this calendar year (reset when a year opens)")               \
  X(jobs_lost_away_ytd, "", "1",                                                                \
    "jobs away lost so far this calendar year in a slump away (reset when a year opens)")

/// Aid in the county: what pairings bring (cadres, money) and the capacities aid builds.
#define CODEV_COUNTY_AID(X)                                                                      \
  X(dispatched_cadres, "dispatched_cadres", "1",                                                 \
    "cadres dispatched by donors present in the county")                                         \
  X(effective_cadres, "", "1", "cadres present, less the handover dip of a new term")            \
  X(aid_received, "aid_received", "yuan/year",                                                   \
    "aid received from pairings after leakage (annual rate)")                                    \
  X(programme_received, "programme_received", "yuan/year",                                       \
    "aid received from programmes without a donor after leakage (annual rate)")                  \
  X(governance, "governance", "1", "governance capacity in [0,1]")                               \
  X(talent, "talent", "1", "local talent stock (trained local cadres)")                          \
  X(identification, "", "1", "probability an at-risk household is identified at the year end")   \
  X(monitored_persons, "", "1", "persons in monitored households at the last year end")          \
  X(absorbed_pc, "", "yuan",                                                                     \
    "investment aid absorbed into lasting stocks so far, per rural resident")                    \
  X(assistance_ytd, "", "yuan",                                                                  \
    "cash assistance per monitored person summed over this calendar year's steps (reset when a " \
    "year opens; the monitoring exit test)")

/// The channels through which aid reaches households and the county economy, rewritten every step
/// by the instruments (src/policy/). The household kernel reads channels and never an
/// instrument: several instruments may write one channel (factors multiply, shares and amounts
/// add); an instrument that is not funded leaves the neutral value.
#define CODEV_COUNTY_LEVERS(X)                                                                     \
  X(linked_share, "linked_share", "1",                                                             \
    "share of farming households linked to the specialty industry")                                \
  X(premium, "", "1", "price premium on the farm output of linked households")                     \
  X(purchase_rate, "", "1", "aid purchases per yuan of household farm output this step")           \
  X(purchase_gain, "", "1", "household income per yuan of aid purchases (the price premium)")      \
  X(assistance_pc, "", "yuan", "cash assistance per monitored person this step")                   \
  X(medical_cover, "", "1", "share of monitored households' medical costs covered")                \
  X(dividends, "", "1", "1 where villages pay collective dividends this step")                     \
  X(tfp_factor, "", "1", "factor on farm and non-farm TFP (infrastructure; 1 = none)")             \
  X(capital_in, "", "yuan", "aid capital added to the specialty industry this step")               \
  X(capital_out, "", "yuan",                                                                       \
    "capital leaving the specialty industry this step (repatriated profit)")                       \
  X(revenue_in, "", "yuan", "aid-related income credited to the county budget this step")          \
  X(placement_offers, "", "1", "organised placements of workers away offered this step (workers)") \
  X(placement_bonus, "", "yuan",                                                                   \
    "one-off payment to a household per worker placed (transfer income)")                          \
  X(placement_subsidy, "", "1", "share of a placed worker's switching cost the programme pays")    \
  X(elite_tilt, "", "1", "share of links and dividends tilted to the better-off third")            \
  X(trainee_offers, "", "1", "training places offered this step (workers)")                        \
  X(training_gain, "", "1", "wage gain of a worker trained this step (0.06 = +6%)")                \
  X(training_keep, "", "1",                                                                        \
    "share of a trained worker's wage gain kept after a year (1 = none lost)")

#define CODEV_COUNTY_FIELD_ENTRY_CountyEconomy(member, output, units, long_name) \
  {#member, output, units, long_name, &CountyEconomy::member},
#define CODEV_COUNTY_FIELD_ENTRY_CountyResults(member, output, units, long_name) \
  {#member, output, units, long_name, &CountyResults::member},
#define CODEV_COUNTY_FIELD_ENTRY_CountyAid(member, output, units, long_name) \
  {#member, output, units, long_name, &CountyAid::member},
#define CODEV_COUNTY_FIELD_ENTRY_Levers(member, output, units, long_name) \
  {#member, output, units, long_name, &Levers::member},

/// Economy stocks and prices (CODEV_COUNTY_ECONOMY).
struct CountyEconomy {
  CODEV_COUNTY_GROUP(CountyEconomy, CODEV_COUNTY_ECONOMY)
  /// [n_village] factor of the year on the farm output of each village's households: livestock
  /// outbreaks (MODEL.md 7.2), mean 1; all 1 when no village can have one (the start year, or a
  /// rate or loss of 0), and `outbreaks` false, so the kernel reads no factor. Recomputed from
  /// its counters at every step.
  std::vector<double> village_farm;
  bool outbreaks = false;
};

/// Results of the last step (CODEV_COUNTY_RESULTS).
struct CountyResults {
  CODEV_COUNTY_GROUP(CountyResults, CODEV_COUNTY_RESULTS)
};

/// Cadres, aid received, governance and talent (CODEV_COUNTY_AID).
struct CountyAid {
  CODEV_COUNTY_GROUP(CountyAid, CODEV_COUNTY_AID)
  /// Linkage for TFP catch-up this step: Model::linkage (prefectures) plus, for each active
  /// pairing with cadres, aid.link_per_cadre x cadres from the recipient's row to its donor.
  /// Its pattern holds every pairing's entry from the start (zero while inactive), so a step
  /// only rewrites values.
  Eigen::SparseMatrix<double, Eigen::RowMajor> links;
  std::vector<double> link_base;           ///< links' values from Model::linkage alone
  std::vector<std::ptrdiff_t> link_entry;  ///< [n_pairing] a pairing's entry in links' values
  std::vector<double> link_extra;          ///< scratch: this step's pairing weight per entry
};

/// Aid channels (CODEV_COUNTY_LEVERS), and the one per-village channel.
struct Levers {
  CODEV_COUNTY_GROUP(Levers, CODEV_COUNTY_LEVERS)
  std::vector<double> dividend_pc;  ///< [n_village] collective dividend per member this step, yuan
  /// [n_village] extra dividend per member of a better-off (kElite) household this step, yuan
  std::vector<double> dividend_elite_pc;
  /// Sets every channel to its neutral value (no aid) for n counties and n_village villages.
  void reset(int n, std::size_t n_village);
};

/// The county budgets: local general public budget revenue, the one owner of it. Revenue is
/// collected as the year goes (taxes in the county phase, enclave profits through
/// Levers::revenue_in); a closed year's total is what revenue-share budgets are paid from.
#define CODEV_FISCAL_ACCOUNTS(X)                                                                 \
  X(revenue, "fiscal_revenue", "yuan/year", "local general public budget revenue (annual rate)") \
  X(revenue_ytd, "", "yuan", "revenue collected so far this calendar year")                      \
  X(revenue_last, "", "yuan", "revenue collected in the previous calendar year")
#define CODEV_COUNTY_FIELD_ENTRY_FiscalAccounts(member, output, units, long_name) \
  {#member, output, units, long_name, &FiscalAccounts::member},

struct FiscalAccounts {
  CODEV_COUNTY_GROUP(FiscalAccounts, CODEV_FISCAL_ACCOUNTS)
  /// Collects `yuan` for county c this year.
  void collect(int c, double yuan) { revenue_ytd[c] += yuan; }
  /// The year closes: its total becomes last year's.
  void close_year() {
    revenue_last = revenue_ytd;
    revenue_ytd.setZero();
  }
};

/// The stocks of one instrument (InstrumentInfo::stocks order): county stocks [n_county], village
/// stocks [n_village], pairing stocks [n_pairing].
struct InstrumentState {
  std::vector<std::vector<double>> stock;
};

/// Money of one pairing in the current calendar year (reset when the year closes).
struct PairingAccounts {
  double donor_spent = 0;
  double recipient_received = 0;
  double leakage = 0;
  double unproductive = 0;                ///< investment aid that built nothing lasting
  double spent[kNumInstruments] = {};     ///< by instrument, before leakage
  double received[kNumInstruments] = {};  ///< by instrument, after leakage
  double cadres = 0;                      ///< cadres present (average over the year's steps)
};

/// One scalar account of PairingAccounts, written to /pairings: the one line per account.
struct PairingAccountField {
  std::string_view name;
  std::string_view units;
  std::string_view long_name;
  double PairingAccounts::*member;
};
inline constexpr PairingAccountField kPairingAccounts[] = {
    {"donor_spent", "yuan", "aid spent by the donor in the year", &PairingAccounts::donor_spent},
    {"recipient_received", "yuan", "aid received by the recipient after leakage",
     &PairingAccounts::recipient_received},
    {"leakage", "yuan", "aid lost to misuse (leakage)", &PairingAccounts::leakage},
    {"unproductive", "yuan",
     "investment aid received that built nothing lasting (project choice, absorptive capacity)",
     &PairingAccounts::unproductive},
    {"cadres", "year", "dispatched cadres present, in person-years", &PairingAccounts::cadres},
};

/// Money of one programme without a donor in the current calendar year: a pairing's accounts, paid
/// by the programme's payer (donor_spent holds what the payer spent; cadres stay 0).
using ProgrammeAccounts = PairingAccounts;

/// The scalar accounts of a programme, written to /programmes.
inline constexpr PairingAccountField kProgrammeAccounts[] = {
    {"payer_spent", "yuan", "aid spent by the programme's payer in the year",
     &PairingAccounts::donor_spent},
    {"received", "yuan", "aid received by the programme's counties after leakage",
     &PairingAccounts::recipient_received},
    {"leakage", "yuan", "aid lost to misuse (leakage)", &PairingAccounts::leakage},
    {"unproductive", "yuan",
     "investment aid received that built nothing lasting (project choice, absorptive capacity)",
     &PairingAccounts::unproductive},
};

/// Runtime anomalies: numerical corners where the model keeps going with a documented rule
/// instead of failing. They are counted, never silently absorbed: /anomalies holds each year's
/// counts and the run summary prints any that are not zero. The engine's own are listed here
/// (X(name, long_name)); each instrument declares its own (InstrumentInfo::anomalies), and
/// anomaly_list() puts them all in one list.
#define CODEV_ANOMALIES(X)                                                                     \
  X(donor_capital_clamped,                                                                     \
    "donor-steps in which aid crowding out exceeded other-sector capital (capital kept at 0)") \
  X(nonpositive_income,                                                                        \
    "simulated household-years with income per person <= 0 (left out of the Theil index)")     \
  X(household_without_heir,                                                                    \
    "simulated households whose last member's death was undone: no household of their chunk "  \
    "had two workers to take over the homestead")

/// The engine's anomalies (first in anomaly_list()).
enum class Anomaly : int {
#define CODEV_ANOMALY_ENUM(name, long_name) name,
  CODEV_ANOMALIES(CODEV_ANOMALY_ENUM)
#undef CODEV_ANOMALY_ENUM
};

/// Every anomaly: the engine's, then each instrument's (registry order; src/policy/registry.cpp).
const std::vector<InstrumentAnomaly>& anomaly_list();

/// Anomaly counts of the current calendar year and of the whole run, in anomaly_list() order.
struct Anomalies {
  std::vector<std::int64_t> year;
  std::vector<std::int64_t> total;
  void resize(std::size_t n) {
    year.assign(n, 0);
    total.assign(n, 0);
  }
  void count(std::size_t index, std::int64_t n = 1) {
    year[index] += n;
    total[index] += n;
  }
  void count(Anomaly a, std::int64_t n = 1) { count(static_cast<std::size_t>(a), n); }
};

/// The whole mutable state of one run (one replicate).
struct State {
  int step = 0;  ///< next step to run
  std::uint64_t replicate = 0;
  Households hh;
  CountyEconomy economy;
  CountyResults results;
  CountyAid aid;
  Levers levers;
  FiscalAccounts fiscal;
  std::array<InstrumentState, kNumInstruments> instruments;  ///< each instrument's own stocks
  std::vector<PairingAccounts> pairing;                      ///< [n_pairing]
  std::vector<ProgrammeAccounts> programme;                  ///< [n_programme]
  Anomalies anomalies;
  /// Uses of aid received per recipient county this year, by instrument [n_county][instrument]:
  /// capital added, assets added, training paid, fund paid in, infrastructure added, purchases.
  std::vector<std::array<double, kNumInstruments>> aid_uses;
};

/// Generates the synthetic population and the initial county economy, calibrated to the county
/// aggregates of the model. Deterministic in (model, replicate); independent of thread count.
/// The same as make_population() followed by start_policies().
State make_state(const Model& model, std::uint64_t replicate = 0);

/// The part of make_state() that does not depend on aid: households drawn and calibrated, and the
/// county economies. Models with the same Model::population_sha256 (scenarios that differ only in
/// pairings, programmes, policies, shocks or outputs) get bit-identical populations, so an
/// experiment draws each replicate's population once for all its variants.
State make_population(const Model& model, std::uint64_t replicate = 0);

/// Completes a population from make_population() for `model` (or a model with the same
/// population_sha256): aid accounts, instrument stocks and links, as make_state() does.
void start_policies(const Model& model, State& state);

}  // namespace codev
