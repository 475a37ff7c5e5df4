// SIP over TLS through the real binary and Kamailio with its tls module: REGISTER, MESSAGE in
// both directions and a call over TLS; a registration refused because the server's
// certificate is not trusted or does not name the proxy's host.
#include "EndToEndSupport.h"
#include "TestCertificates.h"

#include <boost/test/unit_test.hpp>

#include <csignal>

using namespace sipbridge::test;

namespace {

/// PostgreSQL, Kamailio serving SIP over TLS with a certificate from `ca`, a hook receiver and
/// a bridge whose default proxy is Kamailio's TLS port and which trusts `trusted` only.
struct TlsStack {
  TlsStack(TestCa& ca, const IssuedCertificate& serverCert, const TestCa& trusted)
      : kamailio(pg, KamailioTls{serverCert.certFile, serverCert.keyFile}),
        bridgeCert(ca.server("127.0.0.1", {"IP:127.0.0.1", "DNS:127.0.0.1"})),
        tlsPort(freePortRange(kSipPorts)),
        bridge(pg.conninfo(), "127.0.0.1:" + std::to_string(kamailio.tlsPort()),
               {{"SIPBRIDGE_SIP_TLSBINDURL", "sips:127.0.0.1:" + std::to_string(tlsPort)},
                {"SIPBRIDGE_SIP_TLSCERTIFICATEFILE", bridgeCert.certFile},
                {"SIPBRIDGE_SIP_TLSKEYFILE", bridgeCert.keyFile},
                {"SIPBRIDGE_SIP_ALLOWEDPROXIES", kamailio.proxy()},
                {"SIPBRIDGE_TLS_SYSTEMCAS", "false"},
                {"SIPBRIDGE_TLS_CAFILE", trusted.caFile()}}) {
    bridge.start();
    const std::string app = R"({"appKey":"app1","hookUrl":")" + receiver.url() +
                            R"(","development":true,"connectHook":false})";
    const auto created = bridge.admin("POST", "/admin/v1/apps", app);
    BOOST_REQUIRE(created.status == 201 || created.status == 200);
  }

  /// Connects demo user `login` over TLS; returns the answer to the connect.
  HttpResult connect(const std::string& login) {
    return bridge.post("/api/v1/connect", R"({"appKey":"app1","sipRegisterRequired":true,)"
                                          R"("sipLogin":")" +
                                              login + R"(","sipPassword":")" + login +
                                              R"(-secret","sipDomain":"example.test",)"
                                              R"("sipTransport":"tls"})");
  }

  Client registered(const std::string& login) {
    auto r = connect(login);
    BOOST_REQUIRE_EQUAL(r.status, 200);
    Client c{field(r.json(), "authToken"), field(r.json(), "sessionId")};
    auto events = c.until(bridge, "ConnectionStatusEvent", "ESTABLISHED");
    BOOST_REQUIRE_MESSAGE(!events.empty() && field(events.back(), "status") == "ESTABLISHED",
                          bridge.log());
    return c;
  }

  PgInstance pg;
  KamailioInstance kamailio;
  IssuedCertificate bridgeCert;
  int tlsPort;
  HookReceiver receiver;
  BridgeProcess bridge;
};

std::string sdp(const std::string& owner, int port) {
  return "v=0\\r\\no=" + owner +
         " 1 1 IN IP4 127.0.0.1\\r\\ns=-\\r\\nc=IN IP4 127.0.0.1\\r\\nt=0 0\\r\\n" + "m=audio " +
         std::to_string(port) + " RTP/AVP 0\\r\\na=sendrecv\\r\\n";
}

/// The first Via header line of a raw SIP message.
std::string topVia(const std::string& raw) {
  const auto at = raw.find("\r\nVia:");
  if (at == std::string::npos) return {};
  return raw.substr(at + 2, raw.find("\r\n", at + 2) - at - 2);
}

/// `openssl s_server` on a free loopback port speaking TLS 1.1 only (security level 0, so
/// OpenSSL lets it), with a certificate the bridge trusts; killed on destruction.
struct Tls11Server {
  Tls11Server(const IssuedCertificate& cert, const std::string& logFile) : port(freePort()) {
    pid = std::stoi(runCommand("openssl s_server -quiet -accept 127.0.0.1:" + std::to_string(port) +
                               " -cert " + cert.certFile + " -key " + cert.keyFile +
                               " -tls1_1 -cipher 'DEFAULT:@SECLEVEL=0' </dev/null >" + logFile +
                               " 2>&1 & echo $!"));
  }
  ~Tls11Server() { ::kill(pid, SIGTERM); }
  int port;
  int pid = 0;
};

}  // namespace

BOOST_AUTO_TEST_SUITE(SipTlsEndToEnd)

BOOST_AUTO_TEST_CASE(register_message_both_ways_and_call_over_tls) {
  TestCa ca;
  const auto kamailioCert = ca.server("127.0.0.1", {"IP:127.0.0.1", "DNS:127.0.0.1"});
  TlsStack s(ca, kamailioCert, ca);
  Client alice = s.registered("alice");
  Client bob = s.registered("bob");

  // Each binding is a TLS contact on the bridge's TLS port, reached over Kamailio's TLS socket.
  for (const std::string user : {"alice", "bob"}) {
    const std::string binding = s.kamailio.kamcmd("ul.lookup location " + user + "@example.test");
    BOOST_TEST_INFO(binding);
    BOOST_CHECK(binding.find(":" + std::to_string(s.tlsPort) + ";transport=tls") !=
                std::string::npos);
    BOOST_CHECK(binding.find("tls:127.0.0.1:" + std::to_string(s.kamailio.tlsPort())) !=
                std::string::npos);
  }

  // MESSAGE alice -> bob and bob -> alice; each arrives over TLS (Kamailio's Via says so).
  for (auto [from, to, name] :
       {std::tuple{&alice, &bob, "bob"}, std::tuple{&bob, &alice, "alice"}}) {
    const std::string text = std::string("over tls to ") + name;
    auto sent = s.bridge.post("/api/v1/sendMessage",
                              R"({"to":")" + std::string(name) + R"(","body":")" + text + R"("})",
                              from->token);
    BOOST_REQUIRE_EQUAL(sent.status, 202);
    BOOST_REQUIRE(last(from->until(s.bridge, "MessageStatusEvent", "ACCEPTED")));
    auto message = last(to->until(s.bridge, "OnMessageEvent"));
    BOOST_REQUIRE(message);
    BOOST_CHECK_EQUAL(field(message, "body"), text);
    BOOST_CHECK_EQUAL(topVia(field(message, "sipMessageRaw")).find("SIP/2.0/TLS"), 5u);
  }

  // A call: alice calls bob over TLS, bob answers, alice hangs up (BYE).
  auto started = s.bridge.post(
      "/api/v1/call", R"({"callId":"c1","callee":"bob","sdp":")" + sdp("alice", 40000) + "\"}",
      alice.token);
  BOOST_REQUIRE_EQUAL(started.status, 202);
  auto incoming = last(bob.until(s.bridge, "OnCallEvent"));
  BOOST_REQUIRE(incoming);
  const std::string bobCall = field(incoming, "callId");
  BOOST_REQUIRE_EQUAL(
      s.bridge
          .post("/api/v1/answer",
                R"({"callId":")" + bobCall + R"(","sdp":")" + sdp("bob", 42000) + "\"}", bob.token)
          .status,
      202);
  BOOST_REQUIRE(last(alice.until(s.bridge, "CallStatusEvent", "ESTABLISHED")));
  BOOST_REQUIRE(last(bob.until(s.bridge, "CallStatusEvent", "ESTABLISHED")));
  BOOST_REQUIRE_EQUAL(s.bridge.post("/api/v1/hangup", R"({"callId":"c1"})", alice.token).status,
                      202);
  BOOST_CHECK(last(alice.until(s.bridge, "CallStatusEvent", "FINISH")));
  BOOST_CHECK(last(bob.until(s.bridge, "CallStatusEvent", "FINISH")));

  // sips: targets need a TLS session; a TLS session may use them.
  auto sips = s.bridge.post("/api/v1/sendMessage",
                            R"({"to":"sips:bob@example.test","body":"secure"})", alice.token);
  BOOST_REQUIRE_EQUAL(sips.status, 202);
  auto secure = last(bob.until(s.bridge, "OnMessageEvent"));
  BOOST_REQUIRE(secure);
  BOOST_CHECK_EQUAL(field(secure, "body"), "secure");

  // A session over another transport (TCP to Kamailio's plain port) never sends to a sips:
  // target.
  auto plain = s.bridge.post("/api/v1/connect",
                             R"({"appKey":"app1","sipRegisterRequired":true,"sipLogin":"carol",)"
                             R"("sipPassword":"carol-secret","sipDomain":"example.test",)"
                             R"("sipTransport":"tcp","sipOutboundProxy":")" +
                                 s.kamailio.proxy() + "\"}");
  BOOST_REQUIRE_EQUAL(plain.status, 200);
  Client carol{field(plain.json(), "authToken"), field(plain.json(), "sessionId")};
  BOOST_REQUIRE(last(carol.until(s.bridge, "ConnectionStatusEvent", "ESTABLISHED")));
  BOOST_REQUIRE_EQUAL(
      s.bridge
          .post("/api/v1/sendMessage", R"({"to":"sips:bob@example.test","body":"not over tls"})",
                carol.token)
          .status,
      202);
  auto refused = last(carol.until(s.bridge, "MessageStatusEvent", "FAILED"));
  BOOST_REQUIRE(refused);
  BOOST_CHECK(field(refused, "info")
                  .find("sips: target needs a session connected with "
                        "sipTransport tls") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(untrusted_or_wrong_host_certificate_refuses_the_registration) {
  TestCa ca;
  TestCa otherCa("another CA");
  const auto kamailioCert = ca.server("127.0.0.1", {"IP:127.0.0.1", "DNS:127.0.0.1"});
  {
    TlsStack s(ca, kamailioCert, otherCa);
    auto r = s.connect("alice");
    BOOST_REQUIRE_EQUAL(r.status, 200);
    Client c{field(r.json(), "authToken"), field(r.json(), "sessionId")};
    auto failed = last(c.until(s.bridge, "ConnectionStatusEvent", "FAILED"));
    BOOST_REQUIRE_MESSAGE(failed, s.bridge.log());
    BOOST_TEST_INFO(field(failed, "info"));
    BOOST_CHECK(field(failed, "info").find("certificate") != std::string::npos);
    BOOST_CHECK(field(failed, "info").find("unable to get local issuer certificate") !=
                std::string::npos);
    BOOST_CHECK_EQUAL(
        s.pg.psql("SELECT count(*) FROM location WHERE username = 'alice'", "kamailio"), "0\n");
  }
  {
    const auto wrongHost = ca.server("sip.other.test", {"DNS:sip.other.test"});
    TlsStack s(ca, wrongHost, ca);
    auto r = s.connect("alice");
    BOOST_REQUIRE_EQUAL(r.status, 200);
    Client c{field(r.json(), "authToken"), field(r.json(), "sessionId")};
    auto failed = last(c.until(s.bridge, "ConnectionStatusEvent", "FAILED"));
    BOOST_REQUIRE_MESSAGE(failed, s.bridge.log());
    BOOST_TEST_INFO(field(failed, "info"));
    BOOST_CHECK(field(failed, "info").find("not valid for host 127.0.0.1") != std::string::npos);
  }
}

BOOST_AUTO_TEST_CASE(a_server_offering_only_tls_1_1_is_refused) {
  TestCa ca;
  const auto serverCert = ca.server("127.0.0.1", {"IP:127.0.0.1", "DNS:127.0.0.1"});
  TempDir logs;
  Tls11Server server(serverCert, logs.path() + "/s_server.log");
  PgInstance pg;
  HookReceiver receiver;
  BridgeProcess bridge(
      pg.conninfo(), "127.0.0.1:" + std::to_string(server.port),
      {{"SIPBRIDGE_SIP_TLSBINDURL", "sips:127.0.0.1:" + std::to_string(freePortRange(kSipPorts))},
       {"SIPBRIDGE_SIP_TRANSPORT", "tls"},
       {"SIPBRIDGE_TLS_SYSTEMCAS", "false"},
       {"SIPBRIDGE_TLS_CAFILE", ca.caFile()}});
  bridge.start();
  const auto created = bridge.admin("POST", "/admin/v1/apps",
                                    R"({"appKey":"app1","hookUrl":")" + receiver.url() +
                                        R"(","development":true,"connectHook":false})");
  BOOST_REQUIRE(created.status == 201 || created.status == 200);
  auto r = bridge.post("/api/v1/connect", connectBody("app1", "alice", "alice-secret"));
  BOOST_REQUIRE_EQUAL(r.status, 200);
  Client c{field(r.json(), "authToken"), field(r.json(), "sessionId")};
  auto failed = last(c.until(bridge, "ConnectionStatusEvent", "FAILED"));
  BOOST_REQUIRE_MESSAGE(failed, bridge.log());
  BOOST_TEST_INFO(field(failed, "info"));
  BOOST_CHECK(field(failed, "info").find("TLS") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
