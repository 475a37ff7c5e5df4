#include "sipbridge/core/Errors.h"
#include "sipbridge/tls/TlsClient.h"
#include "sipbridge/xcap/HttpXcapClient.h"

#include <Poco/DigestStream.h>
#include <Poco/MD5Engine.h>
#include <Poco/Net/HTTPAuthenticationParams.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/StreamCopier.h>
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <condition_variable>
#include <future>
#include <map>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

using namespace std::chrono_literals;
using Poco::Net::HTTPServerRequest;
using Poco::Net::HTTPServerResponse;
using sipbridge::core::DomainError;
using sipbridge::core::XcapRequest;
using sipbridge::core::XcapResponse;
using sipbridge::xcap::HttpXcapClient;
using sipbridge::xcap::XcapConfig;

namespace {

/// Outgoing TLS for the clients under test (these servers are plain http).
sipbridge::tls::TlsClient& sharedTls() {
  static sipbridge::tls::TlsClient tls({});
  return tls;
}

/// What the test server saw of one request.
struct Seen {
  std::string method, uri, body;
  std::map<std::string, std::string> headers;
};

using Handler = std::function<void(const Seen&, HTTPServerResponse&)>;

/// An HTTP server on 127.0.0.1, port 0, answering with `handler` and recording requests.
class TestServer {
 public:
  explicit TestServer(Handler handler)
      : handler_(std::move(handler)),
        server_(new Factory(*this),
                Poco::Net::ServerSocket(Poco::Net::SocketAddress("127.0.0.1", 0)),
                new Poco::Net::HTTPServerParams) {
    server_.start();
  }
  ~TestServer() { server_.stopAll(true); }
  int port() const { return server_.port(); }
  std::string root() const { return "http://127.0.0.1:" + std::to_string(port()) + "/xcap-root"; }
  std::vector<Seen> seen() {
    std::lock_guard lock(mutex_);
    return seen_;
  }

 private:
  class Factory : public Poco::Net::HTTPRequestHandlerFactory {
   public:
    explicit Factory(TestServer& owner) : owner_(owner) {}
    Poco::Net::HTTPRequestHandler* createRequestHandler(const HTTPServerRequest&) override {
      return new Handle(owner_);
    }

   private:
    TestServer& owner_;
  };
  class Handle : public Poco::Net::HTTPRequestHandler {
   public:
    explicit Handle(TestServer& owner) : owner_(owner) {}
    void handleRequest(HTTPServerRequest& request, HTTPServerResponse& response) override {
      Seen seen{request.getMethod(), request.getURI(), {}, {}};
      Poco::StreamCopier::copyToString(request.stream(), seen.body);
      for (const auto& [name, value] : request) seen.headers[name] = value;
      {
        std::lock_guard lock(owner_.mutex_);
        owner_.seen_.push_back(seen);
      }
      owner_.handler_(seen, response);
    }

   private:
    TestServer& owner_;
  };

  Handler handler_;
  std::mutex mutex_;
  std::vector<Seen> seen_;
  Poco::Net::HTTPServer server_;
};

std::string md5(const std::string& text) {
  Poco::MD5Engine engine;
  engine.update(text);
  return Poco::DigestEngine::digestToHex(engine.digest());
}

void answer(HTTPServerResponse& response, int status, const std::string& body = {}) {
  response.setStatusAndReason(static_cast<HTTPServerResponse::HTTPStatus>(status));
  response.setContentLength(static_cast<std::streamsize>(body.size()));
  response.send() << body;
}

/// Runs one request and waits (bounded) for its outcome.
/// Runs one request and waits (bounded) for its outcome; checks that `done` ran on a worker,
/// not on the caller's thread (Boost.Test assertions stay on the test's thread).
XcapResponse run(HttpXcapClient& client, XcapRequest request) {
  auto promise = std::make_shared<std::promise<std::pair<XcapResponse, std::thread::id>>>();
  auto future = promise->get_future();
  client.execute(std::move(request), [promise](XcapResponse r) {
    promise->set_value({std::move(r), std::this_thread::get_id()});
  });
  BOOST_REQUIRE(future.wait_for(10s) == std::future_status::ready);
  auto [response, thread] = future.get();
  BOOST_TEST((thread != std::this_thread::get_id()));
  return response;
}

XcapConfig configFor(const TestServer& server) {
  XcapConfig config;
  config.roots = {server.root()};
  config.timeoutSeconds = 2;
  config.workers = 2;
  return config;
}

const std::string kPath = "/xcap-root/resource-lists/users/sip:alice@example.test/index";

}  // namespace

BOOST_AUTO_TEST_SUITE(XcapClient)

BOOST_AUTO_TEST_CASE(answers_a_qop_auth_md5_digest_challenge_once) {
  const std::string nonce = "dcd98b7102dd2f0e8b11d0f600bfb0c093";
  TestServer server([&](const Seen& seen, HTTPServerResponse& response) {
    const auto authorization = seen.headers.find("Authorization");
    if (authorization == seen.headers.end()) {
      response.set("WWW-Authenticate", "Digest realm=\"example.test\", nonce=\"" + nonce +
                                           "\", qop=\"auth\", algorithm=MD5");
      return answer(response, 401);
    }
    const std::string& value = authorization->second;
    if (value.rfind("Digest ", 0) != 0) return answer(response, 400);
    Poco::Net::HTTPAuthenticationParams params(value.substr(7));
    const std::string ha1 = md5("alice:example.test:alice-secret");
    const std::string ha2 = md5(seen.method + ":" + params.get("uri"));
    const std::string expected = md5(ha1 + ":" + nonce + ":" + params.get("nc") + ":" +
                                     params.get("cnonce") + ":auth:" + ha2);
    if (params.get("response") != expected || params.get("uri") != seen.uri ||
        params.get("username") != "alice" || params.get("qop") != "auth")
      return answer(response, 403);
    response.set("ETag", "\"e2\"");
    response.setContentType("application/resource-lists+xml");
    answer(response, 200, "<resource-lists/>");
  });
  HttpXcapClient client(configFor(server), sharedTls());
  XcapRequest request;
  request.method = "PUT";
  request.url = server.root() + "/resource-lists/users/sip:alice@example.test/index";
  request.body = "<resource-lists xmlns=\"urn:ietf:params:xml:ns:resource-lists\"/>";
  request.contentType = "application/resource-lists+xml";
  request.ifMatch = "\"e1\"";
  request.user = "alice";
  request.password = "alice-secret";
  const XcapResponse response = run(client, request);
  BOOST_TEST(response.status == 200);
  BOOST_TEST(response.error == "");
  BOOST_TEST(response.etag == "\"e2\"");
  BOOST_TEST(response.contentType == "application/resource-lists+xml");
  BOOST_TEST(response.body == "<resource-lists/>");
  const auto seen = server.seen();
  BOOST_REQUIRE(seen.size() == 2u);
  for (const Seen& one : seen) {
    BOOST_TEST(one.method == "PUT");
    BOOST_TEST(one.uri == kPath);
    BOOST_TEST(one.body == request.body);
    BOOST_TEST(one.headers.at("If-Match") == "\"e1\"");
    BOOST_TEST(one.headers.at("Content-Type") == "application/resource-lists+xml");
    BOOST_TEST(one.headers.count("If-None-Match") == 0u);
  }
}

BOOST_AUTO_TEST_CASE(a_second_challenge_is_returned_not_answered) {
  TestServer server([](const Seen&, HTTPServerResponse& response) {
    response.set("WWW-Authenticate", "Digest realm=\"example.test\", nonce=\"abc\"");
    answer(response, 401);
  });
  HttpXcapClient client(configFor(server), sharedTls());
  XcapRequest request;
  request.url = server.root() + "/resource-lists/users/sip:alice@example.test/index";
  request.ifNoneMatch = "*";
  request.user = "alice";
  request.password = "wrong";
  const XcapResponse response = run(client, request);
  BOOST_TEST(response.status == 401);
  BOOST_TEST(response.error.find("refused the credentials") != std::string::npos);
  const auto seen = server.seen();
  BOOST_REQUIRE(seen.size() == 2u);
  BOOST_TEST(seen[0].headers.count("Authorization") == 0u);
  BOOST_TEST(seen[1].headers.count("Authorization") == 1u);
  BOOST_TEST(seen[1].headers.at("If-None-Match") == "*");
}

BOOST_AUTO_TEST_CASE(basic_challenges_get_no_password) {
  TestServer server([](const Seen&, HTTPServerResponse& response) {
    response.set("WWW-Authenticate", "Basic realm=\"example.test\"");
    answer(response, 401);
  });
  HttpXcapClient client(configFor(server), sharedTls());
  XcapRequest request;
  request.url = server.root() + "/a/index";
  request.user = "alice";
  request.password = "alice-secret";
  const XcapResponse response = run(client, request);
  BOOST_TEST(response.status == 401);
  BOOST_TEST(response.error.find("other than Digest") != std::string::npos);
  BOOST_TEST(server.seen().size() == 1u);
}

BOOST_AUTO_TEST_CASE(redirects_are_returned_not_followed) {
  TestServer server([](const Seen&, HTTPServerResponse& response) {
    response.set("Location", "http://127.0.0.1:1/elsewhere");
    answer(response, 302);
  });
  HttpXcapClient client(configFor(server), sharedTls());
  XcapRequest request;
  request.url = server.root() + "/a/index";
  BOOST_TEST(run(client, request).status == 302);
  BOOST_TEST(server.seen().size() == 1u);
}

BOOST_AUTO_TEST_CASE(answers_larger_than_the_limit_are_refused) {
  TestServer server([](const Seen& seen, HTTPServerResponse& response) {
    const std::string body(2000, 'x');
    if (seen.uri.ends_with("/chunked")) {
      response.setChunkedTransferEncoding(true);
      response.send() << body;
    } else {
      answer(response, 200, seen.uri.ends_with("/small") ? body.substr(0, 1000) : body);
    }
  });
  XcapConfig config = configFor(server);
  config.maxResponseBytes = 1000;
  HttpXcapClient client(config, sharedTls());
  for (const char* name : {"/big", "/chunked"}) {
    XcapRequest request;
    request.url = server.root() + name;
    const XcapResponse response = run(client, request);
    BOOST_TEST(response.status == 0, name);
    BOOST_TEST(response.body.empty());
    BOOST_TEST(response.error.find("more than") != std::string::npos, response.error);
  }
  XcapRequest small;
  small.url = server.root() + "/small";
  const XcapResponse response = run(client, small);
  BOOST_TEST(response.status == 200);
  BOOST_TEST(response.body.size() == 1000u);
}

BOOST_AUTO_TEST_CASE(transport_errors_become_status_0) {
  int port = 0;
  {
    Poco::Net::ServerSocket probe(Poco::Net::SocketAddress("127.0.0.1", 0));
    port = probe.address().port();
  }
  XcapConfig config;
  config.roots = {"http://127.0.0.1:" + std::to_string(port) + "/xcap-root"};
  config.timeoutSeconds = 2;
  HttpXcapClient client(config, sharedTls());
  XcapRequest request;
  request.url = config.roots[0] + "/a/index";
  const XcapResponse response = run(client, request);
  BOOST_TEST(response.status == 0);
  BOOST_TEST(!response.error.empty());
}

BOOST_AUTO_TEST_CASE(bad_requests_are_refused_before_queueing) {
  TestServer server([](const Seen&, HTTPServerResponse& response) { answer(response, 200); });
  HttpXcapClient client(configFor(server), sharedTls());
  const auto field = [&](XcapRequest request) -> std::string {
    try {
      client.execute(std::move(request), [](XcapResponse) {});
    } catch (const DomainError& e) {
      BOOST_TEST((e.kind() == DomainError::Kind::InvalidField));
      return e.field();
    }
    return {};
  };
  XcapRequest good;
  good.url = server.root() + "/a/index";
  XcapRequest request = good;
  request.method = "POST";
  BOOST_TEST(field(request) == "method");
  request = good;
  request.body = "x";
  BOOST_TEST(field(request) == "body");
  request = good;
  request.ifMatch = "\"a\"\r\nX-Injected: 1";
  BOOST_TEST(field(request) == "ifMatch");
  request = good;
  request.ifNoneMatch = "\n";
  BOOST_TEST(field(request) == "ifNoneMatch");
  request = good;
  request.method = "PUT";
  request.contentType = "text/xml\r\n";
  BOOST_TEST(field(request) == "contentType");
  request = good;
  request.url = server.root() + "/a/%2e%2e/b";
  BOOST_TEST(field(request) == "url");
  std::this_thread::sleep_for(100ms);
  BOOST_TEST(server.seen().empty());
}

BOOST_AUTO_TEST_CASE(a_full_queue_is_unavailable_and_done_may_throw) {
  std::mutex mutex;
  std::condition_variable changed;
  bool release = false;
  TestServer server([&](const Seen&, HTTPServerResponse& response) {
    std::unique_lock lock(mutex);
    changed.wait_for(lock, 5s, [&] { return release; });
    answer(response, 200, "ok");
  });
  XcapConfig config = configFor(server);
  config.workers = 1;
  config.queueLimit = 1;
  HttpXcapClient client(config, sharedTls());
  XcapRequest request;
  request.url = server.root() + "/a/index";
  std::promise<int> first;
  client.execute(request, [&](XcapResponse r) {
    first.set_value(r.status);
    throw std::runtime_error("thrown by done");
  });
  for (int i = 0; i < 100 && server.seen().empty(); ++i) std::this_thread::sleep_for(10ms);
  BOOST_REQUIRE(server.seen().size() == 1u);
  std::promise<int> second;
  client.execute(request, [&](XcapResponse r) { second.set_value(r.status); });
  BOOST_CHECK_THROW(client.execute(request, [](XcapResponse) {}), sipbridge::core::Unavailable);
  {
    std::lock_guard lock(mutex);
    release = true;
  }
  changed.notify_all();
  auto firstStatus = first.get_future();
  auto secondStatus = second.get_future();
  BOOST_REQUIRE(secondStatus.wait_for(5s) == std::future_status::ready);
  BOOST_TEST(firstStatus.get() == 200);
  BOOST_TEST(secondStatus.get() == 200);
}

BOOST_AUTO_TEST_CASE(queued_requests_are_answered_when_the_client_stops) {
  std::mutex mutex;
  std::condition_variable changed;
  bool release = false;
  TestServer server([&](const Seen&, HTTPServerResponse& response) {
    std::unique_lock lock(mutex);
    changed.wait_for(lock, 5s, [&] { return release; });
    answer(response, 200);
  });
  std::vector<XcapResponse> outcomes;
  std::mutex outcomesMutex;
  {
    std::jthread releaser;  // destroyed (joined) after the client
    XcapConfig config = configFor(server);
    config.workers = 1;
    HttpXcapClient client(config, sharedTls());
    XcapRequest request;
    request.url = server.root() + "/a/index";
    for (int i = 0; i < 3; ++i)
      client.execute(request, [&](XcapResponse r) {
        std::lock_guard lock(outcomesMutex);
        outcomes.push_back(r);
      });
    for (int i = 0; i < 100 && server.seen().empty(); ++i) std::this_thread::sleep_for(10ms);
    releaser = std::jthread([&] {
      std::this_thread::sleep_for(200ms);
      std::lock_guard lock(mutex);
      release = true;
      changed.notify_all();
    });
  }
  BOOST_REQUIRE(outcomes.size() == 3u);
  BOOST_TEST(outcomes[0].status == 200);
  for (int i = 1; i < 3; ++i) {
    BOOST_TEST(outcomes[i].status == 0);
    BOOST_TEST(outcomes[i].error == "XCAP client stopped");
  }
}

BOOST_AUTO_TEST_SUITE_END()
