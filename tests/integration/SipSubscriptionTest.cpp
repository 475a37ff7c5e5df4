#include <boost/test/unit_test.hpp>

#include "../support/Kamailio.h"
#include "../support/SipRecorder.h"
#include "../support/TestEnv.h"
#include "sipbridge/core/SipGateway.h"
#include "sipbridge/core/SipMessaging.h"
#include "sipbridge/core/SipSubscriptions.h"
#include "sipbridge/sip/SipStack.h"

#include <cctype>
#include <chrono>
#include <cstdlib>
#include <memory>
#include <thread>

using namespace std::chrono_literals;
using sipbridge::core::IncomingMessage;
using sipbridge::core::MessageOutcome;
using sipbridge::core::NotifyInfo;
using sipbridge::core::PublishOutcome;
using sipbridge::core::PublishRequest;
using sipbridge::core::RegistrationResult;
using sipbridge::core::SipAccount;
using sipbridge::core::SubscribeRequest;
using sipbridge::core::SubscriptionOutcome;
using sipbridge::test::freePort;
using sipbridge::test::randomToken;

namespace {

sipbridge::test::KamailioServers& servers() {
  static sipbridge::test::KamailioServers shared;
  return shared;
}

std::unique_ptr<sipbridge::test::KamailioInstance> challengingKamailio() {
  return sipbridge::test::challengingKamailio(servers().pg);
}

sipbridge::sip::SipConfig testConfig() {
  sipbridge::sip::SipConfig config;
  config.bindUrl =
      "sip:127.0.0.1:" + std::to_string(sipbridge::test::freePortRange(sipbridge::test::kSipPorts));
  config.maxSessionsPerUser = sipbridge::test::kSipPorts;
  config.userAgent = "sipbridge-test";
  config.transactionTimeoutMs = 2000;
  config.unregisterTimeoutMs = 2000;
  config.shutdownTimeoutMs = 5000;  // longer than any transaction: shutdown completes
  return config;
}

/// A fresh SIP user of example.test (its own presentity, no state left by other tests).
SipAccount newUser(const std::string& proxy = servers().kamailio.proxy()) {
  const std::string login = randomToken("u");
  servers().pg.psql("INSERT INTO subscriber (username, domain, password) VALUES ('" + login +
                        "', 'example.test', '" + login + "-secret')",
                    "kamailio");
  SipAccount a;
  a.sessionId = randomToken("session-");
  a.login = login;
  a.authName = login;
  a.password = login + "-secret";
  a.domain = "example.test";
  a.outboundProxy = proxy;
  a.transport = "udp";
  a.contactUser = randomToken("c");
  a.expiresSeconds = 600;
  return a;
}

/// One value from Kamailio's database, trailing newline removed.
std::string kamailioQuery(const std::string& sql) {
  std::string value = servers().pg.psql(sql, "kamailio");
  while (!value.empty() && std::isspace(static_cast<unsigned char>(value.back()))) value.pop_back();
  return value;
}

/// Waits (at most 5 s) until Kamailio's presence server holds the `event` presentity of
/// `login`. Kamailio's own PUBLISH of reginfo (pua_reginfo) races with a SUBSCRIBE right
/// after REGISTER: a watcher added while the PUBLISH is processed is not notified of it.
bool presentityExists(const std::string& login, const std::string& event) {
  for (int i = 0; i < 50; ++i) {
    if (kamailioQuery("SELECT count(*) FROM presentity WHERE username = '" + login +
                      "' AND event = '" + event + "'") != "0")
      return true;
    std::this_thread::sleep_for(100ms);
  }
  return false;
}

std::string aor(const SipAccount& a) {
  return "sip:" + a.login + "@example.test";
}

std::uint64_t nextId() {
  static std::uint64_t id = 5000;
  return ++id;
}

SubscribeRequest subscription(const SipAccount& from, const std::string& target,
                              const std::string& event, int expires = 60) {
  SubscribeRequest r;
  r.sessionId = from.sessionId;
  r.subscriptionId = nextId();
  r.targetUri = target;
  r.event = event;
  r.expires = expires;
  return r;
}

std::string pidf(const SipAccount& a, const std::string& basic, const std::string& note) {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
         "<presence xmlns=\"urn:ietf:params:xml:ns:pidf\" entity=\"" +
         aor(a) +
         "\">\n"
         "  <tuple id=\"t1\"><status><basic>" +
         basic +
         "</basic></status></tuple>\n"
         "  <note>" +
         note +
         "</note>\n"
         "</presence>\n";
}

PublishRequest presence(const SipAccount& a, const std::string& basic, const std::string& note,
                        int expires = 60) {
  PublishRequest r;
  r.sessionId = a.sessionId;
  r.publicationId = nextId();
  r.body = pidf(a, basic, note);
  r.expires = expires;
  return r;
}

/// One stack and its recorder; sessions added with add().
struct Bridge {
  Bridge() : stack(testConfig(), recorder, recorder, recorder) {}
  SipAccount add(SipAccount a) {
    stack.registerAccount(a);
    BOOST_REQUIRE(recorder.registered(a.sessionId));
    return a;
  }
  sipbridge::test::SipRecorder recorder;
  sipbridge::sip::SipStack stack;
};

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(SipSubscription)

BOOST_AUTO_TEST_CASE(OwnRegEventShowsTheRegisteredContact) {
  Bridge b;
  const SipAccount carol = b.add(newUser());
  BOOST_REQUIRE(presentityExists(carol.login, "reg"));
  const SubscribeRequest reg = subscription(carol, aor(carol), "reg");
  b.stack.subscribe(reg);
  auto outcome = b.recorder.subscriptionOutcome(reg.subscriptionId);
  BOOST_REQUIRE(outcome);
  BOOST_TEST(outcome->sipStatus / 100 == 2, outcome->sipStatus);
  BOOST_TEST(!outcome->terminated);
  BOOST_TEST(outcome->sessionId == carol.sessionId);

  auto notify = b.recorder.notifyWhere(
      reg.subscriptionId, [&](const NotifyInfo& n) { return contains(n.body, carol.contactUser); });
  BOOST_REQUIRE(notify);
  BOOST_TEST(notify->contentType == "application/reginfo+xml");
  BOOST_TEST(notify->state == "active");
  BOOST_TEST(contains(notify->body, "<reginfo"));
  BOOST_TEST(notify->rawMessage.rfind("NOTIFY sip:", 0) == 0, notify->rawMessage);
  BOOST_TEST(contains(notify->rawMessage, "\r\nEvent: reg"));
  BOOST_TEST(notify->sessionId == carol.sessionId);

  b.stack.unsubscribe(carol.sessionId, reg.subscriptionId);
  auto last = b.recorder.notifyWhere(reg.subscriptionId,
                                     [](const NotifyInfo& n) { return n.state == "terminated"; });
  BOOST_REQUIRE(last);
  outcome = b.recorder.subscriptionOutcome(reg.subscriptionId);
  BOOST_REQUIRE(outcome);
  BOOST_TEST(outcome->sipStatus / 100 == 2, outcome->sipStatus);
  BOOST_TEST(outcome->terminated);
  b.stack.unsubscribe(carol.sessionId, reg.subscriptionId);  // already over: ignored
  BOOST_TEST(!b.recorder.subscriptionOutcome(reg.subscriptionId, 300ms));
}

BOOST_AUTO_TEST_CASE(WatcherSeesPublishedPresenceChanges) {
  Bridge b;
  const SipAccount alice = b.add(newUser());
  const SipAccount bob = b.add(newUser());
  const SubscribeRequest watch = subscription(bob, aor(alice), "presence", 60);
  b.stack.subscribe(watch);
  auto outcome = b.recorder.subscriptionOutcome(watch.subscriptionId);
  BOOST_REQUIRE(outcome);
  BOOST_TEST(outcome->sipStatus / 100 == 2, outcome->sipStatus);
  BOOST_TEST(!outcome->terminated);
  BOOST_REQUIRE(b.recorder.notify(watch.subscriptionId));  // the state before any PUBLISH

  const PublishRequest open = presence(alice, "open", "at my desk");
  b.stack.publish(open);
  auto published = b.recorder.published(open.publicationId);
  BOOST_REQUIRE(published);
  BOOST_TEST(published->sipStatus == 200, published->reason);
  auto notify = b.recorder.notifyWhere(
      watch.subscriptionId, [](const NotifyInfo& n) { return contains(n.body, "at my desk"); });
  BOOST_REQUIRE(notify);
  BOOST_TEST(contains(notify->contentType, "application/pidf+xml"), notify->contentType);
  BOOST_TEST(contains(notify->body, "open"));
  BOOST_TEST(notify->state == "active");

  const PublishRequest closed = presence(alice, "closed", "gone home");
  b.stack.publish(closed);
  published = b.recorder.published(closed.publicationId);
  BOOST_REQUIRE(published);
  BOOST_TEST(published->sipStatus == 200, published->reason);
  notify = b.recorder.notifyWhere(
      watch.subscriptionId, [](const NotifyInfo& n) { return contains(n.body, "gone home"); });
  BOOST_REQUIRE(notify);
  BOOST_TEST(contains(notify->body, "closed"));
  BOOST_TEST(!contains(notify->body, "at my desk"), "the modification replaced the state");

  b.stack.unsubscribe(bob.sessionId, watch.subscriptionId);
  notify = b.recorder.notifyWhere(watch.subscriptionId,
                                  [](const NotifyInfo& n) { return n.state == "terminated"; });
  BOOST_REQUIRE(notify);
  outcome = b.recorder.subscriptionOutcome(watch.subscriptionId);
  BOOST_REQUIRE(outcome);
  BOOST_TEST(outcome->terminated);

  PublishRequest withdraw;
  withdraw.sessionId = alice.sessionId;
  withdraw.publicationId = nextId();
  withdraw.body.clear();
  withdraw.expires = 0;
  b.stack.publish(withdraw);
  published = b.recorder.published(withdraw.publicationId);
  BOOST_REQUIRE(published);
  BOOST_TEST(published->sipStatus == 200, published->reason);
  withdraw.publicationId = nextId();
  b.stack.publish(withdraw);  // nothing left to withdraw
  published = b.recorder.published(withdraw.publicationId);
  BOOST_REQUIRE(published);
  BOOST_TEST(published->sipStatus == 200);
  BOOST_TEST(published->reason == "nothing published");
}

BOOST_AUTO_TEST_CASE(RefusedAndInvalidSubscriptionsAreTerminated) {
  Bridge b;
  const SipAccount dave = b.add(newUser());
  const SipAccount erin = b.add(newUser());
  const SubscribeRequest unknown = subscription(dave, aor(erin), "no-such-package");
  b.stack.subscribe(unknown);
  auto outcome = b.recorder.subscriptionOutcome(unknown.subscriptionId);
  BOOST_REQUIRE(outcome);
  BOOST_TEST(outcome->sipStatus == 489, outcome->sipStatus << " " << outcome->reason);
  BOOST_TEST(outcome->terminated);
  BOOST_TEST(b.recorder.notifyCount(unknown.subscriptionId) == 0u);

  SubscribeRequest badTarget = subscription(dave, "sip:", "presence");
  SubscribeRequest badEvent = subscription(dave, aor(erin), "presence;id=1");
  SubscribeRequest badAccept = subscription(dave, aor(erin), "presence");
  badAccept.accept = "application/pidf+xml\r\nX-Injected: 1";
  SubscribeRequest noAccount = subscription(dave, aor(erin), "presence");
  noAccount.sessionId = "no-such-session";
  for (const auto* r : {&badTarget, &badEvent, &badAccept, &noAccount}) {
    b.stack.subscribe(*r);
    outcome = b.recorder.subscriptionOutcome(r->subscriptionId);
    BOOST_REQUIRE(outcome);
    BOOST_TEST(outcome->sipStatus == 0);
    BOOST_TEST(outcome->terminated);
  }

  // The same id twice: the second is refused, the first lives on.
  const SubscribeRequest first = subscription(dave, aor(erin), "presence");
  b.stack.subscribe(first);
  b.stack.subscribe(first);
  outcome = b.recorder.subscriptionOutcome(first.subscriptionId);
  BOOST_REQUIRE(outcome);
  auto second = b.recorder.subscriptionOutcome(first.subscriptionId);
  BOOST_REQUIRE(second);
  const SubscriptionOutcome& refused = outcome->sipStatus == 0 ? *outcome : *second;
  const SubscriptionOutcome& accepted = outcome->sipStatus == 0 ? *second : *outcome;
  BOOST_TEST(refused.reason == "subscription id in use");
  BOOST_TEST(!refused.terminated);
  BOOST_TEST(accepted.sipStatus / 100 == 2);

  PublishRequest badPublish = presence(dave, "open", "x");
  badPublish.contentType = "no type";
  b.stack.publish(badPublish);
  auto published = b.recorder.published(badPublish.publicationId);
  BOOST_REQUIRE(published);
  BOOST_TEST(published->sipStatus == 0);
}

BOOST_AUTO_TEST_CASE(SubscriptionLimitIsEnforced) {
  sipbridge::sip::SipConfig config = testConfig();
  config.maxSubscriptions = 1;
  sipbridge::test::SipRecorder recorder;
  sipbridge::sip::SipStack stack(config, recorder, recorder, recorder);
  const SipAccount frank = newUser();
  stack.registerAccount(frank);
  BOOST_REQUIRE(recorder.registered(frank.sessionId));
  const SubscribeRequest one = subscription(frank, aor(frank), "reg");
  const SubscribeRequest two = subscription(frank, aor(frank), "presence");
  stack.subscribe(one);
  stack.subscribe(two);
  auto outcome = recorder.subscriptionOutcome(two.subscriptionId);
  BOOST_REQUIRE(outcome);
  BOOST_TEST(outcome->sipStatus == 503);
  BOOST_TEST(outcome->terminated);
  outcome = recorder.subscriptionOutcome(one.subscriptionId);
  BOOST_REQUIRE(outcome);
  BOOST_TEST(outcome->sipStatus / 100 == 2);
}

BOOST_AUTO_TEST_CASE(UnregisterEndsSubscriptionsAndPublications) {
  Bridge b;
  const SipAccount grace = b.add(newUser());
  const SipAccount heidi = b.add(newUser());
  const SubscribeRequest watch = subscription(heidi, aor(grace), "presence", 120);
  b.stack.subscribe(watch);
  auto outcome = b.recorder.subscriptionOutcome(watch.subscriptionId);
  BOOST_REQUIRE(outcome);
  BOOST_REQUIRE(outcome->sipStatus / 100 == 2);
  const PublishRequest open = presence(grace, "open", "here");
  b.stack.publish(open);
  auto published = b.recorder.published(open.publicationId);
  BOOST_REQUIRE(published);
  BOOST_REQUIRE(published->sipStatus == 200);
  auto count = [](const std::string& sql) { return kamailioQuery(sql); };
  const std::string watchers =
      "SELECT count(*) FROM active_watchers WHERE watcher_username = '" + heidi.login + "'";
  const std::string presentities =
      "SELECT count(*) FROM presentity WHERE event = 'presence' AND username = '" + grace.login +
      "'";
  BOOST_TEST(count(watchers) == "1");
  BOOST_TEST(count(presentities) == "1");

  b.stack.unregister(heidi.sessionId);
  b.stack.unregister(grace.sessionId);
  bool gone = false;
  for (int i = 0; i < 50 && !gone; ++i) {
    gone = count(watchers) == "0" && count(presentities) == "0";
    if (!gone) std::this_thread::sleep_for(100ms);
  }
  BOOST_TEST(gone, count(watchers) << " watchers, " << count(presentities) << " presentities");
  BOOST_TEST(!b.recorder.subscriptionOutcome(watch.subscriptionId, 200ms), "nothing reported");
}

/// nua refreshes a short subscription; a refresh that cannot reach the server ends it. The
/// second server challenges, so refreshes and PUBLISH answer digest challenges too.
BOOST_AUTO_TEST_CASE(RefreshKeepsTheSubscriptionAndAFailedRefreshEndsIt) {
  auto challenging = challengingKamailio();
  Bridge b;
  const SipAccount ivan = b.add(newUser());
  const SipAccount judy = b.add(newUser(challenging->proxy()));
  const SubscribeRequest kept = subscription(ivan, aor(ivan), "reg", 10);
  const SubscribeRequest lost = subscription(judy, aor(judy), "reg", 10);
  b.stack.subscribe(kept);
  b.stack.subscribe(lost);
  auto outcome = b.recorder.subscriptionOutcome(kept.subscriptionId);
  BOOST_REQUIRE(outcome);
  BOOST_TEST(outcome->sipStatus / 100 == 2, outcome->sipStatus);
  outcome = b.recorder.subscriptionOutcome(lost.subscriptionId);
  BOOST_REQUIRE(outcome);
  BOOST_TEST(outcome->sipStatus / 100 == 2, outcome->sipStatus << " " << outcome->reason);
  const PublishRequest open = presence(judy, "open", "challenged");
  b.stack.publish(open);
  auto published = b.recorder.published(open.publicationId);
  BOOST_REQUIRE(published);
  BOOST_TEST(published->sipStatus == 200, published->sipStatus << " " << published->reason);

  challenging->stop();
  // nua refreshes a 10 s subscription within 3..9 s.
  outcome = b.recorder.subscriptionOutcome(kept.subscriptionId, 12s);
  BOOST_REQUIRE(outcome);
  BOOST_TEST(outcome->sipStatus / 100 == 2, outcome->sipStatus);
  BOOST_TEST(!outcome->terminated);
  outcome = b.recorder.subscriptionOutcome(lost.subscriptionId, 12s);
  BOOST_REQUIRE(outcome);
  BOOST_TEST(outcome->sipStatus >= 400, outcome->sipStatus);
  BOOST_TEST(outcome->terminated);
  b.stack.unsubscribe(ivan.sessionId, kept.subscriptionId);
  // Refreshes that succeeded while the lost one was awaited may still be queued before the end.
  for (int queued = 0; queued < 4; ++queued) {
    outcome = b.recorder.subscriptionOutcome(kept.subscriptionId);
    BOOST_REQUIRE(outcome);
    if (outcome->terminated || outcome->sipStatus / 100 != 2) break;
  }
  BOOST_TEST(outcome->terminated);
}

BOOST_AUTO_TEST_SUITE_END()
