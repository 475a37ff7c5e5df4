#include "JsonSchemaCheck.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Stringifier.h>

#include <cmath>
#include <regex>
#include <set>
#include <sstream>
#include <stdexcept>

namespace sipbridge::test {
namespace {

using Poco::Dynamic::Var;
using Poco::JSON::Array;
using Poco::JSON::Object;

bool isObject(const Var& v) {
  return v.type() == typeid(Object::Ptr);
}

bool isArray(const Var& v) {
  return v.type() == typeid(Array::Ptr);
}

std::string jsonText(const Var& v) {
  std::ostringstream out;
  Poco::JSON::Stringifier::stringify(v, out);
  return out.str();
}

/// The JSON type of a parsed value ("integer" for whole numbers, parsed as such or not).
std::string jsonType(const Var& v) {
  if (v.isEmpty()) return "null";
  if (isObject(v)) return "object";
  if (isArray(v)) return "array";
  if (v.type() == typeid(bool)) return "boolean";
  if (v.isString()) return "string";
  if (v.isInteger()) return "integer";
  if (v.isNumeric()) {
    const double d = v.convert<double>();
    return std::floor(d) == d && std::isfinite(d) ? "integer" : "number";
  }
  return "unknown";
}

bool hasType(const Var& v, const std::string& type) {
  const std::string actual = jsonType(v);
  return actual == type || (type == "number" && actual == "integer");
}

/// Length in Unicode code points of UTF-8 text.
std::size_t characters(const std::string& text) {
  std::size_t n = 0;
  for (unsigned char c : text) n += (c & 0xC0) != 0x80;
  return n;
}

const std::set<std::string> kAnnotations = {
    "description", "title",      "default",       "examples", "readOnly",
    "writeOnly",   "deprecated", "discriminator", "format",   "$comment"};
const std::set<std::string> kKeywords = {
    "$ref",      "type",    "enum",    "const", "properties", "required", "additionalProperties",
    "items",     "allOf",   "anyOf",   "oneOf", "minimum",    "maximum",  "minLength",
    "maxLength", "pattern", "nullable"};

const std::regex& uuidPattern() {
  static const std::regex pattern(
      "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$");
  return pattern;
}

const std::regex& dateTimePattern() {
  static const std::regex pattern(
      R"(^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$)");
  return pattern;
}

}  // namespace

JsonSchemaCheck::JsonSchemaCheck(Poco::JSON::Object::Ptr document)
    : document_(std::move(document)) {}

Poco::Dynamic::Var JsonSchemaCheck::resolve(const std::string& pointer) const {
  if (pointer.rfind("#/", 0) != 0) throw std::runtime_error("not a local reference: " + pointer);
  Var node = document_;
  std::size_t start = 2;
  while (start <= pointer.size()) {
    const std::size_t slash = pointer.find('/', start);
    const std::size_t end = slash == std::string::npos ? pointer.size() : slash;
    std::string token = pointer.substr(start, end - start);
    for (std::size_t i = 0; (i = token.find('~', i)) != std::string::npos; ++i)
      token.replace(i, 2, token.compare(i, 2, "~1") == 0 ? "/" : "~");
    if (isObject(node) && node.extract<Object::Ptr>()->has(token)) {
      node = node.extract<Object::Ptr>()->get(token);
    } else if (isArray(node) && !token.empty() &&
               token.find_first_not_of("0123456789") == std::string::npos &&
               std::stoul(token) < node.extract<Array::Ptr>()->size()) {
      node = node.extract<Array::Ptr>()->get(static_cast<unsigned>(std::stoul(token)));
    } else {
      throw std::runtime_error("no " + pointer + " in the document");
    }
    start = end + 1;
  }
  return node;
}

std::vector<std::string> JsonSchemaCheck::problems(const Poco::Dynamic::Var& value,
                                                   const std::string& pointer) const {
  std::vector<std::string> out;
  check(value, resolve(pointer), "", out, 0);
  return out;
}

void JsonSchemaCheck::check(const Poco::Dynamic::Var& value, const Poco::Dynamic::Var& schemaVar,
                            const std::string& at, std::vector<std::string>& out, int depth) const {
  const std::string where = at.empty() ? "/" : at;
  if (depth > 64) {
    out.push_back(where + ": schema nesting deeper than 64 (a $ref cycle?)");
    return;
  }
  if (schemaVar.type() == typeid(bool)) {
    if (!schemaVar.extract<bool>()) out.push_back(where + ": no value is allowed here");
    return;
  }
  if (!isObject(schemaVar)) {
    out.push_back(where + ": the schema is not an object");
    return;
  }
  const Object& schema = *schemaVar.extract<Object::Ptr>();
  for (const auto& [keyword, unused] : schema)
    if (!kKeywords.count(keyword) && !kAnnotations.count(keyword) && keyword.rfind("x-", 0) != 0)
      out.push_back(where + ": unsupported schema keyword \"" + keyword + "\"");
  if (schema.has("$ref"))
    check(value, resolve(schema.getValue<std::string>("$ref")), at, out, depth + 1);
  if (value.isEmpty() && schema.optValue<bool>("nullable", false)) return;

  if (schema.has("type")) {
    const Var type = schema.get("type");
    bool matched = false;
    std::string expected;
    if (isArray(type)) {
      for (const auto& t : *type.extract<Array::Ptr>()) {
        matched = matched || hasType(value, t.toString());
        expected += (expected.empty() ? "" : " or ") + t.toString();
      }
    } else {
      expected = type.toString();
      matched = hasType(value, expected);
    }
    if (!matched) {
      out.push_back(where + ": is " + jsonType(value) + ", the schema says " + expected);
      return;  // the other keywords would only repeat the mismatch
    }
  }
  if (schema.has("enum")) {
    const std::string text = jsonText(value);
    bool found = false;
    for (const auto& option : *schema.getArray("enum")) found = found || jsonText(option) == text;
    if (!found) out.push_back(where + ": " + text + " is not in the schema's enum");
  }
  if (schema.has("const") && jsonText(schema.get("const")) != jsonText(value))
    out.push_back(where + ": " + jsonText(value) + " is not the schema's const");

  if (isObject(value)) {
    const Object& object = *value.extract<Object::Ptr>();
    if (schema.has("required"))
      for (const auto& name : *schema.getArray("required"))
        if (!object.has(name.toString()))
          out.push_back(where + ": required member \"" + name.toString() + "\" is missing");
    Object::Ptr properties;
    if (schema.has("properties")) properties = schema.getObject("properties");
    for (const auto& [name, member] : object) {
      const std::string memberAt = at + "/" + name;
      if (properties && properties->has(name)) {
        check(member, properties->get(name), memberAt, out, depth + 1);
      } else if (schema.has("additionalProperties")) {
        check(member, schema.get("additionalProperties"), memberAt, out, depth + 1);
      }
    }
  }
  if (isArray(value) && schema.has("items")) {
    const Array& array = *value.extract<Array::Ptr>();
    for (std::size_t i = 0; i < array.size(); ++i)
      check(array.get(static_cast<unsigned>(i)), schema.get("items"), at + "/" + std::to_string(i),
            out, depth + 1);
  }
  if (value.isString()) {
    const std::string text = value.extract<std::string>();
    if (schema.has("minLength") && characters(text) < schema.getValue<std::size_t>("minLength"))
      out.push_back(where + ": shorter than minLength");
    if (schema.has("maxLength") && characters(text) > schema.getValue<std::size_t>("maxLength"))
      out.push_back(where + ": longer than maxLength");
    if (schema.has("pattern") &&
        !std::regex_search(text, std::regex(schema.getValue<std::string>("pattern"))))
      out.push_back(where + ": \"" + text + "\" does not match the pattern");
    const std::string format = schema.optValue<std::string>("format", "");
    if ((format == "uuid" && !std::regex_match(text, uuidPattern())) ||
        (format == "date-time" && !std::regex_match(text, dateTimePattern())))
      out.push_back(where + ": \"" + text + "\" is not a " + format);
  }
  if (value.isNumeric()) {
    const double number = value.convert<double>();
    if (schema.has("minimum") && number < schema.getValue<double>("minimum"))
      out.push_back(where + ": below the minimum");
    if (schema.has("maximum") && number > schema.getValue<double>("maximum"))
      out.push_back(where + ": above the maximum");
  }

  if (schema.has("allOf"))
    for (const auto& part : *schema.getArray("allOf")) check(value, part, at, out, depth + 1);
  for (const char* keyword : {"anyOf", "oneOf"}) {
    if (!schema.has(keyword)) continue;
    std::size_t passing = 0;
    for (const auto& option : *schema.getArray(keyword)) {
      std::vector<std::string> optionProblems;
      check(value, option, at, optionProblems, depth + 1);
      passing += optionProblems.empty();
    }
    if (passing == 0) out.push_back(where + ": matches none of " + keyword);
    if (passing > 1 && std::string(keyword) == "oneOf")
      out.push_back(where + ": matches more than one of oneOf");
  }
}

}  // namespace sipbridge::test
