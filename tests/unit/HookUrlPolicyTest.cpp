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
    policy.check(url, true);
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

BOOST_AUTO_TEST_CASE(documentation_benchmarking_and_other_special_ipv4_ranges_are_not_public) {
  for (const char* address :
       {"192.0.2.1", "198.51.100.7", "203.0.113.254", "198.19.255.255", "192.0.0.170",
        "192.0.0.171", "192.88.99.1", "192.0.0.1", "0.0.0.0", "255.255.255.255"})
    BOOST_TEST(!isPublic(address), address);
  // Globally reachable entries of the registry, and the neighbours of special ranges.
  for (const char* address :
       {"192.0.0.9", "192.0.0.10", "192.31.196.1", "192.52.193.1", "192.175.48.1", "192.0.3.1",
        "198.51.101.1", "203.0.114.1", "198.20.0.1", "223.255.255.255"})
    BOOST_TEST(isPublic(address), address);
}

BOOST_AUTO_TEST_CASE(special_ipv6_ranges_are_not_public) {
  for (const char* address :
       {"2001:db8::1", "3fff::1", "3fff:fff::1", "100::1", "100:0:0:1::1", "2001::1",
        "2001:0:4136:e378::1", "2001:2::1", "2001:10::1", "5f00::1", "64:ff9b:1::1", "fec0::1",
        "ff0e::1", "fe80::1", "fd00::1", "4000::1", "::2"})
    BOOST_TEST(!isPublic(address), address);
  for (const char* address : {"2001:1::1", "2001:1::2", "2001:3::1", "2001:4:112::1", "2001:20::1",
                              "2620:4f:8000::1", "2001:200::1", "2400:cb00::1"})
    BOOST_TEST(isPublic(address), address);
}

BOOST_AUTO_TEST_CASE(ipv6_forms_carrying_ipv4_are_judged_by_that_address) {
  // The same documentation, private and loopback addresses in every IPv6 form that carries
  // an IPv4 address, and a public one in each form.
  for (const char* address :
       {"::ffff:192.0.2.1", "64:ff9b::192.0.2.1", "2002:c000:0201::1", "::192.0.2.1",
        "::ffff:10.0.0.1", "64:ff9b::10.0.0.1", "2002:0a00:0001::1", "::10.0.0.1",
        "::ffff:127.0.0.1", "64:ff9b::127.0.0.1", "2002:7f00:0001::1", "::127.0.0.1",
        "64:ff9b::169.254.169.254", "2002:a9fe:a9fe::1"})
    BOOST_TEST(!isPublic(address), address);
  for (const char* address :
       {"::ffff:8.8.8.8", "64:ff9b::8.8.8.8", "2002:0808:0808::1", "::8.8.8.8"})
    BOOST_TEST(isPublic(address), address);
}

BOOST_AUTO_TEST_CASE(a_documentation_address_is_refused_for_both_families_saying_why) {
  const UrlPolicy strict(false);
  const std::string v4 = refusal(strict, "http://192.0.2.1/hooks");
  BOOST_TEST(v4.find("documentation") != std::string::npos, v4);
  const std::string v6 = refusal(strict, "http://[2001:db8::1]/hooks");
  BOOST_TEST(v6.find("documentation") != std::string::npos, v6);
  const std::string mapped = refusal(strict, "http://[::ffff:192.0.2.1]/hooks");
  BOOST_TEST(mapped.find("documentation") != std::string::npos, mapped);
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

BOOST_AUTO_TEST_CASE(https_only_unless_the_application_is_marked_development) {
  const UrlPolicy policy(true);
  const auto secure = policy.resolve("https://127.0.0.1/hooks", false);
  BOOST_TEST(secure.scheme == "https");
  BOOST_TEST(secure.port == 443);
  BOOST_TEST(secure.address.toString() == "127.0.0.1:443");
  try {
    policy.check("http://127.0.0.1/hooks", false);
    BOOST_FAIL("plain http accepted for an application not marked development");
  } catch (const DestinationNotAllowed& e) {
    BOOST_TEST(e.message().find("https") != std::string::npos, e.message());
    BOOST_TEST(e.message().find("development") != std::string::npos, e.message());
  }
  BOOST_CHECK_NO_THROW(policy.check("http://127.0.0.1/hooks", true));
  // The address policy is the same for both schemes.
  BOOST_TEST(!refusal(UrlPolicy(false), "https://192.0.2.1/").empty());
}

BOOST_AUTO_TEST_CASE(only_http_or_https_urls_with_a_host) {
  const UrlPolicy development(true);
  for (const char* url : {"ftp://127.0.0.1/", "file:///etc/passwd", "gopher://127.0.0.1/",
                          "127.0.0.1:80/x", "http:///path", "http://user:pw@127.0.0.1/",
                          "https://user@127.0.0.1/", "http://no-such-host.invalid/", ""})
    BOOST_TEST(!refusal(development, url).empty(), url);
}

BOOST_AUTO_TEST_CASE(resolve_gives_the_checked_address_and_the_request_target) {
  const UrlPolicy development(true);
  const auto destination = development.resolve("http://127.0.0.1:8081/base/path?x=1#frag", true);
  BOOST_TEST(destination.host == "127.0.0.1");
  BOOST_TEST(destination.port == 8081);
  BOOST_TEST(destination.pathAndQuery == "/base/path?x=1");
  BOOST_TEST(destination.address.toString() == "127.0.0.1:8081");
  BOOST_TEST(development.resolve("http://127.0.0.1", true).pathAndQuery == "/");
  BOOST_TEST(development.resolve("http://127.0.0.1", true).port == 80);
}

BOOST_AUTO_TEST_CASE(the_refusal_is_a_poco_exception) {
  BOOST_CHECK_THROW(UrlPolicy(false).check("http://127.0.0.1/", true), Poco::Exception);
}

BOOST_AUTO_TEST_SUITE_END()
