#include "sipbridge/core/Messaging.h"

#include "sipbridge/content/ContentError.h"
#include "sipbridge/content/Cpim.h"
#include "sipbridge/content/Imdn.h"
#include "sipbridge/content/Multipart.h"
#include "sipbridge/core/Addresses.h"
#include "sipbridge/core/Errors.h"

#include <Poco/Logger.h>

namespace sipbridge::core {
namespace {

const char* const kStatusEvent = "MessageStatusEvent";

Poco::Logger& logger() {
  return Poco::Logger::get("sipbridge.core.messaging");
}

std::string key(const std::string& sessionId, const std::string& messageId) {
  return sessionId + '\n' + messageId;
}

content::NameAddr identityOf(const Session& session) {
  const ConnectRequest& r = session.request();
  return {r.sipVisibleName, "sip:" + r.sipLogin + "@" + r.sipDomain};
}

/// A CPIM message From the session To `target` carrying `text`, with its own imdn.Message-ID.
std::string cpimFor(const Session& session, const std::string& target, const std::string& text,
                    const std::string& imdnId, const std::string& datetime, bool askImdn) {
  content::CpimMessage cpim;
  cpim.headers.emplace_back("From", content::formatNameAddr(identityOf(session)));
  cpim.headers.emplace_back("To", content::formatNameAddr({"", target}));
  cpim.headers.emplace_back("DateTime", datetime);
  content::DispositionRequest request;
  request.positiveDelivery = askImdn;
  request.negativeDelivery = askImdn;
  content::requestDispositions(cpim, imdnId, request);
  cpim.contentType = "text/plain;charset=UTF-8";
  cpim.body = text;
  return content::buildCpim(cpim);
}

}  // namespace

Messaging::Messaging(MessagingConfig config, SessionContext& sessions, const AppSettings& apps,
                     MessageStore& store, SipMessaging& sip, Metrics& metrics)
    : config_(std::move(config)),
      sessions_(sessions),
      apps_(apps),
      store_(store),
      sip_(sip),
      sent_(metrics.counter("sipbridge_messages_total", "Instant messages by direction",
                            "{direction=\"outgoing\"}")),
      receivedCount_(metrics.counter("sipbridge_messages_total", "Instant messages by direction",
                                     "{direction=\"incoming\"}")) {
  metrics.gauge("sipbridge_messages_in_flight", "MESSAGEs sent and not yet answered", [this] {
    std::lock_guard lock(mutex_);
    return static_cast<double>(pending_.size());
  });
}

SendMessage Messaging::addressed(const SendMessage& request, const std::string& domain) const {
  const MessageLimits& limits = config_.limits;
  const std::size_t maxBody = request.contentType == "message/cpim"      ? limits.maxCpimBytes
                              : request.contentType == "multipart/mixed" ? limits.maxMultipartBytes
                                                                         : limits.maxTextBytes;
  if (request.body.size() > maxBody)
    throw invalidField("body", "body is longer than " + std::to_string(maxBody) + " bytes");
  SendMessage out = request;
  out.to = addressToUri(request.to, domain);
  if (out.to.empty()) throw invalidField("to", "to is not a SIP URI, tel URI, login or number");
  out.recipients.clear();
  for (const auto& recipient : request.recipients) {
    const std::string uri = addressToUri(recipient, domain);
    if (uri.empty())
      throw invalidField("recipients", "recipient is not a SIP URI, tel URI, login or number");
    out.recipients.push_back(uri);
  }
  if (out.recipients.size() > limits.maxRecipients)
    throw invalidField("recipients",
                       "more than " + std::to_string(limits.maxRecipients) + " recipients");
  return out;
}

std::string Messaging::send(const std::shared_ptr<Session>& session, const SendMessage& given) {
  const ConnectRequest& identity = session->request();
  if (!identity.sipRegisterRequired)
    throw conflict("the session has no SIP identity: connect with sipRegisterRequired");
  const SendMessage request = addressed(given, identity.sipDomain);
  {
    std::lock_guard lock(mutex_);
    if (pending_.size() >= config_.maxInFlight) throw Unavailable("too many messages in flight");
  }
  const std::string id = request.id.empty() ? newUuid() : request.id;
  const std::string datetime = isoTimestamp(nowMs());

  MessageRecord record;
  record.sessionId = session->sessionId();
  record.messageId = id;
  record.appKey = session->appKey();
  record.nodeId = config_.nodeId;
  record.peer = request.to;
  record.contentType = request.contentType;
  record.imdnRequested = request.isImdnRequired;
  record.queuedMs = nowMs();
  Pending pending{session->sessionId(), id, false, request.to, request.body, false, ""};
  std::string contentType = "text/plain;charset=UTF-8";
  std::string body = request.body;
  try {
    if (request.contentType == "message/cpim") {
      if (refusesCpim(request.to)) {
        pending.note = "sent as text/plain: the recipient refused message/cpim (415) recently";
      } else {
        record.imdnMessageIds.push_back(newUuid());
        body = cpimFor(*session, request.to, request.body, record.imdnMessageIds.back(), datetime,
                       request.isImdnRequired);
        contentType = "message/cpim";
        pending.wasCpim = true;
      }
    } else if (request.contentType == "multipart/mixed") {
      std::vector<content::MimePart> parts;
      for (const auto& recipient : request.recipients) {
        record.imdnMessageIds.push_back(newUuid());
        content::MimePart part;
        part.headers.emplace_back("Content-Type", "message/cpim");
        part.body = cpimFor(*session, recipient, request.body, record.imdnMessageIds.back(),
                            datetime, request.isImdnRequired);
        parts.push_back(std::move(part));
      }
      auto multipart = content::buildMultipart(parts);
      contentType = multipart.contentType;
      body = std::move(multipart.body);
    }
  } catch (const content::ContentError& e) {
    throw invalidField("body", "cannot be encoded: " + e.message());
  }
  if (!store_.insertOutgoing(record))
    throw invalidField("id", "the session already sent a message with this id");
  {
    std::lock_guard lock(mutex_);
    for (const auto& imdnId : record.imdnMessageIds)
      remember(sentImdnIds_, sentOrder_, imdnId, key(session->sessionId(), id));
  }
  sent_.inc();
  dispatch(std::move(pending), contentType, std::move(body));
  return id;
}

std::uint64_t Messaging::dispatch(Pending pending, const std::string& contentType,
                                  std::string body) {
  const std::uint64_t requestId = nextRequest_++;
  OutgoingMessage message{pending.sessionId, requestId, pending.target, contentType,
                          std::move(body)};
  {
    std::lock_guard lock(mutex_);
    pending_[requestId] = std::move(pending);
    if (sending_ >= config_.sendWindow) {
      waiting_.push_back(std::move(message));  // sent when an earlier one is answered
      return requestId;
    }
    ++sending_;
  }
  handToSip(message);
  return requestId;
}

void Messaging::handToSip(const OutgoingMessage& message) {
  try {
    sip_.sendMessage(message);
  } catch (const std::exception& e) {
    // The SIP stack's queue is full: the message is recorded, so it fails explicitly.
    onMessageOutcome({message.sessionId, message.requestId, 503,
                      std::string("SIP stack overloaded: ") + e.what()});
  }
}

void Messaging::sendWaiting() {
  std::vector<OutgoingMessage> next;
  {
    std::lock_guard lock(mutex_);
    if (sending_ > 0) --sending_;
    while (sending_ < config_.sendWindow && !waiting_.empty()) {
      next.push_back(std::move(waiting_.front()));
      waiting_.pop_front();
      ++sending_;
    }
  }
  for (const auto& message : next) handToSip(message);
}

void Messaging::onMessageOutcome(const MessageOutcome& outcome) {
  Pending pending;
  {
    std::lock_guard lock(mutex_);
    auto it = pending_.find(outcome.requestId);
    if (it == pending_.end()) return;
    pending = std::move(it->second);
    pending_.erase(it);
  }
  sendWaiting();
  auto session = sessions_.anySession(pending.sessionId);
  if (!session) {
    logger().warning("outcome %d of message %s for a session that is gone", outcome.sipStatus,
                     pending.messageId);
    return;
  }
  const bool ok = outcome.sipStatus >= 200 && outcome.sipStatus < 300;
  if (!ok && outcome.sipStatus == 415 && pending.wasCpim && config_.cpimFallback) {
    {
      std::lock_guard lock(mutex_);
      if (noCpimUntil_.size() >= config_.maxRemembered) noCpimUntil_.clear();  // bounded
      noCpimUntil_[pending.target] = nowMs() + config_.cpimCapabilityTtlSeconds * 1000LL;
    }
    pending.wasCpim = false;
    pending.note = "sent as text/plain: the recipient refused message/cpim (415)";
    const std::string text = pending.text;
    dispatch(std::move(pending), "text/plain;charset=UTF-8", text);
    return;
  }
  Poco::DynamicStruct fields;
  fields["id"] = pending.messageId;
  fields["sipStatus"] = outcome.sipStatus;
  if (pending.isImdn) {
    if (ok) {
      sessions_.emit(*session, kStatusEvent, "IMDN_NOTIFICATION_SENT", fields);
    } else {
      fields["info"] = "delivery notification refused: " + std::to_string(outcome.sipStatus) + " " +
                       outcome.reason;
      sessions_.emit(*session, "ErrorEvent", "", fields);
    }
    return;
  }
  if (!ok) {
    fields["info"] = outcome.sipStatus == 0
                         ? outcome.reason
                         : std::to_string(outcome.sipStatus) + " " + outcome.reason;
  } else if (!pending.note.empty()) {
    fields["info"] = pending.note;
  }
  sessions_.emit(*session, kStatusEvent, ok ? "ACCEPTED" : "FAILED", fields);
}

void Messaging::sendImdn(const std::shared_ptr<Session>& session, const SendImdn& request) {
  const std::string& messageId = request.messageId;
  Received received;
  {
    std::lock_guard lock(mutex_);
    auto it = receivedIds_.find(key(session->sessionId(), messageId));
    if (it == receivedIds_.end())
      throw notFound("a received message asking for a notification with this id", "messageId");
    received = it->second;
    receivedIds_.erase(it);
  }
  sendDeliveredImdn(*session, messageId, received);
}

void Messaging::sendDeliveredImdn(Session& session, const std::string& messageId,
                                  const Received& received) {
  content::Imdn imdn;
  imdn.messageId = received.imdnMessageId;
  imdn.datetime = received.datetime;
  imdn.recipientUri = identityOf(session).uri;
  const auto cpim = content::makeImdnMessage(identityOf(session), {"", received.fromUri}, newUuid(),
                                             isoTimestamp(nowMs()), imdn);
  Pending pending{session.sessionId(), messageId, true, received.fromUri, "", false, ""};
  dispatch(std::move(pending), "message/cpim", content::buildCpim(cpim));
}

bool Messaging::refusesCpim(const std::string& target) {
  std::lock_guard lock(mutex_);
  auto it = noCpimUntil_.find(target);
  if (it == noCpimUntil_.end()) return false;
  if (it->second > nowMs()) return true;
  noCpimUntil_.erase(it);
  return false;
}

void Messaging::failLeftovers(
    const std::string& nodeId,
    const std::function<void(const MessageRecord&, Poco::DynamicStruct)>& emit) {
  for (const auto& record : store_.queuedOnNode(nodeId)) {
    Poco::DynamicStruct fields;
    fields["id"] = record.messageId;
    fields["info"] = std::string("node restarted before the SIP server answered; resend it");
    emit(record, fields);
  }
}

}  // namespace sipbridge::core
