#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sipbridge::store {

/// Encoders for PostgreSQL array literals in text format, bound as one parameter
/// ($1::text[], $2::uuid[], ...). Every element is double-quoted with `"` and `\` escaped,
/// so empty strings, spaces, commas, braces and the word NULL survive unchanged;
/// std::nullopt becomes an unquoted NULL element.
class PgArray {
 public:
  static std::string text(const std::vector<std::string>& values);
  static std::string text(const std::vector<std::optional<std::string>>& values);
  static std::string int64(const std::vector<std::int64_t>& values);
  /// Appends one quoted element (without separator) to `out`.
  static void appendQuoted(std::string& out, const std::string& value);
};

}  // namespace sipbridge::store
