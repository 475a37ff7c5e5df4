#include "sipbridge/store/ConnectionPool.h"

#include "sipbridge/store/StoreError.h"

namespace sipbridge::store {

ConnectionPool::Lease::~Lease() {
  if (conn_) pool_->release(std::move(conn_));
}

ConnectionPool::ConnectionPool(std::string conninfo, int size,
                               std::chrono::milliseconds acquireTimeout)
    : conninfo_(std::move(conninfo)), size_(size < 1 ? 1 : size), acquireTimeout_(acquireTimeout) {}

ConnectionPool::Lease ConnectionPool::acquire() {
  std::unique_lock lock(mutex_);
  auto deadline = std::chrono::steady_clock::now() + acquireTimeout_;
  for (;;) {
    while (!idle_.empty()) {
      std::unique_ptr<PgConnection> conn = std::move(idle_.back());
      idle_.pop_back();
      conn->poll();
      if (conn->healthy()) return Lease(*this, std::move(conn));
      --open_;  // closed by the server while idle (restart): replace it
    }
    if (open_ < size_) {
      ++open_;
      lock.unlock();
      try {
        return Lease(*this, std::make_unique<PgConnection>(conninfo_));
      } catch (...) {
        lock.lock();
        --open_;
        returned_.notify_one();
        throw;
      }
    }
    if (returned_.wait_until(lock, deadline) == std::cv_status::timeout && idle_.empty() &&
        open_ >= size_)
      throw StoreUnavailable("PostgreSQL connection pool exhausted");
  }
}

void ConnectionPool::release(std::unique_ptr<PgConnection> conn) {
  std::lock_guard lock(mutex_);
  if (conn->healthy() && !conn->idleInTransaction())
    idle_.push_back(std::move(conn));
  else
    --open_;
  returned_.notify_one();
}

int ConnectionPool::openConnections() const {
  std::lock_guard lock(mutex_);
  return open_;
}

}  // namespace sipbridge::store
