#pragma once

#include <memory>
#include <string>

namespace sipbridge::test {

/// The repository's root (where the Makefile is), found from the working directory or
/// SIPBRIDGE_ROOT.
std::string repoRoot();

/// A TCP port on 127.0.0.1 that was free a moment ago (bound to port 0, then released) and
/// that this process has not handed out before (nor in a range).
int freePort();

/// The first of `count` consecutive ports on 127.0.0.1 that were free for TCP and UDP a
/// moment ago: a SIP stack's bind URL (one port per session of a user, see
/// SipConfig::maxSessionsPerUser); none of them handed out before by this process.
int freePortRange(int count);

/// Ports a SIP stack of the tests binds (SipConfig::maxSessionsPerUser).
inline constexpr int kSipPorts = 4;

/// A fresh temporary directory, removed (recursively) when the object dies.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

/// Runs a shell command line; throws std::runtime_error with its output when it fails.
/// Returns what it printed on standard output.
std::string runCommand(const std::string& commandLine);

/// A private PostgreSQL 15 started by etc/dev/pg-start.sh on a free loopback port, with
/// the databases `sipbridge` and `kamailio`; stopped and removed on destruction.
class PgInstance {
 public:
  PgInstance();
  ~PgInstance();
  PgInstance(const PgInstance&) = delete;
  PgInstance& operator=(const PgInstance&) = delete;

  int port() const { return port_; }
  /// libpq connection string for database `db`.
  std::string conninfo(const std::string& db = "sipbridge") const;
  /// Creates an empty database and returns its conninfo (isolates one test suite).
  std::string createDatabase(const std::string& name);
  /// Runs SQL through psql on database `db`, returns its unaligned, tuples-only output.
  std::string psql(const std::string& sql, const std::string& db = "sipbridge") const;
  void stop(bool immediate = false);
  void start();

 private:
  TempDir dir_;
  int port_;
  bool running_ = false;
};

}  // namespace sipbridge::test
