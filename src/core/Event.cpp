#include "sipbridge/core/Event.h"

#include "sipbridge/core/Validation.h"

#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/DateTimeParser.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/RandomStream.h>
#include <Poco/Timestamp.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <sstream>

namespace sipbridge::core {
namespace {

const char* const kReserved[] = {"type",   "status",  "nodeId", "sessionId",
                                 "appKey", "eventId", "seq",    "timestamp"};

bool isReserved(const std::string& key) {
  for (const char* r : kReserved)
    if (key == r) return true;
  return false;
}

std::int64_t parseIsoTimestamp(const std::string& text) {
  int tzd = 0;
  Poco::DateTime dt =
      Poco::DateTimeParser::parse(Poco::DateTimeFormat::ISO8601_FRAC_FORMAT, text, tzd);
  dt.makeUTC(tzd);
  return dt.timestamp().epochMicroseconds() / 1000;
}

/// JSON text PostgreSQL's jsonb accepts: invalid UTF-8 (only ever inside strings) and the
/// escape \u0000 become U+FFFD. Text that already qualifies is returned unchanged.
std::string storable(std::string json) {
  const bool hasNulEscape = json.find("\\u0000") != std::string::npos;
  if (!hasNulEscape && isUtf8Text(json)) return json;
  std::string text = toUtf8Text(json);
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\\' || i + 1 >= text.size()) {
      out += text[i];
      continue;
    }
    if (text.compare(i, 6, "\\u0000") == 0) {
      out += "\\uFFFD";
      i += 5;
    } else {
      out.append(text, i, 2);  // any other escape, e.g. an escaped backslash, stays as it is
      ++i;
    }
  }
  return out;
}

}  // namespace

std::string isoTimestamp(std::int64_t ms) {
  Poco::Timestamp ts(static_cast<Poco::Timestamp::TimeVal>(ms) * 1000);
  return Poco::DateTimeFormatter::format(ts, "%Y-%m-%dT%H:%M:%S.%iZ");
}

std::string toJson(const Event& event) {
  Poco::JSON::Object object(Poco::JSON_PRESERVE_KEY_ORDER);
  object.set("type", event.type);
  if (!event.status.empty()) object.set("status", event.status);
  for (const auto& [key, value] : event.fields)
    if (!isReserved(key)) object.set(key, value);
  object.set("nodeId", event.nodeId);
  object.set("sessionId", event.sessionId);
  object.set("appKey", event.appKey);
  object.set("eventId", event.eventId);
  object.set("seq", event.seq);
  object.set("timestamp", isoTimestamp(event.timestampMs));
  std::ostringstream out;
  object.stringify(out);
  return storable(out.str());
}

Event eventFromJson(const std::string& json) {
  Poco::JSON::Parser parser;
  auto object = parser.parse(json).extract<Poco::JSON::Object::Ptr>();
  Event event;
  for (const auto& [key, value] : *object) {
    if (key == "type") {
      event.type = value.toString();
    } else if (key == "status") {
      event.status = value.toString();
    } else if (key == "nodeId") {
      event.nodeId = value.toString();
    } else if (key == "sessionId") {
      event.sessionId = value.toString();
    } else if (key == "appKey") {
      event.appKey = value.toString();
    } else if (key == "eventId") {
      event.eventId = value.toString();
    } else if (key == "seq") {
      event.seq = value.convert<std::int64_t>();
    } else if (key == "timestamp") {
      event.timestampMs = parseIsoTimestamp(value.toString());
    } else {
      event.fields[key] = value;
    }
  }
  return event;
}

std::string newUuid() {
  std::array<unsigned char, 16> bytes{};
  Poco::RandomInputStream random;
  random.read(reinterpret_cast<char*>(bytes.data()), bytes.size());
  bytes[6] = static_cast<unsigned char>((bytes[6] & 0x0F) | 0x40);
  bytes[8] = static_cast<unsigned char>((bytes[8] & 0x3F) | 0x80);
  char text[37];
  std::snprintf(text, sizeof text,
                "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", bytes[0],
                bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7], bytes[8],
                bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]);
  return text;
}

std::int64_t nowMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace sipbridge::core
