// Distributional indicators on person-weighted data (see codev/indicators.hpp for the contract).
//
// Numerical choices, and why:
//  * Running sums use Neumaier (improved Kahan) compensated summation: totals of many positive
//    person weights and incomes then carry O(eps) rather than O(n eps) relative error, and the
//    result is still a fixed sequence of IEEE operations, so the same input order gives the same
//    bits (the build sets -ffp-contract=off, so no FMA contraction changes that).
//  * The quintile means use plain running sums, one pair per fifth: they are outputs no other
//    figure is computed from, read at every year end over every household, and a fifth of a
//    county's households sums to well within float income precision without compensation.
//  * FGT uses pairwise summation instead: with a fixed summation tree, summing termwise-smaller
//    non-negative terms gives a smaller-or-equal result (IEEE rounding is monotone), which makes
//    fgt2 <= fgt1 <= fgt0 <= 1 hold exactly for non-negative incomes, not just up to rounding.
//  * Sorting (median, Gini) orders by (value, original index): a strict total order, so the
//    sorted sequence, and hence every subsequent sum, is unique for a given input order.
//  * Entries with weight 0 are dropped before anything else, so they cannot change a single bit
//    of any result (an empty household's income per person may be NaN; that is fine).
#include "codev/indicators.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string>

namespace codev {

namespace {

/// Neumaier compensated summation: the rounding error of each addition is recovered exactly
/// (two-sum) and accumulated separately, then added back once at the end.
class CompensatedSum {
 public:
  void add(double v) {
    const double t = sum_ + v;
    // The larger-magnitude operand absorbs the rounding; recover what was lost from the other.
    if (std::abs(sum_) >= std::abs(v)) {
      comp_ += (sum_ - t) + v;
    } else {
      comp_ += (v - t) + sum_;
    }
    sum_ = t;
  }
  double value() const { return sum_ + comp_; }

 private:
  double sum_ = 0.0;
  double comp_ = 0.0;
};

[[noreturn]] void fail(const char* fn, const std::string& what) {
  throw std::invalid_argument(std::string("codev::") + fn + ": " + what);
}

void check_sizes(const char* fn, std::size_t nx, std::size_t nw) {
  if (nx != nw) {
    fail(fn, "value and weight spans differ in size (" + std::to_string(nx) + " vs " +
                 std::to_string(nw) + ")");
  }
}

/// The checks of counts() for an entry that is not a finite value with a finite positive weight:
/// throws for a bad weight or value, false for a zero weight. Out of line, as it is rarely needed.
[[gnu::noinline, gnu::cold]] bool counts_slow(const char* fn, std::size_t i, double x, double w) {
  if (!(w >= 0.0) || !std::isfinite(w)) {
    fail(fn, "weight[" + std::to_string(i) + "] must be finite and >= 0, got " + std::to_string(w));
  }
  if (w == 0.0) return false;
  if (!std::isfinite(x)) {
    fail(fn, "value[" + std::to_string(i) + "] with positive weight is not finite");
  }
  return true;
}

/// Validates entry i and tells whether it takes part. Weights must be finite and >= 0; a zero
/// weight means "not in the population", so its value is not inspected (it may be NaN). A
/// positively weighted value must be finite: NaN would break the sort order and poison sums.
inline bool counts(const char* fn, std::size_t i, double x, double w) {
  if (w > 0.0 && std::isfinite(w) && std::isfinite(x)) return true;  // the usual case
  return counts_slow(fn, i, x, w);
}

using Entry = IndicatorBuffer::Entry;

/// Copies the positively weighted entries (validated), in input order, into `buffer`.
std::vector<Entry>& positive_entries(const char* fn, std::span<const double> x,
                                     std::span<const double> weight, IndicatorBuffer& buffer) {
  check_sizes(fn, x.size(), weight.size());
  std::vector<Entry>& entries = buffer.entries;
  entries.clear();
  entries.reserve(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (counts(fn, i, x[i], weight[i])) entries.push_back({x[i], weight[i], i});
  }
  return entries;
}

/// Sorts by value, ties by input position: a strict total order (values are finite), so the
/// result does not depend on the sort algorithm.
void sort_entries(std::vector<Entry>& entries) {
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return a.x < b.x || (a.x == b.x && a.index < b.index);
  });
}

/// Read access to weighted values for the sums below, in their order: entry k has value x(k)
/// and weight w(k). The sums skip entries of weight 0 where they may occur (see each function),
/// so one implementation serves copied entries and the caller's spans alike.
struct EntryView {
  const std::vector<Entry>& e;
  std::size_t size() const { return e.size(); }
  double x(std::size_t k) const { return e[k].x; }
  double w(std::size_t k) const { return e[k].w; }
};
struct SpanView {
  std::span<const double> xs, ws;
  std::size_t size() const { return xs.size(); }
  double x(std::size_t k) const { return xs[k]; }
  double w(std::size_t k) const { return ws[k]; }
};

/// Validates every entry (as positive_entries does) and counts the positively weighted ones.
std::size_t count_positive(const char* fn, std::span<const double> x,
                           std::span<const double> weight) {
  check_sizes(fn, x.size(), weight.size());
  std::size_t n = 0;
  for (std::size_t i = 0; i < x.size(); ++i) n += counts(fn, i, x[i], weight[i]) ? 1 : 0;
  return n;
}

/// The four sums of FGT over entries that all have a positive weight.
struct FgtSums {
  double total = 0.0;  ///< sum w
  double poor = 0.0;   ///< sum w [x < z]
  double gap1 = 0.0;   ///< sum w g
  double gap2 = 0.0;   ///< sum (w g) g
};

/// The four sums over entries [lo, hi), each a pairwise sum of its own terms: error grows with
/// log n, and the summation tree depends only on the count, so termwise-ordered inputs give
/// ordered sums (see the note at the top). The four share one tree and one pass over the
/// entries; each still adds its terms in exactly the order a sum of its own would.
template <class View>
FgtSums fgt_sums(const View& v, double line, std::size_t lo, std::size_t hi) {
  constexpr std::size_t kBlock = 16;  // plain loop below this: recursion overhead not worth it
  if (hi - lo <= kBlock) {
    FgtSums s;
    for (std::size_t k = lo; k < hi; ++k) {
      const double x = v.x(k), w = v.w(k);
      // Normalised gap g = (z-y)/z of the poor, 0 for the non-poor. Computed as (z-y)/z rather
      // than 1-y/z: z-y is exact when y is near z (Sterbenz), where the gap is smallest. For
      // y >= 0 the rounded g is <= 1, so w*g <= w and (w*g)*g <= w*g termwise after rounding.
      const double g = x < line ? (line - x) / line : 0.0;
      s.total += w;
      s.poor += x < line ? w : 0.0;
      s.gap1 += w * g;
      s.gap2 += (w * g) * g;
    }
    return s;
  }
  const std::size_t mid = lo + (hi - lo) / 2;
  const FgtSums a = fgt_sums(v, line, lo, mid);
  const FgtSums b = fgt_sums(v, line, mid, hi);
  return {a.total + b.total, a.poor + b.poor, a.gap1 + b.gap1, a.gap2 + b.gap2};
}

}  // namespace

Fgt fgt(std::span<const double> income, std::span<const double> weight, double line) {
  IndicatorBuffer buffer;
  return fgt(income, weight, line, buffer);
}

Fgt fgt(std::span<const double> income, std::span<const double> weight, double line,
        IndicatorBuffer& buffer) {
  if (!std::isfinite(line)) fail("fgt", "poverty line is not finite");
  const std::size_t n = count_positive("fgt", income, weight);
  // No positive line, no poverty standard: nobody is counted (and (z-y)/z is undefined at 0).
  if (n == 0 || line <= 0.0) return {};
  // The summation tree depends on the positions among the positively weighted entries: with
  // every weight positive the input is used as it is, else those entries are copied first.
  FgtSums s;
  if (n == income.size()) {
    s = fgt_sums(SpanView{income, weight}, line, 0, n);
  } else {
    s = fgt_sums(EntryView{positive_entries("fgt", income, weight, buffer)}, line, 0, n);
  }
  return {s.poor / s.total, s.gap1 / s.total, s.gap2 / s.total};
}

namespace {
/// Households' net income per person (below zero as zero) and persons, as doubles on the fly.
struct NetIncomeView {
  std::span<const float> income;
  std::span<const std::uint8_t> persons;
  std::size_t size() const { return income.size(); }
  double x(std::size_t k) const { return std::max(0.0f, income[k]); }
  double w(std::size_t k) const { return persons[k]; }
};
}  // namespace

Fgt fgt_households(std::span<const float> income, std::span<const std::uint8_t> persons,
                   double line) {
  check_sizes("fgt_households", income.size(), persons.size());
  const NetIncomeView v{income, persons};
  const bool all_weighted =
      std::find(persons.begin(), persons.end(), std::uint8_t{0}) == persons.end();
  if (!all_weighted) {
    // fgt's copying path (weight 0 entries are dropped before the summation tree is built).
    std::vector<double> x(v.size()), w(v.size());
    for (std::size_t k = 0; k < v.size(); ++k) {
      x[k] = v.x(k);
      w[k] = v.w(k);
    }
    return fgt(x, w, line);
  }
  // fgt's in-place path: the same validation, then the same sums on the same values.
  if (!std::isfinite(line)) fail("fgt", "poverty line is not finite");
  for (std::size_t k = 0; k < v.size(); ++k) counts("fgt", k, v.x(k), v.w(k));
  if (v.size() == 0 || line <= 0.0) return {};
  const FgtSums sums = fgt_sums(v, line, 0, v.size());
  return {sums.poor / sums.total, sums.gap1 / sums.total, sums.gap2 / sums.total};
}

double weighted_mean(std::span<const double> x, std::span<const double> weight) {
  check_sizes("weighted_mean", x.size(), weight.size());
  CompensatedSum w_sum;
  CompensatedSum wx_sum;
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (!counts("weighted_mean", i, x[i], weight[i])) continue;
    w_sum.add(weight[i]);
    wx_sum.add(weight[i] * x[i]);
  }
  const double w_total = w_sum.value();
  return w_total > 0.0 ? wx_sum.value() / w_total : 0.0;
}

namespace {

// The sorted-order functions below take a view (EntryView or SpanView) of entries in ascending
// order whose weights are validated; entries of weight 0 (possible in a SpanView only) are not
// part of the population and are skipped, so a view with them gives the bits of the same view
// without them.

// Total of the weights, in order, with the accumulator gini_sorted uses for its running weight:
// the two give the same bits.
template <class View>
double total_weight(const View& v) {
  CompensatedSum total;
  for (std::size_t k = 0; k < v.size(); ++k) {
    if (v.w(k) != 0.0) total.add(v.w(k));
  }
  return total.value();
}

// Median of entries sorted by sort_entries, given their total weight (total_weight(v) or
// gini_sorted's, the same bits). The total is accumulated in the same (sorted) order with the
// same accumulator as the running sum below, so the last running value equals it bit for bit and
// the loop always finds an entry. The test cum >= W/2 is done as 2*cum >= W: doubling is exact.
template <class View>
double median_sorted(const View& v, double w_total) {
  CompensatedSum cum;
  double last = 0.0;
  for (std::size_t k = 0; k < v.size(); ++k) {
    const double w = v.w(k);
    if (w == 0.0) continue;
    cum.add(w);
    last = v.x(k);
    if (2.0 * cum.value() >= w_total) return last;
  }
  return last;  // unreachable: see above
}

// Gini of entries sorted by sort_entries, and their total weight (which the median needs too:
// returned so it is not summed twice).
// With x sorted ascending, sum_{i,j} w_i w_j |x_i - x_j| = 2 N, N = sum_j w_j A_j, where
// A_j = sum_{i<j} w_i (x_j - x_i) follows the recurrence A_j = A_{j-1} + C_{j-1} (x_j - x_{j-1})
// with C_{j-1} the weight before j. Every increment is >= 0 (sorted differences are exact 0
// for ties), so N is a sum of non-negative terms: no cancellation, unlike the textbook
// "... / (W S) - 1" form, and equal incomes give exactly 0. Then G = 2N / (2 W^2 mean) = N/(W S).
struct GiniTotal {
  double gini = 0.0;
  double w_total = 0.0;
};
template <class View>
GiniTotal gini_sorted(const View& v) {
  CompensatedSum cum_w;   // C_{j-1}, then W
  CompensatedSum a;       // A_j
  CompensatedSum n_sum;   // N
  CompensatedSum wx_sum;  // S = sum w x
  std::size_t k = 0;
  while (k < v.size() && v.w(k) == 0.0) ++k;
  if (k == v.size()) return {};
  double prev = v.x(k);  // the first entry adds C (x - x) = 0
  for (; k < v.size(); ++k) {
    const double w = v.w(k);
    if (w == 0.0) continue;
    const double x = v.x(k);
    a.add(cum_w.value() * (x - prev));
    n_sum.add(w * a.value());
    cum_w.add(w);
    wx_sum.add(w * x);
    prev = x;
  }
  const double w_total = cum_w.value();
  const double s = wx_sum.value();
  if (!(s > 0.0)) return {0.0, w_total};  // mean <= 0: the index is not defined
  return {(n_sum.value() / w_total) / s, w_total};
}

}  // namespace

double weighted_median(std::span<const double> x, std::span<const double> weight) {
  IndicatorBuffer buffer;
  std::vector<Entry>& e = positive_entries("weighted_median", x, weight, buffer);
  if (e.empty()) return 0.0;
  sort_entries(e);
  const EntryView v{e};
  return median_sorted(v, total_weight(v));
}

double gini(std::span<const double> x, std::span<const double> weight) {
  IndicatorBuffer buffer;
  std::vector<Entry>& e = positive_entries("gini", x, weight, buffer);
  if (e.empty()) return 0.0;
  sort_entries(e);
  return gini_sorted(EntryView{e}).gini;
}

GiniMedian gini_median(std::span<const double> x, std::span<const double> weight) {
  IndicatorBuffer buffer;
  std::vector<Entry>& e = positive_entries("gini_median", x, weight, buffer);
  if (e.empty()) return {};
  sort_entries(e);
  const EntryView v{e};
  const GiniTotal g = gini_sorted(v);
  return {g.gini, median_sorted(v, g.w_total)};
}

namespace {

// Nothing is copied: the input is validated in one pass (every entry first, then the order, as
// the copying functions do), then read in place, zero weights skipped. Positively weighted
// entries in input order are then in sort_entries' order (ties by position).
template <class View>
GiniMedian gini_median_in_place(const char* fn, const View& v) {
  bool any = false, ascending = true;
  double prev = 0.0;
  for (std::size_t i = 0; i < v.size(); ++i) {
    const double x = v.x(i);
    if (!counts(fn, i, x, v.w(i))) continue;
    if (any && x < prev) ascending = false;
    prev = x;
    any = true;
  }
  if (!any) return {};
  if (!ascending) fail(fn, "incomes are not in ascending order");
  const GiniTotal g = gini_sorted(v);
  return {g.gini, median_sorted(v, g.w_total)};
}

/// Sort keys (income_sort_key) read as incomes and weights.
struct KeyView {
  std::span<const std::uint64_t> keys;
  std::size_t size() const { return keys.size(); }
  double x(std::size_t k) const { return income_of_key(keys[k]); }
  double w(std::size_t k) const { return static_cast<double>(keys[k] & 0xffffffffu); }
};

}  // namespace

GiniMedian gini_median_sorted(std::span<const double> x, std::span<const double> weight) {
  check_sizes("gini_median_sorted", x.size(), weight.size());
  return gini_median_in_place("gini_median_sorted", SpanView{x, weight});
}

std::uint64_t income_sort_key(float income, std::uint32_t weight) {
  std::uint32_t u;
  std::memcpy(&u, &income, sizeof u);
  u = (u & 0x80000000u) ? ~u : (u | 0x80000000u);
  return (std::uint64_t{u} << 32) | weight;
}

float income_of_key(std::uint64_t key) {
  auto u = static_cast<std::uint32_t>(key >> 32);
  u = (u & 0x80000000u) ? (u & 0x7fffffffu) : ~u;
  float f;
  std::memcpy(&f, &u, sizeof f);
  return f;
}

GiniMedian gini_median_sorted_keys(std::span<const std::uint64_t> keys) {
  return gini_median_in_place("gini_median_sorted_keys", KeyView{keys});
}

namespace {

// quintile_means on a view of entries in ascending order, n of them with a weight (weights
// validated; zero weights are not part of the population and are skipped). Entry j of the n is
// in group floor(5 j / n), so group g ends before entry ceil((g + 1) n / 5): one pass, no
// division per entry.
template <class View>
QuintileMeans quintile_means_sorted(const View& v, std::size_t n) {
  QuintileMeans out{};
  std::size_t k = 0, j = 0;
  for (std::size_t g = 0; g < out.size(); ++g) {
    const std::size_t end = ((g + 1) * n + 4) / 5;
    double income = 0.0, weight = 0.0;
    for (; j < end; ++k) {
      const double w = v.w(k);
      if (w == 0.0) continue;
      income += w * v.x(k);
      weight += w;
      ++j;
    }
    out[g] = weight > 0.0 ? income / weight : std::numeric_limits<double>::quiet_NaN();
  }
  return out;
}

}  // namespace

QuintileMeans quintile_means(std::span<const double> x, std::span<const double> weight) {
  IndicatorBuffer buffer;
  std::vector<Entry>& e = positive_entries("quintile_means", x, weight, buffer);
  sort_entries(e);
  return quintile_means_sorted(EntryView{e}, e.size());  // every entry has a positive weight
}

QuintileMeans quintile_means_sorted_keys(std::span<const std::uint64_t> keys) {
  // One pass checks the order and counts the keys with a weight.
  std::size_t n = 0;
  for (std::size_t i = 0; i < keys.size(); ++i) {
    if (i > 0 && (keys[i] >> 32) < (keys[i - 1] >> 32)) {
      fail("quintile_means_sorted_keys", "incomes are not in ascending order");
    }
    n += (keys[i] & 0xffffffffu) != 0;
  }
  return quintile_means_sorted(KeyView{keys}, n);
}

Theil theil(std::span<const double> x, std::span<const double> weight, std::span<const int> group,
            int n_group) {
  check_sizes("theil", x.size(), weight.size());
  if (group.size() != x.size()) {
    fail("theil", "group span size " + std::to_string(group.size()) + " differs from " +
                      std::to_string(x.size()));
  }
  if (n_group < 0) fail("theil", "n_group is negative");

  // Pass 1: validation, skipped count, and population and income totals overall and per group.
  Theil out;
  const auto ng = static_cast<std::size_t>(n_group);
  std::vector<CompensatedSum> w_g(ng);
  std::vector<CompensatedSum> s_g(ng);
  CompensatedSum w_all;
  CompensatedSum s_all;
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (!counts("theil", i, x[i], weight[i])) continue;
    if (group[i] < 0 || group[i] >= n_group) {
      fail("theil", "group[" + std::to_string(i) + "] = " + std::to_string(group[i]) +
                        " is outside [0, " + std::to_string(n_group) + ")");
    }
    if (!(x[i] > 0.0)) {
      ++out.skipped;  // ln x undefined: reported, not silently dropped
      continue;
    }
    const auto g = static_cast<std::size_t>(group[i]);
    w_g[g].add(weight[i]);
    s_g[g].add(weight[i] * x[i]);
    w_all.add(weight[i]);
    s_all.add(weight[i] * x[i]);
  }
  const double s = s_all.value();
  if (!(s > 0.0)) return out;  // no positive income with positive weight
  const double mean = s / w_all.value();

  std::vector<double> mean_g(ng, 0.0);
  for (std::size_t g = 0; g < ng; ++g) {
    const double wg = w_g[g].value();
    if (wg > 0.0) mean_g[g] = s_g[g].value() / wg;
  }

  // Pass 2: T = (1/S) sum_i w_i x_i ln(x_i/mean); within = sum_g (S_g/S) T_g, which simplifies
  // to (1/S) sum_i w_i x_i ln(x_i/mean_{g(i)}). Total is computed directly, not as
  // between + within, so the decomposition identity is something the tests can check.
  CompensatedSum total;
  CompensatedSum within;
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (weight[i] == 0.0 || !(x[i] > 0.0)) continue;
    const double wx = weight[i] * x[i];
    total.add(wx * std::log(x[i] / mean));
    within.add(wx * std::log(x[i] / mean_g[static_cast<std::size_t>(group[i])]));
  }
  // between = sum_g s_g ln(mean_g/mean), s_g = S_g/S; empty groups contribute nothing.
  CompensatedSum between;
  for (std::size_t g = 0; g < ng; ++g) {
    const double sg = s_g[g].value();
    if (sg > 0.0) between.add(sg * std::log(mean_g[g] / mean));
  }
  out.total = total.value() / s;
  out.within = within.value() / s;
  out.between = between.value() / s;
  return out;
}

double sigma_log(std::span<const double> x, std::span<const double> weight) {
  check_sizes("sigma_log", x.size(), weight.size());
  // Shifted two-pass variance: d = ln x - ln x_ref with x_ref the first contributing value.
  // Two passes avoid the cancellation of E[d^2] - E[d]^2; the shift makes equal values give
  // d = 0 exactly, hence sigma exactly 0.
  double ref = 0.0;
  bool have_ref = false;
  CompensatedSum w_sum;
  CompensatedSum wd_sum;
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (!counts("sigma_log", i, x[i], weight[i]) || !(x[i] > 0.0)) continue;
    const double l = std::log(x[i]);
    if (!have_ref) {
      ref = l;
      have_ref = true;
    }
    w_sum.add(weight[i]);
    wd_sum.add(weight[i] * (l - ref));
  }
  if (!have_ref) return 0.0;
  const double w_total = w_sum.value();
  const double mean_d = wd_sum.value() / w_total;

  CompensatedSum ss;
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (weight[i] == 0.0 || !(x[i] > 0.0)) continue;
    const double dev = (std::log(x[i]) - ref) - mean_d;
    ss.add(weight[i] * (dev * dev));
  }
  // Population (not sample) variance: weights are persons, the whole population is observed.
  return std::sqrt(ss.value() / w_total);
}

}  // namespace codev
