#include "sipbridge/api/MethodRegistry.h"
#include "sipbridge/api/MethodRequests.h"

namespace sipbridge::api {
namespace {

using core::SessionPtr;
using Json = Poco::JSON::Object;

Json::Ptr object() {
  return new Json;
}

Json::Ptr callReply(const core::CallResult& result) {
  auto out = object();
  out->set("callId", result.callId);
  if (!result.status.empty()) out->set("status", result.status);
  if (!result.target.empty()) out->set("target", result.target);
  if (!result.dtmf.empty()) out->set("dtmf", result.dtmf);
  return out;
}

/// Adds a call method whose reply is its CallResult.
template <class Request>
void addCallMethod(MethodRegistry& methods, const std::string& name,
                   std::function<Request(const Json&)> parse,
                   std::function<core::CallResult(const SessionPtr&, const Request&)> run) {
  methods.add<Request>({name, name, false}, std::move(parse),
                       [run = std::move(run)](const SessionPtr& session, const Request& request) {
                         return callReply(run(session, request));
                       });
}

void addMessagingMethods(MethodRegistry& methods, core::BridgeService& service) {
  struct NoFields {};
  methods.add<NoFields>(
      {"disconnect", "disconnect", false},
      [](const Json& body) {
        RequestFields(body, "disconnect").only({});
        return NoFields{};
      },
      [&service](const SessionPtr& session, const NoFields&) {
        service.disconnect(session, "disconnected by the client");
        auto out = object();
        out->set("status", "DISCONNECTED");
        return out;
      });
  methods.add<core::SendMessage>({"sendMessage", "sendMessage", false}, parseSendMessage,
                                 [&service](const SessionPtr& session, const auto& request) {
                                   auto out = object();
                                   out->set("id", service.sendMessage(session, request));
                                   out->set("status", "QUEUED");
                                   return out;
                                 });
  methods.add<core::SendImdn>({"sendIMDN", "sendIMDN", false}, parseSendImdn,
                              [&service](const SessionPtr& session, const auto& request) {
                                service.sendImdn(session, request);
                                auto out = object();
                                out->set("messageId", request.messageId);
                                return out;
                              });
  methods.add<core::SendData>(
      {"sendData", "sendData", false}, [](const Json& body) { return parseSendData(body, true); },
      [&service](const SessionPtr& session, const auto& request) {
        auto out = object();
        out->set("operationId", service.sendData(session, request));
        return out;
      });
}

void addPresenceMethods(MethodRegistry& methods, core::BridgeService& service) {
  methods.add<core::Subscribe>({"subscribe", "subscribe", false}, parseSubscribe,
                               [&service](const SessionPtr& session, const auto& request) {
                                 const auto result = service.subscribe(session, request);
                                 auto out = object();
                                 out->set("subscriptionId", result.subscriptionId);
                                 out->set("event", result.event);
                                 out->set("to", result.to);
                                 return out;
                               });
  methods.add<core::Publish>({"publish", "publish", true}, parsePublish,
                             [&service](const SessionPtr& session, const auto& request) {
                               auto out = object();
                               out->set("publicationId", service.publish(session, request));
                               return out;
                             });
  methods.add<core::SendXcapRequest>({"sendXcapRequest", "sendXcapRequest", false},
                                     parseSendXcapRequest,
                                     [&service](const SessionPtr& session, const auto& request) {
                                       auto out = object();
                                       out->set("id", service.sendXcapRequest(session, request));
                                       return out;
                                     });
}

void addCallMethods(MethodRegistry& methods, core::BridgeService& service) {
  addCallMethod<core::PlaceCall>(
      methods, "call", parseCall,
      [&service](const SessionPtr& s, const core::PlaceCall& r) { return service.call(s, r); });
  addCallMethod<core::Answer>(
      methods, "answer", parseAnswer,
      [&service](const SessionPtr& s, const core::Answer& r) { return service.answer(s, r); });
  addCallMethod<core::Hangup>(
      methods, "hangup", parseHangup,
      [&service](const SessionPtr& s, const core::Hangup& r) { return service.hangup(s, r); });
  addCallMethod<core::Hold>(
      methods, "hold", [](const Json& body) { return parseHold(body, "hold"); },
      [&service](const SessionPtr& s, const core::Hold& r) { return service.hold(s, r); });
  addCallMethod<core::Hold>(
      methods, "unhold", [](const Json& body) { return parseHold(body, "unhold"); },
      [&service](const SessionPtr& s, const core::Hold& r) { return service.unhold(s, r); });
  addCallMethod<core::Transfer>(
      methods, "transfer", parseTransfer,
      [&service](const SessionPtr& s, const core::Transfer& r) { return service.transfer(s, r); });
  addCallMethod<core::SendDtmf>(
      methods, "sendDTMF", parseSendDtmf,
      [&service](const SessionPtr& s, const core::SendDtmf& r) { return service.sendDtmf(s, r); });
}

}  // namespace

void registerClientMethods(MethodRegistry& methods, core::BridgeService& service) {
  addMessagingMethods(methods, service);
  addPresenceMethods(methods, service);
  addCallMethods(methods, service);
}

}  // namespace sipbridge::api
