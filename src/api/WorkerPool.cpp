#include "WorkerPool.h"

#include <Poco/Logger.h>

#include <algorithm>
#include <exception>

namespace sipbridge::api {

WorkerPool::WorkerPool(int threads, std::size_t queueLimit)
    : queueLimit_(queueLimit), threadCount_(static_cast<std::size_t>(std::max(threads, 1))) {
  for (std::size_t i = 0; i < threadCount_; ++i) threads_.emplace_back([this] { run(); });
}

WorkerPool::~WorkerPool() {
  stop();
}

bool WorkerPool::tryPost(std::function<void()> task) {
  {
    std::lock_guard lock(mutex_);
    // Idle workers take tasks at once; beyond them, queueLimit_ tasks may wait.
    if (stopping_ || running_ + queue_.size() >= threadCount_ + queueLimit_) return false;
    queue_.push_back(std::move(task));
  }
  wake_.notify_one();
  return true;
}

void WorkerPool::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ && threads_.empty()) return;
    stopping_ = true;
  }
  wake_.notify_all();
  for (auto& thread : threads_)
    if (thread.joinable()) thread.join();
  threads_.clear();
}

std::size_t WorkerPool::busy() const {
  std::lock_guard lock(mutex_);
  return queue_.size() + running_;
}

void WorkerPool::run() {
  for (;;) {
    std::function<void()> task;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and everything queued has run
      task = std::move(queue_.front());
      queue_.pop_front();
      ++running_;
    }
    try {
      task();
    } catch (const std::exception& e) {
      Poco::Logger::get("sipbridge.api").error("worker task failed: %s", std::string(e.what()));
    }
    std::lock_guard lock(mutex_);
    --running_;
  }
}

}  // namespace sipbridge::api
