#pragma once

#include "IncomingMessages.h"
#include "Registration.h"

#include <sofia-sip/sip.h>

#include <map>
#include <memory>
#include <string>

namespace sipbridge::sip {

/// The session an incoming request is for, by the user part of its Request-URI:
/// `contactUsers` maps contact users to session ids, `registrations` session ids to their
/// registrations (Registered only while the registration is; Gone for a user part no session
/// holds, or one whose session is not registered). SIP thread only.
IncomingMessages::Target requestTarget(
    const sip_t* sip, const std::map<std::string, std::string>& contactUsers,
    const std::map<std::string, std::unique_ptr<Registration>>& registrations);

}  // namespace sipbridge::sip
