// The store's edge towards core: a database that cannot be reached is a 503 with a stable
// public message; the server's own words (addresses, statement names) stay in the log.
#include "sipbridge/core/Errors.h"
#include "sipbridge/store/ConnectionPool.h"
#include "sipbridge/store/PgAppDirectory.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>

#include <memory>

using namespace sipbridge;

namespace {

/// A loopback port nothing listens on (bound, not listening, for the test's life).
class ClosedPort {
 public:
  ClosedPort() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address);
    socklen_t length = sizeof address;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
  }
  ~ClosedPort() { ::close(fd_); }
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

}  // namespace

BOOST_AUTO_TEST_SUITE(StoreEdge)

BOOST_AUTO_TEST_CASE(an_unreachable_database_is_a_503_with_a_public_message) {
  ClosedPort port;
  auto pool = std::make_shared<store::ConnectionPool>(
      "host=127.0.0.1 port=" + std::to_string(port.port()) + " dbname=x connect_timeout=2", 1);
  store::PgAppDirectory apps(pool);
  try {
    apps.find("demo");
    BOOST_FAIL("no error for an unreachable database");
  } catch (const core::Unavailable& e) {
    BOOST_TEST((e.kind() == core::DomainError::Kind::Unavailable));
    BOOST_TEST(e.message() == "the database is unavailable; retry later");
    BOOST_TEST(e.message().find("127.0.0.1") == std::string::npos);
    BOOST_TEST(e.message().find("PostgreSQL") == std::string::npos);
  }
}

BOOST_AUTO_TEST_SUITE_END()
