#include "sipbridge/content/ContentError.h"
#include "sipbridge/content/Imdn.h"

#include <boost/test/unit_test.hpp>

using namespace sipbridge::content;

namespace {

/// RFC 5438 §7 example: a message asking for delivery and display notifications.
const std::string kRequest =
    "From: Alice <im:alice@example.com>\r\n"
    "To: Bob <im:bob@example.com>\r\n"
    "DateTime: 2006-04-04T12:16:49-05:00\r\n"
    "NS: imdn <urn:ietf:params:imdn>\r\n"
    "imdn.Message-ID: 34jk324j\r\n"
    "imdn.Disposition-Notification: positive-delivery, display\r\n"
    "\r\n"
    "Content-type: text/plain\r\n"
    "Content-length: 12\r\n"
    "\r\n"
    "Hello World\n";

/// RFC 5438 §7 example: the delivery notification answering it.
const std::string kDeliveryXml =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n"
    "<imdn xmlns=\"urn:ietf:params:xml:ns:imdn\">\r\n"
    "  <message-id>34jk324j</message-id>\r\n"
    "  <datetime>2008-04-04T12:16:49-05:00</datetime>\r\n"
    "  <recipient-uri>im:bob@example.com</recipient-uri>\r\n"
    "  <original-recipient-uri\r\n"
    "     >im:bob@example.com</original-recipient-uri>\r\n"
    "  <delivery-notification>\r\n"
    "    <status>\r\n"
    "      <delivered/>\r\n"
    "    </status>\r\n"
    "  </delivery-notification>\r\n"
    "</imdn>\r\n";

const std::string kNotification =
    "From: Bob <im:bob@example.com>\r\n"
    "To: Alice <im:alice@example.com>\r\n"
    "NS: imdn <urn:ietf:params:imdn>\r\n"
    "imdn.Message-ID: d834jied93rf\r\n"
    "\r\n"
    "Content-type: message/imdn+xml\r\n"
    "Content-Disposition: notification\r\n"
    "\r\n" +
    kDeliveryXml;

std::string document(const std::string& kind, const std::string& status) {
  return "<imdn xmlns=\"urn:ietf:params:xml:ns:imdn\"><message-id>m1</message-id>"
         "<datetime>2024-05-01T10:00:00Z</datetime><" +
         kind + "><status><" + status + "/></status></" + kind + "></imdn>";
}

bool failsWith(const std::string& xml, const std::string& reason) {
  try {
    parseImdn(xml);
  } catch (const ContentError& e) {
    if (e.message().find(reason) != std::string::npos) return true;
    BOOST_TEST_MESSAGE("unexpected reason: " << e.message());
  }
  return false;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(ContentImdn)

BOOST_AUTO_TEST_CASE(the_rfc5438_request_asks_for_delivery_and_display) {
  const CpimMessage m = parseCpim(kRequest);
  BOOST_TEST(!isImdn(m));
  BOOST_TEST(*imdnMessageId(m) == "34jk324j");
  const DispositionRequest request = requestedDispositions(m);
  BOOST_TEST(request.positiveDelivery);
  BOOST_TEST(request.display);
  BOOST_TEST(!request.negativeDelivery);
  BOOST_TEST(!request.processing);
}

BOOST_AUTO_TEST_CASE(the_rfc5438_delivery_notification_is_an_imdn_never_answered) {
  const CpimMessage m = parseCpim(kNotification);
  BOOST_TEST(isImdn(m));
  BOOST_TEST(!requestedDispositions(m).any());
  const Imdn imdn = parseImdnMessage(m);
  BOOST_TEST(imdn.messageId == "34jk324j");
  BOOST_TEST(imdn.datetime == "2008-04-04T12:16:49-05:00");
  BOOST_TEST(imdn.recipientUri == "im:bob@example.com");
  BOOST_TEST(imdn.originalRecipientUri == "im:bob@example.com");
  BOOST_TEST((imdn.kind == ImdnKind::Delivery));
  BOOST_TEST((imdn.status == ImdnStatus::Delivered));
}

BOOST_AUTO_TEST_CASE(an_imdn_asking_for_an_imdn_still_gets_none) {
  CpimMessage m = parseCpim(kNotification);
  m.headers.emplace_back("imdn.Disposition-Notification", "positive-delivery");
  BOOST_TEST(!requestedDispositions(m).any());
  m.contentType = "text/plain";  // the disposition alone still marks it
  BOOST_TEST(isImdn(m));
  BOOST_CHECK_THROW(parseImdnMessage(m), ContentError);
}

BOOST_AUTO_TEST_CASE(request_headers_round_trip) {
  CpimMessage m;
  m.headers = {{"From", "<sip:alice@example.test>"}, {"To", "<sip:bob@example.test>"}};
  m.contentType = "text/plain";
  m.body = "hi";
  DispositionRequest asked;
  asked.positiveDelivery = asked.negativeDelivery = true;
  requestDispositions(m, "id-1", asked);
  const CpimMessage back = parseCpim(buildCpim(m));
  BOOST_TEST(*imdnMessageId(back) == "id-1");
  const auto got = requestedDispositions(back);
  BOOST_TEST(got.positiveDelivery);
  BOOST_TEST(got.negativeDelivery);
  BOOST_TEST(!got.display);
  BOOST_CHECK_THROW(requestDispositions(m, "id\r\nX: y", asked), ContentError);
}

BOOST_AUTO_TEST_CASE(builds_a_delivery_notification_envelope) {
  const std::string xml =
      buildImdnDelivered("34jk324j", "2008-04-04T12:16:49-05:00", "sip:bob@example.test");
  const Imdn parsed = parseImdn(xml);
  BOOST_TEST(parsed.messageId == "34jk324j");
  BOOST_TEST(parsed.recipientUri == "sip:bob@example.test");
  Imdn imdn = parsed;
  const CpimMessage m =
      makeImdnMessage({"Bob", "sip:bob@example.test"}, {"", "sip:alice@example.test"}, "new-id-9",
                      "2008-04-04T12:16:50-05:00", imdn);
  const CpimMessage back = parseCpim(buildCpim(m));
  BOOST_TEST(isImdn(back));
  BOOST_TEST(*imdnMessageId(back) == "new-id-9");
  BOOST_TEST(*findHeader(back.contentHeaders, "Content-Disposition") == "notification");
  BOOST_TEST(parseImdnMessage(back).messageId == "34jk324j");
}

BOOST_AUTO_TEST_CASE(every_kind_and_status_round_trips_and_bad_pairs_are_refused) {
  for (int k = 0; k < 3; ++k) {
    for (int s = 0; s < 7; ++s) {
      Imdn imdn;
      imdn.messageId = "m<&>1";
      imdn.datetime = "2024-05-01T10:00:00Z";
      imdn.kind = static_cast<ImdnKind>(k);
      imdn.status = static_cast<ImdnStatus>(s);
      if (!statusAllowed(imdn.kind, imdn.status)) {
        BOOST_CHECK_THROW(buildImdn(imdn), ContentError);
        BOOST_TEST(failsWith(
            document(std::string(toString(imdn.kind)), std::string(toString(imdn.status))),
            "status not allowed"));
        continue;
      }
      const Imdn back = parseImdn(buildImdn(imdn));
      BOOST_TEST(back.messageId == "m<&>1");
      BOOST_TEST((back.kind == imdn.kind));
      BOOST_TEST((back.status == imdn.status));
    }
  }
}

BOOST_AUTO_TEST_CASE(build_refuses_bad_values) {
  BOOST_CHECK_THROW(buildImdnDelivered("", "2024-05-01T10:00:00Z", "sip:a@example.test"),
                    ContentError);
  BOOST_CHECK_THROW(buildImdnDelivered("m", "yesterday", "sip:a@example.test"), ContentError);
  BOOST_CHECK_THROW(buildImdnDelivered("m\x01", "2024-05-01T10:00:00Z", "sip:a@example.test"),
                    ContentError);
  BOOST_CHECK_THROW(buildImdnDelivered("m\xff", "2024-05-01T10:00:00Z", "sip:a@example.test"),
                    ContentError);
  BOOST_CHECK_THROW(buildImdnDelivered("m", "2024-05-01T10:00:00Z", "", ImdnStatus::Displayed),
                    ContentError);
}

BOOST_AUTO_TEST_CASE(refuses_malformed_documents) {
  BOOST_TEST(
      failsWith("<imdn xmlns=\"urn:other\"><message-id>m</message-id></imdn>", "wrong root"));
  BOOST_TEST(
      failsWith("<imdn xmlns=\"urn:ietf:params:xml:ns:imdn\"><datetime>d</datetime>"
                "<delivery-notification><status><delivered/></status>"
                "</delivery-notification></imdn>",
                "missing message-id"));
  BOOST_TEST(failsWith(document("delivery-notification", "unknown"), "unknown status"));
  BOOST_TEST(failsWith(document("other-notification", "delivered"), "no notification"));
  BOOST_TEST(
      failsWith("<imdn xmlns=\"urn:ietf:params:xml:ns:imdn\"><message-id>m</message-id>"
                "<datetime>d</datetime><delivery-notification><status><delivered/>"
                "</status></delivery-notification><display-notification><status>"
                "<displayed/></status></display-notification></imdn>",
                "several notification"));
  BOOST_TEST(failsWith("<imdn xmlns=\"urn:ietf:params:xml:ns:imdn\">", "not well-formed"));
}

BOOST_AUTO_TEST_SUITE_END()
