#pragma once

#include <Poco/Exception.h>

namespace sipbridge::hooks {

/// Base of the errors raised inside the hooks module.
POCO_DECLARE_EXCEPTION_CODE(, HookException, Poco::Exception, 0)

/// A hook URL that the UrlPolicy refuses (bad scheme, unresolvable, private address...).
/// The message says why and is safe to show to an administrator.
POCO_DECLARE_EXCEPTION_CODE(, DestinationNotAllowed, HookException, 0)

/// A signing secret that cannot be used (empty, or "whsec_" followed by invalid base64).
POCO_DECLARE_EXCEPTION_CODE(, InvalidSecret, HookException, 0)

}  // namespace sipbridge::hooks
