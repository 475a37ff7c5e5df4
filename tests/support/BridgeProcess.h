#pragma once

#include "JsonSchemaCheck.h"
#include "TestEnv.h"

#include <Poco/JSON/Object.h>

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace sipbridge::test {

/// An HTTP answer as the tests see it.
struct HttpResult {
  int status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  ///< names in lower case
  /// The body parsed as a JSON object; throws when it is not one.
  Poco::JSON::Object::Ptr json() const;
};

/// One HTTP/1.1 request to 127.0.0.1:port. `bearer` becomes an Authorization header.
HttpResult httpRequest(int port, const std::string& method, const std::string& path,
                       const std::string& body = {}, const std::string& bearer = {},
                       const std::string& contentType = "application/json");

/// The real sipbridge binary (SIPBRIDGE_BIN, or build/release/sipbridge), started with the
/// repository's etc/sipbridge.properties and environment overrides pointing it at the given
/// database and SIP server, on free loopback ports. Its log is kept in a temporary directory.
class BridgeProcess {
 public:
  /// `env` adds or replaces SIPBRIDGE_* settings. Does not start the process.
  BridgeProcess(const std::string& conninfo, const std::string& sipProxy,
                std::map<std::string, std::string> env = {});
  ~BridgeProcess();
  BridgeProcess(const BridgeProcess&) = delete;
  BridgeProcess& operator=(const BridgeProcess&) = delete;

  /// Starts it and waits until /health answers on the plain port, or until `healthy` says so
  /// when given (throws after 30 s, with the log's tail).
  void start(const std::function<bool()>& healthy = {});
  /// SIGTERM and wait for a clean exit (returns its exit status).
  int stop();
  /// SIGKILL: no clean-up at all.
  void kill9();
  /// Sends SIGHUP (the bridge rereads its HTTPS certificate).
  void hangUp();
  bool running() const { return pid_ > 0; }

  int httpPort() const { return httpPort_; }
  /// The port of sip.bindUrl: where the first session of each user receives SIP.
  int sipPort() const;
  const std::string& adminToken() const { return adminToken_; }
  std::string log() const;
  /// Runs the binary's command line (`app add ...`) with the same configuration.
  std::string command(const std::string& args) const;

  HttpResult post(const std::string& path, const std::string& body,
                  const std::string& bearer = {}) const;
  HttpResult get(const std::string& path, const std::string& bearer = {}) const;
  HttpResult admin(const std::string& method, const std::string& path,
                   const std::string& body = {}) const;
  /// The AsyncAPI document the bridge serves (/api/v1/asyncapi.json), fetched on first use.
  const JsonSchemaCheck& asyncApi() const;

 private:
  std::string envPrefix() const;

  TempDir dir_;
  std::map<std::string, std::string> env_;
  int httpPort_;
  std::string adminToken_;
  int pid_ = 0;
  mutable std::mutex asyncApiMutex_;
  mutable std::unique_ptr<JsonSchemaCheck> asyncApi_;
};

}  // namespace sipbridge::test
