#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sipbridge::core {

/// An application: the backend that owns sessions and receives their events.
struct App {
  std::string appKey;
  std::string hookUrl;      ///< base URL; events go to <hookUrl>/<EventType>; empty = no hooks
  std::string secret;       ///< Standard Webhooks signing secret ("whsec_" + base64); never logged
  bool connectHook = true;  ///< call <hookUrl>/connect before accepting a connect
  bool hookDisabled = false;  ///< set when the endpoint answered 410 Gone
  std::int64_t createdMs = 0;
  /// When incoming messages that ask for it get an IMDN "delivered": "automatic" (as soon
  /// as the message is committed), "manual" (only on sendIMDN) or "never".
  std::string imdnMode = "automatic";
  /// Marked for development: its hooks may use plain http and an https endpoint's
  /// certificate is not verified. Logged at start, shown in listings, counted in /metrics.
  bool development = false;
  /// PEM client certificate (and chain) presented to the hook endpoint when it asks (mutual
  /// TLS); empty: none. Only its subject and fingerprint are ever shown.
  std::string clientCertificate = {};
  std::string clientKey = {};  ///< PEM private key of clientCertificate; never logged nor shown
  /// Browser origins allowed to call the client API for this application (CORS), in
  /// canonical form ("https://chat.example.com"); "*" allows any. Empty = none.
  std::vector<std::string> allowedOrigins{};
};

/// Applications, stored in PostgreSQL. Blocking; HTTP threads and the CLI only.
/// Throws core::Unavailable when the database cannot be reached.
class AppDirectory {
 public:
  virtual ~AppDirectory() = default;
  virtual std::optional<App> find(const std::string& appKey) = 0;
  virtual std::vector<App> list() = 0;
  /// Inserts or replaces the application with this appKey. Returns true if it was new.
  virtual bool put(const App& app) = 0;
  /// Returns false when no such application existed.
  virtual bool remove(const std::string& appKey) = 0;
};

}  // namespace sipbridge::core
