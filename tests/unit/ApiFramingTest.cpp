// Strict HTTP framing at the edge: anything that two parsers could read differently (request
// smuggling behind a proxy) is answered 400 and the connection is closed.
#include "ApiTestFixture.h"
#include "RawClient.h"

#include <boost/test/unit_test.hpp>

using namespace sipbridge::api;
using namespace sipbridge::api::test;
using namespace std::chrono_literals;

namespace {

/// Sends `head` (request line and headers, without the blank line) plus `body`; returns the
/// answer and whether the server closed the connection after it.
std::pair<std::string, bool> exchange(int port, const std::string& head, const std::string& body) {
  RawClient client(port);
  client.send(head + "\r\n\r\n" + body);
  const std::string answer = client.receiveAnswer();
  return {answer, client.closedWithin(3000ms)};
}

const std::string kConnect =
    "POST /api/v1/connect HTTP/1.1\r\nHost: x\r\n"
    "Content-Type: application/json\r\n";
const std::string kBody = R"({"appKey":"demo"})";

}  // namespace

BOOST_AUTO_TEST_SUITE(ApiFraming)

BOOST_AUTO_TEST_CASE(a_well_framed_request_is_answered_and_the_connection_kept) {
  ApiFixture f;
  RawClient client(f.port);
  client.send(kConnect + "Content-Length: " + std::to_string(kBody.size()) + "\r\n\r\n" + kBody);
  BOOST_TEST(statusOf(client.receiveAnswer()) == 200);
  client.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
  BOOST_TEST(statusOf(client.receiveAnswer()) == 200);
}

BOOST_AUTO_TEST_CASE(two_different_content_lengths_are_refused) {
  ApiFixture f;
  const auto [answer, closed] =
      exchange(f.port, kConnect + "Content-Length: 17\r\nContent-Length: 5", kBody);
  BOOST_TEST(statusOf(answer) == 400);
  BOOST_TEST(answer.find("\"bad_request\"") != std::string::npos);
  BOOST_TEST(closed);
  BOOST_TEST(f.bridge.lastAppKey.empty());  // nothing reached the service
}

BOOST_AUTO_TEST_CASE(a_negative_content_length_is_refused) {
  ApiFixture f;
  const auto [answer, closed] = exchange(f.port, kConnect + "Content-Length: -1", kBody);
  BOOST_TEST(statusOf(answer) == 400);
  BOOST_TEST(closed);
}

BOOST_AUTO_TEST_CASE(a_twenty_digit_content_length_is_refused) {
  ApiFixture f;
  const auto [answer, closed] =
      exchange(f.port, kConnect + "Content-Length: 99999999999999999999", kBody);
  BOOST_TEST(statusOf(answer) == 400);
  BOOST_TEST(closed);
}

BOOST_AUTO_TEST_CASE(transfer_encoding_with_content_length_is_refused) {
  ApiFixture f;
  for (const char* headers : {"Transfer-Encoding: chunked\r\nContent-Length: 17",
                              "Content-Length: 17\r\nTransfer-Encoding: chunked"}) {
    const auto [answer, closed] =
        exchange(f.port, kConnect + std::string(headers), "11\r\n" + kBody + "\r\n0\r\n\r\n");
    BOOST_TEST(statusOf(answer) == 400, headers);
    BOOST_TEST(closed, headers);
  }
  BOOST_TEST(f.bridge.lastAppKey.empty());
}

BOOST_AUTO_TEST_CASE(a_transfer_coding_other_than_chunked_is_refused) {
  ApiFixture f;
  const auto [answer, closed] = exchange(f.port, kConnect + "Transfer-Encoding: gzip", kBody);
  BOOST_TEST(statusOf(answer) == 400);
  BOOST_TEST(closed);
}

BOOST_AUTO_TEST_CASE(obsolete_line_folding_is_refused) {
  ApiFixture f;
  const auto [answer, closed] =
      exchange(f.port, kConnect + "Content-Length: 17\r\nX-Note: first\r\n second", kBody);
  BOOST_TEST(statusOf(answer) == 400);
  BOOST_TEST(answer.find("folding") != std::string::npos);
  BOOST_TEST(closed);
}

BOOST_AUTO_TEST_CASE(a_chunked_body_is_read) {
  ApiFixture f;
  RawClient client(f.port);
  client.send(kConnect + "Transfer-Encoding: chunked\r\n\r\n11\r\n" + kBody + "\r\n0\r\n\r\n");
  BOOST_TEST(statusOf(client.receiveAnswer()) == 200);
  BOOST_TEST(f.bridge.lastAppKey == "demo");
}

BOOST_AUTO_TEST_CASE(oversized_headers_and_bodies_are_refused) {
  ApiConfig config;
  config.maxHeaderBytes = 1024;
  config.maxBodyBytes = 64;
  ApiFixture f(config);
  auto [answer, closed] = exchange(
      f.port, kConnect + "X-Big: " + std::string(2000, 'a') + "\r\nContent-Length: 17", kBody);
  BOOST_TEST(statusOf(answer) == 431);
  BOOST_TEST(closed);
  std::tie(answer, closed) =
      exchange(f.port, kConnect + "Content-Length: 100", std::string(100, ' '));
  BOOST_TEST(statusOf(answer) == 413);
  BOOST_TEST(closed);
}

BOOST_AUTO_TEST_CASE(expect_continue_gets_an_interim_answer) {
  ApiFixture f;
  RawClient client(f.port);
  client.send(kConnect + "Expect: 100-continue\r\nContent-Length: 17\r\n\r\n");
  BOOST_TEST(statusOf(client.receive(2000ms)) == 100);
  client.send(kBody);
  BOOST_TEST(statusOf(client.receiveAnswer()) == 200);
}

BOOST_AUTO_TEST_SUITE_END()
