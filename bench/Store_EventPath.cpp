// Store_EventPath: events/s committed through store::EventWriter (group commit, one
// statement, synchronous_commit=on) against the same rows (event + one hook delivery each)
// written by plain libpq, in the same run on the same private PostgreSQL:
//   baseline 1: COPY events + COPY hook_deliveries, one transaction per 500 events;
//   baseline 2: multi-row INSERT of both tables, one transaction per 500 events.
// Each method writes into its own freshly migrated database. Bounded to a few seconds each.
#include "../tests/support/TestEnv.h"
#include "PgCopy.h"
#include "sipbridge/core/Event.h"
#include "sipbridge/core/Metrics.h"
#include "sipbridge/store/ConnectionPool.h"
#include "sipbridge/store/EventWriter.h"
#include "sipbridge/store/Migrations.h"
#include "sipbridge/store/Partitions.h"
#include "sipbridge/store/Pg.h"
#include "sipbridge/store/PgAppDirectory.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <stdexcept>

using namespace sipbridge;
using Clock = std::chrono::steady_clock;

namespace {

constexpr int kEvents = 40000;
constexpr int kBatch = 500;

std::vector<core::Event> makeEvents(int n) {
  std::vector<core::Event> events;
  events.reserve(static_cast<std::size_t>(n));
  std::int64_t now = core::nowMs();
  for (int i = 0; i < n; ++i) {
    core::Event e;
    e.eventId = core::newUuid();
    e.type = "OnMessageEvent";
    e.nodeId = "bench";
    e.sessionId = "bench-s" + std::to_string(i % 100);
    e.appKey = "bench";
    e.seq = i / 100 + 1;
    e.timestampMs = now + i / 50;
    e.fields["id"] = "m" + std::to_string(i);
    e.fields["from"] = std::string("sip:alice@example.test");
    e.fields["body"] = std::string("Hello, \"Bob\"\tsee you at 10\\n");
    events.push_back(std::move(e));
  }
  return events;
}

/// A migrated database with partitions ahead and one application with a hook URL.
std::shared_ptr<store::ConnectionPool> prepare(test::PgInstance& pg, const std::string& name) {
  auto pool = std::make_shared<store::ConnectionPool>(pg.createDatabase(name), 2);
  store::Migrations::apply(*pool, test::repoRoot() + "/schema");
  store::Partitions(pool).ensure(2);
  store::PgAppDirectory(pool).put({"bench", "http://127.0.0.1:9/h", "whsec_x", true, false, 0});
  return pool;
}

double runWriter(test::PgInstance& pg, std::vector<core::Event> events, std::int64_t& batches) {
  auto pool = prepare(pg, "bench_writer");
  store::StoreConfig config;
  config.conninfo = pool->conninfo();
  config.maxBatch = kBatch;
  config.queueLimit = kEvents * 2;
  core::Metrics metrics;
  store::EventWriter writer(config, metrics);
  std::mutex mutex;
  std::condition_variable cv;
  int done = 0;
  writer.start();
  auto start = Clock::now();
  for (auto& e : events)
    writer.append(std::move(e), [&](bool ok) {
      if (!ok) throw std::runtime_error("event not committed");
      std::lock_guard lock(mutex);
      if (++done == kEvents) cv.notify_all();
    });
  {
    std::unique_lock lock(mutex);
    cv.wait(lock, [&] { return done == kEvents; });
  }
  double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  writer.stop();
  batches = metrics.counter("sipbridge_store_batches_total", "").value();
  return kEvents / seconds;
}

double runCopy(test::PgInstance& pg, const std::vector<core::Event>& events) {
  auto pool = prepare(pg, "bench_copy");
  store::PgConnPtr conn(PQconnectdb(pool->conninfo().c_str()));
  if (PQstatus(conn.get()) != CONNECTION_OK) throw std::runtime_error("connect failed");
  store::PgConnection exec(pool->conninfo());
  auto start = Clock::now();
  for (std::size_t from = 0; from < events.size(); from += kBatch) {
    std::string eventRows, hookRows;
    std::string retryUntil = bench::isoUtc(core::nowMs() + 86400LL * 1000);
    for (std::size_t i = from; i < std::min(events.size(), from + kBatch); ++i) {
      const auto& e = events[i];
      std::string created = bench::isoUtc(e.timestampMs);
      for (const std::string* field :
           {&e.eventId, &e.type, &e.status, &e.nodeId, &e.sessionId, &e.appKey}) {
        bench::appendCopyField(eventRows, *field);
        eventRows += '\t';
      }
      eventRows += std::to_string(e.seq) + '\t' + created + '\t';
      bench::appendCopyField(eventRows, core::toJson(e));
      eventRows += '\n';
      hookRows +=
          e.eventId + '\t' + created + '\t' + e.type + '\t' + e.appKey + '\t' + retryUntil + '\n';
    }
    PQclear(PQexec(conn.get(), "BEGIN"));
    bench::copyRows(conn.get(),
                    "COPY events (event_id, type, status, node_id, session_id, app_key, seq, "
                    "created_at, payload) FROM STDIN",
                    eventRows);
    bench::copyRows(conn.get(),
                    "COPY hook_deliveries (event_id, event_created_at, event_type, app_key, "
                    "retry_until) FROM STDIN",
                    hookRows);
    store::PgResultPtr commit(PQexec(conn.get(), "COMMIT"));
    if (PQresultStatus(commit.get()) != PGRES_COMMAND_OK) throw std::runtime_error("COMMIT");
  }
  double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  if (exec.exec("SELECT count(*) FROM events").int64(0, 0) != kEvents)
    throw std::runtime_error("COPY baseline lost rows");
  return kEvents / seconds;
}

double runInsert(test::PgInstance& pg, const std::vector<core::Event>& events) {
  auto pool = prepare(pg, "bench_insert");
  store::PgConnection conn(pool->conninfo());
  auto start = Clock::now();
  for (std::size_t from = 0; from < events.size(); from += kBatch) {
    std::size_t to = std::min(events.size(), from + kBatch);
    std::string eventSql =
        "INSERT INTO events (event_id, type, status, node_id, session_id, app_key, seq, "
        "created_at, payload) VALUES ";
    std::string hookSql =
        "INSERT INTO hook_deliveries (event_id, event_created_at, event_type, app_key, "
        "retry_until) VALUES ";
    store::PgParams eventParams, hookParams;
    for (std::size_t i = from; i < to; ++i) {
      const auto& e = events[i];
      std::string created = bench::isoUtc(e.timestampMs);
      int p = static_cast<int>(eventParams.size());
      eventSql += (i > from ? ",(" : "(");
      for (int k = 1; k <= 9; ++k) eventSql += "$" + std::to_string(p + k) + (k < 9 ? "," : ")");
      for (const std::string& v : {e.eventId, e.type, e.status, e.nodeId, e.sessionId, e.appKey,
                                   std::to_string(e.seq), created, core::toJson(e)})
        eventParams.emplace_back(v);
      int h = static_cast<int>(hookParams.size());
      hookSql += (i > from ? ",(" : "(");
      for (int k = 1; k <= 4; ++k) hookSql += "$" + std::to_string(h + k) + ",";
      hookSql += "now() + interval '1 day')";
      for (const std::string& v : {e.eventId, created, e.type, e.appKey})
        hookParams.emplace_back(v);
    }
    conn.exec("BEGIN");
    conn.exec(eventSql, eventParams);
    conn.exec(hookSql, hookParams);
    conn.exec("COMMIT");
  }
  double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  if (conn.exec("SELECT count(*) FROM events").int64(0, 0) != kEvents)
    throw std::runtime_error("INSERT baseline lost rows");
  return kEvents / seconds;
}

}  // namespace

int main() {
  try {
    test::PgInstance pg;
    auto events = makeEvents(kEvents);
    double copy = runCopy(pg, events);
    double insert = runInsert(pg, events);
    std::int64_t batches = 0;
    double writer = runWriter(pg, events, batches);
    std::printf("Store_EventPath (%d events, 1 hook delivery each, synchronous_commit=on)\n",
                kEvents);
    std::printf(
        "  EventWriter (group commit, unnest)   %10.0f events/s  (%lld batches, avg %.0f)\n",
        writer, static_cast<long long>(batches),
        batches ? static_cast<double>(kEvents) / static_cast<double>(batches) : 0.0);
    std::printf("  baseline libpq COPY, %d per txn     %10.0f events/s  ratio %.2f\n", kBatch, copy,
                writer / copy);
    std::printf("  baseline multi-row INSERT, %d/txn   %10.0f events/s  ratio %.2f\n", kBatch,
                insert, writer / insert);
    return 0;
  } catch (const std::exception& error) {
    std::fprintf(stderr, "Store_EventPath failed: %s\n", error.what());
    return 1;
  }
}
