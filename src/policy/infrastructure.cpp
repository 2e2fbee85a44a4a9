// Rural construction: aid builds infrastructure (roads, water, storage), a stock that depreciates
// and raises farm and non-farm productivity: the TFP channel is scaled by (1 + infrastructure /
// initial GDP) to the power infrastructure.tfp_elasticity.
#include <cmath>

#include "policy/instrument.hpp"

namespace codev {

namespace {

constexpr Instrument kSelf = Instrument::infrastructure;

enum Param { kTfpElasticity, kDepreciation };
constexpr InstrumentParameter kParameters[] = {
    {"tfp_elasticity", 0.05, 0.0, 1.0, false, "1",
     "Elasticity of farm and non-farm TFP to infrastructure per unit of GDP",
     "published: highway output elasticity 0.034 (aid_channels.md 4); prior 0.03-0.10, "
     "calibrated (parameters.md 5)"},
    {"depreciation", 0.03, 0.0, 1.0, false, "1/year", "Depreciation of aided infrastructure",
     "stated prior [0.02, 0.05]: village roads, water and power works last 20-50 years "
     "(parameters.md 5)"},
};

enum Stock { kInfrastructure };
constexpr InstrumentStock kStocks[] = {
    {"infrastructure", Extent::county, "yuan", "aided infrastructure stock", StockOutput::monthly},
};

void invest(const Model&, State& s, const Funding& f) {
  stock(s, kSelf, kInfrastructure)[static_cast<std::size_t>(f.recipient)] += f.received;
}

// Earlier rounds' infrastructure, depreciated over the `age` years since it was built.
void history(const Model& m, State& s, const Funding& f, double age) {
  stock(s, kSelf, kInfrastructure)[static_cast<std::size_t>(f.recipient)] +=
      f.received * std::pow(1.0 - parameter(m, s, kSelf, kDepreciation), age);
}

void step(const Model& m, State& s) {
  const double keep = std::pow(1.0 - parameter(m, s, kSelf, kDepreciation), m.step_months / 12.0);
  const double elasticity = parameter(m, s, kSelf, kTfpElasticity);
  std::vector<double>& infrastructure = stock(s, kSelf, kInfrastructure);
  for (int c = 0; c < m.n_county; ++c) {
    double& x = infrastructure[static_cast<std::size_t>(c)];
    if (x <= 0.0) continue;  // no stock: the factor stays exactly 1
    x *= keep;
    s.levers.tfp_factor[c] *= std::pow(1.0 + x / m.county_gdp[c], elasticity);
  }
}

}  // namespace

constinit const InstrumentDef infrastructure_instrument = {
    {"infrastructure", "rural construction (infrastructure)", 0.20, false, true, kParameters,
     kStocks},
    nullptr,
    invest,
    step,
    nullptr,
    nullptr,
    history,
};

}  // namespace codev
