// Strict conversion of plain YAML scalars to typed values. YAML 1.1 readers turn `yes`, `0755`,
// `0x1F` or `.nan` into booleans, octal, hex and NaN; here each of them is an error whose message
// says what was written and why it is refused.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace codev::scenario {

/// A converted value, or the reason the text is not one (value empty, error set).
template <class T>
struct Parsed {
  std::optional<T> value;
  std::string error;
};

/// `true` or `false` only.
Parsed<bool> parse_bool(std::string_view text);
/// Decimal integer with optional sign; no leading zeros, prefixes, underscores or fractions.
Parsed<std::int64_t> parse_integer(std::string_view text);
/// As parse_integer, for the full unsigned 64-bit range (seeds).
Parsed<std::uint64_t> parse_unsigned(std::string_view text);
/// Decimal number with optional fraction and exponent; finite.
Parsed<double> parse_real(std::string_view text);

/// Shortest text that reads back as exactly `value`, without an exponent unless the number would
/// be long: "0.1", "4000", "30000000", "1e+300".
std::string format_real(double value);

}  // namespace codev::scenario
