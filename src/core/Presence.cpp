#include "sipbridge/core/Presence.h"

#include "sipbridge/content/ContentError.h"
#include "sipbridge/content/Pidf.h"
#include "sipbridge/core/Addresses.h"
#include "sipbridge/core/Errors.h"
#include "sipbridge/core/Validation.h"

namespace sipbridge::core {
namespace {

const char* const kPublishEvent = "PublishStatusEvent";

/// The requested expires within the configured range, or the default when none was asked.
int expiresOf(const std::optional<std::int64_t>& requested, const PresenceConfig& config) {
  if (!requested) return config.defaultExpires;
  const std::int64_t expires = *requested;
  if (expires < config.minExpires || expires > config.maxExpires)
    throw invalidField("expires", "expires must be between " + std::to_string(config.minExpires) +
                                      " and " + std::to_string(config.maxExpires));
  return static_cast<int>(expires);
}

std::string aorOf(const Session& session) {
  return "sip:" + session.request().sipLogin + "@" + session.request().sipDomain;
}

void requireSipIdentity(const Session& session, const std::string& method) {
  if (!session.request().sipRegisterRequired)
    throw conflict(method + " needs a SIP identity: connect with sipRegisterRequired");
}

}  // namespace

Presence::Presence(PresenceConfig config, SessionContext& sessions, SipSubscriptions& sip)
    : config_(config), sessions_(sessions), sip_(sip), flusher_([this] { flushLoop(); }) {}

Presence::~Presence() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  flusher_.join();
}

SubscribeResult Presence::subscribe(const std::shared_ptr<Session>& session,
                                    const Subscribe& request) {
  requireSipIdentity(*session, "subscribe");
  const std::string& event = request.event;
  const int expires = expiresOf(request.expires, config_);
  const bool terminate = request.terminate;
  std::string accept = request.accept;
  if (accept.empty()) accept = event == "reg" ? "application/reginfo+xml" : "application/pidf+xml";
  std::string target = aorOf(*session);
  if (const std::string& to = request.to; !to.empty()) {
    target = addressToUri(to, session->request().sipDomain);
    if (target.empty()) throw invalidField("to", "to is not a SIP URI, tel URI, login or number");
  }

  std::uint64_t id = 0;
  std::size_t count = 0;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [subId, sub] : subscriptions_) {
      if (sub.sessionId != session->sessionId()) continue;
      ++count;
      if (sub.event == event && sub.target == target) id = subId;
    }
    if (!terminate && id == 0) {
      if (count >= config_.maxSubscriptionsPerSession)
        throw invalidField("event", "the session has " + std::to_string(count) +
                                        " subscriptions, the most allowed");
      id = nextId_++;
      subscriptions_[id] = {id, session->sessionId(), event, target, 0, std::nullopt};
    }
  }
  if (terminate) {
    if (id == 0) throw notFound("a subscription to this event and target", "event");
    sip_.unsubscribe(session->sessionId(), id);
  } else {
    sip_.subscribe({session->sessionId(), id, target, event, accept, expires});
  }
  return {std::to_string(id), event, target};
}

std::string Presence::publish(const std::shared_ptr<Session>& session, const Publish& given) {
  requireSipIdentity(*session, "publish");
  const std::string& state = given.state;
  const std::string& note = given.note;
  if (const auto problem = checkHeaderSafe(note, config_.maxNoteBytes); !problem.empty())
    throw invalidField("note", "note " + problem);
  const int expires = expiresOf(given.expires, config_);
  const bool withdraw = given.withdraw;
  PublishRequest request;
  request.sessionId = session->sessionId();
  request.expires = withdraw ? 0 : expires;
  if (!withdraw) {
    try {
      request.body = content::buildPidf(aorOf(*session), state == "open", note, "t1");
    } catch (const content::ContentError& e) {
      throw invalidField("note", "note cannot be published: " + e.message());
    }
  }
  {
    std::lock_guard lock(mutex_);
    request.publicationId = nextId_++;
    publications_[request.publicationId] = {session->sessionId(), withdraw};
  }
  sip_.publish(request);
  return std::to_string(request.publicationId);
}

void Presence::sessionEnded(const std::string& sessionId) {
  std::lock_guard lock(mutex_);
  std::erase_if(subscriptions_,
                [&](const auto& entry) { return entry.second.sessionId == sessionId; });
  std::erase_if(publications_,
                [&](const auto& entry) { return entry.second.sessionId == sessionId; });
}

void Presence::onPublishOutcome(const PublishOutcome& outcome) {
  Publication publication;
  {
    std::lock_guard lock(mutex_);
    auto it = publications_.find(outcome.publicationId);
    if (it == publications_.end()) return;
    publication = it->second;
    publications_.erase(it);
  }
  auto session = sessions_.anySession(outcome.sessionId);
  if (!session) return;
  const bool ok = outcome.sipStatus >= 200 && outcome.sipStatus < 300;
  Poco::DynamicStruct fields;
  fields["publicationId"] = std::to_string(outcome.publicationId);
  fields["sipStatus"] = outcome.sipStatus;
  if (!ok) fields["info"] = std::to_string(outcome.sipStatus) + " " + outcome.reason;
  sessions_.emit(*session, kPublishEvent,
                 ok ? (publication.withdraw ? "WITHDRAWN" : "PUBLISHED") : "FAILED", fields);
}

void Presence::onSubscriptionOutcome(const SubscriptionOutcome& outcome) {
  if (!outcome.terminated) return;
  std::lock_guard lock(mutex_);
  auto it = subscriptions_.find(outcome.subscriptionId);
  if (it == subscriptions_.end()) return;
  if (it->second.held) {
    emitNotify(it->second, it->second.held->status, it->second.held->fields, false);
    it->second.held.reset();
  }
  Poco::DynamicStruct fields;
  fields["info"] = std::to_string(outcome.sipStatus) + " " + outcome.reason;
  fields["sipStatus"] = outcome.sipStatus;
  emitNotify(it->second, "Terminated", fields, false);
  subscriptions_.erase(it);
}

void Presence::emitNotify(const Subscription& sub, const std::string& status,
                          Poco::DynamicStruct fields, bool coalesced) {
  auto session = sessions_.anySession(sub.sessionId);
  if (!session) return;
  fields["subscriptionId"] = std::to_string(sub.id);
  fields["event"] = sub.event;
  fields["to"] = sub.target;
  if (coalesced) fields["coalesced"] = true;
  sessions_.emit(*session, "SubscriptionStatusEvent", status, std::move(fields));
}

void Presence::flushLoop() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    if (flushes_.empty()) {
      wake_.wait(lock);
      continue;
    }
    const auto due = flushes_.begin()->first;
    if (nowMs() < due) {
      wake_.wait_for(lock, std::chrono::milliseconds(due - nowMs()));
      continue;
    }
    const auto id = flushes_.begin()->second;
    flushes_.erase(flushes_.begin());
    auto it = subscriptions_.find(id);
    if (it == subscriptions_.end() || !it->second.held) continue;
    emitNotify(it->second, it->second.held->status, it->second.held->fields, false);
    it->second.held.reset();
    it->second.lastEmitMs = nowMs();
  }
}

}  // namespace sipbridge::core
