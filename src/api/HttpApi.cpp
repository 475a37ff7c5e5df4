#include "sipbridge/api/HttpApi.h"

#include "ApiContext.h"
#include "EdgeServer.h"
#include "Router.h"
#include "Routes.h"

namespace sipbridge::api {

class HttpApi::Impl {
 public:
  Impl(ApiConfig config, core::BridgeService& service, core::Metrics& metrics,
       HookUrlCheck& hookUrls)
      : context(std::move(config), service, metrics, hookUrls), router(metrics) {
    registerDefaultMethods(context.methods, service);
    addClientRoutes(router, context);
    addAdminRoutes(router, context);
  }

  ApiContext context;
  Router router;
  std::unique_ptr<EdgeServer> server;
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
  // The gauges of the server are registered once, with the first server.
  auto server = std::make_unique<EdgeServer>(impl_->context, impl_->router);
  server->start();
  impl_->server = std::move(server);
}

void HttpApi::stop() {
  if (!impl_->server) return;
  impl_->server->stop();
  impl_->server.reset();
}

int HttpApi::port() const {
  return impl_->server ? impl_->server->port() : 0;
}

std::vector<RouteInfo> HttpApi::routes() const {
  std::vector<RouteInfo> out;
  for (const auto& [method, path] : impl_->router.listed()) out.push_back({method, path});
  for (const auto& name : impl_->context.methods.names())
    out.push_back({"POST", "/api/v1/" + name});
  return out;
}

}  // namespace sipbridge::api
