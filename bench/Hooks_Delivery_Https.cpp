// Hooks_Delivery_Https: deliveries/s from the PostgreSQL outbox through hooks::Dispatcher to a
// local receiver over https (certificate and host name verified, keep-alive connections),
// next to the baseline measured in the same run: the same deliveries over plain http to the
// same kind of receiver (applications marked development). Target: https at least 0.7 of
// http. Bounded: a few thousand deliveries per figure (BENCH_QUICK=1: a few hundred).
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
#include "sipbridge/tls/TlsClient.h"

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <future>

using namespace sipbridge;
using Clock = std::chrono::steady_clock;

namespace {

constexpr int kApps = 8;
constexpr int kWorkers = 8;
const std::string kSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

/// Registers `kApps` applications named `prefix`N at `url`, commits `perApp` events for each
/// and delivers them; returns deliveries/s.
double deliver(store::EventWriter& writer, store::Outbox& outbox, store::PgAppDirectory& apps,
               tls::TlsClient& tls, test::HookReceiver& receiver, const std::string& prefix,
               bool development, int perApp) {
  std::vector<std::string> names;
  for (int i = 0; i < kApps; ++i) {
    core::App app;
    app.appKey = prefix + std::to_string(i);
    app.hookUrl = receiver.url("/" + prefix);
    app.secret = kSecret;
    app.development = development;
    apps.put(app);
    names.push_back(app.appKey);
  }
  test::commitMessages(writer, names, perApp);
  hooks::HookConfig config;
  config.workers = kWorkers;
  config.allowPrivate = true;
  config.timeoutSeconds = 5;
  core::Metrics metrics;
  hooks::Dispatcher dispatcher(config, outbox, metrics, tls);
  const auto expected = static_cast<std::size_t>(kApps * perApp);
  const auto started = Clock::now();
  dispatcher.start();
  if (!receiver.waitFor(expected, std::chrono::seconds(180)))
    throw std::runtime_error(prefix + ": deliveries did not all arrive");
  const double elapsed = std::chrono::duration<double>(Clock::now() - started).count();
  dispatcher.stop();
  return static_cast<double>(expected) / elapsed;
}

}  // namespace

int main() {
  std::signal(SIGPIPE, SIG_IGN);
  try {
    const int perApp = std::getenv("BENCH_QUICK") ? 40 : 400;
    test::EventStore events("hooks_https", kWorkers + 2);
    store::Partitions(events.db.pool).ensure(2);
    store::EventWriter& writer = events.writer;
    store::Outbox outbox(events.db.pool);
    store::PgAppDirectory apps(events.db.pool);

    test::TestCa ca;
    const auto cert = ca.server("receiver", {"IP:127.0.0.1"});
    tls::TlsConfig trust;
    trust.caFile = ca.caFile();
    tls::TlsClient tls(trust);
    test::HookReceiver plain;
    test::HookReceiver secure(test::ReceiverTls{cert.certFile, cert.keyFile, {}, false});

    const double http = deliver(writer, outbox, apps, tls, plain, "http", true, perApp);
    const double https = deliver(writer, outbox, apps, tls, secure, "https", false, perApp);
    writer.stop();

    std::printf(
        "Hooks_Delivery_Https (%d deliveries to %d apps per figure, %d workers, keep-alive, "
        "loopback receiver, certificate and host name verified)\n",
        kApps * perApp, kApps, kWorkers);
    std::printf("  baseline: plain http (development apps)   %10.0f deliveries/s\n", http);
    std::printf(
        "  https, verified                           %10.0f deliveries/s  ratio %.2f "
        "(target at least 0.70)\n",
        https, https / http);
    return 0;
  } catch (const std::exception& error) {
    std::fprintf(stderr, "Hooks_Delivery_Https failed: %s\n", error.what());
    return 1;
  }
}
