#pragma once

#include <sofia-sip/msg_mclass.h>
#include <sofia-sip/msg_types.h>

#include <cstdlib>
#include <memory>

namespace sipbridge::sip {

/// The SIP message class the stack's agents parse with (NTATAG_MCLASS): sofia-sip's own, except
/// that the request line and CSeq take every RFC 3261 token as a method. sofia-sip takes only
/// "unreserved" characters in a method it does not know, so a request such as "FOO+BAR" or
/// "FOO`BAR" was unparseable garbage and got no answer at all; now it is an unknown method and
/// gets 501 like any other. Must outlive every agent (nua) using it.
class MessageClass {
 public:
  /// Throws std::bad_alloc when the copy of sofia-sip's class cannot be made.
  MessageClass();
  MessageClass(const MessageClass&) = delete;
  MessageClass& operator=(const MessageClass&) = delete;

  msg_mclass_t const* get() const { return mclass_.get(); }

 private:
  struct Free {
    void operator()(msg_mclass_t* mclass) const { std::free(mclass); }
  };
  struct msg_hclass_s requestLine_;  ///< sip_request_class with a token-method parser
  struct msg_hclass_s cseq_;         ///< sip_cseq_class with a token-method parser
  std::unique_ptr<msg_mclass_t, Free> mclass_;
};

}  // namespace sipbridge::sip
