#include "Routes.h"

#include <Poco/JSON/ParseHandler.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>
#include <Poco/String.h>

#include <sstream>

namespace sipbridge::api {
namespace {

std::string quoted(const std::string& text) {
  std::ostringstream out;
  Poco::JSON::Stringifier::formatString(text, out);
  return out.str();
}

Poco::JSON::Object::Ptr parseOrdered(const char* json) {
  Poco::JSON::Parser parser(new Poco::JSON::ParseHandler(true));
  return parser.parse(json).extract<Poco::JSON::Object::Ptr>();
}

/// Sets every member of the JSON object `json` on `target` (replacing members of the same name).
void merge(Poco::JSON::Object& target, const char* json) {
  auto extra = parseOrdered(json);
  for (const auto& name : extra->getNames()) target.set(name, extra->get(name));
}

std::string text(const Poco::JSON::Object& object) {
  std::ostringstream out;
  object.stringify(out);
  return out.str();
}

/// openApiComponents() with the presence and call schemas added to its schemas.
Poco::JSON::Object::Ptr componentsObject() {
  auto all = parseOrdered(openApiComponents());
  auto schemas = all->getObject("schemas");
  merge(*schemas, openApiPresenceSchemas());
  merge(*schemas, openApiCallSchemas());
  return all;
}

std::string components() {
  return text(*componentsObject());
}

/// openApiPaths() with the call methods' paths.
std::string paths() {
  auto all = parseOrdered(openApiPaths());
  merge(*all, openApiCallPaths());
  merge(*all, openApiWebPaths());
  return text(*all);
}

std::string assemble() {
  return R"j({"openapi":"3.0.3","info":{"title":"sipbridge API","version":"1.0.0","description":)j" +
         quoted(Poco::trim(std::string(openApiDescription()))) + R"j(},"servers":[{"url":"/"}],)j" +
         R"j("tags":[{"name":"client","description":"Session creation"},)j"
         R"j({"name":"methods","description":"POST /api/v1/{method} with the session's token"},)j"
         R"j({"name":"events","description":"Event delivery to clients"},)j"
         R"j({"name":"admin","description":"The backend's side (admin token)"},)j"
         R"j({"name":"browser","description":"The JavaScript client and the demo page"},)j"
         R"j({"name":"operations","description":"Monitoring"}],)j"
         R"j("paths":)j" +
         paths() + R"j(,"components":)j" + components() + R"j(,"x-webhooks":)j" +
         openApiWebhooks() + "}";
}

}  // namespace

Poco::JSON::Object::Ptr openApiSchemas() {
  return componentsObject()->getObject("schemas");
}

const std::string& openApiDocument() {
  static const std::string document = assemble();  // immutable after first use
  return document;
}

}  // namespace sipbridge::api
