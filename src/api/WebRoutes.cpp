#include "WebRoutes.h"

#include "AsyncApi.h"

namespace sipbridge::api {

void addWebRoutes(Router& router) {
  router.add("GET", "/api/v1/asyncapi.json", [](Request&) {
    Reply reply;
    reply.body = asyncApiDocument();
    return reply;
  });
}

}  // namespace sipbridge::api
