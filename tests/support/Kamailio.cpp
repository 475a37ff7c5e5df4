#include "Kamailio.h"

namespace sipbridge::test {

KamailioInstance::KamailioInstance(const PgInstance& pg)
    : pg_(pg), sipPort_(freePort()), httpPort_(freePort()) {
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
             std::to_string(httpPort_));
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

}  // namespace sipbridge::test
