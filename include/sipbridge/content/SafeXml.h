#pragma once

#include <libxml/tree.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace sipbridge::content {

/// Bounds for XmlDocument::parse.
struct XmlLimits {
  std::size_t maxBytes = 64 * 1024;  ///< document size, octets
  std::size_t maxDepth = 16;         ///< element nesting, the root being depth 1
  std::size_t maxNodes = 4096;       ///< nodes of every kind in the tree
};

/// A parsed XML document owned through a unique_ptr with xmlFreeDoc, for untrusted bodies
/// (IMDN, PIDF, reginfo). parse() never loads anything from outside the input and refuses
/// whatever could make it expand or fetch: any DOCTYPE (internal or external subset) and
/// so any entity declaration, XInclude-free, XML_PARSE_NONET, no NOENT, no DTDLOAD, no
/// HUGE; input is read as UTF-8 whatever the declaration says, and NUL bytes are refused.
/// After parsing the tree is walked (iteratively) to enforce maxDepth and maxNodes.
/// Thread: a document is used by one thread at a time; libxml2 must have been initialised
/// (xmlInitParser) once by the composition root before parsing from several threads.
class XmlDocument {
 public:
  /// Throws ContentError with a short reason when the input is refused or not well formed.
  static XmlDocument parse(std::string_view xml, const XmlLimits& limits = {});

  /// The root element; never null for a parsed document.
  const xmlNode* root() const { return xmlDocGetRootElement(doc_.get()); }
  const xmlDoc* get() const { return doc_.get(); }

  /// True when `node` is an element named `localName` in namespace `ns`.
  static bool is(const xmlNode* node, std::string_view ns, std::string_view localName);

  /// The first child element of `parent` named `localName` in `ns`, or nullptr.
  static const xmlNode* child(const xmlNode* parent, std::string_view ns,
                              std::string_view localName);

  /// The first child element of `parent`, whatever its name, or nullptr.
  static const xmlNode* firstElement(const xmlNode* parent);

  /// The text content of `node` (its text and CDATA children concatenated).
  static std::string text(const xmlNode* node);

  /// The value of the unqualified (no namespace) attribute `name` of `node`, untrimmed, if
  /// present.
  static std::optional<std::string> attribute(const xmlNode* node, std::string_view name);

 private:
  struct Free {
    void operator()(xmlDoc* doc) const { xmlFreeDoc(doc); }
  };
  explicit XmlDocument(xmlDoc* doc) : doc_(doc) {}
  std::unique_ptr<xmlDoc, Free> doc_;
};

/// `text` without XML whitespace (space, HT, CR, LF) at either end.
std::string xmlTrim(std::string_view text);

/// An attribute value holding an RFC 3261 qvalue ("0" [ "." 0*3DIGIT ] / "1" [ "." 0*3("0") ],
/// as PIDF contact priority and reginfo contact q), XML whitespace around it ignored; nothing
/// when it is not one.
std::optional<double> qvalueAttribute(std::string_view text);

/// Escapes `text` for XML character data and attribute values; throws ContentError on
/// invalid UTF-8 or characters XML 1.0 cannot carry (controls other than HT, LF, CR).
std::string xmlEscape(std::string_view text);

}  // namespace sipbridge::content
