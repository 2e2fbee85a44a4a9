// State: everything that changes during a run. Households are struct-of-arrays (every array has
// length n_household, sorted by county then village); counties are Eigen vectors of length
// n_county. make_state() builds the initial state deterministically from (model, replicate).
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include <Eigen/Core>
#include <Eigen/SparseCore>

#include "codev/model.hpp"

namespace codev {

/// Household status bits (Households::flags).
enum HouseholdFlag : std::uint8_t {
  kChronic = 1u << 0,    ///< a member is chronically ill (higher illness rate)
  kLifted = 1u << 1,     ///< registered as lifted out of poverty
  kMonitored = 1u << 2,  ///< under return-to-poverty monitoring
  kPoor = 1u << 3,       ///< below the poverty line at the last year end
  kReturned = 1u << 4,   ///< lifted and fell back below the line at the last year end
  kSearching = 1u << 5,  ///< a worker lost a local job: the household reviews its labour next step
  kLinked = 1u << 6,     ///< sells through the specialty industry (cooperative or contract)
};

/// Household agents, struct-of-arrays. Fields are 1-, 2- or 4-byte (money in float: a household's
/// monthly flows need 7 significant digits, county sums are kept in double); 69 bytes per
/// household in all (bytes_per_household()).
struct Households {
  // Composition (fixed during a run).
  std::vector<std::uint8_t> persons;   ///< members
  std::vector<std::uint8_t> workers;   ///< working-age members able to work
  std::vector<std::uint8_t> elderly;   ///< members aged 65+
  std::vector<std::uint16_t> village;  ///< village index within the county
  // Labour allocation: farm workers = workers - local - migrant.
  std::vector<std::uint8_t> local;        ///< workers in local non-farm jobs
  std::vector<std::uint8_t> migrant;      ///< workers working away
  std::vector<std::uint8_t> sick_months;  ///< months one worker still cannot work
  std::vector<std::uint8_t> flags;        ///< HouseholdFlag bits
  // Endowments and stocks.
  std::vector<float> skill;      ///< earnings multiplier (mean about 1)
  std::vector<float> taste;      ///< persistent preference for migrant work, yuan/month
  std::vector<float> land;       ///< mu
  std::vector<float> farm_base;  ///< skill * land^land_elasticity (fixed farm productivity)
  std::vector<float> assets;     ///< productive assets, yuan
  std::vector<float>
      farm_capacity;  ///< farm_base * (1 + assets)^capital_elasticity, kept with the assets
  std::vector<float> savings;  ///< yuan; negative = debt
  // Year-to-date flows, yuan (reset at year end).
  std::vector<float> ytd_wage;
  std::vector<float> ytd_operating;
  std::vector<float> ytd_property;
  std::vector<float> ytd_transfer;
  std::vector<float> ytd_medical;  ///< out-of-pocket medical spending
  // Last closed year, annualised, yuan/person/year.
  std::vector<float> income_pc;      ///< disposable income per person
  std::vector<float> net_income_pc;  ///< income net of out-of-pocket medical costs (poverty test)
  std::vector<float> allowance;      ///< minimum living allowance paid this year, yuan/person/year

  std::int64_t size() const { return static_cast<std::int64_t>(persons.size()); }
  void resize(std::int64_t n);

  /// Calls f(array) for every per-household array: the one list behind resize() and
  /// bytes_per_household(), so adding a field is one line here.
  template <class F>
  void for_each_array(F&& f) {
    f(persons);
    f(workers);
    f(elderly);
    f(village);
    f(local);
    f(migrant);
    f(sick_months);
    f(flags);
    f(skill);
    f(taste);
    f(land);
    f(farm_base);
    f(assets);
    f(farm_capacity);
    f(savings);
    f(ytd_wage);
    f(ytd_operating);
    f(ytd_property);
    f(ytd_transfer);
    f(ytd_medical);
    f(income_pc);
    f(net_income_pc);
    f(allowance);
  }
};

/// Bytes of household state per household (sum of element sizes of the arrays above).
std::size_t bytes_per_household();

/// County state, one entry per county.
struct Counties {
  // Levers the household kernel reads (set by the county phase of the previous step).
  Eigen::VectorXd wage_local;      ///< yuan/month per unit skill
  Eigen::VectorXd wage_migrant;    ///< net yuan/month per unit skill reaching the household
  Eigen::VectorXd farm_tfp;        ///< farm productivity scale (prices included)
  Eigen::VectorXd property_other;  ///< other property income, yuan/person/year
  Eigen::VectorXd transfer_other;  ///< other transfers, yuan/person/year
  Eigen::VectorXd job_accept;      ///< probability a local-job applicant is hired this step
  Eigen::VectorXd layoff;          ///< per-step probability a local worker loses the job
  Eigen::VectorXd asset_loss;      ///< share of household assets destroyed this step
  Eigen::VectorXd price;           ///< farm price multiplier this step
  // Non-farm sectors: specialty industry (s) and other non-farm (o).
  Eigen::VectorXd capital_specialty, capital_other;
  Eigen::VectorXd tfp_specialty, tfp_other;
  Eigen::VectorXd urban_labour_specialty, urban_labour_other;  ///< non-rural workers
  Eigen::VectorXd rural_split_specialty;  ///< share of rural local workers in the specialty sector
  Eigen::VectorXd wage_wedge;             ///< rural wage / marginal product at the start
  Eigen::VectorXd vacancies;              ///< rural local jobs open this step (workers)
  Eigen::VectorXd governance;             ///< capacity in [0,1]
  Eigen::VectorXd talent;                 ///< local talent stock
  // Results of the last step (annualised yuan/year where money).
  Eigen::VectorXd gdp_agriculture, gdp_specialty, gdp_other;
  Eigen::VectorXd local_jobs, migrant_workers;  ///< weighted workers
  Eigen::VectorXd fiscal_revenue;
  Eigen::VectorXd pension_spending, allowance_spending, medical_out_of_pocket;
  Eigen::VectorXd ill_households;       ///< weighted households falling ill this step
  Eigen::VectorXd fiscal_revenue_ytd;   ///< yuan collected so far this calendar year
  Eigen::VectorXd fiscal_revenue_last;  ///< yuan collected in the previous calendar year

  // Aid: stocks and the levers the policies set for the household kernel.
  Eigen::VectorXd dispatched_cadres;      ///< cadres present from active pairings
  Eigen::VectorXd aid_received;           ///< yuan received this step (after leakage), annual rate
  Eigen::VectorXd aided_capital;          ///< cumulative industry investment received, yuan
  Eigen::VectorXd linked_share;           ///< share of farming households linked to the industry
  Eigen::VectorXd skill_boost;            ///< earnings multiplier - 1 from trained local talent
  Eigen::VectorXd infrastructure;         ///< aided infrastructure stock, yuan
  Eigen::VectorXd infrastructure_factor;  ///< (1 + infrastructure / initial GDP)^elasticity
  Eigen::VectorXd safety_net_fund;        ///< unspent safety-net money, yuan
  Eigen::VectorXd assistance_pc;          ///< cash assistance per monitored person this step, yuan
  /// Cash assistance per monitored person summed over this calendar year's steps, yuan (reset
  /// when a year opens): a monitored household's assistance this year is persons x this, since
  /// monitoring status only changes at year ends (the monitoring exit test excludes it).
  Eigen::VectorXd assistance_ytd;
  Eigen::VectorXd medical_cover;      ///< share of monitored households' medical costs covered
  Eigen::VectorXd consumption_fund;   ///< unspent consumption-assistance money, yuan
  Eigen::VectorXd consumption_rate;   ///< purchases per yuan of farm output this step
  Eigen::VectorXd monitored_persons;  ///< persons in monitored households at the last year end
  Eigen::VectorXd identification;     ///< probability an at-risk household is identified
  Eigen::VectorXd collective_income;  ///< village collective income this step, annual rate
  Eigen::VectorXd collective_assets;  ///< village collective assets of the county, yuan
  /// Linkage for TFP catch-up this step: Model::linkage (prefectures) plus, for each active
  /// pairing with cadres, aid.link_per_cadre x cadres from the recipient's row to its donor.
  Eigen::SparseMatrix<double, Eigen::RowMajor> links;

  void resize(int n);
};

/// Village collective economies, one entry per village (Model::village_begin ranges).
struct Villages {
  std::vector<double> assets;       ///< collective assets, yuan
  std::vector<double> persons;      ///< member persons (simulated)
  std::vector<double> at_risk;      ///< persons in monitored households at the last year end
  std::vector<double> dividend_pc;  ///< dividend per member this step, yuan
  std::vector<double> income_ytd;   ///< collective income so far this year, yuan
  std::vector<double> income_last;  ///< collective income of the last closed year, yuan
};

/// Money of one pairing in the current calendar year (reset when the year closes).
struct PairingAccounts {
  double donor_spent = 0;
  double recipient_received = 0;
  double leakage = 0;
  double spent[kNumInstruments] = {};     ///< by instrument, before leakage
  double received[kNumInstruments] = {};  ///< by instrument, after leakage
  double enclave_profit = 0;              ///< profit returned to the donor from enclave parks
  double enclave_capital = 0;             ///< donor-owned capital in enclave parks (a stock)
  double cadres = 0;                      ///< cadres present (average over the year's steps)
};

/// The whole mutable state of one run (one replicate).
struct State {
  int step = 0;  ///< next step to run
  std::uint64_t replicate = 0;
  Households hh;
  Counties county;
  Villages village;
  std::vector<PairingAccounts> pairing;  ///< [n_pairing]
  /// Uses of aid received per recipient county this year, by instrument [n_county][instrument]:
  /// capital added, assets added, training paid, fund paid in, infrastructure added, purchases.
  std::vector<std::array<double, kNumInstruments>> aid_uses;
};

/// Generates the synthetic population and the initial county economy, calibrated to the county
/// aggregates of the model. Deterministic in (model, replicate); independent of thread count.
State make_state(const Model& model, std::uint64_t replicate = 0);

}  // namespace codev
