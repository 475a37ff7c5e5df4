#pragma once

#include "sipbridge/core/Requests.h"

#include <Poco/JSON/Object.h>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>

namespace sipbridge::api {

/// Reads the members of one method's JSON request object. Every reader throws an
/// invalid-field core::DomainError naming the member; JSON null counts as absent.
class RequestFields {
 public:
  RequestFields(const Poco::JSON::Object& json, std::string method);

  /// Refuses the first member not in `names` ("<name> is not a <method> field").
  void only(std::initializer_list<const char*> names) const;
  /// True when the member is present (null included).
  bool has(const std::string& name) const;
  /// Any string; "" when absent.
  std::string string(const std::string& name) const;
  /// A string safe for SIP and HTTP headers (see core::checkHeaderSafe) of at most maxLen
  /// bytes; "" when absent; `required` refuses absent or empty.
  std::string text(const std::string& name, std::size_t maxLen, bool required = false) const;
  /// true or false, or nothing when absent.
  std::optional<bool> flag(const std::string& name) const;
  /// A JSON integer, or nothing when absent.
  std::optional<std::int64_t> integer(const std::string& name) const;

 private:
  const Poco::JSON::Object& json_;
  std::string method_;
};

/// The parsers of the client methods' requests: JSON in, typed value out. Each refuses
/// unknown members, wrong types, missing required members and header-unsafe text, naming
/// the member; the limits that depend on configuration or state are core's to check.
core::SendMessage parseSendMessage(const Poco::JSON::Object& json);
core::SendImdn parseSendImdn(const Poco::JSON::Object& json);
core::Subscribe parseSubscribe(const Poco::JSON::Object& json);
core::Publish parsePublish(const Poco::JSON::Object& json);
core::SendXcapRequest parseSendXcapRequest(const Poco::JSON::Object& json);
/// sendData from a client (`to` allowed) or from the backend (admin API; no `to`).
core::SendData parseSendData(const Poco::JSON::Object& json, bool allowTo = true);
core::PlaceCall parseCall(const Poco::JSON::Object& json);
core::Answer parseAnswer(const Poco::JSON::Object& json);
core::Hangup parseHangup(const Poco::JSON::Object& json);
/// hold or unhold (the method name goes into the unknown-field message).
core::Hold parseHold(const Poco::JSON::Object& json, const std::string& method);
core::Transfer parseTransfer(const Poco::JSON::Object& json);
core::SendDtmf parseSendDtmf(const Poco::JSON::Object& json);

}  // namespace sipbridge::api
