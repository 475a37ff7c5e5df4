#pragma once

#include <string>

namespace sipbridge::sip {

/// SIP over TLS (sofia-sip's tport_tls), read once at startup (keys `sip.tls*` for the
/// listener and the bridge's own certificate, `tls.*` for the trust shared with outgoing
/// https). Disabled while `bindUrl` is empty.
struct SipTlsConfig {
  /// Local TLS address nua binds (NUTAG_SIPS_URL), "sips:host:port"; empty: no SIP over TLS.
  /// Contacts of TLS sessions name this port with ;transport=tls.
  std::string bindUrl;
  /// The bridge's own certificate (PEM, leaf first) and its unencrypted key, presented when a
  /// server asks for a client certificate and when a server connects to the TLS listener
  /// (requests to a TLS session's Contact); both empty: none.
  std::string certificateFile;
  std::string keyFile;
  /// Trust for the SIP server's certificate: the system CA store, a PEM file, a hashed
  /// directory (as tls.systemCAs, tls.caFile, tls.caDirectory).
  bool systemCAs = true;
  std::string caFile;
  std::string caDirectory;
  /// Longest certificate chain accepted above the server's certificate.
  int verifyDepth = 9;

  bool enabled() const { return !bindUrl.empty(); }
};

}  // namespace sipbridge::sip
