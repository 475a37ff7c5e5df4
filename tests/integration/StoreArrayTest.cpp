#include "sipbridge/store/PgArray.h"

#include <boost/test/unit_test.hpp>

using sipbridge::store::PgArray;

BOOST_AUTO_TEST_SUITE(StoreArrayTest)

BOOST_AUTO_TEST_CASE(quotes_every_element_and_escapes_quote_and_backslash) {
  BOOST_TEST(PgArray::text(std::vector<std::string>{}) == "{}");
  BOOST_TEST(PgArray::text(std::vector<std::string>{"a", ""}) == R"({"a",""})");
  BOOST_TEST(PgArray::text(std::vector<std::string>{R"(x"y\z)"}) == R"({"x\"y\\z"})");
  BOOST_TEST(PgArray::text(std::vector<std::string>{"NULL", "{a,b}", " s "}) ==
             R"({"NULL","{a,b}"," s "})");
}

BOOST_AUTO_TEST_CASE(null_elements_and_integers) {
  std::vector<std::optional<std::string>> values{std::string("v"), std::nullopt};
  BOOST_TEST(PgArray::text(values) == R"({"v",NULL})");
  BOOST_TEST(PgArray::int64({1, -2, 9223372036854775807LL}) == "{1,-2,9223372036854775807}");
  BOOST_TEST(PgArray::int64({}) == "{}");
}

BOOST_AUTO_TEST_SUITE_END()
