// Api_Edge_Clients: the client edge of the real sipbridge binary under many connections.
//  1. WebSocket clients held on one node and resident memory (VmRSS) per client: N sessions
//     connected without SIP registration, then one WebSocket each (target: 20,000 clients at
//     16 KiB or less each).
//  2. Event fan-out latency p50/p99: M of those clients, events made at a fixed total rate by
//     POST /admin/v1/sessions/{id}/data (OnDataEvent, committed first), latency from the POST
//     to the frame at the client (CLOCK_MONOTONIC, same machine).
//  3. /health p99 on fresh connections while idle and slowloris connections are held
//     (target: under 50 ms).
// Baseline in the same run: the same clients against a minimal Boost.Beast event-loop server
// (bench/EdgeLoad.h, a forked process) that holds the WebSockets, forwards posted events and
// answers /health with no limits and no store. Clients connect from several 127.0.0.x
// addresses. BENCH_QUICK=1 makes it short. Never fails on a number; exits 1 when broken.
#include "BridgeProcess.h"
#include "EdgeLoad.h"
#include "TestEnv.h"

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>

#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <stdexcept>
#include <thread>

using namespace sipbridge;
using namespace sipbridge::bench;
using Clock = std::chrono::steady_clock;

namespace {

struct Params {
  int clients = 20000;
  int fanoutClients = 10000;
  int eventsPerSecond = 1000;
  int fanoutSeconds = 10;
  int idle = 1000;
  int slowloris = 200;
  int probes = 500;
};

long rssKiB(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::atol(line.c_str() + 6);
  throw std::runtime_error("no VmRSS for pid " + std::to_string(pid));
}

int listenerPid(int port) {
  const std::string out = test::runCommand("ss -ltnpH 'sport = :" + std::to_string(port) + "'");
  const auto at = out.find("pid=");
  if (at == std::string::npos) throw std::runtime_error("no listener pid in: " + out);
  return std::atoi(out.c_str() + at + 4);
}

double percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  return values[std::min(values.size() - 1, static_cast<std::size_t>(p * values.size()))];
}

/// Runs the clients' loop on a thread until `done` or the deadline.
template <class Done>
void drive(WsClients& clients, Done done, std::chrono::seconds limit) {
  const auto deadline = Clock::now() + limit;
  while (!done() && Clock::now() < deadline) clients.io().run_for(std::chrono::milliseconds(50));
}

/// Posts `total` bodies at `rate` per second from 8 threads with kept-alive connections;
/// `make(i)` gives (path, body) of post i. Returns the posts that did not get 2xx.
template <class Make>
int postPaced(int port, const std::string& bearer, int total, int rate, Make make) {
  std::atomic<int> next{0}, failed{0};
  const auto start = Clock::now();
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&] {
      Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port));
      session.setKeepAlive(true);
      session.setTimeout(Poco::Timespan(10, 0));
      for (int i = next++; i < total; i = next++) {
        std::this_thread::sleep_until(start + std::chrono::microseconds(i * 1000000LL / rate));
        const auto [path, body] = make(i);
        try {
          Poco::Net::HTTPRequest request("POST", path, Poco::Net::HTTPMessage::HTTP_1_1);
          request.setContentType("application/json");
          request.setContentLength(static_cast<std::streamsize>(body.size()));
          request.setKeepAlive(true);
          if (!bearer.empty()) request.set("Authorization", "Bearer " + bearer);
          session.sendRequest(request) << body;
          Poco::Net::HTTPResponse response;
          std::string ignored;
          Poco::StreamCopier::copyToString(session.receiveResponse(response), ignored);
          if (response.getStatus() / 100 != 2) ++failed;
        } catch (const std::exception&) {
          ++failed;
          session.reset();
        }
      }
    });
  for (auto& t : threads) t.join();
  return failed;
}

std::vector<std::string> sources(int first, int count) {
  std::vector<std::string> out;
  for (int i = 0; i < count; ++i) out.push_back("127.0.0." + std::to_string(first + i));
  return out;
}

struct HealthFigures {
  double p50 = 0, p99 = 0;
  int failed = 0;
};

/// /health probes on fresh connections while `idle` silent and `slow` slowloris connections
/// (one header line every 2 s, reopened when closed) are held.
HealthFigures healthUnderLoad(int port, const Params& p, const std::string& source) {
  asio::io_context io;  // before the sockets: they must die first
  std::vector<std::unique_ptr<asio::ip::tcp::socket>> held;
  const tcp::endpoint to(asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port));
  auto openFrom = [&](const std::string& from) {
    auto socket = std::make_unique<tcp::socket>(io);
    socket->open(tcp::v4());
    socket->bind(tcp::endpoint(asio::ip::make_address(from), 0));
    socket->connect(to);
    return socket;
  };
  for (int i = 0; i < p.idle; ++i) held.push_back(openFrom(source));
  std::vector<std::unique_ptr<tcp::socket>> slow;
  for (int i = 0; i < p.slowloris; ++i) {
    slow.push_back(openFrom(source));
    asio::write(*slow.back(), asio::buffer(std::string("GET /health HTTP/1.1\r\n")));
  }
  std::atomic<bool> stop{false};
  std::thread trickle([&] {
    while (!stop) {
      for (auto& socket : slow) {
        beast::error_code ec;
        asio::write(*socket, asio::buffer(std::string("X-Slow: 1\r\n")), ec);
        if (ec) {  // cut by the server: come back
          socket = openFrom(source);
          asio::write(*socket, asio::buffer(std::string("GET /health HTTP/1.1\r\n")), ec);
        }
      }
      for (int i = 0; i < 20 && !stop; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  });
  HealthFigures figures;
  std::vector<double> ms;
  for (int i = 0; i < p.probes; ++i) {
    const auto start = Clock::now();
    try {
      const auto answer = test::httpRequest(port, "GET", "/health");
      if (answer.status != 200) ++figures.failed;
    } catch (const std::exception&) {
      ++figures.failed;
    }
    ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  stop = true;
  trickle.join();
  figures.p50 = percentile(ms, 0.5);
  figures.p99 = percentile(ms, 0.99);
  return figures;
}

}  // namespace

int main() {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  Params p;
  if (std::getenv("BENCH_QUICK")) p = Params{300, 200, 200, 2, 100, 20, 100};
  // Client sockets of the bench and the baseline live in this process and its child.
  rlimit files{200000, 200000};
  if (setrlimit(RLIMIT_NOFILE, &files) != 0) {
    getrlimit(RLIMIT_NOFILE, &files);
    files.rlim_cur = files.rlim_max;
    setrlimit(RLIMIT_NOFILE, &files);
    p.clients = std::min<int>(p.clients, static_cast<int>(files.rlim_cur / 2) - 1000);
    p.fanoutClients = std::min(p.fanoutClients, p.clients);
  }
  // The baseline server, forked before any thread exists.
  int pipeFds[2];
  if (pipe(pipeFds) != 0) return 1;
  const pid_t child = fork();
  if (child == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlives the bench
    close(pipeFds[0]);
    MinimalServer server;
    const int port = server.port();
    if (write(pipeFds[1], &port, sizeof port) != sizeof port) _exit(1);
    close(pipeFds[1]);
    server.run();
    _exit(0);
  }
  close(pipeFds[1]);
  int basePort = 0;
  if (read(pipeFds[0], &basePort, sizeof basePort) != sizeof basePort) return 1;
  close(pipeFds[0]);
  struct Reaper {
    pid_t pid;
    ~Reaper() {
      kill(pid, SIGKILL);
      waitpid(pid, nullptr, 0);
    }
  } reaper{child};

  try {
    test::PgInstance pg;
    const std::string cap = std::to_string(p.clients + p.idle + p.slowloris + 2000);
    test::BridgeProcess bridge(pg.conninfo(), "127.0.0.1:" + std::to_string(test::freePort()),
                               {{"SIPBRIDGE_HTTP_MAXCONNECTIONS", cap},
                                {"SIPBRIDGE_HTTP_MAXCONNECTIONSPERADDRESS", cap},
                                {"SIPBRIDGE_HTTP_MAXWEBSOCKETS", cap},
                                {"SIPBRIDGE_SESSION_IDLETIMEOUTSECONDS", "86400"},
                                {"SIPBRIDGE_LOGGING_LEVEL", "warning"}});
    bridge.start();
    if (bridge.admin("POST", "/admin/v1/apps", R"({"appKey":"edge","connectHook":false})").status !=
        201)
      throw std::runtime_error("app not created");
    const int pid = listenerPid(bridge.httpPort());
    const long rssStart = rssKiB(pid);

    // Sessions first (each connect answers after its first event is committed).
    std::vector<std::string> tokens(static_cast<std::size_t>(p.clients)), ids(tokens.size());
    std::atomic<int> next{0}, refused{0};
    std::vector<std::thread> connecting;
    const auto connectStart = Clock::now();
    for (int t = 0; t < 16; ++t)
      connecting.emplace_back([&] {
        for (int i = next++; i < p.clients; i = next++) {
          try {
            const auto answer = bridge.post("/api/v1/connect", R"({"appKey":"edge"})");
            if (answer.status != 200) {
              ++refused;
              continue;
            }
            tokens[static_cast<std::size_t>(i)] = answer.json()->getValue<std::string>("authToken");
            ids[static_cast<std::size_t>(i)] = answer.json()->getValue<std::string>("sessionId");
          } catch (const std::exception&) {
            ++refused;
          }
        }
      });
    for (auto& t : connecting) t.join();
    const double connectSeconds =
        std::chrono::duration<double>(Clock::now() - connectStart).count();
    std::this_thread::sleep_for(std::chrono::seconds(1));
    const long rssSessions = rssKiB(pid);

    // 1. WebSocket clients held.
    std::vector<std::string> targets;
    for (const auto& token : tokens) targets.push_back("/api/v1/ws?after=0&token=" + token);
    WsClients onBridge(bridge.httpPort(), targets, sources(10, 4));
    onBridge.start();
    const auto limit = std::chrono::seconds(std::getenv("BENCH_QUICK") ? 60 : 300);
    drive(
        onBridge, [&] { return onBridge.ready() + onBridge.failed() >= p.clients; }, limit);
    drive(
        onBridge, [] { return false; }, std::chrono::seconds(2));
    const long rssClients = rssKiB(pid);

    std::vector<std::string> baseTargets;
    for (int i = 0; i < p.clients; ++i) baseTargets.push_back("/ws?i=" + std::to_string(i));
    const long baseIdle = rssKiB(child);
    WsClients onBase(basePort, baseTargets, sources(20, 4));
    onBase.start();
    drive(
        onBase, [&] { return onBase.ready() + onBase.failed() >= p.clients; }, limit);
    drive(
        onBase, [] { return false; }, std::chrono::seconds(2));
    const long baseClients = rssKiB(child);

    const double perWs =
        static_cast<double>(rssClients - rssSessions) / std::max(1, onBridge.ready());
    const double perClient =
        static_cast<double>(rssClients - rssStart) / std::max(1, onBridge.ready());
    const double perBase =
        static_cast<double>(baseClients - baseIdle) / std::max(1, onBase.ready());
    std::printf("Api_Edge_Clients (VmRSS; target %d clients at <= 16 KiB each)\n", 20000);
    std::printf("  sipbridge: %d sessions in %.1f s (%d refused); %d WebSockets open (%d failed)\n",
                p.clients - refused.load(), connectSeconds, refused.load(), onBridge.ready(),
                onBridge.failed());
    std::printf(
        "  sipbridge: %ld KiB idle, %ld with sessions, %ld with WebSockets: %.2f KiB per "
        "WebSocket, %.2f KiB per client (session + WebSocket)\n",
        rssStart, rssSessions, rssClients, perWs, perClient);
    std::printf(
        "  baseline (minimal Beast server): %d WebSockets, %ld -> %ld KiB: %.2f KiB per "
        "WebSocket\n",
        onBase.ready(), baseIdle, baseClients, perBase);
    std::printf("  ratio per WebSocket %.2f; per client %.2f of the 16 KiB target\n",
                perBase > 0 ? perWs / perBase : 0.0, perClient / 16.0);

    // 2. Fan-out: events to the first M clients; the others are closed.
    onBridge.closeFrom(static_cast<std::size_t>(p.fanoutClients));
    onBase.closeFrom(static_cast<std::size_t>(p.fanoutClients));
    drive(
        onBridge, [] { return false; }, std::chrono::seconds(1));
    drive(
        onBase, [] { return false; }, std::chrono::seconds(1));
    const int total = p.eventsPerSecond * p.fanoutSeconds;
    auto fanout = [&](WsClients& clients, int port, const std::string& bearer, auto path) {
      clients.recordLatencies(true);
      std::atomic<bool> sending{true};
      std::thread sender([&] {
        const int failed = postPaced(port, bearer, total, p.eventsPerSecond, [&](int i) {
          const int target = (i * 7919) % p.fanoutClients;
          return std::pair{path(target),
                           R"({"payload":{"t":)" + std::to_string(monotonicNs()) + "}}"};
        });
        if (failed) std::printf("  (%d posts failed)\n", failed);
        sending = false;
      });
      drive(
          clients,
          [&] { return !sending.load() && clients.latenciesMs().size() >= std::size_t(total); },
          std::chrono::seconds(p.fanoutSeconds + 30));
      sender.join();
      return clients.latenciesMs();
    };
    const auto bridgeLat = fanout(onBridge, bridge.httpPort(), bridge.adminToken(), [&](int i) {
      return "/admin/v1/sessions/" + ids[static_cast<std::size_t>(i)] + "/data";
    });
    const auto baseLat =
        fanout(onBase, basePort, "", [](int i) { return "/send/" + std::to_string(i); });
    std::printf("Api_Edge_FanOut (%d clients, %d events/s for %d s; POST to frame)\n",
                p.fanoutClients, p.eventsPerSecond, p.fanoutSeconds);
    std::printf("  sipbridge: %zu of %d received, p50 %.2f ms, p99 %.2f ms (committed first)\n",
                bridgeLat.size(), total, percentile(bridgeLat, 0.5), percentile(bridgeLat, 0.99));
    std::printf("  baseline:  %zu of %d received, p50 %.2f ms, p99 %.2f ms\n", baseLat.size(),
                total, percentile(baseLat, 0.5), percentile(baseLat, 0.99));
    onBridge.closeFrom(0);
    onBase.closeFrom(0);
    drive(
        onBridge, [] { return false; }, std::chrono::seconds(1));
    drive(
        onBase, [] { return false; }, std::chrono::seconds(1));

    // 3. /health while idle and slowloris connections are held.
    const auto onBridgeHealth = healthUnderLoad(bridge.httpPort(), p, "127.0.0.30");
    const auto onBaseHealth = healthUnderLoad(basePort, p, "127.0.0.31");
    std::printf(
        "Api_Edge_HealthUnderSlowloris (%d idle + %d slowloris held; %d probes on fresh "
        "connections; target p99 < 50 ms)\n",
        p.idle, p.slowloris, p.probes);
    std::printf("  sipbridge: p50 %.2f ms, p99 %.2f ms, %d failed\n", onBridgeHealth.p50,
                onBridgeHealth.p99, onBridgeHealth.failed);
    std::printf("  baseline:  p50 %.2f ms, p99 %.2f ms, %d failed; ratio p99 %.2f\n",
                onBaseHealth.p50, onBaseHealth.p99, onBaseHealth.failed,
                onBaseHealth.p99 > 0 ? onBridgeHealth.p99 / onBaseHealth.p99 : 0.0);
    bridge.stop();
    return 0;
  } catch (const std::exception& error) {
    std::fprintf(stderr, "Api_Edge_Clients failed: %s\n", error.what());
    return 1;
  }
}
