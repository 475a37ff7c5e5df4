#pragma once

#include <Poco/JSON/Object.h>

#include <string>

namespace sipbridge::core {

/// The reference connect fields. Built from client JSON, then from the /connect hook's
/// overrides; validated each time (see ConnectRequest::fromJson).
struct ConnectRequest {
  std::string appKey;
  bool sipRegisterRequired = false;
  std::string sipLogin;
  std::string sipAuthenticationName;
  std::string sipPassword;
  std::string sipVisibleName;
  std::string sipDomain;
  std::string sipOutboundProxy;    ///< host or host:port; default: the configured SIP server
  int sipPort = 0;                 ///< port of sipOutboundProxy when it has none; 0 = default
  std::string sipTransport;        ///< extension: "udp" (default), "tcp" or "tls"
  std::string sipContactParams;    ///< ";a=b" parameters appended to the Contact URI
  Poco::JSON::Object::Ptr custom;  ///< opaque object echoed to the backend; may be null

  /// Reads and validates the fields of `json`. Unknown fields are refused (a misspelt
  /// field silently ignored is a bug report waiting to happen). Throws an invalid-field DomainError
  /// naming the field: wrong type, control characters, bad host/port, missing appKey,
  /// or SIP fields missing while sipRegisterRequired is true.
  static ConnectRequest fromJson(const Poco::JSON::Object& json);

  /// Applies the overrides a /connect hook returned (same field names), then validates
  /// the result like fromJson. `appKey` cannot be overridden.
  void applyOverrides(const Poco::JSON::Object& overrides);

  /// The connect as shown to the backend in the /connect hook: every field but the password.
  Poco::JSON::Object::Ptr toHookJson() const;

  /// The outbound proxy as "host:port": sipOutboundProxy (its port, else sipPort, else 5060),
  /// or `defaultProxy` when the connect names none.
  std::string proxyAddress(const std::string& defaultProxy) const;

  /// Checks the invariants described in fromJson; throws an invalid-field DomainError.
  void validate() const;
};

}  // namespace sipbridge::core
