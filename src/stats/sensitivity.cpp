#include "stats/sensitivity.hpp"

#include "stats/summary.hpp"

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
    out[i].first_low = defined ? quantile_sorted(boot_first[i], 0.025) : nan;
    out[i].first_high = defined ? quantile_sorted(boot_first[i], 0.975) : nan;
    out[i].total_low = defined ? quantile_sorted(boot_total[i], 0.025) : nan;
    out[i].total_high = defined ? quantile_sorted(boot_total[i], 0.975) : nan;
  }
  return out;
}

double first_order_given_data(std::span<const double> x, std::span<const double> y,
                              std::size_t bins) {
  const std::size_t n = y.size();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  if (x.size() != n) throw std::invalid_argument("first_order_given_data: x and y differ in size");
  if (bins < 2 || n < 2 * bins) return nan;
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return x[a] < x[b]; });
  double mean = 0.0;
  for (const double v : y) mean += v;
  mean /= static_cast<double>(n);
  double ss_total = 0.0;
  for (const double v : y) ss_total += (v - mean) * (v - mean);
  if (!(ss_total > 0.0)) return nan;
  double ss_between = 0.0, ss_within = 0.0;
  std::size_t begin = 0;
  for (std::size_t b = 0; b < bins; ++b) {
    const std::size_t end = (b + 1) * n / bins;  // sizes floor(n / bins) or one more
    double m = 0.0;
    for (std::size_t i = begin; i < end; ++i) m += y[order[i]];
    m /= static_cast<double>(end - begin);
    ss_between += static_cast<double>(end - begin) * (m - mean) * (m - mean);
    for (std::size_t i = begin; i < end; ++i) {
      ss_within += (y[order[i]] - m) * (y[order[i]] - m);
    }
    begin = end;
  }
  const double bias = static_cast<double>(bins - 1) * ss_within / static_cast<double>(n - bins);
  return (ss_between - bias) / ss_total;
}

std::vector<GivenDataIndex> given_data_indices(std::span<const double> x, std::size_t k,
                                               std::span<const double> y, int n_bootstrap,
                                               std::uint64_t seed) {
  const std::size_t n = y.size();
  if (k == 0 || x.size() != n * k || n_bootstrap < 1) {
    throw std::invalid_argument("given_data_indices: x must hold n k values, k >= 1");
  }
  const double nan = std::numeric_limits<double>::quiet_NaN();
  std::vector<GivenDataIndex> out(k, GivenDataIndex{nan, nan, nan});
  if (n < 4) return out;
  const auto bins = std::max<std::size_t>(
      2, static_cast<std::size_t>(std::floor(std::sqrt(static_cast<double>(n)))));
  const auto column = [&](std::size_t i, const std::vector<std::size_t>& rows) {
    std::vector<double> c;
    c.reserve(rows.size());
    for (const std::size_t r : rows) c.push_back(x[r * k + i]);
    return c;
  };
  std::vector<std::size_t> rows(n);
  std::iota(rows.begin(), rows.end(), std::size_t{0});
  for (std::size_t i = 0; i < k; ++i)
    out[i].first = first_order_given_data(column(i, rows), y, bins);
  std::vector<std::vector<double>> boot(k);
  SplitMix64 rng(seed);
  std::vector<double> yb(n);
  for (int b = 0; b < n_bootstrap; ++b) {
    for (std::size_t j = 0; j < n; ++j) {
      rows[j] = rng.below(n);
      yb[j] = y[rows[j]];
    }
    for (std::size_t i = 0; i < k; ++i) {
      const double s = first_order_given_data(column(i, rows), yb, bins);
      if (!std::isnan(s)) boot[i].push_back(s);  // a resample without spread has no index
    }
  }
  for (std::size_t i = 0; i < k; ++i) {
    if (std::isnan(out[i].first) || boot[i].empty()) continue;
    std::sort(boot[i].begin(), boot[i].end());
    out[i].low = quantile_sorted(boot[i], 0.025);
    out[i].high = quantile_sorted(boot[i], 0.975);
  }
  return out;
}

}  // namespace codev::stats
