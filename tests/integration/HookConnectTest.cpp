#include "../support/HookReceiver.h"
#include "../support/TestCertificates.h"
#include "sipbridge/hooks/HttpConnectHook.h"
#include "sipbridge/hooks/HttpSender.h"
#include "sipbridge/hooks/Signer.h"

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/StreamCopier.h>

#include <boost/test/unit_test.hpp>

#include <mutex>
#include <set>
#include <thread>

using namespace sipbridge;
using namespace std::chrono_literals;

namespace {

const std::string kSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const std::string kRequest = R"({"appKey":"shop","sipLogin":"alice"})";

core::App appAt(const std::string& url) {
  core::App app;
  app.appKey = "shop";
  app.hookUrl = url;
  app.secret = kSecret;
  app.development = true;  // the receivers are plain http on loopback
  return app;
}

struct ConnectFixture {
  test::HookReceiver receiver;
  hooks::UrlPolicy policy{true};
  hooks::HttpConnectHook hook{policy, test::systemTls(), 1s};
};

/// A loopback HTTP server answering 200 "{}" that records the client port of each request
/// (one port = one connection) and closes connections idle longer than `idleMs`.
class ConnectionCounter {
 public:
  explicit ConnectionCounter(int idleMs) : socket_(Poco::Net::SocketAddress("127.0.0.1", 0)) {
    auto params = new Poco::Net::HTTPServerParams;
    params->setKeepAlive(true);
    params->setKeepAliveTimeout(Poco::Timespan(0, idleMs * 1000));
    params->setMaxThreads(4);
    server_ = std::make_unique<Poco::Net::HTTPServer>(new Factory(*this), socket_, params);
    server_->start();
  }
  ~ConnectionCounter() { server_->stopAll(true); }
  std::string url() const {
    return "http://127.0.0.1:" + std::to_string(socket_.address().port()) + "/h";
  }
  Poco::Net::SocketAddress address() const { return socket_.address(); }
  std::set<int> ports() {
    std::lock_guard lock(mutex_);
    return ports_;
  }

 private:
  struct Handler : Poco::Net::HTTPRequestHandler {
    explicit Handler(ConnectionCounter& owner) : owner_(owner) {}
    void handleRequest(Poco::Net::HTTPServerRequest& request,
                       Poco::Net::HTTPServerResponse& response) override {
      std::string body;
      Poco::StreamCopier::copyToString(request.stream(), body);
      {
        std::lock_guard lock(owner_.mutex_);
        owner_.ports_.insert(request.clientAddress().port());
      }
      response.setContentType("application/json");
      response.setContentLength(2);
      response.send() << "{}";
    }
    ConnectionCounter& owner_;
  };
  struct Factory : Poco::Net::HTTPRequestHandlerFactory {
    explicit Factory(ConnectionCounter& owner) : owner_(owner) {}
    Poco::Net::HTTPRequestHandler* createRequestHandler(
        const Poco::Net::HTTPServerRequest&) override {
      return new Handler(owner_);
    }
    ConnectionCounter& owner_;
  };

  Poco::Net::ServerSocket socket_;
  std::unique_ptr<Poco::Net::HTTPServer> server_;
  std::mutex mutex_;
  std::set<int> ports_;
};

}  // namespace

BOOST_AUTO_TEST_SUITE(HookConnect)

BOOST_FIXTURE_TEST_CASE(accepts_without_a_call_when_there_is_no_hook, ConnectFixture) {
  core::App app = appAt("");
  BOOST_TEST(hook.ask(app, kRequest).accepted);
  app = appAt(receiver.url("/hooks"));
  app.connectHook = false;
  BOOST_TEST(hook.ask(app, kRequest).accepted);
  BOOST_TEST(receiver.count() == 0u);
}

BOOST_FIXTURE_TEST_CASE(posts_the_signed_request_to_connect_and_reads_overrides, ConnectFixture) {
  receiver.setDefault(test::Reply::ok(R"({"sipLogin":"bob","sipPort":5070})"));
  const auto decision = hook.ask(appAt(receiver.url("/hooks/")), kRequest);
  BOOST_TEST(decision.accepted);
  BOOST_REQUIRE(decision.overrides);
  BOOST_TEST(decision.overrides->getValue<std::string>("sipLogin") == "bob");
  BOOST_TEST(decision.overrides->getValue<int>("sipPort") == 5070);

  BOOST_REQUIRE(receiver.count() == 1u);
  const auto request = receiver.requests().front();
  BOOST_TEST(request.method == "POST");
  BOOST_TEST(request.path == "/hooks/connect");
  BOOST_TEST(request.body == kRequest);
  BOOST_TEST(request.header("content-type") == "application/json");
  BOOST_TEST(request.header("user-agent") == "sipbridge");
  BOOST_TEST(test::HookReceiver::signatureValid(request, kSecret));
  BOOST_TEST(!test::HookReceiver::signatureValid(request, "whsec_bm90IHRoZSBrZXk="));
}

BOOST_FIXTURE_TEST_CASE(every_call_has_a_fresh_webhook_id, ConnectFixture) {
  hook.ask(appAt(receiver.url("/h")), kRequest);
  hook.ask(appAt(receiver.url("/h")), kRequest);
  const auto requests = receiver.requests();
  BOOST_REQUIRE(requests.size() == 2u);
  BOOST_TEST(requests[0].header("webhook-id").size() == 36u);
  BOOST_TEST(requests[0].header("webhook-id") != requests[1].header("webhook-id"));
}

BOOST_FIXTURE_TEST_CASE(an_empty_2xx_accepts_without_overrides, ConnectFixture) {
  receiver.setDefault(test::Reply::withStatus(204));
  const auto decision = hook.ask(appAt(receiver.url()), kRequest);
  BOOST_TEST(decision.accepted);
  BOOST_TEST(decision.overrides.isNull());
  BOOST_TEST(receiver.requests().front().path == "/connect");
}

BOOST_FIXTURE_TEST_CASE(a_2xx_body_that_is_not_an_object_refuses, ConnectFixture) {
  receiver.setDefault(test::Reply::ok("[1,2]"));
  auto decision = hook.ask(appAt(receiver.url()), kRequest);
  BOOST_TEST(!decision.accepted);
  BOOST_TEST(decision.info.find("not a JSON object") != std::string::npos, decision.info);
  receiver.setDefault(test::Reply::ok("{broken"));
  decision = hook.ask(appAt(receiver.url()), kRequest);
  BOOST_TEST(!decision.accepted);
  BOOST_TEST(decision.info.find("not JSON") != std::string::npos, decision.info);
}

BOOST_FIXTURE_TEST_CASE(other_answers_refuse_quoting_the_body, ConnectFixture) {
  test::Reply forbidden = test::Reply::withStatus(403);
  forbidden.body = "user is banned";
  receiver.setDefault(forbidden);
  auto decision = hook.ask(appAt(receiver.url()), kRequest);
  BOOST_TEST(!decision.accepted);
  BOOST_TEST(decision.info == "connect hook answered 403: user is banned");

  forbidden.body = std::string(500, 'x');
  receiver.setDefault(forbidden);
  decision = hook.ask(appAt(receiver.url()), kRequest);
  BOOST_TEST(decision.info == "connect hook answered 403: " + std::string(200, 'x'));
}

BOOST_FIXTURE_TEST_CASE(redirects_refuse_and_are_not_followed, ConnectFixture) {
  receiver.setDefault(test::Reply::redirect(receiver.url("/elsewhere")));
  const auto decision = hook.ask(appAt(receiver.url()), kRequest);
  BOOST_TEST(!decision.accepted);
  BOOST_TEST(decision.info.find("answered 302") != std::string::npos, decision.info);
  BOOST_TEST(receiver.count() == 1u);
}

BOOST_FIXTURE_TEST_CASE(unreachable_slow_or_forbidden_destinations_refuse, ConnectFixture) {
  receiver.setDefault(test::Reply::slow(3000));
  const auto started = std::chrono::steady_clock::now();
  auto decision = hook.ask(appAt(receiver.url()), kRequest);
  BOOST_TEST(!decision.accepted);
  BOOST_TEST(decision.info.find("connect hook unreachable: timeout") == 0u, decision.info);
  BOOST_TEST((std::chrono::steady_clock::now() - started < 2500ms));

  receiver.stop();
  decision = hook.ask(appAt(receiver.url()), kRequest);
  BOOST_TEST(!decision.accepted);
  BOOST_TEST(decision.info.find("connect hook unreachable") == 0u, decision.info);

  hooks::UrlPolicy strict(false);
  hooks::HttpConnectHook strictHook(strict, test::systemTls(), 1s);
  decision = strictHook.ask(appAt("http://127.0.0.1:9/"), kRequest);
  BOOST_TEST(decision.info.find("destination not allowed") != std::string::npos, decision.info);
}

BOOST_AUTO_TEST_CASE(sender_reports_status_and_retry_after) {
  test::HookReceiver receiver;
  receiver.setDefault(test::Reply::tooMany("7"));
  hooks::UrlPolicy policy(true);
  hooks::HttpSender sender(policy, test::systemTls(), 1s, 1024,
                           [] { return std::int64_t{1614265330}; });
  const hooks::Signer signer(kSecret);
  const auto result =
      sender.post({hooks::hookUrlFor(receiver.url("/base?k=v"), "OnMessageEvent"), true},
                  "msg_p5jXN8AQM9LWM0D4loKWxJek", signer, R"({"test": 2432232314})");
  BOOST_TEST(result.status == 429);
  BOOST_TEST(result.retryAfterMs.value_or(-1) == 7000);
  BOOST_TEST(result.error == "HTTP 429");
  const auto request = receiver.requests().front();
  BOOST_TEST(request.path == "/base/OnMessageEvent?k=v");
  BOOST_TEST(request.header("webhook-timestamp") == "1614265330");
  BOOST_TEST(request.header("webhook-signature") ==
             "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
}

BOOST_AUTO_TEST_CASE(receiver_restarts_on_the_same_port) {
  test::HookReceiver receiver;
  const int port = receiver.port();
  receiver.stop();
  receiver.start();
  BOOST_TEST(receiver.port() == port);
  hooks::UrlPolicy policy(true);
  hooks::HttpSender sender(policy, test::systemTls(), 1s);
  BOOST_TEST(sender.post({receiver.url("/x"), true}, "id", hooks::Signer("k"), "{}").status == 200);
}

BOOST_AUTO_TEST_CASE(sender_reuses_a_kept_connection_and_replaces_a_closed_one) {
  ConnectionCounter server(300);
  hooks::UrlPolicy policy(true);
  hooks::HttpSender sender(policy, test::systemTls(), 1s, 1024, {},
                           std::make_unique<hooks::KeepAlivePool>(4, std::chrono::seconds(10)));
  const hooks::Signer signer(kSecret);
  for (int i = 0; i < 5; ++i) {
    const auto result = sender.post({server.url(), true}, "id" + std::to_string(i), signer, "{}");
    BOOST_TEST(result.status == 200);
    BOOST_TEST(result.body == "{}");
  }
  BOOST_TEST(server.ports().size() == 1u);  // five requests, one connection
  // The server closes the idle connection: the next request goes on a fresh one.
  std::this_thread::sleep_for(800ms);
  BOOST_TEST(sender.post({server.url(), true}, "late", signer, "{}").status == 200);
  BOOST_TEST(server.ports().size() == 2u);
}

BOOST_AUTO_TEST_CASE(sender_without_a_pool_opens_one_connection_per_request) {
  ConnectionCounter server(5000);
  hooks::UrlPolicy policy(true);
  hooks::HttpSender sender(policy, test::systemTls(), 1s);
  for (int i = 0; i < 3; ++i)
    BOOST_TEST(sender.post({server.url(), true}, "id", hooks::Signer(kSecret), "{}").status == 200);
  BOOST_TEST(server.ports().size() == 3u);
}

BOOST_AUTO_TEST_CASE(keep_alive_pool_is_bounded_and_drops_idle_sessions) {
  ConnectionCounter server(5000);
  const Poco::Net::SocketAddress address = server.address();
  hooks::KeepAlivePool pool(2, 200ms);
  for (int i = 0; i < 3; ++i) {
    auto session = std::make_unique<Poco::Net::HTTPClientSession>(address);
    session->setKeepAlive(true);
    Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_GET, "/h",
                                   Poco::Net::HTTPMessage::HTTP_1_1);
    session->sendRequest(request);
    Poco::Net::HTTPResponse response;
    std::string body;
    Poco::StreamCopier::copyToString(session->receiveResponse(response), body);
    pool.give("k", std::move(session));
  }
  BOOST_TEST(pool.idle() == 2u);  // the oldest was dropped
  BOOST_TEST(pool.take("other") == nullptr);
  BOOST_TEST(pool.take("k") != nullptr);
  std::this_thread::sleep_for(300ms);
  BOOST_TEST(pool.take("k") == nullptr);  // idle too long
  BOOST_TEST(pool.idle() == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
