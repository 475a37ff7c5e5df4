#include "sipbridge/core/SendMessageRequest.h"

#include "sipbridge/core/Errors.h"
#include "sipbridge/core/Validation.h"

#include <Poco/JSON/Array.h>
#include <Poco/String.h>
#include <Poco/StringTokenizer.h>

namespace sipbridge::core {
namespace {

std::string stringField(const Poco::JSON::Object& json, const std::string& name) {
  const auto value = json.get(name);
  if (value.isEmpty()) return {};
  if (!value.isString()) throw invalidField(name, name + " must be a string");
  return value.extract<std::string>();
}

bool isTelNumber(const std::string& number) {
  if (number.empty() || number.size() > 32) return false;
  for (std::size_t i = 0; i < number.size(); ++i) {
    const char c = number[i];
    if (!(std::isdigit(static_cast<unsigned char>(c)) || (c == '+' && i == 0) || c == '-' ||
          c == '.'))
      return false;
  }
  return true;
}

std::vector<std::string> recipientList(const Poco::JSON::Object& json) {
  std::vector<std::string> out;
  const auto value = json.get("recipients");
  if (value.isEmpty()) return out;
  if (value.isString()) {
    Poco::StringTokenizer tokens(
        value.extract<std::string>(), ",",
        Poco::StringTokenizer::TOK_TRIM | Poco::StringTokenizer::TOK_IGNORE_EMPTY);
    out.assign(tokens.begin(), tokens.end());
    return out;
  }
  if (value.type() != typeid(Poco::JSON::Array::Ptr))
    throw invalidField("recipients", "recipients must be a comma-separated string or an array");
  for (const auto& item : *value.extract<Poco::JSON::Array::Ptr>()) {
    if (!item.isString()) throw invalidField("recipients", "recipients must be strings");
    out.push_back(item.extract<std::string>());
  }
  return out;
}

}  // namespace

std::string addressToUri(const std::string& value, const std::string& domain) {
  if (!checkHeaderSafe(value, 256).empty() || value.empty()) return {};
  if (value.rfind("tel:", 0) == 0) return isTelNumber(value.substr(4)) ? value : std::string();
  std::string rest;
  if (value.rfind("sip:", 0) == 0) rest = value.substr(4);
  if (value.rfind("sips:", 0) == 0) rest = value.substr(5);
  if (rest.empty()) {
    if (!checkSipUser(value).empty() || !checkHost(domain).empty()) return {};
    return "sip:" + value + "@" + domain;
  }
  const auto at = rest.rfind('@');
  const std::string user = at == std::string::npos ? std::string() : rest.substr(0, at);
  const std::string host = at == std::string::npos ? rest : rest.substr(at + 1);
  if (at != std::string::npos && !checkSipUser(user).empty()) return {};
  const auto semicolon = host.find(';');
  if (!checkHostPort(host.substr(0, semicolon)).empty()) return {};
  if (semicolon != std::string::npos && !checkUriParams(host.substr(semicolon)).empty()) return {};
  return value;
}

SendMessageRequest SendMessageRequest::fromJson(const Poco::JSON::Object& json,
                                                const MessageLimits& limits,
                                                const std::string& domain) {
  static const char* const kFields[] = {"id",        "to", "body", "contentType", "isImdnRequired",
                                        "recipients"};
  for (const auto& [key, value] : json) {
    bool known = false;
    for (const char* field : kFields) known = known || key == field;
    if (!known) throw invalidField(key, key + " is not a sendMessage field");
  }
  SendMessageRequest r;
  r.id = stringField(json, "id");
  if (!r.id.empty()) {
    if (r.id.size() > 128 || !checkHeaderSafe(r.id, 128).empty() ||
        r.id.find_first_of(" <>\"") != std::string::npos)
      throw invalidField("id", "id must be 1 to 128 printable characters without spaces");
  }
  r.contentType = Poco::toLower(stringField(json, "contentType"));
  if (r.contentType.empty()) r.contentType = "text/plain";
  std::size_t maxBody = limits.maxTextBytes;
  if (r.contentType == "message/cpim") {
    maxBody = limits.maxCpimBytes;
  } else if (r.contentType == "multipart/mixed") {
    maxBody = limits.maxMultipartBytes;
  } else if (r.contentType != "text/plain") {
    throw invalidField("contentType",
                       "contentType must be text/plain, message/cpim or multipart/mixed");
  }
  r.body = stringField(json, "body");
  if (r.body.empty()) throw invalidField("body", "body is required and may not be empty");
  if (r.body.size() > maxBody)
    throw invalidField("body", "body is longer than " + std::to_string(maxBody) + " bytes");
  if (r.body.find('\0') != std::string::npos)
    throw invalidField("body", "body may not contain NUL characters");
  const auto imdn = json.get("isImdnRequired");
  if (!imdn.isEmpty()) {
    if (!imdn.isBoolean()) throw invalidField("isImdnRequired", "isImdnRequired must be a boolean");
    r.isImdnRequired = imdn.extract<bool>();
  }
  if (r.isImdnRequired && r.contentType == "text/plain")
    throw invalidField("isImdnRequired",
                       "isImdnRequired needs contentType message/cpim or multipart/mixed");
  const std::string to = stringField(json, "to");
  if (to.empty()) throw invalidField("to", "to is required");
  r.to = addressToUri(to, domain);
  if (r.to.empty()) throw invalidField("to", "to is not a SIP URI, tel URI, login or number");
  for (const auto& recipient : recipientList(json)) {
    const std::string uri = addressToUri(recipient, domain);
    if (uri.empty())
      throw invalidField("recipients", "recipient is not a SIP URI, tel URI, login or number");
    r.recipients.push_back(uri);
  }
  if (r.contentType == "multipart/mixed" && r.recipients.empty())
    throw invalidField("recipients", "multipart/mixed needs at least one recipient");
  if (r.contentType != "multipart/mixed" && !r.recipients.empty())
    throw invalidField("recipients", "recipients are only used with multipart/mixed");
  if (r.recipients.size() > limits.maxRecipients)
    throw invalidField("recipients",
                       "more than " + std::to_string(limits.maxRecipients) + " recipients");
  return r;
}

}  // namespace sipbridge::core
