// Bridge_Messages: instant messages end to end through the real sipbridge binary, Kamailio and
// sipp on loopback (UDP), against real PostgreSQL, with a real hook receiver.
//   Outgoing: S registered sessions (users msg0..) send text/plain MESSAGEs with
//     POST /api/v1/sendMessage from C keep-alive client threads to a sipp UAS answering 200
//     (bound to user `sink` with kamcmd ul.add). Measured: sendMessage 202s per second, the
//     rate at which MessageStatusEvent ACCEPTED rows become visible in `events` (a poller reads
//     them every few ms), the rate of their hook deliveries, p50/p99 latency from the HTTP
//     request to the committed ACCEPTED and to its hook, accept_latency_ms of message_latency,
//     and lost = 202s - ACCEPTED events.
//   Incoming: a sipp UAC sends N MESSAGEs through Kamailio to session `bob`, at most L in
//     flight; the bridge answers 200 after commit, so sipp's response times are the latency to
//     the committed OnMessageEvent.
//   Baseline in the same run: sipp UAC -> Kamailio -> sipp UAS, same count and in-flight limit
//   (the SIP path without the bridge), run before and after; the ratios use the faster run.
// BENCH_QUICK=1 makes it short. Never fails on a number; exits 1 only when something breaks.
#include "BridgeProcess.h"
#include "HookReceiver.h"
#include "Kamailio.h"
#include "Sipp.h"
#include "TestEnv.h"
#include "sipbridge/store/Pg.h"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/NullStream.h>
#include <Poco/StreamCopier.h>

#include <signal.h>
#include <unistd.h>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
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
  int clients = 8;
  int messages = 3000;  ///< Kamailio (-m 64) holds ~4,000 transactions in its 5 s wait
  int inFlight = 200;   ///< sipp -l: MESSAGEs of the sipp UACs awaiting their answer
  std::chrono::seconds timeout{180};
};

constexpr const char* kPassword = "msg-secret";
constexpr const char* kApp = "bench";

double secondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

double millisBetween(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration<double, std::milli>(to - from).count();
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

/// A sipp UAS answering 200 to every MESSAGE on 127.0.0.1:port, in the background until
/// destroyed (SIGTERM to its pid).
class SippSink {
 public:
  explicit SippSink(int port) {
    const std::string out = test::runCommand(
        "cd " + dir_.path() + " && { sipp -sf " + scenario("bench_uas_message.xml") +
        " -i 127.0.0.1 -p " + std::to_string(port) +
        " -nostdin </dev/null >/dev/null 2>sipp.err & echo $!; }");
    pid_ = std::atoi(out.c_str());
    if (pid_ <= 0) throw std::runtime_error("sipp UAS did not start: " + out);
  }
  ~SippSink() {
    ::kill(pid_, SIGTERM);
    for (int i = 0; i < 50 && alive(); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (alive()) ::kill(pid_, SIGKILL);
  }
  int pid() const { return pid_; }
  SippSink(const SippSink&) = delete;
  SippSink& operator=(const SippSink&) = delete;

 private:
  /// Running and not a zombie.
  bool alive() const {
    std::ifstream stat("/proc/" + std::to_string(pid_) + "/stat");
    std::string pid, name, state;
    return stat >> pid >> name >> state && state != "Z";
  }
  test::TempDir dir_;
  int pid_ = 0;
};

/// The pid of the process listening on TCP 127.0.0.1:port.
int listenerPid(int port) {
  const std::string out = test::runCommand("ss -ltnpH 'sport = :" + std::to_string(port) + "'");
  const auto at = out.find("pid=");
  if (at == std::string::npos) throw std::runtime_error("no listener pid in: " + out);
  return std::atoi(out.c_str() + at + 4);
}

/// CPU seconds used so far by process trees (a root and every live descendant), by name;
/// "bench + sipp UAC" is this process with its waited-for children (the sipp UACs).
class CpuMeter {
 public:
  CpuMeter(std::vector<std::pair<std::string, int>> roots) : roots_(std::move(roots)) {}
  std::map<std::string, double> sample() const {
    struct Proc {
      int ppid = 0;
      double own = 0, children = 0;
    };
    std::map<int, Proc> procs;
    const double tick = static_cast<double>(sysconf(_SC_CLK_TCK));
    for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
      const std::string name = entry.path().filename().string();
      if (name.find_first_not_of("0123456789") != std::string::npos) continue;
      std::ifstream in(entry.path() / "stat");
      std::string text;
      std::getline(in, text);
      const auto close = text.rfind(')');
      if (close == std::string::npos) continue;
      std::istringstream fields(text.substr(close + 2));
      std::vector<std::string> f;
      for (std::string field; fields >> field && f.size() < 15;) f.push_back(field);
      if (f.size() < 15) continue;
      procs[std::atoi(name.c_str())] = {
          std::atoi(f[1].c_str()), (std::atof(f[11].c_str()) + std::atof(f[12].c_str())) / tick,
          (std::atof(f[13].c_str()) + std::atof(f[14].c_str())) / tick};
    }
    std::map<std::string, double> out;
    for (const auto& [label, root] : roots_)
      for (const auto& [pid, proc] : procs)
        for (int at = pid; at > 1; at = procs.count(at) ? procs[at].ppid : 0)
          if (at == root) {
            out[label] += proc.own;
            break;
          }
    const auto self = procs[getpid()];
    out["bench + sipp UAC"] = self.own + self.children;
    return out;
  }

 private:
  std::vector<std::pair<std::string, int>> roots_;
};

/// CPU seconds per process tree between two samples, as text.
std::string cpuUsed(const std::map<std::string, double>& from,
                    const std::map<std::string, double>& to) {
  std::string text;
  char part[96];
  for (const auto& [label, seconds] : to) {
    std::snprintf(part, sizeof part, "%s%s %.2f", text.empty() ? "" : ", ", label.c_str(),
                  seconds - (from.count(label) ? from.at(label) : 0.0));
    text += part;
  }
  return text;
}

/// What one sipp UAC run produced.
struct SippRun {
  int ok = 0;        ///< MESSAGEs answered 200 (one response time each)
  int exitCode = 0;  ///< sipp's exit status (0: every call succeeded)
  double seconds = 0;
  std::vector<double> rttMs;
  double rate() const { return seconds > 0 ? ok / seconds : 0; }
};

/// sipp sends `count` MESSAGEs for `user`@example.test to `proxy`, at most `inFlight`
/// unanswered. Elapsed time from its own per-call log: first send to last 200.
SippRun sippSend(const std::string& proxy, const std::string& user, int count, int inFlight,
                 std::chrono::seconds timeout) {
  test::TempDir dir;
  SippRun run;
  const auto start = Clock::now();
  const std::string out = test::runCommand(
      "cd " + dir.path() + " && sipp " + proxy + " -sf " + scenario("bench_uac_message.xml") +
      " -s " + user + " -i 127.0.0.1 -p " + std::to_string(test::freePort()) + " -m " +
      std::to_string(count) + " -r 20000 -rp 1000 -l " + std::to_string(inFlight) +
      " -trace_rtt -rtt_freq 1 -timeout " + std::to_string(timeout.count()) +
      "s -trace_err -nostdin </dev/null >/dev/null 2>sipp.err; echo $?");
  const double wall = secondsSince(start);
  run.exitCode = std::atoi(out.c_str());
  const auto rtt = test::readSippRtt(dir.path());
  run.rttMs = rtt.rttMs;
  run.ok = static_cast<int>(run.rttMs.size());
  run.seconds = run.ok > 0 && rtt.seconds() > 0 ? rtt.seconds() : wall;
  return run;
}

/// What the closed-loop sendMessage load produced.
struct Load {
  double seconds = 0;
  int accepted = 0;  ///< answered 202
  int refused = 0;
  std::vector<Clock::time_point> sentAt;  ///< per message index
  std::vector<double> latencyMs;          ///< of the 202 answers
};

/// `clients` threads with one keep-alive connection each POST sendMessage for messages
/// `prefix`0 .. `prefix`(total-1), message i from session i % tokens.size(), to user `to`.
Load sendMessages(int port, const std::vector<std::string>& tokens, int clients, int total,
                  const std::string& prefix, const std::string& to) {
  Load load;
  load.sentAt.resize(static_cast<std::size_t>(total));
  std::atomic<int> next{0}, refused{0};
  std::mutex mutex;
  std::vector<std::thread> threads;
  const auto start = Clock::now();
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&] {
      std::vector<double> latencies;
      Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port));
      session.setKeepAlive(true);
      session.setTimeout(Poco::Timespan(30, 0));
      for (int i = next++; i < total; i = next++) {
        const std::string body = R"({"id":")" + prefix + std::to_string(i) + R"(","to":")" + to +
                                 R"(","body":"bench message )" + std::to_string(i) + R"("})";
        const auto sent = Clock::now();
        load.sentAt[static_cast<std::size_t>(i)] = sent;
        try {
          Poco::Net::HTTPRequest request("POST", "/api/v1/sendMessage",
                                         Poco::Net::HTTPMessage::HTTP_1_1);
          request.setKeepAlive(true);
          request.set("Authorization",
                      "Bearer " + tokens[static_cast<std::size_t>(i) % tokens.size()]);
          request.setContentType("application/json");
          request.setContentLength(static_cast<std::streamsize>(body.size()));
          session.sendRequest(request) << body;
          Poco::Net::HTTPResponse response;
          Poco::NullOutputStream sink;
          Poco::StreamCopier::copyStream(session.receiveResponse(response), sink);
          if (response.getStatus() == Poco::Net::HTTPResponse::HTTP_ACCEPTED)
            latencies.push_back(millisBetween(sent, Clock::now()));
          else
            ++refused;
        } catch (const Poco::Exception&) {
          ++refused;
          session.reset();
        }
      }
      std::lock_guard lock(mutex);
      load.latencyMs.insert(load.latencyMs.end(), latencies.begin(), latencies.end());
    });
  }
  for (auto& t : threads) t.join();
  load.seconds = secondsSince(start);
  load.accepted = static_cast<int>(load.latencyMs.size());
  load.refused = refused;
  return load;
}

/// Polls `events` every few milliseconds for MessageStatusEvent ACCEPTED/FAILED rows (in
/// row_id order: one event writer commits them in that order) and notes when each message id
/// was first seen committed. Own connection and thread; stop() or destruction ends it.
class CommitWatcher {
 public:
  explicit CommitWatcher(const std::string& conninfo)
      : db_(conninfo), thread_([this] { loop(); }) {}
  ~CommitWatcher() { stop(); }
  CommitWatcher(const CommitWatcher&) = delete;
  CommitWatcher& operator=(const CommitWatcher&) = delete;

  void stop() {
    running_ = false;
    if (thread_.joinable()) thread_.join();
  }
  /// Waits until `count` ACCEPTED or FAILED events were seen or `timeout` passed.
  void waitFor(std::size_t count, std::chrono::seconds timeout) const {
    const auto deadline = Clock::now() + timeout;
    while (Clock::now() < deadline && seen() < count)
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  std::size_t seen() const {
    std::lock_guard lock(mutex_);
    return at_.size();
  }
  /// Message id -> (when seen, accepted).
  std::unordered_map<std::string, std::pair<Clock::time_point, bool>> snapshot() const {
    std::lock_guard lock(mutex_);
    return at_;
  }

 private:
  void loop() {
    std::int64_t after = 0;
    while (running_) {
      auto rows = db_.exec(
          "SELECT row_id, payload->>'id', status FROM events WHERE type = 'MessageStatusEvent' "
          "AND status IN ('ACCEPTED', 'FAILED') AND row_id > $1 ORDER BY row_id",
          {std::to_string(after)});
      const auto now = Clock::now();
      {
        std::lock_guard lock(mutex_);
        for (int r = 0; r < rows.rows(); ++r) {
          after = std::max(after, rows.int64(r, 0));
          at_.emplace(rows.text(r, 1), std::make_pair(now, rows.text(r, 2) == "ACCEPTED"));
        }
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(3));
    }
  }

  store::PgConnection db_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::pair<Clock::time_point, bool>> at_;
  std::atomic<bool> running_{true};
  std::thread thread_;
};

/// Free shared memory of Kamailio in bytes.
long kamailioFree(const test::KamailioInstance& kamailio) {
  const std::string out = kamailio.kamcmd("core.shmmem");
  const auto at = out.find("free:");
  if (at == std::string::npos) throw std::runtime_error("no free memory in: " + out);
  return std::atol(out.c_str() + at + 5);
}

/// Waits (at most 20 s) until Kamailio freed the transactions of the previous phase (it keeps
/// each for its wait timer, 5 s), so that every phase starts from the same memory.
void waitKamailioIdle(const test::KamailioInstance& kamailio, long idleFree) {
  const auto deadline = Clock::now() + std::chrono::seconds(20);
  while (kamailioFree(kamailio) < idleFree - idleFree / 50 && Clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
}

std::int64_t count(store::PgConnection& db, const std::string& sql) {
  return db.exec(sql).int64(0, 0);
}

/// Connects a registering session for `login`; returns its token.
std::string connect(const test::BridgeProcess& bridge, const std::string& login,
                    const std::string& password) {
  auto r = bridge.post("/api/v1/connect", R"({"appKey":")" + std::string(kApp) +
                                              R"(","sipRegisterRequired":true,"sipLogin":")" +
                                              login + R"(","sipPassword":")" + password +
                                              R"(","sipDomain":"example.test"})");
  if (r.status != 200) throw std::runtime_error("connect " + login + ": " + r.body);
  return r.json()->getValue<std::string>("authToken");
}

void waitRegistered(store::PgConnection& db, std::int64_t target) {
  const auto deadline = Clock::now() + std::chrono::seconds(30);
  while (count(db,
               "SELECT count(*) FROM events WHERE type = 'RegistrationStatusEvent' "
               "AND status = 'REGISTERED'") < target) {
    if (Clock::now() > deadline) throw std::runtime_error("sessions did not register");
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

/// Request-to-hook latencies (ms) of the ACCEPTED hooks of messages `prefix`<i>.
std::vector<double> hookLatencies(const test::HookReceiver& receiver, const Load& load,
                                  const std::string& prefix) {
  std::vector<double> out;
  Poco::JSON::Parser parser;
  for (const auto& request : receiver.requests("/MessageStatusEvent")) {
    auto event = parser.parse(request.body).extract<Poco::JSON::Object::Ptr>();
    parser.reset();
    const std::string id = event->optValue<std::string>("id", "");
    if (event->optValue<std::string>("status", "") != "ACCEPTED" || id.rfind(prefix, 0) != 0)
      continue;
    const auto index = std::strtoul(id.c_str() + prefix.size(), nullptr, 10);
    if (index < load.sentAt.size()) out.push_back(millisBetween(load.sentAt[index], request.at));
  }
  return out;
}

/// One line of the table; a negative number is left blank.
void row(const char* what, double rate, double p50, double p99, double ratio) {
  std::printf("  %-50s", what);
  for (auto [value, format, width] : {std::tuple{rate, "%11.0f", 11}, std::tuple{p50, "%10.2f", 10},
                                      std::tuple{p99, "%10.2f", 10}, std::tuple{ratio, "%9.3f", 9}})
    if (value >= 0)
      std::printf(format, value);
    else
      std::printf("%*s", width, "");
  std::printf("\n");
}

}  // namespace

int main() {
  try {
    Params p;
    if (std::getenv("BENCH_QUICK")) p = Params{4, 4, 300, 50, std::chrono::seconds(60)};
    test::PgInstance pg;
    test::KamailioInstance kamailio(pg);
    pg.psql(
        "INSERT INTO subscriber (username, domain, password) SELECT 'msg' || i, "
        "'example.test', '" +
            std::string(kPassword) + "' FROM generate_series(0, " + std::to_string(p.sessions - 1) +
            ") AS i",
        "kamailio");
    const int sinkPort = test::freePort();
    SippSink sink(sinkPort);
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
    store::PgConnection db(pg.conninfo());
    std::vector<std::string> tokens;
    for (int s = 0; s < p.sessions; ++s)
      tokens.push_back(connect(bridge, "msg" + std::to_string(s), kPassword));
    connect(bridge, "bob", "bob-secret");
    waitRegistered(db, p.sessions + 1);
    const long idleFree = kamailioFree(kamailio);
    std::ifstream kamailioPid(kamailio.dir() + "/kamailio.pid");
    int kamailioRoot = 0;
    kamailioPid >> kamailioRoot;
    const CpuMeter cpu({{"sipbridge", listenerPid(bridge.httpPort())},
                        {"postgres", listenerPid(pg.port())},
                        {"kamailio", kamailioRoot},
                        {"sipp UAS", sink.pid()}});

    // Warm-up of every path: sipp through Kamailio, the bridge both ways.
    sippSend(kamailio.proxy(), "sink", 100, p.inFlight, p.timeout);
    const int warm = p.clients * 10;
    Load warmup = sendMessages(bridge.httpPort(), tokens, p.clients, warm, "w", "sink");
    sippSend(kamailio.proxy(), "bob", 50, p.inFlight, p.timeout);
    if (warmup.accepted != warm ||
        !receiver.waitFor(static_cast<std::size_t>(warm + 50), std::chrono::seconds(60),
                          "/MessageStatusEvent"))
      throw std::runtime_error("warm-up messages or their hooks failed");

    waitKamailioIdle(kamailio, idleFree);
    const auto cpuBefore = cpu.sample();
    SippRun before = sippSend(kamailio.proxy(), "sink", p.messages, p.inFlight, p.timeout);
    const auto cpuBaseline = cpu.sample();

    // Outgoing through the bridge.
    const std::size_t hooksBefore = receiver.requests("/MessageStatusEvent").size();
    waitKamailioIdle(kamailio, idleFree);
    CommitWatcher watcher(pg.conninfo());
    watcher.waitFor(static_cast<std::size_t>(warm), std::chrono::seconds(10));
    const std::size_t seenBefore = watcher.seen();
    const auto cpuOut = cpu.sample();
    const auto start = Clock::now();
    Load out = sendMessages(bridge.httpPort(), tokens, p.clients, p.messages, "o", "sink");
    watcher.waitFor(seenBefore + static_cast<std::size_t>(out.accepted), p.timeout);
    const auto outcomes = watcher.snapshot();
    const auto cpuOutCommitted = cpu.sample();
    watcher.stop();
    const bool allHooks = receiver.waitFor(hooksBefore + static_cast<std::size_t>(out.accepted),
                                           p.timeout, "/MessageStatusEvent");
    const double hookSeconds = secondsSince(start);
    const auto cpuOutHooks = cpu.sample();
    std::vector<double> commitMs;
    Clock::time_point lastCommit = start;
    int acceptedEvents = 0, failedEvents = 0;
    for (int i = 0; i < p.messages; ++i) {
      auto it = outcomes.find("o" + std::to_string(i));
      if (it == outcomes.end()) continue;
      (it->second.second ? acceptedEvents : failedEvents) += 1;
      lastCommit = std::max(lastCommit, it->second.first);
      if (it->second.second)
        commitMs.push_back(
            millisBetween(out.sentAt[static_cast<std::size_t>(i)], it->second.first));
    }
    const double commitSeconds = std::chrono::duration<double>(lastCommit - start).count();
    std::vector<double> hookMs = hookLatencies(receiver, out, "o");
    const auto hooksArrived = hookMs.size();
    auto latency = db.exec(
        "SELECT coalesce(percentile_cont(0.5) WITHIN GROUP (ORDER BY accept_latency_ms), 0), "
        "coalesce(percentile_cont(0.99) WITHIN GROUP (ORDER BY accept_latency_ms), 0) "
        "FROM message_latency WHERE message_id LIKE 'o%'");
    const double acceptP50 = std::atof(latency.text(0, 0).c_str());
    const double acceptP99 = std::atof(latency.text(0, 1).c_str());

    // Incoming through the bridge to bob.
    const std::int64_t messagesBefore =
        count(db, "SELECT count(*) FROM events WHERE type = 'OnMessageEvent'");
    const std::size_t onMessageHooksBefore = receiver.requests("/OnMessageEvent").size();
    const auto inStart = Clock::now();
    waitKamailioIdle(kamailio, idleFree);
    const auto cpuIn = cpu.sample();
    SippRun in = sippSend(kamailio.proxy(), "bob", p.messages, p.inFlight, p.timeout);
    const auto cpuInDone = cpu.sample();
    const std::int64_t received =
        count(db, "SELECT count(*) FROM events WHERE type = 'OnMessageEvent'") - messagesBefore;
    const bool allInHooks = receiver.waitFor(
        onMessageHooksBefore + static_cast<std::size_t>(received), p.timeout, "/OnMessageEvent");
    const double inHookSeconds = secondsSince(inStart);

    waitKamailioIdle(kamailio, idleFree);
    SippRun after = sippSend(kamailio.proxy(), "sink", p.messages, p.inFlight, p.timeout);
    const double baseline = std::max(before.rate(), after.rate());
    const int lost = out.accepted - acceptedEvents;

    std::printf(
        "Bridge_Messages (%d text/plain MESSAGEs per path, UDP via Kamailio on loopback; outgoing: "
        "%d registered sessions, %d keep-alive client threads; sipp -l %d in flight; "
        "synchronous_commit=on; hooks: default workers and per-app cap)\n",
        p.messages, p.sessions, p.clients, p.inFlight);
    std::printf("  %-50s %11s %10s %10s %9s\n", "path", "per second", "p50 ms", "p99 ms", "ratio");
    row("baseline: sipp UAC -> Kamailio -> sipp UAS (before)", before.rate(),
        percentile(before.rttMs, 0.5), percentile(before.rttMs, 0.99), -1);
    row("baseline: the same (after)", after.rate(), percentile(after.rttMs, 0.5),
        percentile(after.rttMs, 0.99), -1);
    const double acceptRate = out.accepted / out.seconds;
    row("out: sendMessage answered 202 (REST latency)", acceptRate, percentile(out.latencyMs, 0.5),
        percentile(out.latencyMs, 0.99), acceptRate / baseline);
    const double commitRate = commitSeconds > 0 ? acceptedEvents / commitSeconds : 0;
    row("out: ACCEPTED committed (request -> row seen)", commitRate, percentile(commitMs, 0.5),
        percentile(commitMs, 0.99), commitRate / baseline);
    row("out: queued_at -> accepted_at (message_latency)", -1, acceptP50, acceptP99, -1);
    const double hookRate = static_cast<double>(hooksArrived) / hookSeconds;
    row("out: ACCEPTED hook arrived (request -> hook)", hookRate, percentile(hookMs, 0.5),
        percentile(hookMs, 0.99), hookRate / baseline);
    row("in: sipp -> Kamailio -> bridge, 200 after commit", in.rate(), percentile(in.rttMs, 0.5),
        percentile(in.rttMs, 0.99), in.rate() / baseline);
    const double inHookRate = static_cast<double>(received) / inHookSeconds;
    row("in: OnMessageEvent hooks arrived (+ RECEIVED hooks)", inHookRate, -1, -1,
        inHookRate / baseline);
    std::printf(
        "  out: %d sent, %d answered 202, %d refused; %d ACCEPTED and %d FAILED events; lost %d; "
        "%zu hooks%s\n",
        p.messages, out.accepted, out.refused, acceptedEvents, failedEvents, lost, hooksArrived,
        allHooks ? "" : " (NOT ALL within the timeout)");
    std::printf(
        "  out: 202s took %.2f s, every ACCEPTED committed after %.2f s, every hook after %.2f s\n",
        out.seconds, commitSeconds, hookSeconds);
    std::printf(
        "  in: %d answered 200 by the bridge (sipp exit %d), %lld OnMessageEvents committed in "
        "%.2f s, hooks after %.2f s%s\n",
        in.ok, in.exitCode, static_cast<long long>(received), in.seconds, inHookSeconds,
        allInHooks ? "" : " (NOT ALL within the timeout)");
    std::printf("  baseline runs: %d and %d answered (sipp exit %d, %d) in %.2f s and %.2f s\n",
                before.ok, after.ok, before.exitCode, after.exitCode, before.seconds,
                after.seconds);
    std::printf(
        "  target (outgoing committed >= 1/3 of the sipp path, 0 lost): %.3f of the sipp path, "
        "lost %d -> %s\n",
        commitRate / baseline, lost, commitRate * 3 >= baseline && lost == 0 ? "met" : "NOT met");
    std::printf("  CPU seconds (%u cores), baseline run (%.2f s): %s\n",
                std::thread::hardware_concurrency(), before.seconds,
                cpuUsed(cpuBefore, cpuBaseline).c_str());
    std::printf("  CPU seconds, out until every ACCEPTED committed (%.2f s): %s\n", commitSeconds,
                cpuUsed(cpuOut, cpuOutCommitted).c_str());
    std::printf("  CPU seconds, out from then until every hook arrived (%.2f s): %s\n",
                hookSeconds - commitSeconds, cpuUsed(cpuOutCommitted, cpuOutHooks).c_str());
    std::printf("  CPU seconds, in (%.2f s): %s\n", in.seconds, cpuUsed(cpuIn, cpuInDone).c_str());
    bridge.stop();
    return 0;
  } catch (const std::exception& error) {
    std::fprintf(stderr, "Bridge_Messages failed: %s\n", error.what());
    return 1;
  }
}
