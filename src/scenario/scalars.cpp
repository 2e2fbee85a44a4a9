#include "scenario/scalars.hpp"

#include <array>
#include <charconv>
#include <cstddef>
#include <limits>

namespace codev::scenario {

namespace {

// Longest number written without an exponent by format_real.
constexpr std::ptrdiff_t kMaxFixedLength = 21;

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Built by appending: GCC 12 reports a false -Wrestrict on "'" + std::string(...) at -O2.
std::string quoted(std::string_view text) {
  std::string s = "'";
  s.append(text);
  s += '\'';
  return s;
}

std::string_view without_sign(std::string_view text) {
  if (!text.empty() && (text[0] == '+' || text[0] == '-')) text.remove_prefix(1);
  return text;
}

std::string lowercase(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return lower;
}

// Forms that other YAML readers accept as numbers but that are refused here. Each gets its own
// message, checked before the generic "expected a number", so users learn what to write instead.
std::string refused_number_form(std::string_view text) {
  const std::string_view body = without_sign(text);
  const std::string lower = lowercase(body);
  if (lower == ".nan" || lower == "nan" || lower == ".inf" || lower == "inf" ||
      lower == "infinity") {
    return "NaN and infinity are not allowed, got " + quoted(text);
  }
  if (body.size() > 1 && body[0] == '0' &&
      (lower[1] == 'x' || lower[1] == 'o' || lower[1] == 'b')) {
    return "hex/octal/binary numbers are not allowed, got " + quoted(text);
  }
  if (!body.empty() && is_digit(body[0]) && body.find('_') != std::string_view::npos) {
    return "underscores in numbers are not allowed, got " + quoted(text);
  }
  std::size_t n_digit = 0;
  while (n_digit < body.size() && is_digit(body[n_digit])) ++n_digit;
  if (n_digit > 1 && body[0] == '0') {
    return "octal-looking number " + quoted(text) + ": leading zeros are not allowed";
  }
  return {};
}

bool all_digits(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (!is_digit(c)) return false;
  }
  return true;
}

// Decimal number syntax: digits with optional fraction (or a bare fraction), optional exponent.
bool is_decimal_number(std::string_view body) {
  std::size_t i = 0;
  const auto digits = [&] {
    const std::size_t start = i;
    while (i < body.size() && is_digit(body[i])) ++i;
    return i - start;
  };
  std::size_t n_mantissa = digits();
  if (i < body.size() && body[i] == '.') {
    ++i;
    n_mantissa += digits();
  }
  if (n_mantissa == 0) return false;
  if (i < body.size() && (body[i] == 'e' || body[i] == 'E')) {
    ++i;
    if (i < body.size() && (body[i] == '+' || body[i] == '-')) ++i;
    if (digits() == 0) return false;
  }
  return i == body.size();
}

}  // namespace

Parsed<bool> parse_bool(std::string_view text) {
  if (text == "true") return {true, {}};
  if (text == "false") return {false, {}};
  return {std::nullopt, "expected true or false, got " + quoted(text)};
}

Parsed<std::uint64_t> parse_unsigned(std::string_view text) {
  if (std::string refused = refused_number_form(text); !refused.empty()) {
    return {std::nullopt, refused};
  }
  const std::string_view body = without_sign(text);
  if (!all_digits(body)) return {std::nullopt, "expected an integer, got " + quoted(text)};
  if (text[0] == '-' && body != "0") {
    return {std::nullopt, "expected a non-negative integer, got " + quoted(text)};
  }
  std::uint64_t value = 0;
  const auto [end, ec] = std::from_chars(body.data(), body.data() + body.size(), value);
  if (ec != std::errc{}) {
    return {std::nullopt, quoted(text) + " is too large (the largest is " +
                              std::to_string(std::numeric_limits<std::uint64_t>::max()) + ")"};
  }
  return {value, {}};
}

Parsed<std::int64_t> parse_integer(std::string_view text) {
  if (std::string refused = refused_number_form(text); !refused.empty()) {
    return {std::nullopt, refused};
  }
  const std::string_view body = without_sign(text);
  if (!all_digits(body)) return {std::nullopt, "expected an integer, got " + quoted(text)};
  // The magnitude is read unsigned so that the most negative value is accepted too.
  const bool negative = text[0] == '-';
  std::uint64_t magnitude = 0;
  const auto [end, ec] = std::from_chars(body.data(), body.data() + body.size(), magnitude);
  const std::uint64_t limit =
      static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()) + (negative ? 1 : 0);
  if (ec != std::errc{} || magnitude > limit) {
    return {std::nullopt, quoted(text) + " is too large for an integer"};
  }
  if (negative) return {static_cast<std::int64_t>(0 - magnitude), {}};
  return {static_cast<std::int64_t>(magnitude), {}};
}

Parsed<double> parse_real(std::string_view text) {
  if (std::string refused = refused_number_form(text); !refused.empty()) {
    return {std::nullopt, refused};
  }
  const std::string_view body = without_sign(text);
  if (!is_decimal_number(body)) return {std::nullopt, "expected a number, got " + quoted(text)};
  double value = 0.0;
  const auto [end, ec] = std::from_chars(body.data(), body.data() + body.size(), value);
  if (ec != std::errc{}) {
    return {std::nullopt, quoted(text) + " is outside the range of a double"};
  }
  return {text[0] == '-' ? -value : value, {}};
}

std::string format_real(double value) {
  // Plain digits read best ("30000000", not "3e+07"); exponents only for extreme magnitudes.
  // Both forms are the shortest that read back exactly.
  std::array<char, 400> buffer{};
  char* const first = buffer.data();
  const auto fixed = std::to_chars(first, first + buffer.size(), value, std::chars_format::fixed);
  if (fixed.ec == std::errc{} && fixed.ptr - first <= kMaxFixedLength) {
    return std::string(first, fixed.ptr);
  }
  const auto shortest = std::to_chars(first, first + buffer.size(), value);
  return std::string(first, shortest.ptr);
}

}  // namespace codev::scenario
