#pragma once

#include "sipbridge/core/AppDirectory.h"
#include "sipbridge/core/ConnectRequest.h"
#include "sipbridge/core/Event.h"
#include "sipbridge/core/EventQuery.h"
#include "sipbridge/core/HookDeliveries.h"
#include "sipbridge/core/Requests.h"
#include "sipbridge/core/SessionStore.h"

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
/// core::DomainError (Unavailable when the store or a queue is full).
class BridgeService {
 public:
  virtual ~BridgeService() = default;

  // --- client side ---
  /// Runs the /connect hook, creates the session, commits ConnectionStatusEvent PENDING
  /// (or FAILED), starts the SIP registration when required. Returns after the commit.
  virtual ConnectResponse connect(const ConnectRequest& request) = 0;
  /// The session owning this token, or throws Unauthorized. Counts as client activity. An ended
  /// session stays readable (events, WebSocket) for a grace period from its end, also after a
  /// restart of the node (the store keeps a hash of each token); methods on it get Conflict.
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
  // --- client methods: typed requests (see Requests.h), checked further against limits and
  // state; each throws DomainError naming the field, Conflict when the session has ended or
  // cannot do this, Unavailable when the work cannot be taken now.
  /// sendMessage: records the message as queued and hands it to SIP. Returns the message id
  /// (the client's `id`, or a generated one). The outcome arrives as MessageStatusEvent.
  virtual std::string sendMessage(const SessionPtr& session, const SendMessage& request) = 0;
  /// sendIMDN: a delivery notification for a received message that asked for one (else
  /// NotFound naming messageId).
  virtual void sendImdn(const SessionPtr& session, const SendImdn& request) = 0;
  virtual SubscribeResult subscribe(const SessionPtr& session, const Subscribe& request) = 0;
  /// publish (extension): returns the publication id.
  virtual std::string publish(const SessionPtr& session, const Publish& request) = 0;
  /// sendXcapRequest: returns the id its XcapStatusEvent will carry.
  virtual std::string sendXcapRequest(const SessionPtr& session,
                                      const SendXcapRequest& request) = 0;
  /// sendData from a client: returns the operationId.
  virtual std::string sendData(const SessionPtr& session, const SendData& request) = 0;
  virtual CallResult call(const SessionPtr& session, const PlaceCall& request) = 0;
  virtual CallResult answer(const SessionPtr& session, const Answer& request) = 0;
  virtual CallResult hangup(const SessionPtr& session, const Hangup& request) = 0;
  virtual CallResult hold(const SessionPtr& session, const Hold& request) = 0;
  virtual CallResult unhold(const SessionPtr& session, const Hold& request) = 0;
  virtual CallResult transfer(const SessionPtr& session, const Transfer& request) = 0;
  virtual CallResult sendDtmf(const SessionPtr& session, const SendDtmf& request) = 0;
  /// A client channel (WebSocket) opened or closed: a session with an open channel never
  /// expires for idleness.
  virtual void channelOpened(const SessionPtr& session) = 0;
  virtual void channelClosed(const SessionPtr& session) = 0;

  // --- admin side ---
  virtual AppDirectory& apps() = 0;
  virtual std::vector<SessionRecord> listSessions(const std::string& appKey, bool activeOnly,
                                                  int limit) = 0;
  /// Terminates a session of this node; throws NotFound if it is not live here.
  virtual void terminateSession(const std::string& sessionId, const std::string& info) = 0;
  /// sendData from the backend: delivers {operationId, payload} to a live session of this
  /// node as OnDataEvent. Returns the operationId once committed. Throws NotFound (sessionId)
  /// when the session is not live here, an invalid field for a payload over the limit.
  virtual std::string sendDataToSession(const std::string& sessionId, const SendData& request) = 0;
  virtual EventPage findEvents(const EventFilter& filter) = 0;
  virtual HookDeliveries& deliveries() = 0;

  // --- operations ---
  virtual std::string nodeId() const = 0;
  /// False while new work would be refused (store down or queue full).
  virtual bool accepting() const = 0;
};

}  // namespace sipbridge::core
