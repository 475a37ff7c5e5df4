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
  /// Sessions of one SIP user (address of record) served at once. Each needs a SIP port of
  /// its own, so that every one of them can take its branch of a forked INVITE: the first
  /// session of a user uses bindUrl, the k-th one at the same time bindUrl's port + k - 1
  /// (all of them on ports the system chooses when bindUrl's port is 0). Every port is opened
  /// at start; a session beyond this fails to register.
  std::size_t maxSessionsPerUser = 4;
  /// "host:port" (numeric) of the outbound proxy used when an account names none. Every
  /// request is routed through it, so the SIP domain is never looked up in DNS.
  std::string defaultProxy = "127.0.0.1:5060";
  /// User-Agent header value.
  std::string userAgent = "sipbridge";
  /// Registration lifetime in seconds when the account does not give one (> 0).
  int registerExpires = 600;
  /// Incoming transactions in progress beyond which sofia answers a new INVITE 503, without
  /// Retry-After (NTATAG_MAX_PROCEEDING; sofia refuses only INVITEs on it, but counts every
  /// method). A backstop: above maxCalls + maxPendingMessages, the bridge's own 503s come first.
  int maxProceeding = 30000;
  /// Receive buffer of each UDP socket (SO_RCVBUF, TPTAG_UDP_RMEM): datagrams arriving faster
  /// than the SIP thread reads them wait there, and beyond it the kernel drops them, which no
  /// one can answer. Linux caps it at net.core.rmem_max.
  unsigned udpReceiveBufferBytes = 4 * 1024 * 1024;
  /// How long a message may take to arrive in full over TCP (TPTAG_TIMEOUT), in
  /// milliseconds. One still incomplete then (cut short, or one sofia-sip's parser cannot get
  /// past, such as a header with a NUL) is answered 400 and its connection closed.
  unsigned tcpMessageTimeoutMs = 4000;
  /// Retry-After (seconds) of every 503 the stack answers because it is overloaded.
  unsigned retryAfterSeconds = 5;
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
  /// bigger incoming requests are answered 413 by sofia (RFC 3261 21.4.11). The bridge sets it
  /// to the largest incoming MESSAGE body it takes plus room for the headers.
  std::size_t maxMessageBytes = 65536 + 16384;
  /// Outgoing MESSAGE bodies larger than this go over TCP even for UDP accounts (RFC 3428:
  /// a request near the path MTU must not be sent over UDP).
  std::size_t udpBodyLimit = 1300;
  /// Outgoing MESSAGEs waiting for their final answer; beyond this sendMessage reports
  /// 503 at once.
  std::size_t maxOutgoingMessages = 10000;
  /// Incoming MESSAGEs waiting for answerMessage; beyond this a new one is answered 503 (with
  /// Retry-After) at once, before the core sees it.
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
