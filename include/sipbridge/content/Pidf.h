#pragma once

#include "sipbridge/content/SafeXml.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sipbridge::content {

/// The PIDF namespace and media type (RFC 3863), and the two extension namespaces read for
/// person-level notes and activities (RFC 4479 data model, RFC 4480 RPID).
inline constexpr std::string_view kPidfNamespace = "urn:ietf:params:xml:ns:pidf";
inline constexpr std::string_view kPidfDataModelNamespace =
    "urn:ietf:params:xml:ns:pidf:data-model";
inline constexpr std::string_view kRpidNamespace = "urn:ietf:params:xml:ns:pidf:rpid";
inline constexpr std::string_view kPidfContentType = "application/pidf+xml";

/// A presence document, reduced to what a watcher shows. Text values are trimmed of XML
/// whitespace at both ends; empty notes are dropped.
struct Presence {
  struct Tuple {
    std::string id;                  ///< the tuple's id attribute
    std::string basic;               ///< "open", "closed", or "" when status has no basic
    std::string contact;             ///< contact URI, may be empty
    std::optional<double> priority;  ///< contact@priority when a valid qvalue (else ignored)
    std::vector<std::string> notes;  ///< the tuple's note elements, in document order
    std::string timestamp;           ///< as written, may be empty
  };
  std::string entity;                   ///< presence@entity, the presentity URI
  std::vector<Tuple> tuples;            ///< in document order
  std::vector<std::string> notes;       ///< presence-level notes, then dm:person notes
  std::vector<std::string> activities;  ///< rpid:activities element names ("away", ...);
                                        ///< rpid:other contributes its text instead
};

/// Parses a PIDF document through XmlDocument (no DOCTYPE, no entities, bounded by
/// `limits`). Refused with ContentError: anything XmlDocument refuses, a root other than
/// presence in the PIDF namespace (a document in another or no namespace is an error, not an
/// empty result), a missing entity, a tuple without id or status, a basic other than
/// open/closed. Elements of other namespaces and unknown elements are ignored.
/// Pure function; thread-safe once libxml2 is initialised.
Presence parsePidf(std::string_view xml, const XmlLimits& limits = {});

/// A PIDF document with one tuple `tupleId` whose status/basic is open or closed and, when
/// `note` is not empty, one note in that tuple: the shape Kamailio's presence_xml accepts in
/// PUBLISH. Text is escaped. Throws ContentError when `entity` is empty or has no URI scheme,
/// when `tupleId` is not an ASCII XML name, or when a value has characters XML cannot carry.
std::string buildPidf(std::string_view entity, bool basicOpen, std::string_view note,
                      std::string_view tupleId);

/// The tuple that speaks for the presentity: the first open tuple, else the first tuple,
/// else nullptr.
const Presence::Tuple* leadingTuple(const Presence& presence);

/// The note shown for the presentity: its first presence/person note, else the first note
/// of leadingTuple, else the first note of any tuple, else "".
std::string summaryNote(const Presence& presence);

/// Plain JSON for events: {"entity", "basic" ("open" when any tuple is open, else "closed"),
/// "note" (summaryNote), "activities": [..], "tuples": [{"id", "basic", "contact",
/// "priority" (number or null), "note" (first note or ""), "timestamp"}]}.
/// Defined inline so that the content library itself needs only PocoFoundation and libxml2.
inline Poco::JSON::Object::Ptr toJson(const Presence& presence) {
  Poco::JSON::Object::Ptr json = new Poco::JSON::Object;
  json->set("entity", presence.entity);
  const Presence::Tuple* leading = leadingTuple(presence);
  json->set("basic", leading != nullptr && leading->basic == "open" ? "open" : "closed");
  json->set("note", summaryNote(presence));
  Poco::JSON::Array::Ptr activities = new Poco::JSON::Array;
  for (const auto& activity : presence.activities) activities->add(activity);
  json->set("activities", activities);
  Poco::JSON::Array::Ptr tuples = new Poco::JSON::Array;
  for (const auto& tuple : presence.tuples) {
    Poco::JSON::Object::Ptr item = new Poco::JSON::Object;
    item->set("id", tuple.id);
    item->set("basic", tuple.basic);
    item->set("contact", tuple.contact);
    item->set("priority",
              tuple.priority ? Poco::Dynamic::Var(*tuple.priority) : Poco::Dynamic::Var());
    item->set("note", tuple.notes.empty() ? std::string() : tuple.notes.front());
    item->set("timestamp", tuple.timestamp);
    tuples->add(item);
  }
  json->set("tuples", tuples);
  return json;
}

}  // namespace sipbridge::content
