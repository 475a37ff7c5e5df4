#include "TestEnv.h"

#include <Poco/File.h>
#include <Poco/Net/DatagramSocket.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Path.h>
#include <Poco/TemporaryFile.h>

#include <sys/wait.h>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <set>
#include <stdexcept>
#include <vector>

namespace sipbridge::test {

std::string repoRoot() {
  if (const char* root = std::getenv("SIPBRIDGE_ROOT")) return root;
  Poco::Path dir(Poco::Path::current());
  for (int i = 0; i < 6; ++i) {
    if (Poco::File(Poco::Path(dir, "Makefile")).exists() &&
        Poco::File(Poco::Path(dir, "schema")).exists())
      return dir.toString(Poco::Path::PATH_UNIX);
    dir.popDirectory();
  }
  throw std::runtime_error("cannot find the repository root; set SIPBRIDGE_ROOT");
}

namespace {

/// Every port handed out by freePort and freePortRange in this process. They are released to
/// the system at once, so the system may offer one again to the next caller; the test that
/// got it first may not have bound it yet. Never handing a port out twice keeps two servers of
/// one test (a bridge's SIP range and its HTTPS port, say) from colliding.
class HandedOut {
 public:
  /// True, and remembered, when none of [base, base + count) was handed out before.
  bool take(int base, int count) {
    std::lock_guard<std::mutex> lock(mutex_);
    for (int k = 0; k < count; ++k)
      if (ports_.count(base + k)) return false;
    for (int k = 0; k < count; ++k) ports_.insert(base + k);
    return true;
  }

 private:
  std::mutex mutex_;
  std::set<int> ports_;
};

HandedOut& handedOut() {
  static HandedOut ports;
  return ports;
}

int systemPort() {
  Poco::Net::ServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0));
  return socket.address().port();
}

}  // namespace

int freePort() {
  for (int attempt = 0; attempt < 1000; ++attempt)
    if (const int port = systemPort(); handedOut().take(port, 1)) return port;
  throw std::runtime_error("no free port found that was not handed out already");
}

int freePortRange(int count) {
  for (int attempt = 0; attempt < 200; ++attempt) {
    const int base = systemPort();
    if (base + count > 65535) continue;
    try {
      // Held together, so each is known free for TCP and UDP at once; released on return.
      std::vector<Poco::Net::ServerSocket> tcp;
      std::vector<Poco::Net::DatagramSocket> udp;
      for (int k = 0; k < count; ++k) {
        const Poco::Net::SocketAddress address("127.0.0.1", static_cast<Poco::UInt16>(base + k));
        tcp.emplace_back(address);
        udp.emplace_back(address);
      }
      if (handedOut().take(base, count)) return base;
    } catch (const Poco::Exception&) {
      // One of them is taken: try another base.
    }
  }
  throw std::runtime_error("no range of free ports found");
}

TempDir::TempDir() {
  char pattern[] = "/tmp/sipbridge-test-XXXXXX";
  if (!mkdtemp(pattern)) throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
}

TempDir::~TempDir() {
  try {
    Poco::File(path_).remove(true);
  } catch (...) {
  }
}

std::string runCommand(const std::string& commandLine) {
  std::string output;
  FILE* pipe = popen((commandLine + " 2>&1").c_str(), "r");
  if (!pipe) throw std::runtime_error("popen failed: " + commandLine);
  std::array<char, 4096> buffer{};
  size_t n;
  while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0) output.append(buffer.data(), n);
  int status = pclose(pipe);
  if (status != 0 || !WIFEXITED(status))
    throw std::runtime_error("command failed (" + std::to_string(status) + "): " + commandLine +
                             "\n" + output);
  return output;
}

PgInstance::PgInstance() : port_(freePort()) {
  start();
}

PgInstance::~PgInstance() {
  try {
    stop(true);
  } catch (...) {
  }
}

void PgInstance::start() {
  runCommand(repoRoot() + "/etc/dev/pg-start.sh " + dir_.path() + " " + std::to_string(port_));
  running_ = true;
}

void PgInstance::stop(bool immediate) {
  if (!running_) return;
  runCommand(repoRoot() + "/etc/dev/pg-stop.sh " + dir_.path() +
             (immediate ? " immediate" : " fast"));
  running_ = false;
}

std::string PgInstance::conninfo(const std::string& db) const {
  return "host=127.0.0.1 port=" + std::to_string(port_) + " user=postgres dbname=" + db +
         " connect_timeout=5";
}

std::string PgInstance::createDatabase(const std::string& name) {
  psql("CREATE DATABASE " + name, "postgres");
  return conninfo(name);
}

std::string PgInstance::psql(const std::string& sql, const std::string& db) const {
  // The SQL is test-controlled; single quotes are escaped for the shell.
  std::string quoted;
  for (char c : sql) quoted += (c == '\'') ? std::string("'\\''") : std::string(1, c);
  return runCommand("psql -X -A -t -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p " + std::to_string(port_) +
                    " -U postgres -d " + db + " -c '" + quoted + "'");
}

}  // namespace sipbridge::test
