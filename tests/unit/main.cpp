#define BOOST_TEST_MODULE sipbridge unit tests
#include <boost/test/unit_test.hpp>
