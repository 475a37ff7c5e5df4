#pragma once

#include "sipbridge/app/AppConfig.h"

#include <memory>

namespace sipbridge::app {

/// The composition root: builds every module from the configuration, starts them in
/// dependency order and stops them in reverse. Holds no business logic.
class Runtime {
 public:
  explicit Runtime(AppConfig config);
  ~Runtime();
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;

  /// Applies migrations (waiting up to a minute for the database), then starts the store
  /// writer, hook delivery, the use cases and the HTTP server.
  void start();
  /// Stops the HTTP server, disconnects live sessions, drains the writer. Idempotent.
  void stop();
  int httpPort() const;
  /// The HTTPS port; 0 when https is disabled.
  int httpsPort() const;
  /// Rereads the HTTPS certificate and key (on SIGHUP); logs and keeps the old ones when
  /// they cannot be used. Open connections are not touched.
  void reloadCertificate();

 private:
  struct Parts;
  std::unique_ptr<Parts> parts_;
};

}  // namespace sipbridge::app
