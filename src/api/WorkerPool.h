#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace sipbridge::api {

/// A fixed set of threads running tasks that may block (route handlers that wait for a hook
/// or a commit), fed by a bounded queue. Thread-safe.
class WorkerPool {
 public:
  /// Starts `threads` workers; at most `queueLimit` tasks wait when every worker is busy.
  WorkerPool(int threads, std::size_t queueLimit);
  /// Stops (see stop()).
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  /// Queues `task`; false (and the task is not run) when the queue is full or stopping.
  bool tryPost(std::function<void()> task);
  /// Runs what is queued, then joins the threads. Idempotent.
  void stop();
  /// Tasks queued or running now.
  std::size_t busy() const;

 private:
  void run();

  const std::size_t queueLimit_;
  const std::size_t threadCount_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> queue_;
  std::size_t running_ = 0;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace sipbridge::api
