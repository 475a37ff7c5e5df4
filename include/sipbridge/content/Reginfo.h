#pragma once

#include "sipbridge/content/SafeXml.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sipbridge::content {

/// The reginfo namespace and media type (RFC 3680).
inline constexpr std::string_view kReginfoNamespace = "urn:ietf:params:xml:ns:reginfo";
inline constexpr std::string_view kReginfoContentType = "application/reginfo+xml";

enum class ReginfoState { Full, Partial };
enum class RegistrationState { Init, Active, Terminated };
enum class ContactState { Active, Terminated };
enum class ContactEvent {
  Registered,
  Created,
  Refreshed,
  Shortened,
  Expired,
  Deactivated,
  Probation,
  Unregistered,
  Rejected
};

/// The attribute values as RFC 3680 writes them ("full", "init", "refreshed", ...).
std::string_view toString(ReginfoState state);
std::string_view toString(RegistrationState state);
std::string_view toString(ContactState state);
std::string_view toString(ContactEvent event);

/// A registration information document (RFC 3680 §5.3). Text values are trimmed of XML
/// whitespace at both ends.
struct Reginfo {
  struct Contact {
    std::string id;
    ContactState state = ContactState::Active;
    ContactEvent event = ContactEvent::Registered;
    std::string uri;                         ///< the uri element, never empty
    std::optional<std::uint64_t> expires;    ///< seconds, when present
    std::optional<double> q;                 ///< when present and a valid qvalue
    std::optional<std::string> displayName;  ///< the display-name element, when present
    std::string callId;                      ///< callid attribute, may be empty
  };
  struct Registration {
    std::string aor;
    std::string id;
    RegistrationState state = RegistrationState::Init;
    std::vector<Contact> contacts;  ///< in document order
  };
  std::uint64_t version = 0;
  ReginfoState state = ReginfoState::Full;
  std::vector<Registration> registrations;  ///< in document order
};

/// Parses a reginfo document through XmlDocument (no DOCTYPE, no entities, bounded by
/// `limits`). Refused with ContentError: anything XmlDocument refuses, a root other than
/// reginfo in the reginfo namespace (another or no namespace is an error, not an empty
/// result), a missing or non-numeric version, and, as the RFC 3680 schema requires, a
/// missing or unknown value of any state/event attribute, a registration without aor or id,
/// a contact without id or uri, and an expires that is not an unsigned integer. The q
/// attribute is a string in the schema: one that is not a qvalue is ignored. Unknown
/// elements and attributes are ignored. Pure function; thread-safe once libxml2 is initialised.
Reginfo parseReginfo(std::string_view xml, const XmlLimits& limits = {});

/// Plain JSON for events: {"version", "state", "registrations": [{"aor", "id", "state",
/// "contacts": [{"id", "uri", "state", "event", "expires" (number or null), "q" (number or
/// null), "displayName" (string or null)}]}]}. Defined inline so that the content library
/// itself needs only PocoFoundation and libxml2.
inline Poco::JSON::Object::Ptr toJson(const Reginfo& reginfo) {
  Poco::JSON::Object::Ptr json = new Poco::JSON::Object;
  json->set("version", static_cast<Poco::UInt64>(reginfo.version));
  json->set("state", std::string(toString(reginfo.state)));
  Poco::JSON::Array::Ptr registrations = new Poco::JSON::Array;
  for (const auto& registration : reginfo.registrations) {
    Poco::JSON::Object::Ptr r = new Poco::JSON::Object;
    r->set("aor", registration.aor);
    r->set("id", registration.id);
    r->set("state", std::string(toString(registration.state)));
    Poco::JSON::Array::Ptr contacts = new Poco::JSON::Array;
    for (const auto& contact : registration.contacts) {
      Poco::JSON::Object::Ptr c = new Poco::JSON::Object;
      c->set("id", contact.id);
      c->set("uri", contact.uri);
      c->set("state", std::string(toString(contact.state)));
      c->set("event", std::string(toString(contact.event)));
      c->set("expires", contact.expires
                            ? Poco::Dynamic::Var(static_cast<Poco::UInt64>(*contact.expires))
                            : Poco::Dynamic::Var());
      c->set("q", contact.q ? Poco::Dynamic::Var(*contact.q) : Poco::Dynamic::Var());
      c->set("displayName",
             contact.displayName ? Poco::Dynamic::Var(*contact.displayName) : Poco::Dynamic::Var());
      contacts->add(c);
    }
    r->set("contacts", contacts);
    registrations->add(r);
  }
  json->set("registrations", registrations);
  return json;
}

}  // namespace sipbridge::content
