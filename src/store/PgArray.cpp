#include "sipbridge/store/PgArray.h"

namespace sipbridge::store {

void PgArray::appendQuoted(std::string& out, const std::string& value) {
  out += '"';
  for (char c : value) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
}

std::string PgArray::text(const std::vector<std::string>& values) {
  std::string out = "{";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i) out += ',';
    appendQuoted(out, values[i]);
  }
  out += '}';
  return out;
}

std::string PgArray::text(const std::vector<std::optional<std::string>>& values) {
  std::string out = "{";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i) out += ',';
    if (values[i])
      appendQuoted(out, *values[i]);
    else
      out += "NULL";
  }
  out += '}';
  return out;
}

std::string PgArray::int64(const std::vector<std::int64_t>& values) {
  std::string out = "{";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i) out += ',';
    out += std::to_string(values[i]);
  }
  out += '}';
  return out;
}

}  // namespace sipbridge::store
