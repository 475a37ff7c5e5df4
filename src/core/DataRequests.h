#pragma once

#include <Poco/Dynamic/Var.h>
#include <Poco/JSON/Object.h>

#include <initializer_list>
#include <string>

/// Validation of sendData's request fields (used by core::DataChannels). Every function
/// throws ApiError 400 naming the offending field.
namespace sipbridge::core::datarequests {

/// Refuses members of `json` not in `names`.
void onlyFields(const Poco::JSON::Object& json, std::initializer_list<const char*> names);
/// operationId: 1 to 128 header-safe characters; a new UUID when absent.
std::string operationIdOf(const Poco::JSON::Object& json);
/// The required payload: any JSON value of at most maxBytes once serialised whose strings,
/// member names included, are UTF-8 text without NUL (what the event store can keep).
Poco::Dynamic::Var payloadOf(const Poco::JSON::Object& json, std::size_t maxBytes);

}  // namespace sipbridge::core::datarequests
