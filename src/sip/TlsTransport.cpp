#include "TlsTransport.h"

#include "SofiaLog.h"

#include "sipbridge/sip/SipStack.h"

#include <Poco/Logger.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <sofia-sip/nua_tag.h>
#include <sofia-sip/su_log.h>
#include <sofia-sip/tport_tag.h>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <vector>

/// tport's log object: exported by libsofia-sip-ua, declared only in its private headers.
extern "C" su_log_t tport_log[];

namespace sipbridge::sip {
namespace {

Poco::Logger& logger() {
  return Poco::Logger::get("sipbridge.sip.tls");
}

/// tport logs certificate problems at level 3 (SU_DEBUG_3).
constexpr unsigned kTportLogLevel = 3;

struct BioDeleter {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
struct X509Deleter {
  void operator()(X509* cert) const { X509_free(cert); }
};
struct KeyDeleter {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};

std::unique_ptr<BIO, BioDeleter> memoryBio(const std::string& text) {
  return std::unique_ptr<BIO, BioDeleter>(
      BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
}

/// Refuses any passphrase: keys must be unencrypted.
int noPassphrase(char*, int, int, void*) {
  return 0;
}

std::string readFile(const std::string& path, const std::string& key) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  if (in) text << in.rdbuf();
  if (!in || text.str().empty()) throw SipError(key + ": cannot read '" + path + "'");
  return text.str();
}

/// The number of PEM certificates OpenSSL reads from `pem`.
int countCertificates(const std::string& pem) {
  auto bio = memoryBio(pem);
  int count = 0;
  while (bio) {
    std::unique_ptr<X509, X509Deleter> cert(
        PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    if (!cert) break;
    ++count;
  }
  return count;
}

/// Writes `text` to a new file readable by the owner only.
void writePrivateFile(const std::string& path, const std::string& text) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) throw SipError("cannot create " + path);
  std::size_t written = 0;
  while (written < text.size()) {
    const ssize_t n = ::write(fd, text.data() + written, text.size() - written);
    if (n <= 0) {
      ::close(fd);
      throw SipError("cannot write " + path);
    }
    written += static_cast<std::size_t>(n);
  }
  if (::close(fd) != 0) throw SipError("cannot write " + path);
}

/// The bridge's own certificate and key, checked to belong together, as one PEM text.
std::string agentPem(const SipTlsConfig& config) {
  if (config.certificateFile.empty() != config.keyFile.empty())
    throw SipError("sip.tlsCertificateFile and sip.tlsKeyFile must be set together");
  if (config.certificateFile.empty()) return {};
  const std::string certPem = readFile(config.certificateFile, "sip.tlsCertificateFile");
  const std::string keyPem = readFile(config.keyFile, "sip.tlsKeyFile");
  auto certBio = memoryBio(certPem);
  std::unique_ptr<X509, X509Deleter> cert(
      certBio ? PEM_read_bio_X509(certBio.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!cert)
    throw SipError("sip.tlsCertificateFile: no PEM certificate in '" + config.certificateFile +
                   "'");
  auto keyBio = memoryBio(keyPem);
  std::unique_ptr<EVP_PKEY, KeyDeleter> key(
      keyBio ? PEM_read_bio_PrivateKey(keyBio.get(), nullptr, &noPassphrase, nullptr) : nullptr);
  if (!key)
    throw SipError("sip.tlsKeyFile: no unencrypted PEM private key in '" + config.keyFile + "'");
  if (X509_check_private_key(cert.get(), key.get()) != 1)
    throw SipError("sip.tlsKeyFile: the key does not belong to sip.tlsCertificateFile");
  return certPem + (certPem.back() == '\n' ? "" : "\n") + keyPem;
}

/// Every CA certificate the configuration trusts, as one PEM text.
std::string trustedCas(const SipTlsConfig& config) {
  std::string pem;
  if (config.systemCAs) pem += readFile(X509_get_default_cert_file(), "tls.systemCAs") + "\n";
  if (!config.caFile.empty()) {
    const std::string text = readFile(config.caFile, "tls.caFile");
    if (countCertificates(text) == 0)
      throw SipError("tls.caFile: no PEM certificate in '" + config.caFile + "'");
    pem += text + "\n";
  }
  if (!config.caDirectory.empty()) {
    std::error_code error;
    std::filesystem::directory_iterator entries(config.caDirectory, error);
    if (error) throw SipError("tls.caDirectory: cannot read '" + config.caDirectory + "'");
    int found = 0;
    for (const auto& entry : entries) {
      if (!entry.is_regular_file(error)) continue;
      std::ifstream in(entry.path(), std::ios::binary);
      std::ostringstream text;
      text << in.rdbuf();
      const int certificates = countCertificates(text.str());
      if (certificates == 0) continue;
      found += certificates;
      pem += text.str() + "\n";
    }
    if (found == 0)
      throw SipError("tls.caDirectory: no PEM certificate in '" + config.caDirectory + "'");
  }
  if (countCertificates(pem) == 0)
    throw SipError(
        "tls.systemCAs is false and neither tls.caFile nor tls.caDirectory is set: no SIP "
        "server certificate could be trusted");
  return pem;
}

std::string temporaryRoot() {
  const char* tmp = std::getenv("TMPDIR");
  return tmp && *tmp ? tmp : "/tmp";
}

}  // namespace

TlsTransport::TlsTransport(const SipTlsConfig& config) : bindUrl_(config.bindUrl) {
  if (bindUrl_.rfind("sips:", 0) != 0)
    throw SipError("sip.tlsBindUrl must be a sips: URL (sips:127.0.0.1:5080)");
  const std::string agent = agentPem(config);
  const std::string cas = trustedCas(config);

  std::string pattern = temporaryRoot() + "/sipbridge-sip-tls-XXXXXX";
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  if (!::mkdtemp(buffer.data())) throw SipError("cannot create a directory under " + pattern);
  directory_ = buffer.data();
  try {
    writePrivateFile(directory_ + "/cafile.pem", cas);
    if (!agent.empty()) writePrivateFile(directory_ + "/agent.pem", agent);
  } catch (...) {
    std::filesystem::remove_all(directory_);
    throw;
  }

  const unsigned depth = static_cast<unsigned>(config.verifyDepth > 0 ? config.verifyDepth : 1);
  tags_ = {tagi_t{TPTAG_CERTIFICATE(directory_.c_str())},
           tagi_t{TPTAG_TLS_VERSION(0)},
           tagi_t{TPTAG_TLS_VERIFY_POLICY(TPTLS_VERIFY_SUBJECTS_OUT)},
           tagi_t{TPTAG_TLS_VERIFY_DEPTH(depth)},
           tagi_t{TPTAG_TLS_VERIFY_DATE(1)},
           tagi_t{TAG_END()}};

  su_log_redirect(tport_log, &TlsTransport::logLine, this);
  su_log_set_level(tport_log, std::max(kTportLogLevel, sofiaLogThreshold()));
  logger().information("SIP over TLS on %s (own certificate: %s)", bindUrl_,
                       std::string(agent.empty() ? "none" : config.certificateFile));
}

TlsTransport::~TlsTransport() {
  if (tport_log->log_stream == this) su_log_redirect(tport_log, nullptr, nullptr);
  std::error_code ignored;
  std::filesystem::remove_all(directory_, ignored);
}

std::string TlsTransport::takeProblem() {
  std::string problem;
  problem.swap(problem_);
  return problem;
}

void TlsTransport::logLine(void* stream, const char* format, va_list args) {
  char text[1024];
  std::vsnprintf(text, sizeof text, format, args);
  std::string line(text);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
  static_cast<TlsTransport*>(stream)->onLogLine(std::move(line));
}

void TlsTransport::onLogLine(std::string line) {
  constexpr std::string_view subject = "  subject  = ";
  constexpr std::string_view error = "  err ";
  constexpr std::string_view mismatch = "Peer Subject Mismatch (";
  if (line.find("-Error with certificate") != std::string::npos) {
    pendingSubject_.clear();
  } else if (line.rfind(subject, 0) == 0) {
    pendingSubject_ = line.substr(subject.size());
  } else if (line.rfind(error, 0) == 0) {
    const auto colon = line.find(':');
    problem_ = "certificate verify failed: " +
               (colon == std::string::npos ? line.substr(error.size()) : line.substr(colon + 1)) +
               (pendingSubject_.empty() ? "" : " (subject " + pendingSubject_ + ")");
    logger().warning("SIP TLS connection refused: %s", problem_);
    return;
  } else if (const auto at = line.find(mismatch); at != std::string::npos) {
    const auto start = at + mismatch.size();
    const auto end = line.find(')', start);
    const std::string host = line.substr(start, end == std::string::npos ? end : end - start);
    if (host.find("incoming") == std::string::npos) {
      problem_ = "certificate is not valid for host " + host +
                 " (no matching subjectAltName or common name)";
      logger().warning("SIP TLS connection refused: %s", problem_);
      return;
    }
  } else if (line.find("TLS setup failed") != std::string::npos && problem_.empty()) {
    problem_ =
        "TLS handshake failed (no common protocol version or cipher, or refused by the "
        "server)";
    logger().warning("SIP TLS connection failed: %s", line);
    return;
  }
  // The other lines go where routeSofiaLog sends them; not when that logger asks for fewer
  // than the certificate problems need, as this redirect cannot tell the lines' levels.
  if (sofiaLogThreshold() >= kTportLogLevel) logSofiaLine(line);
}

}  // namespace sipbridge::sip
