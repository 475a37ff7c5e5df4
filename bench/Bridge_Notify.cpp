// Bridge_Notify: NOTIFY bursts of subscriptions end to end through the real sipbridge binary,
// Kamailio and sipp on loopback (UDP), against real PostgreSQL, with a real hook receiver.
// Design:
//   S registered sessions (users sub0..) each POST /api/v1/subscribe {event: dialog, accept:
//   application/dialog-info+xml, to: <notifier user>}. Kamailio serves only presence/reg/winfo
//   itself and routes other packages to the target's registered contact: a sipp notifier
//   (tests/sipp/bench_notifier.xml) bound to the user with `kamcmd ul.add`. For each SUBSCRIBE
//   it answers 200, waits 20 ms, then sends N NOTIFYs in that dialog (via the Record-Route set,
//   i.e. back through Kamailio), each as soon as the 200 of the previous one is back: one NOTIFY
//   in flight per subscription, S subscriptions in parallel, S * N NOTIFYs in all.
//   Measured: NOTIFYs answered per second and p50/p99 of sipp's response time (its per-NOTIFY
//   rtt log, whole milliseconds as sipp's clock ticks; rate: first send to last 200),
//   SubscriptionStatusEvents committed per second (a poller counts NOTIFY rows in `events`
//   every 3 ms; rate from the first row seen to S * (N - 1) rows, as the last NOTIFY of each
//   subscription is held for the coalescing interval), and hook deliveries received (NOTIFY
//   hooks expected: the rows without "coalesced"). Run twice, each with a fresh
//   bridge process on the same database: with the default presence.coalesceMs (hooks get only
//   the latest NOTIFY of each burst, far fewer than NOTIFYs) and with
//   SIPBRIDGE_PRESENCE_COALESCEMS=0 (hooks = NOTIFYs).
//   Baseline in the same run: the same notifier against a sipp subscriber
//   (tests/sipp/bench_notifier_subscriber.xml: S SUBSCRIBEs through Kamailio, answering 200 to
//   each NOTIFY), same S and N, before and after the bridge runs; ratios use the faster one.
// BENCH_QUICK=1 makes it short. Never fails on a number; exits 1 only when something breaks.
#include "BridgeProcess.h"
#include "HookReceiver.h"
#include "Kamailio.h"
#include "Sipp.h"
#include "TestEnv.h"
#include "sipbridge/store/Pg.h"

#include <signal.h>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

using namespace sipbridge;
using Clock = std::chrono::steady_clock;

namespace {

struct Params {
  int subscriptions = 8;  ///< sessions, one subscription each
  int notifies = 375;     ///< NOTIFYs per subscription (Kamailio -m 64 holds ~4,000 transactions)
  std::chrono::seconds timeout{120};
};

constexpr const char* kPassword = "sub-secret";
constexpr const char* kApp = "bench";

double secondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

/// The `p` quantile of `values` (sorted in place); 0 when empty.
double percentile(std::vector<double>& values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  return values[static_cast<std::size_t>(p * static_cast<double>(values.size() - 1))];
}

std::string scenario(const std::string& name) {
  return test::repoRoot() + "/tests/sipp/" + name;
}

/// Running and not a zombie.
bool alive(int pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string id, name, state;
  return stat >> id >> name >> state && state != "Z";
}

/// What the notifier's NOTIFYs produced.
struct NotifyRun {
  std::vector<double> rttMs;  ///< one per NOTIFY answered 200
  double seconds = 0;         ///< first NOTIFY sent to last 200
  bool finished = false;      ///< sipp ended by itself (every subscription done)
  int subscriberExit = 0;     ///< baseline: exit status of the sipp subscriber (0: all done)
  double rate() const { return seconds > 0 ? static_cast<double>(rttMs.size()) / seconds : 0; }
};

/// A sipp notifier (tests/sipp/bench_notifier.xml) on 127.0.0.1:port serving `subscriptions`
/// SUBSCRIBEs with `notifies` NOTIFYs each, in the background; bound to user@example.test in
/// Kamailio's location table. Destruction ends it (SIGTERM, then SIGKILL).
class SippNotifier {
 public:
  SippNotifier(const test::KamailioInstance& kamailio, const std::string& user, int subscriptions,
               int notifies) {
    const int port = test::freePort();
    const std::string out =
        test::runCommand("cd " + dir_.path() + " && { sipp -sf " + scenario("bench_notifier.xml") +
                         " -set max " + std::to_string(notifies) + " -i 127.0.0.1 -p " +
                         std::to_string(port) + " -m " + std::to_string(subscriptions) +
                         " -trace_rtt -rtt_freq 1 -trace_err -nostdin </dev/null >/dev/null "
                         "2>sipp.err & echo $!; }");
    pid_ = std::atoi(out.c_str());
    if (pid_ <= 0) throw std::runtime_error("sipp notifier did not start: " + out);
    kamailio.kamcmd("ul.add location " + user + "@example.test sip:" + user +
                    "@127.0.0.1:" + std::to_string(port) + " 3600 1.0 . 0 0 4095");
  }
  ~SippNotifier() {
    if (alive(pid_)) ::kill(pid_, SIGTERM);
    for (int i = 0; i < 50 && alive(pid_); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (alive(pid_)) ::kill(pid_, SIGKILL);
  }
  SippNotifier(const SippNotifier&) = delete;
  SippNotifier& operator=(const SippNotifier&) = delete;

  /// Waits until sipp ended (at most `timeout`, then stops it) and reads its rtt log.
  NotifyRun finish(std::chrono::seconds timeout) {
    NotifyRun run;
    const auto deadline = Clock::now() + timeout;
    while (alive(pid_) && Clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    run.finished = !alive(pid_);
    if (!run.finished) {
      ::kill(pid_, SIGTERM);
      for (int i = 0; i < 50 && alive(pid_); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    const auto rtt = test::readSippRtt(dir_.path());
    run.rttMs = rtt.rttMs;
    run.seconds = rtt.seconds();
    return run;
  }

 private:
  test::TempDir dir_;
  int pid_ = 0;
};

std::int64_t count(store::PgConnection& db, const std::string& sql,
                   const store::PgParams& params = {}) {
  return db.exec(sql, params).int64(0, 0);
}

/// Free shared memory of Kamailio in bytes.
long kamailioFree(const test::KamailioInstance& kamailio) {
  const std::string out = kamailio.kamcmd("core.shmmem");
  const auto at = out.find("free:");
  if (at == std::string::npos) throw std::runtime_error("no free memory in: " + out);
  return std::atol(out.c_str() + at + 5);
}

/// Waits (at most 20 s) until Kamailio freed the transactions of the previous phase.
void waitKamailioIdle(const test::KamailioInstance& kamailio, long idleFree) {
  const auto deadline = Clock::now() + std::chrono::seconds(20);
  while (kamailioFree(kamailio) < idleFree - idleFree / 50 && Clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
}

/// The SIP-only path: sipp subscriber -> Kamailio -> sipp notifier, same counts.
NotifyRun baseline(const test::KamailioInstance& kamailio, const std::string& user,
                   const Params& p) {
  SippNotifier notifier(kamailio, user, p.subscriptions, p.notifies);
  test::TempDir dir;
  const std::string out = test::runCommand(
      "cd " + dir.path() + " && sipp " + kamailio.proxy() + " -sf " +
      scenario("bench_notifier_subscriber.xml") + " -set max " + std::to_string(p.notifies) +
      " -s " + user + " -i 127.0.0.1 -p " + std::to_string(test::freePort()) + " -m " +
      std::to_string(p.subscriptions) + " -l " + std::to_string(p.subscriptions) +
      " -r 1000 -timeout " + std::to_string(p.timeout.count()) +
      "s -nostdin </dev/null >/dev/null 2>sipp.err; echo $?");
  NotifyRun run = notifier.finish(p.timeout);
  run.subscriberExit = std::atoi(out.c_str());
  return run;
}

/// What one bridge run produced.
struct BridgeRun {
  NotifyRun sip;
  std::int64_t committed = 0;  ///< NOTIFY rows (SubscriptionStatusEvent with requestBody)
  double commitSeconds = 0;    ///< first subscribe to the last of those rows seen
  double mostSeconds = 0;      ///< first subscribe to S * (N - 1) rows seen (excludes held ones)
  double firstSeconds = 0;     ///< first subscribe to the first poll that saw a row
  std::int64_t firstRows = 0;  ///< rows seen by that poll
  std::int64_t forHooks = 0;   ///< NOTIFY rows not coalesced
  std::size_t hooks = 0;       ///< NOTIFY hooks received
  double hookSeconds = 0;      ///< first subscribe to the last expected hook
};

/// Connects a registering session for `login`; returns its token.
std::string connect(const test::BridgeProcess& bridge, const std::string& login) {
  auto r = bridge.post("/api/v1/connect", R"({"appKey":")" + std::string(kApp) +
                                              R"(","sipRegisterRequired":true,"sipLogin":")" +
                                              login + R"(","sipPassword":")" + kPassword +
                                              R"(","sipDomain":"example.test"})");
  if (r.status != 200) throw std::runtime_error("connect " + login + ": " + r.body);
  return r.json()->getValue<std::string>("authToken");
}

/// NOTIFY hooks (SubscriptionStatusEvents carrying a requestBody) received so far.
std::size_t notifyHooks(const test::HookReceiver& receiver) {
  const auto requests = receiver.requests("/SubscriptionStatusEvent");
  return static_cast<std::size_t>(std::count_if(requests.begin(), requests.end(), [](auto& r) {
    return r.body.find("\"requestBody\"") != std::string::npos;
  }));
}

/// A fresh bridge (with `env`) on the shared database: S sessions subscribe to `user`, the
/// notifier sends its NOTIFYs; counts the committed rows and the hooks.
BridgeRun bridgeRun(const test::PgInstance& pg, const test::KamailioInstance& kamailio,
                    test::HookReceiver& receiver, const std::string& user, const Params& p,
                    std::map<std::string, std::string> env) {
  env.insert(
      {{"SIPBRIDGE_SESSION_IDLETIMEOUTSECONDS", "3600"}, {"SIPBRIDGE_LOGGING_LEVEL", "warning"}});
  test::BridgeProcess bridge(pg.conninfo(), kamailio.proxy(), env);
  bridge.start();
  auto created =
      bridge.admin("POST", "/admin/v1/apps",
                   R"({"appKey":")" + std::string(kApp) + R"(","development":true,"hookUrl":")" +
                       receiver.url() + R"(","connectHook":false})");
  if (created.status != 201 && created.status != 200 && created.status != 409)
    throw std::runtime_error("app not created: " + created.body);
  store::PgConnection db(pg.conninfo());
  const std::string registered =
      "SELECT count(*) FROM events WHERE type = 'RegistrationStatusEvent' AND status = "
      "'REGISTERED'";
  const std::int64_t registeredBefore = count(db, registered);
  std::vector<std::string> tokens;
  for (int s = 0; s < p.subscriptions; ++s)
    tokens.push_back(connect(bridge, "sub" + std::to_string(s)));
  const auto regDeadline = Clock::now() + std::chrono::seconds(30);
  while (count(db, registered) < registeredBefore + p.subscriptions) {
    if (Clock::now() > regDeadline) throw std::runtime_error("sessions did not register");
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  const std::string after =
      std::to_string(count(db, "SELECT coalesce(max(row_id), 0) FROM events"));
  const std::size_t hooksBefore = notifyHooks(receiver);

  BridgeRun run;
  SippNotifier notifier(kamailio, user, p.subscriptions, p.notifies);
  const auto start = Clock::now();
  for (const auto& token : tokens) {
    auto r = bridge.post(
        "/api/v1/subscribe",
        R"({"event":"dialog","accept":"application/dialog-info+xml","to":")" + user + R"("})",
        token);
    if (r.status != 202) throw std::runtime_error("subscribe: " + r.body);
  }
  const std::int64_t total = std::int64_t{p.subscriptions} * p.notifies;
  const std::int64_t most = std::int64_t{p.subscriptions} * (p.notifies - 1);
  const std::string rows =
      "SELECT count(*) FROM events WHERE type = 'SubscriptionStatusEvent' AND payload ? "
      "'requestBody' AND row_id > $1";
  const auto deadline = start + p.timeout;
  auto progressAt = Clock::now();
  while (run.committed < total && Clock::now() < deadline) {
    const std::int64_t seen = count(db, rows, {after});
    if (seen > run.committed) progressAt = Clock::now();
    run.committed = seen;
    if (Clock::now() - progressAt > std::chrono::seconds(3)) {
      bool healthy = false;
      try {
        healthy = bridge.get("/health").status == 200;
      } catch (const std::exception&) {
      }
      if (!healthy)
        throw std::runtime_error("the bridge stopped answering after " +
                                 std::to_string(run.committed) +
                                 " NOTIFY rows; log: " + bridge.log());
      progressAt = Clock::now();
    }
    if (run.committed > 0 && run.firstRows == 0) {
      run.firstRows = run.committed;
      run.firstSeconds = secondsSince(start);
    }
    if (run.committed >= most && run.mostSeconds == 0) run.mostSeconds = secondsSince(start);
    if (run.committed < total) std::this_thread::sleep_for(std::chrono::milliseconds(3));
  }
  run.commitSeconds = secondsSince(start);
  run.sip = notifier.finish(p.timeout);
  run.forHooks = count(db, rows + " AND NOT payload ? 'coalesced'", {after});
  while (notifyHooks(receiver) < hooksBefore + static_cast<std::size_t>(run.forHooks) &&
         Clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  run.hookSeconds = secondsSince(start);
  run.hooks = notifyHooks(receiver) - hooksBefore;
  bridge.stop();
  return run;
}

/// One line of the table; a negative number is left blank.
void row(const char* what, double rate, double p50, double p99, double ratio) {
  std::printf("  %-52s", what);
  const double values[] = {rate, p50, p99, ratio};
  const char* formats[] = {"%11.0f", "%10.2f", "%10.2f", "%9.3f"};
  const int widths[] = {11, 10, 10, 9};
  for (int i = 0; i < 4; ++i)
    if (values[i] >= 0)
      std::printf(formats[i], values[i]);
    else
      std::printf("%*s", widths[i], "");
  std::printf("\n");
}

void report(const char* label, BridgeRun& run, double base, const Params& p) {
  const double notifies = static_cast<double>(std::int64_t{p.subscriptions} * p.notifies);
  std::string what = std::string(label) + ": NOTIFYs answered by the bridge";
  row(what.c_str(), run.sip.rate(), percentile(run.sip.rttMs, 0.5), percentile(run.sip.rttMs, 0.99),
      base > 0 ? run.sip.rate() / base : -1);
  const double commitRate =
      run.mostSeconds > 0 ? (notifies - p.subscriptions) / run.mostSeconds : 0;
  what = std::string(label) + ": SubscriptionStatusEvents committed";
  row(what.c_str(), commitRate, -1, -1, base > 0 ? commitRate / base : -1);
  std::printf(
      "    %zu NOTIFYs answered 200 in %.2f s%s; %lld rows committed (%d x %d sent), first after "
      "%.2f s, all but the last of each subscription after %.2f s, all after %.2f s; %lld rows for "
      "hooks, %zu "
      "hooks received after %.2f s (%.1f NOTIFYs per hook); answered but not committed: %lld\n",
      run.sip.rttMs.size(), run.sip.seconds, run.sip.finished ? "" : " (sipp did NOT finish)",
      static_cast<long long>(run.committed), p.subscriptions, p.notifies, run.firstSeconds,
      run.mostSeconds, run.commitSeconds, static_cast<long long>(run.forHooks), run.hooks,
      run.hookSeconds,
      run.hooks > 0 ? static_cast<double>(run.committed) / static_cast<double>(run.hooks) : 0.0,
      static_cast<long long>(static_cast<std::int64_t>(run.sip.rttMs.size()) - run.committed));
}

}  // namespace

int main() {
  try {
    Params p;
    if (std::getenv("BENCH_QUICK")) p = Params{4, 50, std::chrono::seconds(60)};
    test::PgInstance pg;
    test::KamailioInstance kamailio(pg);
    pg.psql(
        "INSERT INTO subscriber (username, domain, password) SELECT 'sub' || i, "
        "'example.test', '" +
            std::string(kPassword) + "' FROM generate_series(0, " +
            std::to_string(p.subscriptions - 1) + ") AS i",
        "kamailio");
    test::HookReceiver receiver;
    const long idleFree = kamailioFree(kamailio);

    baseline(kamailio, "warm", Params{2, 20, p.timeout});
    waitKamailioIdle(kamailio, idleFree);
    NotifyRun before = baseline(kamailio, "base1", p);
    waitKamailioIdle(kamailio, idleFree);
    BridgeRun coalescing = bridgeRun(pg, kamailio, receiver, "ntf1", p, {});
    waitKamailioIdle(kamailio, idleFree);
    BridgeRun plain =
        bridgeRun(pg, kamailio, receiver, "ntf2", p, {{"SIPBRIDGE_PRESENCE_COALESCEMS", "0"}});
    waitKamailioIdle(kamailio, idleFree);
    NotifyRun after = baseline(kamailio, "base2", p);
    const double base = std::max(before.rate(), after.rate());

    std::printf(
        "Bridge_Notify (%d subscriptions x %d NOTIFYs in dialog, one in flight per subscription, "
        "event dialog, UDP via Kamailio on loopback; synchronous_commit=on)\n",
        p.subscriptions, p.notifies);
    std::printf("  %-52s %11s %10s %10s %9s\n", "path", "per second", "p50 ms", "p99 ms", "ratio");
    row("baseline: sipp notifier -> Kamailio -> sipp (before)", before.rate(),
        percentile(before.rttMs, 0.5), percentile(before.rttMs, 0.99), -1);
    row("baseline: the same (after)", after.rate(), percentile(after.rttMs, 0.5),
        percentile(after.rttMs, 0.99), -1);
    report("coalesceMs default", coalescing, base, p);
    report("coalesceMs 0", plain, base, p);
    std::printf(
        "  baseline runs: %zu and %zu NOTIFYs answered in %.2f s and %.2f s (sipp subscriber exit "
        "%d, %d)%s\n",
        before.rttMs.size(), after.rttMs.size(), before.seconds, after.seconds,
        before.subscriberExit, after.subscriberExit,
        before.finished && after.finished ? "" : " (a sipp notifier did NOT finish)");
    std::printf("  hooks: %zu with coalescing, %zu without (NOTIFYs: %d)\n", coalescing.hooks,
                plain.hooks, p.subscriptions * p.notifies);
    return 0;
  } catch (const std::exception& error) {
    std::fprintf(stderr, "Bridge_Notify failed: %s\n", error.what());
    return 1;
  }
}
