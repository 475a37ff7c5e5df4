// The public command methods of SipStack: each builds a Command and queues it for the SIP
// thread (SipStack::post); the thread itself is in SipStack.cpp.
#include "CommandQueue.h"
#include "sipbridge/sip/SipStack.h"

namespace sipbridge::sip {

void SipStack::registerAccount(const core::SipAccount& account) {
  Command command;
  command.kind = Command::Kind::Register;
  command.account = account;
  post(std::move(command));
}

void SipStack::unregister(const std::string& sessionId) {
  Command command;
  command.kind = Command::Kind::Unregister;
  command.sessionId = sessionId;
  post(std::move(command));
}

void SipStack::sendMessage(const core::OutgoingMessage& message) {
  Command command;
  command.kind = Command::Kind::SendMessage;
  command.message = message;
  post(std::move(command));
}

void SipStack::answerMessage(std::uint64_t transactionId, int status, const std::string& reason) {
  Command command;
  command.kind = Command::Kind::AnswerMessage;
  command.transactionId = transactionId;
  command.status = status;
  command.reason = reason;
  post(std::move(command), true);
}

void SipStack::subscribe(const core::SubscribeRequest& request) {
  Command command;
  command.kind = Command::Kind::Subscribe;
  command.subscribe = request;
  post(std::move(command));
}

void SipStack::unsubscribe(const std::string& sessionId, std::uint64_t subscriptionId) {
  Command command;
  command.kind = Command::Kind::Unsubscribe;
  command.sessionId = sessionId;
  command.subscriptionId = subscriptionId;
  post(std::move(command));
}

void SipStack::publish(const core::PublishRequest& request) {
  Command command;
  command.kind = Command::Kind::Publish;
  command.publish = request;
  post(std::move(command));
}

namespace {
Command callCommand(Command::Kind kind, const std::string& sessionId, const std::string& callId,
                    const std::string& body) {
  Command command;
  command.kind = kind;
  command.sessionId = sessionId;
  command.callId = callId;
  command.body = body;
  return command;
}
}  // namespace

void SipStack::call(const core::OutgoingCall& call) {
  Command command;
  command.kind = Command::Kind::Call;
  command.call = call;
  post(std::move(command));
}

void SipStack::answerCall(const std::string& sessionId, const std::string& callId,
                          const std::string& sdp) {
  post(callCommand(Command::Kind::AnswerCall, sessionId, callId, sdp));
}

void SipStack::rejectReoffer(const std::string& sessionId, const std::string& callId, int status) {
  Command command = callCommand(Command::Kind::RejectReoffer, sessionId, callId, "");
  command.status = status;
  post(std::move(command));
}

void SipStack::hangupCall(const std::string& sessionId, const std::string& callId,
                          int rejectStatus) {
  Command command = callCommand(Command::Kind::HangupCall, sessionId, callId, "");
  command.status = rejectStatus;
  post(std::move(command));
}

void SipStack::reinvite(const std::string& sessionId, const std::string& callId,
                        const std::string& sdp) {
  post(callCommand(Command::Kind::Reinvite, sessionId, callId, sdp));
}

void SipStack::refer(const std::string& sessionId, const std::string& callId,
                     const std::string& targetUri) {
  post(callCommand(Command::Kind::Refer, sessionId, callId, targetUri));
}

void SipStack::endRefer(const std::string& sessionId, const std::string& callId, int status,
                        const std::string& reason) {
  Command command = callCommand(Command::Kind::EndRefer, sessionId, callId, "");
  command.status = status;
  command.reason = reason;
  post(std::move(command));
}

void SipStack::info(const std::string& sessionId, const std::string& callId,
                    const std::string& contentType, const std::string& body) {
  Command command = callCommand(Command::Kind::Info, sessionId, callId, body);
  command.contentType = contentType;
  post(std::move(command));
}

}  // namespace sipbridge::sip
