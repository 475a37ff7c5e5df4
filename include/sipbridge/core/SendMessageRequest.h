#pragma once

#include <Poco/JSON/Object.h>

#include <string>
#include <vector>

namespace sipbridge::core {

/// Limits on what a client may send (keys `messages.*` in etc/sipbridge.properties).
struct MessageLimits {
  std::size_t maxTextBytes = 16384;       ///< body of text/plain (and of each CPIM part)
  std::size_t maxCpimBytes = 16384;       ///< text wrapped in message/cpim
  std::size_t maxMultipartBytes = 16384;  ///< text sent to every recipient in multipart/mixed
  std::size_t maxRecipients = 10;         ///< recipients of one multipart/mixed message
};

/// sendMessage as the client gives it, validated, with every address turned into a URI.
struct SendMessageRequest {
  std::string id;           ///< client id; empty = the bridge generates one
  std::string to;           ///< target URI ("sip:bob@example.test", "tel:+4930123")
  std::string body;         ///< the text to send
  std::string contentType;  ///< text/plain, message/cpim or multipart/mixed
  bool isImdnRequired = false;
  std::vector<std::string> recipients;  ///< URIs, for multipart/mixed

  /// Reads the reference fields (id, to, body, contentType, isImdnRequired, recipients).
  /// A `to` or recipient that is a login or number becomes sip:<it>@<domain>. Throws
  /// ApiError 400 naming the field: unknown field, wrong type, missing to/body, empty or
  /// oversized body, unknown contentType, malformed address, too many recipients, control
  /// characters in anything that becomes a header.
  static SendMessageRequest fromJson(const Poco::JSON::Object& json, const MessageLimits& limits,
                                     const std::string& domain);
};

/// `value` as a SIP or tel URI: kept when it is one ("sip:", "sips:", "tel:"), else taken as
/// a login or number at `domain`. Returns "" when it cannot be one (the caller names the field).
std::string addressToUri(const std::string& value, const std::string& domain);

}  // namespace sipbridge::core
