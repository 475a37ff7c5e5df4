// Hooks_Delivery: deliveries/s from the PostgreSQL outbox to a local HookReceiver through
// hooks::Dispatcher (claim with lease, signed POST over keep-alive connections, outcomes
// recorded in batches), next to baselines of plain POCO HTTP POSTs of the same bodies to
// the same receiver from the same number of threads, with keep-alive (like the dispatcher)
// and with one connection per request, in the same run. Then the same delivery with one
// application's endpoint slow (1 s per answer): the other applications' rate. Then every
// delivery to one single fast application (its concurrency is the limit). Bounded: a
// few thousand deliveries per figure. HOOKS_BENCH_CAP=<n> overrides the per-application
// concurrency cap (default 2), HOOKS_BENCH_MAX=<n> the most it may grow to (default 0: the
// dispatcher's default); HOOKS_BENCH_KEEPALIVE=0 turns connection reuse off.
#include "../tests/support/EventStore.h"
#include "../tests/support/HookReceiver.h"
#include "../tests/support/TestCertificates.h"
#include "../tests/support/TestEnv.h"
#include "sipbridge/core/Event.h"
#include "sipbridge/core/Metrics.h"
#include "sipbridge/hooks/Dispatcher.h"
#include "sipbridge/store/EventWriter.h"
#include "sipbridge/store/Outbox.h"
#include "sipbridge/store/Partitions.h"
#include "sipbridge/store/PgAppDirectory.h"

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <future>
#include <thread>

using namespace sipbridge;
using Clock = std::chrono::steady_clock;

namespace {

constexpr int kApps = 8;
constexpr int kPerApp = 400;
constexpr int kWorkers = 8;
const std::string kSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

double seconds(Clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

/// Plain POCO POSTs of `body` from `threads` threads, `total` in all, one session per
/// thread reused (`keepAlive`) or one connection per request; returns requests/s.
double baseline(test::HookReceiver& receiver, const std::string& body, int threads, int total,
                bool keepAlive) {
  const auto started = Clock::now();
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      Poco::Net::HTTPClientSession kept("127.0.0.1", static_cast<Poco::UInt16>(receiver.port()));
      kept.setKeepAlive(true);
      for (int i = t; i < total; i += threads) {
        Poco::Net::HTTPClientSession fresh("127.0.0.1", static_cast<Poco::UInt16>(receiver.port()));
        fresh.setKeepAlive(false);
        Poco::Net::HTTPClientSession& session = keepAlive ? kept : fresh;
        Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_POST, "/base/OnMessageEvent",
                                       Poco::Net::HTTPMessage::HTTP_1_1);
        request.setContentType("application/json");
        request.setContentLength(static_cast<std::streamsize>(body.size()));
        session.sendRequest(request) << body;
        Poco::Net::HTTPResponse response;
        std::string answer;
        Poco::StreamCopier::copyToString(session.receiveResponse(response), answer);
      }
    });
  }
  for (auto& thread : pool) thread.join();
  return total / seconds(Clock::now() - started);
}

struct Run {
  double rate = 0;     ///< deliveries/s of the measured applications
  double seconds = 0;  ///< time until the last of them arrived
};

/// Delivers what is committed; waits for `expected` requests to `path`-prefixed apps.
Run deliver(store::Outbox& outbox, test::HookReceiver& receiver, std::size_t expected,
            const std::string& path, int perAppCap, int perAppMax, bool keepAlive) {
  hooks::HookConfig config;
  config.workers = kWorkers;
  config.perAppConcurrency = perAppCap;
  config.perAppMaxConcurrency = perAppMax;
  config.allowPrivate = true;
  config.timeoutSeconds = 5;
  if (!keepAlive) config.keepAliveConnections = 0;
  core::Metrics metrics;
  hooks::Dispatcher dispatcher(config, outbox, metrics, test::systemTls());
  const auto started = Clock::now();
  dispatcher.start();
  if (!receiver.waitFor(expected, std::chrono::seconds(120), path))
    throw std::runtime_error("deliveries did not all arrive");
  const double elapsed = seconds(Clock::now() - started);
  receiver.stop();  // cuts the slow answers short so stop() returns at once
  dispatcher.stop();
  return {static_cast<double>(expected) / elapsed, elapsed};
}

}  // namespace

int main() {
  try {
    const char* capText = std::getenv("HOOKS_BENCH_CAP");
    const int cap = capText ? std::max(1, std::atoi(capText)) : 2;
    const char* maxText = std::getenv("HOOKS_BENCH_MAX");
    const int perAppMax = maxText ? std::max(0, std::atoi(maxText)) : 0;
    const char* keepAliveText = std::getenv("HOOKS_BENCH_KEEPALIVE");
    const bool keepAlive = !keepAliveText || std::atoi(keepAliveText) != 0;
    test::EventStore events("hooks_bench", kWorkers + 2);
    store::Partitions(events.db.pool).ensure(2);
    store::EventWriter& writer = events.writer;
    store::Outbox outbox(events.db.pool);
    store::PgAppDirectory apps(events.db.pool);

    // 1. Every endpoint fast.
    test::HookReceiver receiver;
    std::vector<std::string> names;
    for (int i = 0; i < kApps; ++i) {
      names.push_back("app" + std::to_string(i));
      apps.put({names.back(), receiver.url("/fast"), kSecret, true, false, 0, "automatic", true});
    }
    test::commitMessages(writer, names, kPerApp);
    const int total = kApps * kPerApp;
    const Run fast =
        deliver(outbox, receiver, static_cast<std::size_t>(total), "", cap, perAppMax, keepAlive);
    const std::string body = receiver.requests().front().body;
    receiver.start();
    receiver.clear();
    const double plainKept = baseline(receiver, body, kWorkers, total, true);
    const double plain = baseline(receiver, body, kWorkers, total, false);

    // 2. One endpoint answering after 1 s among the fast ones.
    test::HookReceiver mixed;
    mixed.setReply("/slow/OnMessageEvent", test::Reply::slow(1000));
    apps.put({"slow", mixed.url("/slow"), kSecret, true, false, 0, "automatic", true});
    std::vector<std::string> fastNames;
    for (int i = 0; i < kApps - 1; ++i) {
      fastNames.push_back("mixed" + std::to_string(i));
      apps.put({fastNames.back(), mixed.url("/fast"), kSecret, true, false, 0, "automatic", true});
    }
    test::commitMessages(writer, {"slow"}, kPerApp);
    test::commitMessages(writer, fastNames, kPerApp);
    const std::size_t fastTotal = fastNames.size() * kPerApp;
    const Run withSlow =
        deliver(outbox, mixed, fastTotal, "/fast/OnMessageEvent", cap, perAppMax, keepAlive);

    // 3. One application receiving everything, its endpoint fast.
    test::HookReceiver single;
    apps.put({"single", single.url("/one"), kSecret, true, false, 0, "automatic", true});
    test::commitMessages(writer, {"single"}, total);
    const Run one = deliver(outbox, single, static_cast<std::size_t>(total), "/one/OnMessageEvent",
                            cap, perAppMax, keepAlive);
    writer.stop();

    std::printf(
        "Hooks_Delivery (%d deliveries to %d apps, %d workers, per-app cap %d growing to %d, "
        "loopback receiver, keep-alive %s)\n",
        total, kApps, kWorkers, cap, perAppMax, keepAlive ? "on" : "off");
    std::printf("  dispatcher (claim+POST+record)       %10.0f deliveries/s  (%.2f s)\n", fast.rate,
                fast.seconds);
    std::printf("  baseline POCO POST keep-alive, %d threads  %10.0f requests/s  ratio %.2f\n",
                kWorkers, plainKept, fast.rate / plainKept);
    std::printf("  baseline POCO POST new connection each     %10.0f requests/s  ratio %.2f\n",
                plain, fast.rate / plain);
    std::printf(
        "  with one endpoint slow (1 s/answer): other apps %10.0f deliveries/s  (%zu in "
        "%.2f s)\n",
        withSlow.rate, fastTotal, withSlow.seconds);
    std::printf("  one app receiving everything (%d)         %10.0f deliveries/s  (%.2f s)\n",
                total, one.rate, one.seconds);
    return 0;
  } catch (const std::exception& error) {
    std::fprintf(stderr, "Hooks_Delivery failed: %s\n", error.what());
    return 1;
  }
}
