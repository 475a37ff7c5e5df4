#include "CommandQueue.h"

#include "sipbridge/sip/SipStack.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>

namespace sipbridge::sip {

CommandQueue::CommandQueue(std::size_t capacity)
    : capacity_(capacity), fd_(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
  if (fd_ < 0) throw SipError("eventfd failed", std::strerror(errno));
}

CommandQueue::~CommandQueue() {
  ::close(fd_);
}

bool CommandQueue::push(Command command, bool force) {
  {
    std::lock_guard lock(mutex_);
    if (!force && commands_.size() >= capacity_) return false;
    commands_.push_back(std::move(command));
  }
  const std::uint64_t one = 1;
  // EAGAIN means the counter is saturated, i.e. a wake-up is pending anyway.
  if (::write(fd_, &one, sizeof one) < 0 && errno != EAGAIN)
    throw SipError("cannot wake the SIP thread", std::strerror(errno));
  return true;
}

std::deque<Command> CommandQueue::takeAll() {
  std::uint64_t counter = 0;
  // Non-blocking: EAGAIN only means no wake-up was pending.
  if (::read(fd_, &counter, sizeof counter) < 0 && errno != EAGAIN) counter = 0;
  std::lock_guard lock(mutex_);
  std::deque<Command> taken;
  taken.swap(commands_);
  return taken;
}

}  // namespace sipbridge::sip
