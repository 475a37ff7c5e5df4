#include "sipbridge/api/HttpApi.h"

#include "ApiContext.h"
#include "EdgeServer.h"
#include "Router.h"
#include "Routes.h"
#include "ServerTls.h"
#include "WebRoutes.h"

#include <Poco/Logger.h>

#include <mutex>

namespace sipbridge::api {

class HttpApi::Impl {
 public:
  Impl(ApiConfig config, core::BridgeService& service, core::Metrics& metrics,
       HookUrlCheck& hookUrls)
      : context(std::move(config), service, metrics, hookUrls), router(metrics) {
    registerClientMethods(context.methods, service);
    addClientRoutes(router, context);
    addAdminRoutes(router, context);
    addWebRoutes(router);
  }

  ApiContext context;
  Router router;
  std::mutex tlsMutex;  ///< guards tls against a reload while start() makes it
  std::unique_ptr<ServerTls> tls;
  std::unique_ptr<EdgeServer> server;
};

HttpApi::HttpApi(ApiConfig config, core::BridgeService& service, core::Metrics& metrics,
                 HookUrlCheck& hookUrls)
    : impl_(std::make_unique<Impl>(std::move(config), service, metrics, hookUrls)) {}

HttpApi::~HttpApi() {
  stop();
}

const MethodRegistry& HttpApi::methods() const {
  return impl_->context.methods;
}

void HttpApi::start() {
  if (impl_->server) return;
  if (impl_->context.config.tlsEnabled && !impl_->tls) {
    auto tls = std::make_unique<ServerTls>(impl_->context.config);
    std::lock_guard lock(impl_->tlsMutex);
    impl_->tls = std::move(tls);
  }
  // The gauges of the server are registered once, with the first server.
  auto server = std::make_unique<EdgeServer>(impl_->context, impl_->router, impl_->tls.get());
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

int HttpApi::tlsPort() const {
  return impl_->server ? impl_->server->tlsPort() : 0;
}

std::string HttpApi::reloadCertificate() {
  std::lock_guard lock(impl_->tlsMutex);
  if (!impl_->tls) return {};
  const std::string why = impl_->tls->reload();
  const auto& config = impl_->context.config;
  auto& logger = Poco::Logger::get("sipbridge.api");
  if (why.empty())
    logger.information("https certificate reloaded from %s and %s", config.tlsCertificateFile,
                       config.tlsKeyFile);
  else
    logger.error("https certificate reload failed, the previous certificate stays in use: %s", why);
  impl_->context.metrics
      .counter("sipbridge_tls_certificate_reloads_total",
               "Reloads of the HTTPS certificate and key, by result",
               why.empty() ? "{result=\"ok\"}" : "{result=\"failed\"}")
      .inc();
  return why;
}

std::vector<RouteInfo> HttpApi::routes() const {
  std::vector<RouteInfo> out;
  for (const auto& [method, path] : impl_->router.listed()) out.push_back({method, path});
  for (const auto& operation : impl_->context.methods.operations())
    out.push_back({operation.httpMethod, operation.path});
  return out;
}

}  // namespace sipbridge::api
