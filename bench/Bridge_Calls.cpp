// Bridge_Calls: calls end to end through the real sipbridge binary, Kamailio and sipp on
// loopback (UDP), against real PostgreSQL, with a real hook receiver.
//   Rate: S registered sessions (users call0..), C client threads each doing in a loop:
//     POST /api/v1/call to `sink` (a sipp UAS bound with kamcmd ul.add: 100, 180, 200 with SDP,
//     ACK, BYE -> 200), wait for CallStatusEvent ESTABLISHED, POST hangup, wait for FINISH;
//     N calls in all. Events are read from the `events` table by one poller (every few ms).
//     Measured: calls set up and torn down per second, p50/p99 of call -> ESTABLISHED and
//     hangup -> FINISH, failures.
//   Memory: M more registered sessions, VmRSS of the bridge before and after: KiB per session
//     (the figure of Bridge_SessionMemory, measured again on the same process as the baseline);
//     then one call established and held on each of them: KiB per call; then all hung up.
//   Baseline in the same run: sipp UAC -> Kamailio -> the same sipp UAS, same N and the same
//   number of calls open at once (sipp -l C), run before and after; ratios use the faster run.
//   sipp advances each call about once per millisecond of its loop, so at a few calls open it
//   is the pace setter; a third run with 100 calls open shows what the SIP path itself takes.
// BENCH_QUICK=1 makes it short. Never fails on a number; exits 1 only when something breaks.
#include "BridgeProcess.h"
#include "HookReceiver.h"
#include "Kamailio.h"
#include "TestEnv.h"
#include "sipbridge/store/Pg.h"

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>

#include <signal.h>
#include <unistd.h>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <tuple>
#include <unordered_map>
#include <vector>

using namespace sipbridge;
using Clock = std::chrono::steady_clock;

namespace {

struct Params {
  int sessions = 8;
  int clients = 8;   ///< client threads; also sipp -l of the baseline
  int calls = 1000;  ///< rate phase
  int held = 500;    ///< memory phase: calls established at once, then as many sessions
  int users = 200;   ///< Kamailio keeps at most 50 contacts per address of record
  std::chrono::seconds timeout{120};
};

constexpr const char* kPassword = "call-secret";
constexpr const char* kApp = "bench";
constexpr const char* kSdp =
    "v=0\\r\\no=bench 1 1 IN IP4 127.0.0.1\\r\\ns=-\\r\\nc=IN IP4 127.0.0.1\\r\\nt=0 0\\r\\n"
    "m=audio 40000 RTP/AVP 0 8\\r\\na=rtpmap:0 PCMU/8000\\r\\na=rtpmap:8 PCMA/8000\\r\\n"
    "a=sendrecv\\r\\n";

double millisBetween(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration<double, std::milli>(to - from).count();
}

/// The `p` quantile of `values` (sorted in place); 0 when empty.
double percentile(std::vector<double>& values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  return values[static_cast<std::size_t>(p * static_cast<double>(values.size() - 1))];
}

/// The pid of the process listening on TCP 127.0.0.1:port.
int listenerPid(int port) {
  const std::string out = test::runCommand("ss -ltnpH 'sport = :" + std::to_string(port) + "'");
  const auto at = out.find("pid=");
  if (at == std::string::npos) throw std::runtime_error("no listener pid in: " + out);
  return std::atoi(out.c_str() + at + 4);
}

/// VmRSS of process `pid` in KiB.
long rssKiB(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);)
    if (line.rfind("VmRSS:", 0) == 0) return std::atol(line.c_str() + 6);
  throw std::runtime_error("no VmRSS for pid " + std::to_string(pid));
}

/// CPU seconds (user + system) used so far by process `pid`.
double cpuSeconds(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text;
  std::getline(in, text);
  std::istringstream fields(text.substr(text.rfind(')') + 2));
  std::vector<std::string> f;
  for (std::string field; fields >> field && f.size() < 13;) f.push_back(field);
  if (f.size() < 13) return 0;
  return (std::atof(f[11].c_str()) + std::atof(f[12].c_str())) / sysconf(_SC_CLK_TCK);
}

/// A sipp UAS running tests/sipp/bench_uas_call.xml on 127.0.0.1:port in the background until
/// destroyed (SIGTERM to its pid, SIGKILL after 5 s).
class SippCallee {
 public:
  explicit SippCallee(int port) {
    const std::string out =
        test::runCommand("cd " + dir_.path() + " && { sipp -sf " + test::repoRoot() +
                         "/tests/sipp/bench_uas_call.xml -i 127.0.0.1 -p " + std::to_string(port) +
                         " -l 5000" + " -nostdin </dev/null >/dev/null 2>sipp.err & echo $!; }");
    pid_ = std::atoi(out.c_str());
    if (pid_ <= 0) throw std::runtime_error("sipp UAS did not start: " + out);
  }
  ~SippCallee() {
    ::kill(pid_, SIGTERM);
    for (int i = 0; i < 50 && alive(); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (alive()) ::kill(pid_, SIGKILL);
  }
  SippCallee(const SippCallee&) = delete;
  SippCallee& operator=(const SippCallee&) = delete;

 private:
  bool alive() const {
    std::ifstream stat("/proc/" + std::to_string(pid_) + "/stat");
    std::string pid, name, state;
    return stat >> pid >> name >> state && state != "Z";
  }
  test::TempDir dir_;
  int pid_ = 0;
};

/// One sipp UAC run of tests/sipp/bench_uac_call.xml.
struct SippRun {
  int completed = 0;  ///< BYEs answered 200
  int exitCode = 0;
  double seconds = 0;  ///< first INVITE sent to last BYE answered (sipp's clock)
  std::vector<double> inviteMs, byeMs;
  std::string errors;  ///< the start of sipp's error log
  double rate() const { return seconds > 0 ? completed / seconds : 0; }
};

/// sipp calls `user`@example.test through `proxy` `count` times, at most `open` calls open.
SippRun sippCalls(const std::string& proxy, const std::string& user, int count, int open,
                  std::chrono::seconds timeout) {
  test::TempDir dir;
  SippRun run;
  const std::string out = test::runCommand(
      "cd " + dir.path() + " && sipp " + proxy + " -sf " + test::repoRoot() +
      "/tests/sipp/bench_uac_call.xml -s " + user + " -i 127.0.0.1 -p " +
      std::to_string(test::freePort()) + " -m " + std::to_string(count) + " -r 10000 -l " +
      std::to_string(open) + " -trace_rtt -rtt_freq 1 -trace_err -timeout " +
      std::to_string(timeout.count()) + "s -nostdin </dev/null >/dev/null 2>sipp.err; echo $?");
  run.exitCode = std::atoi(out.c_str());
  double first = 1e300, last = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
    const std::string name = entry.path().filename().string();
    if (name.find("_errors.log") != std::string::npos) {
      std::ifstream log(entry.path());
      std::stringstream text;
      text << log.rdbuf();
      run.errors = text.str().substr(0, 1500);
    }
    if (name.size() < 8 || name.substr(name.size() - 8) != "_rtt.csv") continue;
    std::ifstream in(entry.path());
    std::string line;
    std::getline(in, line);  // Date_ms;response_time_ms;rtd_no
    while (std::getline(in, line)) {
      double at = 0, rtt = 0;
      char rtd[16] = {};
      if (std::sscanf(line.c_str(), "%lf;%lf;%15s", &at, &rtt, rtd) != 3) continue;
      if (std::string(rtd) == "1") {
        run.inviteMs.push_back(rtt);
        first = std::min(first, at - rtt);
      } else {
        run.byeMs.push_back(rtt);
        last = std::max(last, at);
      }
    }
  }
  run.completed = static_cast<int>(run.byeMs.size());
  run.seconds = last > first ? (last - first) / 1000.0 : 0;
  return run;
}

/// Polls `events` every few milliseconds for CallStatusEvent rows and notes when each
/// (callId, status) was first seen committed. One event writer commits rows in row_id order;
/// every 100th poll re-reads the last 2,000 rows all the same, so that a row committed after a
/// later one would be seen late rather than never. Own connection and thread; stop() ends it.
class CallWatcher {
 public:
  explicit CallWatcher(const std::string& conninfo) : db_(conninfo), thread_([this] { loop(); }) {}
  ~CallWatcher() { stop(); }
  CallWatcher(const CallWatcher&) = delete;
  CallWatcher& operator=(const CallWatcher&) = delete;

  void stop() {
    running_ = false;
    if (thread_.joinable()) thread_.join();
  }
  /// Waits until one of `statuses` was seen for `callId` (or `deadline`); returns the first
  /// seen of them and when, or nothing.
  std::optional<std::pair<std::string, Clock::time_point>> waitFor(
      const std::string& callId, const std::vector<std::string>& statuses,
      Clock::time_point deadline) const {
    std::unique_lock lock(mutex_);
    std::optional<std::pair<std::string, Clock::time_point>> found;
    changed_.wait_until(lock, deadline, [&] {
      auto it = seen_.find(callId);
      if (it == seen_.end()) return false;
      for (const auto& [status, at] : it->second)
        if (std::find(statuses.begin(), statuses.end(), status) != statuses.end()) {
          found = std::make_pair(status, at);
          return true;
        }
      return false;
    });
    return found;
  }

 private:
  void loop() {
    std::int64_t after = 0;
    for (int poll = 1; running_; ++poll) {
      const std::int64_t from = poll % 100 == 0 ? std::max<std::int64_t>(0, after - 2000) : after;
      auto rows = db_.exec(
          "SELECT row_id, coalesce(payload->>'callId', ''), status FROM events "
          "WHERE type = 'CallStatusEvent' AND row_id > $1 ORDER BY row_id",
          {std::to_string(from)});
      const auto now = Clock::now();
      bool added = false;
      {
        std::lock_guard lock(mutex_);
        for (int r = 0; r < rows.rows(); ++r) {
          after = std::max(after, rows.int64(r, 0));
          auto& list = seen_[rows.text(r, 1)];
          const std::string status = rows.text(r, 2);
          if (std::none_of(list.begin(), list.end(), [&](auto& s) { return s.first == status; })) {
            list.emplace_back(status, now);
            added = true;
          }
        }
      }
      if (added) changed_.notify_all();
      std::this_thread::sleep_for(std::chrono::milliseconds(3));
    }
  }

  store::PgConnection db_;
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  std::unordered_map<std::string, std::vector<std::pair<std::string, Clock::time_point>>> seen_;
  std::atomic<bool> running_{true};
  std::thread thread_;
};

/// A keep-alive client connection of one thread.
class Client {
 public:
  explicit Client(int port) : session_("127.0.0.1", static_cast<Poco::UInt16>(port)) {
    session_.setKeepAlive(true);
    session_.setTimeout(Poco::Timespan(30, 0));
  }
  /// POSTs `body` to /api/v1/`method`; returns the status (0 on a transport error) and body.
  std::pair<int, std::string> post(const std::string& method, const std::string& body,
                                   const std::string& token) {
    try {
      Poco::Net::HTTPRequest request("POST", "/api/v1/" + method, Poco::Net::HTTPMessage::HTTP_1_1);
      request.setKeepAlive(true);
      request.set("Authorization", "Bearer " + token);
      request.setContentType("application/json");
      request.setContentLength(static_cast<std::streamsize>(body.size()));
      session_.sendRequest(request) << body;
      Poco::Net::HTTPResponse response;
      std::string answer;
      Poco::StreamCopier::copyToString(session_.receiveResponse(response), answer);
      return {static_cast<int>(response.getStatus()), answer};
    } catch (const Poco::Exception& error) {
      session_.reset();
      return {0, error.displayText()};
    }
  }

 private:
  Poco::Net::HTTPClientSession session_;
};

std::string callBody(const std::string& callId) {
  return R"({"callId":")" + callId + R"(","callee":"sink","sdp":")" + kSdp + R"("})";
}

/// What a batch of calls produced.
struct Calls {
  int ok = 0;                                 ///< established and finished
  std::map<std::string, int> failures;        ///< what went wrong, counted
  std::string firstRefusal;                   ///< the first non-202 answer
  std::vector<double> establishMs, finishMs;  ///< call -> ESTABLISHED, hangup -> FINISH
  double seconds = 0;
  double rate() const { return seconds > 0 ? ok / seconds : 0; }
  int failed() const {
    int n = 0;
    for (const auto& [what, count] : failures) n += count;
    return n;
  }
  void fail(const std::string& what, const std::string& answer = {}) {
    ++failures[what];
    if (!answer.empty() && firstRefusal.empty()) firstRefusal = what + ": " + answer;
  }
};

/// `clients` threads each set up a call to sink, wait for ESTABLISHED, hang up and wait for
/// FINISH, for calls `prefix`0 .. `prefix`(total-1); thread c calls from session
/// c % tokens.size(), so a session has at most ceil(clients / sessions) calls at a time.
Calls runCalls(int port, const std::vector<std::string>& tokens, int clients, int total,
               const std::string& prefix, const CallWatcher& watcher, std::chrono::seconds wait) {
  Calls out;
  std::atomic<int> next{0};
  std::mutex mutex;
  std::vector<std::thread> threads;
  const auto start = Clock::now();
  for (int c = 0; c < clients; ++c)
    threads.emplace_back([&, c] {
      Client client(port);
      Calls mine;
      const std::string& token = tokens[static_cast<std::size_t>(c) % tokens.size()];
      for (int i = next++; i < total; i = next++) {
        const std::string id = prefix + std::to_string(i);
        const auto sent = Clock::now();
        auto [status, answer] = client.post("call", callBody(id), token);
        if (status != 202) {
          mine.fail("call answered " + std::to_string(status), answer);
          continue;
        }
        auto up = watcher.waitFor(id, {"ESTABLISHED", "FAILED", "BUSY", "FINISH"}, sent + wait);
        if (!up || up->first != "ESTABLISHED") {
          mine.fail(up ? "call ended " + up->first : "no ESTABLISHED in time");
          if (!up) client.post("hangup", R"({"callId":")" + id + R"("})", token);
          continue;
        }
        mine.establishMs.push_back(millisBetween(sent, up->second));
        const auto hangup = Clock::now();
        std::tie(status, answer) = client.post("hangup", R"({"callId":")" + id + R"("})", token);
        if (status != 202 && status != 200) {
          mine.fail("hangup answered " + std::to_string(status), answer);
          continue;
        }
        auto down = watcher.waitFor(id, {"FINISH", "FAILED"}, hangup + wait);
        if (!down || down->first != "FINISH") {
          mine.fail(down ? "hangup ended " + down->first : "no FINISH in time");
          continue;
        }
        mine.finishMs.push_back(millisBetween(hangup, down->second));
        ++mine.ok;
      }
      std::lock_guard lock(mutex);
      out.ok += mine.ok;
      for (const auto& [what, count] : mine.failures) out.failures[what] += count;
      if (out.firstRefusal.empty()) out.firstRefusal = mine.firstRefusal;
      out.establishMs.insert(out.establishMs.end(), mine.establishMs.begin(),
                             mine.establishMs.end());
      out.finishMs.insert(out.finishMs.end(), mine.finishMs.begin(), mine.finishMs.end());
    });
  for (auto& t : threads) t.join();
  out.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return out;
}

/// `clients` threads POST `method` for calls `prefix`0 .. (total-1), then every call is waited
/// for until one of `statuses` (or the timeout); returns how many reached `wanted`.
int allCalls(int port, const std::vector<std::string>& tokens, int clients, int total,
             const std::string& prefix, const std::string& method, const CallWatcher& watcher,
             const std::vector<std::string>& statuses, const std::string& wanted,
             std::chrono::seconds wait) {
  std::atomic<int> next{0};
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c)
    threads.emplace_back([&] {
      Client client(port);
      for (int i = next++; i < total; i = next++) {
        const std::string id = prefix + std::to_string(i);
        client.post(method, method == "call" ? callBody(id) : R"({"callId":")" + id + R"("})",
                    tokens[static_cast<std::size_t>(i) % tokens.size()]);
      }
    });
  for (auto& t : threads) t.join();
  const auto deadline = Clock::now() + wait;
  int reached = 0;
  for (int i = 0; i < total; ++i) {
    auto seen = watcher.waitFor(prefix + std::to_string(i), statuses, deadline);
    reached += seen && seen->first == wanted;
  }
  return reached;
}

/// Connects `count` registering sessions (users call<i % users>) with 8 threads.
std::vector<std::string> connectSessions(const test::BridgeProcess& bridge, int from, int count,
                                         int users) {
  std::vector<std::string> tokens(static_cast<std::size_t>(count));
  std::atomic<int> next{0}, failed{0};
  std::vector<std::thread> threads;
  for (int c = 0; c < 8; ++c)
    threads.emplace_back([&] {
      for (int i = next++; i < count; i = next++) {
        const std::string body = R"({"appKey":")" + std::string(kApp) +
                                 R"(","sipRegisterRequired":true,"sipLogin":"call)" +
                                 std::to_string((from + i) % users) + R"(","sipPassword":")" +
                                 kPassword + R"(","sipDomain":"example.test"})";
        try {
          auto r = bridge.post("/api/v1/connect", body);
          if (r.status == 200)
            tokens[static_cast<std::size_t>(i)] = r.json()->getValue<std::string>("authToken");
          else
            ++failed;
        } catch (const std::exception&) {
          ++failed;
        }
      }
    });
  for (auto& t : threads) t.join();
  if (failed > 0) throw std::runtime_error(std::to_string(failed.load()) + " connects failed");
  return tokens;
}

void waitRegistered(store::PgConnection& db, std::int64_t target, std::chrono::seconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (db.exec("SELECT count(*) FROM events WHERE type = 'RegistrationStatusEvent' "
                 "AND status = 'REGISTERED'")
             .int64(0, 0) < target) {
    if (Clock::now() > deadline) throw std::runtime_error("sessions did not register");
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

/// The call events committed so far, by status and info, and the bridge log's tail.
std::string diagnosis(store::PgConnection& db, const test::BridgeProcess& bridge) {
  auto rows = db.exec(
      "SELECT type || ':' || status || ' ' || coalesce(payload->>'sipStatus', '') || ' ' || "
      "coalesce(payload->>'info', ''), count(*) FROM events WHERE type LIKE '%Call%' "
      "GROUP BY 1 ORDER BY 1");
  std::string text = "call events:";
  for (int r = 0; r < rows.rows(); ++r) text += "\n  " + rows.text(r, 0) + " x" + rows.text(r, 1);
  const std::string log = bridge.log();
  return text + "\nbridge log tail:\n" + log.substr(log.size() > 3000 ? log.size() - 3000 : 0);
}

void row(const char* what, double rate, double p50, double p99, double ratio) {
  std::printf("  %-52s %10.1f %10.2f %10.2f", what, rate, p50, p99);
  if (ratio >= 0) std::printf(" %8.3f", ratio);
  std::printf("\n");
}

std::string failureText(const Calls& calls) {
  std::string text;
  for (const auto& [what, count] : calls.failures)
    text += (text.empty() ? "" : ", ") + what + " x" + std::to_string(count);
  if (!calls.firstRefusal.empty()) text += " (first: " + calls.firstRefusal + ")";
  return text.empty() ? "none" : text;
}

}  // namespace

int main() {
  try {
    Params p;
    if (std::getenv("BENCH_QUICK")) p = Params{4, 4, 100, 100, 200, std::chrono::seconds(60)};
    test::PgInstance pg;
    test::KamailioInstance kamailio(pg);
    pg.psql(
        "INSERT INTO subscriber (username, domain, password) SELECT 'call' || i, "
        "'example.test', '" +
            std::string(kPassword) + "' FROM generate_series(0, " + std::to_string(p.users - 1) +
            ") AS i",
        "kamailio");
    const int sinkPort = test::freePort();
    SippCallee sink(sinkPort);
    kamailio.kamcmd("ul.add location sink@example.test sip:sink@127.0.0.1:" +
                    std::to_string(sinkPort) + " 3600 1.0 . 0 0 4095");
    test::HookReceiver receiver;
    test::BridgeProcess bridge(pg.conninfo(), kamailio.proxy(),
                               {{"SIPBRIDGE_SESSION_IDLETIMEOUTSECONDS", "3600"},
                                {"SIPBRIDGE_SIP_TRANSACTIONTIMEOUTMS", "32000"},
                                {"SIPBRIDGE_LOGGING_LEVEL", "warning"}});
    bridge.start();
    auto created =
        bridge.admin("POST", "/admin/v1/apps",
                     R"({"appKey":")" + std::string(kApp) + R"(","development":true,"hookUrl":")" +
                         receiver.url() + R"(","connectHook":false})");
    if (created.status != 201 && created.status != 200)
      throw std::runtime_error("app not created: " + created.body);
    const int pid = listenerPid(bridge.httpPort());
    store::PgConnection db(pg.conninfo());
    const auto tokens = connectSessions(bridge, 0, p.sessions, p.users);
    waitRegistered(db, p.sessions, p.timeout);
    CallWatcher watcher(pg.conninfo());

    // Warm-up of both paths, then the baseline, the bridge, the baseline again.
    const SippRun warmSipp = sippCalls(kamailio.proxy(), "sink", 50, p.clients, p.timeout);
    if (warmSipp.completed == 0)
      throw std::runtime_error("sipp baseline calls fail (sipp exit " +
                               std::to_string(warmSipp.exitCode) + ")");
    const Calls warm = runCalls(bridge.httpPort(), tokens, p.clients, p.clients * 5, "w", watcher,
                                std::chrono::seconds(30));
    SippRun before = sippCalls(kamailio.proxy(), "sink", p.calls, p.clients, p.timeout);
    std::printf(
        "Bridge_Calls (UDP via Kamailio on loopback; %d registered sessions, %d client threads "
        "= sipp -l %d calls open; synchronous_commit=on; events read from PostgreSQL)\n",
        p.sessions, p.clients, p.clients);
    std::printf("  %-52s %10s %10s %10s %8s\n", "rate (calls set up and torn down)", "calls/s",
                "p50 ms", "p99 ms", "ratio");
    row("baseline (before): sipp UAC INVITE -> 200", before.rate(),
        percentile(before.inviteMs, 0.5), percentile(before.inviteMs, 0.99), -1);
    row("baseline (before): sipp UAC BYE -> 200", before.rate(), percentile(before.byeMs, 0.5),
        percentile(before.byeMs, 0.99), -1);
    SippRun wide = sippCalls(kamailio.proxy(), "sink", p.calls, 100, p.timeout);
    row("baseline: sipp UAC, 100 calls open, INVITE -> 200", wide.rate(),
        percentile(wide.inviteMs, 0.5), percentile(wide.inviteMs, 0.99), -1);
    std::fflush(stdout);
    if (warm.ok == 0)
      throw std::runtime_error("no bridge call was set up and torn down in the warm-up: " +
                               failureText(warm) + "\n" + diagnosis(db, bridge));

    const double cpuBefore = cpuSeconds(pid);
    Calls calls = runCalls(bridge.httpPort(), tokens, p.clients, p.calls, "c", watcher, p.timeout);
    const double cpuCalls = cpuSeconds(pid) - cpuBefore;
    SippRun after = sippCalls(kamailio.proxy(), "sink", p.calls, p.clients, p.timeout);
    const double baseline = std::max(before.rate(), after.rate());
    row("baseline (after): sipp UAC INVITE -> 200", after.rate(), percentile(after.inviteMs, 0.5),
        percentile(after.inviteMs, 0.99), -1);
    row("baseline (after): sipp UAC BYE -> 200", after.rate(), percentile(after.byeMs, 0.5),
        percentile(after.byeMs, 0.99), -1);
    row("bridge: call -> ESTABLISHED committed", calls.rate(), percentile(calls.establishMs, 0.5),
        percentile(calls.establishMs, 0.99), baseline > 0 ? calls.rate() / baseline : 0);
    row("bridge: hangup -> FINISH committed", calls.rate(), percentile(calls.finishMs, 0.5),
        percentile(calls.finishMs, 0.99), -1);
    std::printf("  bridge: %d of %d calls set up and torn down in %.2f s; failures: %s\n", calls.ok,
                p.calls, calls.seconds, failureText(calls).c_str());
    std::printf(
        "  bridge CPU %.2f s = %.3f ms per call; baseline runs: %d and %d of %d calls "
        "completed (sipp exit %d, %d) in %.2f s and %.2f s\n",
        cpuCalls, calls.ok > 0 ? cpuCalls * 1000 / calls.ok : 0.0, before.completed,
        after.completed, p.calls, before.exitCode, after.exitCode, before.seconds, after.seconds);
    for (const SippRun* run : {&before, &wide, &after})
      if (!run->errors.empty()) std::printf("  sipp errors:\n%s\n", run->errors.c_str());
    std::fflush(stdout);

    // Memory: M more registered sessions (the baseline), then one call held on each of them
    // (the bridge allows a few live calls per session: calls.maxCallsPerSession).
    std::this_thread::sleep_for(std::chrono::seconds(2));
    const long idle = rssKiB(pid);
    const auto held = connectSessions(bridge, p.sessions, p.held, p.users);
    waitRegistered(db, p.sessions + p.held, p.timeout);
    std::this_thread::sleep_for(std::chrono::seconds(2));
    const long withSessions = rssKiB(pid);
    const auto setupStart = Clock::now();
    const int up = allCalls(bridge.httpPort(), held, p.clients, p.held, "m", "call", watcher,
                            {"ESTABLISHED", "FAILED", "BUSY", "FINISH"}, "ESTABLISHED", p.timeout);
    const double setupSeconds = std::chrono::duration<double>(Clock::now() - setupStart).count();
    std::this_thread::sleep_for(std::chrono::seconds(2));
    const long holding = rssKiB(pid);
    const int down = allCalls(bridge.httpPort(), held, p.clients, p.held, "m", "hangup", watcher,
                              {"FINISH", "FAILED"}, "FINISH", p.timeout);
    std::this_thread::sleep_for(std::chrono::seconds(2));
    const long released = rssKiB(pid);
    std::printf("  %-52s %10s %10s %10s\n", "memory (VmRSS of the bridge)", "KiB before",
                "KiB after", "KiB each");
    std::printf("  %-52s %10ld %10ld %10.2f\n",
                ("baseline: " + std::to_string(p.held) + " more registered sessions").c_str(), idle,
                withSessions, static_cast<double>(withSessions - idle) / p.held);
    std::printf("  %-52s %10ld %10ld %10.2f\n",
                (std::to_string(up) + " calls established and held, one each").c_str(),
                withSessions, holding,
                up > 0 ? static_cast<double>(holding - withSessions) / up : 0.0);
    std::printf("  per held call / per registered session: %.2f\n",
                up > 0 && withSessions > idle
                    ? static_cast<double>(holding - withSessions) / up /
                          (static_cast<double>(withSessions - idle) / p.held)
                    : 0.0);
    const auto events = static_cast<std::size_t>(
        db.exec("SELECT count(*) FROM events WHERE type = 'CallStatusEvent'").int64(0, 0));
    const bool allHooks = receiver.waitFor(events, std::chrono::seconds(30), "/CallStatusEvent");
    std::printf(
        "  %d of %d held calls established in %.2f s, %d hung up with FINISH; VmRSS %ld "
        "KiB after the hang-ups (%+ld KiB against before the calls)\n",
        up, p.held, setupSeconds, down, released, released - withSessions);
    std::printf(
        "  CallStatusEvents: %zu committed, %zu hooks received%s; sipp times are whole "
        "milliseconds\n",
        events, receiver.requests("/CallStatusEvent").size(),
        allHooks ? "" : " (NOT ALL within 30 s)");
    if (up < p.held) std::printf("%s\n", diagnosis(db, bridge).c_str());
    watcher.stop();
    bridge.stop();
    return calls.ok > 0 && up > 0 ? 0 : 1;
  } catch (const std::exception& error) {
    std::fprintf(stderr, "Bridge_Calls failed: %s\n", error.what());
    return 1;
  }
}
