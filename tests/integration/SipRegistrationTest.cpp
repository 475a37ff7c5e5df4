#include <boost/test/unit_test.hpp>

#include "../support/Kamailio.h"
#include "../support/SipRecorder.h"
#include "../support/TestEnv.h"
#include "sipbridge/core/Errors.h"
#include "sipbridge/core/SipGateway.h"
#include "sipbridge/sip/SipStack.h"

#include <Poco/AutoPtr.h>
#include <Poco/Channel.h>
#include <Poco/Logger.h>
#include <Poco/Message.h>

#include <chrono>
#include <fstream>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

using namespace std::chrono_literals;
using sipbridge::core::RegistrationResult;
using sipbridge::core::SipAccount;
using sipbridge::test::randomToken;
using State = sipbridge::core::RegistrationResult::State;

namespace {

/// One PostgreSQL and Kamailio for the whole suite (started on first use).
sipbridge::test::KamailioServers& servers() {
  static sipbridge::test::KamailioServers shared;
  return shared;
}

sipbridge::sip::SipConfig testConfig() {
  sipbridge::sip::SipConfig config;
  config.bindUrl =
      "sip:127.0.0.1:" + std::to_string(sipbridge::test::freePortRange(sipbridge::test::kSipPorts));
  config.maxSessionsPerUser = sipbridge::test::kSipPorts;
  config.userAgent = "sipbridge-test";
  config.transactionTimeoutMs = 2000;
  config.unregisterTimeoutMs = 3000;
  config.shutdownTimeoutMs = 3000;
  return config;
}

SipAccount account(const std::string& login, const std::string& password, const std::string& proxy,
                   const std::string& transport = "udp") {
  SipAccount a;
  a.sessionId = randomToken("session-");
  a.login = login;
  a.authName = login;
  a.password = password;
  a.displayName = "Test \"User\"";
  a.domain = "example.test";
  a.outboundProxy = proxy;
  a.transport = transport;
  a.contactUser = randomToken("c");
  a.contactParams = "bridge=test";
  a.expiresSeconds = 600;
  return a;
}

/// Contacts Kamailio stored (usrloc writes through) for the login.
std::string bindings(const std::string& login) {
  return servers().pg.psql(
      "SELECT contact FROM location WHERE username = '" + login + "' ORDER BY contact", "kamailio");
}

/// Sends one MESSAGE to <user>@example.test through Kamailio with sipp and expects `status`.
/// Returns "" on success, else sipp's complaint.
std::string sendMessage(const std::string& user, int status) {
  sipbridge::test::TempDir dir;
  const std::string scenario = dir.path() + "/message.xml";
  std::ofstream(scenario) << "<?xml version=\"1.0\" encoding=\"ISO-8859-1\" ?>\n"
                             "<scenario name=\"message\"><send retrans=\"500\"><![CDATA[\n"
                             "MESSAGE sip:"
                          << user
                          << "@example.test SIP/2.0\n"
                             "Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]\n"
                             "From: <sip:tester@127.0.0.1>;tag=[call_number]\n"
                             "To: <sip:"
                          << user
                          << "@example.test>\n"
                             "Call-ID: [call_id]\nCSeq: 1 MESSAGE\nMax-Forwards: 10\n"
                             "Content-Type: text/plain\nContent-Length: [len]\n\nhello\n"
                             "]]></send><recv response=\""
                          << status << "\" timeout=\"5000\"/></scenario>\n";
  try {
    sipbridge::test::runCommand("sipp 127.0.0.1:" + std::to_string(servers().kamailio.sipPort()) +
                                " -sf " + scenario + " -i 127.0.0.1 -p " +
                                std::to_string(sipbridge::test::freePort()) +
                                " -m 1 -timeout 10s -timeout_error -nostdin >/dev/null");
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(SipRegistration)

BOOST_AUTO_TEST_CASE(RightPasswordRegistersAndBindsTheSessionContact) {
  sipbridge::test::SipRecorder listener;
  sipbridge::sip::SipStack stack(testConfig(), listener);
  const SipAccount alice = account("alice", "alice-secret", servers().kamailio.proxy());
  stack.registerAccount(alice);

  auto result = listener.registration(alice.sessionId);
  BOOST_REQUIRE(result);
  BOOST_TEST(static_cast<int>(result->state) == static_cast<int>(State::Registered));
  BOOST_TEST(result->sipStatus == 200);
  const std::string contacts = bindings("alice");
  BOOST_TEST(contacts.find("sip:" + alice.contactUser + "@127.0.0.1:") != std::string::npos,
             contacts);
  BOOST_TEST(contacts.find("bridge=test") != std::string::npos, contacts);
  BOOST_TEST(
      servers().kamailio.kamcmd("ul.lookup location alice@example.test").find(alice.contactUser) !=
      std::string::npos);
}

BOOST_AUTO_TEST_CASE(RegistersOverTcp) {
  sipbridge::test::SipRecorder listener;
  sipbridge::sip::SipStack stack(testConfig(), listener);
  const SipAccount bob = account("bob", "bob-secret", servers().kamailio.proxy(), "tcp");
  stack.registerAccount(bob);

  auto result = listener.registration(bob.sessionId);
  BOOST_REQUIRE(result);
  BOOST_TEST(static_cast<int>(result->state) == static_cast<int>(State::Registered));
  const std::string contacts = bindings("bob");
  BOOST_TEST(contacts.find(bob.contactUser) != std::string::npos, contacts);
  BOOST_TEST(contacts.find("transport=tcp") != std::string::npos, contacts);
}

BOOST_AUTO_TEST_CASE(WrongPasswordFailsWithAuthenticationFailed) {
  sipbridge::test::SipRecorder listener;
  sipbridge::sip::SipStack stack(testConfig(), listener);
  const SipAccount carol = account("carol", "not-the-password", servers().kamailio.proxy());
  stack.registerAccount(carol);

  auto result = listener.registration(carol.sessionId);
  BOOST_REQUIRE(result);
  BOOST_TEST(static_cast<int>(result->state) == static_cast<int>(State::Failed));
  BOOST_TEST((result->sipStatus == 401 || result->sipStatus == 403), result->sipStatus);
  BOOST_TEST(result->info == "authentication failed");
  BOOST_TEST(bindings("carol").find(carol.contactUser) == std::string::npos);
  BOOST_TEST(!listener.registration(carol.sessionId, 1s), "a single report expected");
}

BOOST_AUTO_TEST_CASE(ServerDownFailsAsUnreachableWithinSeconds) {
  sipbridge::test::SipRecorder listener;
  sipbridge::sip::SipStack stack(testConfig(), listener);
  const std::string nowhere = "127.0.0.1:" + std::to_string(sipbridge::test::freePort());
  for (const std::string transport : {"udp", "tcp"}) {
    const SipAccount dave = account("dave", "dave-secret", nowhere, transport);
    const auto started = std::chrono::steady_clock::now();
    stack.registerAccount(dave);
    auto result = listener.registration(dave.sessionId, 15s);
    BOOST_REQUIRE(result);
    BOOST_TEST(static_cast<int>(result->state) == static_cast<int>(State::Failed));
    BOOST_TEST((result->sipStatus == 408 || result->sipStatus == 503), result->sipStatus);
    BOOST_TEST(result->info.find("unreachable") != std::string::npos, result->info);
    const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - started);
    BOOST_TEST(elapsed.count() < 10000, transport << " took " << elapsed.count() << " ms");

    stack.unregister(dave.sessionId);
    auto gone = listener.registration(dave.sessionId, 5s);
    BOOST_REQUIRE(gone);
    BOOST_TEST(static_cast<int>(gone->state) == static_cast<int>(State::Unregistered));
  }
}

/// Keeps every message logged to one Poco logger while it lives, then gives the logger its
/// channel and level back.
class LogCapture {
 public:
  LogCapture(const std::string& name, int level)
      : logger_(Poco::Logger::get(name)),
        channel_(logger_.getChannel()),
        level_(logger_.getLevel()) {
    logger_.setChannel(recorder_);
    logger_.setLevel(level);
  }
  ~LogCapture() {
    logger_.setChannel(channel_);
    logger_.setLevel(level_);
  }
  LogCapture(const LogCapture&) = delete;
  LogCapture& operator=(const LogCapture&) = delete;

  /// The first message whose text contains `part`, waiting at most `timeout`.
  std::optional<Poco::Message> find(const std::string& part, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    do {
      if (auto found = recorder_->find(part)) return found;
      std::this_thread::sleep_for(50ms);
    } while (std::chrono::steady_clock::now() < deadline);
    return std::nullopt;
  }

 private:
  class Recorder : public Poco::Channel {
   public:
    void log(const Poco::Message& message) override {
      std::lock_guard lock(mutex_);
      messages_.push_back(message);
    }
    std::optional<Poco::Message> find(const std::string& part) {
      std::lock_guard lock(mutex_);
      for (const auto& m : messages_)
        if (m.getText().find(part) != std::string::npos) return m;
      return std::nullopt;
    }

   private:
    std::mutex mutex_;
    std::vector<Poco::Message> messages_;
  };

  Poco::Logger& logger_;
  Poco::AutoPtr<Poco::Channel> channel_;
  const int level_;
  Poco::AutoPtr<Recorder> recorder_{new Recorder};
};

BOOST_AUTO_TEST_CASE(SofiasOwnLogGoesToItsLoggerAtItsLevel) {
  LogCapture capture("sipbridge.sip.sofia", Poco::Message::PRIO_INFORMATION);
  {
    sipbridge::test::SipRecorder listener;
    sipbridge::sip::SipStack stack(testConfig(), listener);
    const std::string nowhere = "127.0.0.1:" + std::to_string(sipbridge::test::freePort());
    const SipAccount dave = account("dave", "dave-secret", nowhere, "tcp");
    stack.registerAccount(dave);
    BOOST_REQUIRE(listener.registration(dave.sessionId, 15s));
  }
  auto refused = capture.find("Connection refused", 5s);
  BOOST_REQUIRE(refused);
  BOOST_TEST(refused->getSource() == "sipbridge.sip.sofia");
  BOOST_TEST(refused->getPriority() == Poco::Message::PRIO_INFORMATION);
  BOOST_TEST(refused->getText().find('\n') == std::string::npos, refused->getText());
}

BOOST_AUTO_TEST_CASE(UnregisterRemovesTheBinding) {
  sipbridge::test::SipRecorder listener;
  sipbridge::sip::SipStack stack(testConfig(), listener);
  const SipAccount alice = account("alice", "alice-secret", servers().kamailio.proxy());
  stack.registerAccount(alice);
  auto result = listener.registration(alice.sessionId);
  BOOST_REQUIRE(result);
  BOOST_REQUIRE(static_cast<int>(result->state) == static_cast<int>(State::Registered));
  BOOST_REQUIRE(bindings("alice").find(alice.contactUser) != std::string::npos);

  stack.unregister(alice.sessionId);
  auto gone = listener.registration(alice.sessionId);
  BOOST_REQUIRE(gone);
  BOOST_TEST(static_cast<int>(gone->state) == static_cast<int>(State::Unregistered));
  BOOST_TEST(gone->sipStatus == 200);
  BOOST_TEST(bindings("alice").find(alice.contactUser) == std::string::npos);

  stack.unregister(alice.sessionId);  // unknown now: ignored
  BOOST_TEST(!listener.registration(alice.sessionId, 500ms));
}

BOOST_AUTO_TEST_CASE(TwoSessionsOfOneLoginRegisterDistinctContacts) {
  sipbridge::test::SipRecorder listener;
  sipbridge::sip::SipStack stack(testConfig(), listener);
  const SipAccount first = account("dave", "dave-secret", servers().kamailio.proxy());
  const SipAccount second = account("dave", "dave-secret", servers().kamailio.proxy(), "tcp");
  stack.registerAccount(first);
  stack.registerAccount(second);
  for (const SipAccount* a : {&first, &second}) {
    auto result = listener.registration(a->sessionId);
    BOOST_REQUIRE(result);
    BOOST_TEST(static_cast<int>(result->state) == static_cast<int>(State::Registered));
  }
  const std::string contacts = bindings("dave");
  BOOST_TEST(contacts.find(first.contactUser) != std::string::npos, contacts);
  BOOST_TEST(contacts.find(second.contactUser) != std::string::npos, contacts);

  stack.unregister(first.sessionId);
  BOOST_REQUIRE(listener.registration(first.sessionId));
  const std::string remaining = bindings("dave");
  BOOST_TEST(remaining.find(first.contactUser) == std::string::npos, remaining);
  BOOST_TEST(remaining.find(second.contactUser) != std::string::npos, remaining);
}

BOOST_AUTO_TEST_CASE(MessageToTheAddressOfRecordReachesTheSessionContacts) {
  sipbridge::test::SipRecorder listener;
  sipbridge::sip::SipStack stack(testConfig(), listener);
  const SipAccount carol = account("carol", "carol-secret", servers().kamailio.proxy());
  stack.registerAccount(carol);
  auto result = listener.registration(carol.sessionId);
  BOOST_REQUIRE(result);
  BOOST_REQUIRE(static_cast<int>(result->state) == static_cast<int>(State::Registered));

  // Kamailio looks carol up and forwards to the session's contact, which (until incoming
  // messages are served) answers 480; an unregistered user gets Kamailio's own 404.
  BOOST_TEST(sendMessage("carol", 480) == "");
  BOOST_TEST(sendMessage("nobody", 404) == "");
}

BOOST_AUTO_TEST_CASE(BindingsLeftByAnEarlierRunAreRemovedByTheNextRegistration) {
  const std::string login = randomToken("u");
  servers().pg.psql("INSERT INTO subscriber (username, domain, password) VALUES ('" + login +
                        "', 'example.test', '" + login + "-secret')",
                    "kamailio");
  const auto config = testConfig();
  const int port = std::stoi(config.bindUrl.substr(config.bindUrl.rfind(':') + 1));
  // What a crashed run of this node left: contacts on its ports no session of it holds now,
  // and a binding of the same user elsewhere, which is not the node's to remove.
  const std::string staleFirst = "sip:" + randomToken("sb") + "@127.0.0.1:" + std::to_string(port);
  const std::string staleSecond =
      "sip:" + randomToken("sb") + "@127.0.0.1:" + std::to_string(port + 1);
  const std::string elsewhere = "sip:" + randomToken("phone") + "@127.0.0.1:9";
  for (const std::string& contact : {staleFirst, staleSecond, elsewhere})
    servers().kamailio.kamcmd("ul.add location " + login + "@example.test " + contact +
                              " 600 1.0 . 0 0 4095");
  BOOST_REQUIRE(bindings(login).find(staleFirst) != std::string::npos);

  sipbridge::test::SipRecorder listener;
  sipbridge::sip::SipStack stack(config, listener);
  const SipAccount session = account(login, login + "-secret", servers().kamailio.proxy());
  stack.registerAccount(session);
  BOOST_REQUIRE(listener.registered(session.sessionId));
  std::string remaining;
  for (int i = 0; i < 50; ++i) {
    remaining = bindings(login);
    if (remaining.find(staleFirst) == std::string::npos &&
        remaining.find(staleSecond) == std::string::npos)
      break;
    std::this_thread::sleep_for(100ms);
  }
  BOOST_TEST(remaining.find(staleFirst) == std::string::npos, remaining);
  BOOST_TEST(remaining.find(staleSecond) == std::string::npos, remaining);
  BOOST_TEST(remaining.find(session.contactUser) != std::string::npos, remaining);
  BOOST_TEST(remaining.find(elsewhere) != std::string::npos, remaining);

  // A second session of the user is live, not left behind: the first one's refresh and the
  // second one's registration remove nothing of each other.
  const SipAccount second = account(login, login + "-secret", servers().kamailio.proxy());
  stack.registerAccount(second);
  BOOST_REQUIRE(listener.registered(second.sessionId));
  std::this_thread::sleep_for(500ms);
  remaining = bindings(login);
  BOOST_TEST(remaining.find(session.contactUser) != std::string::npos, remaining);
  BOOST_TEST(remaining.find(second.contactUser) != std::string::npos, remaining);
}

BOOST_AUTO_TEST_CASE(FailedRefreshIsReported) {
  sipbridge::test::KamailioInstance own(servers().pg);
  sipbridge::test::SipRecorder listener;
  sipbridge::sip::SipStack stack(testConfig(), listener);
  SipAccount bob = account("bob", "bob-secret", own.proxy());
  bob.expiresSeconds = 10;  // the registrar's minimum: nua refreshes within seconds
  stack.registerAccount(bob);
  auto result = listener.registration(bob.sessionId);
  BOOST_REQUIRE(result);
  BOOST_REQUIRE(static_cast<int>(result->state) == static_cast<int>(State::Registered));

  own.stop();
  auto failed = listener.registration(bob.sessionId, 20s);
  BOOST_REQUIRE(failed);
  BOOST_TEST(static_cast<int>(failed->state) == static_cast<int>(State::Failed));
  BOOST_TEST(failed->info.find("unreachable") != std::string::npos, failed->info);
}

BOOST_AUTO_TEST_CASE(FullCommandQueueAnswersUnavailable) {
  sipbridge::test::SipRecorder listener;
  auto config = testConfig();
  config.commandQueueCapacity = 0;
  sipbridge::sip::SipStack stack(config, listener);
  BOOST_CHECK_THROW(stack.registerAccount(account("alice", "alice-secret", "127.0.0.1:9")),
                    sipbridge::core::Unavailable);
  BOOST_CHECK_THROW(stack.unregister("any"), sipbridge::core::Unavailable);
}

BOOST_AUTO_TEST_SUITE_END()
