// Store_Messages: outgoing message rows/s recorded through store::PgMessageStore::insertOutgoing
// (group commit) beside the former path, one INSERT ... ON CONFLICT DO NOTHING per
// transaction on pooled connections, in the same run on the same private PostgreSQL, with
// N client threads each waiting for its own answer (as HTTP threads do). Also prints the CPU
// the database backends of each run used per 1000 rows (from /proc). Each run writes into
// its own freshly migrated database.
#include "../tests/support/TestEnv.h"
#include "sipbridge/core/MessageStore.h"
#include "sipbridge/store/ConnectionPool.h"
#include "sipbridge/store/Migrations.h"
#include "sipbridge/store/Pg.h"
#include "sipbridge/store/PgArray.h"
#include "sipbridge/store/PgMessageStore.h"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <sstream>
#include <stdexcept>
#include <thread>

using namespace sipbridge;
using Clock = std::chrono::steady_clock;

namespace {

struct Figures {
  double rowsPerSecond = 0;
  double backendCpuMsPer1000 = 0;
};

/// utime + stime of a process in milliseconds (0 when it is gone).
double cpuMs(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(in, line)) return 0;
  std::istringstream fields(line.substr(line.rfind(')') + 2));
  std::string skip;
  for (int i = 0; i < 11; ++i) fields >> skip;  // state .. cmajflt
  double utime = 0, stime = 0;
  fields >> utime >> stime;
  return (utime + stime) * 1000.0 / static_cast<double>(sysconf(_SC_CLK_TCK));
}

/// CPU used so far by every backend connected to the database of `conninfo`.
double backendsCpuMs(const std::string& conninfo) {
  store::PgConnection conn(conninfo);
  auto r = conn.exec(
      "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
      "AND pid <> pg_backend_pid()");
  double total = 0;
  for (int i = 0; i < r.rows(); ++i) total += cpuMs(static_cast<int>(r.int64(i, 0)));
  return total;
}

core::MessageRecord record(int thread, int i) {
  core::MessageRecord m;
  m.sessionId = "bench-s" + std::to_string(thread);
  m.messageId = "m" + std::to_string(i);
  m.appKey = "bench";
  m.nodeId = "bench-node";
  m.peer = "sip:bob@example.test";
  m.contentType = "message/cpim";
  m.imdnMessageIds = {"imdn-" + std::to_string(thread) + "-" + std::to_string(i)};
  m.imdnRequested = true;
  return m;
}

/// `threads` clients, `perThread` inserts each; every insert must answer true.
Figures run(const std::string& conninfo, int threads, int perThread,
            const std::function<bool(const core::MessageRecord&)>& insert) {
  std::atomic<int> wrong{0};
  const auto start = Clock::now();
  std::vector<std::thread> clients;
  for (int t = 0; t < threads; ++t)
    clients.emplace_back([&, t] {
      for (int i = 0; i < perThread; ++i)
        if (!insert(record(t, i))) ++wrong;
    });
  for (auto& client : clients) client.join();
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  if (wrong != 0) throw std::runtime_error("an insert answered false");
  const int rows = threads * perThread;
  return {rows / seconds, backendsCpuMs(conninfo) * 1000.0 / rows};
}

Figures runSingle(test::PgInstance& pg, const std::string& db, int threads, int perThread) {
  auto pool = std::make_shared<store::ConnectionPool>(pg.createDatabase(db), threads);
  store::Migrations::apply(*pool, test::repoRoot() + "/schema");
  return run(pool->conninfo(), threads, perThread, [&](const core::MessageRecord& m) {
    auto conn = pool->acquire();
    return conn->exec(
                   "INSERT INTO messages (session_id, message_id, direction, app_key, node_id, "
                   "peer, content_type, imdn_message_ids, imdn_requested, status, queued_at) "
                   "VALUES ($1, $2, 'outgoing', $3, $4, $5, $6, $7::text[], $8::boolean, "
                   "'QUEUED', now()) ON CONFLICT DO NOTHING",
                   {m.sessionId, m.messageId, m.appKey, m.nodeId, m.peer, m.contentType,
                    store::PgArray::text(m.imdnMessageIds), m.imdnRequested ? "true" : "false"})
               .affected() == 1;
  });
}

Figures runGrouped(test::PgInstance& pg, const std::string& db, int threads, int perThread) {
  auto pool = std::make_shared<store::ConnectionPool>(pg.createDatabase(db), 2);
  store::Migrations::apply(*pool, test::repoRoot() + "/schema");
  store::PgMessageStore messages(pool);
  return run(pool->conninfo(), threads, perThread,
             [&](const core::MessageRecord& m) { return messages.insertOutgoing(m); });
}

}  // namespace

int main() {
  try {
    const bool quick = std::getenv("BENCH_QUICK") != nullptr;
    const int rows = quick ? 800 : 16000;
    test::PgInstance pg;
    std::printf("%-8s %-34s %12s %22s\n", "clients", "method", "rows/s", "backend CPU ms/1000");
    int n = 0;
    for (int threads : {8, 32}) {
      const int perThread = rows / threads;
      const auto single = runSingle(pg, "bench_single_" + std::to_string(n), threads, perThread);
      const auto grouped = runGrouped(pg, "bench_group_" + std::to_string(n), threads, perThread);
      ++n;
      std::printf("%-8d %-34s %12.0f %22.1f\n", threads, "one INSERT per transaction",
                  single.rowsPerSecond, single.backendCpuMsPer1000);
      std::printf("%-8d %-34s %12.0f %22.1f\n", threads, "PgMessageStore (group commit)",
                  grouped.rowsPerSecond, grouped.backendCpuMsPer1000);
    }
    return 0;
  } catch (const std::exception& error) {
    std::fprintf(stderr, "Store_Messages: %s\n", error.what());
    return 1;
  }
}
