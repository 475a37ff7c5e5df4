#include "sipbridge/core/Addresses.h"

#include "sipbridge/core/Validation.h"

#include <cctype>

namespace sipbridge::core {
namespace {

bool isTelNumber(const std::string& number) {
  if (number.empty() || number.size() > 32) return false;
  for (std::size_t i = 0; i < number.size(); ++i) {
    const char c = number[i];
    if (!(std::isdigit(static_cast<unsigned char>(c)) || (c == '+' && i == 0) || c == '-' ||
          c == '.'))
      return false;
  }
  return true;
}

}  // namespace

std::string addressToUri(const std::string& value, const std::string& domain) {
  if (!checkHeaderSafe(value, 256).empty() || value.empty()) return {};
  if (value.rfind("tel:", 0) == 0) return isTelNumber(value.substr(4)) ? value : std::string();
  std::string rest;
  if (value.rfind("sip:", 0) == 0) rest = value.substr(4);
  if (value.rfind("sips:", 0) == 0) rest = value.substr(5);
  if (rest.empty()) {
    if (!checkSipUser(value).empty() || !checkHost(domain).empty()) return {};
    return "sip:" + value + "@" + domain;
  }
  const auto at = rest.rfind('@');
  const std::string user = at == std::string::npos ? std::string() : rest.substr(0, at);
  const std::string host = at == std::string::npos ? rest : rest.substr(at + 1);
  if (at != std::string::npos && !checkSipUser(user).empty()) return {};
  const auto semicolon = host.find(';');
  if (!checkHostPort(host.substr(0, semicolon)).empty()) return {};
  if (semicolon != std::string::npos && !checkUriParams(host.substr(semicolon)).empty()) return {};
  return value;
}

}  // namespace sipbridge::core
