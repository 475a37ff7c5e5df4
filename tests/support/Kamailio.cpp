#include "Kamailio.h"

#include <cstdlib>

namespace sipbridge::test {

KamailioInstance::KamailioInstance(const PgInstance& pg, std::optional<KamailioTls> tls)
    : pg_(pg),
      sipPort_(freePort()),
      httpPort_(freePort()),
      tls_(std::move(tls)),
      tlsPort_(tls_ ? freePort() : 0) {
  start();
}

KamailioInstance::~KamailioInstance() {
  try {
    stop();
  } catch (...) {
  }
}

void KamailioInstance::start() {
  if (running_) return;
  runCommand(repoRoot() + "/etc/dev/kamailio-start.sh " + dir_.path() + " " +
             std::to_string(sipPort_) + " " + std::to_string(pg_.port()) + " " +
             std::to_string(httpPort_) +
             (tls_ ? " " + std::to_string(tlsPort_) + " " + tls_->certFile + " " + tls_->keyFile
                   : std::string()));
  running_ = true;
}

void KamailioInstance::stop() {
  if (!running_) return;
  runCommand(repoRoot() + "/etc/dev/kamailio-stop.sh " + dir_.path());
  running_ = false;
}

std::string KamailioInstance::kamcmd(const std::string& command) const {
  return runCommand("kamcmd -s unix:" + dir_.path() + "/kamailio_ctl " + command);
}

std::unique_ptr<KamailioInstance> challengingKamailio(const PgInstance& pg) {
  ::setenv("KAMAILIO_DEFINES", "WITH_PROXY_AUTH", 1);
  try {
    auto started = std::make_unique<KamailioInstance>(pg);
    ::unsetenv("KAMAILIO_DEFINES");
    return started;
  } catch (...) {
    ::unsetenv("KAMAILIO_DEFINES");
    throw;
  }
}

}  // namespace sipbridge::test
