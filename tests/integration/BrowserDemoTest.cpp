// The demo chat page and the JavaScript client in headless Chromium (driven over WebDriver),
// through the real binary, PostgreSQL and Kamailio. Screenshots go to build/screenshots/.
#include "EndToEndSupport.h"
#include "WebDriver.h"

#include <Poco/JSON/Stringifier.h>

#include <boost/test/unit_test.hpp>

#include <sstream>
#include <thread>

using namespace sipbridge::test;
using namespace std::chrono_literals;

namespace {

std::string screenshotPath(const std::string& name) {
  return repoRoot() + "/build/screenshots/" + name + ".png";
}

/// One user's demo page in its own browser.
struct DemoPage {
  DemoPage(const ChromeDriver& driver, const Stack& s, std::string user)
      : browser(driver), login(std::move(user)) {
    browser.open("http://127.0.0.1:" + std::to_string(s.bridge.httpPort()) + "/demo/");
    BOOST_REQUIRE(browser.waitFor("!document.getElementById('signin').hidden", 15s));
    browser.click("#user option[value='" + login + "']");
    if (login == "alice") browser.screenshot(screenshotPath("demo-signin"));
    browser.script("document.getElementById('password').value = '';");
    browser.type("#password", login + "-secret");
    browser.click("#signin-button");
    require(
        "document.body.dataset.sessionId && "
        "document.getElementById('connection').dataset.state === 'websocket'",
        "signed in with a WebSocket");
  }

  /// Waits for the expression (20 s); on failure keeps a screenshot and fails the test.
  void require(const std::string& expression, const std::string& what) {
    if (browser.waitFor(expression, 20s)) return;
    browser.screenshot(screenshotPath("failed-" + login));
    BOOST_FAIL(login + "'s page: no " + what + "; page text:\n" +
               browser.script("return document.body.innerText;").toString());
  }

  std::string sessionId() {
    return browser.script("return document.body.dataset.sessionId;").toString();
  }

  /// "in:text" / "out:text:STATUS" for every message shown, in order.
  std::vector<std::string> messages() {
    const auto shown = browser.script(
        "return [...document.querySelectorAll('#messages .message')].map(m =>"
        " (m.classList.contains('out') ? 'out:' : 'in:') + m.querySelector('.text').textContent"
        " + (m.dataset.status ? ':' + m.dataset.status : ''));");
    std::vector<std::string> out;
    for (const auto& item : *shown.extract<Poco::JSON::Array::Ptr>())
      out.push_back(item.toString());
    return out;
  }

  void send(const std::string& text, const std::string& format) {
    browser.click("#format option[value='" + format + "']");
    browser.type("#text", text);
    browser.click("#send");
  }

  std::string presenceOf(const std::string& contact) {
    return "document.querySelector(\".contact[data-login='" + contact + "']\").dataset.presence";
  }

  Browser browser;
  std::string login;
};

/// JSON text of a string (for script arguments written into the script).
std::string quoted(const std::string& text) {
  std::ostringstream out;
  Poco::JSON::Stringifier::formatString(text, out);
  return out.str();
}

/// Sends `count` OnDataEvents to the session from the backend (admin API), numbered from `first`.
void sendData(Stack& s, const std::string& sessionId, int first, int count) {
  for (int i = first; i < first + count; ++i) {
    auto sent = s.bridge.admin(
        "POST", "/admin/v1/sessions/" + sessionId + "/data",
        R"({"operationId":"op-)" + std::to_string(i) + R"(","payload":)" + std::to_string(i) + "}");
    BOOST_REQUIRE_EQUAL(sent.status, 202);
  }
}

/// What a page's client has delivered so far: "seq:type:operationId" per event.
std::vector<std::string> delivered(Browser& browser, const std::string& name) {
  const auto seen = browser.script("return window." + name + ".seen;");
  std::vector<std::string> out;
  for (const auto& item : *seen.extract<Poco::JSON::Array::Ptr>()) out.push_back(item.toString());
  return out;
}

/// Starts a SipBridgeClient in the page as window[name] for an existing session, recording
/// every event it delivers and every transport state; `webSocket` is the constructor it uses.
void startClient(Browser& browser, const std::string& name, const std::string& token,
                 const std::string& webSocket) {
  const auto started = browser.asyncScript(
      "const done = arguments[arguments.length - 1];"
      "import('/sdk/sipbridge.js').then(({ SipBridgeClient }) => {"
      "  window.sockets = window.sockets || [];"
      "  class Tracked extends WebSocket {"
      "    constructor(url, protocols) { super(url, protocols); window.sockets.push(this); }"
      "  }"
      "  class Blocked { constructor() { throw new Error('blocked by the test'); } }"
      "  const record = { seen: [], states: [] };"
      "  record.client = new SipBridgeClient({ authToken: " +
      quoted(token) +
      ","
      "    WebSocket: " +
      webSocket +
      ", minRetryMs: 200, maxRetryMs: 1000,"
      "    handlers: {"
      "      event: (e) => record.seen.push(e.seq + ':' + e.type + ':' + (e.operationId || '')),"
      "      transport: (s) => record.states.push(s.state) } });"
      "  window." +
      name +
      " = record;"
      "  record.client.start();"
      "  done(true);"
      "}, (e) => done(String(e)));");
  BOOST_REQUIRE_MESSAGE(started.type() == typeid(bool),
                        "client not started: " + started.toString());
}

std::vector<std::string> expectedEvents(int dataEvents, const std::string& last = {}) {
  std::vector<std::string> out{"1:ConnectionStatusEvent:"};
  for (int i = 1; i <= dataEvents; ++i)
    out.push_back(std::to_string(i + 1) + ":OnDataEvent:op-" + std::to_string(i));
  if (!last.empty()) out.push_back(std::to_string(dataEvents + 2) + ":" + last);
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(BrowserDemo)

BOOST_AUTO_TEST_CASE(two_users_chat_see_presence_and_reload_without_loss) {
  Stack s;
  s.addApp("demo", false);
  ChromeDriver driver;
  DemoPage alice(driver, s, "alice");
  DemoPage bob(driver, s, "bob");

  // Each sees the other online (subscribe to every contact, publish one's own state).
  alice.require(alice.presenceOf("bob") + " === 'open'", "bob online");
  bob.require(bob.presenceOf("alice") + " === 'open'", "alice online");

  // A CPIM message asking for a delivery report: shown on bob's page, delivered on alice's.
  alice.send("Hello Bob!", "cpim");
  bob.require("document.querySelector('#messages .message.in')", "incoming message");
  alice.require("document.querySelector(\"#messages .message.out[data-status='IMDN_DELIVERED']\")",
                "delivered tick");
  // A plain text answer: accepted by the server (no delivery report for text/plain).
  bob.send("Hi Alice, got it.", "text/plain");
  alice.require("document.querySelectorAll('#messages .message').length === 2", "bob's answer");
  bob.require("document.querySelector(\"#messages .message.out[data-status='ACCEPTED']\")",
              "accepted tick");

  // Bob reloads while alice writes again: the same session, every message once.
  const std::string bobSession = bob.sessionId();
  bob.browser.reload();
  alice.send("Did the reload lose anything?", "cpim");
  bob.require("document.querySelectorAll('#messages .message').length === 3", "three messages");
  BOOST_CHECK_EQUAL(bob.sessionId(), bobSession);
  const std::vector<std::string> bobSees{"in:Hello Bob!", "out:Hi Alice, got it.:ACCEPTED",
                                         "in:Did the reload lose anything?"};
  BOOST_CHECK(bob.messages() == bobSees);
  alice.require(
      "document.querySelectorAll(\"#messages .message.out[data-status='IMDN_DELIVERED']\")"
      ".length === 2",
      "both messages delivered");
  alice.browser.reload();
  alice.require("document.querySelectorAll('#messages .message').length === 3",
                "messages after reload");
  const std::vector<std::string> aliceSees{"out:Hello Bob!:IMDN_DELIVERED", "in:Hi Alice, got it.",
                                           "out:Did the reload lose anything?:IMDN_DELIVERED"};
  BOOST_CHECK(alice.messages() == aliceSees);
  alice.browser.screenshot(screenshotPath("demo-alice"));
  bob.browser.screenshot(screenshotPath("demo-bob"));

  // Bob signs out: alice sees him offline.
  bob.browser.click("#signout");
  bob.require("!document.getElementById('signin').hidden", "sign-in form after signing out");
  alice.require(alice.presenceOf("bob") + " === 'closed'", "bob offline");
  alice.browser.screenshot(screenshotPath("demo-alice-bob-offline"));
}

BOOST_AUTO_TEST_CASE(the_client_resumes_after_a_dropped_socket_and_a_restart_or_long_polls) {
  Stack s;
  s.addApp("demo", false);
  auto connect = [&](const std::string& login) {
    auto r = s.bridge.post("/api/v1/connect", connectBody("demo", login, "pw", false));
    BOOST_REQUIRE_EQUAL(r.status, 200);
    return std::make_pair(field(r.json(), "sessionId"), field(r.json(), "authToken"));
  };
  const auto [carolId, carolToken] = connect("carol");
  ChromeDriver driver;
  Browser page(driver);
  page.open("http://127.0.0.1:" + std::to_string(s.bridge.httpPort()) + "/demo/");
  startClient(page, "carol", carolToken, "Tracked");
  sendData(s, carolId, 1, 5);
  BOOST_REQUIRE(page.waitFor("window.carol.seen.length === 6", 20s));

  // The socket is dropped while events keep coming: each arrives once, in order.
  page.script("window.sockets.forEach((socket) => socket.close());");
  sendData(s, carolId, 6, 5);
  BOOST_REQUIRE(page.waitFor("window.carol.seen.length >= 11", 20s));
  std::this_thread::sleep_for(500ms);  // a duplicate would arrive by now
  BOOST_CHECK(delivered(page, "carol") == expectedEvents(10));
  BOOST_CHECK(page.script("return window.sockets.length;").convert<int>() >= 2);
  // The token went as a subprotocol, never in the URL; the bridge selected `sipbridge`.
  BOOST_CHECK(page.script("return window.sockets.every((socket) =>"
                          " !socket.url.includes('token') && socket.protocol === 'sipbridge');")
                  .convert<bool>());

  // The bridge stops (ending the session) and starts again: the client reconnects and reads
  // the end of its session exactly once.
  BOOST_REQUIRE_EQUAL(s.bridge.stop(), 0);
  std::this_thread::sleep_for(1500ms);
  s.bridge.start();
  BOOST_REQUIRE(page.waitFor("window.carol.client.transport === 'ended'", 30s));
  BOOST_CHECK(delivered(page, "carol") == expectedEvents(10, "ConnectionStatusEvent:"));

  // Where no WebSocket can be opened, the client long-polls.
  const auto [eveId, eveToken] = connect("eve");
  startClient(page, "eve", eveToken, "Blocked");
  sendData(s, eveId, 1, 3);
  BOOST_REQUIRE(page.waitFor("window.eve.seen.length === 4", 20s));
  BOOST_CHECK(delivered(page, "eve") == expectedEvents(3));
  BOOST_CHECK(page.script("return window.eve.states.includes('longpoll');").convert<bool>());
}

BOOST_AUTO_TEST_SUITE_END()
