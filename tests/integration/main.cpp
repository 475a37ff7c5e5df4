#define BOOST_TEST_MODULE sipbridge integration tests
#include <boost/test/unit_test.hpp>
