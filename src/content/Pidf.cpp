#include "sipbridge/content/Pidf.h"

#include "sipbridge/content/ContentError.h"

namespace sipbridge::content {

namespace {

void addNote(std::vector<std::string>& notes, const xmlNode* node) {
  std::string note = xmlTrim(XmlDocument::text(node));
  if (!note.empty()) notes.push_back(std::move(note));
}

Presence::Tuple parseTuple(const xmlNode* node) {
  Presence::Tuple tuple;
  const auto id = XmlDocument::attribute(node, "id");
  if (!id || xmlTrim(*id).empty()) throw ContentError("pidf: tuple without id");
  tuple.id = xmlTrim(*id);
  const xmlNode* status = XmlDocument::child(node, kPidfNamespace, "status");
  if (status == nullptr) throw ContentError("pidf: tuple without status");
  if (const xmlNode* basic = XmlDocument::child(status, kPidfNamespace, "basic")) {
    tuple.basic = xmlTrim(XmlDocument::text(basic));
    if (tuple.basic != "open" && tuple.basic != "closed")
      throw ContentError("pidf: basic is neither open nor closed");
  }
  for (const xmlNode* n = node->children; n != nullptr; n = n->next) {
    if (XmlDocument::is(n, kPidfNamespace, "contact")) {
      tuple.contact = xmlTrim(XmlDocument::text(n));
      if (const auto priority = XmlDocument::attribute(n, "priority"))
        tuple.priority = qvalueAttribute(*priority);
    } else if (XmlDocument::is(n, kPidfNamespace, "note")) {
      addNote(tuple.notes, n);
    } else if (XmlDocument::is(n, kPidfNamespace, "timestamp")) {
      tuple.timestamp = xmlTrim(XmlDocument::text(n));
    }
  }
  return tuple;
}

void parseActivities(const xmlNode* activities, std::vector<std::string>& out) {
  for (const xmlNode* n = activities->children; n != nullptr; n = n->next) {
    if (n->type != XML_ELEMENT_NODE || n->ns == nullptr ||
        kRpidNamespace != reinterpret_cast<const char*>(n->ns->href))
      continue;
    if (XmlDocument::is(n, kRpidNamespace, "other")) {
      addNote(out, n);
    } else if (!XmlDocument::is(n, kRpidNamespace, "note")) {
      out.emplace_back(reinterpret_cast<const char*>(n->name));
    }
  }
}

void parsePerson(const xmlNode* person, Presence& presence) {
  for (const xmlNode* n = person->children; n != nullptr; n = n->next) {
    if (XmlDocument::is(n, kPidfDataModelNamespace, "note")) {
      addNote(presence.notes, n);
    } else if (XmlDocument::is(n, kRpidNamespace, "activities")) {
      parseActivities(n, presence.activities);
    }
  }
}

/// True for a non-empty ASCII XML name without colon (a safe subset of xs:ID).
bool isXmlId(std::string_view id) {
  if (id.empty()) return false;
  const auto letter = [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
  };
  if (!letter(id[0])) return false;
  for (const char c : id)
    if (!letter(c) && !(c >= '0' && c <= '9') && c != '-' && c != '.') return false;
  return true;
}

}  // namespace

Presence parsePidf(std::string_view xml, const XmlLimits& limits) {
  const XmlDocument document = XmlDocument::parse(xml, limits);
  const xmlNode* root = document.root();
  if (!XmlDocument::is(root, kPidfNamespace, "presence")) throw ContentError("pidf: wrong root");
  Presence presence;
  const auto entity = XmlDocument::attribute(root, "entity");
  if (!entity || xmlTrim(*entity).empty()) throw ContentError("pidf: missing entity");
  presence.entity = xmlTrim(*entity);
  for (const xmlNode* n = root->children; n != nullptr; n = n->next) {
    if (XmlDocument::is(n, kPidfNamespace, "tuple")) {
      presence.tuples.push_back(parseTuple(n));
    } else if (XmlDocument::is(n, kPidfNamespace, "note")) {
      addNote(presence.notes, n);
    } else if (XmlDocument::is(n, kPidfDataModelNamespace, "person")) {
      parsePerson(n, presence);
    }
  }
  return presence;
}

std::string buildPidf(std::string_view entity, bool basicOpen, std::string_view note,
                      std::string_view tupleId) {
  const std::size_t colon = entity.find(':');
  if (entity.empty() || colon == 0 || colon == std::string_view::npos)
    throw ContentError("pidf: entity is not a URI");
  if (!isXmlId(tupleId)) throw ContentError("pidf: invalid tuple id");
  std::string out;
  out.reserve(200 + entity.size() + note.size());
  out.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<presence xmlns=\"");
  out.append(kPidfNamespace).append("\" entity=\"").append(xmlEscape(entity)).append("\">\n");
  out.append("<tuple id=\"").append(tupleId).append("\">\n<status><basic>");
  out.append(basicOpen ? "open" : "closed").append("</basic></status>\n");
  if (!note.empty()) out.append("<note>").append(xmlEscape(note)).append("</note>\n");
  out.append("</tuple>\n</presence>\n");
  return out;
}

const Presence::Tuple* leadingTuple(const Presence& presence) {
  for (const auto& tuple : presence.tuples)
    if (tuple.basic == "open") return &tuple;
  return presence.tuples.empty() ? nullptr : &presence.tuples.front();
}

std::string summaryNote(const Presence& presence) {
  if (!presence.notes.empty()) return presence.notes.front();
  const Presence::Tuple* leading = leadingTuple(presence);
  if (leading != nullptr && !leading->notes.empty()) return leading->notes.front();
  for (const auto& tuple : presence.tuples)
    if (!tuple.notes.empty()) return tuple.notes.front();
  return {};
}

}  // namespace sipbridge::content
