#pragma once

#include "sipbridge/core/SipCalls.h"
#include "sipbridge/core/SipGateway.h"
#include "sipbridge/core/SipMessaging.h"
#include "sipbridge/core/SipSubscriptions.h"

#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>

namespace sipbridge::sip {

/// Work posted to the SIP thread.
struct Command {
  enum class Kind {
    Register,
    Unregister,
    SendMessage,
    AnswerMessage,
    Subscribe,
    Unsubscribe,
    Publish,
    Call,
    AnswerCall,
    RejectReoffer,
    HangupCall,
    Reinvite,
    Refer,
    EndRefer,
    Info,
    Shutdown
  };
  Kind kind = Kind::Register;
  core::SipAccount account;          ///< Register only
  std::string sessionId;             ///< Unregister, Unsubscribe and the call commands
  core::OutgoingMessage message;     ///< SendMessage only
  std::uint64_t transactionId = 0;   ///< AnswerMessage only
  int status = 0;                    ///< AnswerMessage, HangupCall, RejectReoffer, EndRefer
  std::string reason;                ///< AnswerMessage, EndRefer
  core::SubscribeRequest subscribe;  ///< Subscribe only
  std::uint64_t subscriptionId = 0;  ///< Unsubscribe only
  core::PublishRequest publish;      ///< Publish only
  core::OutgoingCall call;           ///< Call only
  std::string callId;                ///< the call commands but Call
  std::string body;                  ///< AnswerCall, Reinvite: SDP; Refer: target URI; Info: body
  std::string contentType;           ///< Info only
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
  /// unless `force` (used for Shutdown, which must always get through).
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
