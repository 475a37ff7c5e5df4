// The limits that protect the node: deadlines, connection caps, the long-poll cap, the worker
// pool. In each, /health keeps answering. Real sockets against the real HttpApi.
#include "ApiTestFixture.h"
#include "RawClient.h"

#include <boost/test/unit_test.hpp>

#include <future>
#include <memory>
#include <thread>

using namespace sipbridge::api;
using namespace sipbridge::api::test;
using namespace std::chrono_literals;

namespace {

/// GET /health over a fresh connection from `source`; the status (0 if none came).
int health(int port, const std::string& source = "127.0.0.1") {
  RawClient client(port, source);
  client.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
  return statusOf(client.receiveAnswer(5000ms));
}

double metric(ApiFixture& f, const std::string& name) {
  const std::string text = f.metrics.render();
  const auto at = text.find("\n" + name + " ");
  if (at == std::string::npos) return 0;
  return std::stod(text.substr(at + name.size() + 2));
}

std::string longPoll(const std::string& token, int wait, int after = 0) {
  return "GET /api/v1/events?after=" + std::to_string(after) + "&wait=" + std::to_string(wait) +
         " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token + "\r\n\r\n";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(ApiEdgeLimits)

BOOST_AUTO_TEST_CASE(idle_connections_are_closed_and_health_answers) {
  ApiConfig config;
  config.headerTimeoutSeconds = 1;
  ApiFixture f(config);
  std::vector<std::unique_ptr<RawClient>> idle;
  for (int i = 0; i < 200; ++i) idle.push_back(std::make_unique<RawClient>(f.port));
  BOOST_TEST(health(f.port) == 200);
  for (auto& client : idle) BOOST_TEST(client->closedWithin(4000ms));
  BOOST_TEST(eventually(
      [&] { return metric(f, "sipbridge_http_timeouts_total{phase=\"header\"}") >= 200; }));
  BOOST_TEST(health(f.port) == 200);
}

BOOST_AUTO_TEST_CASE(a_slowloris_header_is_cut_at_its_deadline) {
  ApiConfig config;
  config.headerTimeoutSeconds = 1;
  ApiFixture f(config);
  std::vector<std::unique_ptr<RawClient>> slow;
  for (int i = 0; i < 50; ++i) {
    slow.push_back(std::make_unique<RawClient>(f.port));
    slow.back()->send("GET /health HTTP/1.1\r\n");
  }
  bool allClosed = false;
  const auto started = std::chrono::steady_clock::now();
  while (!allClosed && std::chrono::steady_clock::now() - started < 6s) {
    allClosed = true;
    for (auto& client : slow) allClosed = !client->send("X-Trickle: 1\r\n") ? allClosed : false;
    BOOST_TEST(health(f.port) == 200);
    std::this_thread::sleep_for(300ms);
  }
  BOOST_TEST(allClosed);  // one header line every 300 ms did not keep them open
  BOOST_TEST(metric(f, "sipbridge_http_timeouts_total{phase=\"header\"}") >= 50);
}

BOOST_AUTO_TEST_CASE(a_slowloris_body_is_cut_at_its_deadline) {
  ApiConfig config;
  config.bodyTimeoutSeconds = 1;
  ApiFixture f(config);
  RawClient client(f.port);
  client.send(
      "POST /api/v1/connect HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Content-Length: 100\r\n\r\n{");
  bool closed = false;
  for (int i = 0; i < 20 && !closed; ++i) {
    closed = !client.send(" ");
    client.receive(300ms, &closed);
  }
  BOOST_TEST(closed);
  BOOST_TEST(metric(f, "sipbridge_http_timeouts_total{phase=\"body\"}") == 1);
  BOOST_TEST(health(f.port) == 200);
}

BOOST_AUTO_TEST_CASE(an_idle_kept_alive_connection_is_closed) {
  ApiConfig config;
  config.keepAliveSeconds = 1;
  ApiFixture f(config);
  RawClient client(f.port);
  client.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
  BOOST_TEST(statusOf(client.receiveAnswer()) == 200);
  BOOST_TEST(client.closedWithin(4000ms));
  BOOST_TEST(metric(f, "sipbridge_http_timeouts_total{phase=\"idle\"}") == 1);
}

BOOST_AUTO_TEST_CASE(connections_per_address_are_capped) {
  ApiConfig config;
  config.maxConnectionsPerAddress = 3;
  config.maxConnections = 10;
  ApiFixture f(config);
  std::vector<std::unique_ptr<RawClient>> held;
  for (int i = 0; i < 3; ++i) held.push_back(std::make_unique<RawClient>(f.port));
  std::this_thread::sleep_for(200ms);  // the server has accepted them
  RawClient extra(f.port);
  const std::string answer = extra.receiveAnswer();
  BOOST_TEST(statusOf(answer) == 503);
  BOOST_TEST(answer.find("Retry-After: ") != std::string::npos);
  BOOST_TEST(extra.closedWithin(3000ms));
  BOOST_TEST(health(f.port, "127.0.0.2") == 200);  // other addresses are served
  BOOST_TEST(metric(f, "sipbridge_http_refused_total{reason=\"connections_per_address\"}") == 1);
  held.clear();
  std::this_thread::sleep_for(200ms);
  BOOST_TEST(health(f.port) == 200);  // the places are given back
}

BOOST_AUTO_TEST_CASE(connections_in_total_are_capped) {
  ApiConfig config;
  config.maxConnections = 4;
  config.maxConnectionsPerAddress = 4;
  ApiFixture f(config);
  std::vector<std::unique_ptr<RawClient>> held;
  for (int i = 1; i <= 4; ++i)
    held.push_back(std::make_unique<RawClient>(f.port, "127.0.0." + std::to_string(i)));
  std::this_thread::sleep_for(200ms);
  RawClient extra(f.port, "127.0.0.9");
  BOOST_TEST(statusOf(extra.receiveAnswer()) == 503);
  BOOST_TEST(metric(f, "sipbridge_http_refused_total{reason=\"connections\"}") == 1);
  held.pop_back();
  std::this_thread::sleep_for(200ms);
  BOOST_TEST(health(f.port, "127.0.0.9") == 200);
}

BOOST_AUTO_TEST_CASE(long_polls_hold_no_worker_and_are_capped) {
  ApiConfig config;
  config.maxThreads = 1;
  config.maxLongPolls = 20;
  ApiFixture f(config);
  const auto [sessionId, token] = f.connect();
  std::vector<std::unique_ptr<RawClient>> polls;
  for (int i = 0; i < 20; ++i) {
    polls.push_back(std::make_unique<RawClient>(f.port));
    polls.back()->send(longPoll(token, 20));
  }
  BOOST_TEST(eventually([&] { return metric(f, "sipbridge_longpolls_open") == 20; }));
  // One worker and twenty waiting long-polls: methods and connects are still served.
  BOOST_TEST(health(f.port) == 200);
  const auto answer =
      call(f.port, "POST", "/api/v1/sendMessage", R"({"to":"sip:bob@example.test","body":"hi"})",
           "application/json", bearer(token));
  BOOST_TEST(answer.status == 202);
  f.connect();
  RawClient over(f.port);
  over.send(longPoll(token, 20));
  const std::string refused = over.receiveAnswer();
  BOOST_TEST(statusOf(refused) == 503);
  BOOST_TEST(refused.find("Retry-After: ") != std::string::npos);
  BOOST_TEST(metric(f, "sipbridge_http_refused_total{reason=\"long_polls\"}") == 1);
  // An event answers every waiting long-poll at once.
  f.bridge.push(sessionId, "OnDataEvent", "");
  for (auto& poll : polls) {
    const std::string events = poll->receiveAnswer();
    BOOST_TEST(statusOf(events) == 200);
    BOOST_TEST(events.find("\"last\":1") != std::string::npos);
  }
  BOOST_TEST(eventually([&] { return metric(f, "sipbridge_longpolls_open") == 0; }));
}

BOOST_AUTO_TEST_CASE(a_long_poll_answers_empty_when_its_wait_ends_and_on_stop) {
  ApiFixture f;
  const auto [sessionId, token] = f.connect();
  RawClient shortPoll(f.port);
  shortPoll.send(longPoll(token, 1));
  const std::string answer = shortPoll.receiveAnswer(4000ms);
  BOOST_TEST(statusOf(answer) == 200);
  BOOST_TEST(answer.find(R"({"events":[],"last":0})") != std::string::npos);
  RawClient longOne(f.port);
  longOne.send(longPoll(token, 25));
  BOOST_TEST(eventually([&] { return metric(f, "sipbridge_longpolls_open") == 1; }));
  const auto started = std::chrono::steady_clock::now();
  f.api->stop();
  BOOST_TEST((std::chrono::steady_clock::now() - started < 5s));
  BOOST_TEST(statusOf(longOne.receiveAnswer(1000ms)) == 200);
}

BOOST_AUTO_TEST_CASE(stop_closes_idle_connections_at_once) {
  ApiFixture f;  // header deadline 10 s: stop must not wait for it
  std::vector<std::unique_ptr<RawClient>> idle;
  for (int i = 0; i < 5; ++i) idle.push_back(std::make_unique<RawClient>(f.port));
  std::this_thread::sleep_for(200ms);
  const auto started = std::chrono::steady_clock::now();
  f.api->stop();
  BOOST_TEST((std::chrono::steady_clock::now() - started < 2s));
  for (auto& client : idle) BOOST_TEST(client->closedWithin(1000ms));
}

BOOST_AUTO_TEST_CASE(events_no_longer_in_memory_are_read_by_a_worker) {
  ApiFixture f;
  const auto [sessionId, token] = f.connect();
  f.bridge.push(sessionId, "OnDataEvent", "");
  f.bridge.memoryGap = true;
  RawClient poll(f.port);
  poll.send(longPoll(token, 5));
  const std::string answer = poll.receiveAnswer();
  BOOST_TEST(statusOf(answer) == 200);
  BOOST_TEST(answer.find("\"last\":1") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_full_worker_pool_answers_503_and_health_still_answers) {
  ApiConfig config;
  config.maxThreads = 1;
  config.maxQueued = 0;
  ApiFixture f(config);
  f.bridge.connectDelayMs = 1500;
  auto slow = std::async(std::launch::async, [&] {
    return call(f.port, "POST", "/api/v1/connect", R"({"appKey":"demo"})").status;
  });
  std::this_thread::sleep_for(300ms);
  const auto busy = call(f.port, "POST", "/api/v1/connect", R"({"appKey":"demo"})");
  BOOST_TEST(busy.status == 503);
  BOOST_TEST(busy.response.has("Retry-After"));
  BOOST_TEST(health(f.port) == 200);
  BOOST_TEST(slow.get() == 200);
  BOOST_TEST(metric(f, "sipbridge_http_refused_total{reason=\"workers_busy\"}") == 1);
}

BOOST_AUTO_TEST_SUITE_END()
