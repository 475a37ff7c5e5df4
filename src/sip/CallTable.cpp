#include "CallTable.h"

#include <Poco/Logger.h>

#include <sofia-sip/nua_tag.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/sip_tag.h>

#include <random>

namespace sipbridge::sip {

namespace {
Poco::Logger& logger() {
  return Poco::Logger::get("sipbridge.sip");
}
}  // namespace

CallTable::CallTable(su_root_t* root, const SipConfig& config, core::CallListener& listener,
                     std::vector<std::unique_ptr<HandleContext>>& graveyard)
    : root_(root), config_(config), listener_(listener), graveyard_(graveyard) {
  std::random_device random;
  const std::uint64_t value = (static_cast<std::uint64_t>(random()) << 32) ^ random();
  static const char* digits = "0123456789abcdef";
  idPrefix_ = "sip-";
  for (int shift = 60; shift >= 0; shift -= 4) idPrefix_ += digits[(value >> shift) & 0xf];
  idPrefix_ += "-";
}

CallTable::~CallTable() = default;

void CallTable::call(nua_t* nua, const core::SipAccount* account, core::OutgoingCall call) {
  core::CallUpdate refusal;
  refusal.sessionId = call.sessionId;
  refusal.callId = call.callId;
  refusal.kind = core::CallUpdate::Kind::Refused;
  if (shuttingDown_) {
    refusal.reason = "SIP stack shutting down";
  } else if (!account) {
    refusal.reason = "session has no SIP account";
  } else if (find(call.sessionId, call.callId)) {
    refusal.reason = "call id in use";
  } else if (calls_.size() + finishing_.size() >= config_.maxCalls) {
    refusal.sipStatus = 503;
    refusal.reason = "too many calls";
  }
  if (!refusal.reason.empty()) {
    // A call carrying out a REFER: the transferor hears that it is not made.
    if (Call* referrer =
            call.referredByCallId.empty() ? nullptr : find(call.sessionId, call.referredByCallId))
      referrer->endRefer(503, "Service Unavailable");
    try {
      listener_.onCallUpdate(refusal);
    } catch (const std::exception& e) {
      logger().error("the call listener failed: %s", std::string(e.what()));
    }
    return;
  }
  Call* referrer =
      call.referredByCallId.empty() ? nullptr : find(call.sessionId, call.referredByCallId);
  const Key referrerKey{call.sessionId, call.referredByCallId};
  const Key key{call.sessionId, call.callId};
  auto created = std::make_unique<Call>(
      nua, root_, config_, listener_, *account, std::move(call),
      [this](Call& ended) { forget(ended); }, [this](Call& finished) { retire(finished); });
  const auto [slot, inserted] = calls_.try_emplace(key, std::move(created));
  if (inserted)  // always: find() above said the key is free
    slot->second->start(
        referrer, [this, referrerKey] { return find(referrerKey.first, referrerKey.second); });
}

void CallTable::incoming(nua_t* nua, nua_handle_t* handle, const core::SipAccount& account,
                         const sip_t* sip) {
  if (shuttingDown_ || calls_.size() + finishing_.size() >= config_.maxCalls) {
    sip_retry_after_t retryAfter[1];
    sip_retry_after_init(retryAfter)->af_delta = config_.retryAfterSeconds;
    nua_respond(handle, SIP_503_SERVICE_UNAVAILABLE, NUTAG_WITH_THIS(nua),
                SIPTAG_RETRY_AFTER(retryAfter), TAG_END());
    nua_handle_destroy(handle);
    return;
  }
  std::string callId = newCallId();
  while (calls_.count({account.sessionId, callId})) callId = newCallId();
  auto created = std::make_unique<Call>(
      nua, root_, config_, listener_, account, callId, handle,
      [this](Call& ended) { forget(ended); }, [this](Call& finished) { retire(finished); });
  // try_emplace leaves `created` alone when the key is taken: only a call that is in the
  // table is ever used (the loop above makes that case impossible anyway).
  const auto [slot, inserted] =
      calls_.try_emplace(Key{account.sessionId, callId}, std::move(created));
  if (!inserted) {
    logger().error("session %s: incoming call id %s in use", account.sessionId, callId);
    nua_respond(handle, SIP_500_INTERNAL_SERVER_ERROR, NUTAG_WITH_THIS(nua), TAG_END());
    return;  // `created` owns the handle and releases it
  }
  slot->second->accept(sip);
}

void CallTable::answer(const std::string& sessionId, const std::string& callId,
                       const std::string& sdp) {
  if (Call* call = find(sessionId, callId)) call->answer(sdp);
}

void CallTable::rejectReoffer(const std::string& sessionId, const std::string& callId, int status) {
  if (Call* call = find(sessionId, callId)) call->rejectReoffer(status);
}

void CallTable::hangup(const std::string& sessionId, const std::string& callId, int rejectStatus) {
  if (Call* call = find(sessionId, callId)) call->hangup(rejectStatus, false);
}

void CallTable::reinvite(const std::string& sessionId, const std::string& callId,
                         const std::string& sdp) {
  if (Call* call = find(sessionId, callId)) call->reinvite(sdp);
}

void CallTable::refer(const std::string& sessionId, const std::string& callId,
                      const std::string& target) {
  if (Call* call = find(sessionId, callId)) call->refer(target);
}

void CallTable::endRefer(const std::string& sessionId, const std::string& callId, int status,
                         const std::string& reason) {
  if (Call* call = find(sessionId, callId)) call->endRefer(status, reason);
}

void CallTable::info(const std::string& sessionId, const std::string& callId,
                     const std::string& contentType, const std::string& body) {
  if (Call* call = find(sessionId, callId)) call->info(contentType, body);
}

void CallTable::endSession(const std::string& sessionId) {
  std::vector<Call*> calls;
  for (auto it = calls_.lower_bound({sessionId, std::string()});
       it != calls_.end() && it->first.first == sessionId; ++it)
    calls.push_back(it->second.get());
  for (Call* call : calls) call->hangup(480, true);
}

void CallTable::shutdown() {
  shuttingDown_ = true;
  for (auto& [key, call] : calls_) call->silence();
}

Call* CallTable::find(const std::string& sessionId, const std::string& callId) {
  auto found = calls_.find({sessionId, callId});
  return found == calls_.end() ? nullptr : found->second.get();
}

void CallTable::forget(Call& call) {
  auto found = calls_.find({call.sessionId(), call.callId()});
  if (found == calls_.end() || found->second.get() != &call) return;
  finishing_.try_emplace(&call, std::move(found->second));
  calls_.erase(found);
}

void CallTable::retire(Call& call) {
  forget(call);  // in case it ended without reporting (it always reports first)
  auto found = finishing_.find(&call);
  if (found == finishing_.end()) return;
  graveyard_.push_back(std::move(found->second));
  finishing_.erase(found);
}

std::string CallTable::newCallId() {
  return idPrefix_ + std::to_string(++nextId_);
}

}  // namespace sipbridge::sip
