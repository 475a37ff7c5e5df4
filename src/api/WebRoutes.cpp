#include "WebRoutes.h"
#include "sipbridge/api/HttpErrors.h"

#include "AsyncApi.h"
#include "Embedded.h"
#include "sipbridge/core/Errors.h"

namespace sipbridge::api {
namespace {

/// The demo page loads only its own files and talks only to its own origin.
const char* const kPagePolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

Reply file(const std::string& path, const std::string& contentType) {
  const auto bytes = embeddedFile(path);
  if (!bytes) throw HttpError(404, "not_found", "no such file");
  Reply reply;
  reply.body.assign(bytes->data(), bytes->size());
  reply.contentType = contentType;
  reply.headers.emplace_back("Cache-Control", "no-cache");
  reply.headers.emplace_back("X-Content-Type-Options", "nosniff");
  return reply;
}

Reply demoPage() {
  Reply reply = file("src/web/demo.html", "text/html; charset=utf-8");
  reply.headers.emplace_back("Content-Security-Policy", kPagePolicy);
  reply.headers.emplace_back("Referrer-Policy", "no-referrer");
  return reply;
}

/// /demo/{file}: only the page's own script and style sheet.
Reply demoFile(const std::string& name) {
  if (name == "demo.js") return file("src/web/demo.js", "text/javascript; charset=utf-8");
  if (name == "demo.css") return file("src/web/demo.css", "text/css; charset=utf-8");
  throw HttpError(404, "not_found", "no such file");
}

}  // namespace

void addWebRoutes(Router& router) {
  router.add("GET", "/sdk/sipbridge.js", [](Request&) {
    return file("src/web/sipbridge.js", "text/javascript; charset=utf-8");
  });
  router.add("GET", "/demo", [](Request&) {
    Reply reply;
    reply.status = 301;
    reply.contentType = "text/plain; charset=utf-8";
    reply.body = "/demo/";
    reply.headers.emplace_back("Location", "/demo/");
    return reply;
  });
  router.add("GET", "/demo/", [](Request&) { return demoPage(); });
  router.add("GET", "/demo/{file}", [](Request& r) { return demoFile(r.params.at("file")); });
  router.add("GET", "/api/v1/asyncapi.json", [](Request&) {
    Reply reply;
    reply.body = asyncApiDocument();
    return reply;
  });
}

}  // namespace sipbridge::api
