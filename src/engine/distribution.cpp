#include "engine/distribution.hpp"

#include <algorithm>
#include <cstring>
#include <span>
#include <utility>

#include "codev/indicators.hpp"
#include "engine/parallel.hpp"
#include "engine/scratch.hpp"

namespace codev {

namespace {

// A county's distribution is computed from one sequential pass over its households
// (read_county), a radix sort of 8-byte keys whose histograms that pass already counted
// (sort_by_value), one pass over the sorted keys (sorted_inputs), and the indicators on arrays
// that are in cache by then. Every indicator is computed by the same functions, on the same
// values in the same order, as by sorting (value, position) entries: the output is unchanged.

// A float's bits made to sort as unsigned integers in the order of the float values.
std::uint32_t orderable(float f) {
  std::uint32_t u;
  std::memcpy(&u, &f, sizeof u);
  return (u & 0x80000000u) ? ~u : (u | 0x80000000u);
}

// The float whose orderable() is u: the key gives back the exact income.
float from_orderable(std::uint32_t u) {
  u = (u & 0x80000000u) ? (u & 0x7fffffffu) : ~u;
  float f;
  std::memcpy(&f, &u, sizeof f);
  return f;
}

// Radix digits of the sort: the keys are sorted on their high word (the value) only.
constexpr int kDigitBits = 11;
constexpr std::size_t kBuckets = std::size_t{1} << kDigitBits;
constexpr int kDigits = (32 + kDigitBits - 1) / kDigitBits;

// A key: the orderable value in the high word, the household's persons in the low word. The low
// word rides along: the sort is stable, so equal values keep household order (the tie order of
// the indicators' own sort by value, then position), and the weight needs no second look-up.
std::uint64_t sort_key(float value, std::uint8_t persons) {
  return (std::uint64_t{orderable(value)} << 32) | persons;
}

// The one pass over the county's households [b, e): the sort keys of income per person, the
// histograms of their radix digits, and, when `poverty`, the FGT inputs in household order (net
// income below zero, medical costs above income, counts as zero: gaps stay in [0, 1]).
void read_county(const Households& h, std::int64_t b, std::int64_t e, bool poverty,
                 DistributionScratch& buf) {
  const auto n = static_cast<std::size_t>(e - b);
  buf.keys.resize(n);
  buf.x.resize(poverty ? n : 0);
  buf.w.resize(poverty ? n : 0);
  std::fill(buf.count.begin(), buf.count.end(), 0);
  std::uint32_t* const count = buf.count.data();
  const float* const income = h.income_pc.data() + b;
  const float* const net = h.net_income_pc.data() + b;
  const std::uint8_t* const persons = h.persons.data() + b;
  for (std::size_t j = 0; j < n; ++j) {
    const std::uint64_t k = sort_key(income[j], persons[j]);
    buf.keys[j] = k;
    for (int d = 0; d < kDigits; ++d) {
      ++count[static_cast<std::size_t>(d) * kBuckets +
              ((k >> (32 + d * kDigitBits)) & (kBuckets - 1))];
    }
    if (poverty) {
      buf.x[j] = std::max(0.0f, net[j]);
      buf.w[j] = persons[j];
    }
  }
}

// Sorts the keys by their high word: a stable least significant digit radix sort with the
// histograms read_county counted (a digit's histogram does not depend on the keys' order), in a
// few linear passes instead of n log n compares.
void sort_by_value(DistributionScratch& buf) {
  std::vector<std::uint64_t>& keys = buf.keys;
  buf.sorted.resize(keys.size());
  for (int d = 0; d < kDigits; ++d) {
    const auto count =
        std::span(buf.count).subspan(static_cast<std::size_t>(d) * kBuckets, kBuckets);
    // A digit shared by every key changes nothing (income exponents often are).
    if (std::find(count.begin(), count.end(), keys.size()) != count.end()) continue;
    std::uint32_t next = 0;
    for (std::uint32_t& c : count) next += std::exchange(c, next);
    const int shift = 32 + d * kDigitBits;
    for (const std::uint64_t k : keys) buf.sorted[count[(k >> shift) & (kBuckets - 1)]++] = k;
    keys.swap(buf.sorted);
  }
}

// Income per person and persons in ascending order of income, from the sorted keys (over the FGT
// inputs, which are used by then).
void sorted_inputs(DistributionScratch& buf) {
  const std::size_t n = buf.keys.size();
  buf.x.resize(n);
  buf.w.resize(n);
  for (std::size_t j = 0; j < n; ++j) {
    const std::uint64_t k = buf.keys[j];
    buf.x[j] = from_orderable(static_cast<std::uint32_t>(k >> 32));
    buf.w[j] = static_cast<double>(k & 0xffffffffu);
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
      for (auto* v : {&b.keys, &b.sorted}) v->reserve(n_max);
      for (auto* v : {&b.x, &b.w}) v->reserve(n_max);
      b.count.resize(kDigits * kBuckets);
    }
  }
  parallel_for_items(n, [&](std::size_t cu) {
    const auto c = static_cast<int>(cu);
    DistributionScratch& buf = per_worker[static_cast<std::size_t>(worker_index())];
    const bool poverty = line > 0;
    read_county(h, m.household_begin[c], m.household_begin[c + 1], poverty, buf);
    // FGT first: its inputs were just written, and the sort then reuses the cache.
    if (poverty) {
      const Fgt f = fgt(buf.x, buf.w, line, buf.indicators);
      out.fgt0[cu] = f.fgt0;
      out.fgt1[cu] = f.fgt1;
      out.fgt2[cu] = f.fgt2;
    }
    sort_by_value(buf);
    sorted_inputs(buf);
    const GiniMedian gm = gini_median_sorted(buf.x, buf.w);
    out.gini[cu] = gm.gini;
    out.median[cu] = gm.median;
  });
}

}  // namespace codev
