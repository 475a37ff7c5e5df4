#include "AsyncApi.h"
#include "Embedded.h"
#include "Routes.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/ParseHandler.h>
#include <Poco/JSON/Parser.h>

#include <sstream>
#include <stdexcept>
#include <vector>

namespace sipbridge::api {
namespace {

using Poco::Dynamic::Var;
using Poco::JSON::Array;
using Poco::JSON::Object;

const std::string kSchemas = "#/components/schemas/";

bool isObject(const Var& v) {
  return v.type() == typeid(Object::Ptr);
}

bool isArray(const Var& v) {
  return v.type() == typeid(Array::Ptr);
}

Object::Ptr ordered() {
  return new Object(Poco::JSON_PRESERVE_KEY_ORDER);
}

Object::Ptr refTo(const std::string& target) {
  Object::Ptr out = ordered();
  out->set("$ref", target);
  return out;
}

Object::Ptr skeleton() {
  const auto text = embeddedFile("src/api/asyncapi.json");
  if (!text) throw std::logic_error("src/api/asyncapi.json is not embedded");
  Poco::JSON::Parser parser(new Poco::JSON::ParseHandler(true));
  return parser.parse(std::string(*text)).extract<Object::Ptr>();
}

/// Appends the names listed in from[member] that `into` lacks.
void addNames(Array& into, const Object& from, const std::string& member) {
  if (!from.has(member)) return;
  for (const auto& name : *from.getArray(member)) {
    bool present = false;
    for (const auto& existing : into) present = present || existing.toString() == name.toString();
    if (!present) into.add(name);
  }
}

/// The schema of one event type as one closed object: the members common to every event
/// (Event) and the type's own, from the OpenAPI form `allOf: [Event, own]`. A type whose own
/// part has no `status` has none. additionalProperties false: the schema lists every member
/// the event can carry.
Object::Ptr eventSchema(const Object& event, const Object& typeSchema) {
  Object::Ptr own = typeSchema.getArray("allOf")->getObject(1);
  Object::Ptr ownProperties = own->getObject("properties");
  Object::Ptr properties = ordered();
  Object::Ptr common = event.getObject("properties");
  for (const auto& name : common->getNames())
    if (name != "status" || ownProperties->has("status")) properties->set(name, common->get(name));
  for (const auto& name : ownProperties->getNames())
    properties->set(name, ownProperties->get(name));
  Array::Ptr required = new Array;
  addNames(*required, event, "required");
  addNames(*required, *own, "required");
  Object::Ptr out = ordered();
  out->set("type", "object");
  if (typeSchema.has("description")) out->set("description", typeSchema.get("description"));
  out->set("properties", properties);
  out->set("required", required);
  out->set("additionalProperties", false);
  if (typeSchema.has("x-extension")) out->set("x-extension", typeSchema.get("x-extension"));
  return toJsonSchema(out).extract<Object::Ptr>();
}

/// Adds to `schemas` (components.schemas of `doc`) every OpenAPI schema that the document
/// references and lacks, converted, with the schemas those reference in turn.
void addReferenced(const Object::Ptr& doc, Object& schemas, const Object& openApi) {
  std::vector<Var> pending{doc};
  while (!pending.empty()) {
    const Var node = pending.back();
    pending.pop_back();
    if (isArray(node)) {
      for (const auto& item : *node.extract<Array::Ptr>()) pending.push_back(item);
    } else if (isObject(node)) {
      const Object& object = *node.extract<Object::Ptr>();
      for (const auto& name : object.getNames()) {
        const Var value = object.get(name);
        pending.push_back(value);
        if (name != "$ref" || !value.isString()) continue;
        const std::string target = value.toString();
        if (target.rfind(kSchemas, 0) != 0) continue;
        const std::string referenced = target.substr(kSchemas.size());
        if (schemas.has(referenced)) continue;
        if (!openApi.has(referenced)) throw std::logic_error("no schema " + referenced);
        schemas.set(referenced, toJsonSchema(openApi.get(referenced)));
        pending.push_back(schemas.get(referenced));
      }
    }
  }
}

Object::Ptr message(const std::string& type, const Object& schema, bool hook) {
  Object::Ptr out = ordered();
  out->set("name", type);
  out->set("title", hook ? "POST <hookUrl>/" + type : type);
  if (schema.has("description")) out->set("summary", schema.get("description"));
  out->set("contentType", "application/json");
  out->set("payload", refTo(kSchemas + type));
  if (hook) {
    Array::Ptr traits = new Array;
    traits->add(refTo("#/components/messageTraits/webhook"));
    out->set("traits", traits);
  }
  return out;
}

std::string assemble() {
  Object::Ptr doc = skeleton();
  Object::Ptr openApi = openApiSchemas();
  Object::Ptr event = openApi->getObject("Event");
  Object::Ptr components = doc->getObject("components");
  Object::Ptr schemas = components->getObject("schemas");
  Object::Ptr messages = components->getObject("messages");
  Object::Ptr channels = doc->getObject("channels");
  Object::Ptr operations = doc->getObject("operations");
  Object::Ptr stream = channels->getObject("sessionEvents")->getObject("messages");
  Array::Ptr pushed = operations->getObject("sendSessionEvents")->getArray("messages");

  for (const auto& typeName :
       *event->getObject("properties")->getObject("type")->getArray("enum")) {
    const std::string type = typeName.toString();
    Object::Ptr schema = eventSchema(*event, *openApi->getObject(type));
    schemas->set(type, schema);
    messages->set(type, message(type, *schema, false));
    messages->set(type + "Hook", message(type, *schema, true));
    stream->set(type, refTo("#/components/messages/" + type));
    pushed->add(refTo("#/channels/sessionEvents/messages/" + type));

    const std::string hookChannel = "hook" + type;
    Object::Ptr channel = ordered();
    channel->set("address", "/" + type);
    channel->set("title", "POST <hookUrl>/" + type);
    Array::Ptr servers = new Array;
    servers->add(refTo("#/servers/backend"));
    channel->set("servers", servers);
    Object::Ptr channelMessages = ordered();
    channelMessages->set(type, refTo("#/components/messages/" + type + "Hook"));
    channel->set("messages", channelMessages);
    channels->set(hookChannel, channel);

    Object::Ptr operation = ordered();
    operation->set("action", "send");
    operation->set("channel", refTo("#/channels/" + hookChannel));
    operation->set("title", "Deliver " + type + " to the application's backend");
    Array::Ptr operationMessages = new Array;
    operationMessages->add(refTo("#/channels/" + hookChannel + "/messages/" + type));
    operation->set("messages", operationMessages);
    Object::Ptr http = ordered();
    http->set("method", "POST");
    http->set("bindingVersion", "0.3.0");
    Object::Ptr bindings = ordered();
    bindings->set("http", http);
    operation->set("bindings", bindings);
    operations->set("deliver" + type, operation);
  }
  addReferenced(doc, *schemas, *openApi);
  std::ostringstream out;
  doc->stringify(out);
  return out.str();
}

}  // namespace

Poco::Dynamic::Var toJsonSchema(const Poco::Dynamic::Var& schema) {
  if (isArray(schema)) {
    Array::Ptr out = new Array;
    for (const auto& item : *schema.extract<Array::Ptr>()) out->add(toJsonSchema(item));
    return out;
  }
  if (!isObject(schema)) return schema;
  const Object& in = *schema.extract<Object::Ptr>();
  Object::Ptr out = ordered();
  for (const auto& name : in.getNames()) {
    if (name == "nullable") continue;
    if (name == "discriminator" && in.isObject(name))
      out->set(name, in.getObject(name)->getValue<std::string>("propertyName"));
    else
      out->set(name, toJsonSchema(in.get(name)));
  }
  if (!in.optValue<bool>("nullable", false)) return out;
  Object::Ptr null = ordered();
  null->set("type", "null");
  if (out->has("type") && out->get("type").isString()) {
    Array::Ptr types = new Array;
    types->add(out->get("type"));
    types->add("null");
    out->set("type", types);
  } else if (out->has("oneOf")) {
    out->getArray("oneOf")->add(null);
  } else {
    Array::Ptr options = new Array;
    options->add(out);
    options->add(null);
    Object::Ptr either = ordered();
    either->set("anyOf", options);
    return either;
  }
  return out;
}

const std::string& asyncApiDocument() {
  static const std::string document = assemble();  // immutable after first use
  return document;
}

}  // namespace sipbridge::api
