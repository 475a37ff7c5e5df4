#pragma once

#include "HandleContext.h"
#include "SofiaPtr.h"
#include "sipbridge/core/SipGateway.h"
#include "sipbridge/core/SipSubscriptions.h"
#include "sipbridge/sip/SipConfig.h"

#include <functional>
#include <string>

namespace sipbridge::sip {

/// One SUBSCRIBE dialog (RFC 6665) on its own nua handle (hmagic = this): From the account's
/// address of record, To and Request-URI the target, through the account's outbound proxy,
/// one digest answer per challenge round. nua refreshes it; every final answer to SUBSCRIBE
/// (first, refreshes) and to the un-SUBSCRIBE is reported as a SubscriptionOutcome, every
/// NOTIFY (answered 200 by nua) as NotifyInfo. The subscription is over, and `finished`
/// called, after a refused SUBSCRIBE or failed refresh (outcome terminated=true), a NOTIFY
/// with Subscription-State terminated (whatever its reason) once no SUBSCRIBE of ours is
/// waiting for its answer, or the end of an un-SUBSCRIBE. Lives on the SIP thread only;
/// owned by SipStack.
class Subscription : public HandleContext {
 public:
  /// Called once the subscription is over; the owner may destroy the object after the
  /// current callback returns.
  using Finished = std::function<void(Subscription&)>;

  /// Copies what it needs of `account` (the password is wiped on destruction).
  Subscription(nua_t* nua, const SipConfig& config, core::SubscriptionListener& listener,
               const core::SipAccount& account, core::SubscribeRequest request, Finished finished);
  ~Subscription() override;
  Subscription(const Subscription&) = delete;
  Subscription& operator=(const Subscription&) = delete;

  /// Sends the SUBSCRIBE; reports a terminated outcome (status 0) at once if the request
  /// cannot be expressed (target URI, event package, Accept, expires, account).
  void start();
  /// Sends SUBSCRIBE with Expires: 0 unless already ending. `quiet`: nothing more is reported
  /// (the session is going away).
  void stop(bool quiet);
  /// Nothing more is reported (the stack shuts down).
  void silence() { quiet_ = true; }

  void onNuaEvent(nua_event_t event, int status, const char* phrase, const sip_t* sip) override;

  const core::SubscribeRequest& request() const { return request_; }

 private:
  enum class State { Idle, Subscribing, Active, Unsubscribing, Done };

  bool send(std::string& problem);
  bool challenge(int status, const sip_t* sip);
  void onSubscribeAnswer(int status, const char* phrase, const sip_t* sip);
  void onUnsubscribeAnswer(int status, const char* phrase, const sip_t* sip);
  void onNotify(int status, const char* phrase, const sip_t* sip);
  void reportOutcome(int status, const std::string& reason, bool terminated);
  void finish();

  nua_t* nua_;
  const SipConfig& config_;
  core::SubscriptionListener& listener_;
  core::SipAccount account_;
  core::SubscribeRequest request_;
  Finished finished_;
  NuaHandlePtr handle_;
  State state_ = State::Idle;
  bool quiet_ = false;
  bool credentialsSent_ = false;  ///< answered a challenge since the last final answer
  bool terminatedSeen_ = false;   ///< a NOTIFY said terminated
  bool unsubscribeAnswered_ = false;
};

}  // namespace sipbridge::sip
