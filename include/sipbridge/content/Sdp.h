#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace sipbridge::content {

/// A session description (RFC 4566) as far as the bridge looks into one: its line structure
/// is checked, whether it offers video and in which direction media flows. The bridge never
/// touches media, so everything else (codecs, addresses, ICE, crypto) is carried unchanged.
/// A plain value; thread-compatible.
class Sdp {
 public:
  /// The media direction attributes of RFC 3264 §5.1 / RFC 4566 §6.
  enum class Direction { SendRecv, SendOnly, RecvOnly, Inactive };

  /// Checks `text` and keeps it. Refused (ContentError) when it is longer than `maxBytes`,
  /// not valid UTF-8, contains a control character other than CR/LF, does not start with
  /// "v=0", has a line that is not `<lowercase letter>=<value>`, lacks the o= or s= line,
  /// or has an m= line without a numeric port. LF-only line breaks are accepted (many
  /// clients build SDP by hand); the text is never normalised.
  static Sdp parse(std::string_view text, std::size_t maxBytes);

  const std::string& text() const { return text_; }

  /// True when a media section "m=video" has a port other than 0 (0 = rejected stream).
  bool hasVideo() const;

  /// The media type of each m= line, in order ("audio", "video", ...). An answer must have
  /// as many m= lines as the offer, of the same types (RFC 3264 §6).
  std::vector<std::string> mediaTypes() const;

  /// The direction of the first media section with a port other than 0: its own attribute,
  /// else the session-level one, else sendrecv (the default). Without any media section: the
  /// session-level attribute or sendrecv.
  Direction direction() const;

  /// The same description with every direction attribute set to `direction`: existing
  /// a=sendrecv/sendonly/recvonly/inactive lines at session and media level are rewritten in
  /// place, and each media section without one gets one appended (the session level gets
  /// one only when there is no media section). When that changes the text, the session
  /// version of the o= line is incremented (RFC 3264 §8: a changed SDP needs a new version).
  /// Line breaks follow the text's own (CRLF unless it uses bare LF).
  Sdp withDirection(Direction direction) const;

  /// The direction to answer an offer of direction `offered` with, when we would like
  /// `wanted` (sendrecv normally, sendonly while we hold the call): we send only if the
  /// offerer receives and we want to send, and receive only if it sends and we want to.
  /// E.g. their sendonly -> recvonly, their inactive -> inactive.
  static Direction answerDirection(Direction offered, Direction wanted);

  /// "sendrecv", "sendonly", "recvonly" or "inactive".
  static std::string_view name(Direction direction);

 private:
  explicit Sdp(std::string text) : text_(std::move(text)) {}
  std::string text_;
};

}  // namespace sipbridge::content
