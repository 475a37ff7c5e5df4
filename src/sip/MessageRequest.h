#pragma once

#include "HandleContext.h"
#include "SofiaPtr.h"
#include "sipbridge/core/SipGateway.h"
#include "sipbridge/core/SipMessaging.h"
#include "sipbridge/sip/SipConfig.h"

#include <functional>
#include <string>

namespace sipbridge::sip {

/// One outgoing MESSAGE: its own nua handle (hmagic = this), From the account's address of
/// record, routed through the account's outbound proxy (over TCP when the account says so or
/// the body is too large for UDP), one digest answer, and exactly one outcome reported to the
/// MessageListener. Lives on the SIP thread only; owned by SipStack.
class MessageRequest : public HandleContext {
 public:
  /// Called once the outcome was reported; the owner may destroy the object after the
  /// current callback returns.
  using Finished = std::function<void(MessageRequest&)>;

  /// Copies what it needs of `account` (the password is wiped on destruction).
  MessageRequest(nua_t* nua, const SipConfig& config, core::MessageListener& listener,
                 const core::SipAccount& account, core::OutgoingMessage message, Finished finished);
  ~MessageRequest() override;
  MessageRequest(const MessageRequest&) = delete;
  MessageRequest& operator=(const MessageRequest&) = delete;

  /// Sends the MESSAGE; reports an outcome (status 0) at once if it cannot be expressed.
  void start();
  /// nua_r_message for this handle.
  void onNuaEvent(nua_event_t event, int status, const char* phrase, const sip_t* sip) override;

  /// True when the request goes over TCP.
  bool overTcp() const { return overTcp_; }

 private:
  bool send(std::string& problem);
  void report(int status, const std::string& reason);

  nua_t* nua_;
  const SipConfig& config_;
  core::MessageListener& listener_;
  core::SipAccount account_;
  core::OutgoingMessage message_;
  Finished finished_;
  NuaHandlePtr handle_;
  bool overTcp_ = false;
  bool credentialsSent_ = false;
  bool reported_ = false;
};

}  // namespace sipbridge::sip
