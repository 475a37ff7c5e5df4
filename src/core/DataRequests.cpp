#include "DataRequests.h"

#include "sipbridge/core/Errors.h"
#include "sipbridge/core/Event.h"
#include "sipbridge/core/Validation.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Stringifier.h>

#include <sstream>
#include <vector>

namespace sipbridge::core::datarequests {
namespace {

constexpr std::size_t kMaxOperationId = 128;

/// Throws 400 (payload) when a string of the payload, member names included, holds a NUL
/// or invalid UTF-8: the event store (jsonb) cannot keep it. Walks without recursion.
void checkPayloadText(const Poco::Dynamic::Var& payload) {
  const auto refuse = [] {
    throw invalidField("payload", "payload strings must be UTF-8 text without NUL characters");
  };
  std::vector<Poco::Dynamic::Var> pending{payload};
  while (!pending.empty()) {
    const Poco::Dynamic::Var value = std::move(pending.back());
    pending.pop_back();
    if (value.type() == typeid(Poco::JSON::Object::Ptr)) {
      const auto object = value.extract<Poco::JSON::Object::Ptr>();
      if (!object) continue;
      for (const auto& [key, member] : *object) {
        if (!isUtf8Text(key)) refuse();
        pending.push_back(member);
      }
    } else if (value.type() == typeid(Poco::JSON::Array::Ptr)) {
      const auto array = value.extract<Poco::JSON::Array::Ptr>();
      if (!array) continue;
      for (const auto& item : *array) pending.push_back(item);
    } else if (value.isString() && !isUtf8Text(value.extract<std::string>())) {
      refuse();
    }
  }
}

}  // namespace

void onlyFields(const Poco::JSON::Object& json, std::initializer_list<const char*> names) {
  for (const auto& [key, value] : json) {
    bool known = false;
    for (const char* name : names) known = known || key == name;
    if (!known) throw invalidField(key, key + " is not a sendData field");
  }
}

std::string operationIdOf(const Poco::JSON::Object& json) {
  if (!json.has("operationId")) return newUuid();
  const auto value = json.get("operationId");
  if (!value.isString()) throw invalidField("operationId", "operationId must be a string");
  const auto id = value.extract<std::string>();
  if (id.empty()) throw invalidField("operationId", "operationId must not be empty");
  if (const auto problem = checkHeaderSafe(id, kMaxOperationId); !problem.empty())
    throw invalidField("operationId", "operationId " + problem);
  return id;
}

Poco::Dynamic::Var payloadOf(const Poco::JSON::Object& json, std::size_t maxBytes) {
  if (!json.has("payload")) throw invalidField("payload", "payload is required");
  const auto value = json.get("payload");
  std::ostringstream out;
  Poco::JSON::Stringifier::stringify(value, out);
  if (out.str().size() > maxBytes)
    throw invalidField(
        "payload", "payload is larger than " + std::to_string(maxBytes) + " bytes once serialised");
  checkPayloadText(value);
  return value;
}

}  // namespace sipbridge::core::datarequests
