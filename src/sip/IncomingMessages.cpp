#include "IncomingMessages.h"

#include <Poco/Logger.h>

#include <sofia-sip/msg.h>
#include <sofia-sip/msg_header.h>
#include <sofia-sip/nua_tag.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/sip_tag.h>
#include <sofia-sip/url.h>

#include <algorithm>

namespace sipbridge::sip {

namespace {

Poco::Logger& logger() {
  return Poco::Logger::get("sipbridge.sip");
}

std::string text(const char* value) {
  return value ? value : "";
}

/// The request's pieces as the core wants them. Temporary strings live in `home`.
core::IncomingMessage describe(su_home_t* home, msg_t* msg, const sip_t* sip) {
  core::IncomingMessage message;
  if (sip->sip_from) {
    message.fromUri = text(url_as_string(home, sip->sip_from->a_url));
    const char* display = sip->sip_from->a_display;
    if (display && *display == '"') display = msg_unquote_dup(home, display);
    message.fromDisplayName = text(display);
  }
  if (sip->sip_to) message.toUri = text(url_as_string(home, sip->sip_to->a_url));
  if (sip->sip_content_type)
    message.contentType = text(
        sip_header_as_string(home, reinterpret_cast<const sip_header_t*>(sip->sip_content_type)));
  if (sip->sip_payload && sip->sip_payload->pl_data)
    message.body.assign(sip->sip_payload->pl_data, sip->sip_payload->pl_len);
  size_t length = 0;
  if (const char* raw = msg ? msg_as_string(home, msg, nullptr, 0, &length) : nullptr)
    message.rawMessage.assign(raw, length);
  return message;
}

constexpr std::size_t kMaxPhrases = 256;

std::string cleanReason(const std::string& reason) {
  std::string out;
  for (unsigned char c : reason)
    if (c >= 0x20 && c != 0x7f) out += static_cast<char>(c);
  return out;
}

}  // namespace

struct IncomingMessages::Pending {
  nua_saved_event_t saved[1] = {};
  nua_handle_t* handle = nullptr;
  bool ownsHandle = false;
  Clock::time_point received;
  std::string sessionId;

  ~Pending() {
    if (saved[0]) nua_destroy_event(saved);
    if (ownsHandle && handle) nua_handle_destroy(handle);
  }
};

IncomingMessages::IncomingMessages(su_root_t* root, const SipConfig& config,
                                   core::MessageListener* listener)
    : config_(config), listener_(listener) {
  const int interval = std::clamp(config_.pendingMessageTimeoutMs / 4, 50, 1000);
  sweepTimer_.reset(su_timer_create(su_root_task(root), interval));
  if (!sweepTimer_ || su_timer_run(sweepTimer_.get(), &IncomingMessages::sweep, this) != 0)
    logger().error("cannot arm the timer answering forgotten MESSAGEs");
}

IncomingMessages::~IncomingMessages() = default;

void IncomingMessages::receive(nua_t* nua, nua_handle_t* handle, bool ownsHandle, const sip_t* sip,
                               const Target& target) {
  if (!sip || target.kind == Target::Kind::Unknown) {
    respondNow(nua, handle, ownsHandle, SIP_404_NOT_FOUND);
    return;
  }
  if (target.kind == Target::Kind::Gone) {
    respondNow(nua, handle, ownsHandle, kContactGone, kContactGonePhrase);
    return;
  }
  if (!listener_) {
    respondNow(nua, handle, ownsHandle, SIP_480_TEMPORARILY_UNAVAILABLE);
    return;
  }
  if (pending_.size() >= config_.maxPendingMessages) {
    logger().warning("session %s: %z MESSAGEs wait for an answer, refusing another",
                     target.sessionId, pending_.size());
    respondNow(nua, handle, ownsHandle, SIP_503_SERVICE_UNAVAILABLE);
    return;
  }
  auto pending = std::make_unique<Pending>();
  if (nua_save_event(nua, pending->saved) != 1 || !pending->saved[0]) {
    respondNow(nua, handle, ownsHandle, SIP_500_INTERNAL_SERVER_ERROR);
    return;
  }
  pending->handle = handle;
  pending->ownsHandle = ownsHandle;
  pending->received = Clock::now();
  pending->sessionId = target.sessionId;

  SuHomePtr home(static_cast<su_home_t*>(su_home_new(sizeof(su_home_t))));
  if (!home) {
    nua_respond(handle, SIP_500_INTERNAL_SERVER_ERROR, NUTAG_WITH_SAVED(pending->saved), TAG_END());
    return;
  }
  core::IncomingMessage message =
      describe(home.get(), nua_saved_event_request(pending->saved), sip);
  message.sessionId = target.sessionId;
  message.transactionId = nextId_++;
  pending_.emplace(message.transactionId, std::move(pending));
  try {
    listener_->onIncomingMessage(message);
  } catch (const std::exception& e) {
    // Nothing may unwind into sofia; the sweep answers the request 500 later.
    logger().error("session %s: the MESSAGE listener failed: %s", target.sessionId,
                   std::string(e.what()));
  }
}

void IncomingMessages::respondNow(nua_t* nua, nua_handle_t* handle, bool ownsHandle, int status,
                                  const char* phrase) {
  sip_retry_after_t retryAfter[1];
  sip_retry_after_init(retryAfter)->af_delta = config_.retryAfterSeconds;
  nua_respond(handle, status, phrase, NUTAG_WITH_THIS(nua),
              TAG_IF(status == 503, SIPTAG_RETRY_AFTER(retryAfter)), TAG_END());
  if (ownsHandle) nua_handle_destroy(handle);
}

void IncomingMessages::answer(std::uint64_t transactionId, int status, const std::string& reason) {
  auto entry = pending_.find(transactionId);
  if (entry == pending_.end()) return;
  if (status < 200 || status > 699) status = 500;
  finish(entry, status, phraseFor(status, reason));
}

const char* IncomingMessages::phraseFor(int status, const std::string& reason) {
  const char* standard = sip_status_phrase(status);
  const std::string phrase = cleanReason(reason);
  if (phrase.empty() || (standard && phrase == standard)) return standard ? standard : "Unknown";
  auto known = phrases_.find(phrase);
  if (known != phrases_.end()) return known->c_str();
  if (phrases_.size() >= kMaxPhrases) return standard ? standard : "Unknown";
  return phrases_.insert(phrase).first->c_str();
}

void IncomingMessages::answerAll(int status, const char* phrase) {
  while (!pending_.empty()) finish(pending_.begin(), status, phrase);
}

void IncomingMessages::finish(std::map<std::uint64_t, std::unique_ptr<Pending>>::iterator entry,
                              int status, const char* phrase) {
  Pending& pending = *entry->second;
  // A 503 (the bridge is overloaded or its store away) says when to try again.
  sip_retry_after_t retryAfter[1];
  sip_retry_after_init(retryAfter)->af_delta = config_.retryAfterSeconds;
  nua_respond(pending.handle, status, phrase, NUTAG_WITH_SAVED(pending.saved),
              TAG_IF(status == 503, SIPTAG_RETRY_AFTER(retryAfter)), TAG_END());
  pending_.erase(entry);
}

void IncomingMessages::sweep(su_root_magic_t*, su_timer_t*, su_timer_arg_t* arg) {
  auto* self = static_cast<IncomingMessages*>(arg);
  const auto oldest =
      Clock::now() - std::chrono::milliseconds(self->config_.pendingMessageTimeoutMs);
  while (!self->pending_.empty() && self->pending_.begin()->second->received <= oldest) {
    logger().warning("session %s: MESSAGE %s not answered in time, answering 500",
                     self->pending_.begin()->second->sessionId,
                     std::to_string(self->pending_.begin()->first));
    self->finish(self->pending_.begin(), SIP_500_INTERNAL_SERVER_ERROR);
  }
}

}  // namespace sipbridge::sip
