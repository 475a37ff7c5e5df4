#include "sipbridge/hooks/HookErrors.h"
#include "sipbridge/hooks/Signer.h"

#include <boost/test/unit_test.hpp>

using sipbridge::hooks::InvalidSecret;
using sipbridge::hooks::Signer;

namespace {
// The published Standard Webhooks test vector (also used by the Svix libraries' tests).
const std::string kSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const std::string kId = "msg_p5jXN8AQM9LWM0D4loKWxJek";
const std::int64_t kTimestamp = 1614265330;
const std::string kBody = R"({"test": 2432232314})";
const std::string kSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";
}  // namespace

BOOST_AUTO_TEST_SUITE(HookSigner)

BOOST_AUTO_TEST_CASE(reproduces_the_standard_webhooks_vector) {
  BOOST_TEST(Signer(kSecret).sign(kId, kTimestamp, kBody) == kSignature);
}

BOOST_AUTO_TEST_CASE(verifies_the_vector_among_several_signatures) {
  const Signer signer(kSecret);
  BOOST_TEST(signer.verify(kId, kTimestamp, kBody, kSignature));
  BOOST_TEST(signer.verify(kId, kTimestamp, kBody, "v1,bm9wZQ== " + kSignature));
}

BOOST_AUTO_TEST_CASE(any_change_breaks_the_signature) {
  const Signer signer(kSecret);
  BOOST_TEST(!signer.verify(kId, kTimestamp + 1, kBody, kSignature));
  BOOST_TEST(!signer.verify("msg_other", kTimestamp, kBody, kSignature));
  BOOST_TEST(!signer.verify(kId, kTimestamp, R"({"test": 2432232315})", kSignature));
  BOOST_TEST(!signer.verify(kId, kTimestamp, kBody, "v2," + kSignature.substr(3)));
  BOOST_TEST(!signer.verify(kId, kTimestamp, kBody, ""));
  BOOST_TEST(!Signer("whsec_bm90IHRoZSBrZXk=").verify(kId, kTimestamp, kBody, kSignature));
}

BOOST_AUTO_TEST_CASE(prefixed_secret_is_base64_decoded_raw_secret_used_as_is) {
  BOOST_TEST(Signer::decodeSecret("whsec_aGVsbG8=") == "hello");
  BOOST_TEST(Signer::decodeSecret("hello") == "hello");
  BOOST_TEST(Signer("whsec_aGVsbG8=").sign("a", 1, "b") == Signer("hello").sign("a", 1, "b"));
}

BOOST_AUTO_TEST_CASE(unusable_secrets_are_refused) {
  BOOST_CHECK_THROW(Signer(""), InvalidSecret);
  BOOST_CHECK_THROW(Signer("whsec_"), InvalidSecret);
  BOOST_CHECK_THROW(Signer("whsec_!!!not-base64!!!"), InvalidSecret);
}

BOOST_AUTO_TEST_SUITE_END()
