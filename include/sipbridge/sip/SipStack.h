#pragma once

#include "sipbridge/core/SipCalls.h"
#include "sipbridge/core/SipGateway.h"
#include "sipbridge/core/SipMessaging.h"
#include "sipbridge/core/SipSubscriptions.h"
#include "sipbridge/sip/SipConfig.h"

#include <Poco/Exception.h>

#include <memory>
#include <string>

namespace sipbridge::sip {

/// Raised when the SIP stack cannot start (bind failure, bad configuration).
POCO_DECLARE_EXCEPTION(, SipError, Poco::RuntimeException)

/// The only owner of sofia-sip. Runs one SIP thread that creates the su_root and the nua
/// and runs the event loop; the public methods only queue a command for that thread (a
/// move-only task, in a bounded queue woken by an eventfd registered on the root) and return
/// at once.
/// Results go to the SipListener given to the constructor, always on the SIP thread.
/// Commands posted from the SIP thread itself (from inside a listener method) are always
/// queued, never refused with core::Unavailable: the thread cannot wait for the room it
/// would make, and a dropped answer would leave a call hanging.
/// Each session gets its own nua handle and a Contact whose user part is the session's
/// contactUser, so incoming requests map to exactly one session.
/// MESSAGE: each outgoing MESSAGE gets its own handle, From the session's address of record
/// and the session's credentials; incoming MESSAGEs (left to the application by nua) wait,
/// bounded and at most config.pendingMessageTimeoutMs, for answerMessage.
/// SUBSCRIBE/PUBLISH: each subscription and each publication (per session and event package)
/// gets its own handle, kept refreshed by nua; at most config.maxSubscriptions and
/// config.maxPublications at once. Unregistering a session also ends its subscriptions and
/// withdraws its publications (best effort, not reported).
/// Calls (only with a CallListener): each INVITE dialog gets its own handle; nua runs with
/// media disabled, so SDP bodies are carried unchanged both ways and every answer to an
/// INVITE (also a re-INVITE) comes from the CallListener's side. At most config.maxCalls at
/// once; an incoming call rings at most config.incomingRingTimeoutMs (then 480). Unregistering
/// a session also hangs up its calls (CANCEL, 480 or BYE; not reported). REFER is allowed
/// inside calls only (405 outside). Any other request no object of the stack takes is
/// refused (SUBSCRIBE 489, PUBLISH/REGISTER 405, unknown methods 501, in-dialog-only
/// methods 481; OPTIONS is answered 200 by nua) and the handle nua made for it released.
class SipStack : public core::SipGateway,
                 public core::SipMessaging,
                 public core::SipSubscriptions,
                 public core::SipCalls {
 public:
  /// Starts the SIP thread and binds config.bindUrl; throws SipError if that fails.
  /// All listeners must outlive the stack. Incoming INVITEs for registered sessions are
  /// reported to `calls`.
  SipStack(SipConfig config, core::SipListener& listener, core::MessageListener& messages,
           core::SubscriptionListener& subscriptions, core::CallListener& calls);
  /// As above without a call listener: incoming INVITEs are refused (480 for known
  /// contacts, 404 else) and call() reports nothing.
  SipStack(SipConfig config, core::SipListener& listener, core::MessageListener& messages,
           core::SubscriptionListener& subscriptions);
  /// As above without a subscription listener: subscribe and publish outcomes and NOTIFYs
  /// are only logged.
  SipStack(SipConfig config, core::SipListener& listener, core::MessageListener& messages);
  /// As above without a message listener: incoming MESSAGEs for registered sessions are
  /// answered 480 at once and outcomes of sendMessage are only logged.
  SipStack(SipConfig config, core::SipListener& listener);
  /// Shuts nua down (waits at most config.shutdownTimeoutMs), then joins the SIP thread.
  /// nua ends the calls still up (BYE for established ones), best effort: the wait ends at
  /// the timeout even when the far end never answers. Sessions and calls still there are not
  /// reported.
  ~SipStack() override;
  SipStack(const SipStack&) = delete;
  SipStack& operator=(const SipStack&) = delete;

  /// Thread-safe. Queues the REGISTER of `account`; a second call for the same session id
  /// replaces the earlier registration. Throws core::Unavailable when the queue is full.
  void registerAccount(const core::SipAccount& account) override;
  /// Thread-safe. Queues the removal of the session's binding. Throws core::Unavailable
  /// when the queue is full.
  void unregister(const std::string& sessionId) override;
  /// Thread-safe. Queues a MESSAGE on behalf of a session given to registerAccount (else the
  /// outcome is 0 "session has no SIP account"). Throws core::Unavailable when the queue is
  /// full.
  void sendMessage(const core::OutgoingMessage& message) override;
  /// Thread-safe. Queues the answer to an incoming MESSAGE, also when the queue is full: the
  /// answers are bounded by config.maxPendingMessages, and one refused would leave its request
  /// unanswered until config.pendingMessageTimeoutMs (then 500).
  void answerMessage(std::uint64_t transactionId, int status, const std::string& reason) override;
  /// Thread-safe. Queues a SUBSCRIBE on behalf of a session given to registerAccount (else
  /// the outcome is 0 "session has no SIP account", terminated). A subscriptionId already in
  /// use for the session is refused with outcome 0 (not terminated). Throws
  /// core::Unavailable when the queue is full.
  void subscribe(const core::SubscribeRequest& request) override;
  /// Thread-safe. Queues the un-SUBSCRIBE; unknown ids are ignored. Throws
  /// core::Unavailable when the queue is full.
  void unsubscribe(const std::string& sessionId, std::uint64_t subscriptionId) override;
  /// Thread-safe. Queues a PUBLISH (or, with an empty body and expires 0, its withdrawal:
  /// outcome 200 "nothing published" when nothing is). Throws core::Unavailable when the
  /// queue is full.
  void publish(const core::PublishRequest& request) override;

  /// Thread-safe; each queues the command for the SIP thread (see core::SipCalls) and throws
  /// core::Unavailable when the queue is full. Without a call listener they do nothing.
  void call(const core::OutgoingCall& call) override;
  void answerCall(const std::string& sessionId, const std::string& callId,
                  const std::string& sdp) override;
  void rejectReoffer(const std::string& sessionId, const std::string& callId, int status) override;
  void hangupCall(const std::string& sessionId, const std::string& callId,
                  int rejectStatus) override;
  void reinvite(const std::string& sessionId, const std::string& callId,
                const std::string& sdp) override;
  void refer(const std::string& sessionId, const std::string& callId,
             const std::string& targetUri) override;
  void endRefer(const std::string& sessionId, const std::string& callId, int status,
                const std::string& reason) override;
  void info(const std::string& sessionId, const std::string& callId, const std::string& contentType,
            const std::string& body) override;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sipbridge::sip
