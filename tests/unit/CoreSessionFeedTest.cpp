// The non-blocking side of a session's event feed: listeners told of each committed event,
// reads that never wait, and the gap that sends a reader to the store.
#include "sipbridge/core/Session.h"

#include <boost/test/unit_test.hpp>

#include <atomic>

using namespace sipbridge::core;

namespace {

Event event(std::int64_t seq, const std::string& type = "OnDataEvent",
            const std::string& status = "") {
  Event e;
  e.type = type;
  e.status = status;
  e.seq = seq;
  return e;
}

Session makeSession(std::size_t capacity) {
  ConnectRequest request;
  request.appKey = "demo";
  return Session("s1", "s1.token", request, "sb1", capacity, 0);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(CoreSessionFeed)

BOOST_AUTO_TEST_CASE(a_watcher_is_called_for_each_delivered_event_until_unwatched) {
  auto session = makeSession(8);
  std::atomic<int> calls{0};
  const auto id = session.watch([&] { ++calls; });
  session.deliver(event(1));
  session.deliver(event(2));
  session.deliver(event(2));  // already delivered: no new event, no call
  BOOST_TEST(calls == 2);
  session.unwatch(id);
  session.deliver(event(3));
  BOOST_TEST(calls == 2);
}

BOOST_AUTO_TEST_CASE(a_watcher_may_read_the_feed_from_its_call) {
  auto session = makeSession(8);
  std::vector<std::int64_t> seen;
  session.watch([&] {
    bool gap = false;
    for (const auto& e : session.waitAfter(static_cast<std::int64_t>(seen.size()),
                                           std::chrono::milliseconds(0), 10, gap))
      seen.push_back(e.seq);
  });
  session.deliver(event(1));
  session.deliver(event(2, "ConnectionStatusEvent", "DISCONNECTED"));
  BOOST_TEST(seen == (std::vector<std::int64_t>{1, 2}));
  BOOST_TEST(session.ended());
}

BOOST_AUTO_TEST_CASE(a_zero_wait_read_returns_at_once_and_reports_a_gap) {
  auto session = makeSession(2);
  bool gap = false;
  const auto start = std::chrono::steady_clock::now();
  BOOST_TEST(session.waitAfter(0, std::chrono::milliseconds(0), 10, gap).empty());
  BOOST_TEST((std::chrono::steady_clock::now() - start < std::chrono::milliseconds(500)));
  BOOST_TEST(!gap);
  for (int seq = 1; seq <= 3; ++seq) session.deliver(event(seq));
  BOOST_TEST(session.waitAfter(0, std::chrono::milliseconds(0), 10, gap).empty());
  BOOST_TEST(gap);  // seq 1 fell out of the two-event feed: read it from the store
  const auto tail = session.waitAfter(1, std::chrono::milliseconds(0), 10, gap);
  BOOST_TEST(!gap);
  BOOST_TEST(tail.size() == 2u);
}

BOOST_AUTO_TEST_SUITE_END()
