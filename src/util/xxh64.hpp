// XXH64 (Yann Collet's xxHash, 64-bit variant; the specification in the xxHash repository,
// doc/xxhash_spec.md): a fast non-cryptographic checksum for large files the program writes
// itself, such as run checkpoints (src/engine/checkpoint.cpp), where it detects a torn, truncated
// or bit-flipped file at memory speed. SHA-256 (sha256.hpp) stays the fingerprint of inputs.
#pragma once

#include <cstddef>
#include <cstdint>

namespace codev::util {

/// Streaming XXH64: update() with any split of the input gives the digest of the whole.
class Xxh64 {
 public:
  explicit Xxh64(std::uint64_t seed = 0);
  void update(const void* data, std::size_t size);
  /// The digest of everything given so far; the object can keep taking input.
  std::uint64_t digest() const;

 private:
  std::uint64_t seed_;
  std::uint64_t lanes_[4];
  unsigned char buffer_[32];
  std::size_t buffered_ = 0;
  std::uint64_t total_ = 0;
};

/// XXH64 of one buffer.
std::uint64_t xxh64(const void* data, std::size_t size, std::uint64_t seed = 0);

}  // namespace codev::util
