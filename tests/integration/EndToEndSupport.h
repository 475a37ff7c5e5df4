#pragma once
// Helpers shared by the end-to-end tests that drive the real sipbridge binary.

#include "BridgeProcess.h"
#include "HookReceiver.h"
#include "Kamailio.h"
#include "TestEnv.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <chrono>
#include <string>
#include <vector>

namespace sipbridge::test {

using Env = std::map<std::string, std::string>;

/// Real PostgreSQL, Kamailio and hook receiver, and a bridge using them (not yet started
/// when `startBridge` is false).
struct Stack {
  explicit Stack(std::map<std::string, std::string> env = {}, bool startBridge = true);
  /// Creates an application whose hooks go to the receiver; returns its signing secret.
  std::string addApp(const std::string& appKey, bool connectHook = true);

  PgInstance pg;
  KamailioInstance kamailio{pg};
  HookReceiver receiver;
  BridgeProcess bridge;
};

/// JSON text of a connect for a demo user (password given) of application `appKey`.
std::string connectBody(const std::string& appKey, const std::string& login,
                        const std::string& password, bool registerRequired = true);

/// Long-polls until an event of `type` with `status` arrives (or the timeout passes);
/// returns every event read, in order. `after` is advanced past the events read.
std::vector<Poco::JSON::Object::Ptr> pollUntil(const BridgeProcess& bridge,
                                               const std::string& token, std::int64_t& after,
                                               const std::string& type, const std::string& status,
                                               std::chrono::seconds timeout);

/// Fails the running test when `event` does not match the payload schema of its type in the
/// AsyncAPI document the bridge serves. pollUntil checks every event it reads with it.
void checkEventSchema(const BridgeProcess& bridge, const Poco::JSON::Object::Ptr& event);

/// "Type:STATUS" for each event (for compact assertions).
std::vector<std::string> statuses(const std::vector<Poco::JSON::Object::Ptr>& events);

std::string field(const Poco::JSON::Object::Ptr& object, const std::string& name);

/// The `field` of an error answer's error object ("" when there is none).
std::string errorField(const HttpResult& result);

/// The last of `events`, or null when there is none.
Poco::JSON::Object::Ptr last(const std::vector<Poco::JSON::Object::Ptr>& events);

/// A connected session and the cursor of the events read so far.
struct Client {
  std::string token;
  std::string sessionId;
  std::int64_t after = 0;

  /// Reads events (long-poll) until one of `type` (and `status`, "" for any) arrives, at most
  /// 20 s; returns every event read.
  std::vector<Poco::JSON::Object::Ptr> until(const BridgeProcess& bridge, const std::string& type,
                                             const std::string& status = "");
};

/// Connects demo user `login` (password <login>-secret) to application `app` with SIP
/// registration and waits for ConnectionStatusEvent ESTABLISHED (test failure otherwise).
Client registeredClient(Stack& s, const std::string& app, const std::string& login);

}  // namespace sipbridge::test
