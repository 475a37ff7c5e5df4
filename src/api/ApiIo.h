#pragma once

#include "Router.h"
#include "sipbridge/core/Errors.h"
#include "sipbridge/core/Event.h"

#include <Poco/JSON/Object.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace sipbridge::api {

/// `{"error":{"code","message","field"?}}` as an object.
Poco::JSON::Object::Ptr errorObject(const std::string& code, const std::string& message,
                                    const std::string& field = {});
/// Compact JSON text of `object`.
std::string stringify(const Poco::JSON::Object::Ptr& object);
/// A JSON reply with this status.
Reply jsonReply(int status, const Poco::JSON::Object::Ptr& object);
/// The HTTP answer to an error: its status and error body (see httpStatusOf in HttpErrors.h)
/// and, for Unavailable, Retry-After.
Reply errorReplyOf(const core::DomainError& error);

/// Reads the body (already read by the server, which enforces http.maxBodyBytes) as one JSON
/// object. An empty body gives an empty object when `emptyIsObject`. Throws DomainError 415
/// (not application/json), 413 (over maxBytes), 400 malformed_json (naming the member where
/// the fault is inside one), invalid_body (not an object) or invalid_field (a member name
/// holding a NUL, see refuseNulInMemberNames).
Poco::JSON::Object::Ptr readJsonBody(Request& request, std::size_t maxBytes, bool emptyIsObject);
/// Parses `text` as one JSON object with the same errors as readJsonBody.
Poco::JSON::Object::Ptr parseJsonObject(const std::string& text);

/// The token of `Authorization: Bearer <token>`, or empty.
std::string bearerToken(const Request& request);
/// Compares without an early exit on the first difference.
bool constantTimeEquals(const std::string& a, const std::string& b);

/// Decimal integer in [min, max], or throws DomainError 400 naming `field`.
std::int64_t parseInteger(const std::string& text, const std::string& field, std::int64_t min,
                          std::int64_t max);
/// ISO 8601 UTC with milliseconds ("2024-01-31T12:00:00.000Z").
std::string isoTime(std::int64_t epochMs);
/// ISO 8601 date-time or epoch milliseconds, or throws DomainError 400 naming `field`.
std::int64_t parseTime(const std::string& text, const std::string& field);

/// `[event, ...]` with each event rendered by core::toJson.
std::string eventsArray(const std::vector<core::Event>& events);

/// Optional typed members of a JSON object; absent or null gives the fallback, a wrong
/// type throws DomainError 400 naming the member.
std::string stringMember(const Poco::JSON::Object& object, const std::string& name,
                         const std::string& fallback = {});
bool boolMember(const Poco::JSON::Object& object, const std::string& name, bool fallback);
/// Throws DomainError 400 naming the first member of `object` not in `allowed`.
void refuseUnknownMembers(const Poco::JSON::Object& object,
                          const std::vector<std::string>& allowed);

}  // namespace sipbridge::api
