#include "../support/TestEnv.h"
#include "sipbridge/store/ConnectionPool.h"
#include "sipbridge/store/Migrations.h"
#include "sipbridge/store/PgAppDirectory.h"

#include <boost/test/unit_test.hpp>

#include <filesystem>

using namespace sipbridge;

BOOST_AUTO_TEST_SUITE(StoreMigrationTest)

BOOST_AUTO_TEST_CASE(applications_with_an_http_hook_url_are_marked_development_on_upgrade) {
  test::PgInstance pg;
  const std::string conninfo = pg.createDatabase("upgrade");
  auto pool = std::make_shared<store::ConnectionPool>(conninfo, 1);
  // The schema as it was before hooks went over https.
  test::TempDir before;
  for (const auto& entry : std::filesystem::directory_iterator(test::repoRoot() + "/schema"))
    if (entry.path().filename().string() < "015")
      std::filesystem::copy(entry.path(), before.path() + "/" + entry.path().filename().string());
  store::Migrations::apply(*pool, before.path());
  pg.psql(
      "INSERT INTO apps (app_key, hook_url, secret) VALUES"
      " ('plain', 'http://backend.example/hooks', 'whsec_x'),"
      " ('secure', 'https://backend.example/hooks', 'whsec_x'), ('none', '', 'whsec_x')",
      "upgrade");

  store::Migrations::apply(*pool, test::repoRoot() + "/schema");
  store::PgAppDirectory apps(pool);
  BOOST_TEST(apps.find("plain")->development);
  BOOST_TEST(!apps.find("secure")->development);
  BOOST_TEST(!apps.find("none")->development);
  BOOST_TEST(apps.find("secure")->clientCertificate.empty());
}

BOOST_AUTO_TEST_SUITE_END()
