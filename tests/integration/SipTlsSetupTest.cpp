// The SIP stack's TLS set-up: the private file layout for sofia-sip, and the start refused
// with a message naming the key when a certificate, key or trust cannot be used.
#include "../support/SipRecorder.h"
#include "../support/TestCertificates.h"
#include "sipbridge/sip/SipStack.h"

#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <filesystem>

using sipbridge::sip::SipConfig;
using sipbridge::sip::SipError;
using sipbridge::sip::SipStack;
using namespace sipbridge::test;

namespace {

SipConfig tlsConfig(const TestCa& ca, const IssuedCertificate& own) {
  SipConfig config;
  config.bindUrl = "sip:127.0.0.1:" + std::to_string(freePort());
  config.tls.bindUrl = "sips:127.0.0.1:" + std::to_string(freePort());
  config.tls.certificateFile = own.certFile;
  config.tls.keyFile = own.keyFile;
  config.tls.systemCAs = false;
  config.tls.caFile = ca.caFile();
  return config;
}

/// The message of the SipError that starting a stack with `config` throws ("" if it starts).
std::string startError(const SipConfig& config) {
  SipRecorder listener;
  try {
    SipStack stack(config, listener);
    return "";
  } catch (const SipError& e) {
    return e.message();
  }
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

/// Points TMPDIR at a directory of the test's own while it lives.
struct PrivateTmp {
  PrivateTmp() { ::setenv("TMPDIR", dir.path().c_str(), 1); }
  ~PrivateTmp() { ::unsetenv("TMPDIR"); }
  TempDir dir;
};

}  // namespace

BOOST_AUTO_TEST_SUITE(SipTlsSetup)

BOOST_AUTO_TEST_CASE(layout_is_private_and_removed_at_stop) {
  TestCa ca;
  const auto own = ca.server("127.0.0.1", {"IP:127.0.0.1"});
  PrivateTmp tmp;
  {
    SipRecorder listener;
    SipStack stack(tlsConfig(ca, own), listener);
    std::vector<std::filesystem::path> dirs(std::filesystem::directory_iterator(tmp.dir.path()),
                                            {});
    BOOST_REQUIRE_EQUAL(dirs.size(), 1u);
    namespace fs = std::filesystem;
    BOOST_CHECK((fs::status(dirs[0]).permissions() & fs::perms::all) == fs::perms::owner_all);
    const std::string agent = readText((dirs[0] / "agent.pem").string());
    BOOST_CHECK(contains(agent, own.certPem) && contains(agent, own.keyPem));
    BOOST_CHECK((fs::status(dirs[0] / "agent.pem").permissions() & fs::perms::all) ==
                (fs::perms::owner_read | fs::perms::owner_write));
    BOOST_CHECK(contains(readText((dirs[0] / "cafile.pem").string()), ca.caPem()));
  }
  BOOST_CHECK(std::filesystem::is_empty(tmp.dir.path()));
}

BOOST_AUTO_TEST_CASE(unusable_files_refuse_the_start_naming_the_key) {
  TestCa ca;
  const auto own = ca.server("127.0.0.1", {"IP:127.0.0.1"});
  const auto other = ca.server("other", {"DNS:other.test"});
  PrivateTmp tmp;

  auto config = tlsConfig(ca, own);
  config.tls.keyFile = other.keyFile;
  BOOST_CHECK(contains(startError(config), "sip.tlsKeyFile"));

  config = tlsConfig(ca, own);
  config.tls.keyFile.clear();
  BOOST_CHECK(contains(startError(config), "sip.tlsKeyFile"));

  config = tlsConfig(ca, own);
  config.tls.certificateFile = own.keyFile;
  BOOST_CHECK(contains(startError(config), "sip.tlsCertificateFile"));

  config = tlsConfig(ca, own);
  config.tls.caFile.clear();
  BOOST_CHECK(contains(startError(config), "tls.systemCAs"));

  config = tlsConfig(ca, own);
  config.tls.caFile = own.keyFile;
  BOOST_CHECK(contains(startError(config), "tls.caFile"));

  config = tlsConfig(ca, own);
  config.tls.caDirectory = tmp.dir.path() + "/missing";
  BOOST_CHECK(contains(startError(config), "tls.caDirectory"));

  // Nothing is left behind by a refused start.
  BOOST_CHECK(std::filesystem::is_empty(tmp.dir.path()));
  BOOST_CHECK_EQUAL(startError(tlsConfig(ca, own)), "");
}

BOOST_AUTO_TEST_SUITE_END()
