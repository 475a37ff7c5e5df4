#include "ApiTestFixture.h"

#include <Poco/JSON/Array.h>

#include <boost/test/unit_test.hpp>

#include <functional>
#include <set>

using namespace sipbridge::api;
using namespace sipbridge::api::test;
using Poco::Dynamic::Var;
using Poco::JSON::Array;
using Poco::JSON::Object;

namespace {

Object::Ptr fetch(const ApiFixture& f, const std::string& path) {
  const auto answer = call(f.port, "GET", path);
  BOOST_TEST_REQUIRE(answer.status == 200);
  return answer.json();
}

/// Every value of `node` and below, depth first, with its JSON Pointer.
void walk(const Var& node, const std::string& at,
          const std::function<void(const std::string&, const Var&)>& visit) {
  visit(at, node);
  if (node.type() == typeid(Object::Ptr)) {
    const auto object = node.extract<Object::Ptr>();
    for (const auto& name : object->getNames()) walk(object->get(name), at + "/" + name, visit);
  } else if (node.type() == typeid(Array::Ptr)) {
    const auto array = node.extract<Array::Ptr>();
    for (unsigned i = 0; i < array->size(); ++i)
      walk(array->get(i), at + "/" + std::to_string(i), visit);
  }
}

bool resolves(const Object::Ptr& doc, const std::string& pointer) {
  if (pointer.rfind("#/", 0) != 0) return false;
  Var node = doc;
  std::size_t start = 2;
  while (start <= pointer.size()) {
    const std::size_t end = std::min(pointer.find('/', start), pointer.size());
    const std::string name = pointer.substr(start, end - start);
    if (node.type() != typeid(Object::Ptr) || !node.extract<Object::Ptr>()->has(name)) return false;
    node = node.extract<Object::Ptr>()->get(name);
    start = end + 1;
  }
  return true;
}

std::set<std::string> names(const Object::Ptr& object) {
  const auto list = object->getNames();
  return {list.begin(), list.end()};
}

}  // namespace

BOOST_AUTO_TEST_SUITE(ApiAsyncApi)

BOOST_AUTO_TEST_CASE(every_event_type_has_a_message_a_hook_channel_and_an_operation) {
  ApiFixture f;
  const auto doc = fetch(f, "/api/v1/asyncapi.json");
  BOOST_TEST(doc->getValue<std::string>("asyncapi") == "3.0.0");
  const auto openApi = fetch(f, "/api/v1/openapi.json");
  const auto types = openApi->getObject("components")
                         ->getObject("schemas")
                         ->getObject("Event")
                         ->getObject("properties")
                         ->getObject("type")
                         ->getArray("enum");
  BOOST_TEST_REQUIRE(types->size() == 13u);
  const auto messages = doc->getObject("components")->getObject("messages");
  const auto channels = doc->getObject("channels");
  const auto operations = doc->getObject("operations");
  const auto stream = channels->getObject("sessionEvents");
  BOOST_TEST(stream->getValue<std::string>("address") == "/api/v1/ws");
  for (const auto& typeName : *types) {
    const std::string type = typeName.toString();
    BOOST_TEST_CONTEXT(type) {
      BOOST_TEST(messages->has(type));
      BOOST_TEST(messages->has(type + "Hook"));
      BOOST_TEST(stream->getObject("messages")->has(type));
      BOOST_TEST_REQUIRE(channels->has("hook" + type));
      BOOST_TEST(channels->getObject("hook" + type)->getValue<std::string>("address") ==
                 "/" + type);
      BOOST_TEST_REQUIRE(operations->has("deliver" + type));
      BOOST_TEST(operations->getObject("deliver" + type)->getValue<std::string>("action") ==
                 "send");
    }
  }
  BOOST_TEST(operations->getObject("sendSessionEvents")->getArray("messages")->size() ==
             types->size());
  // Method frames and their replies on the same socket.
  const auto calls = operations->getObject("receiveMethodCalls");
  BOOST_TEST(calls->getValue<std::string>("action") == "receive");
  BOOST_TEST(calls->getObject("reply")->getArray("messages")->size() == 1u);
  // The token as a subprotocol (first) or as the query parameter `token`.
  const auto schemes = doc->getObject("components")->getObject("securitySchemes");
  const auto subprotocol = schemes->getObject("sessionTokenSubprotocol");
  BOOST_TEST(subprotocol->getValue<std::string>("in") == "header");
  BOOST_TEST(subprotocol->getValue<std::string>("name") == "Sec-WebSocket-Protocol");
  BOOST_TEST(schemes->getObject("sessionToken")->getValue<std::string>("in") == "query");
  const auto security = doc->getObject("servers")->getObject("bridge")->getArray("security");
  BOOST_TEST_REQUIRE(security->size() == 2u);
  BOOST_TEST(security->getObject(0)->getValue<std::string>("$ref") ==
             "#/components/securitySchemes/sessionTokenSubprotocol");
}

BOOST_AUTO_TEST_CASE(references_resolve_and_operations_use_their_channels_messages) {
  ApiFixture f;
  const auto doc = fetch(f, "/api/v1/asyncapi.json");
  int refs = 0;
  walk(doc, "#", [&](const std::string& at, const Var& value) {
    if (at.size() < 5 || at.compare(at.size() - 5, 5, "/$ref") != 0) return;
    ++refs;
    BOOST_TEST(resolves(doc, value.toString()), at << " -> " << value.toString());
  });
  BOOST_TEST(refs > 100);
  for (const auto& name : doc->getObject("operations")->getNames()) {
    const auto operation = doc->getObject("operations")->getObject(name);
    const std::string channel = operation->getObject("channel")->getValue<std::string>("$ref");
    for (const auto& message : *operation->getArray("messages"))
      BOOST_TEST(message.extract<Object::Ptr>()->getValue<std::string>("$ref").rfind(
                     channel + "/messages/", 0) == 0,
                 name);
  }
}

BOOST_AUTO_TEST_CASE(event_schemas_are_the_openapi_schemas_closed_and_in_json_schema) {
  ApiFixture f;
  const auto doc = fetch(f, "/api/v1/asyncapi.json");
  const auto schemas = doc->getObject("components")->getObject("schemas");
  const auto openApi =
      fetch(f, "/api/v1/openapi.json")->getObject("components")->getObject("schemas");
  const auto common = openApi->getObject("Event");
  for (const char* type :
       {"MessageStatusEvent", "OnMessageEvent", "CallStatusEvent", "ErrorEvent"}) {
    BOOST_TEST_CONTEXT(type) {
      const auto own = openApi->getObject(type)->getArray("allOf")->getObject(1);
      std::set<std::string> expected = names(common->getObject("properties"));
      if (!own->getObject("properties")->has("status")) expected.erase("status");
      for (const auto& name : own->getObject("properties")->getNames()) expected.insert(name);
      const auto schema = schemas->getObject(type);
      BOOST_TEST((names(schema->getObject("properties")) == expected));
      BOOST_TEST(schema->getValue<bool>("additionalProperties") == false);
      std::set<std::string> required;
      for (const auto& name : *schema->getArray("required")) required.insert(name.toString());
      for (const auto& name : *common->getArray("required"))
        BOOST_TEST(required.count(name.toString()));
      for (const auto& name : *own->getArray("required"))
        BOOST_TEST(required.count(name.toString()));
    }
  }
  // OpenAPI's nullable is written as a JSON Schema type list; discriminator objects as names.
  const auto expires = schemas->getObject("ReginfoDocument")
                           ->getObject("properties")
                           ->getObject("registrations")
                           ->getObject("items")
                           ->getObject("properties")
                           ->getObject("contacts")
                           ->getObject("items")
                           ->getObject("properties")
                           ->getObject("expires");
  BOOST_TEST(expires->getArray("type")->size() == 2u);
  BOOST_TEST(expires->getArray("type")->get(1).toString() == "null");
  walk(doc, "#", [&](const std::string& at, const Var&) {
    BOOST_TEST(at.find("/nullable") == std::string::npos, at);
  });
  BOOST_TEST(schemas->has("WsMethodFrame"));
  BOOST_TEST(schemas->has("WsReply"));
}

BOOST_AUTO_TEST_SUITE_END()
