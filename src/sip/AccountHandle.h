#pragma once

#include "HandleContext.h"
#include "SofiaPtr.h"
#include "sipbridge/core/SipGateway.h"
#include "sipbridge/sip/SipConfig.h"

#include <sofia-sip/url.h>

#include <string>

namespace sipbridge::sip {

/// Creates a nua handle for a request sent on behalf of `account`: From its address of
/// record (with its display name), To `target` (the address of record when null), routed
/// through the account's outbound proxy (numeric host:port, never DNS) over the account's
/// transport, Contact user the account's contactUser. `context` becomes the handle's hmagic.
/// Returns null and sets `problem` when the account cannot be expressed or `target` is a sips:
/// URI and the account's transport is not TLS. `requestTransport`, when not empty, replaces
/// the account's transport for the requests sent on the handle, not for its Contact (a
/// MESSAGE too large for UDP goes over TCP). Every nua handle of an outgoing request is made
/// here. SIP thread only.
NuaHandlePtr makeAccountHandle(nua_t* nua, HandleContext* context, const SipConfig& config,
                               const core::SipAccount& account, const url_t* target,
                               std::string& problem, const std::string& requestTransport = "");

/// True for a SIP or SIPS URI with a host, or a tel URI (what a request may be sent to).
bool isRequestTarget(const url_t* url);

}  // namespace sipbridge::sip
