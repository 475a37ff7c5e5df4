#include "sipbridge/hooks/KeepAlivePool.h"

#include <Poco/Exception.h>
#include <Poco/Net/Socket.h>
#include <Poco/Timespan.h>

namespace sipbridge::hooks {
namespace {

/// An idle keep-alive connection must have nothing to read: readable means the peer
/// closed it (or broke the protocol), so it cannot carry another request.
bool looksOpen(Poco::Net::HTTPClientSession& session) {
  try {
    return session.connected() &&
           !session.socket().poll(Poco::Timespan(0),
                                  Poco::Net::Socket::SELECT_READ | Poco::Net::Socket::SELECT_ERROR);
  } catch (const Poco::Exception&) {
    return false;
  }
}

}  // namespace

KeepAlivePool::KeepAlivePool(std::size_t maxIdle, std::chrono::milliseconds idleTimeout)
    : maxIdle_(maxIdle), idleTimeout_(idleTimeout) {}

KeepAlivePool::Session KeepAlivePool::take(const std::string& key) {
  const auto now = std::chrono::steady_clock::now();
  std::deque<Entry> expired;  // closed outside the lock
  Session found;
  {
    std::lock_guard lock(mutex_);
    while (!entries_.empty() && now - entries_.front().since > idleTimeout_) {
      expired.push_back(std::move(entries_.front()));
      entries_.pop_front();
    }
    for (auto it = entries_.rbegin(); it != entries_.rend(); ++it) {
      if (it->key != key) continue;
      found = std::move(it->session);
      entries_.erase(std::next(it).base());
      break;
    }
  }
  if (found && !looksOpen(*found)) found.reset();
  return found;
}

void KeepAlivePool::give(const std::string& key, Session session) {
  if (!session || maxIdle_ == 0) return;
  Entry dropped;
  std::lock_guard lock(mutex_);
  if (entries_.size() >= maxIdle_) {
    dropped = std::move(entries_.front());
    entries_.pop_front();
  }
  entries_.push_back({key, std::move(session), std::chrono::steady_clock::now()});
}

std::size_t KeepAlivePool::idle() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

}  // namespace sipbridge::hooks
