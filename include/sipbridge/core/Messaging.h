#pragma once

#include "sipbridge/core/AppSettings.h"
#include "sipbridge/core/MessageStore.h"
#include "sipbridge/core/Metrics.h"
#include "sipbridge/core/Requests.h"
#include "sipbridge/core/SessionContext.h"
#include "sipbridge/core/SipMessaging.h"

#include <atomic>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>

namespace sipbridge::core {

/// Limits on what a client may send (keys `messages.*` in etc/sipbridge.properties).
struct MessageLimits {
  std::size_t maxTextBytes = 16384;       ///< body of text/plain (and of each CPIM part)
  std::size_t maxCpimBytes = 16384;       ///< text wrapped in message/cpim
  std::size_t maxMultipartBytes = 16384;  ///< text sent to every recipient in multipart/mixed
  std::size_t maxRecipients = 10;         ///< recipients of one multipart/mixed message
};

struct MessagingConfig {
  std::string nodeId;  ///< recorded with every message (restart recovery)
  MessageLimits limits;
  bool cpimFallback = true;             ///< resend as text/plain when a peer answers 415 to CPIM
  int cpimCapabilityTtlSeconds = 3600;  ///< how long a peer's 415 to CPIM is remembered
  std::size_t sendWindow = 200;         ///< MESSAGEs awaiting their answer at once; later ones wait
  std::size_t maxInFlight = 10000;      ///< messages sent and not yet answered; beyond: 503
  std::size_t maxRemembered = 100000;   ///< sent and received message ids kept for IMDNs
  std::size_t maxIncomingBytes = 65536;  ///< largest incoming body taken (larger: 413)
};

/// Instant messaging: sendMessage and sendIMDN from clients, MESSAGE outcomes and incoming
/// MESSAGEs from SIP. Every status change becomes a MessageStatusEvent, OnMessageEvent or
/// ErrorEvent through the SessionContext. Thread-safe; the SIP-side methods never block.
/// The application's imdnMode is read for every incoming message, so a change applies to
/// sessions already connected from their next message on.
class Messaging final : public MessageListener {
 public:
  Messaging(MessagingConfig config, SessionContext& sessions, const AppSettings& apps,
            MessageStore& store, SipMessaging& sip, Metrics& metrics);

  /// See BridgeService::sendMessage. Blocking (records the message); HTTP threads only.
  std::string send(const std::shared_ptr<Session>& session, const SendMessage& request);
  /// See BridgeService::sendImdn.
  void sendImdn(const std::shared_ptr<Session>& session, const SendImdn& request);
  /// Fails (MessageStatusEvent FAILED) the messages a previous run of this node left queued.
  /// Blocking; start-up only, before the sessions' DISCONNECTED events.
  void failLeftovers(const std::string& nodeId,
                     const std::function<void(const MessageRecord&, Poco::DynamicStruct)>& emit);

  // MessageListener (SIP thread)
  void onMessageOutcome(const MessageOutcome& outcome) override;
  void onIncomingMessage(const IncomingMessage& message) override;

 private:
  /// `request` with its body checked against the limits and every address made a URI at
  /// `domain`; throws an invalid-field DomainError naming the field.
  SendMessage addressed(const SendMessage& request, const std::string& domain) const;
  struct Pending {
    std::string sessionId;
    std::string messageId;  ///< the message this send is for (the original, for IMDNs)
    bool isImdn = false;
    std::string target;
    std::string text;  ///< the plain text, for a text/plain resend after 415
    bool wasCpim = false;
    std::string note;  ///< info added to the final event
  };
  struct Received {  ///< a received message whose sender asked for an IMDN
    std::string fromUri;
    std::string imdnMessageId;
    std::string datetime;
  };
  struct Decoded;
  struct Emission {
    std::shared_ptr<Session> session;
    std::string type;
    std::string status;
    Poco::DynamicStruct fields;
  };

  /// Sends now if fewer than sendWindow MESSAGEs await their answer, else queues it.
  std::uint64_t dispatch(Pending pending, const std::string& contentType, std::string body);
  /// One answer arrived: sends queued MESSAGEs into the freed room.
  void sendWaiting();
  /// Hands a MESSAGE to the SIP stack; when its queue is full the message fails (503) at once.
  void handToSip(const OutgoingMessage& message);
  void sendDeliveredImdn(Session& session, const std::string& messageId, const Received& received);
  std::vector<Decoded> decode(const IncomingMessage& message) const;
  /// The event an incoming IMDN makes on the session that sent the message; none when the
  /// message is unknown (logged) or the disposition is not a delivery one.
  std::optional<Emission> reportImdn(const Decoded& imdn);
  void refuse(const std::shared_ptr<Session>& session, const IncomingMessage& message, int status,
              const std::string& reason, const std::string& why);
  /// Keeps `key` -> `value` in a map bounded by maxRemembered (oldest forgotten first).
  template <typename Value>
  void remember(std::map<std::string, Value>& map, std::deque<std::string>& order,
                const std::string& key, Value value) {
    if (map.insert_or_assign(key, std::move(value)).second) order.push_back(key);
    while (order.size() > config_.maxRemembered) {
      map.erase(order.front());
      order.pop_front();
    }
  }
  bool refusesCpim(const std::string& target);

  const MessagingConfig config_;
  SessionContext& sessions_;
  const AppSettings& apps_;
  MessageStore& store_;
  SipMessaging& sip_;
  Counter& sent_;
  Counter& receivedCount_;
  std::atomic<std::uint64_t> nextRequest_{1};

  std::mutex mutex_;
  std::map<std::uint64_t, Pending> pending_;        ///< sent or waiting, by request id
  std::deque<OutgoingMessage> waiting_;             ///< recorded, not yet handed to SIP
  std::size_t sending_ = 0;                         ///< handed to SIP, not yet answered
  std::map<std::string, std::string> sentImdnIds_;  ///< imdn.Message-ID -> "session\nid"
  std::deque<std::string> sentOrder_;
  std::map<std::string, Received> receivedIds_;  ///< "session\nid" -> sender details
  std::deque<std::string> receivedOrder_;
  std::map<std::string, std::int64_t> noCpimUntil_;  ///< peer URI -> until (ms)
};

}  // namespace sipbridge::core
