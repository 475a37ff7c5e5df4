// NOTIFYs: their SubscriptionStatusEvent (with parsed reginfo/PIDF) and coalescing.
#include "sipbridge/core/Presence.h"

#include "sipbridge/content/ContentError.h"
#include "sipbridge/content/Pidf.h"
#include "sipbridge/content/Reginfo.h"
#include "sipbridge/core/Validation.h"

#include <Poco/String.h>

namespace sipbridge::core {
namespace {

/// The NOTIFY's fields, with its body parsed when it is PIDF or reginfo. A body that cannot
/// be parsed is kept as received, with `info` saying why it was not understood.
Poco::DynamicStruct notifyFields(const NotifyInfo& n) {
  Poco::DynamicStruct fields;
  fields["subscriptionId"] = std::to_string(n.subscriptionId);
  fields["contentType"] = n.contentType;
  if (!n.reason.empty()) fields["info"] = n.reason;
  if (!isUtf8Text(n.body) || !isUtf8Text(n.rawMessage)) {
    fields["info"] = std::string("the NOTIFY body is not UTF-8 text and is not shown");
    return fields;
  }
  fields["requestBody"] = n.body;
  fields["sipMessageRaw"] = n.rawMessage;
  const std::string type =
      Poco::toLower(Poco::trim(n.contentType.substr(0, n.contentType.find(';'))));
  try {
    if (type == "application/pidf+xml" && !n.body.empty()) {
      fields["presence"] = content::toJson(content::parsePidf(n.body));
    } else if (type == "application/reginfo+xml" && !n.body.empty()) {
      fields["reginfo"] = content::toJson(content::parseReginfo(n.body));
    }
  } catch (const content::ContentError& e) {
    fields["info"] = "body not understood: " + e.message();
  }
  return fields;
}

}  // namespace

void Presence::onNotify(const NotifyInfo& notify) {
  const bool terminated = notify.state == "terminated";
  Held incoming{terminated ? "Terminated" : "Active", notifyFields(notify)};
  const std::int64_t now = nowMs();
  std::lock_guard lock(mutex_);
  auto it = subscriptions_.find(notify.subscriptionId);
  if (it == subscriptions_.end()) return;
  Subscription& sub = it->second;
  if (sub.held) {
    // A newer state supersedes the held one: store that one without delivering it to hooks.
    emitNotify(sub, sub.held->status, sub.held->fields, true);
    sub.held.reset();
    if (!terminated) {
      sub.held = std::move(incoming);
      return;  // its flush is already scheduled
    }
  }
  if (terminated || now - sub.lastEmitMs >= config_.coalesceMs) {
    emitNotify(sub, incoming.status, incoming.fields, false);
    sub.lastEmitMs = now;
    if (terminated) subscriptions_.erase(it);
    return;
  }
  sub.held = std::move(incoming);
  flushes_.emplace(sub.lastEmitMs + config_.coalesceMs, notify.subscriptionId);
  wake_.notify_all();
}

}  // namespace sipbridge::core
