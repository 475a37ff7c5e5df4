#pragma once

#include <Poco/Dynamic/Var.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

/// The client methods' requests as typed values. The api module builds them from JSON and
/// has already refused unknown fields, wrong types, missing required fields and text unsafe
/// for headers (naming the field); core checks what depends on configuration or state (size
/// limits, the session's SIP domain, existing calls) and throws DomainError naming the field.
namespace sipbridge::core {

/// Most bytes of a sendData `to`, a callId or an operationId.
constexpr std::size_t kMaxIdBytes = 128;

/// sendMessage. `to` and `recipients` are as the client wrote them (URI, login or number);
/// core turns them into URIs at the session's domain.
struct SendMessage {
  std::string id;                       ///< client id; empty: the bridge makes one
  std::string to;                       ///< required
  std::string body;                     ///< non-empty, without NUL
  std::string contentType;              ///< text/plain (default), message/cpim or multipart/mixed
  bool isImdnRequired = false;          ///< never with text/plain
  std::vector<std::string> recipients;  ///< only, and at least one, with multipart/mixed
};

/// sendIMDN: a delivery notification for the received message `messageId`.
struct SendImdn {
  std::string messageId;
};

/// subscribe (reg, presence or another event package).
struct Subscribe {
  std::string event;                    ///< an event package name (a token)
  std::optional<std::int64_t> expires;  ///< absent: the configured default
  bool terminate = false;
  std::string to;      ///< empty: the session's own address
  std::string accept;  ///< empty: the package's default (presence and reg only)
};

/// publish (extension): the session's own presence.
struct Publish {
  std::string state = "open";  ///< open or closed
  std::string note;
  std::optional<std::int64_t> expires;
  bool withdraw = false;
};

/// sendXcapRequest.
struct SendXcapRequest {
  std::string url;          ///< required
  std::string method;       ///< GET (default), PUT or DELETE
  std::string body;         ///< PUT only, and required there
  std::string contentType;  ///< with a '/', required for PUT
  std::string ifMatch;
  std::string ifNoneMatch;
};

/// sendData, from a client (with an optional `to`) or from the backend (never with `to`).
struct SendData {
  std::string operationId;        ///< empty: the bridge makes one
  Poco::Dynamic::Var payload;     ///< any JSON value, its strings UTF-8 text without NUL
  std::size_t payloadBytes = 0;   ///< the payload's size once serialised as JSON
  std::optional<std::string> to;  ///< a session id or SIP login of the same application
};

/// call: an outgoing call.
struct PlaceCall {
  std::string callId;  ///< empty: the bridge makes one; never starting with "sip-"
  std::string callee;  ///< required; URI, login or number
  std::string visibleName;
  std::optional<bool> hasVideo;  ///< absent: taken from the SDP
  std::string inviteParameters;  ///< ";a=b;c" (already checked as URI parameters), or empty
  std::string sdp;               ///< required; checked as SDP by core
};

/// answer: an incoming ringing call.
struct Answer {
  std::string callId;
  std::string sdp;
};

/// hangup: ends, cancels or rejects (busy: 486 instead of 603) a call.
struct Hangup {
  std::string callId;
  bool busy = false;
};

/// hold and unhold.
struct Hold {
  std::string callId;
};

/// transfer: a blind transfer (REFER) of an established call.
struct Transfer {
  std::string callId;
  std::string target;  ///< URI, login or number
};

/// sendDTMF.
struct SendDtmf {
  std::string callId;
  std::string dtmf;           ///< 0-9 * # A-D, upper case
  std::string type = "INFO";  ///< INFO or INFO_RELAY
};

/// What subscribe started (or ended).
struct SubscribeResult {
  std::string subscriptionId;
  std::string event;
  std::string to;  ///< the target as a URI
};

/// What a call method answers: the call id, and for some methods one more detail.
struct CallResult {
  std::string callId;
  std::string status;  ///< call: TRYING
  std::string target;  ///< transfer: the target as a URI
  std::string dtmf;    ///< sendDTMF: the symbols queued
};

}  // namespace sipbridge::core
