#pragma once

#include "HandleContext.h"
#include "SofiaPtr.h"
#include "sipbridge/core/SipGateway.h"
#include "sipbridge/core/SipSubscriptions.h"
#include "sipbridge/sip/SipConfig.h"

#include <deque>
#include <functional>
#include <optional>
#include <string>

namespace sipbridge::sip {

/// A session's publication of one event package (RFC 3903) on its own nua handle (hmagic =
/// this): PUBLISH to the session's own address of record through its outbound proxy, one
/// digest answer per challenge round. nua keeps the SIP-ETag and refreshes with SIP-If-Match;
/// a later publish() modifies the same publication, one PUBLISH at a time (later requests
/// wait, at most kMaxWaiting). An empty body with expires 0 withdraws it (un-PUBLISH). Every
/// request gets one PublishOutcome; a failed refresh is reported with the id of the last
/// request. The publication is over, and `finished` called, when withdrawn, refused or when
/// a refresh failed. Lives on the SIP thread only; owned by SipStack.
class Publication : public HandleContext {
 public:
  using Finished = std::function<void(Publication&)>;
  static constexpr std::size_t kMaxWaiting = 16;

  /// Copies what it needs of `account` (the password is wiped on destruction).
  Publication(nua_t* nua, const SipConfig& config, core::SubscriptionListener& listener,
              const core::SipAccount& account, std::string event, Finished finished);
  ~Publication() override;
  Publication(const Publication&) = delete;
  Publication& operator=(const Publication&) = delete;

  /// Sends, or queues behind the PUBLISH in flight, a publication or withdrawal.
  void publish(core::PublishRequest request);
  /// Withdraws what was published without reporting anything more (the session is going
  /// away); requests still waiting are dropped.
  void withdrawQuietly();
  /// Nothing more is reported (the stack shuts down).
  void silence() { quiet_ = true; }

  void onNuaEvent(nua_event_t event, int status, const char* phrase, const sip_t* sip) override;

  const std::string& sessionId() const { return account_.sessionId; }
  const std::string& event() const { return event_; }

 private:
  static bool isWithdrawal(const core::PublishRequest& request) {
    return request.body.empty() && request.expires == 0;
  }
  void sendNext();
  bool send(const core::PublishRequest& request, std::string& problem);
  void onAnswer(nua_event_t event, int status, const char* phrase, const sip_t* sip);
  void report(std::uint64_t publicationId, int status, const std::string& reason);
  void finish();

  nua_t* nua_;
  const SipConfig& config_;
  core::SubscriptionListener& listener_;
  core::SipAccount account_;
  const std::string event_;
  Finished finished_;
  NuaHandlePtr handle_;
  std::optional<core::PublishRequest> inFlight_;  ///< sent, final answer not yet seen
  std::deque<core::PublishRequest> waiting_;
  std::uint64_t lastId_ = 0;  ///< the request whose state is published
  bool published_ = false;    ///< the server holds a publication of ours
  bool quiet_ = false;
  bool credentialsSent_ = false;
  bool done_ = false;
};

}  // namespace sipbridge::sip
