#include "sipbridge/hooks/HookErrors.h"
#include "sipbridge/hooks/UrlPolicy.h"

#include <boost/test/unit_test.hpp>

using sipbridge::hooks::DestinationNotAllowed;
using sipbridge::hooks::UrlPolicy;

namespace {

bool isPublic(const std::string& address) {
  return UrlPolicy::isPublic(Poco::Net::IPAddress(address));
}

std::string refusal(const UrlPolicy& policy, const std::string& url) {
  try {
    policy.check(url);
  } catch (const DestinationNotAllowed& e) {
    return e.message();
  }
  return {};
}

}  // namespace

BOOST_AUTO_TEST_SUITE(HookUrlPolicy)

BOOST_AUTO_TEST_CASE(public_and_non_public_ipv4) {
  for (const char* address : {"8.8.8.8", "1.1.1.1", "93.184.216.34", "172.32.0.1", "100.128.0.1",
                              "192.169.0.1", "11.0.0.1"})
    BOOST_TEST(isPublic(address), address);
  for (const char* address :
       {"127.0.0.1", "127.255.255.254", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1",
        "169.254.169.254", "0.0.0.0", "0.1.2.3", "100.64.0.1", "224.0.0.1", "239.255.255.250",
        "255.255.255.255", "240.0.0.1", "198.18.0.1", "192.0.0.8"})
    BOOST_TEST(!isPublic(address), address);
}

BOOST_AUTO_TEST_CASE(public_and_non_public_ipv6) {
  BOOST_TEST(isPublic("2606:4700:4700::1111"));
  BOOST_TEST(isPublic("2a00:1450:4007:80e::200e"));
  for (const char* address :
       {"::1", "::", "fe80::1", "fc00::1", "fd12:3456::1", "ff02::1", "::ffff:127.0.0.1",
        "::ffff:10.0.0.1", "2001:db8::1", "64:ff9b::a00:1", "fec0::1"})
    BOOST_TEST(!isPublic(address), address);
  BOOST_TEST(isPublic("::ffff:8.8.8.8"));
}

BOOST_AUTO_TEST_CASE(loopback_refused_unless_private_allowed) {
  const UrlPolicy strict(false);
  const UrlPolicy development(true);
  const std::string message = refusal(strict, "http://127.0.0.1:8080/hooks");
  BOOST_TEST(message.find("loopback") != std::string::npos, message);
  BOOST_TEST(!refusal(strict, "http://[::1]:8080/hooks").empty());
  BOOST_TEST(!refusal(strict, "http://10.0.0.7/hooks").empty());
  BOOST_TEST(!refusal(strict, "http://169.254.169.254/latest/meta-data").empty());
  BOOST_TEST(!refusal(strict, "http://localhost:8080/").empty());
  BOOST_TEST(refusal(development, "http://127.0.0.1:8080/hooks").empty());
  BOOST_TEST(refusal(development, "http://localhost:8080/").empty());
  BOOST_TEST(refusal(strict, "http://8.8.8.8/hooks").empty());
}

BOOST_AUTO_TEST_CASE(only_http_urls_with_a_host) {
  const UrlPolicy development(true);
  BOOST_TEST(refusal(development, "https://127.0.0.1/").find("https") != std::string::npos);
  for (const char* url :
       {"ftp://127.0.0.1/", "file:///etc/passwd", "gopher://127.0.0.1/", "127.0.0.1:80/x",
        "http:///path", "http://user:pw@127.0.0.1/", "http://no-such-host.invalid/", ""})
    BOOST_TEST(!refusal(development, url).empty(), url);
}

BOOST_AUTO_TEST_CASE(resolve_gives_the_checked_address_and_the_request_target) {
  const UrlPolicy development(true);
  const auto destination = development.resolve("http://127.0.0.1:8081/base/path?x=1#frag");
  BOOST_TEST(destination.host == "127.0.0.1");
  BOOST_TEST(destination.port == 8081);
  BOOST_TEST(destination.pathAndQuery == "/base/path?x=1");
  BOOST_TEST(destination.address.toString() == "127.0.0.1:8081");
  BOOST_TEST(development.resolve("http://127.0.0.1").pathAndQuery == "/");
  BOOST_TEST(development.resolve("http://127.0.0.1").port == 80);
}

BOOST_AUTO_TEST_CASE(the_refusal_is_a_poco_exception) {
  BOOST_CHECK_THROW(UrlPolicy(false).check("http://127.0.0.1/"), Poco::Exception);
}

BOOST_AUTO_TEST_SUITE_END()
