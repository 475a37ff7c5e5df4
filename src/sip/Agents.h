#pragma once

#include "MessageClass.h"
#include "sipbridge/sip/SipConfig.h"

#include <sofia-sip/nua.h>

#include <cstddef>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace sipbridge::sip {

/// The nua instances of the stack, all on the SIP thread's root and reporting to one callback:
/// agent 0 listens on config.bindUrl, agent k (k < config.maxSessionsPerUser) on the same
/// address with its port + k (every agent on a port the system chooses when that port is 0);
/// with SIP over TLS, agent k also listens on config.tls.bindUrl's port + k.
/// The sessions of one SIP user (address of record) get distinct agents: sofia-sip takes the
/// second branch of a forked INVITE (same Call-ID and From tag, no To tag) that arrives on the
/// agent of the first one for a request in that first dialog and refuses it ("500 Overlapping
/// Requests"), so two sessions of a user on one agent could never both ring. SIP thread only.
class Agents {
 public:
  /// Creates every agent; throws SipError (naming the address) when one cannot be started,
  /// after destroying those already made. `tlsTags` (TlsTransport::tags(), null without SIP
  /// over TLS) are given to every agent.
  Agents(su_root_t* root, const SipConfig& config, const tagi_t* tlsTags, nua_callback_f callback,
         nua_magic_t* magic);
  /// Destroys the agents whose shutdown completed (the others' memory is left behind: nua
  /// cannot be destroyed while it still runs).
  ~Agents();
  Agents(const Agents&) = delete;
  Agents& operator=(const Agents&) = delete;

  std::size_t size() const { return agents_.size(); }
  /// The agents' ports (TLS ones included) when they are fixed (the bind URLs name one);
  /// empty when the system chooses them.
  const std::vector<std::string>& fixedPorts() const { return ports_; }
  nua_t* at(std::size_t index) const { return agents_.at(index); }

  /// The agent for session `sessionId` of address of record `aor`: the first one no other
  /// session of `aor` uses, or nothing when all are taken. Remembered until release().
  std::optional<std::size_t> assign(const std::string& aor, const std::string& sessionId);
  void release(const std::string& sessionId);

  /// nua_shutdown on every agent.
  void shutdown();
  /// A final nua_r_shutdown from `nua`; true once every agent has shut down.
  bool shutDown(nua_t* nua);

 private:
  MessageClass messages_;  ///< parses for every agent; outlives them
  std::vector<nua_t*> agents_;
  std::vector<std::string> ports_;
  std::set<nua_t*> down_;  ///< agents whose shutdown completed
  std::map<std::string, std::pair<std::string, std::size_t>> sessions_;  ///< id -> aor, agent
};

/// `bindUrl` with its port replaced by port + `offset` ("0" stays "0"; no port means 5060).
/// Returns "" when the URL cannot be parsed or the port would pass 65535.
std::string agentUrl(const std::string& bindUrl, std::size_t offset);

}  // namespace sipbridge::sip
