#include "sipbridge/api/HttpApi.h"

#include "ApiContext.h"
#include "Router.h"
#include "Routes.h"
#include "WebRoutes.h"

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/ThreadPool.h>

#include <chrono>
#include <thread>

namespace sipbridge::api {
namespace {

class Handler : public Poco::Net::HTTPRequestHandler {
 public:
  explicit Handler(Router& router) : router_(router) {}
  void handleRequest(Poco::Net::HTTPServerRequest& request,
                     Poco::Net::HTTPServerResponse& response) override {
    router_.handle(request, response);
  }

 private:
  Router& router_;
};

class HandlerFactory : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  explicit HandlerFactory(Router& router) : router_(router) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(
      const Poco::Net::HTTPServerRequest&) override {
    return new Handler(router_);
  }

 private:
  Router& router_;
};

}  // namespace

class HttpApi::Impl {
 public:
  Impl(ApiConfig config, core::BridgeService& service, core::Metrics& metrics,
       HookUrlCheck& hookUrls)
      : context(std::move(config), service, metrics, hookUrls), router(metrics) {
    registerDefaultMethods(context.methods, service);
    addClientRoutes(router, context);
    addAdminRoutes(router, context);
    addWebRoutes(router);
    metrics.gauge("sipbridge_websockets_open", "WebSockets open on this node",
                  [open = context.openWebSockets] { return static_cast<double>(open->load()); });
  }

  ApiContext context;
  Router router;
  std::unique_ptr<Poco::ThreadPool> pool;
  std::unique_ptr<Poco::Net::HTTPServer> server;
  int port = 0;
};

HttpApi::HttpApi(ApiConfig config, core::BridgeService& service, core::Metrics& metrics,
                 HookUrlCheck& hookUrls)
    : impl_(std::make_unique<Impl>(std::move(config), service, metrics, hookUrls)) {}

HttpApi::~HttpApi() {
  stop();
}

MethodRegistry& HttpApi::methods() {
  return impl_->context.methods;
}

void HttpApi::start() {
  if (impl_->server) return;
  const ApiConfig& config = impl_->context.config;
  impl_->context.stopping = false;
  Poco::Net::ServerSocket socket(
      Poco::Net::SocketAddress(config.bindAddress, static_cast<Poco::UInt16>(config.port)), 128);
  Poco::Net::HTTPServerParams::Ptr params = new Poco::Net::HTTPServerParams;
  params->setMaxThreads(config.maxThreads);
  params->setMaxQueued(config.maxQueued);
  params->setKeepAlive(true);
  params->setKeepAliveTimeout(Poco::Timespan(10, 0));
  params->setTimeout(Poco::Timespan(30, 0));
  params->setServerName("sipbridge");
  params->setSoftwareVersion("sipbridge");
  impl_->pool = std::make_unique<Poco::ThreadPool>(2, std::max(config.maxThreads, 2));
  impl_->server = std::make_unique<Poco::Net::HTTPServer>(new HandlerFactory(impl_->router),
                                                          *impl_->pool, socket, params);
  impl_->server->start();
  impl_->port = impl_->server->port();
}

void HttpApi::stop() {
  if (!impl_->server) return;
  impl_->context.stopping = true;
  // Open WebSockets see `stopping` within one poll slice and close with 1001 Going Away;
  // give them that long (at most 2 s) before the remaining connections are cut.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  while (impl_->context.openWebSockets->load() > 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  impl_->server->stopAll(true);
  impl_->pool->joinAll();
  impl_->server.reset();
  impl_->pool.reset();
  impl_->port = 0;
}

int HttpApi::port() const {
  return impl_->port;
}

std::vector<RouteInfo> HttpApi::routes() const {
  std::vector<RouteInfo> out;
  for (const auto& [method, path] : impl_->router.listed()) out.push_back({method, path});
  for (const auto& name : impl_->context.methods.names())
    out.push_back({"POST", "/api/v1/" + name});
  return out;
}

}  // namespace sipbridge::api
