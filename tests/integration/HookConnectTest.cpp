#include "../support/HookReceiver.h"
#include "sipbridge/hooks/HttpConnectHook.h"
#include "sipbridge/hooks/HttpSender.h"
#include "sipbridge/hooks/Signer.h"

#include <boost/test/unit_test.hpp>

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
  return app;
}

struct ConnectFixture {
  test::HookReceiver receiver;
  hooks::UrlPolicy policy{true};
  hooks::HttpConnectHook hook{policy, 1s};
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
  hooks::HttpConnectHook strictHook(strict, 1s);
  decision = strictHook.ask(appAt("http://127.0.0.1:9/"), kRequest);
  BOOST_TEST(decision.info.find("destination not allowed") != std::string::npos, decision.info);
}

BOOST_AUTO_TEST_CASE(sender_reports_status_and_retry_after) {
  test::HookReceiver receiver;
  receiver.setDefault(test::Reply::tooMany("7"));
  hooks::UrlPolicy policy(true);
  hooks::HttpSender sender(policy, 1s, 1024, [] { return std::int64_t{1614265330}; });
  const hooks::Signer signer(kSecret);
  const auto result =
      sender.post(hooks::hookUrlFor(receiver.url("/base?k=v"), "OnMessageEvent"),
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
  hooks::HttpSender sender(policy, 1s);
  BOOST_TEST(sender.post(receiver.url("/x"), "id", hooks::Signer("k"), "{}").status == 200);
}

BOOST_AUTO_TEST_SUITE_END()
