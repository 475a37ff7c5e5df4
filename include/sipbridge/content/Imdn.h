#pragma once

#include "sipbridge/content/Cpim.h"
#include "sipbridge/content/SafeXml.h"

#include <string>
#include <string_view>

namespace sipbridge::content {

/// The IMDN XML namespace and media type (RFC 5438).
inline constexpr std::string_view kImdnXmlNamespace = "urn:ietf:params:xml:ns:imdn";
inline constexpr std::string_view kImdnContentType = "message/imdn+xml";

enum class ImdnKind { Delivery, Display, Processing };
enum class ImdnStatus { Delivered, Failed, Forbidden, Error, Displayed, Processed, Stored };

/// One disposition notification (the message/imdn+xml document).
struct Imdn {
  std::string messageId;             ///< imdn.Message-ID of the message it reports on
  std::string datetime;              ///< DateTime of that message, as written there
  std::string recipientUri;          ///< optional
  std::string originalRecipientUri;  ///< optional
  ImdnKind kind = ImdnKind::Delivery;
  ImdnStatus status = ImdnStatus::Delivered;
};

/// True when `status` is one RFC 5438 allows for `kind` (e.g. displayed only for Display).
bool statusAllowed(ImdnKind kind, ImdnStatus status);
std::string_view toString(ImdnKind kind);
std::string_view toString(ImdnStatus status);

/// Parses an IMDN document through XmlDocument (no DOCTYPE, bounded). Requires the imdn
/// root in the IMDN namespace, a non-empty message-id and datetime, exactly one
/// *-notification element and a status allowed for it. Throws ContentError.
Imdn parseImdn(std::string_view xml, const XmlLimits& limits = {});

/// Serialises `imdn` (UTF-8, escaped); refuses an empty messageId or datetime, a datetime
/// that is not RFC 3339 characters, and a status not allowed for the kind.
std::string buildImdn(const Imdn& imdn);

/// A delivery notification: status Delivered, Failed, Forbidden or Error.
std::string buildImdnDelivered(std::string_view messageId, std::string_view datetime,
                               std::string_view recipientUri,
                               ImdnStatus status = ImdnStatus::Delivered);

/// Dispositions a sender asked for in imdn.Disposition-Notification.
struct DispositionRequest {
  bool positiveDelivery = false;
  bool negativeDelivery = false;
  bool display = false;
  bool processing = false;
  bool any() const { return positiveDelivery || negativeDelivery || display || processing; }
};

/// True when `message` is itself a disposition notification: Content-Type
/// message/imdn+xml or Content-Disposition notification (either suffices, so that a
/// half-formed notification is never answered with another).
bool isImdn(const CpimMessage& message);

/// The imdn.Message-ID of `message` (whatever prefix declares the IMDN namespace).
std::optional<std::string> imdnMessageId(const CpimMessage& message);

/// What the sender of `message` asked for; always none when isImdn(message) or when it has
/// no imdn.Message-ID to refer to (RFC 5438 §6: an IMDN is never answered).
DispositionRequest requestedDispositions(const CpimMessage& message);

/// Adds to an outgoing message the NS declaration, imdn.Message-ID and, when `request`
/// asks for anything, imdn.Disposition-Notification.
void requestDispositions(CpimMessage& message, std::string_view messageId,
                         const DispositionRequest& request);

/// The CPIM message carrying `imdn` from `from` to `to`: NS imdn, a new imdn.Message-ID
/// `newMessageId`, DateTime `datetime`, Content-Type message/imdn+xml,
/// Content-Disposition notification and the document as body.
CpimMessage makeImdnMessage(const NameAddr& from, const NameAddr& to, std::string_view newMessageId,
                            std::string_view datetime, const Imdn& imdn);

/// The IMDN carried by `message`; throws ContentError when it is not one (see isImdn).
Imdn parseImdnMessage(const CpimMessage& message, const XmlLimits& limits = {});

}  // namespace sipbridge::content
