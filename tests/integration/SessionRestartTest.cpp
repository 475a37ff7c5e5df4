// An ended session's token reads how the session ended for a grace period, also after its node
// restarted: the real binary, stopped cleanly or killed, with real PostgreSQL.
#include "EndToEndSupport.h"

#include <boost/test/unit_test.hpp>

using namespace sipbridge::test;
using namespace std::chrono_literals;

namespace {

Client connect(Stack& s, const std::string& login) {
  auto connected = s.bridge.post("/api/v1/connect", connectBody("app1", login, "pw", false));
  BOOST_REQUIRE_EQUAL(connected.status, 200);
  Client c{field(connected.json(), "authToken"), field(connected.json(), "sessionId")};
  BOOST_REQUIRE(!c.until(s.bridge, "ConnectionStatusEvent", "ESTABLISHED").empty());
  return c;
}

/// Every event of the session from the start, read with its token (long-poll); checks that the
/// last one is DISCONNECTED and returns its info.
std::string endedWith(Stack& s, const Client& c) {
  std::int64_t after = 0;
  auto events = pollUntil(s.bridge, c.token, after, "ConnectionStatusEvent", "DISCONNECTED", 10s);
  BOOST_REQUIRE_MESSAGE(!events.empty(), "the token of " + c.sessionId + " read nothing");
  BOOST_CHECK_EQUAL(statuses(events).front(), "ConnectionStatusEvent:ESTABLISHED");
  BOOST_CHECK_EQUAL(statuses(events).back(), "ConnectionStatusEvent:DISCONNECTED");
  // Nothing follows, and the session takes no more methods.
  auto rest = s.bridge.get("/api/v1/events?after=" + std::to_string(after) + "&wait=0", c.token);
  BOOST_CHECK_EQUAL(rest.status, 200);
  BOOST_CHECK_EQUAL(rest.json()->getArray("events")->size(), 0u);
  BOOST_CHECK_EQUAL(s.bridge.post("/api/v1/disconnect", "{}", c.token).status, 409);
  return field(events.back(), "info");
}

}  // namespace

BOOST_AUTO_TEST_SUITE(SessionRestart)

BOOST_AUTO_TEST_CASE(tokens_read_how_their_sessions_ended_after_kill_9_and_after_a_clean_stop) {
  Stack s;
  s.addApp("app1", false);
  Client ended = connect(s, "alice");
  BOOST_REQUIRE_EQUAL(s.bridge.post("/api/v1/disconnect", "{}", ended.token).status, 202);
  Client killed = connect(s, "bob");

  s.bridge.kill9();
  s.bridge.start();
  BOOST_CHECK_EQUAL(endedWith(s, ended), "disconnected by the client");
  BOOST_CHECK_EQUAL(endedWith(s, killed), "node restarted; session ended");
  // The database holds a hash of each token, never the token.
  const std::string secret = killed.token.substr(killed.token.find('.') + 1);
  BOOST_CHECK_EQUAL(s.pg.psql("SELECT count(*) FROM sessions WHERE length(token_hash) = 32"),
                    "2\n");
  BOOST_CHECK_EQUAL(
      s.pg.psql("SELECT count(*) FROM sessions WHERE token_hash::text LIKE '%" + secret +
                "%' OR encode(token_hash, 'escape') LIKE '%" + secret + "%'"),
      "0\n");

  Client stopped = connect(s, "carol");
  BOOST_REQUIRE_EQUAL(s.bridge.stop(), 0);
  s.bridge.start();
  BOOST_CHECK_EQUAL(endedWith(s, stopped), "node shutting down");
  // Only the session's own token reads it.
  const std::string forged = stopped.sessionId + "." + std::string(43, 'A');
  BOOST_CHECK_EQUAL(s.bridge.get("/api/v1/events?after=0", forged).status, 401);
}

BOOST_AUTO_TEST_SUITE_END()
