// SHA-256 of a byte string, as lowercase hex (FIPS 180-4). Used for the scenario fingerprint
// stored in every output file.
#pragma once

#include <string>
#include <string_view>

namespace codev {
std::string sha256_hex(std::string_view data);
}
