#pragma once

#include "sipbridge/content/ContentError.h"
#include "sipbridge/content/SafeXml.h"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Stringifier.h>

#include <sstream>
#include <string>

namespace sipbridge::test {

/// `json` as compact JSON text.
inline std::string stringify(const Poco::JSON::Object::Ptr& json) {
  std::ostringstream out;
  Poco::JSON::Stringifier::stringify(json, out);
  return out.str();
}

/// True when `parse(xml, limits)` (a content parser such as parsePidf) throws ContentError.
template <typename Parse>
bool refusedBy(Parse parse, const std::string& xml, const content::XmlLimits& limits = {}) {
  try {
    parse(xml, limits);
  } catch (const content::ContentError&) {
    return true;
  }
  return false;
}

}  // namespace sipbridge::test
