#pragma once

#include "sipbridge/sip/SipTlsConfig.h"

#include <sofia-sip/su_tag.h>

#include <array>
#include <cstdarg>
#include <string>

namespace sipbridge::sip {

/// sofia-sip's TLS transport as the bridge configures it. At construction the file layout
/// tport_tls reads (TPTAG_CERTIFICATE: a directory holding agent.pem, the certificate and
/// key, and cafile.pem, the trusted CAs) is built in a private directory (mode 0700) from
/// the configured files, and removed again on destruction; the user never lays it out.
///
/// Policy given to sofia: negotiate the highest version both sides speak (TPTAG_TLS_VERSION
/// 0; OpenSSL 3 at its default security level refuses anything below TLS 1.2, and its default
/// cipher list applies), verify the server's chain, dates and that it names the host
/// connected to (subjectAltName DNS or URI, else the common name) on every outgoing
/// connection; incoming connections (requests to a TLS Contact) are not asked for a
/// certificate.
///
/// tport reports why a handshake failed only through its log (tport_log): while an instance
/// lives, that log is redirected here; certificate problems are logged to Poco's
/// `sipbridge.sip.tls` logger and the last one kept for takeProblem(), the other lines go on
/// to sofia's logger (see routeSofiaLog). Lives on the SIP thread.
class TlsTransport {
 public:
  /// Throws SipError naming the key (sip.tlsCertificateFile, sip.tlsKeyFile, tls.caFile,
  /// tls.caDirectory, tls.systemCAs) when a file cannot be read or used, or when no CA at all
  /// would be trusted.
  explicit TlsTransport(const SipTlsConfig& config);
  ~TlsTransport();
  TlsTransport(const TlsTransport&) = delete;
  TlsTransport& operator=(const TlsTransport&) = delete;

  /// Tags for nua_create: the tport_tls settings (the listener, NUTAG_SIPS_URL, is given per
  /// agent by Agents). Valid while this object lives; pass with TAG_NEXT.
  const tagi_t* tags() const { return tags_.data(); }
  /// The private directory given to TPTAG_CERTIFICATE.
  const std::string& directory() const { return directory_; }

  /// Why the last TLS connection failed ("certificate verify failed: ..."), or "" when none
  /// failed since the last call; clears it.
  std::string takeProblem();

 private:
  static void logLine(void* stream, const char* format, va_list args);
  void onLogLine(std::string line);
  void writeFiles(const SipTlsConfig& config) const;

  std::string bindUrl_;
  std::string directory_;
  std::string problem_;
  std::string pendingSubject_;  ///< subject of the certificate tport is complaining about
  std::array<tagi_t, 6> tags_{};
};

}  // namespace sipbridge::sip
