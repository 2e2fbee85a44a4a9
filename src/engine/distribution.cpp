#include "engine/distribution.hpp"

#include <algorithm>
#include <cstring>
#include <utility>

#include "codev/indicators.hpp"
#include "engine/parallel.hpp"
#include "engine/scratch.hpp"

namespace codev {

namespace {

// A float's bits made to sort as unsigned integers in the order of the float values.
std::uint32_t orderable(float f) {
  std::uint32_t u;
  std::memcpy(&u, &f, sizeof u);
  return (u & 0x80000000u) ? ~u : (u | 0x80000000u);
}

// Sorts keys (value << 32 | position), whose positions ascend, by value: a stable least
// significant digit radix sort on the high word, so ties keep position order and the result is
// the order std::sort gives the whole keys, in a few linear passes instead of n log n compares.
// Radix digits of the sort.
constexpr int kDigitBits = 11;
constexpr std::size_t kBuckets = std::size_t{1} << kDigitBits;

void sort_by_value(std::vector<std::uint64_t>& keys, std::vector<std::uint64_t>& scratch,
                   std::vector<std::size_t>& count) {
  scratch.resize(keys.size());
  count.resize(kBuckets);
  for (int shift = 32; shift < 64; shift += kDigitBits) {
    std::fill(count.begin(), count.end(), 0);
    for (const std::uint64_t k : keys) ++count[(k >> shift) & (kBuckets - 1)];
    // A digit shared by every key changes nothing (income exponents often are).
    if (std::find(count.begin(), count.end(), keys.size()) != count.end()) continue;
    std::size_t next = 0;
    for (std::size_t& c : count) next += std::exchange(c, next);
    for (const std::uint64_t k : keys) scratch[count[(k >> shift) & (kBuckets - 1)]++] = k;
    keys.swap(scratch);
  }
}

}  // namespace

void county_distribution(const Model& m, const Households& h, double line,
                         CountyDistribution& out) {
  std::vector<DistributionScratch> per_worker;
  county_distribution(m, h, line, out, per_worker);
}

void county_distribution(const Model& m, const Households& h, double line, CountyDistribution& out,
                         std::vector<DistributionScratch>& per_worker) {
  const auto n = static_cast<std::size_t>(m.n_county);
  for (auto* v : {&out.gini, &out.median, &out.fgt0, &out.fgt1, &out.fgt2}) v->assign(n, 0.0);
  // Every worker's buffers take the largest county at once: which worker meets which county
  // varies from one call to the next, and no buffer should grow after the first call.
  if (per_worker.size() != static_cast<std::size_t>(max_workers())) {
    per_worker.resize(static_cast<std::size_t>(max_workers()));
    std::int64_t largest = 0;
    for (int c = 0; c < m.n_county; ++c) {
      largest = std::max(largest, m.household_begin[c + 1] - m.household_begin[c]);
    }
    const auto n_max = static_cast<std::size_t>(largest);
    for (DistributionScratch& b : per_worker) {
      b.keys.reserve(n_max);
      b.sorted.reserve(n_max);
      b.x.reserve(n_max);
      b.w.reserve(n_max);
      b.indicators.reserve(n_max);
      b.count.resize(kBuckets);
    }
  }
  parallel_for_items(n, [&](std::size_t cu) {
    const auto c = static_cast<int>(cu);
    const std::int64_t b = m.household_begin[c], e = m.household_begin[c + 1];
    const auto count = static_cast<std::size_t>(e - b);
    DistributionScratch& buf = per_worker[static_cast<std::size_t>(worker_index())];
    // Sort 8-byte keys (income bits, position) instead of the generic entries: the order is the
    // one gini_median would use (by value, ties by position), many times faster.
    std::vector<std::uint64_t>& keys = buf.keys;
    keys.resize(count);
    for (std::size_t j = 0; j < count; ++j) {
      keys[j] = (std::uint64_t{orderable(h.income_pc[b + static_cast<std::int64_t>(j)])} << 32) | j;
    }
    sort_by_value(keys, buf.sorted, buf.count);
    std::vector<double>& x = buf.x;
    std::vector<double>& w = buf.w;
    x.resize(count);
    w.resize(count);
    for (std::size_t j = 0; j < count; ++j) {
      const auto i = b + static_cast<std::int64_t>(keys[j] & 0xffffffffu);
      x[j] = h.income_pc[i];
      w[j] = h.persons[i];
    }
    const GiniMedian gm = gini_median_sorted(x, w, buf.indicators);
    out.gini[cu] = gm.gini;
    out.median[cu] = gm.median;
    if (line <= 0) return;
    // Net income below zero (medical costs above income) counts as zero: gaps stay in [0, 1].
    for (std::int64_t i = b; i < e; ++i) {
      const auto j = static_cast<std::size_t>(i - b);
      x[j] = std::max(0.0f, h.net_income_pc[i]);
      w[j] = h.persons[i];
    }
    const Fgt f = fgt(x, w, line, buf.indicators);
    out.fgt0[cu] = f.fgt0;
    out.fgt1[cu] = f.fgt1;
    out.fgt2[cu] = f.fgt2;
  });
}

}  // namespace codev
