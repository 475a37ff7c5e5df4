#pragma once

#include <string>

namespace sipbridge::core {

/// Everything the SIP side needs to register one session. Built from the connect (after
/// the /connect hook's overrides) and validated before it gets here: no control characters.
struct SipAccount {
  std::string sessionId;
  std::string login;          ///< user part of the address of record (sipLogin)
  std::string authName;       ///< digest user name (sipAuthenticationName, default login)
  std::string password;       ///< digest password; kept in memory only, never logged
  std::string displayName;    ///< sipVisibleName, may be empty
  std::string domain;         ///< sipDomain: host part of the address of record
  std::string outboundProxy;  ///< "host:port" every request is routed through
  std::string transport;      ///< "udp", "tcp" or "tls"
  std::string contactUser;    ///< unique per session; incoming requests map to the session by it
  std::string contactParams;  ///< sipContactParams, appended to the Contact URI (validated)
  int expiresSeconds = 3600;
};

/// Outcome of a registration attempt or refresh, reported by the SIP side.
struct RegistrationResult {
  enum class State { Registered, Failed, Unregistered };
  State state = State::Failed;
  int sipStatus = 0;  ///< final SIP status seen (200, 401, 403, 408, 503, ...)
  std::string info;   ///< human-readable cause ("authentication failed", "server unreachable")
};

/// Core's view of the SIP stack. Every call only posts work to the SIP thread and returns
/// at once; results come back through SipListener. Thread-safe.
class SipGateway {
 public:
  virtual ~SipGateway() = default;
  /// REGISTERs the account (digest auth answered with its credentials) and keeps the
  /// binding refreshed until unregister. Reports Registered or Failed (again on every
  /// failed refresh).
  virtual void registerAccount(const SipAccount& account) = 0;
  /// Removes the binding (REGISTER Expires: 0) and forgets the account; reports
  /// Unregistered once. Unknown ids are ignored.
  virtual void unregister(const std::string& sessionId) = 0;
};

/// Implemented by core; called on the SIP thread. Must not block.
class SipListener {
 public:
  virtual ~SipListener() = default;
  virtual void onRegistration(const std::string& sessionId, const RegistrationResult& result) = 0;
};

}  // namespace sipbridge::core
