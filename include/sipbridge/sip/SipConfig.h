#pragma once

#include "sipbridge/sip/SipTlsConfig.h"

#include <cstddef>
#include <string>

namespace sipbridge::sip {

/// Settings of the SIP stack, read once at startup (keys `sip.*` in etc/sipbridge.properties).
struct SipConfig {
  /// Local SIP address nua binds (NUTAG_URL). Without a ;transport parameter both UDP and TCP
  /// are bound on the same port. Loopback in development and tests.
  std::string bindUrl = "sip:127.0.0.1:5070";
  /// "host:port" (numeric) of the outbound proxy used when an account names none. Every
  /// request is routed through it, so the SIP domain is never looked up in DNS.
  std::string defaultProxy = "127.0.0.1:5060";
  /// User-Agent header value.
  std::string userAgent = "sipbridge";
  /// Registration lifetime in seconds when the account does not give one (> 0).
  int registerExpires = 600;
  /// Server transactions kept in the proceeding state before sofia answers 503
  /// (NTATAG_MAX_PROCEEDING): the bound on incoming work.
  int maxProceeding = 1000;
  /// Transaction timeout (T1 x 64, NTATAG_SIP_T1X64) in milliseconds: how long an
  /// unanswered request waits before it fails with 408. RFC 3261 default 32000.
  int transactionTimeoutMs = 32000;
  /// Commands waiting for the SIP thread; registerAccount/unregister throw
  /// core::Unavailable beyond this.
  std::size_t commandQueueCapacity = 10000;
  /// How long unregister waits for the server's answer before reporting Unregistered anyway.
  int unregisterTimeoutMs = 5000;
  /// How long shutdown waits for nua to finish (unREGISTERs in flight) before giving up.
  int shutdownTimeoutMs = 5000;
  /// Largest SIP message accepted or sent, in bytes (NTATAG_MAXSIZE), over UDP as over TCP;
  /// bigger incoming requests are answered 413 by sofia. 64 KiB fits any UDP datagram.
  std::size_t maxMessageBytes = 65536;
  /// Outgoing MESSAGE bodies larger than this go over TCP even for UDP accounts (RFC 3428:
  /// a request near the path MTU must not be sent over UDP).
  std::size_t udpBodyLimit = 1300;
  /// Outgoing MESSAGEs waiting for their final answer; beyond this sendMessage reports
  /// 503 at once.
  std::size_t maxOutgoingMessages = 10000;
  /// Incoming MESSAGEs waiting for answerMessage; beyond this a new one is answered 503 at
  /// once (before the core sees it).
  std::size_t maxPendingMessages = 10000;
  /// How long an incoming MESSAGE may wait for answerMessage before the SIP side answers it
  /// 500 and forgets it (so a stuck core cannot pin memory), in milliseconds.
  int pendingMessageTimeoutMs = 30000;
  /// Subscriptions (SUBSCRIBE dialogs) alive in the stack at once; beyond this subscribe
  /// reports outcome 503 (terminated) at once.
  std::size_t maxSubscriptions = 10000;
  /// Publications (one per session and event package) alive at once; beyond this publish
  /// reports outcome 503 at once.
  std::size_t maxPublications = 10000;
  /// Calls (INVITE dialogs, both directions) alive at once; beyond this a new outgoing call
  /// is refused with 503 and an incoming INVITE answered 503.
  std::size_t maxCalls = 10000;
  /// How long an incoming call rings (180 sent) before the SIP side answers 480 and reports
  /// it Ended, in milliseconds.
  int incomingRingTimeoutMs = 60000;
  /// NUTAG_OUTBOUND: no RFC 5626 flows, no OPTIONS keepalives, no NAT rewriting of Contact.
  std::string outboundOptions = "no-outbound no-natify no-options-keepalive no-validate";
  /// SIP over TLS: listener, own certificate and trust (off unless tls.bindUrl is set).
  SipTlsConfig tls;
};

}  // namespace sipbridge::sip
