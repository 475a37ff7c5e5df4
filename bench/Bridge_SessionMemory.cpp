// Bridge_SessionMemory: resident memory of the real sipbridge binary per connected,
// SIP-registered session, at 1,000 and 2,000 sessions (growth as the load doubles), against
// real PostgreSQL and Kamailio on loopback. Every session registers one of 200 users created
// for the bench (Kamailio keeps at most 50 contacts per AOR) with its own contact and stays alive
// (idle timeout raised). VmRSS is read from /proc/<pid>/status; the pid is found with `ss -ltnp`.
// Baseline in the same run: the same number of bare sofia-sip nua handles registering the
// same way from this process (one nua, its own su_root), measured the same way.
// BENCH_QUICK=1 uses 50 and 100 sessions. Never fails on a number; exits 1 when broken.
#include "BridgeProcess.h"
#include "Kamailio.h"
#include "TestEnv.h"
#include "sipbridge/store/Pg.h"

#include <sofia-sip/nua.h>
#include <sofia-sip/nua_tag.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/su.h>
#include <sofia-sip/su_wait.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

using namespace sipbridge;
using Clock = std::chrono::steady_clock;

namespace {

constexpr double kTargetKiB = 10.0;
/// Kamailio keeps at most 50 contacts per AOR (registrar max_contacts): sessions are spread
/// over this many users, created in the bench's private Kamailio database.
constexpr int kUsers = 200;
constexpr const char* kPassword = "mem-secret";

std::string userName(int session) {
  return "mem" + std::to_string(session % kUsers);
}

/// VmRSS of process `pid` in KiB.
long rssKiB(const std::string& pid) {
  std::ifstream in("/proc/" + pid + "/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::atol(line.c_str() + 6);
  throw std::runtime_error("no VmRSS for pid " + pid);
}

/// The pid of the process listening on TCP 127.0.0.1:port.
std::string listenerPid(int port) {
  const std::string out = test::runCommand("ss -ltnpH 'sport = :" + std::to_string(port) + "'");
  const auto at = out.find("pid=");
  if (at == std::string::npos) throw std::runtime_error("no listener pid in: " + out);
  return std::to_string(std::atol(out.c_str() + at + 4));
}

/// Connects `count` registering sessions with `clients` threads; returns the failures.
int connectSessions(const test::BridgeProcess& bridge, int from, int count, int clients) {
  std::atomic<int> next{from}, failed{0};
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c)
    threads.emplace_back([&] {
      for (int i = next++; i < from + count; i = next++) {
        const std::string body = R"({"appKey":"mem","sipRegisterRequired":true,"sipLogin":")" +
                                 userName(i) + R"(","sipPassword":")" + kPassword +
                                 R"(","sipDomain":"example.test"})";
        try {
          if (bridge.post("/api/v1/connect", body).status != 200) ++failed;
        } catch (const std::exception&) {
          ++failed;
        }
      }
    });
  for (auto& t : threads) t.join();
  return failed;
}

struct Outcome {
  std::int64_t registered = 0;
  std::int64_t failed = 0;
};

/// Waits until `target` registrations have an outcome (REGISTERED or FAILED event committed).
Outcome waitRegistrations(store::PgConnection& db, std::int64_t target,
                          std::chrono::seconds timeout) {
  const auto deadline = Clock::now() + timeout;
  Outcome outcome;
  while (Clock::now() < deadline) {
    auto counts = db.exec(
        "SELECT count(*) FILTER (WHERE status = 'REGISTERED'), "
        "count(*) FILTER (WHERE status = 'FAILED') FROM events "
        "WHERE type = 'RegistrationStatusEvent'");
    outcome = {counts.int64(0, 0), counts.int64(0, 1)};
    if (outcome.registered + outcome.failed >= target) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return outcome;
}

/// Bare sofia-sip: one nua, N handles each registering like a session, with its own contact.
class NuaBaseline {
 public:
  explicit NuaBaseline(const std::string& proxyHostPort) : proxy_("sip:" + proxyHostPort) {
    if (su_init() != 0) throw std::runtime_error("su_init failed");
    root_.reset(su_root_create(nullptr));
    if (!root_) throw std::runtime_error("su_root_create failed");
    const std::string bind = "sip:127.0.0.1:" + std::to_string(test::freePort());
    nua_ = nua_create(root_.get(), &NuaBaseline::callback, this, NUTAG_URL(bind.c_str()),
                      NUTAG_OUTBOUND("no-outbound no-natify no-options-keepalive no-validate"),
                      NTATAG_USE_NAPTR(0), NTATAG_USE_SRV(0), TAG_END());
    if (!nua_) throw std::runtime_error("nua_create failed");
  }
  /// Drops the handles first (no un-REGISTER for each: Kamailio is stopped right after),
  /// then shuts nua down; nua_destroy is only allowed once the shutdown completed.
  ~NuaBaseline() {
    handles_.clear();
    bool down = false;
    shutdown_ = &down;
    nua_shutdown(nua_);
    const auto deadline = Clock::now() + std::chrono::seconds(30);
    while (!down && Clock::now() < deadline) su_root_step(root_.get(), 50);
    if (!down) {
      std::fprintf(stderr, "bare nua: shutdown did not complete; stack left running\n");
      return;
    }
    nua_destroy(nua_);
    root_.reset();
    su_deinit();
  }
  NuaBaseline(const NuaBaseline&) = delete;
  NuaBaseline& operator=(const NuaBaseline&) = delete;

  /// Adds handles until `total` exist and waits until all are registered (or the timeout).
  int registerUpTo(int total, std::chrono::seconds timeout) {
    const auto deadline = Clock::now() + timeout;
    while (Clock::now() < deadline && (registered_ + failed_) < total) {
      for (int i = 0; i < 50 && static_cast<int>(handles_.size()) < total; ++i) add();
      su_root_step(root_.get(), 10);
    }
    return registered_;
  }
  int failed() const { return failed_; }

 private:
  struct HandleDeleter {
    void operator()(nua_handle_t* handle) const { nua_handle_destroy(handle); }
  };
  struct RootDeleter {
    void operator()(su_root_t* root) const { su_root_destroy(root); }
  };
  struct Handle {
    std::unique_ptr<nua_handle_t, HandleDeleter> nh;
    std::string user;
    bool challenged = false;
    bool done = false;
  };

  void add() {
    auto handle = std::make_unique<Handle>();
    const int index = static_cast<int>(handles_.size());
    const std::string aor = "sip:" + userName(index) + "@example.test";
    const std::string contactUser = "bare" + std::to_string(index);
    handle->nh.reset(nua_handle(nua_, handle.get(), SIPTAG_FROM_STR(aor.c_str()),
                                SIPTAG_TO_STR(aor.c_str()), TAG_END()));
    if (!handle->nh) throw std::runtime_error("nua_handle failed");
    nua_set_hparams(handle->nh.get(), NUTAG_PROXY(proxy_.c_str()),
                    NUTAG_REGISTRAR("sip:example.test"), NUTAG_M_USERNAME(contactUser.c_str()),
                    TAG_END());
    handle->user = userName(index);
    nua_register(handle->nh.get(), SIPTAG_EXPIRES_STR("600"), TAG_END());
    handles_.push_back(std::move(handle));
  }

  static void callback(nua_event_t event, int status, char const*, nua_t*, nua_magic_t* magic,
                       nua_handle_t*, nua_hmagic_t* hmagic, sip_t const* sip, tagi_t[]) {
    auto* self = static_cast<NuaBaseline*>(magic);
    if (event == nua_r_shutdown && status >= 200 && self->shutdown_) *self->shutdown_ = true;
    if (event != nua_r_register || status < 200 || !hmagic) return;
    auto* handle = reinterpret_cast<Handle*>(hmagic);
    if (handle->done) return;
    if ((status == 401 || status == 407) && !handle->challenged && sip) {
      const msg_auth_t* challenge =
          sip->sip_www_authenticate ? sip->sip_www_authenticate : sip->sip_proxy_authenticate;
      const char* realm = challenge ? msg_params_find(challenge->au_params, "realm=") : nullptr;
      if (challenge && challenge->au_scheme && realm) {
        handle->challenged = true;
        const std::string credentials =
            std::string(challenge->au_scheme) + ":" + realm + ":" + handle->user + ":" + kPassword;
        nua_authenticate(handle->nh.get(), NUTAG_AUTH(credentials.c_str()), TAG_END());
        return;
      }
    }
    handle->done = true;
    if (status < 300)
      ++self->registered_;
    else
      ++self->failed_;
  }

  std::string proxy_;
  std::unique_ptr<su_root_t, RootDeleter> root_;
  nua_t* nua_ = nullptr;  ///< destroyed after nua_r_shutdown
  std::vector<std::unique_ptr<Handle>> handles_;
  int registered_ = 0;
  int failed_ = 0;
  bool* shutdown_ = nullptr;
};

struct Level {
  int sessions = 0;
  long rss = 0;
};

void printLevels(const char* what, long base, const Level& one, const Level& two) {
  const double perOne = static_cast<double>(one.rss - base) / one.sessions;
  const double perTwo = static_cast<double>(two.rss - base) / two.sessions;
  const double marginal =
      static_cast<double>(two.rss - one.rss) / static_cast<double>(two.sessions - one.sessions);
  std::printf(
      "  %-30s %8ld KiB idle  | %5d: %8ld KiB = %6.2f KiB/session | %5d: %8ld KiB = "
      "%6.2f KiB/session | marginal %6.2f KiB/session\n",
      what, base, one.sessions, one.rss, perOne, two.sessions, two.rss, perTwo, marginal);
}

}  // namespace

int main() {
  try {
    const bool quick = std::getenv("BENCH_QUICK") != nullptr;
    const int first = quick ? 50 : 1000;
    const int second = quick ? 100 : 2000;
    const auto timeout = std::chrono::seconds(quick ? 60 : 240);
    test::PgInstance pg;
    test::KamailioInstance kamailio(pg);
    pg.psql(
        "INSERT INTO subscriber (username, domain, password) SELECT 'mem' || i, "
        "'example.test', '" +
            std::string(kPassword) + "' FROM generate_series(0, " + std::to_string(kUsers - 1) +
            ") AS i",
        "kamailio");
    test::BridgeProcess bridge(pg.conninfo(), kamailio.proxy(),
                               {{"SIPBRIDGE_SESSION_IDLETIMEOUTSECONDS", "86400"},
                                {"SIPBRIDGE_SIP_TRANSACTIONTIMEOUTMS", "32000"},
                                {"SIPBRIDGE_LOGGING_LEVEL", "warning"}});
    bridge.start();
    auto created = bridge.admin("POST", "/admin/v1/apps",
                                R"({"appKey":"mem","hookUrl":"","connectHook":false})");
    if (created.status != 201 && created.status != 200)
      throw std::runtime_error("app not created: " + created.body);
    const std::string pid = listenerPid(bridge.httpPort());
    store::PgConnection db(pg.conninfo());

    std::this_thread::sleep_for(std::chrono::seconds(1));
    const long idle = rssKiB(pid);
    std::vector<Level> levels;
    int failedConnects = 0;
    Outcome outcome;
    double registerSeconds = 0;
    for (int target : {first, second}) {
      const auto start = Clock::now();
      const int from = levels.empty() ? 0 : first;
      failedConnects += connectSessions(bridge, from, target - from, 8);
      outcome = waitRegistrations(db, target, timeout);
      registerSeconds += std::chrono::duration<double>(Clock::now() - start).count();
      if (outcome.registered < target * 9 / 10) {
        auto statuses = db.exec(
            "SELECT type || ':' || status || ' ' || coalesce(payload->>'info', ''), count(*) "
            "FROM events GROUP BY 1 ORDER BY 1");
        std::string summary;
        for (int r = 0; r < statuses.rows(); ++r)
          summary += "\n  " + statuses.text(r, 0) + " x" + statuses.text(r, 1);
        const std::string log = bridge.log();
        throw std::runtime_error(
            "only " + std::to_string(outcome.registered) + " of " + std::to_string(target) +
            " sessions registered; events:" + summary + "\nbridge log tail:\n" +
            log.substr(log.size() > 1500 ? log.size() - 1500 : 0) + "\nkamailio log tail:\n" +
            test::runCommand("tail -c 3000 " + kamailio.dir() + "/kamailio.log"));
      }
      std::this_thread::sleep_for(std::chrono::seconds(2));
      levels.push_back({static_cast<int>(outcome.registered), rssKiB(pid)});
    }
    const std::string sipThreads = test::runCommand("ls /proc/" + pid + "/task | wc -l");
    bridge.stop();

    const long selfIdle = rssKiB("self");
    std::vector<Level> bare;
    int bareFailed = 0;
    {
      NuaBaseline nua(kamailio.proxy());
      const long nuaIdle = rssKiB("self");
      for (int target : {first, second}) {
        const int registered = nua.registerUpTo(target, timeout);
        if (registered < target * 9 / 10)
          throw std::runtime_error("bare nua: only " + std::to_string(registered) + " of " +
                                   std::to_string(target) + " registered");
        bare.push_back({registered, rssKiB("self")});
      }
      bareFailed = nua.failed();
      std::printf(
          "Bridge_SessionMemory (registered sessions of %d users via Kamailio; "
          "VmRSS; target %.0f KiB/session)\n",
          kUsers, kTargetKiB);
      printLevels("sipbridge (whole process)", idle, levels[0], levels[1]);
      printLevels("baseline: bare nua handles", nuaIdle, bare[0], bare[1]);
      std::printf("  (bench process before nua: %ld KiB)\n", selfIdle);
    }
    const double perSession = static_cast<double>(levels[1].rss - idle) / levels[1].sessions;
    const double perBare =
        static_cast<double>(bare[1].rss - bare[0].rss) / (bare[1].sessions - bare[0].sessions);
    const double perMarginal = static_cast<double>(levels[1].rss - levels[0].rss) /
                               (levels[1].sessions - levels[0].sessions);
    std::printf(
        "  sipbridge %.2f KiB/session at %d sessions (%.2fx the target); marginal ratio to bare "
        "nua %.2f\n",
        perSession, levels[1].sessions, perSession / kTargetKiB,
        perBare > 0 ? perMarginal / perBare : 0.0);
    std::printf(
        "  %d connects refused, %lld bridge and %d bare registrations failed; %.1f s to connect "
        "and register "
        "all; %s threads in the bridge\n",
        failedConnects, static_cast<long long>(outcome.failed), bareFailed, registerSeconds,
        sipThreads.substr(0, sipThreads.find('\n')).c_str());
    return 0;
  } catch (const std::exception& error) {
    std::fprintf(stderr, "Bridge_SessionMemory failed: %s\n", error.what());
    return 1;
  }
}
