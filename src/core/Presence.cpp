#include "sipbridge/core/Presence.h"

#include "sipbridge/content/ContentError.h"
#include "sipbridge/content/Pidf.h"
#include "sipbridge/core/Errors.h"
#include "sipbridge/core/SendMessageRequest.h"
#include "sipbridge/core/Validation.h"

namespace sipbridge::core {
namespace {

const char* const kPublishEvent = "PublishStatusEvent";

void onlyFields(const Poco::JSON::Object& json, std::initializer_list<const char*> names,
                const std::string& method) {
  for (const auto& [key, value] : json) {
    bool known = false;
    for (const char* name : names) known = known || key == name;
    if (!known) throw invalidField(key, key + " is not a " + method + " field");
  }
}

std::string text(const Poco::JSON::Object& json, const std::string& name, std::size_t maxLen) {
  const auto value = json.get(name);
  if (value.isEmpty()) return {};
  if (!value.isString()) throw invalidField(name, name + " must be a string");
  const auto s = value.extract<std::string>();
  if (const auto problem = checkHeaderSafe(s, maxLen); !problem.empty())
    throw invalidField(name, name + " " + problem);
  return s;
}

bool flag(const Poco::JSON::Object& json, const std::string& name) {
  const auto value = json.get(name);
  if (value.isEmpty()) return false;
  if (!value.isBoolean()) throw invalidField(name, name + " must be true or false");
  return value.extract<bool>();
}

int expiresOf(const Poco::JSON::Object& json, const PresenceConfig& config) {
  const auto value = json.get("expires");
  if (value.isEmpty()) return config.defaultExpires;
  if (!value.isInteger()) throw invalidField("expires", "expires must be an integer");
  const auto expires = value.convert<std::int64_t>();
  if (expires < config.minExpires || expires > config.maxExpires)
    throw invalidField("expires", "expires must be between " + std::to_string(config.minExpires) +
                                      " and " + std::to_string(config.maxExpires));
  return static_cast<int>(expires);
}

bool isToken(const std::string& s) {
  if (s.empty() || s.size() > 64) return false;
  for (unsigned char c : s)
    if (!std::isalnum(c) && c != '-' && c != '.' && c != '!' && c != '%' && c != '*' && c != '_' &&
        c != '+' && c != '`' && c != '\'' && c != '~')
      return false;
  return true;
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

Poco::JSON::Object::Ptr Presence::subscribe(const std::shared_ptr<Session>& session,
                                            const Poco::JSON::Object& json) {
  requireSipIdentity(*session, "subscribe");
  onlyFields(json, {"event", "expires", "terminate", "to", "accept"}, "subscribe");
  const std::string event = text(json, "event", 64);
  if (!isToken(event)) throw invalidField("event", "event must be an event package name");
  const int expires = expiresOf(json, config_);
  const bool terminate = flag(json, "terminate");
  std::string accept = text(json, "accept", 256);
  if (accept.empty() && event != "presence" && event != "reg")
    throw invalidField("accept", "event packages other than presence and reg need accept");
  if (accept.empty()) accept = event == "reg" ? "application/reginfo+xml" : "application/pidf+xml";
  std::string target = aorOf(*session);
  if (const std::string to = text(json, "to", 256); !to.empty()) {
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
  Poco::JSON::Object::Ptr reply = new Poco::JSON::Object;
  reply->set("subscriptionId", std::to_string(id));
  reply->set("event", event);
  reply->set("to", target);
  return reply;
}

Poco::JSON::Object::Ptr Presence::publish(const std::shared_ptr<Session>& session,
                                          const Poco::JSON::Object& json) {
  requireSipIdentity(*session, "publish");
  onlyFields(json, {"state", "note", "expires", "withdraw"}, "publish");
  std::string state = text(json, "state", 16);
  if (state.empty()) state = "open";
  if (state != "open" && state != "closed")
    throw invalidField("state", "state must be open or closed");
  const std::string note = text(json, "note", config_.maxNoteBytes);
  const int expires = expiresOf(json, config_);
  const bool withdraw = flag(json, "withdraw");
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
  Poco::JSON::Object::Ptr reply = new Poco::JSON::Object;
  reply->set("publicationId", std::to_string(request.publicationId));
  return reply;
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
