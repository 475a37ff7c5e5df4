#include "sipbridge/content/Reginfo.h"

#include "sipbridge/content/ContentError.h"

#include <array>

namespace sipbridge::content {

namespace {

constexpr std::array<std::string_view, 2> kReginfoStates = {"full", "partial"};
constexpr std::array<std::string_view, 3> kRegistrationStates = {"init", "active", "terminated"};
constexpr std::array<std::string_view, 2> kContactStates = {"active", "terminated"};
constexpr std::array<std::string_view, 9> kContactEvents = {
    "registered",  "created",   "refreshed",    "shortened", "expired",
    "deactivated", "probation", "unregistered", "rejected"};

/// The trimmed value of the unqualified attribute `name` of `node`, if present.
std::optional<std::string> attribute(const xmlNode* node, const char* name) {
  auto value = XmlDocument::attribute(node, name);
  if (value) return xmlTrim(*value);
  return value;
}

std::string required(const xmlNode* node, const char* name, const char* what) {
  auto value = attribute(node, name);
  if (!value || value->empty())
    throw ContentError(std::string("reginfo: ") + what + " without " + name);
  return std::move(*value);
}

/// The index of the required attribute's value in `names`; throws when absent or unknown.
template <typename Enum, std::size_t N>
Enum enumerated(const xmlNode* node, const char* name, const char* what,
                const std::array<std::string_view, N>& names) {
  const std::string value = required(node, name, what);
  for (std::size_t i = 0; i < N; ++i)
    if (names[i] == value) return static_cast<Enum>(i);
  throw ContentError(std::string("reginfo: unknown ") + what + " " + name);
}

/// xs:unsignedLong (optional "+", digits, no overflow); throws otherwise.
std::uint64_t unsignedLong(const std::string& text, const char* name) {
  std::string_view s = text;
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  if (s.empty()) throw ContentError(std::string("reginfo: ") + name + " is not a number");
  std::uint64_t value = 0;
  for (const char c : s) {
    if (c < '0' || c > '9')
      throw ContentError(std::string("reginfo: ") + name + " is not a number");
    const auto digit = static_cast<std::uint64_t>(c - '0');
    if (value > (UINT64_MAX - digit) / 10)
      throw ContentError(std::string("reginfo: ") + name + " out of range");
    value = value * 10 + digit;
  }
  return value;
}

Reginfo::Contact parseContact(const xmlNode* node) {
  Reginfo::Contact contact;
  contact.id = required(node, "id", "contact");
  contact.state = enumerated<ContactState>(node, "state", "contact", kContactStates);
  contact.event = enumerated<ContactEvent>(node, "event", "contact", kContactEvents);
  if (const auto expires = attribute(node, "expires"))
    contact.expires = unsignedLong(*expires, "expires");
  if (const auto q = attribute(node, "q")) contact.q = qvalueAttribute(*q);
  if (const auto callId = attribute(node, "callid")) contact.callId = *callId;
  const xmlNode* uri = XmlDocument::child(node, kReginfoNamespace, "uri");
  if (uri == nullptr) throw ContentError("reginfo: contact without uri");
  contact.uri = xmlTrim(XmlDocument::text(uri));
  if (contact.uri.empty()) throw ContentError("reginfo: contact with empty uri");
  if (const xmlNode* name = XmlDocument::child(node, kReginfoNamespace, "display-name"))
    contact.displayName = xmlTrim(XmlDocument::text(name));
  return contact;
}

Reginfo::Registration parseRegistration(const xmlNode* node) {
  Reginfo::Registration registration;
  registration.aor = required(node, "aor", "registration");
  registration.id = required(node, "id", "registration");
  registration.state =
      enumerated<RegistrationState>(node, "state", "registration", kRegistrationStates);
  for (const xmlNode* n = node->children; n != nullptr; n = n->next)
    if (XmlDocument::is(n, kReginfoNamespace, "contact"))
      registration.contacts.push_back(parseContact(n));
  return registration;
}

}  // namespace

std::string_view toString(ReginfoState state) {
  return kReginfoStates[static_cast<std::size_t>(state)];
}
std::string_view toString(RegistrationState state) {
  return kRegistrationStates[static_cast<std::size_t>(state)];
}
std::string_view toString(ContactState state) {
  return kContactStates[static_cast<std::size_t>(state)];
}
std::string_view toString(ContactEvent event) {
  return kContactEvents[static_cast<std::size_t>(event)];
}

Reginfo parseReginfo(std::string_view xml, const XmlLimits& limits) {
  const XmlDocument document = XmlDocument::parse(xml, limits);
  const xmlNode* root = document.root();
  if (!XmlDocument::is(root, kReginfoNamespace, "reginfo"))
    throw ContentError("reginfo: wrong root");
  Reginfo reginfo;
  reginfo.version = unsignedLong(required(root, "version", "reginfo"), "version");
  reginfo.state = enumerated<ReginfoState>(root, "state", "reginfo", kReginfoStates);
  for (const xmlNode* n = root->children; n != nullptr; n = n->next)
    if (XmlDocument::is(n, kReginfoNamespace, "registration"))
      reginfo.registrations.push_back(parseRegistration(n));
  return reginfo;
}

}  // namespace sipbridge::content
