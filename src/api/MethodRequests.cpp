#include "sipbridge/api/MethodRequests.h"

#include "sipbridge/core/Errors.h"
#include "sipbridge/core/Validation.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Stringifier.h>
#include <Poco/String.h>
#include <Poco/StringTokenizer.h>

#include <cctype>
#include <sstream>
#include <vector>

namespace sipbridge::api {
namespace {

using core::invalidField;

/// An event package name (RFC 6665 token) of at most 64 characters.
bool isToken(const std::string& s) {
  if (s.empty() || s.size() > 64) return false;
  for (unsigned char c : s)
    if (!std::isalnum(c) && c != '-' && c != '.' && c != '!' && c != '%' && c != '*' && c != '_' &&
        c != '+' && c != '`' && c != '\'' && c != '~')
      return false;
  return true;
}

std::vector<std::string> recipientList(const Poco::JSON::Object& json) {
  std::vector<std::string> out;
  const auto value = json.get("recipients");
  if (value.isEmpty()) return out;
  if (value.isString()) {
    Poco::StringTokenizer tokens(
        value.extract<std::string>(), ",",
        Poco::StringTokenizer::TOK_TRIM | Poco::StringTokenizer::TOK_IGNORE_EMPTY);
    out.assign(tokens.begin(), tokens.end());
    return out;
  }
  if (value.type() != typeid(Poco::JSON::Array::Ptr))
    throw invalidField("recipients", "recipients must be a comma-separated string or an array");
  for (const auto& item : *value.extract<Poco::JSON::Array::Ptr>()) {
    if (!item.isString()) throw invalidField("recipients", "recipients must be strings");
    out.push_back(item.extract<std::string>());
  }
  return out;
}

/// Refuses a payload whose strings, member names included, hold a NUL or invalid UTF-8: the
/// event store (jsonb) cannot keep them. Walks without recursion.
void checkPayloadText(const Poco::Dynamic::Var& payload) {
  const auto refuse = [] {
    throw invalidField("payload", "payload strings must be UTF-8 text without NUL characters");
  };
  std::vector<Poco::Dynamic::Var> pending{payload};
  while (!pending.empty()) {
    const Poco::Dynamic::Var value = std::move(pending.back());
    pending.pop_back();
    if (value.type() == typeid(Poco::JSON::Object::Ptr)) {
      const auto object = value.extract<Poco::JSON::Object::Ptr>();
      if (!object) continue;
      for (const auto& [key, member] : *object) {
        if (!core::isUtf8Text(key)) refuse();
        pending.push_back(member);
      }
    } else if (value.type() == typeid(Poco::JSON::Array::Ptr)) {
      const auto array = value.extract<Poco::JSON::Array::Ptr>();
      if (!array) continue;
      for (const auto& item : *array) pending.push_back(item);
    } else if (value.isString() && !core::isUtf8Text(value.extract<std::string>())) {
      refuse();
    }
  }
}

/// inviteParameters as Request-URI parameters ";a=b;c": from a string "a=b;c" (a leading
/// ';' is accepted) or an object of strings; "" when absent.
std::string inviteParameters(const Poco::JSON::Object& json) {
  const std::string field = "inviteParameters";
  const auto value = json.get(field);
  if (value.isEmpty()) return {};
  std::string params;
  if (value.isString()) {
    params = value.extract<std::string>();
    if (params.empty()) return {};
    if (params.front() != ';') params.insert(params.begin(), ';');
  } else if (value.type() == typeid(Poco::JSON::Object::Ptr)) {
    for (const auto& [name, v] : *value.extract<Poco::JSON::Object::Ptr>()) {
      if (!v.isString()) throw invalidField(field, field + " values must be strings");
      const auto s = v.extract<std::string>();
      params += ";" + name + (s.empty() ? "" : "=" + s);
    }
    if (params.empty()) return {};
  } else {
    throw invalidField(field, field + " must be a string \"a=b;c=d\" or an object of strings");
  }
  if (params.size() > 512) throw invalidField(field, field + " is longer than 512 bytes");
  if (const auto problem = core::checkUriParams(params); !problem.empty())
    throw invalidField(field, field + " " + problem);
  return params;
}

/// A call id: 1 to kMaxIdBytes printable characters without spaces; "" when absent and not
/// required.
std::string callId(const RequestFields& fields, bool required) {
  const auto id = fields.text("callId", core::kMaxIdBytes, required);
  if (!fields.has("callId")) return id;
  if (id.empty()) throw invalidField("callId", "callId must not be empty");
  if (id.find(' ') != std::string::npos)
    throw invalidField("callId", "callId must not contain spaces");
  return id;
}

/// A required SDP member as a string; its content is checked by core.
std::string sdpText(const Poco::JSON::Object& json) {
  const auto value = json.get("sdp");
  if (value.isEmpty()) throw invalidField("sdp", "sdp is required");
  if (!value.isString()) throw invalidField("sdp", "sdp must be a string");
  return value.extract<std::string>();
}

}  // namespace

RequestFields::RequestFields(const Poco::JSON::Object& json, std::string method)
    : json_(json), method_(std::move(method)) {}

void RequestFields::only(std::initializer_list<const char*> names) const {
  for (const auto& [key, value] : json_) {
    bool known = false;
    for (const char* name : names) known = known || key == name;
    if (!known) throw invalidField(key, key + " is not a " + method_ + " field");
  }
}

bool RequestFields::has(const std::string& name) const {
  return json_.has(name);
}

std::string RequestFields::string(const std::string& name) const {
  const auto value = json_.get(name);
  if (value.isEmpty()) return {};
  if (!value.isString()) throw invalidField(name, name + " must be a string");
  return value.extract<std::string>();
}

std::string RequestFields::text(const std::string& name, std::size_t maxLen, bool required) const {
  const auto value = json_.get(name);
  if (value.isEmpty()) {
    if (required) throw invalidField(name, name + " is required");
    return {};
  }
  if (!value.isString()) throw invalidField(name, name + " must be a string");
  const auto s = value.extract<std::string>();
  if (required && s.empty()) throw invalidField(name, name + " must not be empty");
  if (const auto problem = core::checkHeaderSafe(s, maxLen); !problem.empty())
    throw invalidField(name, name + " " + problem);
  return s;
}

std::optional<bool> RequestFields::flag(const std::string& name) const {
  const auto value = json_.get(name);
  if (value.isEmpty()) return std::nullopt;
  if (!value.isBoolean()) throw invalidField(name, name + " must be true or false");
  return value.extract<bool>();
}

std::optional<std::int64_t> RequestFields::integer(const std::string& name) const {
  const auto value = json_.get(name);
  if (value.isEmpty()) return std::nullopt;
  if (!value.isInteger()) throw invalidField(name, name + " must be an integer");
  return value.convert<std::int64_t>();
}

core::SendMessage parseSendMessage(const Poco::JSON::Object& json) {
  const RequestFields fields(json, "sendMessage");
  fields.only({"id", "to", "body", "contentType", "isImdnRequired", "recipients"});
  core::SendMessage r;
  r.id = fields.string("id");
  if (!r.id.empty() && (!core::checkHeaderSafe(r.id, core::kMaxIdBytes).empty() ||
                        r.id.find_first_of(" <>\"") != std::string::npos))
    throw invalidField("id", "id must be 1 to 128 printable characters without spaces");
  r.contentType = Poco::toLower(fields.string("contentType"));
  if (r.contentType.empty()) r.contentType = "text/plain";
  if (r.contentType != "text/plain" && r.contentType != "message/cpim" &&
      r.contentType != "multipart/mixed")
    throw invalidField("contentType",
                       "contentType must be text/plain, message/cpim or multipart/mixed");
  r.body = fields.string("body");
  if (r.body.empty()) throw invalidField("body", "body is required and may not be empty");
  if (r.body.find('\0') != std::string::npos)
    throw invalidField("body", "body may not contain NUL characters");
  const auto imdn = json.get("isImdnRequired");
  if (!imdn.isEmpty()) {
    if (!imdn.isBoolean()) throw invalidField("isImdnRequired", "isImdnRequired must be a boolean");
    r.isImdnRequired = imdn.extract<bool>();
  }
  if (r.isImdnRequired && r.contentType == "text/plain")
    throw invalidField("isImdnRequired",
                       "isImdnRequired needs contentType message/cpim or multipart/mixed");
  r.to = fields.string("to");
  if (r.to.empty()) throw invalidField("to", "to is required");
  r.recipients = recipientList(json);
  if (r.contentType == "multipart/mixed" && r.recipients.empty())
    throw invalidField("recipients", "multipart/mixed needs at least one recipient");
  if (r.contentType != "multipart/mixed" && !r.recipients.empty())
    throw invalidField("recipients", "recipients are only used with multipart/mixed");
  return r;
}

core::SendImdn parseSendImdn(const Poco::JSON::Object& json) {
  RequestFields(json, "sendIMDN").only({"messageId"});
  const auto value = json.get("messageId");
  if (value.isEmpty() || !value.isString())
    throw invalidField("messageId", "messageId is required (the id of a received message)");
  return {value.extract<std::string>()};
}

core::Subscribe parseSubscribe(const Poco::JSON::Object& json) {
  const RequestFields fields(json, "subscribe");
  fields.only({"event", "expires", "terminate", "to", "accept"});
  core::Subscribe r;
  r.event = fields.text("event", 64);
  if (!isToken(r.event)) throw invalidField("event", "event must be an event package name");
  r.expires = fields.integer("expires");
  r.terminate = fields.flag("terminate").value_or(false);
  r.accept = fields.text("accept", 256);
  if (r.accept.empty() && r.event != "presence" && r.event != "reg")
    throw invalidField("accept", "event packages other than presence and reg need accept");
  r.to = fields.text("to", 256);
  return r;
}

core::Publish parsePublish(const Poco::JSON::Object& json) {
  const RequestFields fields(json, "publish");
  fields.only({"state", "note", "expires", "withdraw"});
  core::Publish r;
  r.state = fields.text("state", 16);
  if (r.state.empty()) r.state = "open";
  if (r.state != "open" && r.state != "closed")
    throw invalidField("state", "state must be open or closed");
  r.note = fields.string("note");
  if (const auto problem = core::checkHeaderSafe(r.note, r.note.size()); !problem.empty())
    throw invalidField("note", "note " + problem);
  r.expires = fields.integer("expires");
  r.withdraw = fields.flag("withdraw").value_or(false);
  return r;
}

core::SendXcapRequest parseSendXcapRequest(const Poco::JSON::Object& json) {
  const RequestFields fields(json, "sendXcapRequest");
  fields.only({"url", "method", "body", "contentType", "ifMatch", "ifNoneMatch"});
  core::SendXcapRequest r;
  r.url = fields.text("url", 2048);
  if (r.url.empty()) throw invalidField("url", "url is required");
  r.method = fields.text("method", 8);
  if (r.method.empty()) r.method = "GET";
  if (r.method != "GET" && r.method != "PUT" && r.method != "DELETE")
    throw invalidField("method", "method must be GET, PUT or DELETE");
  r.body = fields.string("body");
  r.contentType = fields.text("contentType", 128);
  if (r.method == "PUT") {
    if (r.body.empty()) throw invalidField("body", "PUT needs a body");
    if (r.contentType.find('/') == std::string::npos)
      throw invalidField("contentType", "PUT needs a contentType such as application/xcap-el+xml");
  } else if (!r.body.empty()) {
    throw invalidField("body", "only PUT carries a body");
  }
  r.ifMatch = fields.text("ifMatch", 256);
  r.ifNoneMatch = fields.text("ifNoneMatch", 256);
  return r;
}

core::SendData parseSendData(const Poco::JSON::Object& json, bool allowTo) {
  const RequestFields fields(json, "sendData");
  if (allowTo)
    fields.only({"operationId", "payload", "to"});
  else
    fields.only({"operationId", "payload"});
  core::SendData r;
  if (fields.has("operationId")) {
    if (!json.get("operationId").isString())
      throw invalidField("operationId", "operationId must be a string");
    r.operationId = fields.text("operationId", core::kMaxIdBytes);
    if (r.operationId.empty()) throw invalidField("operationId", "operationId must not be empty");
  }
  if (!fields.has("payload")) throw invalidField("payload", "payload is required");
  r.payload = json.get("payload");
  std::ostringstream out;
  Poco::JSON::Stringifier::stringify(r.payload, out);
  r.payloadBytes = out.str().size();
  checkPayloadText(r.payload);
  if (fields.has("to")) {
    const auto value = json.get("to");
    if (!value.isString()) throw invalidField("to", "to must be a string");
    r.to = fields.text("to", 256);
    if (r.to->empty()) throw invalidField("to", "to must not be empty");
  }
  return r;
}

core::PlaceCall parseCall(const Poco::JSON::Object& json) {
  const RequestFields fields(json, "call");
  fields.only({"callId", "callee", "visibleName", "hasVideo", "inviteParameters", "sdp"});
  core::PlaceCall r;
  r.callId = callId(fields, false);
  if (r.callId.rfind("sip-", 0) == 0)
    throw invalidField("callId",
                       "callIds starting with sip- are given by the bridge to incoming calls");
  r.callee = fields.text("callee", 256, true);
  r.visibleName = fields.text("visibleName", 128);
  r.hasVideo = fields.flag("hasVideo");
  r.inviteParameters = inviteParameters(json);
  r.sdp = sdpText(json);
  return r;
}

core::Answer parseAnswer(const Poco::JSON::Object& json) {
  const RequestFields fields(json, "answer");
  fields.only({"callId", "sdp"});
  core::Answer r;
  r.callId = callId(fields, true);
  r.sdp = sdpText(json);
  return r;
}

core::Hangup parseHangup(const Poco::JSON::Object& json) {
  const RequestFields fields(json, "hangup");
  fields.only({"callId", "busy"});
  return {callId(fields, true), fields.flag("busy").value_or(false)};
}

core::Hold parseHold(const Poco::JSON::Object& json, const std::string& method) {
  const RequestFields fields(json, method);
  fields.only({"callId"});
  return {callId(fields, true)};
}

core::Transfer parseTransfer(const Poco::JSON::Object& json) {
  const RequestFields fields(json, "transfer");
  fields.only({"callId", "target"});
  core::Transfer r;
  r.callId = callId(fields, true);
  r.target = fields.text("target", 256, true);
  return r;
}

core::SendDtmf parseSendDtmf(const Poco::JSON::Object& json) {
  const RequestFields fields(json, "sendDTMF");
  fields.only({"callId", "dtmf", "type"});
  core::SendDtmf r;
  r.callId = callId(fields, true);
  r.dtmf = fields.text("dtmf", 1024, true);
  for (auto& c : r.dtmf) {
    if (c >= 'a' && c <= 'd') c = static_cast<char>(c - 'a' + 'A');
    if (!std::isdigit(static_cast<unsigned char>(c)) && c != '*' && c != '#' &&
        !(c >= 'A' && c <= 'D'))
      throw invalidField("dtmf", "dtmf symbols are 0-9, *, # and A-D");
  }
  const auto type = fields.text("type", 32);
  if (type == "RFC2833")
    throw invalidField("type",
                       "type RFC2833 is not supported: RFC 2833 events travel in the media "
                       "stream (RTP), which the bridge never touches; use INFO or INFO_RELAY");
  if (!type.empty() && type != "INFO" && type != "INFO_RELAY")
    throw invalidField("type", "type must be INFO or INFO_RELAY");
  if (!type.empty()) r.type = type;
  return r;
}

}  // namespace sipbridge::api
