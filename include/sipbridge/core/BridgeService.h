#pragma once

#include "sipbridge/core/AppDirectory.h"
#include "sipbridge/core/ConnectRequest.h"
#include "sipbridge/core/Event.h"
#include "sipbridge/core/EventQuery.h"
#include "sipbridge/core/HookDeliveries.h"
#include "sipbridge/core/SessionStore.h"

#include <Poco/JSON/Object.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace sipbridge::core {

/// What a connect answers: the session's ids and its ConnectionStatusEvent status.
struct ConnectResponse {
  std::string sessionId;
  std::string authToken;
  std::string nodeId;
  std::string status;  ///< PENDING, ESTABLISHED or FAILED
  std::string info;    ///< set when FAILED
};

/// A live session as seen by the api module: opaque except for its ids.
class SessionHandle {
 public:
  virtual ~SessionHandle() = default;
  virtual const std::string& sessionId() const = 0;
  virtual const std::string& appKey() const = 0;
  /// True once the session's final ConnectionStatusEvent (DISCONNECTED or FAILED) has been
  /// committed and pushed: a reader that has everything up to it has everything.
  virtual bool ended() const = 0;
};
using SessionPtr = std::shared_ptr<SessionHandle>;

/// The use cases the api module calls (client and admin side). Implemented by core::Bridge.
/// Every method is thread-safe and may block (HTTP threads only). Errors are thrown as
/// core::ApiError (including Unavailable for 503).
class BridgeService {
 public:
  virtual ~BridgeService() = default;

  // --- client side ---
  /// Runs the /connect hook, creates the session, commits ConnectionStatusEvent PENDING
  /// (or FAILED), starts the SIP registration when required. Returns after the commit.
  virtual ConnectResponse connect(const ConnectRequest& request) = 0;
  /// The session owning this token, or throws 401. Counts as client activity. An ended
  /// session stays readable (events, WebSocket) for a grace period; methods on it get 409.
  virtual SessionPtr authenticate(const std::string& authToken) = 0;
  /// Ends the session: SIP unregistered, ConnectionStatusEvent DISCONNECTED committed.
  virtual void disconnect(const SessionPtr& session, const std::string& info) = 0;
  /// Committed events of the session with seq > afterSeq, in seq order, at most `limit`;
  /// waits up to `wait` for the first one when there is none yet. Returns early (possibly
  /// empty) when the session ends.
  virtual std::vector<Event> waitEvents(const SessionPtr& session, std::int64_t afterSeq,
                                        std::chrono::milliseconds wait, int limit) = 0;
  /// The non-blocking side of the event feed, for readers on an event loop.
  /// readEvents: committed events with seq > afterSeq from memory, at most `limit`, without
  /// waiting (empty when there is none yet); std::nullopt when they are no longer held in
  /// memory: waitEvents with a zero wait then reads them from the store (it may block).
  virtual std::optional<std::vector<Event>> readEvents(const SessionPtr& session,
                                                       std::int64_t afterSeq, int limit) = 0;
  /// Calls `listener` whenever the session has a new committed event (its final
  /// ConnectionStatusEvent included), from the committing thread: the listener must return at
  /// once (post the work elsewhere). Register before reading, so no event falls in between.
  /// Returns the id for unwatchEvents.
  virtual std::uint64_t watchEvents(const SessionPtr& session, std::function<void()> listener) = 0;
  /// Stops the calls; one already in progress may still finish. Safe after the session ended.
  virtual void unwatchEvents(const SessionPtr& session, std::uint64_t id) = 0;
  /// sendMessage: validates the request (JSON fields as in the reference API), records the
  /// message as queued and hands it to SIP. Returns the message id (the client's `id`, or a
  /// generated one). The outcome arrives as MessageStatusEvent. Throws ApiError 400 naming
  /// the field, 409 when the session cannot send (no SIP identity, ended).
  virtual std::string sendMessage(const SessionPtr& session, const Poco::JSON::Object& request) = 0;
  /// sendIMDN: sends a delivery notification for a received message (`messageId`).
  /// Throws ApiError 404 (field messageId) when no such message asked for one.
  virtual void sendImdn(const SessionPtr& session, const Poco::JSON::Object& request) = 0;
  /// The methods that answer 202 with a JSON object of what they started: "subscribe",
  /// "publish" (extension) and "sendXcapRequest". Throws ApiError like sendMessage; returns
  /// null for a method name it does not handle.
  virtual Poco::JSON::Object::Ptr invoke(const SessionPtr& session, const std::string& method,
                                         const Poco::JSON::Object& request) = 0;
  /// The methods answered by the call and data use cases ("call", "answer", "hangup",
  /// "hold", "unhold", "transfer", "sendDTMF", "sendData") also go through invoke().
  /// A client channel (WebSocket) opened or closed: a session with an open channel never
  /// expires for idleness.
  virtual void channelOpened(const SessionPtr& session) = 0;
  virtual void channelClosed(const SessionPtr& session) = 0;

  // --- admin side ---
  virtual AppDirectory& apps() = 0;
  virtual std::vector<SessionRecord> listSessions(const std::string& appKey, bool activeOnly,
                                                  int limit) = 0;
  /// Terminates a session of this node; throws 404 if it is not live here.
  virtual void terminateSession(const std::string& sessionId, const std::string& info) = 0;
  /// sendData from the backend: delivers {operationId, payload} to a live session of this
  /// node as OnDataEvent. Returns the operationId once committed. Throws 404 (sessionId)
  /// when the session is not live here, 400 naming the field for bad input.
  virtual std::string sendDataToSession(const std::string& sessionId,
                                        const Poco::JSON::Object& request) = 0;
  virtual EventPage findEvents(const EventFilter& filter) = 0;
  virtual HookDeliveries& deliveries() = 0;

  // --- operations ---
  virtual std::string nodeId() const = 0;
  /// False while new work would be refused (store down or queue full).
  virtual bool accepting() const = 0;
};

}  // namespace sipbridge::core
