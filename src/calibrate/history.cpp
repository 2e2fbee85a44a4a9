// History matching (history.hpp).
#include "calibrate/history.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "calibrate/prior.hpp"

namespace codev::calibrate {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

double distance2(const std::vector<double>& a, const std::vector<double>& b) {
  double s = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) s += (a[i] - b[i]) * (a[i] - b[i]);
  return s;
}

double min_distance2(const std::vector<std::vector<double>>& points) {
  double best = kInf;
  for (std::size_t i = 0; i < points.size(); ++i) {
    for (std::size_t j = 0; j < i; ++j) best = std::min(best, distance2(points[i], points[j]));
  }
  return best;
}

}  // namespace

double normal_draw(stats::SplitMix64& rng) {
  // (j + 1/2) 2^-53 for j in [0, 2^53): strictly inside (0, 1).
  const double u = (static_cast<double>(rng.next() >> 11) + 0.5) * 0x1.0p-53;
  return normal_quantile(u);
}

std::vector<std::vector<double>> Region::implausibility(std::size_t w,
                                                        const std::vector<double>& points,
                                                        std::size_t m) const {
  const Wave& wave = waves.at(w);
  std::vector<std::vector<double>> out(m, std::vector<double>(wave.emulators.size()));
  std::vector<double> mean, var;
  for (std::size_t t = 0; t < wave.emulators.size(); ++t) {
    wave.emulators[t].predict(points, m, mean, var);
    for (std::size_t p = 0; p < m; ++p) {
      const double total = var[p] + wave.fixed_variance[t];
      const double gap = std::abs(wave.observed[t] - mean[p]);
      out[p][t] = total > 0.0 ? gap / std::sqrt(total) : (gap > 0.0 ? kInf : 0.0);
    }
  }
  return out;
}

std::vector<double> Region::nth_implausibility(std::size_t w, const std::vector<double>& points,
                                               std::size_t m) const {
  std::vector<std::vector<double>> all = implausibility(w, points, m);
  std::vector<double> out(m, 0.0);
  for (std::size_t p = 0; p < m; ++p) {
    std::vector<double>& v = all[p];
    if (v.empty()) continue;
    std::sort(v.begin(), v.end(), std::greater<>());
    out[p] = v[std::min(v.size(), static_cast<std::size_t>(nth)) - 1];
  }
  return out;
}

std::vector<char> Region::survives(const std::vector<double>& points, std::size_t m,
                                   std::vector<double>* worst, int n_wave) const {
  std::vector<char> ok(m, 1);
  if (worst) worst->assign(m, 0.0);
  const std::size_t n = n_wave < 0 ? waves.size() : static_cast<std::size_t>(n_wave);
  for (std::size_t w = 0; w < n; ++w) {
    const std::vector<double> imp = nth_implausibility(w, points, m);
    for (std::size_t p = 0; p < m; ++p) {
      if (imp[p] > cutoff) ok[p] = 0;
      if (worst) (*worst)[p] = std::max((*worst)[p], imp[p]);
    }
  }
  return ok;
}

Proposal sample_region(const Region& region, std::size_t want, std::size_t candidates,
                       std::uint64_t seed) {
  Proposal out;
  const std::size_t k = region.k;
  stats::SplitMix64 rng(seed);
  // The least implausible points seen, to grow from when nothing survives.
  std::vector<std::pair<double, std::vector<double>>> best;
  const std::size_t keep_best = std::max<std::size_t>(want, 10);
  const auto remember = [&](const std::vector<double>& flat, std::size_t m,
                            const std::vector<double>& worst) {
    for (std::size_t p = 0; p < m; ++p) {
      best.emplace_back(
          worst[p], std::vector<double>(flat.begin() + static_cast<std::ptrdiff_t>(p * k),
                                        flat.begin() + static_cast<std::ptrdiff_t>((p + 1) * k)));
    }
    std::stable_sort(best.begin(), best.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    if (best.size() > keep_best) best.resize(keep_best);
  };
  const auto test = [&](const std::vector<double>& flat, std::size_t m) {
    std::vector<double> worst;
    const std::vector<char> ok = region.survives(flat, m, &worst);
    std::size_t accepted = 0;
    for (std::size_t p = 0; p < m; ++p) {
      if (!ok[p]) continue;
      ++accepted;
      out.points.emplace_back(flat.begin() + static_cast<std::ptrdiff_t>(p * k),
                              flat.begin() + static_cast<std::ptrdiff_t>((p + 1) * k));
    }
    if (out.points.empty()) remember(flat, m, worst);
    return accepted;
  };

  // Uniform phase, in batches (prediction is batched).
  constexpr std::size_t kBatch = 1024;
  for (std::size_t done = 0; done < candidates; done += kBatch) {
    const std::size_t m = std::min(kBatch, candidates - done);
    std::vector<double> flat(m * k);
    for (double& v : flat) v = rng.uniform();
    out.uniform_accepted += test(flat, m);
  }
  out.uniform_tried = candidates;

  // Augmentation: Gaussian steps around the survivors (or the least implausible points), with
  // the spread of those points as the step; the step halves after a round that accepts fewer
  // than one in twenty, so the search narrows onto a small region.
  std::vector<double> sd(k, 0.05);
  double factor = 1.0;
  for (int round = 0; round < 30 && out.points.size() < want; ++round) {
    std::vector<std::vector<double>> seeds;
    if (!out.points.empty()) {
      seeds = out.points;
    } else {
      for (const auto& b : best) seeds.push_back(b.second);
    }
    if (seeds.empty()) break;
    if (seeds.size() > 1) {
      for (std::size_t i = 0; i < k; ++i) {
        double mean = 0.0, ss = 0.0;
        for (const auto& s : seeds) mean += s[i];
        mean /= static_cast<double>(seeds.size());
        for (const auto& s : seeds) ss += (s[i] - mean) * (s[i] - mean);
        sd[i] = std::max(std::sqrt(ss / static_cast<double>(seeds.size() - 1)), 1e-4);
      }
    }
    const std::size_t m = std::max<std::size_t>(candidates / 10, 100);
    std::vector<double> flat;
    flat.reserve(m * k);
    std::size_t made = 0;
    for (std::size_t tries = 0; made < m && tries < 20 * m; ++tries) {
      const std::vector<double>& s = seeds[rng.below(seeds.size())];
      std::vector<double> x(k);
      bool inside = true;
      for (std::size_t i = 0; i < k; ++i) {
        x[i] = s[i] + factor * sd[i] * normal_draw(rng);
        inside = inside && x[i] >= 0.0 && x[i] <= 1.0;
      }
      if (!inside) continue;
      flat.insert(flat.end(), x.begin(), x.end());
      ++made;
    }
    if (made == 0) break;
    if (20 * test(flat, made) < made) factor *= 0.5;
  }
  return out;
}

std::vector<std::vector<double>> maximin_lhs(int n, int k, std::uint64_t seed, int tries) {
  std::vector<std::vector<double>> best;
  double best_d = -1.0;
  for (int t = 0; t < tries; ++t) {
    std::vector<std::vector<double>> d =
        stats::lhs_design(n, k, seed ^ (0x9e3779b97f4a7c15ULL * static_cast<std::uint64_t>(t + 1)));
    const double dist = min_distance2(d);
    if (dist > best_d) {
      best_d = dist;
      best = std::move(d);
    }
  }
  return best;
}

std::vector<std::size_t> maximin_subset(const std::vector<std::vector<double>>& pool,
                                        std::size_t count) {
  std::vector<std::size_t> chosen;
  if (pool.empty() || count == 0) return chosen;
  count = std::min(count, pool.size());
  std::vector<double> nearest(pool.size(), kInf);
  std::size_t next = 0;
  for (;;) {
    chosen.push_back(next);
    if (chosen.size() == count) break;
    std::size_t far = 0;
    double far_d = -1.0;
    for (std::size_t i = 0; i < pool.size(); ++i) {
      nearest[i] = std::min(nearest[i], distance2(pool[i], pool[next]));
      if (nearest[i] > far_d) {
        far_d = nearest[i];
        far = i;
      }
    }
    next = far;
  }
  return chosen;
}

}  // namespace codev::calibrate
