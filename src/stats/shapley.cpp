// Shapley decomposition (shapley.hpp).
#include "stats/shapley.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>

#include "stats/sensitivity.hpp"
#include "stats/summary.hpp"

namespace codev::stats {

namespace {

[[noreturn]] void fail(const std::string& what) {
  throw std::invalid_argument("codev::stats::shapley: " + what);
}

}  // namespace

std::vector<double> shapley_exact(int n, std::span<const double> v) {
  if (n < 1 || n > 20) fail("exact values need 1 to 20 players");
  const Coalition all = (Coalition{1} << n);
  if (v.size() != all) fail("v needs 2^n values");
  // weight[s] = s! (n - s - 1)! / n!, computed as a product of ratios (no overflow).
  std::vector<double> weight(static_cast<std::size_t>(n));
  for (int s = 0; s < n; ++s) {
    // s! (n - 1 - s)! / (n - 1)! = 1 / C(n - 1, s) = prod_{k=1..s} k / (n - k).
    double w = 1.0 / n;
    for (int k = 1; k <= s; ++k) w *= static_cast<double>(k) / static_cast<double>(n - k);
    weight[static_cast<std::size_t>(s)] = w;
  }
  std::vector<double> phi(static_cast<std::size_t>(n), 0.0);
  for (int i = 0; i < n; ++i) {
    const Coalition bit = Coalition{1} << i;
    double sum = 0.0;
    for (Coalition s = 0; s < all; ++s) {
      if (s & bit) continue;
      sum += weight[static_cast<std::size_t>(std::popcount(s))] * (v[s | bit] - v[s]);
    }
    phi[static_cast<std::size_t>(i)] = sum;
  }
  return phi;
}

std::vector<std::vector<int>> sample_permutations(int n, int m, std::uint64_t seed,
                                                  bool antithetic) {
  if (n < 1 || n > 63) fail("orderings need 1 to 63 players");
  if (m < 1 || (antithetic && m % 2 != 0)) fail("antithetic orderings come in pairs");
  SplitMix64 rng(seed);
  std::vector<std::vector<int>> orders;
  while (static_cast<int>(orders.size()) < m) {
    std::vector<int> p(static_cast<std::size_t>(n));
    std::iota(p.begin(), p.end(), 0);
    for (std::size_t k = p.size(); k > 1; --k) {
      std::swap(p[k - 1], p[static_cast<std::size_t>(rng.below(k))]);
    }
    orders.push_back(p);
    if (antithetic) orders.emplace_back(p.rbegin(), p.rend());
  }
  return orders;
}

std::vector<Coalition> permutation_coalitions(int n, const std::vector<std::vector<int>>& orders) {
  std::vector<Coalition> out = {0};
  for (const std::vector<int>& order : orders) {
    if (static_cast<int>(order.size()) != n) fail("an ordering of the wrong length");
    Coalition s = 0;
    for (int i : order) {
      s |= Coalition{1} << i;
      out.push_back(s);
    }
  }
  std::sort(out.begin(), out.end(), [](Coalition a, Coalition b) {
    return std::popcount(a) < std::popcount(b) || (std::popcount(a) == std::popcount(b) && a < b);
  });
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

ShapleyEstimate shapley_permutations(int n, const std::vector<std::vector<int>>& orders,
                                     bool antithetic, const std::function<double(Coalition)>& v) {
  if (orders.empty()) fail("no orderings");
  if (antithetic && orders.size() % 2 != 0) fail("antithetic orderings come in pairs");
  const auto players = static_cast<std::size_t>(n);
  // Contributions per ordering: [ordering][player].
  std::vector<std::vector<double>> c(orders.size(), std::vector<double>(players, 0.0));
  for (std::size_t k = 0; k < orders.size(); ++k) {
    if (orders[k].size() != players) fail("an ordering of the wrong length");
    Coalition s = 0;
    double before = v(s);
    for (int i : orders[k]) {
      s |= Coalition{1} << i;
      const double after = v(s);
      c[k][static_cast<std::size_t>(i)] = after - before;
      before = after;
    }
  }
  // Independent units: orderings, or antithetic pairs (their mean).
  const std::size_t unit = antithetic ? 2 : 1;
  ShapleyEstimate e;
  e.value.assign(players, 0.0);
  e.se.assign(players, 0.0);
  for (std::size_t i = 0; i < players; ++i) {
    Welford w;
    for (std::size_t k = 0; k < orders.size(); k += unit) {
      double x = 0.0;
      for (std::size_t j = 0; j < unit; ++j) x += c[k + j][i];
      w.add(x / static_cast<double>(unit));
    }
    e.value[i] = w.mean;
    e.se[i] = w.n > 1 ? std::sqrt(w.variance() / static_cast<double>(w.n))
                      : std::numeric_limits<double>::quiet_NaN();
  }
  return e;
}

}  // namespace codev::stats
