// Reports on output files for people and for other tools: `codev export` (CSV tables) and
// `codev report` (one self-contained HTML page with charts). Both read any codev file, a run's or
// an experiment's, through the readers of output.hpp. (`codev compare` is in experiment.hpp.)
#pragma once

#include <string>
#include <vector>

namespace codev {

/// What `codev export` writes.
struct ExportOptions {
  std::string output_dir;           ///< folder for the CSV files (created if needed)
  std::vector<std::string> groups;  ///< groups to export ("annual", "summary/region"); all if empty
  bool wide = false;                ///< one column per variable instead of one row per variable
};

/// Writes the numeric variables of a file as CSV tables, one per group (one per set of
/// dimensions where a group mixes several: "sweep.sample_parameter.csv"). Long form: one row per
/// coordinate tuple and variable, with a column per dimension (variant, replicate, year, county,
/// ...), the dimension's labels (county_name, ...), then variable, units, value. Wide form: the
/// dimension columns, then one "name [units]" column per variable. Values are printed with 17
/// significant digits (%.17g), so they read back as the same doubles; NaN is "NaN"; CF times
/// ("days since ...") are ISO dates. Returns the paths written. Throws InputError for a file or
/// group that is not there, RuntimeError when a table cannot be written.
std::vector<std::string> export_csv(const std::string& path, const ExportOptions& options);

/// Writes `output` as one self-contained HTML page (inline SVG charts, no scripts, nothing
/// fetched) describing a run file (incomes and poverty of recipients and donors, the convergence
/// ratio, aid by pairing and instrument, counties ranked) or an experiment file (each variant's
/// effect with 95% intervals and the paired differences from the baseline). Throws InputError
/// for a file that is not a codev output file, RuntimeError when the page cannot be written.
void write_report(const std::string& path, const std::string& output);

}  // namespace codev
