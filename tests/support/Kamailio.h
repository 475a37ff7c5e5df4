#pragma once

#include "TestEnv.h"

#include <memory>
#include <optional>
#include <string>

namespace sipbridge::test {

/// The certificate and key (PEM files) Kamailio serves XCAP over https with.
struct KamailioTls {
  std::string certFile;
  std::string keyFile;
};

/// A private Kamailio (etc/kamailio/kamailio.cfg) started by etc/dev/kamailio-start.sh on
/// free loopback ports, using the `kamailio` database of `pg`; stopped on destruction.
/// Registrar for example.test with the demo users (alice/alice-secret, ...). With `tls`, it
/// also serves XCAP over https (its tls module) on tlsPort().
class KamailioInstance {
 public:
  explicit KamailioInstance(const PgInstance& pg, std::optional<KamailioTls> tls = std::nullopt);
  ~KamailioInstance();
  KamailioInstance(const KamailioInstance&) = delete;
  KamailioInstance& operator=(const KamailioInstance&) = delete;

  int sipPort() const { return sipPort_; }
  int httpPort() const { return httpPort_; }
  int tlsPort() const { return tlsPort_; }  ///< 0 without TLS
  /// "127.0.0.1:<sipPort>", the outbound proxy for accounts.
  std::string proxy() const { return "127.0.0.1:" + std::to_string(sipPort_); }
  /// The directory holding kamailio.log and the ctl socket.
  const std::string& dir() const { return dir_.path(); }
  /// Runs `kamcmd <command>` against this instance and returns its output.
  std::string kamcmd(const std::string& command) const;

  void stop();
  /// Starts again on the same ports (after stop()).
  void start();

 private:
  const PgInstance& pg_;
  TempDir dir_;
  int sipPort_;
  int httpPort_;
  std::optional<KamailioTls> tls_;
  int tlsPort_ = 0;
  bool running_ = false;
};

/// A Kamailio on `pg` started with etc/kamailio/kamailio.cfg's WITH_PROXY_AUTH: requests from
/// example.test (INVITE, MESSAGE, SUBSCRIBE, PUBLISH) are challenged with 407; requests inside
/// a dialog are relayed without a challenge.
std::unique_ptr<KamailioInstance> challengingKamailio(const PgInstance& pg);

/// A PostgreSQL and a Kamailio using it: the servers a SIP or XCAP suite shares (each suite
/// holds one in a function-local static, started on first use).
struct KamailioServers {
  PgInstance pg;
  KamailioInstance kamailio{pg};
};

}  // namespace sipbridge::test
