#pragma once

#include "sipbridge/store/Pg.h"

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace sipbridge::store {

/// A bounded pool of PostgreSQL connections. Thread-safe. Connections are opened lazily
/// on first need and reopened after a failure: a lease whose connection broke is dropped
/// when returned and a fresh one is opened by a later acquire(). Acquiring while the
/// database is down throws StoreUnavailable after at most the connect timeout (2 s unless
/// the conninfo says otherwise).
class ConnectionPool {
 public:
  /// RAII lease: the connection goes back to the pool (or is discarded when broken) when
  /// the lease dies. Use from one thread; do not outlive the pool.
  class Lease {
   public:
    Lease(ConnectionPool& pool, std::unique_ptr<PgConnection> conn)
        : pool_(&pool), conn_(std::move(conn)) {}
    Lease(Lease&& other) noexcept = default;
    Lease& operator=(Lease&&) = delete;
    Lease(const Lease&) = delete;
    ~Lease();
    PgConnection& operator*() const { return *conn_; }
    PgConnection* operator->() const { return conn_.get(); }

   private:
    ConnectionPool* pool_;
    std::unique_ptr<PgConnection> conn_;
  };

  /// `size` is the most connections open at once (>= 1). Nothing is connected here.
  ConnectionPool(std::string conninfo, int size,
                 std::chrono::milliseconds acquireTimeout = std::chrono::seconds(5));
  ConnectionPool(const ConnectionPool&) = delete;
  ConnectionPool& operator=(const ConnectionPool&) = delete;

  /// An idle healthy connection, else a new one while below `size`, else waits up to the
  /// acquire timeout for one to come back. Throws StoreUnavailable when the database cannot
  /// be reached or the pool stays exhausted.
  Lease acquire();

  const std::string& conninfo() const { return conninfo_; }
  /// Connections currently open (idle or leased).
  int openConnections() const;

 private:
  void release(std::unique_ptr<PgConnection> conn);

  const std::string conninfo_;
  const int size_;
  const std::chrono::milliseconds acquireTimeout_;
  mutable std::mutex mutex_;
  std::condition_variable returned_;
  std::vector<std::unique_ptr<PgConnection>> idle_;
  int open_ = 0;
};

}  // namespace sipbridge::store
