#include "sipbridge/sip/SipStack.h"

#include "Agents.h"
#include "CallTable.h"
#include "CommandQueue.h"
#include "IncomingMessages.h"
#include "LoggingListeners.h"
#include "MessageRequest.h"
#include "Registration.h"
#include "RequestTarget.h"
#include "SofiaLog.h"
#include "SofiaPtr.h"
#include "StrayRequest.h"
#include "SubscriptionTable.h"
#include "TlsTransport.h"
#include "sipbridge/core/Errors.h"

#include <Poco/Logger.h>

#include <sofia-sip/nta_tag.h>
#include <sofia-sip/nua.h>
#include <sofia-sip/nua_tag.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/sip_tag.h>
#include <sofia-sip/su_tag.h>

#include <cctype>
#include <future>
#include <map>
#include <thread>
#include <vector>

namespace sipbridge::sip {

POCO_IMPLEMENT_EXCEPTION(SipError, Poco::RuntimeException, "SIP stack error")

namespace {
Poco::Logger& logger() {
  return Poco::Logger::get("sipbridge.sip");
}

/// The address of record sessions are grouped by for Agents::assign (the domain is
/// case-insensitive, the user part is not).
std::string aorKey(const core::SipAccount& account) {
  std::string domain = account.domain;
  for (char& c : domain) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return account.login + "@" + domain;
}
}  // namespace

/// Everything that lives on the SIP thread. Members below `thread_` are touched only by it.
class SipStack::Impl {
 public:
  Impl(SipConfig config, core::SipListener& listener, core::MessageListener* messages,
       core::SubscriptionListener* subscriptions, core::CallListener* calls)
      : config_(std::move(config)),
        listener_(listener),
        messages_(messages),
        callListener_(calls),
        subscriptionListener_(subscriptions ? *subscriptions : loggingSubscriptions_),
        queue_(config_.commandQueueCapacity) {
    std::promise<void> started;
    auto ready = started.get_future();
    thread_ = std::thread([this, &started] { run(started); });
    try {
      ready.get();
    } catch (...) {
      thread_.join();
      throw;
    }
  }

  ~Impl() {
    try {
      queue_.push(Command([this] { doShutdown(); }), true);
    } catch (const Poco::Exception& e) {
      // The thread cannot be woken: leaving it running beats blocking forever in join().
      logger().critical("cannot stop the SIP thread: %s", e.displayText());
      thread_.detach();
      return;
    }
    thread_.join();
  }

  /// Queues `work`, run on the SIP thread with this object; throws core::Unavailable when
  /// the queue is full, unless `always`. Commands posted by the SIP thread itself (a listener
  /// answering a re-offer, rejecting an incoming call or sending the next DTMF from inside a
  /// report) are always queued: the thread cannot wait for room it makes itself, and dropping
  /// them would leave a call hanging. They are bounded by what the thread reports, not by
  /// other threads.
  template <typename Work>
  void post(Work work, bool always = false) {
    const bool fromSipThread = std::this_thread::get_id() == sipThread_;
    Command command([this, work = std::move(work)]() mutable { work(*this); });
    if (!queue_.push(std::move(command), always || fromSipThread))
      throw core::Unavailable("the SIP stack's command queue is full");
  }

 private:
  void run(std::promise<void>& started) {
    sipThread_ = std::this_thread::get_id();  // published to other threads by `started`
    routeSofiaLog();  // before the TLS transport, which takes tport's log over while it lives
    try {
      if (config_.tls.enabled()) tls_ = std::make_unique<TlsTransport>(config_.tls);
    } catch (...) {
      started.set_exception(std::current_exception());
      return;
    }
    if (su_init() != 0) {
      started.set_exception(std::make_exception_ptr(SipError("su_init failed")));
      return;
    }
    root_.reset(su_root_create(this));
    if (root_) su_root_threading(root_.get(), 0);  // nua's stack runs on this thread too
    su_wait_t wait = SU_WAIT_INIT;
    const bool waitOk = root_ && su_wait_create(&wait, queue_.fd(), SU_WAIT_IN) == 0;
    waitIndex_ = waitOk ? su_root_register(root_.get(), &wait, &Impl::commandsReady, this, 0) : -1;
    if (waitIndex_ < 0) {
      if (waitOk) su_wait_destroy(&wait);
      root_.reset();
      su_deinit();
      started.set_exception(std::make_exception_ptr(SipError("cannot create the su_root")));
      return;
    }
    try {
      agents_ = std::make_unique<Agents>(root_.get(), config_, tls_ ? tls_->tags() : nullptr,
                                         &Impl::nuaEvent, this);
    } catch (const SipError&) {
      su_root_deregister(root_.get(), waitIndex_);
      root_.reset();
      su_deinit();
      started.set_exception(std::current_exception());
      return;
    }
    bindingCheck_.live = [this](const std::string& user) { return contactUsers_.count(user) > 0; };
    bindingCheck_.ports = agents_->fixedPorts();
    incoming_ = std::make_unique<IncomingMessages>(root_.get(), config_, messages_);
    presence_ = std::make_unique<SubscriptionTable>(config_, subscriptionListener_, graveyard_);
    if (callListener_)
      calls_ = std::make_unique<CallTable>(root_.get(), config_, *callListener_, graveyard_);
    logger().information("SIP stack listening on %s (%z ports, one per session of a user)",
                         config_.bindUrl, agents_->size());
    started.set_value();

    su_root_run(root_.get());

    incoming_.reset();
    calls_.reset();
    outgoing_.clear();
    presence_.reset();
    registrations_.clear();
    contactUsers_.clear();
    graveyard_.clear();
    agents_.reset();
    shutdownTimer_.reset();
    su_root_deregister(root_.get(), waitIndex_);  // also destroys the wait object
    root_.reset();
    tls_.reset();
    su_deinit();
  }

  static int commandsReady(su_root_magic_t*, su_wait_t*, su_wakeup_arg_t* arg) {
    auto* self = static_cast<Impl*>(arg);
    for (Command& command : self->queue_.takeAll()) command();
    self->graveyard_.clear();
    return 0;
  }

 public:
  // The commands: each runs on the SIP thread, queued there by the public methods of SipStack.

  /// Queues `work`, run on the SIP thread with the call table (not run without a call
  /// listener).
  template <typename Work>
  void postToCalls(Work work) {
    post([work = std::move(work)](Impl& impl) mutable {
      if (impl.calls_) work(*impl.calls_);
    });
  }

  /// Queues `work`, run on the SIP thread with the subscription and publication table.
  template <typename Work>
  void postToPresence(Work work) {
    post([work = std::move(work)](Impl& impl) mutable { work(*impl.presence_); });
  }

  void doAnswerMessage(std::uint64_t transactionId, int status, const std::string& reason) {
    incoming_->answer(transactionId, status, reason);
  }

  void doSubscribe(core::SubscribeRequest request) {
    const Registration* registration = registrationOf(request.sessionId);
    presence_->subscribe(registration ? registration->nua() : nullptr,
                         registration ? &registration->account() : nullptr, std::move(request),
                         shuttingDown_);
  }

  void doPublish(core::PublishRequest request) {
    const Registration* registration = registrationOf(request.sessionId);
    presence_->publish(registration ? registration->nua() : nullptr,
                       registration ? &registration->account() : nullptr, std::move(request),
                       shuttingDown_);
  }

  void doCall(core::OutgoingCall call) {
    if (!calls_) return;
    const Registration* registration = registrationOf(call.sessionId);
    calls_->call(registration ? registration->nua() : nullptr,
                 registration ? &registration->account() : nullptr, std::move(call));
  }

  void doRegister(core::SipAccount account) {
    if (shuttingDown_) return;
    const std::string sessionId = account.sessionId;
    retire(sessionId);
    const auto agent = agents_->assign(aorKey(account), sessionId);
    if (!agent) {
      logger().warning("session %s: %z sessions of %s already, refusing another", sessionId,
                       agents_->size(), aorKey(account));
      listener_.onRegistration(sessionId, {core::RegistrationResult::State::Failed, 0,
                                           "this SIP user has " + std::to_string(agents_->size()) +
                                               " sessions on this node already, the most allowed "
                                               "(sip.maxSessionsPerUser)"});
      return;
    }
    auto registration = std::make_unique<Registration>(
        agents_->at(*agent), root_.get(), config_, listener_, std::move(account), bindingCheck_,
        tls_.get(), [this](Registration& finished) { retire(finished.account().sessionId); });
    Registration& added = *registration;
    contactUsers_[added.account().contactUser] = sessionId;
    registrations_[sessionId] = std::move(registration);
    added.start();
  }

  /// Also ends the session's calls and subscriptions and withdraws its publications, quietly.
  void doUnregister(const std::string& sessionId) {
    if (calls_) calls_->endSession(sessionId);
    presence_->endSession(sessionId);
    auto found = registrations_.find(sessionId);
    if (found != registrations_.end()) found->second->stop();
  }

  const Registration* registrationOf(const std::string& sessionId) const {
    auto found = registrations_.find(sessionId);
    return found == registrations_.end() ? nullptr : found->second.get();
  }

  void doSendMessage(core::OutgoingMessage message) {
    core::MessageListener& listener = messages_ ? *messages_ : loggingListener_;
    auto found = registrations_.find(message.sessionId);
    if (shuttingDown_ || found == registrations_.end() ||
        outgoing_.size() >= config_.maxOutgoingMessages) {
      const bool known = !shuttingDown_ && found != registrations_.end();
      listener.onMessageOutcome({message.sessionId, message.requestId, known ? 503 : 0,
                                 known           ? "too many messages in flight"
                                 : shuttingDown_ ? "SIP stack shutting down"
                                                 : "session has no SIP account"});
      return;
    }
    auto request = std::make_unique<MessageRequest>(
        found->second->nua(), config_, listener, found->second->account(), std::move(message),
        [this](MessageRequest& finished) { retire(finished); });
    MessageRequest& added = *request;
    outgoing_.emplace(&added, std::move(request));
    added.start();
  }

  void doShutdown() {
    if (shuttingDown_) return;
    shuttingDown_ = true;
    presence_->silence();
    if (calls_) calls_->shutdown();
    incoming_->answerAll(SIP_503_SERVICE_UNAVAILABLE);
    // Handles without a binding have nothing to remove; left to nua_shutdown, one whose
    // credentials the server refuses waits for an authentication that never comes, and the
    // shutdown runs into its deadline.
    std::vector<std::string> unbound;
    for (const auto& [sessionId, registration] : registrations_)
      if (!registration->isRegistered()) unbound.push_back(sessionId);
    for (const auto& sessionId : unbound) retire(sessionId);
    shutdownTimer_.reset(su_timer_create(su_root_task(root_.get()), 0));
    if (!shutdownTimer_ || su_timer_set_interval(shutdownTimer_.get(), &Impl::shutdownTimeout, this,
                                                 config_.shutdownTimeoutMs) != 0) {
      logger().error("cannot arm the shutdown timer");
    }
    agents_->shutdown();
  }

 private:
  /// Forgets a finished MESSAGE; the object dies after the current callback.
  void retire(MessageRequest& request) {
    auto found = outgoing_.find(&request);
    if (found == outgoing_.end()) return;
    graveyard_.push_back(std::move(found->second));
    outgoing_.erase(found);
  }

  /// Forgets a session's registration; the object dies after the current callback.
  void retire(const std::string& sessionId) {
    auto found = registrations_.find(sessionId);
    if (found == registrations_.end()) return;
    contactUsers_.erase(found->second->account().contactUser);
    agents_->release(sessionId);
    graveyard_.push_back(std::move(found->second));
    registrations_.erase(found);
  }

  static void shutdownTimeout(su_root_magic_t*, su_timer_t*, su_timer_arg_t* arg) {
    auto* self = static_cast<Impl*>(arg);
    logger().warning("nua shutdown timed out");
    su_root_break(self->root_.get());
  }

  static void nuaEvent(nua_event_t event, int status, char const* phrase, nua_t* nua,
                       nua_magic_t* magic, nua_handle_t* nh, nua_hmagic_t* hmagic, sip_t const* sip,
                       tagi_t tags[]) {
    auto* self = static_cast<Impl*>(magic);
    try {
      self->processEvent(nua, event, status, phrase, nh, static_cast<HandleContext*>(hmagic), sip,
                         tags);
    } catch (const std::exception& e) {
      logger().error("nua event %s: %s", std::string(nua_event_name(event)), std::string(e.what()));
    }
    self->graveyard_.clear();
  }

  void processEvent(nua_t* nua, nua_event_t event, int status, const char* phrase, nua_handle_t* nh,
                    HandleContext* context, const sip_t* sip, const tagi_t* tags) {
    switch (event) {
      case nua_r_shutdown:
        if (status >= 200 && agents_->shutDown(nua)) su_root_break(root_.get());
        break;
      case nua_i_message:
        incoming_->receive(nua, nh, context == nullptr, sip, targetOf(sip));
        break;
      case nua_i_invite:
        if (context && !context->answers(event)) {
          refuseRequest(nua, nh, event, status, false);
        } else if (context) {
          context->onTaggedNuaEvent(event, status, phrase, sip, tags);
        } else if (calls_ && targetOf(sip).kind == IncomingMessages::Target::Kind::Registered) {
          calls_->incoming(nua, nh, registrations_.at(targetOf(sip).sessionId)->account(), sip);
        } else {
          refuseInvite(nua, nh, targetOf(sip).kind);
        }
        break;
      default:
        if (isRequestEvent(event) && (!context || (status < 200 && !context->answers(event)))) {
          refuseRequest(nua, nh, event, status, !context);
        } else if (context) {
          context->onTaggedNuaEvent(event, status, phrase, sip, tags);
        } else if (status >= 300 && event != nua_i_state) {
          logger().debug("nua event %s: %d %s", std::string(nua_event_name(event)), status,
                         std::string(phrase ? phrase : ""));
        }
        break;
    }
  }

  IncomingMessages::Target targetOf(const sip_t* sip) const {
    return requestTarget(sip, contactUsers_, registrations_);
  }

  const SipConfig config_;
  core::SipListener& listener_;
  core::MessageListener* messages_;   ///< null: incoming MESSAGEs answered 480
  core::CallListener* callListener_;  ///< null: incoming INVITEs refused, no calls
  LoggingMessageListener loggingListener_;
  LoggingSubscriptionListener loggingSubscriptions_;
  core::SubscriptionListener& subscriptionListener_;
  CommandQueue queue_;
  std::thread::id sipThread_;  ///< set by the SIP thread before the constructor returns
  std::thread thread_;

  std::unique_ptr<TlsTransport> tls_;  ///< null without SIP over TLS; outlives the agents
  SuRootPtr root_;
  int waitIndex_ = -1;              ///< registration of the queue's eventfd on root_
  std::unique_ptr<Agents> agents_;  ///< the nua instances; destroyed after their shutdown
  SuTimerPtr shutdownTimer_;
  bool shuttingDown_ = false;
  std::map<std::string, std::unique_ptr<Registration>> registrations_;  ///< by session id
  std::map<std::string, std::string> contactUsers_;  ///< contact user -> session id
  BindingCheck bindingCheck_;  ///< which bindings of a user are this node's, left behind
  std::unique_ptr<IncomingMessages> incoming_;  ///< lives while the agents do
  std::unique_ptr<CallTable> calls_;  ///< lives while the agents do; null without a listener
  std::map<MessageRequest*, std::unique_ptr<MessageRequest>> outgoing_;
  std::unique_ptr<SubscriptionTable> presence_;  ///< lives while the agents do
  std::vector<std::unique_ptr<HandleContext>> graveyard_;
};

SipStack::SipStack(SipConfig config, core::SipListener& listener, core::MessageListener& messages,
                   core::SubscriptionListener& subscriptions, core::CallListener& calls)
    : impl_(
          std::make_unique<Impl>(std::move(config), listener, &messages, &subscriptions, &calls)) {}

SipStack::SipStack(SipConfig config, core::SipListener& listener, core::MessageListener& messages,
                   core::SubscriptionListener& subscriptions)
    : impl_(std::make_unique<Impl>(std::move(config), listener, &messages, &subscriptions,
                                   nullptr)) {}

SipStack::SipStack(SipConfig config, core::SipListener& listener, core::MessageListener& messages)
    : impl_(std::make_unique<Impl>(std::move(config), listener, &messages, nullptr, nullptr)) {}

SipStack::SipStack(SipConfig config, core::SipListener& listener)
    : impl_(std::make_unique<Impl>(std::move(config), listener, nullptr, nullptr, nullptr)) {}

SipStack::~SipStack() = default;

void SipStack::registerAccount(const core::SipAccount& account) {
  impl_->post([account](Impl& impl) mutable { impl.doRegister(std::move(account)); });
}

void SipStack::unregister(const std::string& sessionId) {
  impl_->post([sessionId](Impl& impl) { impl.doUnregister(sessionId); });
}

void SipStack::sendMessage(const core::OutgoingMessage& message) {
  impl_->post([message](Impl& impl) mutable { impl.doSendMessage(std::move(message)); });
}

void SipStack::answerMessage(std::uint64_t transactionId, int status, const std::string& reason) {
  impl_->post([transactionId, status,
               reason](Impl& impl) { impl.doAnswerMessage(transactionId, status, reason); },
              true);
}

void SipStack::subscribe(const core::SubscribeRequest& request) {
  impl_->post([request](Impl& impl) mutable { impl.doSubscribe(std::move(request)); });
}

void SipStack::unsubscribe(const std::string& sessionId, std::uint64_t subscriptionId) {
  impl_->postToPresence([sessionId, subscriptionId](SubscriptionTable& presence) {
    presence.unsubscribe(sessionId, subscriptionId);
  });
}

void SipStack::publish(const core::PublishRequest& request) {
  impl_->post([request](Impl& impl) mutable { impl.doPublish(std::move(request)); });
}

void SipStack::call(const core::OutgoingCall& call) {
  impl_->post([call](Impl& impl) mutable { impl.doCall(std::move(call)); });
}

void SipStack::answerCall(const std::string& sessionId, const std::string& callId,
                          const std::string& sdp) {
  impl_->postToCalls(
      [sessionId, callId, sdp](CallTable& calls) { calls.answer(sessionId, callId, sdp); });
}

void SipStack::rejectReoffer(const std::string& sessionId, const std::string& callId, int status) {
  impl_->postToCalls([sessionId, callId, status](CallTable& calls) {
    calls.rejectReoffer(sessionId, callId, status);
  });
}

void SipStack::hangupCall(const std::string& sessionId, const std::string& callId,
                          int rejectStatus) {
  impl_->postToCalls([sessionId, callId, rejectStatus](CallTable& calls) {
    calls.hangup(sessionId, callId, rejectStatus);
  });
}

void SipStack::reinvite(const std::string& sessionId, const std::string& callId,
                        const std::string& sdp) {
  impl_->postToCalls(
      [sessionId, callId, sdp](CallTable& calls) { calls.reinvite(sessionId, callId, sdp); });
}

void SipStack::refer(const std::string& sessionId, const std::string& callId,
                     const std::string& targetUri) {
  impl_->postToCalls([sessionId, callId, targetUri](CallTable& calls) {
    calls.refer(sessionId, callId, targetUri);
  });
}

void SipStack::endRefer(const std::string& sessionId, const std::string& callId, int status,
                        const std::string& reason) {
  impl_->postToCalls([sessionId, callId, status, reason](CallTable& calls) {
    calls.endRefer(sessionId, callId, status, reason);
  });
}

void SipStack::info(const std::string& sessionId, const std::string& callId,
                    const std::string& contentType, const std::string& body) {
  impl_->postToCalls([sessionId, callId, contentType, body](CallTable& calls) {
    calls.info(sessionId, callId, contentType, body);
  });
}

}  // namespace sipbridge::sip
