#include "sipbridge/tls/TlsErrors.h"

#include <typeinfo>

namespace sipbridge::tls {

POCO_IMPLEMENT_EXCEPTION(TlsException, Poco::Exception, "TLS error")
POCO_IMPLEMENT_EXCEPTION(InvalidCertificate, TlsException, "Invalid certificate")
POCO_IMPLEMENT_EXCEPTION(InvalidPrivateKey, TlsException, "Invalid private key")

}  // namespace sipbridge::tls
