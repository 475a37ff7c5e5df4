#include "ApiIo.h"
#include "sipbridge/api/HttpErrors.h"

#include "JsonCheck.h"
#include "JsonMemberNames.h"
#include "sipbridge/core/Errors.h"

#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/DateTimeParser.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/MediaType.h>
#include <Poco/String.h>

#include <algorithm>
#include <charconv>
#include <regex>
#include <sstream>

namespace sipbridge::api {

Poco::JSON::Object::Ptr errorObject(const std::string& code, const std::string& message,
                                    const std::string& field) {
  Poco::JSON::Object::Ptr error = new Poco::JSON::Object;
  error->set("code", code);
  error->set("message", message);
  if (!field.empty()) error->set("field", field);
  Poco::JSON::Object::Ptr wrapper = new Poco::JSON::Object;
  wrapper->set("error", error);
  return wrapper;
}

std::string stringify(const Poco::JSON::Object::Ptr& object) {
  std::ostringstream out;
  object->stringify(out);
  return out.str();
}

Reply jsonReply(int status, const Poco::JSON::Object::Ptr& object) {
  Reply reply;
  reply.status = status;
  reply.body = stringify(object);
  return reply;
}

Poco::JSON::Object::Ptr parseJsonObject(const std::string& text) {
  checkJsonText(text);
  Poco::Dynamic::Var value;
  try {
    Poco::JSON::Parser parser;
    value = parser.parse(text);
  } catch (const Poco::Exception& e) {
    throw HttpError(400, "malformed_json", "the body is not valid JSON: " + e.message());
  }
  if (value.type() != typeid(Poco::JSON::Object::Ptr))
    throw HttpError(400, "invalid_body", "the body must be a JSON object");
  refuseNulInMemberNames(text);
  return value.extract<Poco::JSON::Object::Ptr>();
}

Poco::JSON::Object::Ptr readJsonBody(Request& request, std::size_t maxBytes, bool emptyIsObject) {
  if (request.body.empty()) {
    if (emptyIsObject) return new Poco::JSON::Object;
    throw HttpError(400, "invalid_body", "a JSON object body is required");
  }
  const std::string unsupported = "Content-Type must be application/json";
  if (!request.hasHeader("Content-Type"))
    throw HttpError(415, "unsupported_media_type", unsupported, "Content-Type");
  const Poco::Net::MediaType type(request.header("Content-Type"));
  if (!type.matches("application", "json") ||
      (type.hasParameter("charset") && Poco::icompare(type.getParameter("charset"), "utf-8")))
    throw HttpError(415, "unsupported_media_type", unsupported + " (UTF-8)", "Content-Type");
  if (request.body.size() > maxBytes)
    throw HttpError(413, "body_too_large",
                    "the body is larger than " + std::to_string(maxBytes) + " bytes");
  return parseJsonObject(request.body);
}

std::string bearerToken(const Request& request) {
  const std::string value = request.header("Authorization");
  const std::string prefix = "Bearer ";
  if (value.size() <= prefix.size() || Poco::icompare(value, 0, prefix.size(), prefix) != 0)
    return {};
  return Poco::trim(value.substr(prefix.size()));
}

bool constantTimeEquals(const std::string& a, const std::string& b) {
  const std::size_t n = std::max(a.size(), b.size());
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  for (std::size_t i = 0; i < n; ++i) {
    const auto x = static_cast<unsigned char>(i < a.size() ? a[i] : 0);
    const auto y = static_cast<unsigned char>(i < b.size() ? b[i] : 0);
    diff |= static_cast<unsigned char>(x ^ y);
  }
  return diff == 0;
}

std::int64_t parseInteger(const std::string& text, const std::string& field, std::int64_t min,
                          std::int64_t max) {
  std::int64_t value = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end || value < min || value > max)
    throw core::invalidField(
        field, "must be an integer from " + std::to_string(min) + " to " + std::to_string(max));
  return value;
}

std::string isoTime(std::int64_t epochMs) {
  return Poco::DateTimeFormatter::format(Poco::Timestamp(epochMs * 1000), "%Y-%m-%dT%H:%M:%S.%iZ");
}

std::int64_t parseTime(const std::string& text, const std::string& field) {
  if (!text.empty() &&
      std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return parseInteger(text, field, 0, 253402300799999);
  // Poco's parser is lenient; the shape is checked first.
  static const std::regex iso(
      R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2}))");
  Poco::DateTime dateTime;
  int tzd = 0;
  const bool parsed =
      std::regex_match(text, iso) &&
      (Poco::DateTimeParser::tryParse(Poco::DateTimeFormat::ISO8601_FRAC_FORMAT, text, dateTime,
                                      tzd) ||
       Poco::DateTimeParser::tryParse(Poco::DateTimeFormat::ISO8601_FORMAT, text, dateTime, tzd));
  if (!parsed)
    throw core::invalidField(field, "must be an ISO 8601 date-time or epoch milliseconds");
  dateTime.makeUTC(tzd);
  return dateTime.timestamp().epochMicroseconds() / 1000;
}

std::string eventsArray(const std::vector<core::Event>& events) {
  std::string out = "[";
  for (std::size_t i = 0; i < events.size(); ++i) {
    if (i) out += ',';
    out += core::toJson(events[i]);
  }
  out += ']';
  return out;
}

std::string stringMember(const Poco::JSON::Object& object, const std::string& name,
                         const std::string& fallback) {
  if (!object.has(name) || object.isNull(name)) return fallback;
  const Poco::Dynamic::Var value = object.get(name);
  if (!value.isString()) throw core::invalidField(name, "must be a string");
  return value.extract<std::string>();
}

bool boolMember(const Poco::JSON::Object& object, const std::string& name, bool fallback) {
  if (!object.has(name) || object.isNull(name)) return fallback;
  const Poco::Dynamic::Var value = object.get(name);
  if (value.type() != typeid(bool)) throw core::invalidField(name, "must be true or false");
  return value.extract<bool>();
}

void refuseUnknownMembers(const Poco::JSON::Object& object,
                          const std::vector<std::string>& allowed) {
  for (const auto& [name, value] : object)
    if (std::find(allowed.begin(), allowed.end(), name) == allowed.end())
      throw core::invalidField(name, "is not a known field");
}

}  // namespace sipbridge::api
