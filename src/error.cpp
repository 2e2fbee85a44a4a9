#include "codev/error.hpp"

#include <utility>

namespace codev {

namespace {
std::string format(const Mark& mark, const std::string& key_path, const std::string& message) {
  std::string s =
      mark.file + ":" + std::to_string(mark.line) + ":" + std::to_string(mark.column) + ": error: ";
  if (!key_path.empty()) s += key_path + ": ";
  return s + message;
}
}  // namespace

InputError::InputError(Mark mark, std::string key_path, std::string message)
    : std::runtime_error(format(mark, key_path, message)),
      mark_(std::move(mark)),
      key_path_(std::move(key_path)),
      message_(std::move(message)) {}

}  // namespace codev
