#include "MessageClass.h"

#include <sofia-sip/msg_parser.h>
#include <sofia-sip/sip.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_parser.h>
#include <sofia-sip/sip_protos.h>
#include <sofia-sip/url.h>

#include <cctype>
#include <cstring>
#include <new>

namespace sipbridge::sip {

namespace {

/// RFC 3261 25.1: token = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~")
bool isTokenChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || std::strchr("-.!%*_+`'~", c) != nullptr;
}

/// Parses `s` (a request's method, or a CSeq method) as RFC 3261 `Method`: sofia-sip's code
/// for the methods it knows, sip_method_unknown with the text as name for any other token.
/// False when `s` is empty or holds a character outside token.
bool parseTokenMethod(char* s, int& method, const char*& name) {
  if (!s || !*s) return false;
  char* rest = s;
  const char* known = nullptr;
  const sip_method_t code = sip_method_d(&rest, &known);
  if (code >= 0 && *rest == '\0') {
    method = code;
    name = known;
    return true;
  }
  for (const char* c = s; *c; ++c)
    if (!isTokenChar(*c)) return false;
  method = sip_method_unknown;
  name = s;
  return true;
}

/// Request-Line = Method SP Request-URI SP SIP-Version (as sip_request_d, with token methods).
issize_t parseRequestLine(su_home_t*, msg_header_t* h, char* s, isize_t) {
  auto* request = reinterpret_cast<sip_request_t*>(h);
  char* uri = nullptr;
  char* version = nullptr;
  int method = 0;
  if (msg_firstline_d(s, &uri, &version) < 0 || !uri || !version ||
      !parseTokenMethod(s, method, request->rq_method_name) || url_d(request->rq_url, uri) < 0 ||
      sip_version_d(&version, &request->rq_version) < 0 || *version)
    return -1;
  request->rq_method = static_cast<sip_method_t>(method);
  return 0;
}

/// CSeq = 1*DIGIT LWS Method (as sip_cseq_d, with token methods).
issize_t parseCseq(su_home_t*, msg_header_t* h, char* s, isize_t) {
  auto* cseq = reinterpret_cast<sip_cseq_t*>(h);
  int method = 0;
  if (msg_uint32_d(&s, &cseq->cs_seq) < 0 || !parseTokenMethod(s, method, cseq->cs_method_name))
    return -1;
  cseq->cs_method = static_cast<sip_method_t>(method);
  return 0;
}

}  // namespace

MessageClass::MessageClass() : requestLine_(*sip_request_class), cseq_(*sip_cseq_class) {
  requestLine_.hc_parse = &parseRequestLine;
  cseq_.hc_parse = &parseCseq;
  msg_mclass_t const* sofia = sip_default_mclass();
  // One more slot in the hash table: sofia's CSeq class stays in it (headers made with
  // sip_cseq_create() are found by their class), after ours, which the parser finds first.
  mclass_.reset(msg_mclass_clone(sofia, sofia->mc_hash_size + 1, 0));
  if (!mclass_) throw std::bad_alloc();
  msg_mclass_t* mc = mclass_.get();
  mc->mc_request[0].hr_class = &requestLine_;  // found by its hash, which is sofia's
  for (short i = 0; i < mc->mc_hash_size; ++i) {
    if (mc->mc_hash[i].hr_class != sip_cseq_class) continue;
    const msg_href_t sofiaCseq = mc->mc_hash[i];
    mc->mc_hash[i].hr_class = &cseq_;
    if (msg_mclass_insert(mc, &sofiaCseq) < 0) throw std::bad_alloc();
    break;
  }
}

}  // namespace sipbridge::sip
