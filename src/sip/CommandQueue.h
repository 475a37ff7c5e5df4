#pragma once

#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <type_traits>
#include <utility>

namespace sipbridge::sip {

/// One piece of work for the SIP thread: a move-only callable run there exactly once (or
/// dropped unrun when the stack stops first). Whatever it captures crosses threads by value.
class Command {
 public:
  template <typename Work,
            typename = std::enable_if_t<!std::is_same_v<std::decay_t<Work>, Command>>>
  explicit Command(Work work) : work_(std::make_unique<Model<Work>>(std::move(work))) {}
  Command(Command&&) noexcept = default;
  Command& operator=(Command&&) noexcept = default;

  /// SIP thread only.
  void operator()() { work_->run(); }

 private:
  struct Concept {
    virtual ~Concept() = default;
    virtual void run() = 0;
  };
  template <typename Work>
  struct Model final : Concept {
    explicit Model(Work w) : work(std::move(w)) {}
    void run() override { work(); }
    Work work;
  };
  std::unique_ptr<Concept> work_;
};

/// Bounded multi-producer queue drained by the SIP thread. Every push writes to an eventfd
/// that the SIP thread registers on its su_root, so posting never touches sofia-sip.
class CommandQueue {
 public:
  explicit CommandQueue(std::size_t capacity);
  ~CommandQueue();
  CommandQueue(const CommandQueue&) = delete;
  CommandQueue& operator=(const CommandQueue&) = delete;

  /// Any thread. Returns false (and queues nothing) when `capacity` commands are waiting,
  /// unless `force` (used for the shutdown, which must always get through).
  bool push(Command command, bool force = false);
  /// SIP thread. Clears the eventfd and takes everything queued so far.
  std::deque<Command> takeAll();
  /// The eventfd to register for reading.
  int fd() const { return fd_; }

 private:
  const std::size_t capacity_;
  int fd_;
  std::mutex mutex_;
  std::deque<Command> commands_;
};

}  // namespace sipbridge::sip
