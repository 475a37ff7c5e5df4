#include "sipbridge/core/Tokens.h"

#include <Poco/Base64Encoder.h>
#include <Poco/RandomStream.h>
#include <Poco/SHA2Engine.h>

#include <sstream>
#include <vector>

namespace sipbridge::core {
namespace {

std::vector<unsigned char> randomBytes(std::size_t n) {
  std::vector<unsigned char> bytes(n);
  Poco::RandomInputStream random;
  random.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(n));
  return bytes;
}

}  // namespace

std::string randomHex(std::size_t bytes) {
  static const char digits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char b : randomBytes(bytes)) {
    out += digits[b >> 4];
    out += digits[b & 0x0F];
  }
  return out;
}

std::string randomToken(std::size_t bytes) {
  const auto raw = randomBytes(bytes);
  std::ostringstream out;
  Poco::Base64Encoder encoder(out, Poco::BASE64_URL_ENCODING | Poco::BASE64_NO_PADDING);
  encoder.write(reinterpret_cast<const char*>(raw.data()),
                static_cast<std::streamsize>(raw.size()));
  encoder.close();
  return out.str();
}

std::string tokenHash(const std::string& token) {
  Poco::SHA2Engine sha(Poco::SHA2Engine::SHA_256);
  sha.update(token);
  return Poco::DigestEngine::digestToHex(sha.digest());
}

std::string newSigningSecret() {
  const auto raw = randomBytes(24);
  std::ostringstream out;
  Poco::Base64Encoder encoder(out);
  encoder.write(reinterpret_cast<const char*>(raw.data()),
                static_cast<std::streamsize>(raw.size()));
  encoder.close();
  return "whsec_" + out.str();
}

bool constantTimeEquals(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

}  // namespace sipbridge::core
