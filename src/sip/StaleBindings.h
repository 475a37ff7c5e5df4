#pragma once

#include "HandleContext.h"
#include "SofiaPtr.h"
#include "sipbridge/core/SipGateway.h"
#include "sipbridge/sip/SipConfig.h"

#include <sofia-sip/sip.h>
#include <sofia-sip/url.h>

#include <functional>
#include <string>
#include <vector>

namespace sipbridge::sip {

/// What tells a binding of this node that no session holds any more (one a previous run left
/// behind after a crash) from the others of an address of record.
struct BindingCheck {
  /// True when a session of this stack holds this contact user (registered or not yet).
  std::function<bool(const std::string& contactUser)> live;
  /// The stack's SIP ports when they are fixed (bindUrl's port + 0 .. maxSessionsPerUser - 1);
  /// empty when the system chooses them (then only the session's own port counts).
  std::vector<std::string> ports;
};

/// The contacts of a REGISTER answer (`answer`, a 2xx) that are this node's and no live
/// session's: the same host as `own` (the session's binding in that answer), one of the
/// node's ports, and a user part `check.live` does not know. URIs as the registrar lists them.
std::vector<std::string> staleBindings(const sip_t* answer, const url_t* own,
                                       const BindingCheck& check);

/// Removes bindings a previous run of this node left at the registrar for an address of
/// record, which a proxy would otherwise keep forking requests to: one REGISTER (on a handle,
/// and so a Call-ID, of its own) with those contacts and Expires 0, answering one digest
/// challenge with the session's credentials (RFC 3261 10.3: a binding with another Call-ID
/// is removed by Expires 0). Reports nothing: a binding it cannot remove expires at the
/// registrar by itself. Lives on the SIP thread only; owned by the Registration that found
/// them.
class StaleBindings : public HandleContext {
 public:
  /// Copies the account (its password is wiped on destruction).
  StaleBindings(nua_t* nua, const SipConfig& config, const core::SipAccount& account);
  ~StaleBindings() override;
  StaleBindings(const StaleBindings&) = delete;
  StaleBindings& operator=(const StaleBindings&) = delete;

  /// Sends the REGISTER removing `contacts`; false when it cannot be sent.
  bool remove(const std::vector<std::string>& contacts);
  /// True while the REGISTER waits for its final answer.
  bool busy() const { return busy_; }

  void onNuaEvent(nua_event_t event, int status, const char* phrase, const sip_t* sip) override;

 private:
  nua_t* nua_;
  const SipConfig& config_;
  core::SipAccount account_;
  NuaHandlePtr handle_;
  bool busy_ = false;
  bool credentialsSent_ = false;
};

}  // namespace sipbridge::sip
