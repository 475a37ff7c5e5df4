#pragma once

#include "HandleContext.h"
#include "SofiaPtr.h"
#include "StaleBindings.h"
#include "sipbridge/core/SipGateway.h"
#include "sipbridge/sip/SipConfig.h"

#include <sofia-sip/sip.h>

#include <functional>
#include <memory>
#include <string>

namespace sipbridge::sip {

class TlsTransport;

/// One session's registration: its nua handle (hmagic = this), the digest answer to one
/// challenge, refresh failures and the unREGISTER. Every 2xx lists the bindings of the address
/// of record; those this node left behind (BindingCheck: a crash kept them from being
/// removed) are removed at once (StaleBindings), so the registrar stops forking to them.
/// Lives on the SIP thread only; owned by SipStack, which routes nua events for the handle
/// here.
class Registration : public HandleContext {
 public:
  /// Called when the registration is over (Unregistered reported); the owner may destroy
  /// the object after the current callback returns.
  using Finished = std::function<void(Registration&)>;

  /// `check` must outlive the registration. `tls` (null without SIP over TLS) names the
  /// certificate problem when a TLS account's REGISTER cannot reach the server.
  Registration(nua_t* nua, su_root_t* root, const SipConfig& config, core::SipListener& listener,
               core::SipAccount account, const BindingCheck& check, TlsTransport* tls,
               Finished finished);
  ~Registration() override;
  Registration(const Registration&) = delete;
  Registration& operator=(const Registration&) = delete;

  /// Sends the first REGISTER; reports Failed at once if the account cannot be expressed.
  void start();
  /// Removes the binding: unREGISTER if one may exist, else reports Unregistered at once.
  void stop();

  /// Routes nua_r_register and nua_r_unregister to the two methods below.
  void onNuaEvent(nua_event_t event, int status, const char* phrase, const sip_t* sip) override;
  /// True while the last REGISTER succeeded (incoming requests are served only then).
  bool isRegistered() const { return state_ == State::Registered; }

  /// nua_r_register for this handle.
  void onRegisterAnswer(int status, const char* phrase, const sip_t* sip);
  /// nua_r_unregister for this handle.
  void onUnregisterAnswer(int status, const char* phrase, const sip_t* sip);

  const core::SipAccount& account() const { return account_; }
  /// The agent (nua instance) the session's handles belong to.
  nua_t* nua() const { return nua_; }

 private:
  enum class State { Idle, Registering, Registered, Failed, Unregistering, Done };

  bool createHandle();
  void answerChallenge(const sip_t* sip);
  void fail(int status, const std::string& info);
  /// A 2xx: removes the bindings of the address of record this node left behind.
  void removeStaleBindings(const sip_t* sip);
  void finish(int status, const std::string& info);
  static void unregisterTimeout(su_root_magic_t*, su_timer_t*, su_timer_arg_t* arg);

  nua_t* nua_;
  su_root_t* root_;
  const SipConfig& config_;
  core::SipListener& listener_;
  core::SipAccount account_;
  const BindingCheck& check_;
  TlsTransport* tls_;
  Finished finished_;
  std::unique_ptr<StaleBindings> cleanup_;  ///< the removal in progress or last made
  NuaHandlePtr handle_;
  SuTimerPtr timer_;
  State state_ = State::Idle;
  bool credentialsSent_ = false;  ///< answered a challenge since the last 2xx
  bool mayHaveBinding_ = false;   ///< a REGISTER may have reached the registrar
};

}  // namespace sipbridge::sip
