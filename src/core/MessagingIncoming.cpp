// Incoming MESSAGEs: decoding (text, CPIM, multipart/mixed), their events, IMDNs.
#include "sipbridge/core/Messaging.h"

#include "sipbridge/content/ContentError.h"
#include "sipbridge/content/Cpim.h"
#include "sipbridge/content/Imdn.h"
#include "sipbridge/content/Multipart.h"
#include "sipbridge/core/Validation.h"

#include <Poco/Logger.h>
#include <Poco/String.h>

#include <mutex>

namespace sipbridge::core {
namespace {

Poco::Logger& logger() {
  return Poco::Logger::get("sipbridge.core.messaging");
}

/// The media type of a Content-Type value, lower case, without parameters.
std::string mediaType(const std::string& contentType) {
  return Poco::toLower(Poco::trim(contentType.substr(0, contentType.find(';'))));
}

/// A content type the bridge cannot turn into messages (answered 415).
struct UnsupportedType {
  std::string type;
};

/// A body larger than messages.maxIncomingBytes (answered 413, as sofia-sip answers a
/// message too large for its buffer: RFC 3261 21.4.11, the sender should not retry as is).
struct TooLarge {
  std::size_t bytes;
};

}  // namespace

struct Messaging::Decoded {
  bool isImdn = false;
  std::string id;
  std::string body;
  std::string contentType;
  bool imdnRequired = false;
  std::string imdnMessageId;  ///< to refer to in a notification
  std::string datetime;
  content::Imdn imdn;  ///< when isImdn
};

std::vector<Messaging::Decoded> Messaging::decode(const IncomingMessage& message) const {
  if (message.body.size() > config_.maxIncomingBytes) throw TooLarge{message.body.size()};
  if (!isUtf8Text(message.body)) throw content::ContentError("the body is not UTF-8 text");
  auto decodeCpim = [](std::string_view text) {
    Decoded d;
    const auto cpim = content::parseCpim(text);
    if (content::isImdn(cpim)) {
      d.isImdn = true;
      d.imdn = content::parseImdnMessage(cpim);
      return d;
    }
    d.imdnMessageId = content::imdnMessageId(cpim).value_or("");
    d.id = d.imdnMessageId.empty() ? newUuid() : d.imdnMessageId;
    d.body = cpim.body;
    d.contentType = cpim.contentType.empty() ? "text/plain" : cpim.contentType;
    d.imdnRequired = content::requestedDispositions(cpim).positiveDelivery;
    d.datetime = content::findHeader(cpim.headers, "DateTime").value_or("");
    return d;
  };
  auto decodeText = [](const std::string& body, const std::string& contentType) {
    Decoded d;
    d.id = newUuid();
    d.body = body;
    d.contentType = contentType.empty() ? "text/plain" : contentType;
    return d;
  };
  const std::string type = mediaType(message.contentType);
  if (type.empty() || type.rfind("text/", 0) == 0)
    return {decodeText(message.body, message.contentType)};
  if (type == "message/cpim") return {decodeCpim(message.body)};
  if (type != "multipart/mixed") throw UnsupportedType{type};
  std::vector<Decoded> out;
  const auto boundary = content::boundaryFromContentType(message.contentType);
  for (const auto& part : content::parseMultipart(message.body, boundary)) {
    const std::string partType = content::findHeader(part.headers, "Content-Type").value_or("");
    const std::string partMedia = mediaType(partType);
    if (partMedia == "message/cpim") {
      out.push_back(decodeCpim(part.body));
    } else if (partMedia.empty() || partMedia.rfind("text/", 0) == 0) {
      out.push_back(decodeText(part.body, partType));
    } else {
      throw UnsupportedType{partMedia};
    }
  }
  return out;
}

void Messaging::onIncomingMessage(const IncomingMessage& message) {
  auto session = sessions_.liveSession(message.sessionId);
  if (!session) {
    // As the SIP side answers for any contact no session holds: a 5xx, which a proxy forking
    // to every contact of the user ranks below what the user's live sessions answer.
    sip_.answerMessage(message.transactionId, 500, "Contact Gone");
    return;
  }
  if (!sessions_.accepting()) {  // the store is away: the sender retries later
    sip_.answerMessage(message.transactionId, 503, "Service Unavailable");
    return;
  }
  std::vector<Decoded> items;
  try {
    items = decode(message);
  } catch (const UnsupportedType& e) {
    return refuse(session, message, 415, "Unsupported Media Type",
                  "content type " + e.type + " is not supported");
  } catch (const TooLarge& e) {
    return refuse(session, message, 413, "Request Entity Too Large",
                  "the body has " + std::to_string(e.bytes) + " bytes, more than " +
                      std::to_string(config_.maxIncomingBytes) + " (messages.maxIncomingBytes)");
  } catch (const content::ContentError& e) {
    return refuse(session, message, 400, "Bad Request", e.message());
  }
  receivedCount_.inc();
  const std::string imdnMode = apps_.imdnMode(session->appKey());  // as it is now, not at connect
  std::vector<Emission> emissions;
  std::vector<std::pair<std::string, Received>> notify;
  for (const auto& item : items) {
    if (item.isImdn) {
      if (auto emission = reportImdn(item)) emissions.push_back(std::move(*emission));
      continue;
    }
    Poco::DynamicStruct fields;
    fields["id"] = item.id;
    fields["from"] = message.fromUri;
    fields["to"] = message.toUri;
    fields["body"] = item.body;
    fields["contentType"] = item.contentType;
    fields["isImdnRequired"] = item.imdnRequired;
    fields["sipMessageRaw"] = message.rawMessage;
    emissions.push_back({session, "OnMessageEvent", "", fields});
    Poco::DynamicStruct status;
    status["id"] = item.id;
    status["from"] = message.fromUri;
    status["contentType"] = item.contentType;
    status["isImdnRequired"] = item.imdnRequired;
    emissions.push_back({session, "MessageStatusEvent", "RECEIVED", status});
    if (!item.imdnRequired || imdnMode == "never") continue;
    Received received{message.fromUri, item.imdnMessageId, item.datetime};
    if (imdnMode == "automatic") {
      notify.emplace_back(item.id, received);
    } else {
      std::lock_guard lock(mutex_);
      remember(receivedIds_, receivedOrder_, session->sessionId() + '\n' + item.id, received);
    }
  }
  if (emissions.empty()) {
    sip_.answerMessage(message.transactionId, 200, "OK");
    return;
  }
  // The MESSAGE is answered 200 (and its IMDNs sent) only when every one of its events is
  // committed; if any is refused, it is answered 500 and the sender may try again.
  struct Tally {
    std::mutex mutex;
    std::size_t remaining;
    bool failed = false;
  };
  auto tally = std::make_shared<Tally>();
  tally->remaining = emissions.size();
  const std::uint64_t transaction = message.transactionId;
  auto done = [this, tally, transaction, session, notify](bool committed) {
    {
      std::lock_guard lock(tally->mutex);
      tally->failed = tally->failed || !committed;
      if (--tally->remaining > 0) return;
    }
    const bool ok = !tally->failed;
    sip_.answerMessage(transaction, ok ? 200 : 500, ok ? "OK" : "Server Internal Error");
    if (ok)
      for (const auto& [messageId, received] : notify)
        sendDeliveredImdn(*session, messageId, received);
  };
  for (auto& e : emissions) sessions_.emit(*e.session, e.type, e.status, std::move(e.fields), done);
}

std::optional<Messaging::Emission> Messaging::reportImdn(const Decoded& item) {
  using content::ImdnStatus;
  const auto status = item.imdn.status;
  if (item.imdn.kind != content::ImdnKind::Delivery) return std::nullopt;
  std::string ref;
  {
    std::lock_guard lock(mutex_);
    auto it = sentImdnIds_.find(item.imdn.messageId);
    if (it != sentImdnIds_.end()) ref = it->second;
  }
  if (ref.empty()) {
    logger().information("IMDN for unknown message %s ignored", item.imdn.messageId);
    return std::nullopt;
  }
  const auto newline = ref.find('\n');
  auto session = sessions_.anySession(ref.substr(0, newline));
  if (!session) {
    logger().information("IMDN for message %s of a session that is gone", item.imdn.messageId);
    return std::nullopt;
  }
  Poco::DynamicStruct fields;
  fields["id"] = ref.substr(newline + 1);
  const bool delivered = status == ImdnStatus::Delivered;
  if (!delivered) fields["info"] = std::string(content::toString(status));
  return Emission{session, "MessageStatusEvent", delivered ? "IMDN_DELIVERED" : "IMDN_FAILED",
                  fields};
}

void Messaging::refuse(const std::shared_ptr<Session>& session, const IncomingMessage& message,
                       int status, const std::string& reason, const std::string& why) {
  Poco::DynamicStruct fields;
  fields["info"] = "incoming MESSAGE refused with " + std::to_string(status) + ": " + why;
  if (isUtf8Text(message.rawMessage)) fields["sipMessageRaw"] = message.rawMessage;
  const std::uint64_t transaction = message.transactionId;
  sessions_.emit(*session, "ErrorEvent", "", fields, [this, transaction, status, reason](bool) {
    sip_.answerMessage(transaction, status, reason);
  });
}

}  // namespace sipbridge::core
