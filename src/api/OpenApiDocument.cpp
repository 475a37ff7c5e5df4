#include "Embedded.h"
#include "Routes.h"

#include <Poco/JSON/ParseHandler.h>
#include <Poco/JSON/Parser.h>
#include <Poco/String.h>

#include <sstream>
#include <stdexcept>

namespace sipbridge::api {
namespace {

std::string_view embedded(std::string_view path) {
  const auto text = embeddedFile(path);
  if (!text) throw std::logic_error(std::string(path) + " is not embedded");
  return *text;
}

/// src/api/openapi.json parsed with its members in order, info.description taken from
/// src/api/openapi.md (CommonMark, kept apart so that it reads as text).
Poco::JSON::Object::Ptr parseDocument() {
  Poco::JSON::Parser parser(new Poco::JSON::ParseHandler(true));
  auto document = parser.parse(std::string(embedded("src/api/openapi.json")))
                      .extract<Poco::JSON::Object::Ptr>();
  document->getObject("info")->set("description",
                                   Poco::trim(std::string(embedded("src/api/openapi.md"))));
  return document;
}

std::string assemble() {
  std::ostringstream out;
  parseDocument()->stringify(out);
  return out.str();
}

}  // namespace

Poco::JSON::Object::Ptr openApiSchemas() {
  return parseDocument()->getObject("components")->getObject("schemas");
}

const std::string& openApiDocument() {
  static const std::string document = assemble();  // immutable after first use
  return document;
}

}  // namespace sipbridge::api
