#include "sipbridge/content/SafeXml.h"

#include "sipbridge/content/ContentError.h"

#include <libxml/parser.h>

#include <cstring>

namespace sipbridge::content {

namespace {

struct FreeContext {
  void operator()(xmlParserCtxt* context) const { xmlFreeParserCtxt(context); }
};

/// Marks the parse as refused and stops it before the subset's content is read.
void stopRefused(void* ctx) {
  auto* context = static_cast<xmlParserCtxt*>(ctx);
  context->_private = context;  // non-null: refused by policy
  xmlStopParser(context);
}

void onSubset(void* ctx, const xmlChar*, const xmlChar*, const xmlChar*) {
  stopRefused(ctx);
}

void onEntityDecl(void* ctx, const xmlChar*, int, const xmlChar*, const xmlChar*, xmlChar*) {
  stopRefused(ctx);
}

xmlEntity* onGetEntity(void* ctx, const xmlChar* name) {
  // Only the five predefined entities are known; anything else stops the parse.
  xmlEntity* predefined = xmlGetPredefinedEntity(name);
  if (predefined == nullptr) stopRefused(ctx);
  return predefined;
}

bool sameName(const xmlChar* a, std::string_view b) {
  if (a == nullptr) return b.empty();
  const auto* s = reinterpret_cast<const char*>(a);
  return std::strlen(s) == b.size() && std::memcmp(s, b.data(), b.size()) == 0;
}

/// Walks the tree without recursion, bounding depth and node count.
void checkTree(const xmlNode* root, const XmlLimits& limits) {
  std::size_t depth = 1;
  std::size_t nodes = 0;
  const xmlNode* node = root;
  while (node != nullptr) {
    if (++nodes > limits.maxNodes) throw ContentError("xml: too many nodes");
    if (node->type == XML_ENTITY_REF_NODE || node->type == XML_ENTITY_NODE ||
        node->type == XML_DTD_NODE || node->type == XML_XINCLUDE_START)
      throw ContentError("xml: entity or DTD node refused");
    if (node->children != nullptr && node->type == XML_ELEMENT_NODE) {
      if (++depth > limits.maxDepth) throw ContentError("xml: nesting too deep");
      node = node->children;
      continue;
    }
    while (node != nullptr && node != root && node->next == nullptr) {
      node = node->parent;
      --depth;
    }
    if (node == nullptr || node == root) break;
    node = node->next;
  }
}

/// Length of the UTF-8 sequence at `s[i]` that encodes an XML Char, or 0.
std::size_t xmlCharLength(std::string_view s, std::size_t i) {
  const auto c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) return (c >= 0x20 || c == '\t' || c == '\n' || c == '\r') && c != 0x7f ? 1 : 0;
  std::size_t length = 0;
  std::uint32_t cp = 0;
  if ((c & 0xe0) == 0xc0) {
    length = 2;
    cp = c & 0x1f;
  } else if ((c & 0xf0) == 0xe0) {
    length = 3;
    cp = c & 0x0f;
  } else if ((c & 0xf8) == 0xf0) {
    length = 4;
    cp = c & 0x07;
  } else {
    return 0;
  }
  if (i + length > s.size()) return 0;
  for (std::size_t k = 1; k < length; ++k) {
    const auto cc = static_cast<unsigned char>(s[i + k]);
    if ((cc & 0xc0) != 0x80) return 0;
    cp = (cp << 6) | (cc & 0x3f);
  }
  static constexpr std::uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMin[length] || cp > 0x10ffff) return 0;
  if ((cp >= 0xd800 && cp <= 0xdfff) || cp == 0xfffe || cp == 0xffff) return 0;
  return length;
}

}  // namespace

XmlDocument XmlDocument::parse(std::string_view xml, const XmlLimits& limits) {
  if (xml.size() > limits.maxBytes) throw ContentError("xml: document too large");
  if (xml.empty()) throw ContentError("xml: empty document");
  if (std::memchr(xml.data(), '\0', xml.size()) != nullptr) throw ContentError("xml: NUL byte");
  std::unique_ptr<xmlParserCtxt, FreeContext> context(xmlNewParserCtxt());
  if (!context || context->sax == nullptr) throw ContentError("xml: out of memory");
  context->sax->internalSubset = onSubset;
  context->sax->externalSubset = onSubset;
  context->sax->entityDecl = onEntityDecl;
  context->sax->getEntity = onGetEntity;
  context->sax->getParameterEntity = onGetEntity;
  context->sax->resolveEntity = nullptr;
  context->_private = nullptr;
  constexpr int kOptions = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
                           XML_PARSE_NOCDATA | XML_PARSE_NOBLANKS;
  xmlDoc* raw = xmlCtxtReadMemory(context.get(), xml.data(), static_cast<int>(xml.size()), nullptr,
                                  "UTF-8", kOptions);
  XmlDocument document(raw);
  if (context->_private != nullptr) throw ContentError("xml: DOCTYPE or entity refused");
  if (raw == nullptr || !context->wellFormed) {
    const xmlError* error = xmlCtxtGetLastError(context.get());
    throw ContentError("xml: not well-formed (code " + std::to_string(error ? error->code : 0) +
                       ", line " + std::to_string(error ? error->line : 0) + ")");
  }
  if (xmlGetIntSubset(raw) != nullptr || raw->extSubset != nullptr)
    throw ContentError("xml: DOCTYPE or entity refused");
  if (document.root() == nullptr) throw ContentError("xml: no root element");
  checkTree(document.root(), limits);
  return document;
}

bool XmlDocument::is(const xmlNode* node, std::string_view ns, std::string_view localName) {
  if (node == nullptr || node->type != XML_ELEMENT_NODE) return false;
  if (!sameName(node->name, localName)) return false;
  return node->ns != nullptr ? sameName(node->ns->href, ns) : ns.empty();
}

const xmlNode* XmlDocument::child(const xmlNode* parent, std::string_view ns,
                                  std::string_view localName) {
  if (parent == nullptr) return nullptr;
  for (const xmlNode* n = parent->children; n != nullptr; n = n->next)
    if (is(n, ns, localName)) return n;
  return nullptr;
}

const xmlNode* XmlDocument::firstElement(const xmlNode* parent) {
  if (parent == nullptr) return nullptr;
  for (const xmlNode* n = parent->children; n != nullptr; n = n->next)
    if (n->type == XML_ELEMENT_NODE) return n;
  return nullptr;
}

std::string XmlDocument::text(const xmlNode* node) {
  std::string out;
  if (node == nullptr) return out;
  for (const xmlNode* n = node->children; n != nullptr; n = n->next)
    if ((n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) && n->content != nullptr)
      out.append(reinterpret_cast<const char*>(n->content));
  return out;
}

std::optional<std::string> XmlDocument::attribute(const xmlNode* node, std::string_view name) {
  for (const xmlAttr* a = node->properties; a != nullptr; a = a->next) {
    if (a->ns != nullptr || reinterpret_cast<const char*>(a->name) != name) continue;
    std::string value;
    for (const xmlNode* t = a->children; t != nullptr; t = t->next)
      if (t->content != nullptr) value.append(reinterpret_cast<const char*>(t->content));
    return value;
  }
  return std::nullopt;
}

std::string xmlTrim(std::string_view text) {
  const auto white = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!text.empty() && white(text.front())) text.remove_prefix(1);
  while (!text.empty() && white(text.back())) text.remove_suffix(1);
  return std::string(text);
}

std::optional<double> qvalueAttribute(std::string_view text) {
  const std::string s = xmlTrim(text);
  if (s.empty() || (s[0] != '0' && s[0] != '1')) return std::nullopt;
  if (s.size() == 1) return s[0] == '0' ? 0.0 : 1.0;
  if (s[1] != '.' || s.size() > 5) return std::nullopt;
  double value = s[0] == '1' ? 1.0 : 0.0;
  double scale = 0.1;
  for (std::size_t i = 2; i < s.size(); ++i, scale /= 10) {
    if (s[i] < '0' || s[i] > '9' || (s[0] == '1' && s[i] != '0')) return std::nullopt;
    value += (s[i] - '0') * scale;
  }
  return value;
}

std::string xmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 16);
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t length = xmlCharLength(text, i);
    if (length == 0) throw ContentError("xml: invalid character in text");
    if (length == 1) {
      switch (text[i]) {
        case '&':
          out.append("&amp;");
          break;
        case '<':
          out.append("&lt;");
          break;
        case '>':
          out.append("&gt;");
          break;
        case '"':
          out.append("&quot;");
          break;
        case '\'':
          out.append("&apos;");
          break;
        case '\r':
          out.append("&#13;");
          break;
        default:
          out.push_back(text[i]);
      }
    } else {
      out.append(text.substr(i, length));
    }
    i += length;
  }
  return out;
}

}  // namespace sipbridge::content
