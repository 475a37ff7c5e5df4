#pragma once

#include <Poco/Exception.h>

namespace sipbridge::tls {

/// Base of the errors raised inside the tls module.
POCO_DECLARE_EXCEPTION_CODE(, TlsException, Poco::Exception, 0)

/// A PEM certificate that cannot be used; the message says why and is safe to show.
POCO_DECLARE_EXCEPTION_CODE(, InvalidCertificate, TlsException, 0)

/// A PEM private key that cannot be used (unreadable, encrypted, not the certificate's); the
/// message says why and never holds the key.
POCO_DECLARE_EXCEPTION_CODE(, InvalidPrivateKey, TlsException, 0)

}  // namespace sipbridge::tls
