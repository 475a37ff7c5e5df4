#include "sipbridge/hooks/HookErrors.h"

#include <typeinfo>

namespace sipbridge::hooks {

POCO_IMPLEMENT_EXCEPTION(HookException, Poco::Exception, "Hook error")
POCO_IMPLEMENT_EXCEPTION(DestinationNotAllowed, HookException, "Hook destination not allowed")
POCO_IMPLEMENT_EXCEPTION(InvalidSecret, HookException, "Invalid hook secret")

}  // namespace sipbridge::hooks
