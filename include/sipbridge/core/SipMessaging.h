#pragma once

#include <cstdint>
#include <string>

namespace sipbridge::core {

/// A SIP MESSAGE to send on behalf of a registered (or at least connected) session. Every
/// field is validated before it gets here; the body is already encoded (text, CPIM, multipart).
struct OutgoingMessage {
  std::string sessionId;        ///< whose identity (From, digest credentials) the MESSAGE carries
  std::uint64_t requestId = 0;  ///< chosen by core, echoed in the outcome
  std::string targetUri;        ///< Request-URI and To: "sip:user@domain" or "tel:+123"
  std::string contentType;      ///< full Content-Type value, e.g. "message/cpim"
  std::string body;
};

/// The final answer to an OutgoingMessage (after any digest challenge was answered).
struct MessageOutcome {
  std::string sessionId;
  std::uint64_t requestId = 0;
  int sipStatus = 0;   ///< 2xx accepted; 4xx-6xx refused; 408 also for no answer at all
  std::string reason;  ///< the reason phrase, or the local cause ("SIP server unreachable")
};

/// A MESSAGE received for a session. The SIP transaction stays open until answerMessage.
struct IncomingMessage {
  std::string sessionId;
  std::uint64_t transactionId = 0;  ///< pass to SipMessaging::answerMessage exactly once
  std::string fromUri;              ///< From URI as text, e.g. "sip:bob@example.test"
  std::string fromDisplayName;
  std::string toUri;
  std::string contentType;  ///< full Content-Type value ("" when absent)
  std::string body;
  std::string rawMessage;  ///< the whole request as received (start line, headers, body)
};

/// Sending and answering MESSAGE requests (implemented by sip::SipStack). Thread-safe; every
/// call only posts work to the SIP thread. Throws core::Unavailable when its queue is full.
class SipMessaging {
 public:
  virtual ~SipMessaging() = default;
  /// Sends the MESSAGE through the session's outbound proxy, From the session's address of
  /// record, answering 401/407 with the session's credentials once. Bodies too large for UDP
  /// (over 1,300 bytes) go over TCP. The outcome comes back through MessageListener.
  virtual void sendMessage(const OutgoingMessage& message) = 0;
  /// Answers an IncomingMessage (200 after its events are committed, 4xx/5xx otherwise).
  /// Unknown or already answered ids are ignored.
  virtual void answerMessage(std::uint64_t transactionId, int status,
                             const std::string& reason) = 0;
};

/// Implemented by core; called on the SIP thread. Must not block.
class MessageListener {
 public:
  virtual ~MessageListener() = default;
  virtual void onMessageOutcome(const MessageOutcome& outcome) = 0;
  /// A MESSAGE whose Request-URI names a live session's contact. MESSAGEs for unknown
  /// contacts are answered 404 (no such contact) or 480 (session gone) by the SIP side itself.
  virtual void onIncomingMessage(const IncomingMessage& message) = 0;
};

}  // namespace sipbridge::core
