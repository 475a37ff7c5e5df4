#pragma once

#include "SofiaPtr.h"
#include "sipbridge/core/SipMessaging.h"
#include "sipbridge/sip/SipConfig.h"

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>

namespace sipbridge::sip {

/// The answer to a request for a contact no registered session holds (a session that ended,
/// or one of a previous run of the node whose binding the registrar still has): a 5xx,
/// because a proxy forking to every contact of a user picks the lowest class of the final
/// answers (RFC 3261 16.7), so a stale binding never hides what a live session answered
/// (486, 415, ...); and 500 rather than 503, which proxies do not pass on.
inline constexpr int kContactGone = 500;
inline constexpr const char* kContactGonePhrase = "Contact Gone";

/// Incoming MESSAGE requests between nua_i_message and answerMessage. Each waiting request
/// keeps its saved nua event (nua_save_event) and its handle in a bounded map keyed by a
/// transaction id; the MessageListener gets the request, and answer() responds with
/// NUTAG_WITH_SAVED and frees both. Requests left unanswered longer than
/// config.pendingMessageTimeoutMs are answered 500 by a periodic sweep. SIP thread only.
class IncomingMessages {
 public:
  /// Who the Request-URI names, as far as SipStack knows.
  struct Target {
    enum class Kind {
      Unknown,     ///< no user part: not a contact of this node
      Gone,        ///< a user part no registered session holds (ended, or of a previous run)
      Registered,  ///< the contact of a registered session
    };
    Kind kind = Kind::Unknown;
    std::string sessionId;
  };

  /// `listener` may be null: then every MESSAGE for a registered session is answered 480
  /// at once. Starts the sweep timer on `root`.
  IncomingMessages(su_root_t* root, const SipConfig& config, core::MessageListener* listener);
  /// Frees what is still waiting without answering; call answerAll() while nua still runs.
  ~IncomingMessages();
  IncomingMessages(const IncomingMessages&) = delete;
  IncomingMessages& operator=(const IncomingMessages&) = delete;

  /// nua_i_message inside the callback of `nua`, the agent that received it. `handle` is
  /// destroyed after the answer when `ownsHandle` (a handle nua made for this request).
  /// Unknown targets get 404, gone ones kContactGone, a full map 503; otherwise
  /// the listener is called.
  void receive(nua_t* nua, nua_handle_t* handle, bool ownsHandle, const sip_t* sip,
               const Target& target);
  /// Responds to a waiting request; unknown or already answered ids are ignored. A status
  /// outside 200..699 becomes 500; control characters are dropped from the reason; a 503
  /// carries Retry-After (config.retryAfterSeconds).
  void answer(std::uint64_t transactionId, int status, const std::string& reason);
  /// Answers everything still waiting (at shutdown).
  void answerAll(int status, const char* phrase);

  std::size_t waiting() const { return pending_.size(); }

 private:
  struct Pending;
  using Clock = std::chrono::steady_clock;

  const char* phraseFor(int status, const std::string& reason);
  void respondNow(nua_t* nua, nua_handle_t* handle, bool ownsHandle, int status,
                  const char* phrase);
  void finish(std::map<std::uint64_t, std::unique_ptr<Pending>>::iterator entry, int status,
              const char* phrase);
  static void sweep(su_root_magic_t*, su_timer_t*, su_timer_arg_t* arg);

  const SipConfig& config_;
  core::MessageListener* listener_;
  SuTimerPtr sweepTimer_;
  std::uint64_t nextId_ = 1;
  std::map<std::uint64_t, std::unique_ptr<Pending>> pending_;  ///< ids grow with arrival
  /// nua_respond keeps the phrase pointer until the stack processes the answer later, so
  /// reason phrases other than the standard ones live here (bounded: kMaxPhrases).
  std::set<std::string> phrases_;
};

}  // namespace sipbridge::sip
