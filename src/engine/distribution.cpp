#include "engine/distribution.hpp"

#include <algorithm>
#include <span>
#include <utility>

#include "codev/indicators.hpp"
#include "engine/parallel.hpp"
#include "engine/scratch.hpp"

namespace codev {

namespace {

// A county's distribution is computed from FGT on its households' arrays as they are, one
// sequential pass over them (read_county), a radix sort of 8-byte keys whose histograms that pass
// already counted (sort_by_value), and the Gini and median read from the sorted keys. Every
// indicator is computed by the same functions, on the same values in the same order, as by
// sorting (value, position) entries: the output is unchanged. The quintile means are read from
// the same sorted keys.

// Radix digits of the sort: the keys are sorted on their high word (the value) only.
constexpr int kDigitBits = 11;
constexpr std::size_t kBuckets = std::size_t{1} << kDigitBits;
constexpr int kDigits = (32 + kDigitBits - 1) / kDigitBits;

// The one pass over the county's households [b, e): the sort keys of income per person
// (income_sort_key: the value in the high word, the household's persons in the low word, which
// rides along: the sort is stable, so equal values keep household order, the tie order of the
// indicators' own sort by value, then position, and the weight needs no second look-up), and the
// histograms of their radix digits.
void read_county(const Households& h, std::int64_t b, std::int64_t e, DistributionScratch& buf) {
  const auto n = static_cast<std::size_t>(e - b);
  buf.keys.resize(n);
  std::fill(buf.count.begin(), buf.count.end(), 0);
  std::uint32_t* const count = buf.count.data();
  const float* const income = h.income_pc.data() + b;
  const std::uint8_t* const persons = h.persons.data() + b;
  for (std::size_t j = 0; j < n; ++j) {
    const std::uint64_t k = income_sort_key(income[j], persons[j]);
    buf.keys[j] = k;
    for (int d = 0; d < kDigits; ++d) {
      ++count[static_cast<std::size_t>(d) * kBuckets +
              ((k >> (32 + d * kDigitBits)) & (kBuckets - 1))];
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
  for (std::vector<double>& v : out.quintile) v.assign(n, 0.0);
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
      b.count.resize(kDigits * kBuckets);
    }
  }
  parallel_for_items(n, [&](std::size_t cu) {
    const auto c = static_cast<int>(cu);
    DistributionScratch& buf = per_worker[static_cast<std::size_t>(worker_index())];
    const std::int64_t first = m.household_begin[c], end = m.household_begin[c + 1];
    // FGT on the households' net income as stored (below zero as zero: medical costs above
    // income count as no income, so gaps stay in [0, 1]), read in place.
    if (line > 0) {
      const auto at = static_cast<std::size_t>(first), size = static_cast<std::size_t>(end - first);
      const Fgt f = fgt_households(std::span(h.net_income_pc).subspan(at, size),
                                   std::span(h.persons).subspan(at, size), line);
      out.fgt0[cu] = f.fgt0;
      out.fgt1[cu] = f.fgt1;
      out.fgt2[cu] = f.fgt2;
    }
    read_county(h, first, end, buf);
    sort_by_value(buf);
    const GiniMedian gm = gini_median_sorted_keys(buf.keys);
    out.gini[cu] = gm.gini;
    out.median[cu] = gm.median;
    const QuintileMeans q = quintile_means_sorted_keys(buf.keys);
    for (std::size_t g = 0; g < q.size(); ++g) out.quintile[g][cu] = q[g];
  });
}

}  // namespace codev
