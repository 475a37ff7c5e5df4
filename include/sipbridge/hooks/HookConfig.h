#pragma once

#include "sipbridge/hooks/RetryPolicy.h"

namespace sipbridge::hooks {

/// Configuration of hook delivery, read once by the composition root.
struct HookConfig {
  /// Worker threads sending deliveries: the most attempts in progress on this node. As many
  /// more deliveries may be claimed ahead, waiting for a worker (a delivery whose wait
  /// leaves less than twice the timeout of its lease is not attempted but claimed again).
  int workers = 8;
  /// Deliveries in flight to one application at once to begin with (and again after its
  /// endpoint recovered from trouble). The limit then adapts (AIMD): every
  /// `perAppGrowAfter` 2xx answers in a row faster than `perAppSlowMs` add one, up to
  /// `perAppMaxConcurrency`; a timeout, a failure to connect, a 5xx, a 429 or an answer
  /// slower than `perAppSlowMs` halves it (at least 1).
  int perAppConcurrency = 2;
  /// Most deliveries in flight to one application however fast it answers; 0 means
  /// `workers` - `perAppConcurrency` (at least `perAppConcurrency`), so an endpoint that
  /// turns slow holds at most this many workers (until its slow answers shrink its limit)
  /// and the others stay free for other applications.
  int perAppMaxConcurrency = 0;
  /// Fast 2xx answers in a row that raise an application's limit by one.
  int perAppGrowAfter = 4;
  /// An answer taking this long or longer counts as slow (shrinks the limit).
  int perAppSlowMs = 1000;
  /// Idle keep-alive connections kept for reuse by the workers (all destinations together);
  /// 0 opens one connection per attempt.
  int keepAliveConnections = 64;
  /// An idle kept connection older than this is closed rather than reused; keep it below
  /// the receivers' own idle timeout (commonly 5 s or more).
  int keepAliveIdleMs = 2000;
  /// Timeout of one delivery attempt, applied to connecting and to receiving the answer.
  int timeoutSeconds = 10;
  /// How long a claimed delivery belongs to this node; must exceed twice the timeout.
  /// After a crash the delivery is claimable again once its lease has expired.
  int leaseSeconds = 60;
  /// Allow hook URLs resolving to loopback, private, link-local... addresses (development).
  bool allowPrivate = false;
  /// Longest wait between two looks at the outbox when nothing wakes the dispatcher
  /// (commits on other nodes, retries coming due).
  int pollMs = 1000;
  /// Timeout of the synchronous /connect hook (connect plus answer).
  int connectHookTimeoutSeconds = 5;
  /// Longest back-off between two attempts to reach the database while it is down.
  int storeBackoffMaxMs = 5000;
  /// Schedule of retries after failed attempts (exponential, jittered, capped).
  RetryConfig retry;
};

}  // namespace sipbridge::hooks
