#pragma once

#include "sipbridge/core/EventSink.h"
#include "sipbridge/core/Session.h"

#include <Poco/Dynamic/Struct.h>

#include <memory>
#include <string>
#include <vector>

namespace sipbridge::core {

/// What a use case needs from the session owner (Bridge): finding sessions and recording
/// their events. Thread-safe and non-blocking (callable from the SIP thread).
class SessionContext {
 public:
  virtual ~SessionContext() = default;
  /// The live session with this id, or null.
  virtual std::shared_ptr<Session> liveSession(const std::string& sessionId) const = 0;
  /// The live or recently ended session with this id, or null (late results still get
  /// recorded on a session that has just ended).
  virtual std::shared_ptr<Session> anySession(const std::string& sessionId) const = 0;
  /// Every live session of application `appKey` whose session id or SIP login is
  /// `idOrLogin` (a login may have several, e.g. one per browser tab); empty when there is
  /// none (also when such a session belongs to another application). Order unspecified.
  virtual std::vector<std::shared_ptr<Session>> findInApp(const std::string& appKey,
                                                          const std::string& idOrLogin) const = 0;
  /// False while new events cannot be stored (the SIP side then refuses new work with 503).
  virtual bool accepting() const = 0;
  /// Appends an event of the session (seq assigned now); `done` runs after its commit.
  virtual void emit(Session& session, const std::string& type, const std::string& status,
                    Poco::DynamicStruct fields, CommitCallback done = {}) = 0;
};

}  // namespace sipbridge::core
