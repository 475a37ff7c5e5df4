#include "CallRequests.h"

#include "sipbridge/content/ContentError.h"
#include "sipbridge/core/Errors.h"
#include "sipbridge/core/Validation.h"

#include <cctype>

namespace sipbridge::core::callrequests {

void onlyFields(const Poco::JSON::Object& json, std::initializer_list<const char*> names,
                const std::string& method) {
  for (const auto& [key, value] : json) {
    bool known = false;
    for (const char* name : names) known = known || key == name;
    if (!known) throw invalidField(key, key + " is not a " + method + " field");
  }
}

std::string text(const Poco::JSON::Object& json, const std::string& name, std::size_t maxLen,
                 bool required) {
  const auto value = json.get(name);
  if (value.isEmpty()) {
    if (required) throw invalidField(name, name + " is required");
    return {};
  }
  if (!value.isString()) throw invalidField(name, name + " must be a string");
  const auto s = value.extract<std::string>();
  if (required && s.empty()) throw invalidField(name, name + " must not be empty");
  if (const auto problem = checkHeaderSafe(s, maxLen); !problem.empty())
    throw invalidField(name, name + " " + problem);
  return s;
}

std::string callId(const Poco::JSON::Object& json, bool required) {
  const auto id = text(json, "callId", 128, required);
  if (!json.has("callId")) return id;
  if (id.empty()) throw invalidField("callId", "callId must not be empty");
  for (unsigned char c : id)
    if (c == ' ') throw invalidField("callId", "callId must not contain spaces");
  return id;
}

std::optional<bool> flag(const Poco::JSON::Object& json, const std::string& name) {
  const auto value = json.get(name);
  if (value.isEmpty()) return std::nullopt;
  if (!value.isBoolean()) throw invalidField(name, name + " must be true or false");
  return value.extract<bool>();
}

std::string inviteParameters(const Poco::JSON::Object& json) {
  const std::string field = "inviteParameters";
  const auto value = json.get(field);
  if (value.isEmpty()) return {};
  std::string params;
  if (value.isString()) {
    params = value.extract<std::string>();
    if (params.empty()) return {};
    if (params.front() != ';') params.insert(params.begin(), ';');
  } else if (value.type() == typeid(Poco::JSON::Object::Ptr)) {
    for (const auto& [name, v] : *value.extract<Poco::JSON::Object::Ptr>()) {
      if (!v.isString()) throw invalidField(field, field + " values must be strings");
      const auto s = v.extract<std::string>();
      params += ";" + name + (s.empty() ? "" : "=" + s);
    }
    if (params.empty()) return {};
  } else {
    throw invalidField(field, field + " must be a string \"a=b;c=d\" or an object of strings");
  }
  if (params.size() > 512) throw invalidField(field, field + " is longer than 512 bytes");
  if (const auto problem = checkUriParams(params); !problem.empty())
    throw invalidField(field, field + " " + problem);
  return params;
}

content::Sdp sdp(const Poco::JSON::Object& json, const std::string& name, std::size_t maxBytes) {
  const auto value = json.get(name);
  if (value.isEmpty()) throw invalidField(name, name + " is required");
  if (!value.isString()) throw invalidField(name, name + " must be a string");
  try {
    return content::Sdp::parse(value.extract<std::string>(), maxBytes);
  } catch (const content::ContentError& e) {
    throw invalidField(name, name + " is not acceptable: " + e.message());
  }
}

std::string dtmf(const Poco::JSON::Object& json, std::size_t maxSymbols) {
  auto symbols = text(json, "dtmf", 1024, true);
  if (symbols.size() > maxSymbols)
    throw invalidField("dtmf", "dtmf has more than " + std::to_string(maxSymbols) + " symbols");
  for (auto& c : symbols) {
    if (c >= 'a' && c <= 'd') c = static_cast<char>(c - 'a' + 'A');
    if (!std::isdigit(static_cast<unsigned char>(c)) && c != '*' && c != '#' &&
        !(c >= 'A' && c <= 'D'))
      throw invalidField("dtmf", "dtmf symbols are 0-9, *, # and A-D");
  }
  return symbols;
}

std::string dtmfType(const Poco::JSON::Object& json) {
  const auto type = text(json, "type", 32);
  if (type.empty() || type == "INFO") return "INFO";
  if (type == "INFO_RELAY") return type;
  if (type == "RFC2833")
    throw invalidField("type",
                       "type RFC2833 is not supported: RFC 2833 events travel in the media "
                       "stream (RTP), which the bridge never touches; use INFO or INFO_RELAY");
  throw invalidField("type", "type must be INFO or INFO_RELAY");
}

}  // namespace sipbridge::core::callrequests
