#pragma once

#include <Poco/Dynamic/Var.h>
#include <Poco/JSON/Object.h>

#include <string>
#include <vector>

namespace sipbridge::test {

/// Checks JSON values against the JSON Schemas of one document (an AsyncAPI or OpenAPI
/// document), for the subset of JSON Schema our documents use: type (one or a list), enum,
/// const, properties, required, additionalProperties, items, allOf, anyOf, oneOf, local
/// $ref ("#/..."), minimum, maximum, minLength, maxLength (in characters), pattern, and the
/// formats uuid and date-time. Annotations (description, title, default, examples, other
/// formats, readOnly, writeOnly, deprecated, discriminator, x-*) are ignored. Any other
/// keyword is reported as a problem, so a schema is never passed silently by a keyword this
/// checker does not understand.
class JsonSchemaCheck {
 public:
  explicit JsonSchemaCheck(Poco::JSON::Object::Ptr document);

  /// The problems of `value` against the schema at `pointer` (a JSON Pointer fragment such as
  /// "#/components/schemas/Event"); empty when it conforms. Each problem names the
  /// instance location ("/payload/0") and the broken keyword.
  std::vector<std::string> problems(const Poco::Dynamic::Var& value,
                                    const std::string& pointer) const;

  /// The value at `pointer` in the document (throws std::runtime_error when there is none).
  Poco::Dynamic::Var resolve(const std::string& pointer) const;

 private:
  void check(const Poco::Dynamic::Var& value, const Poco::Dynamic::Var& schema,
             const std::string& at, std::vector<std::string>& out, int depth) const;

  Poco::JSON::Object::Ptr document_;
};

}  // namespace sipbridge::test
