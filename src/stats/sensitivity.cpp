#include "stats/sensitivity.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>

namespace codev::stats {

Design grid_design(std::span<const int> levels) {
  std::size_t n_point = 1;
  for (int l : levels) {
    if (l < 2) throw std::invalid_argument("grid_design: every parameter needs >= 2 levels");
    n_point *= static_cast<std::size_t>(l);
  }
  Design design(n_point, std::vector<double>(levels.size()));
  for (std::size_t p = 0; p < n_point; ++p) {
    std::size_t rest = p;
    for (std::size_t i = levels.size(); i-- > 0;) {
      const auto l = static_cast<std::size_t>(levels[i]);
      design[p][i] = static_cast<double>(rest % l) / static_cast<double>(l - 1);
      rest /= l;
    }
  }
  return design;
}

Design lhs_design(int n, int k, std::uint64_t seed) {
  SplitMix64 rng(seed);
  Design design(static_cast<std::size_t>(n), std::vector<double>(static_cast<std::size_t>(k)));
  std::vector<int> strata(static_cast<std::size_t>(n));
  for (int i = 0; i < k; ++i) {
    // Fisher-Yates shuffle of the strata, with the generator's own bounded integers.
    std::iota(strata.begin(), strata.end(), 0);
    for (std::size_t j = strata.size(); j > 1; --j) {
      std::swap(strata[j - 1], strata[rng.below(j)]);
    }
    for (int p = 0; p < n; ++p) {
      design[static_cast<std::size_t>(p)][static_cast<std::size_t>(i)] =
          (strata[static_cast<std::size_t>(p)] + rng.uniform()) / n;
    }
  }
  return design;
}

Design saltelli_design(int n, int k, std::uint64_t seed) {
  SplitMix64 rng(seed);
  const auto un = static_cast<std::size_t>(n), uk = static_cast<std::size_t>(k);
  Design a(un, std::vector<double>(uk)), b(un, std::vector<double>(uk));
  for (std::size_t j = 0; j < un; ++j) {
    for (std::size_t i = 0; i < uk; ++i) a[j][i] = rng.uniform();
    for (std::size_t i = 0; i < uk; ++i) b[j][i] = rng.uniform();
  }
  Design design = a;
  design.insert(design.end(), b.begin(), b.end());
  for (std::size_t i = 0; i < uk; ++i) {
    for (std::size_t j = 0; j < un; ++j) {
      std::vector<double> row = a[j];
      row[i] = b[j][i];
      design.push_back(std::move(row));
    }
  }
  return design;
}

namespace {

// Indices of all parameters from the rows listed in `rows` (the bootstrap resamples them).
void estimate(std::span<const double> y, std::size_t n, std::size_t k,
              std::span<const std::size_t> rows, std::vector<double>& first,
              std::vector<double>& total) {
  const auto m = static_cast<double>(rows.size());
  double mean = 0.0;
  for (std::size_t j : rows) mean += y[j] + y[n + j];
  mean /= 2.0 * m;
  double variance = 0.0;
  for (std::size_t j : rows) {
    variance += (y[j] - mean) * (y[j] - mean) + (y[n + j] - mean) * (y[n + j] - mean);
  }
  variance /= 2.0 * m;
  for (std::size_t i = 0; i < k; ++i) {
    const std::size_t ab = (2 + i) * n;
    double s = 0.0, t = 0.0;
    for (std::size_t j : rows) {
      s += y[n + j] * (y[ab + j] - y[j]);
      t += (y[j] - y[ab + j]) * (y[j] - y[ab + j]);
    }
    first[i] = variance > 0.0 ? s / m / variance : std::numeric_limits<double>::quiet_NaN();
    total[i] = variance > 0.0 ? t / (2.0 * m) / variance : std::numeric_limits<double>::quiet_NaN();
  }
}

// Quantile of sorted values, linear between order statistics (Hyndman-Fan type 7).
double quantile(const std::vector<double>& sorted, double q) {
  const double h = q * static_cast<double>(sorted.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(h));
  const std::size_t hi = std::min(lo + 1, sorted.size() - 1);
  return sorted[lo] + (h - static_cast<double>(lo)) * (sorted[hi] - sorted[lo]);
}

}  // namespace

std::vector<SobolIndex> sobol_indices(std::span<const double> y, int n, int k, int n_bootstrap,
                                      std::uint64_t seed) {
  const auto un = static_cast<std::size_t>(n), uk = static_cast<std::size_t>(k);
  if (n < 2 || k < 1 || y.size() != un * (uk + 2) || n_bootstrap < 1) {
    throw std::invalid_argument("sobol_indices: y must hold n (k + 2) outputs, n >= 2, k >= 1");
  }
  std::vector<std::size_t> rows(un);
  std::iota(rows.begin(), rows.end(), std::size_t{0});
  std::vector<double> first(uk), total(uk);
  estimate(y, un, uk, rows, first, total);

  std::vector<std::vector<double>> boot_first(uk), boot_total(uk);
  SplitMix64 rng(seed);
  for (int b = 0; b < n_bootstrap; ++b) {
    for (std::size_t& r : rows) r = rng.below(un);
    std::vector<double> f(uk), t(uk);
    estimate(y, un, uk, rows, f, t);
    // A resample whose rows all give one value has no variance and no index: it is left out
    // (NaN would also break the sort below).
    for (std::size_t i = 0; i < uk; ++i) {
      if (std::isnan(f[i])) continue;
      boot_first[i].push_back(f[i]);
      boot_total[i].push_back(t[i]);
    }
  }
  std::vector<SobolIndex> out(uk);
  for (std::size_t i = 0; i < uk; ++i) {
    std::sort(boot_first[i].begin(), boot_first[i].end());
    std::sort(boot_total[i].begin(), boot_total[i].end());
    out[i].first = first[i];
    out[i].total = total[i];
    const bool defined = !std::isnan(first[i]) && !boot_first[i].empty();
    const double nan = std::numeric_limits<double>::quiet_NaN();
    out[i].first_low = defined ? quantile(boot_first[i], 0.025) : nan;
    out[i].first_high = defined ? quantile(boot_first[i], 0.975) : nan;
    out[i].total_low = defined ? quantile(boot_total[i], 0.025) : nan;
    out[i].total_high = defined ? quantile(boot_total[i], 0.975) : nan;
  }
  return out;
}

}  // namespace codev::stats
