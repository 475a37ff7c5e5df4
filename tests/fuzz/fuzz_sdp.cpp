// libFuzzer target: Sdp::parse on arbitrary bytes (the SDP of an incoming INVITE or
// re-INVITE comes from any far end). Whatever parses must survive every direction rewrite,
// a rewritten description must parse again, and rewriting it to the same direction again
// must change nothing (no second version bump).
#include "sipbridge/content/ContentError.h"
#include "sipbridge/content/Sdp.h"

#include <cstdint>
#include <cstdlib>
#include <string_view>

using namespace sipbridge::content;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  Sdp sdp = [&] {
    try {
      return Sdp::parse(text, 16384);
    } catch (const ContentError&) {
      return Sdp::parse("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n", 16384);
    }
  }();
  (void)sdp.hasVideo();
  for (auto direction : {Sdp::Direction::SendRecv, Sdp::Direction::SendOnly,
                         Sdp::Direction::RecvOnly, Sdp::Direction::Inactive}) {
    (void)Sdp::answerDirection(sdp.direction(), direction);
    const Sdp rewritten = sdp.withDirection(direction);
    // The rewrite only adds lines and digits: it may outgrow the limit, never the format.
    const Sdp again = Sdp::parse(rewritten.text(), rewritten.text().size());
    if (again.withDirection(direction).text() != rewritten.text()) std::abort();
  }
  return 0;
}
