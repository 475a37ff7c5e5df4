#include "sipbridge/content/Imdn.h"

#include "sipbridge/content/ContentError.h"

#include <array>
#include <cstring>

namespace sipbridge::content {

namespace {

constexpr std::array<std::string_view, 3> kKindElements = {
    "delivery-notification", "display-notification", "processing-notification"};
constexpr std::array<std::string_view, 7> kStatusElements = {
    "delivered", "failed", "forbidden", "error", "displayed", "processed", "stored"};

bool isWhite(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/// Removes XML whitespace (which also covers header whitespace) at both ends.
std::string_view trim(std::string_view s) {
  while (!s.empty() && isWhite(s.front())) s.remove_prefix(1);
  while (!s.empty() && isWhite(s.back())) s.remove_suffix(1);
  return s;
}

/// The media type or disposition type before any parameter, trimmed.
std::string_view mainValue(std::string_view value) {
  return trim(value.substr(0, value.find(';')));
}

std::string requiredText(const xmlNode* root, std::string_view name) {
  const xmlNode* node = XmlDocument::child(root, kImdnXmlNamespace, name);
  if (node == nullptr) throw ContentError("imdn: missing " + std::string(name));
  std::string value(trim(XmlDocument::text(node)));
  if (value.empty()) throw ContentError("imdn: empty " + std::string(name));
  return value;
}

std::string optionalText(const xmlNode* root, std::string_view name) {
  const xmlNode* node = XmlDocument::child(root, kImdnXmlNamespace, name);
  return node ? std::string(trim(XmlDocument::text(node))) : std::string();
}

void appendElement(std::string& out, std::string_view name, std::string_view value) {
  if (value.empty()) return;
  out.append("<").append(name).append(">");
  out.append(xmlEscape(value));
  out.append("</").append(name).append(">\n");
}

}  // namespace

bool statusAllowed(ImdnKind kind, ImdnStatus status) {
  if (status == ImdnStatus::Forbidden || status == ImdnStatus::Error) return true;
  switch (kind) {
    case ImdnKind::Delivery:
      return status == ImdnStatus::Delivered || status == ImdnStatus::Failed;
    case ImdnKind::Display:
      return status == ImdnStatus::Displayed;
    case ImdnKind::Processing:
      return status == ImdnStatus::Processed || status == ImdnStatus::Stored;
  }
  return false;
}

std::string_view toString(ImdnKind kind) {
  return kKindElements[static_cast<std::size_t>(kind)];
}

std::string_view toString(ImdnStatus status) {
  return kStatusElements[static_cast<std::size_t>(status)];
}

Imdn parseImdn(std::string_view xml, const XmlLimits& limits) {
  const XmlDocument document = XmlDocument::parse(xml, limits);
  const xmlNode* root = document.root();
  if (!XmlDocument::is(root, kImdnXmlNamespace, "imdn")) throw ContentError("imdn: wrong root");
  Imdn imdn;
  imdn.messageId = requiredText(root, "message-id");
  imdn.datetime = requiredText(root, "datetime");
  imdn.recipientUri = optionalText(root, "recipient-uri");
  imdn.originalRecipientUri = optionalText(root, "original-recipient-uri");
  const xmlNode* notification = nullptr;
  for (std::size_t k = 0; k < kKindElements.size(); ++k) {
    const xmlNode* found = XmlDocument::child(root, kImdnXmlNamespace, kKindElements[k]);
    if (found == nullptr) continue;
    if (notification != nullptr) throw ContentError("imdn: several notification elements");
    notification = found;
    imdn.kind = static_cast<ImdnKind>(k);
  }
  if (notification == nullptr) throw ContentError("imdn: no notification element");
  const xmlNode* status = XmlDocument::child(notification, kImdnXmlNamespace, "status");
  if (status == nullptr) throw ContentError("imdn: missing status");
  bool known = false;
  for (const xmlNode* n = status->children; n != nullptr && !known; n = n->next) {
    for (std::size_t s = 0; s < kStatusElements.size(); ++s) {
      if (!XmlDocument::is(n, kImdnXmlNamespace, kStatusElements[s])) continue;
      imdn.status = static_cast<ImdnStatus>(s);
      known = true;
      break;
    }
  }
  if (!known) throw ContentError("imdn: unknown status");
  if (!statusAllowed(imdn.kind, imdn.status)) throw ContentError("imdn: status not allowed");
  return imdn;
}

std::string buildImdn(const Imdn& imdn) {
  if (imdn.messageId.empty()) throw ContentError("imdn: empty message-id");
  if (imdn.datetime.empty() ||
      imdn.datetime.find_first_not_of("0123456789TZtz:.+-") != std::string::npos)
    throw ContentError("imdn: invalid datetime");
  if (!statusAllowed(imdn.kind, imdn.status)) throw ContentError("imdn: status not allowed");
  std::string out;
  out.reserve(320 + imdn.messageId.size() + imdn.recipientUri.size() * 2);
  out.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<imdn xmlns=\"");
  out.append(kImdnXmlNamespace).append("\">\n");
  appendElement(out, "message-id", imdn.messageId);
  appendElement(out, "datetime", imdn.datetime);
  appendElement(out, "recipient-uri", imdn.recipientUri);
  appendElement(out, "original-recipient-uri", imdn.originalRecipientUri);
  const auto kind = toString(imdn.kind);
  out.append("<").append(kind).append("><status><").append(toString(imdn.status));
  out.append("/></status></").append(kind).append(">\n</imdn>\n");
  return out;
}

std::string buildImdnDelivered(std::string_view messageId, std::string_view datetime,
                               std::string_view recipientUri, ImdnStatus status) {
  Imdn imdn;
  imdn.messageId = messageId;
  imdn.datetime = datetime;
  imdn.recipientUri = recipientUri;
  imdn.originalRecipientUri = recipientUri;
  imdn.kind = ImdnKind::Delivery;
  imdn.status = status;
  return buildImdn(imdn);
}

bool isImdn(const CpimMessage& message) {
  if (equalsIgnoreCase(mainValue(message.contentType), kImdnContentType)) return true;
  for (const auto& disposition : findHeaders(message.contentHeaders, "Content-Disposition"))
    if (equalsIgnoreCase(mainValue(disposition), "notification")) return true;
  return false;
}

std::optional<std::string> imdnMessageId(const CpimMessage& message) {
  auto id = findNamespaced(message, kImdnNamespace, "Message-ID");
  if (id && id->empty()) return std::nullopt;
  return id;
}

DispositionRequest requestedDispositions(const CpimMessage& message) {
  DispositionRequest request;
  if (isImdn(message) || !imdnMessageId(message)) return request;
  const auto header = findNamespaced(message, kImdnNamespace, "Disposition-Notification");
  if (!header) return request;
  std::string_view rest = *header;
  while (!rest.empty()) {
    const std::size_t comma = rest.find(',');
    const auto token = mainValue(rest.substr(0, comma));
    if (equalsIgnoreCase(token, "positive-delivery")) request.positiveDelivery = true;
    if (equalsIgnoreCase(token, "negative-delivery")) request.negativeDelivery = true;
    if (equalsIgnoreCase(token, "display")) request.display = true;
    if (equalsIgnoreCase(token, "processing")) request.processing = true;
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  return request;
}

void requestDispositions(CpimMessage& message, std::string_view messageId,
                         const DispositionRequest& request) {
  if (messageId.empty()) throw ContentError("imdn: empty message-id");
  checkHeaderValue(messageId);
  const auto prefix = namespacePrefix(message, kImdnNamespace);
  if (!prefix) declareNamespace(message, kImdnPrefix, kImdnNamespace);
  const std::string p = prefix.value_or(std::string(kImdnPrefix));
  message.headers.emplace_back(p + ".Message-ID", std::string(messageId));
  if (!request.any()) return;
  std::string value;
  const auto add = [&value](bool on, const char* token) {
    if (!on) return;
    if (!value.empty()) value.append(", ");
    value.append(token);
  };
  add(request.positiveDelivery, "positive-delivery");
  add(request.negativeDelivery, "negative-delivery");
  add(request.display, "display");
  add(request.processing, "processing");
  message.headers.emplace_back(p + ".Disposition-Notification", std::move(value));
}

CpimMessage makeImdnMessage(const NameAddr& from, const NameAddr& to, std::string_view newMessageId,
                            std::string_view datetime, const Imdn& imdn) {
  CpimMessage message;
  message.headers.emplace_back("From", formatNameAddr(from));
  message.headers.emplace_back("To", formatNameAddr(to));
  declareNamespace(message, kImdnPrefix, kImdnNamespace);
  if (newMessageId.empty()) throw ContentError("imdn: empty message-id");
  checkHeaderValue(newMessageId);
  checkHeaderValue(datetime);
  message.headers.emplace_back(std::string(kImdnPrefix) + ".Message-ID", std::string(newMessageId));
  message.headers.emplace_back("DateTime", std::string(datetime));
  message.contentType = kImdnContentType;
  message.contentHeaders.emplace_back("Content-Disposition", "notification");
  message.body = buildImdn(imdn);
  return message;
}

Imdn parseImdnMessage(const CpimMessage& message, const XmlLimits& limits) {
  if (!equalsIgnoreCase(mainValue(message.contentType), kImdnContentType))
    throw ContentError("imdn: content is not message/imdn+xml");
  return parseImdn(message.body, limits);
}

}  // namespace sipbridge::content
