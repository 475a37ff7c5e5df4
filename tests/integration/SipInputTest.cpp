// SIP input a regular user agent would not send, and floods, against the real binary: every
// request gets a final answer that says what is wrong (501, 400, 413, 503 with Retry-After).
#include "EndToEndSupport.h"
#include "RawSip.h"

#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <vector>

using namespace sipbridge::test;
using namespace std::chrono_literals;

namespace {

/// A request for Request-URI `ruri` with `method`, extra header lines and a body; `{via}` is
/// filled in by sendRawSip.
std::string rawRequest(const std::string& transport, const std::string& method,
                       const std::string& ruri, const std::string& headers = "",
                       const std::string& body = "") {
  static std::mt19937_64 random{std::random_device{}()};
  const std::string id = std::to_string(random());
  return method + " " + ruri + " SIP/2.0\r\nVia: SIP/2.0/" + (transport == "udp" ? "UDP" : "TCP") +
         " {via};branch=z9hG4bK-" + id + "\r\nFrom: <sip:tester@127.0.0.1>;tag=" + id +
         "\r\nTo: <" + ruri + ">\r\nCall-ID: " + id + "@127.0.0.1\r\nCSeq: 1 " + method +
         "\r\nMax-Forwards: 10\r\n" + headers + "Content-Length: " + std::to_string(body.size()) +
         "\r\n\r\n" + body;
}

/// The bridge's Request-URI of `login`'s (only) session, from Kamailio's location table.
std::string contactOf(Stack& s, const std::string& login) {
  std::string contact = s.pg.psql(
      "SELECT contact FROM location WHERE username = '" + login + "' LIMIT 1", "kamailio");
  contact = contact.substr(0, contact.find_first_of(";\n"));
  return contact;
}

/// The final successful and failed call counts of a sipp -trace_stat file.
struct SippCounts {
  long successful = -1;
  long failed = -1;
};
SippCounts readSippCounts(const std::string& path) {
  std::ifstream in(path);
  std::string header, line, last;
  std::getline(in, header);
  while (std::getline(in, line))
    if (!line.empty()) last = line;
  const auto split = [](const std::string& text) {
    std::vector<std::string> fields;
    std::stringstream stream(text);
    for (std::string field; std::getline(stream, field, ';');) fields.push_back(field);
    return fields;
  };
  const auto names = split(header);
  const auto values = split(last);
  SippCounts counts;
  for (std::size_t i = 0; i < names.size() && i < values.size(); ++i) {
    if (names[i] == "SuccessfulCall(C)") counts.successful = std::atol(values[i].c_str());
    if (names[i] == "FailedCall(C)") counts.failed = std::atol(values[i].c_str());
  }
  return counts;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(SipInputEndToEnd)

BOOST_AUTO_TEST_CASE(methods_nul_characters_and_sizes_get_a_clear_answer_over_udp_and_tcp) {
  // sofia-sip's parser cannot get past a NUL on a TCP stream: the message stays incomplete and
  // is answered once sip.tcpMessageTimeoutMs passes.
  Stack s(Env{{"SIPBRIDGE_SIP_TCPMESSAGETIMEOUTMS", "1000"}});
  s.addApp("app1", false);
  Client bob = registeredClient(s, "app1", "bob");
  const std::string ruri = contactOf(s, "bob");
  BOOST_REQUIRE(ruri.rfind("sip:", 0) == 0);
  const int port = s.bridge.sipPort();

  for (const std::string transport : {"udp", "tcp"}) {
    // Methods are tokens (RFC 3261 25.1): one the bridge does not implement gets 501.
    for (const std::string method : {"FOO+BAR", "FOO`BAR", "X.Y-Z!%*_'~"}) {
      auto answer = sendRawSip(transport, port, rawRequest(transport, method, ruri));
      BOOST_CHECK_MESSAGE(answer.status == 501,
                          transport + " " + method + ": " + std::to_string(answer.status));
    }
    // A NUL inside a header line is malformed: 400, whatever the transport.
    auto nul = sendRawSip(
        transport, port,
        rawRequest(transport, "MESSAGE", ruri,
                   std::string("Subject: a\0b\r\nContent-Type: text/plain\r\n", 41), "hi"),
        8s);
    BOOST_CHECK_MESSAGE(nul.status == 400, transport + " NUL: " + std::to_string(nul.status));
  }

  // Bodies up to messages.maxIncomingBytes are taken; larger ones get 413 (RFC 3261 21.4.11).
  const std::string most(65536, 'x');
  auto taken = sendRawSip(
      "tcp", port, rawRequest("tcp", "MESSAGE", ruri, "Content-Type: text/plain\r\n", most), 10s);
  BOOST_CHECK_EQUAL(taken.status, 200);
  auto message = last(bob.until(s.bridge, "OnMessageEvent"));
  BOOST_REQUIRE(message);
  BOOST_CHECK_EQUAL(field(message, "body").size(), most.size());
  auto tooLarge = sendRawSip(
      "tcp", port, rawRequest("tcp", "MESSAGE", ruri, "Content-Type: text/plain\r\n", most + "y"),
      10s);
  BOOST_CHECK_EQUAL(tooLarge.status, 413);
}

BOOST_AUTO_TEST_CASE(a_message_flood_gets_a_final_answer_for_every_request) {
  // sipp sends MESSAGEs to a session as fast as it can, each once (-nr: a request that gets
  // no answer shows as a failed call), 64 unanswered at most (-l): more than the bridge's small
  // event queue takes, so the overload answers (503 with Retry-After) are on the path, while
  // the datagrams in flight fit the kernel's default receive buffer on either side (a machine
  // whose net.core.rmem_max stays at the default cannot grant sip.udpReceiveBufferBytes).
  // Bounded: 3000 MESSAGEs, at most 60 s. calls.maxCalls 0: every INVITE finds the bridge full.
  Stack s(Env{{"SIPBRIDGE_STORE_QUEUELIMIT", "16"}, {"SIPBRIDGE_CALLS_MAXCALLS", "0"}});
  s.addApp("app1", false);
  registeredClient(s, "app1", "bob");
  const std::string ruri = contactOf(s, "bob");
  const auto invite = sendRawSip(
      "udp", s.bridge.sipPort(),
      rawRequest("udp", "INVITE", ruri,
                 "Contact: <sip:tester@{via}>\r\nContent-Type: application/sdp\r\n",
                 "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
                 "m=audio 4000 RTP/AVP 0\r\n"));
  BOOST_CHECK_EQUAL(invite.status, 503);
  BOOST_CHECK_MESSAGE(invite.response.find("\r\nRetry-After: 5") != std::string::npos,
                      invite.response);
  TempDir dir;
  const int count = 3000;
  const std::string exit = runCommand(
      "cd " + dir.path() + " && sipp 127.0.0.1:" + std::to_string(s.bridge.sipPort()) + " -sf " +
      repoRoot() + "/tests/sipp/uac_message_flood.xml -key ruri '" + ruri + "' -i 127.0.0.1 -p " +
      std::to_string(freePort()) + " -m " + std::to_string(count) +
      " -r 100000 -rp 1000 -l 64 -nr -buff_size 4194304 -timeout 60s -nostdin -trace_err"
      " -trace_stat"
      " -stf stat.csv >/dev/null 2>&1; echo $?");
  const SippCounts counts = readSippCounts(dir.path() + "/stat.csv");
  std::string errors;
  try {
    errors = runCommand("head -c 2000 " + dir.path() + "/*_errors.log");
  } catch (const std::exception&) {
  }
  BOOST_TEST_MESSAGE("flood: " << counts.successful << " answered 200 or 503 with Retry-After, "
                               << counts.failed << " failed");
  BOOST_CHECK_EQUAL(counts.successful, count);
  BOOST_CHECK_MESSAGE(exit == "0\n", "sipp exit " + exit + errors);
}

BOOST_AUTO_TEST_SUITE_END()
