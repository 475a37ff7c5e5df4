#include "sipbridge/content/ContentError.h"
#include "sipbridge/content/Sdp.h"

#include <boost/test/unit_test.hpp>

#include <ostream>

using namespace sipbridge::content;
using namespace std::string_literals;
using Direction = Sdp::Direction;

namespace sipbridge::content {
std::ostream& operator<<(std::ostream& out, Sdp::Direction d) {
  return out << Sdp::name(d);
}
}  // namespace sipbridge::content

namespace {

/// RFC 4566 §5 example (audio and video, session-level a=recvonly), CRLF.
const std::string kRfc4566Example =
    "v=0\r\n"
    "o=jdoe 2890844526 2890842807 IN IP4 10.47.16.5\r\n"
    "s=SDP Seminar\r\n"
    "i=A Seminar on the session description protocol\r\n"
    "c=IN IP4 224.2.17.12/127\r\n"
    "t=2873397496 2873404696\r\n"
    "a=recvonly\r\n"
    "m=audio 49170 RTP/AVP 0\r\n"
    "m=video 51372 RTP/AVP 99\r\n"
    "a=rtpmap:99 h263-1998/90000\r\n";

/// An audio-only offer without any direction attribute.
const std::string kAudio =
    "v=0\r\n"
    "o=alice 2890844526 7 IN IP4 127.0.0.1\r\n"
    "s=-\r\n"
    "c=IN IP4 127.0.0.1\r\n"
    "t=0 0\r\n"
    "m=audio 49170 RTP/AVP 0 8\r\n"
    "a=rtpmap:0 PCMU/8000\r\n";

std::string originOf(const Sdp& sdp) {
  const auto& t = sdp.text();
  const auto at = t.find("o=");
  return t.substr(at, t.find('\r', at) - at);
}

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(ContentSdp)

BOOST_AUTO_TEST_CASE(parses_the_rfc_example_and_keeps_the_text) {
  const auto sdp = Sdp::parse(kRfc4566Example, 16384);
  BOOST_TEST(sdp.text() == kRfc4566Example);
  BOOST_TEST(sdp.hasVideo());
  BOOST_TEST(sdp.direction() == Direction::RecvOnly);  // session level applies to the media
}

BOOST_AUTO_TEST_CASE(accepts_bare_lf_and_a_missing_final_line_break) {
  std::string lf = kAudio;
  for (auto at = lf.find("\r\n"); at != std::string::npos; at = lf.find("\r\n")) lf.erase(at, 1);
  BOOST_CHECK_NO_THROW(Sdp::parse(lf, 16384));
  BOOST_CHECK_NO_THROW(Sdp::parse(kAudio.substr(0, kAudio.size() - 2), 16384));
}

BOOST_AUTO_TEST_CASE(refuses_what_is_not_sdp) {
  const auto refused = [](const std::string& text) {
    BOOST_TEST_CONTEXT(text) {
      BOOST_CHECK_THROW(Sdp::parse(text, 16384), ContentError);
    }
  };
  refused("");
  refused("hello world");
  refused("v=1\r\no=a 1 1 IN IP4 127.0.0.1\r\ns=-\r\n");               // version
  refused("o=a 1 1 IN IP4 127.0.0.1\r\nv=0\r\ns=-\r\n");               // v= not first
  refused("v=0\r\ns=-\r\nt=0 0\r\n");                                  // no o=
  refused("v=0\r\no=a 1 1 IN IP4 127.0.0.1\r\nt=0 0\r\n");             // no s=
  refused("v=0\r\no=a 1 1 IN IP4 127.0.0.1\r\ns=-\r\nX=1\r\n");        // type not lowercase
  refused("v=0\r\no=a 1 1 IN IP4 127.0.0.1\r\ns=-\r\n\r\nt=0 0\r\n");  // blank line inside
  refused("v=0\r\no=a 1 1 IN IP4 127.0.0.1\r\ns=-\r\nm=audio x RTP/AVP 0\r\n");
  refused("v=0\r\no=a 1 1 IN IP4 127.0.0.1\r\ns=-\r\nm=audio 70000 RTP/AVP 0\r\n");
  refused("v=0\r\no=a 1 1 IN IP4 127.0.0.1\r\ns=-\r\nm=audio\r\n");
}

BOOST_AUTO_TEST_CASE(refuses_controls_and_invalid_utf8) {
  BOOST_CHECK_THROW(Sdp::parse(kAudio + "a=x\0y\r\n"s, 16384), ContentError);
  BOOST_CHECK_THROW(Sdp::parse(kAudio + "a=x\x1by\r\n", 16384), ContentError);
  BOOST_CHECK_THROW(Sdp::parse(kAudio + "a=x\xff\r\n", 16384), ContentError);
  BOOST_CHECK_THROW(Sdp::parse(kAudio + "a=x\xc0\xaf\r\n", 16384), ContentError);  // overlong
  BOOST_CHECK_THROW(Sdp::parse(kAudio + "a=x\xed\xa0\x80\r\n", 16384), ContentError);
  BOOST_CHECK_NO_THROW(Sdp::parse(kAudio + "i=caf\xc3\xa9 \xe2\x82\xac\r\n", 16384));
}

BOOST_AUTO_TEST_CASE(size_limit_is_inclusive) {
  BOOST_CHECK_NO_THROW(Sdp::parse(kAudio, kAudio.size()));
  try {
    Sdp::parse(kAudio, kAudio.size() - 1);
    BOOST_FAIL("over the limit");
  } catch (const ContentError& e) {
    BOOST_TEST(e.message().find("longer than") != std::string::npos);
  }
}

BOOST_AUTO_TEST_CASE(has_video_needs_a_video_stream_with_a_port) {
  BOOST_TEST(!Sdp::parse(kAudio, 16384).hasVideo());
  BOOST_TEST(Sdp::parse(kAudio + "m=video 51372 RTP/AVP 99\r\n", 16384).hasVideo());
  BOOST_TEST(!Sdp::parse(kAudio + "m=video 0 RTP/AVP 99\r\n", 16384).hasVideo());
  BOOST_TEST(Sdp::parse(kAudio + "m=video 9/2 UDP/TLS/RTP/SAVPF 96\r\n", 16384).hasVideo());
}

BOOST_AUTO_TEST_CASE(media_types_list_every_m_line_in_order) {
  BOOST_TEST(Sdp::parse(kRfc4566Example, 16384).mediaTypes() ==
             (std::vector<std::string>{"audio", "video"}));
  BOOST_TEST(Sdp::parse("v=0\r\no=- 1 1 IN IP4 h\r\ns=-\r\nt=0 0\r\n", 16384).mediaTypes().empty());
}

BOOST_AUTO_TEST_CASE(direction_prefers_the_first_active_media_section) {
  BOOST_TEST(Sdp::parse(kAudio, 16384).direction() == Direction::SendRecv);
  BOOST_TEST(Sdp::parse(kAudio + "a=sendonly\r\n", 16384).direction() == Direction::SendOnly);
  // A rejected first stream does not count; the second one's attribute does.
  const std::string twoStreams =
      "v=0\r\no=a 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=inactive\r\n"
      "m=video 0 RTP/AVP 99\r\na=sendonly\r\nm=audio 4000 RTP/AVP 0\r\na=recvonly\r\n";
  BOOST_TEST(Sdp::parse(twoStreams, 16384).direction() == Direction::RecvOnly);
  // The first active stream has none of its own: the session level applies.
  const std::string sessionLevel =
      "v=0\r\no=a 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=inactive\r\n"
      "m=audio 4000 RTP/AVP 0\r\nm=video 4002 RTP/AVP 99\r\na=sendonly\r\n";
  BOOST_TEST(Sdp::parse(sessionLevel, 16384).direction() == Direction::Inactive);
}

BOOST_AUTO_TEST_CASE(with_direction_adds_an_attribute_to_each_media_section) {
  const auto base = Sdp::parse(kAudio + "m=video 4002 RTP/AVP 99\r\n", 16384);
  const auto held = base.withDirection(Direction::SendOnly);
  BOOST_TEST(count(held.text(), "a=sendonly\r\n") == 2u);
  BOOST_TEST(held.text().find("a=rtpmap:0 PCMU/8000\r\na=sendonly\r\nm=video") !=
             std::string::npos);
  BOOST_TEST(held.text().substr(held.text().size() - 12) == "a=sendonly\r\n");
  BOOST_TEST(held.direction() == Direction::SendOnly);
  BOOST_TEST(originOf(held) == "o=alice 2890844526 8 IN IP4 127.0.0.1");
  BOOST_CHECK_NO_THROW(Sdp::parse(held.text(), 16384));
}

BOOST_AUTO_TEST_CASE(with_direction_rewrites_session_and_media_level_in_place) {
  const auto sdp = Sdp::parse(kRfc4566Example + "a=inactive\r\n", 16384);
  const auto resumed = sdp.withDirection(Direction::SendRecv);
  const auto& t = resumed.text();
  BOOST_TEST(count(t, "a=recvonly") == 0u);
  BOOST_TEST(count(t, "a=inactive") == 0u);
  // Session level rewritten where it was; the audio section gets its own; the video one's
  // attribute is rewritten in place (after its rtpmap).
  BOOST_TEST(t.find("t=2873397496 2873404696\r\na=sendrecv\r\nm=audio 49170 RTP/AVP 0\r\n"
                    "a=sendrecv\r\nm=video") != std::string::npos);
  BOOST_TEST(t.find("a=rtpmap:99 h263-1998/90000\r\na=sendrecv\r\n") != std::string::npos);
  BOOST_TEST(count(t, "a=sendrecv") == 3u);
  BOOST_TEST(originOf(resumed) == "o=jdoe 2890844526 2890842808 IN IP4 10.47.16.5");
}

BOOST_AUTO_TEST_CASE(with_direction_without_change_keeps_text_and_version) {
  const auto sdp = Sdp::parse(kAudio + "a=sendrecv\r\n", 16384);
  BOOST_TEST(sdp.withDirection(Direction::SendRecv).text() == sdp.text());
  // Version increment carries over the digits.
  const auto nines = Sdp::parse("v=0\r\no=a 1 999 IN IP4 127.0.0.1\r\ns=-\r\n", 16384);
  const auto changed = nines.withDirection(Direction::Inactive);
  BOOST_TEST(changed.text() == "v=0\r\no=a 1 1000 IN IP4 127.0.0.1\r\ns=-\r\na=inactive\r\n");
}

BOOST_AUTO_TEST_CASE(with_direction_keeps_bare_lf) {
  const auto sdp = Sdp::parse("v=0\no=a 1 1 IN IP4 127.0.0.1\ns=-\nm=audio 4000 RTP/AVP 0\n", 100);
  BOOST_TEST(sdp.withDirection(Direction::SendOnly).text() ==
             "v=0\no=a 1 2 IN IP4 127.0.0.1\ns=-\nm=audio 4000 RTP/AVP 0\na=sendonly\n");
}

BOOST_AUTO_TEST_CASE(answer_direction_intersects_offer_and_wish) {
  using D = Direction;
  BOOST_TEST(Sdp::answerDirection(D::SendOnly, D::SendRecv) == D::RecvOnly);
  BOOST_TEST(Sdp::answerDirection(D::RecvOnly, D::SendRecv) == D::SendOnly);
  BOOST_TEST(Sdp::answerDirection(D::Inactive, D::SendRecv) == D::Inactive);
  BOOST_TEST(Sdp::answerDirection(D::SendRecv, D::SendRecv) == D::SendRecv);
  BOOST_TEST(Sdp::answerDirection(D::SendRecv, D::SendOnly) == D::SendOnly);  // we hold
  BOOST_TEST(Sdp::answerDirection(D::SendOnly, D::SendOnly) == D::Inactive);  // both hold
  BOOST_TEST(Sdp::name(D::RecvOnly) == "recvonly");
}

BOOST_AUTO_TEST_SUITE_END()
