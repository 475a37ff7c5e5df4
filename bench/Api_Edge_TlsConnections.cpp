// Api_Edge_TlsConnections: new HTTPS connections per second accepted by the API of the real
// sipbridge binary: each connection makes a full TLS handshake (no session resumption, P-256
// certificate from a CA made at start), sends one GET /health and reads the answer to the
// close. Baseline in the same run: the same connections and request over plain HTTP to the
// same bridge. 4 client threads, bounded in count and time. BENCH_QUICK=1 makes it short.
// Never fails on a number; exits 1 when broken.
#include "BridgeProcess.h"
#include "TestCertificates.h"
#include "TestEnv.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <stdexcept>
#include <thread>
#include <vector>

using namespace sipbridge;
namespace asio = boost::asio;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

const std::string kRequest = "GET /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";

/// Reads to the end of the stream; true when the answer is a 200.
template <class Stream>
bool answered(Stream& stream) {
  std::string answer;
  boost::system::error_code ec;
  asio::read(stream, asio::dynamic_buffer(answer), ec);
  return answer.rfind("HTTP/1.1 200", 0) == 0;
}

bool plainOnce(asio::io_context& io, const tcp::endpoint& to) {
  tcp::socket socket(io);
  socket.connect(to);
  asio::write(socket, asio::buffer(kRequest));
  return answered(socket);
}

bool tlsOnce(asio::io_context& io, ssl::context& context, const tcp::endpoint& to) {
  ssl::stream<tcp::socket> stream(io, context);
  SSL_set_tlsext_host_name(stream.native_handle(), "localhost");
  stream.set_verify_callback(ssl::host_name_verification("localhost"));
  stream.next_layer().connect(to);
  stream.handshake(ssl::stream_base::client);
  asio::write(stream, asio::buffer(kRequest));
  return answered(stream);
}

struct Figures {
  int done = 0;
  int failed = 0;
  double seconds = 0;
  double perSecond() const { return seconds > 0 ? done / seconds : 0; }
};

/// `total` connections from 4 threads, or as many as fit in `limit`.
template <class Once>
Figures run(int total, std::chrono::seconds limit, Once once) {
  std::atomic<int> next{0}, done{0}, failed{0};
  const auto start = Clock::now();
  const auto deadline = start + limit;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      asio::io_context io;
      while (next++ < total && Clock::now() < deadline) {
        try {
          if (once(io))
            ++done;
          else
            ++failed;
        } catch (const std::exception&) {
          ++failed;
        }
      }
    });
  for (auto& thread : threads) thread.join();
  Figures figures;
  figures.done = done;
  figures.failed = failed;
  figures.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return figures;
}

}  // namespace

int main() {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  const bool quick = std::getenv("BENCH_QUICK") != nullptr;
  const int total = quick ? 400 : 4000;
  const auto limit = std::chrono::seconds(quick ? 20 : 60);
  try {
    test::TestCa ca;
    const auto certificate = ca.server("localhost", {"DNS:localhost", "IP:127.0.0.1"});
    test::PgInstance pg;
    const int tlsPort = test::freePort();
    test::BridgeProcess bridge(pg.conninfo(), "127.0.0.1:" + std::to_string(test::freePort()),
                               {{"SIPBRIDGE_HTTPS_ENABLED", "true"},
                                {"SIPBRIDGE_HTTPS_PORT", std::to_string(tlsPort)},
                                {"SIPBRIDGE_HTTPS_CERTIFICATEFILE", certificate.certFile},
                                {"SIPBRIDGE_HTTPS_KEYFILE", certificate.keyFile},
                                {"SIPBRIDGE_LOGGING_LEVEL", "warning"}});
    bridge.start();
    const auto loopback = asio::ip::make_address("127.0.0.1");
    const tcp::endpoint plainTo(loopback, static_cast<unsigned short>(bridge.httpPort()));
    const tcp::endpoint tlsTo(loopback, static_cast<unsigned short>(tlsPort));
    ssl::context context(ssl::context::tls_client);
    context.load_verify_file(ca.caFile());
    context.set_verify_mode(ssl::verify_peer);
    // Full handshakes only: no session cache on the client side.
    SSL_CTX_set_session_cache_mode(context.native_handle(), SSL_SESS_CACHE_OFF);
    SSL_CTX_set_options(context.native_handle(), SSL_OP_NO_TICKET);

    // Warm both paths, then measure the baseline first and TLS second.
    run(40, limit, [&](asio::io_context& io) { return plainOnce(io, plainTo); });
    run(40, limit, [&](asio::io_context& io) { return tlsOnce(io, context, tlsTo); });
    const auto plain =
        run(total, limit, [&](asio::io_context& io) { return plainOnce(io, plainTo); });
    const auto tls =
        run(total, limit, [&](asio::io_context& io) { return tlsOnce(io, context, tlsTo); });
    std::printf("Api_Edge_TlsConnections (new connection + GET /health each, 4 client threads)\n");
    std::printf("  sipbridge https: %d connections in %.2f s = %.0f/s (%d failed)\n", tls.done,
                tls.seconds, tls.perSecond(), tls.failed);
    std::printf("  baseline http:   %d connections in %.2f s = %.0f/s (%d failed)\n", plain.done,
                plain.seconds, plain.perSecond(), plain.failed);
    std::printf("  ratio https/http %.3f\n",
                plain.perSecond() > 0 ? tls.perSecond() / plain.perSecond() : 0.0);
    bridge.stop();
    return tls.done > 0 && plain.done > 0 ? 0 : 1;
  } catch (const std::exception& error) {
    std::fprintf(stderr, "Api_Edge_TlsConnections failed: %s\n", error.what());
    return 1;
  }
}
