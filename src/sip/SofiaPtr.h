#pragma once

#include <sofia-sip/nua.h>
#include <sofia-sip/su.h>
#include <sofia-sip/su_wait.h>

#include <memory>

namespace sipbridge::sip {

/// unique_ptr deleters for sofia-sip handles. All of them run on the SIP thread only.
struct NuaHandleDeleter {
  void operator()(nua_handle_t* handle) const { nua_handle_destroy(handle); }
};
struct SuHomeDeleter {
  void operator()(su_home_t* home) const { su_home_unref(home); }
};
struct SuTimerDeleter {
  void operator()(su_timer_t* timer) const { su_timer_destroy(timer); }
};
struct SuRootDeleter {
  void operator()(su_root_t* root) const { su_root_destroy(root); }
};

using NuaHandlePtr = std::unique_ptr<nua_handle_t, NuaHandleDeleter>;
using SuHomePtr = std::unique_ptr<su_home_t, SuHomeDeleter>;
using SuTimerPtr = std::unique_ptr<su_timer_t, SuTimerDeleter>;
using SuRootPtr = std::unique_ptr<su_root_t, SuRootDeleter>;

}  // namespace sipbridge::sip
