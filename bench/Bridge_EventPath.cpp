// Bridge_EventPath: the spine end to end through the real sipbridge binary. N client threads
// POST /api/v1/connect without SIP registration (each answer comes after one
// ConnectionStatusEvent and its hook delivery row are committed); a real hook receiver counts
// the deliveries. Measured: connects/s, events/s committed (rows in `events`), hook
// deliveries/s, p50/p99 connect latency. Baselines in the same run, same machine:
//   HTTP: a trivial POCO handler answering 200 under the same client load;
//   DB:   the same rows (event + hook delivery) by plain libpq COPY, 500 per transaction,
//         and by one INSERT transaction per row from N connections (no group commit);
//         both with synchronous_commit=on, into a freshly migrated database.
// BENCH_QUICK=1 makes it short. Never fails on a number; exits 1 only when something breaks.
#include "BridgeProcess.h"
#include "HookReceiver.h"
#include "PgCopy.h"
#include "TestEnv.h"
#include "sipbridge/core/Event.h"
#include "sipbridge/store/ConnectionPool.h"
#include "sipbridge/store/Migrations.h"
#include "sipbridge/store/Partitions.h"
#include "sipbridge/store/Pg.h"
#include "sipbridge/store/PgAppDirectory.h"

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/NullStream.h>
#include <Poco/StreamCopier.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <functional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

using namespace sipbridge;
using Clock = std::chrono::steady_clock;

namespace {

struct Params {
  int clients = 8;
  int connects = 4000;
  int batch = 500;
};

double secondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

/// What a closed-loop HTTP load produced.
struct Load {
  double seconds = 0;
  int ok = 0;
  int failed = 0;
  std::vector<double> latencyMs;  ///< of the successful requests, sorted
  double percentile(double p) const {
    if (latencyMs.empty()) return 0;
    auto index = static_cast<std::size_t>(p * static_cast<double>(latencyMs.size() - 1));
    return latencyMs[index];
  }
};

/// `clients` threads, each with one keep-alive connection, POST `body(i)` to `path` until
/// `total` requests were made; a request counts as ok when answered 200.
Load runLoad(int port, const std::string& path, int clients, int total,
             const std::function<std::string(int)>& body) {
  std::atomic<int> next{0};
  std::vector<std::vector<double>> latencies(static_cast<std::size_t>(clients));
  std::vector<int> failures(static_cast<std::size_t>(clients), 0);
  std::vector<std::thread> threads;
  const auto start = Clock::now();
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port));
      session.setKeepAlive(true);
      session.setTimeout(Poco::Timespan(30, 0));
      for (int i = next++; i < total; i = next++) {
        const std::string text = body(i);
        const auto sent = Clock::now();
        try {
          Poco::Net::HTTPRequest request("POST", path, Poco::Net::HTTPMessage::HTTP_1_1);
          request.setKeepAlive(true);
          request.setContentType("application/json");
          request.setContentLength(static_cast<std::streamsize>(text.size()));
          session.sendRequest(request) << text;
          Poco::Net::HTTPResponse response;
          Poco::NullOutputStream sink;
          Poco::StreamCopier::copyStream(session.receiveResponse(response), sink);
          if (response.getStatus() == Poco::Net::HTTPResponse::HTTP_OK)
            latencies[static_cast<std::size_t>(c)].push_back(
                std::chrono::duration<double, std::milli>(Clock::now() - sent).count());
          else
            ++failures[static_cast<std::size_t>(c)];
        } catch (const Poco::Exception&) {
          ++failures[static_cast<std::size_t>(c)];
          session.reset();
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  Load load;
  load.seconds = secondsSince(start);
  for (std::size_t c = 0; c < latencies.size(); ++c) {
    load.latencyMs.insert(load.latencyMs.end(), latencies[c].begin(), latencies[c].end());
    load.failed += failures[c];
  }
  load.ok = static_cast<int>(load.latencyMs.size());
  std::sort(load.latencyMs.begin(), load.latencyMs.end());
  return load;
}

class OkHandler : public Poco::Net::HTTPRequestHandler {
 public:
  void handleRequest(Poco::Net::HTTPServerRequest& request,
                     Poco::Net::HTTPServerResponse& response) override {
    Poco::NullOutputStream sink;
    Poco::StreamCopier::copyStream(request.stream(), sink);
    static const std::string body = R"({"status":"ESTABLISHED"})";
    response.setContentType("application/json");
    response.setContentLength(static_cast<std::streamsize>(body.size()));
    response.send() << body;
  }
};

class OkFactory : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  Poco::Net::HTTPRequestHandler* createRequestHandler(
      const Poco::Net::HTTPServerRequest&) override {
    return new OkHandler;
  }
};

/// The same client load against a POCO server whose handler only answers 200.
Load httpBaseline(const Params& p) {
  Poco::Net::ServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0));
  auto* params = new Poco::Net::HTTPServerParams;
  params->setMaxThreads(64);
  params->setMaxQueued(256);
  Poco::Net::HTTPServer server(new OkFactory, socket, params);
  server.start();
  Load load = runLoad(socket.address().port(), "/api/v1/connect", p.clients, p.connects,
                      [](int) { return std::string(R"({"appKey":"bench0"})"); });
  server.stopAll(true);
  return load;
}

std::vector<core::Event> makeEvents(int n) {
  std::vector<core::Event> events;
  const std::int64_t now = core::nowMs();
  for (int i = 0; i < n; ++i) {
    core::Event e;
    e.eventId = core::newUuid();
    e.type = "ConnectionStatusEvent";
    e.status = "ESTABLISHED";
    e.nodeId = "node1";
    e.sessionId = "node1-" + std::to_string(i);
    e.appKey = "bench" + std::to_string(i % 8);
    e.seq = 1;
    e.timestampMs = now;
    events.push_back(std::move(e));
  }
  return events;
}

/// A freshly migrated database with partitions and the apps the events name.
std::string prepareDatabase(test::PgInstance& pg, const std::string& name) {
  auto pool = std::make_shared<store::ConnectionPool>(pg.createDatabase(name), 1);
  store::Migrations::apply(*pool, test::repoRoot() + "/schema");
  store::Partitions(pool).ensure(2);
  for (int a = 0; a < 8; ++a)
    store::PgAppDirectory(pool).put(
        {"bench" + std::to_string(a), "http://127.0.0.1:9/h", "whsec_x", false, false, 0});
  return pool->conninfo();
}

/// Rows per second: COPY of events and hook_deliveries, `batch` events per transaction.
double copyBaseline(test::PgInstance& pg, const Params& p) {
  const std::string conninfo = prepareDatabase(pg, "bench_copy");
  const auto events = makeEvents(p.connects);
  store::PgConnPtr raw(PQconnectdb(conninfo.c_str()));
  if (PQstatus(raw.get()) != CONNECTION_OK)
    throw std::runtime_error("COPY baseline: no connection");
  const auto run = [&raw](const char* sql) {
    store::PgResultPtr result(PQexec(raw.get(), sql));
    if (PQresultStatus(result.get()) != PGRES_COMMAND_OK)
      throw std::runtime_error(std::string(sql) + ": " + PQerrorMessage(raw.get()));
  };
  run("SET synchronous_commit = on");
  const auto start = Clock::now();
  for (std::size_t from = 0; from < events.size(); from += static_cast<std::size_t>(p.batch)) {
    std::string eventRows, hookRows;
    const std::string retryUntil = bench::isoUtc(core::nowMs() + 86400LL * 1000);
    for (std::size_t i = from; i < std::min(events.size(), from + p.batch); ++i) {
      const auto& e = events[i];
      const std::string created = bench::isoUtc(e.timestampMs);
      eventRows += e.eventId + '\t' + e.type + '\t' + e.status + '\t' + e.nodeId + '\t' +
                   e.sessionId + '\t' + e.appKey + '\t' + std::to_string(e.seq) + '\t' + created +
                   '\t';
      bench::appendCopyField(eventRows, core::toJson(e));
      eventRows += '\n';
      hookRows +=
          e.eventId + '\t' + created + '\t' + e.type + '\t' + e.appKey + '\t' + retryUntil + '\n';
    }
    run("BEGIN");
    bench::copyRows(raw.get(),
                    "COPY events (event_id, type, status, node_id, session_id, app_key, seq, "
                    "created_at, payload) FROM STDIN",
                    eventRows);
    bench::copyRows(raw.get(),
                    "COPY hook_deliveries (event_id, event_created_at, event_type, app_key, "
                    "retry_until) FROM STDIN",
                    hookRows);
    run("COMMIT");
  }
  const double seconds = secondsSince(start);
  store::PgConnection conn(conninfo);
  if (conn.exec("SELECT count(*) FROM events").int64(0, 0) != p.connects)
    throw std::runtime_error("COPY baseline lost rows");
  return p.connects / seconds;
}

/// Rows per second: `clients` connections, each committing one event and its delivery row
/// per transaction (what a bridge without group commit would do per request).
double perRowBaseline(test::PgInstance& pg, const Params& p) {
  const std::string conninfo = prepareDatabase(pg, "bench_per_row");
  const auto events = makeEvents(p.connects);
  std::atomic<int> next{0};
  std::atomic<bool> failed{false};
  std::vector<std::thread> threads;
  const auto start = Clock::now();
  for (int c = 0; c < p.clients; ++c) {
    threads.emplace_back([&] {
      try {
        store::PgConnection conn(conninfo);
        conn.exec("SET synchronous_commit = on");
        for (int i = next++; i < p.connects; i = next++) {
          const auto& e = events[static_cast<std::size_t>(i)];
          const std::string created = bench::isoUtc(e.timestampMs);
          conn.exec("BEGIN");
          conn.exec(
              "INSERT INTO events (event_id, type, status, node_id, session_id, app_key, seq, "
              "created_at, payload) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)",
              {e.eventId, e.type, e.status, e.nodeId, e.sessionId, e.appKey, std::to_string(e.seq),
               created, core::toJson(e)});
          conn.exec(
              "INSERT INTO hook_deliveries (event_id, event_created_at, event_type, app_key, "
              "retry_until) VALUES ($1,$2,$3,$4, now() + interval '1 day')",
              {e.eventId, created, e.type, e.appKey});
          conn.exec("COMMIT");
        }
      } catch (const std::exception& error) {
        std::fprintf(stderr, "per-row baseline: %s\n", error.what());
        failed = true;
      }
    });
  }
  for (auto& t : threads) t.join();
  if (failed) throw std::runtime_error("per-row baseline failed");
  return p.connects / secondsSince(start);
}

std::int64_t countRows(store::PgConnection& db, const std::string& sql) {
  return db.exec(sql).int64(0, 0);
}

}  // namespace

int main() {
  try {
    Params p;
    if (std::getenv("BENCH_QUICK")) p = Params{4, 200, 100};
    test::PgInstance pg;
    test::HookReceiver receiver;
    test::BridgeProcess bridge(
        pg.conninfo(), "127.0.0.1:" + std::to_string(test::freePort()),
        {{"SIPBRIDGE_SESSION_IDLETIMEOUTSECONDS", "3600"}, {"SIPBRIDGE_LOGGING_LEVEL", "warning"}});
    bridge.start();
    for (int a = 0; a < p.clients; ++a) {
      const std::string body = R"({"appKey":"bench)" + std::to_string(a) +
                               R"(","development":true,"hookUrl":")" + receiver.url() +
                               R"(","connectHook":false})";
      auto created = bridge.admin("POST", "/admin/v1/apps", body);
      if (created.status != 201 && created.status != 200)
        throw std::runtime_error("app not created: " + created.body);
    }
    store::PgConnection db(pg.conninfo());
    const auto connectBody = [&p](int i) {
      return R"({"appKey":"bench)" + std::to_string(i % p.clients) + R"("})";
    };

    // Warm-up: connections, threads and caches of the bridge and PostgreSQL.
    const int warm = p.clients * 4;
    Load warmup = runLoad(bridge.httpPort(), "/api/v1/connect", p.clients, warm, connectBody);
    if (warmup.ok != warm ||
        !receiver.waitFor(static_cast<std::size_t>(warm), std::chrono::seconds(60)))
      throw std::runtime_error("warm-up connects or hooks failed");

    const auto start = Clock::now();
    Load bridgeLoad =
        runLoad(bridge.httpPort(), "/api/v1/connect", p.clients, p.connects, connectBody);
    const double acceptSeconds = secondsSince(start);
    const std::int64_t committed =
        countRows(db, "SELECT count(*) FROM events WHERE type = 'ConnectionStatusEvent'") - warm;
    const auto expectedHooks = static_cast<std::size_t>(warm + bridgeLoad.ok);
    const bool allDelivered = receiver.waitFor(expectedHooks, std::chrono::seconds(300));
    const double deliveredSeconds = secondsSince(start);
    const auto delivered = static_cast<std::int64_t>(receiver.count()) - warm;
    // The receiver answers before the bridge records the delivery: give the last ones a moment.
    std::int64_t deliveredRows = 0;
    for (int i = 0; i < 50 && deliveredRows < delivered; ++i) {
      deliveredRows =
          countRows(db, "SELECT count(*) FROM hook_deliveries WHERE state = 'delivered'") - warm;
      if (deliveredRows < delivered) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    bridge.stop();

    Load http = httpBaseline(p);
    const double copy = copyBaseline(pg, p);
    const double perRow = perRowBaseline(pg, p);

    const double connectRate = bridgeLoad.ok / acceptSeconds;
    const double commitRate = static_cast<double>(committed) / acceptSeconds;
    const double hookRate = static_cast<double>(delivered) / deliveredSeconds;
    const double httpRate = http.ok / http.seconds;
    std::printf(
        "Bridge_EventPath (%d connects, %d client threads with keep-alive, %d apps, no SIP; "
        "synchronous_commit=on; hooks: default workers and per-app cap)\n",
        p.connects, p.clients, p.clients);
    std::printf("  %-44s %12s %9s %9s %8s\n", "path", "per second", "p50 ms", "p99 ms", "ratio");
    std::printf("  %-44s %12.0f %9.2f %9.2f %8s\n", "bridge: connect accepted (200 after commit)",
                connectRate, bridgeLoad.percentile(0.5), bridgeLoad.percentile(0.99), "");
    std::printf("  %-44s %12.0f %9.2f %9.2f %8.3f\n", "  baseline: trivial POCO handler (200)",
                httpRate, http.percentile(0.5), http.percentile(0.99), connectRate / httpRate);
    std::printf("  %-44s %12.0f %9s %9s %8s\n", "bridge: events committed (rows in events)",
                commitRate, "", "", "");
    std::printf("  %-44s %12.0f %9s %9s %8.3f\n", "  baseline: libpq COPY, 500 rows per txn", copy,
                "", "", commitRate / copy);
    std::printf("  %-44s %12.0f %9s %9s %8.3f\n", "  baseline: 1 INSERT txn per row, N conns",
                perRow, "", "", commitRate / perRow);
    std::printf("  %-44s %12.0f %9s %9s %8s\n", "bridge: events hook-delivered (receiver)",
                hookRate, "", "", "");
    std::printf(
        "  accepted %d, refused/failed %d, committed %lld, delivered %lld (%lld rows marked "
        "delivered)%s\n",
        bridgeLoad.ok, bridgeLoad.failed, static_cast<long long>(committed),
        static_cast<long long>(delivered), static_cast<long long>(deliveredRows),
        allDelivered ? "" : "  NOT ALL DELIVERED within 300 s");
    std::printf(
        "  accept phase %.2f s; every event delivered %.2f s after start (%.2f s after "
        "the last accept)\n",
        acceptSeconds, deliveredSeconds, deliveredSeconds - acceptSeconds);
    return 0;
  } catch (const std::exception& error) {
    std::fprintf(stderr, "Bridge_EventPath failed: %s\n", error.what());
    return 1;
  }
}
